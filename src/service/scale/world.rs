//! The organisations of a generated data set: brands, partners, warehouses and financiers with
//! their signing keys, users, partnerships and financing programs. Built in memory (the order
//! generator signs with these keys and picks these users) and written as bulk rows.

use rand::{Rng, RngCore};

use super::shape::{self, Shape, Zipf};
pub use super::world_rows::{WorldRows, tables};
use crate::db::bulk::Val;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::org::{OrgKind, Role};
use crate::signing::keys::{self, MemorySigner};
use crate::signing::master_key::MasterKey;

pub struct Org {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub signer: MemorySigner,
    /// The organisation's first user (its admin), who acts for it.
    pub admin: UserId,
    pub admin_email: String,
}

pub struct Program {
    pub id: String,
    pub name: String,
    pub financier: usize,
}

pub struct Brand {
    pub org: Org,
    pub ops: UserId,
    pub ops_email: String,
    pub quality: UserId,
    pub finance: UserId,
    pub warehouse: usize,
    pub program: Option<Program>,
}

pub struct Partner {
    pub org: Org,
    pub code: String,
    pub brands: Vec<usize>,
    pub factory: bool,
}

pub struct World {
    pub brands: Vec<Brand>,
    pub partners: Vec<Partner>,
    pub warehouses: Vec<Org>,
    pub financiers: Vec<Org>,
    /// Orders over partners.
    pub partner_skew: Zipf,
}

impl World {
    /// Whether invoices of `partner` to `brand` may be financed under the brand's program.
    pub fn program_of(&self, brand: usize) -> Option<&Program> {
        self.brands[brand].program.as_ref()
    }
}

const BRAND_FIRST: [&str; 10] = [
    "Acme",
    "Blue Harbor",
    "Northwind",
    "Lumen",
    "Cedar",
    "Atlas",
    "Maple",
    "Orchid",
    "Summit",
    "Riverstone",
];
const BRAND_SECOND: [&str; 10] = [
    "Apparel", "Home", "Outdoor", "Living", "Sport", "Kids", "Denim", "Goods", "Wear", "Studio",
];
const PLACES: [&str; 24] = [
    "Ningbo",
    "Shaoxing",
    "Dhaka",
    "Chittagong",
    "Ho Chi Minh",
    "Hanoi",
    "Tiruppur",
    "Ludhiana",
    "Izmir",
    "Bursa",
    "Guangzhou",
    "Suzhou",
    "Phnom Penh",
    "Colombo",
    "Karachi",
    "Lahore",
    "Jakarta",
    "Bandung",
    "Porto",
    "Braga",
    "Casablanca",
    "Tunis",
    "Puebla",
    "Lima",
];
const TRADES: [&str; 8] = [
    "Textiles",
    "Garment Works",
    "Knitting Co.",
    "Apparel Mfg.",
    "Weaving Mills",
    "Fashion Ltd.",
    "Sewing Co.",
    "Home Textiles",
];

fn numbered(base: String, i: usize, combos: usize) -> String {
    if i < combos {
        base
    } else {
        format!("{base} {}", i / combos + 1)
    }
}

struct Builder<'a> {
    master: &'a MasterKey,
    password_hash: &'a str,
    /// Keys and orgs are valid from before the oldest order.
    since: i64,
    rows: WorldRows,
}

impl Builder<'_> {
    fn org(&mut self, rng: &mut impl RngCore, kind: OrgKind, name: String, domain: &str) -> Org {
        let id = OrgId::from(super::ids::uuid_at(rng, self.since));
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let (key, signer) = keys::from_seed(self.master, seed);
        self.rows.orgs.row(vec![
            id.to_string().into(),
            kind.as_str().into(),
            name.clone().into(),
            Val::I(self.since),
        ]);
        self.rows.keys.row(vec![
            key.public.kid.clone().into(),
            id.to_string().into(),
            key.public.x.into(),
            Val::B(key.sealed_private),
            Val::I(self.since),
        ]);
        let first = match kind {
            OrgKind::Financier => "credit",
            OrgKind::Warehouse => "dock",
            _ => "admin",
        };
        let admin_email = format!("{first}@{domain}");
        let admin = self.user(rng, id, &admin_email, &name, Role::Admin);
        Org {
            id,
            name,
            kind,
            signer,
            admin,
            admin_email,
        }
    }

    fn user(
        &mut self,
        rng: &mut impl RngCore,
        org: OrgId,
        email: &str,
        org_name: &str,
        role: Role,
    ) -> UserId {
        let id = UserId::from(super::ids::uuid_at(rng, self.since));
        let display = format!("{} ({org_name})", role_title(role));
        self.rows.users.row(vec![
            id.to_string().into(),
            org.to_string().into(),
            email.into(),
            display.into(),
            role.as_str().into(),
            self.password_hash.into(),
            "active".into(),
            Val::I(self.since),
            Val::I(self.since),
            // Generated users read the portal; they do not want mail.
            "off".into(),
        ]);
        id
    }

    fn partnership(&mut self, brand: OrgId, partner: &Org) {
        self.rows.partnerships.row(vec![
            brand.to_string().into(),
            partner.id.to_string().into(),
            "active".into(),
            Val::I(self.since),
            Val::I(self.since),
            partner.kind.as_str().into(),
        ]);
    }
}

fn role_title(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Ops => "Ops",
        Role::Quality => "Quality",
        Role::Finance => "Finance",
        Role::Member => "Analyst",
        _ => "User",
    }
}

/// Builds the organisations of `shape`. `since`: when they (and their keys) came to be.
pub fn build(
    rng: &mut impl Rng,
    shape: &Shape,
    master: &MasterKey,
    password_hash: &str,
    since: i64,
) -> (World, WorldRows) {
    let mut b = Builder {
        master,
        password_hash,
        since,
        rows: tables(),
    };
    let warehouses: Vec<Org> = (0..shape.warehouses)
        .map(|i| {
            let name = format!("{} Logistics {}", PLACES[(i * 7) % PLACES.len()], i + 1);
            b.org(
                rng,
                OrgKind::Warehouse,
                name,
                &format!("3pl{:02}.test", i + 1),
            )
        })
        .collect();
    let financiers: Vec<Org> = (0..shape.financiers)
        .map(|i| {
            let name = format!(
                "{} Trade Finance",
                ["Jade", "Harbor", "Meridian", "Orion"][i % 4]
            );
            let name = numbered(name, i, 4);
            b.org(
                rng,
                OrgKind::Financier,
                name,
                &format!("financier{:02}.test", i + 1),
            )
        })
        .collect();
    for (i, f) in financiers.iter().enumerate() {
        let email = format!("analyst@financier{:02}.test", i + 1);
        b.user(rng, f.id, &email, &f.name.clone(), Role::Member);
    }
    let mut brands = Vec::with_capacity(shape.brands);
    for i in 0..shape.brands {
        let name = format!(
            "{} {}",
            BRAND_FIRST[i % 10],
            BRAND_SECOND[(i / 10 + i) % 10]
        );
        let domain = format!("brand{:03}.test", i + 1);
        let org = b.org(rng, OrgKind::Brand, numbered(name, i, 100), &domain);
        let (id, name) = (org.id, org.name.clone());
        let ops_email = format!("ops@{domain}");
        let ops = b.user(rng, id, &ops_email, &name, Role::Ops);
        let quality = b.user(rng, id, &format!("quality@{domain}"), &name, Role::Quality);
        let finance = b.user(rng, id, &format!("finance@{domain}"), &name, Role::Finance);
        let warehouse = i % warehouses.len();
        b.partnership(id, &warehouses[warehouse]);
        // Four brands in five run a financing program with one financier.
        let program = (i % 5 != 4).then(|| Program {
            id: format!("prog-{:03}", i + 1),
            name: format!("{name} supplier early payment"),
            financier: i % financiers.len(),
        });
        if let Some(p) = &program {
            let financier = financiers[p.financier].id;
            b.partnership(id, &financiers[p.financier]);
            b.rows.programs.row(vec![
                id.to_string().into(),
                p.id.clone().into(),
                p.name.clone().into(),
                financier.to_string().into(),
                "USD".into(),
                Val::I(9_000),
                "discount".into(),
                Val::I(650),
                "act360".into(),
                Val::I(120),
                Val::I(2_500_000_000),
                Val::I(50_000_000_000),
                "order_confirmed,goods_received,buyer_accepted".into(),
                Val::I(0),
                "active".into(),
                Val::I(since),
                Val::I(since),
            ]);
        }
        brands.push(Brand {
            org,
            ops,
            ops_email,
            quality,
            finance,
            warehouse,
            program,
        });
    }
    let mut partners = Vec::with_capacity(shape.partners);
    let combos = PLACES.len() * TRADES.len();
    for rank in 0..shape.partners {
        let factory = shape::is_factory(rank);
        let kind = if factory {
            OrgKind::Factory
        } else {
            OrgKind::Supplier
        };
        let base = format!(
            "{} {}",
            PLACES[rank % PLACES.len()],
            TRADES[(rank / PLACES.len() + rank) % TRADES.len()]
        );
        let code = format!("P{:05}", rank + 1);
        let domain = format!("partner{:05}.test", rank + 1);
        let org = b.org(rng, kind, numbered(base, rank, combos), &domain);
        let served = shape::brands_of_partner(rank, shape.brands, rng);
        for &brand in &served {
            b.partnership(brands[brand].org.id, &org);
            if let Some(p) = &brands[brand].program {
                b.rows.program_suppliers.row(vec![
                    brands[brand].org.id.to_string().into(),
                    p.id.clone().into(),
                    org.id.to_string().into(),
                    Val::I(since),
                    Val::I(since),
                    Val::I(0),
                    org.admin.to_string().into(),
                ]);
            }
        }
        partners.push(Partner {
            org,
            code,
            brands: served,
            factory,
        });
    }
    let world = World {
        brands,
        partners,
        warehouses,
        financiers,
        partner_skew: Zipf::new(shape.partners, shape::PARTNER_SKEW),
    };
    (world, b.rows)
}
