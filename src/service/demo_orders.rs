//! Demo purchase orders in every state, made through the real use cases so every one carries
//! valid signed statements: Acme with Sunrise and Delta, Blue Harbor with Sunrise. What happens
//! after confirmation (production, samples, shipping, receipt) is in `demo_production`.

use rust_decimal::Decimal;

use super::demo_production;
use super::orders::create::{self, DraftInput, LineInput};
use super::orders::decide::{self, Seen};
use crate::app::AppState;
use crate::auth::actor::{Actor, TenantScope};
use crate::db;
use crate::domain::ids::{OrderId, TenantId};
use crate::domain::order::line::{LineAction, Proposal, Side};
use crate::domain::org::OrgKind;

/// Where a demo order ends up.
#[derive(Clone, Copy)]
enum Target {
    Draft,
    Issued,
    PartlyConfirmed,
    ChangesProposed,
    Confirmed,
    Rejected,
    Cancelled,
    ProposalAccepted,
    /// Confirmed, sample approved, every line shipped on an ASN still in transit.
    Shipped,
    /// Shipped and received at the warehouse; `true`: with a discrepancy.
    Received(bool),
}

const ACME: &[(Target, usize)] = &[
    (Target::Draft, 4),
    (Target::Issued, 10),
    (Target::PartlyConfirmed, 5),
    (Target::ChangesProposed, 6),
    (Target::Confirmed, 8),
    (Target::ProposalAccepted, 3),
    (Target::Rejected, 2),
    (Target::Cancelled, 2),
    (Target::Shipped, 2),
    (Target::Received(true), 1),
    (Target::Received(false), 1),
    // More received orders for the financing demo (invoiced, accepted, financed in every state).
    (Target::Received(false), 8),
];

const BLUE_HARBOR: &[(Target, usize)] = &[
    (Target::Draft, 2),
    (Target::Issued, 4),
    (Target::ChangesProposed, 2),
    (Target::Confirmed, 2),
    (Target::Shipped, 1),
];

const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    ("TS-100-BLK", "Crew tee, black", "6109.10", "3.85"),
    ("TS-100-WHT", "Crew tee, white", "6109.10", "3.85"),
    ("HD-220-NVY", "Hooded sweatshirt, navy", "6110.20", "11.40"),
    ("DN-510-IND", "Slim denim, indigo", "6203.42", "14.90"),
    ("PL-300-GRN", "Piqué polo, green", "6105.10", "6.20"),
    ("TW-700-WHT", "Bath towel 70x140, white", "6302.60", "4.75"),
    ("BS-900-GRY", "Percale sheet set, grey", "6302.31", "18.30"),
];

/// The actor of `email` working in `tenant`, as demo seeding and tests act.
pub async fn actor(state: &AppState, email: &str, tenant: TenantId) -> anyhow::Result<Actor> {
    let mut conn = state.db.read().await?;
    let user = db::users::with_org_by_email(&mut conn, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{email}"))?;
    Ok(acting_as(&mut conn, user, tenant).await?)
}

/// The actor a user would be, working in `tenant`, when the platform acts in their name (demo
/// seeding, tests, and standing instructions such as auto-financing).
pub(crate) async fn acting_as(
    conn: &mut db::Conn,
    user: db::users::UserWithOrg,
    tenant: TenantId,
) -> Result<Actor, sqlx::Error> {
    let brand = db::orgs::get(conn, tenant.into()).await?;
    Ok(Actor {
        user_id: user.id,
        org_id: user.org_id,
        org_kind: user.org_kind,
        org_name: user.org_name,
        role: user.role,
        email: user.email,
        display_name: user.display_name,
        locale: None,
        scope: Some(TenantScope {
            tenant_id: tenant,
            tenant_name: brand.map(|b| b.name).unwrap_or_default(),
            partner_org_id: (user.org_kind != OrgKind::Brand).then_some(user.org_id),
        }),
        brands: Vec::new(),
        client_addr: None,
        authenticated_at: crate::domain::time::UtcMillis::now(),
        unread_notifications: None,
    })
}

pub async fn version(state: &AppState, tenant: TenantId, id: OrderId) -> anyhow::Result<i64> {
    let mut conn = state.db.read().await?;
    Ok(db::orders::get(&mut conn, tenant, id)
        .await?
        .map(|o| o.version)
        .unwrap_or(0))
}

async fn step(state: &AppState, tenant: TenantId, id: OrderId) -> anyhow::Result<Seen> {
    Ok(Seen {
        order: id,
        version: version(state, tenant, id).await?,
        submission: crate::auth::tokens::new_token(),
    })
}

/// Seeds the demo orders; returns how many were made.
pub async fn seed(state: &AppState) -> anyhow::Result<usize> {
    // Seeding creates every brand's data.
    crate::db::scope::system(seed_in_system_scope(state)).await
}

async fn seed_in_system_scope(state: &AppState) -> anyhow::Result<usize> {
    let mut conn = state.db.read().await?;
    let find = |rows: Vec<db::orgs::Org>| rows.into_iter().next().map(|o| o.id);
    let acme = find(db::orgs::find_by_name(&mut conn, "Acme Apparel").await?)
        .ok_or_else(|| anyhow::anyhow!("Acme"))?;
    let blue = find(db::orgs::find_by_name(&mut conn, "Blue Harbor Home").await?)
        .ok_or_else(|| anyhow::anyhow!("Blue Harbor"))?;
    let sunrise = find(db::orgs::find_by_name(&mut conn, "Sunrise Textiles").await?)
        .ok_or_else(|| anyhow::anyhow!("Sunrise"))?;
    let delta = find(db::orgs::find_by_name(&mut conn, "Delta Garment Works").await?)
        .ok_or_else(|| anyhow::anyhow!("Delta"))?;
    let harbor = find(db::orgs::find_by_name(&mut conn, "Harbor Logistics").await?);
    drop(conn);

    let acme_tenant = TenantId::of_brand(acme);
    super::demo_finance::program(state, acme_tenant, &[sunrise, delta], "sales@sunrise.test")
        .await?;
    let mut made = 0;
    let plans = [
        (TenantId::of_brand(acme), "ops@acme.test", ACME, 4_500_101),
        (
            TenantId::of_brand(blue),
            "ops@blueharbor.test",
            BLUE_HARBOR,
            7_100_201,
        ),
    ];
    // The orders spread over the last weeks, so their SLA clocks have a history: the business
    // clock is set back for each order and moved on as partners answer (some late), then set
    // right again. The first scheduler pass raises the old breaches with their real times.
    let real_now = crate::domain::time::UtcMillis::now();
    for (tenant, buyer, plan, first_po) in plans {
        let brand_actor = actor(state, buyer, tenant).await?;
        let total: usize = plan.iter().map(|(_, c)| *c).sum();
        let mut n = 0usize;
        for (target, count) in plan {
            for _ in 0..*count {
                let issued_ago_h = (total - n) as i64 * 18;
                state
                    .clock
                    .jump_to(real_now.plus_secs(-issued_ago_h * 3600));
                let (partner, partner_email) = if tenant == TenantId::of_brand(blue) || n % 3 != 2 {
                    (sunrise, "sales@sunrise.test")
                } else {
                    (delta, "planner@delta.test")
                };
                let po = format!("{}", first_po + n as i64);
                let lines = (0..(2 + n % 3))
                    .map(|i| {
                        let (sku, description, hs, price) = PRODUCTS[(n + i) % PRODUCTS.len()];
                        LineInput {
                            sku: format!("{sku}-{}", ["S", "M", "L", "XL"][i % 4]),
                            description: description.to_owned(),
                            hs_code: hs.to_owned(),
                            quantity: ((n % 5 + 1) * 400 + i * 100).to_string(),
                            unit: "pcs".to_owned(),
                            unit_price: price.to_owned(),
                            delivery_date: String::new(),
                        }
                    })
                    .collect();
                let requested = crate::domain::time::UtcMillis::now()
                    .plus_secs(((n as i64 % 12) * 7 + 20) * 86_400)
                    .rfc3339()[..10]
                    .to_owned();
                let input = DraftInput {
                    submission: String::new(),
                    po_number: po,
                    partner: partner.to_string(),
                    ship_to: harbor.map(|h| h.to_string()).unwrap_or_default(),
                    currency: "USD".into(),
                    incoterms: "FOB".into(),
                    payment_terms: "Net 60".into(),
                    requested_delivery: requested,
                    lines,
                };
                let id = create::create_draft(state, &brand_actor, &input)
                    .await
                    .map_err(|e| anyhow::anyhow!("demo draft: {e:?}"))?;
                let partner = actor(state, partner_email, tenant).await?;
                // Most partners answer within hours; every fifth takes five days.
                let answer_after_h = if n.is_multiple_of(5) { 120 } else { 4 };
                advance(
                    state,
                    tenant,
                    id,
                    &brand_actor,
                    &partner,
                    *target,
                    answer_after_h,
                )
                .await?;
                if let Target::Confirmed | Target::Shipped | Target::Received(_) = target {
                    // First samples take 3 to 12 days.
                    move_on(state, (3 + (n as i64 % 7) * 3 / 2) * 86_400_000);
                    // Every fourth confirmed order is short of buttons, production near.
                    let short = matches!(target, Target::Confirmed) && n % 4 == 2;
                    demo_production::kit(state, tenant, &partner, id, short).await?;
                    // Quality rejects every fourth confirmed order's first sample.
                    let approve = !matches!(target, Target::Confirmed) || n % 4 != 1;
                    demo_production::produce(state, tenant, &partner, id, approve).await?;
                }
                if let Target::Shipped | Target::Received(_) = target {
                    demo_production::inspect(state, &partner, id, true).await?;
                    demo_production::ship(state, tenant, &partner, id).await?;
                    if matches!(target, Target::Shipped) && n.is_multiple_of(2) {
                        // Goods at the dock, not yet counted: the warehouse's clock runs.
                        demo_production::arrive(state, tenant, id).await?;
                    }
                } else if matches!(target, Target::Confirmed) && n % 4 == 3 {
                    // One order on hold: its pre-shipment inspection failed.
                    demo_production::inspect(state, &partner, id, false).await?;
                }
                if let Target::Received(discrepancy) = target {
                    demo_production::receive(state, tenant, id, *discrepancy).await?;
                    super::demo_finance::invoice(state, tenant, &partner, id, n).await?;
                }
                n += 1;
                made += 1;
            }
        }
    }
    state.clock.jump_to(crate::domain::time::UtcMillis::now());
    super::demo_finance::financings(state, acme_tenant).await?;
    super::demo_trace::seed(state, acme_tenant, TenantId::of_brand(blue)).await?;
    Ok(made)
}

/// Moves the seeding clock on, but never past the real now: the recent orders' later steps
/// happen "now" rather than in the future.
pub(super) fn move_on(state: &AppState, ms: i64) {
    let real_now = crate::domain::time::UtcMillis::now().0;
    let to = (state.now().0 + ms).min(real_now);
    state
        .clock
        .jump_to(crate::domain::time::UtcMillis(to.max(state.now().0)));
}

async fn advance(
    state: &AppState,
    tenant: TenantId,
    id: OrderId,
    brand: &Actor,
    partner: &Actor,
    target: Target,
    answer_after_h: i64,
) -> anyhow::Result<()> {
    let fail = |e: super::ServiceError| anyhow::anyhow!("demo order step: {e:?}");
    if matches!(target, Target::Draft) {
        return Ok(());
    }
    decide::issue(state, brand, &step(state, tenant, id).await?)
        .await
        .map_err(fail)?;
    move_on(state, answer_after_h * 3_600_000);
    let partner_says = |actions: Vec<(i64, LineAction)>| {
        let partner = partner.clone();
        async move {
            let seen = step(state, tenant, id).await?;
            decide::decide_lines(state, &partner, &seen, Side::Partner, &actions)
                .await
                .map_err(fail)?;
            anyhow::Ok(())
        }
    };
    let propose = LineAction::ProposeChange(Proposal {
        quantity: Some(Decimal::from(900)),
        delivery_date: None,
        unit_price_minor: None,
        comment: "Fabric allocation allows 900 pcs this month".into(),
    });
    match target {
        Target::Draft | Target::Issued => {}
        Target::PartlyConfirmed => partner_says(vec![(1, LineAction::Accept)]).await?,
        Target::ChangesProposed => {
            partner_says(vec![(1, LineAction::Accept), (2, propose)]).await?
        }
        Target::Confirmed | Target::Shipped | Target::Received(_) => {
            decide::accept_all(state, partner, &step(state, tenant, id).await?)
                .await
                .map_err(fail)?;
        }
        Target::ProposalAccepted => {
            partner_says(vec![(1, LineAction::Accept), (2, propose)]).await?;
            let seen = step(state, tenant, id).await?;
            decide::decide_lines(
                state,
                brand,
                &seen,
                Side::Brand,
                &[(2, LineAction::AcceptProposal)],
            )
            .await
            .map_err(fail)?;
        }
        Target::Rejected => {
            let lines = {
                let mut conn = state.db.read().await?;
                db::order_lines::of_order(&mut conn, tenant, id).await?
            };
            let reason = "Capacity is booked for the season";
            partner_says(
                lines
                    .iter()
                    .map(|l| {
                        (
                            l.line_no,
                            LineAction::Reject {
                                reason: reason.into(),
                            },
                        )
                    })
                    .collect(),
            )
            .await?
        }
        Target::Cancelled => {
            decide::cancel(
                state,
                brand,
                &step(state, tenant, id).await?,
                "Collection dropped",
            )
            .await
            .map_err(fail)?;
        }
    }
    Ok(())
}
