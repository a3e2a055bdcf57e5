//! Demo data: two brands, their partners and one user per job, so every screen has something
//! real to show. Later features add their demo objects here.

use serde_json::json;

use super::{AuditEvent, actions, audit_unauthenticated, orgs};
use crate::auth::password;
use crate::db::{self, Db};
use crate::domain::ids::{OrgId, TenantId, UserId};
use crate::domain::org::{OrgKind, Role};
use crate::domain::partnership::PartnershipStatus;
use crate::domain::time::UtcMillis;
use crate::signing::master_key::MasterKey;

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub org: &'static str,
    pub role: Role,
}

const ORGS: &[(&str, OrgKind)] = &[
    ("Portico", OrgKind::Platform),
    ("Acme Apparel", OrgKind::Brand),
    ("Blue Harbor Home", OrgKind::Brand),
    ("Sunrise Textiles", OrgKind::Supplier),
    ("Delta Garment Works", OrgKind::Factory),
    ("Harbor Logistics", OrgKind::Warehouse),
    ("Jade Capital", OrgKind::Financier),
];

/// (brand, partner) pairs.
const PARTNERSHIPS: &[(&str, &str)] = &[
    ("Acme Apparel", "Sunrise Textiles"),
    ("Blue Harbor Home", "Sunrise Textiles"),
    ("Acme Apparel", "Delta Garment Works"),
    ("Acme Apparel", "Harbor Logistics"),
    ("Blue Harbor Home", "Harbor Logistics"),
    ("Acme Apparel", "Jade Capital"),
];

pub const USERS: &[DemoUser] = &[
    DemoUser {
        email: "root@portico.test",
        name: "Platform Operator",
        org: "Portico",
        role: Role::PlatformAdmin,
    },
    DemoUser {
        email: "admin@acme.test",
        name: "Alice Admin",
        org: "Acme Apparel",
        role: Role::Admin,
    },
    DemoUser {
        email: "ops@acme.test",
        name: "Oscar Ops",
        org: "Acme Apparel",
        role: Role::Ops,
    },
    DemoUser {
        email: "quality@acme.test",
        name: "Quinn Quality",
        org: "Acme Apparel",
        role: Role::Quality,
    },
    DemoUser {
        email: "finance@acme.test",
        name: "Fiona Finance",
        org: "Acme Apparel",
        role: Role::Finance,
    },
    DemoUser {
        email: "admin@blueharbor.test",
        name: "Bea Admin",
        org: "Blue Harbor Home",
        role: Role::Admin,
    },
    DemoUser {
        email: "ops@blueharbor.test",
        name: "Ben Ops",
        org: "Blue Harbor Home",
        role: Role::Ops,
    },
    DemoUser {
        email: "sales@sunrise.test",
        name: "Sunny Sales",
        org: "Sunrise Textiles",
        role: Role::Admin,
    },
    DemoUser {
        email: "planner@delta.test",
        name: "Dana Planner",
        org: "Delta Garment Works",
        role: Role::Admin,
    },
    DemoUser {
        email: "dock@harborlog.test",
        name: "Doug Dock",
        org: "Harbor Logistics",
        role: Role::Admin,
    },
    DemoUser {
        email: "analyst@jade.test",
        name: "Ada Analyst",
        org: "Jade Capital",
        role: Role::Member,
    },
    DemoUser {
        email: "credit@jade.test",
        name: "Chen Credit",
        org: "Jade Capital",
        role: Role::Admin,
    },
];

/// A demo user who reads a daily e-mail digest (08:00 Amsterdam) instead of one mail per event.
const DIGEST_USER: &str = "ops@blueharbor.test";

/// Seeds the demo data unless the database already holds organisations. Returns whether it
/// seeded. All demo users share `password`.
pub async fn seed(db: &Db, master: &MasterKey, demo_password: &str) -> anyhow::Result<bool> {
    // Seeding creates every brand's data.
    crate::db::scope::system(seed_in_system_scope(db, master, demo_password)).await
}

async fn seed_in_system_scope(
    db: &Db,
    master: &MasterKey,
    demo_password: &str,
) -> anyhow::Result<bool> {
    let hash = password::hash(demo_password.to_owned()).await?;
    let now = UtcMillis::now().0;
    let mut tx = db.begin().await?;
    if db::orgs::count_all(&mut tx).await? > 0 {
        return Ok(false);
    }
    let mut ids: Vec<(&str, OrgId)> = Vec::new();
    for (name, kind) in ORGS {
        let org = orgs::create_org(&mut tx, master, *kind, name, UtcMillis(now)).await?;
        ids.push((name, org.id));
    }
    let id_of = |name: &str| {
        ids.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| *id)
            .ok_or_else(|| anyhow::anyhow!("demo org {name} missing"))
    };
    for (brand, partner) in PARTNERSHIPS {
        let tenant = TenantId::of_brand(id_of(brand)?);
        db::partnerships::insert(
            &mut tx,
            tenant,
            id_of(partner)?,
            PartnershipStatus::Active,
            now,
        )
        .await?;
    }
    for user in USERS {
        let id = UserId::new();
        db::users::insert(
            &mut tx,
            &db::users::NewUser {
                id,
                org_id: id_of(user.org)?,
                email: user.email,
                display_name: user.name,
                role: user.role,
                password_hash: Some(&hash),
                locale: None,
                now,
            },
        )
        .await?;
        if user.email == DIGEST_USER {
            db::digests::set_settings(&mut tx, id, "daily", "Europe/Amsterdam", None).await?;
        }
    }
    audit_unauthenticated(
        &mut tx,
        None,
        None,
        AuditEvent::about(actions::DEMO_SEEDED, "database").detail(json!({ "users": USERS.len() })),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
