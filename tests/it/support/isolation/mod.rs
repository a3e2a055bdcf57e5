//! Fixtures of the isolation harness (`tests/it/isolation.rs`): the kinds of actor, and for
//! each the objects of another brand or another partner it must not reach. The objects are made
//! through the real use cases wherever the demo partnerships allow.

pub mod brand;
mod orders;
pub mod trace;
pub mod webhooks;

use std::collections::HashMap;

use crate::support::TestApp;
use crate::support::fixtures::Foreign;

use brand::OTHER_FINANCIER;
pub use orders::OnSameOrder;
use trace::{Chain, ForeignComplaint};

/// A kind of actor, and what is foreign to it.
pub struct Actor {
    pub email: &'static str,
    pub foreign_partners: Vec<String>,
    pub foreign_users: Vec<String>,
    pub foreign_invitations: Vec<String>,
    pub foreign_orders: Vec<String>,
    /// ASNs it must not see or receive.
    pub foreign_asns: Vec<String>,
    /// SLA alerts it must not handle.
    pub foreign_alerts: Vec<String>,
    /// Working calendars and SLA policies of brands it must not read or change.
    pub foreign_calendars: Vec<String>,
    pub foreign_policies: Vec<String>,
    /// (order, file) pairs it must not download.
    pub foreign_files: Vec<(String, String)>,
    /// Invoices it must not read or decide.
    pub foreign_invoices: Vec<String>,
    /// Financing programs it must not change or join.
    pub foreign_programs: Vec<String>,
    /// Financings it must not see, download the evidence of, or act on.
    pub foreign_financings: Vec<String>,
    /// Trace nodes (kind, id) it must not trace, export or complain about: another producer's
    /// records, and anything of a chain that never reached its own brand's goods.
    pub foreign_nodes: Vec<(&'static str, String)>,
    /// Complaints it must not read, re-root or put on hold.
    pub foreign_complaints: Vec<ForeignComplaint>,
    /// API clients of other organisations (or brands) it must not see or revoke.
    pub foreign_api_clients: Vec<String>,
    /// Material lot codes of other producers it must not record a batch from.
    pub foreign_lot_codes: Vec<String>,
    /// (endpoint, delivery) of webhook endpoints of other organisations or brands.
    pub foreign_webhooks: Vec<(String, String)>,
    /// Whether it records its own chain (a supplier or factory): it is then told it knows no
    /// such lot; anyone else is told there is no such page.
    pub records_trace: bool,
    /// Text that must never appear on its list pages.
    pub foreign_text: Vec<&'static str>,
}

/// The actors, and a first sample, a QC inspection and a component on each order whose files
/// are foreign to someone, keyed by that file.
pub async fn actors_and_samples(
    app: &TestApp,
    f: &Foreign,
) -> (Vec<Actor>, HashMap<String, OnSameOrder>) {
    let actors = actors(app, f).await;
    (actors, orders::on_same_orders(app).await)
}

pub async fn actors(app: &TestApp, f: &Foreign) -> Vec<Actor> {
    let o = orders::foreign_orders(app).await;
    let ((blue_cal, blue_policy), (acme_cal, acme_policy)) = brand::sla_setups(app).await;
    let both_calendars = vec![blue_cal.clone(), acme_cal.clone()];
    let both_policies = vec![blue_policy.clone(), acme_policy.clone()];
    let (blue_alert, acme_alert) = brand::breach_alerts(app).await;
    let (blue_program, acme_program) = brand::programs(app).await;
    let fin = brand::financings(app, &blue_program, &o.blue_invoice).await;
    let both_financings = vec![fin.acme.clone(), fin.blue.clone()];
    let both_programs = vec![blue_program.clone(), acme_program.clone()];
    let both_alerts = vec![blue_alert.clone(), acme_alert.clone()];
    let id = |x: &dyn ToString| x.to_string();
    let user = |email: &'static str| async move { app.user_id(email).await.to_string() };
    let tr = trace::foreign_trace(app).await;
    let nodes = |chains: &[&Chain]| -> Vec<(&'static str, String)> {
        chains.iter().flat_map(|c| c.nodes()).collect()
    };
    let lot_codes =
        |chains: &[&Chain]| -> Vec<String> { chains.iter().map(|c| c.lot_code.clone()).collect() };
    let (blue_complaint, acme_complaint) = (tr.blue_complaint.clone(), tr.acme_complaint.clone());
    let both_complaints = vec![blue_complaint.clone(), acme_complaint.clone()];
    let delta = id(&app.org_id("Delta Garment Works").await);
    let sunrise = id(&app.org_id("Sunrise Textiles").await);
    let partner_everything = vec![id(&f.bluewater_org), delta.clone(), sunrise.clone()];
    let wh = webhooks::foreign_webhooks(app).await;
    let mut actors = vec![
        // A brand admin: another brand's partner, users and invitations.
        Actor {
            email: "admin@acme.test",
            foreign_webhooks: wh.foreign_to("admin@acme.test"),
            foreign_partners: vec![id(&f.bluewater_org)],
            foreign_users: vec![
                user("ops@blueharbor.test").await,
                id(&f.bluewater_user),
                user("sales@sunrise.test").await,
            ],
            foreign_invitations: vec![id(&f.blueharbor_invitation), id(&f.delta_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: vec![blue_alert.clone()],
            foreign_calendars: vec![blue_cal.clone()],
            foreign_policies: vec![blue_policy.clone()],
            foreign_files: vec![
                o.blue_file.clone(),
                (o.acme_sunrise_file.0.clone(), o.blue_file.1.clone()),
            ],
            foreign_orders: vec![o.blue_sunrise.clone()],
            foreign_invoices: vec![o.blue_invoice.clone()],
            foreign_programs: vec![blue_program.clone()],
            foreign_financings: vec![fin.blue.clone()],
            foreign_nodes: nodes(&[&tr.bluewater, &tr.sunrise_blue]),
            foreign_complaints: vec![blue_complaint.clone()],
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.bluewater]),
            records_trace: false,
            foreign_text: vec![
                "Blue Harbor early pay",
                "BH-INV-1",
                "BH-1",
                "Bluewater Crafts",
                "ops@blueharbor.test",
                "new@blueharbor.test",
                "new@delta.test",
                // Not sales@sunrise.test: a partner's people acting on Acme's orders rightly
                // appear in Acme's audit log.
                "owner@bluewater.test",
                "Blue Harbor seam complaint",
                "BH-TR-BW",
                "BH-TR-SR",
                "BW-LOT-1",
                "BW-FL-1",
                "BW-TRK-1",
                "SB-LOT-1",
                "SB-FL-1",
                "SB-TRK-1",
            ],
        },
        // A brand user without admin rights.
        Actor {
            email: "ops@acme.test",
            foreign_webhooks: wh.foreign_to("ops@acme.test"),
            foreign_partners: vec![id(&f.bluewater_org)],
            foreign_users: vec![user("admin@blueharbor.test").await, id(&f.bluewater_user)],
            foreign_invitations: vec![id(&f.blueharbor_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: vec![blue_alert.clone()],
            foreign_calendars: vec![blue_cal.clone()],
            foreign_policies: vec![blue_policy.clone()],
            foreign_files: vec![o.blue_file.clone()],
            foreign_orders: vec![o.blue_sunrise.clone()],
            foreign_invoices: vec![o.blue_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_financings: vec![fin.blue.clone()],
            foreign_nodes: nodes(&[&tr.bluewater, &tr.sunrise_blue]),
            foreign_complaints: vec![blue_complaint.clone()],
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.bluewater]),
            records_trace: false,
            foreign_text: vec![
                "Blue Harbor early pay",
                "BH-INV-1",
                "BH-1",
                "Bluewater Crafts",
                "admin@blueharbor.test",
                "Blue Harbor seam complaint",
                "BH-TR-BW",
                "BH-TR-SR",
                "BW-LOT-1",
                "BW-FL-1",
                "BW-TRK-1",
                "SB-LOT-1",
                "SB-FL-1",
                "SB-TRK-1",
            ],
        },
        // A supplier serving two brands: other partners, brand users, other brands.
        Actor {
            email: "sales@sunrise.test",
            foreign_webhooks: wh.foreign_to("sales@sunrise.test"),
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("admin@acme.test").await,
                user("planner@delta.test").await,
                id(&f.bluewater_user),
            ],
            foreign_invitations: vec![
                id(&f.acme_invitation),
                id(&f.delta_invitation),
                id(&f.blueharbor_invitation),
            ],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![
                o.blue_file.clone(),
                (o.acme_sunrise_file.0.clone(), o.blue_file.1.clone()),
                o.acme_delta_file.clone(),
            ],
            foreign_orders: vec![
                o.blue_sunrise.clone(),
                o.acme_delta.clone(),
                o.acme_draft.clone(),
            ],
            foreign_invoices: vec![o.blue_invoice.clone()],
            foreign_programs: both_programs.clone(),
            // Its own request, but to Blue Harbor: not there while it works for Acme.
            foreign_financings: vec![fin.blue.clone()],
            // Its own lots travel with it, but Blue Harbor's shipment and order of them are
            // Blue Harbor's: not there while it works for Acme.
            foreign_nodes: [
                nodes(&[&tr.delta, &tr.bluewater]),
                tr.sunrise_blue.shipped(),
            ]
            .concat(),
            foreign_complaints: both_complaints.clone(),
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.delta, &tr.bluewater]),
            records_trace: true,
            foreign_text: vec![
                "Blue Harbor early pay",
                "Acme early pay",
                "BH-INV-1",
                "BH-1",
                "AC-DELTA",
                "AC-DRAFT",
                "planner@delta.test",
                "admin@acme.test",
                "new@delta.test",
                "new@acme.test",
                "Blue Harbor seam complaint",
                "Acme seam complaint",
                "AC-TR-DL",
                "BH-TR-BW",
                "DL-LOT-1",
                "BW-LOT-1",
                "DL-FL-1",
                "BW-FL-1",
            ],
        },
        // A contract factory serving one brand.
        Actor {
            email: "planner@delta.test",
            foreign_webhooks: wh.foreign_to("planner@delta.test"),
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("sales@sunrise.test").await,
                user("ops@acme.test").await,
            ],
            foreign_invitations: vec![id(&f.acme_invitation), id(&f.blueharbor_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.blue_file.clone(), o.acme_sunrise_file.clone()],
            foreign_orders: vec![
                o.blue_sunrise.clone(),
                o.acme_sunrise.clone(),
                o.acme_draft.clone(),
                fin.acme_order.clone(),
            ],
            foreign_invoices: vec![
                o.blue_invoice.clone(),
                o.acme_sunrise_invoice.clone(),
                fin.acme_invoice.clone(),
            ],
            foreign_programs: vec![
                blue_program.clone(),
                acme_program.clone(),
                fin.acme_program.clone(),
            ],
            foreign_financings: both_financings.clone(),
            foreign_nodes: nodes(&[&tr.bluewater, &tr.sunrise_blue, &tr.sunrise_acme]),
            foreign_complaints: both_complaints.clone(),
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.bluewater, &tr.sunrise_blue, &tr.sunrise_acme]),
            records_trace: true,
            foreign_text: vec![
                "Blue Harbor early pay",
                "Acme early pay",
                "Acme receivables",
                "BH-INV-1",
                "AC-INV-1",
                "AC-FIN",
                "BH-1",
                "AC-SUN",
                "AC-DRAFT",
                "sales@sunrise.test",
                "new@acme.test",
                "Blue Harbor seam complaint",
                "Acme seam complaint",
                "BH-TR-BW",
                "BH-TR-SR",
                "AC-TR-SR",
                "BW-LOT-1",
                "SB-LOT-1",
                "SA-LOT-1",
                "SA-FL-1",
            ],
        },
        // A warehouse and a financier.
        Actor {
            email: "dock@harborlog.test",
            foreign_webhooks: wh.foreign_to("dock@harborlog.test"),
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("sales@sunrise.test").await,
                user("admin@blueharbor.test").await,
            ],
            foreign_invitations: vec![id(&f.delta_invitation)],
            foreign_asns: vec![o.blue_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.blue_file.clone(), o.acme_delta_file.clone()],
            foreign_orders: vec![
                o.blue_sunrise.clone(),
                o.acme_delta.clone(),
                o.acme_draft.clone(),
            ],
            foreign_invoices: vec![
                o.blue_invoice.clone(),
                o.acme_sunrise_invoice.clone(),
                fin.acme_invoice.clone(),
            ],
            foreign_programs: both_programs.clone(),
            // It received AC-FIN's goods: the order is its business, the money is not.
            foreign_financings: both_financings.clone(),
            foreign_nodes: nodes(&[&tr.delta, &tr.bluewater]),
            foreign_complaints: both_complaints.clone(),
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.delta]),
            records_trace: false,
            foreign_text: vec![
                "BH-1",
                "sales@sunrise.test",
                "Acme receivables",
                "Blue Harbor seam complaint",
                "Acme seam complaint",
            ],
        },
        Actor {
            email: "analyst@jade.test",
            foreign_webhooks: wh.foreign_to("analyst@jade.test"),
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![user("admin@acme.test").await],
            foreign_invitations: vec![id(&f.acme_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.acme_sunrise_file.clone(), o.acme_delta_file.clone()],
            // It finances AC-FIN-INV: it checks the evidence bundle, not the order or invoice.
            foreign_orders: vec![
                o.acme_sunrise.clone(),
                o.acme_delta.clone(),
                fin.acme_order.clone(),
            ],
            foreign_invoices: vec![
                o.blue_invoice.clone(),
                o.acme_sunrise_invoice.clone(),
                fin.acme_invoice.clone(),
            ],
            foreign_programs: both_programs.clone(),
            // It finances Blue Harbor's too, but works only for Acme.
            foreign_financings: vec![fin.blue.clone()],
            foreign_nodes: nodes(&[&tr.delta, &tr.sunrise_acme]),
            foreign_complaints: both_complaints.clone(),
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.delta]),
            records_trace: false,
            foreign_text: vec![
                "AC-SUN",
                "admin@acme.test",
                "BH-INV-1",
                "Acme seam complaint",
                "DL-LOT-1",
                "AC-TR-DL",
            ],
        },
        // A financier of another of Acme's programs.
        Actor {
            email: OTHER_FINANCIER,
            foreign_webhooks: wh.foreign_to(OTHER_FINANCIER),
            foreign_partners: partner_everything.clone(),
            foreign_users: vec![
                user("admin@acme.test").await,
                user("analyst@jade.test").await,
            ],
            foreign_invitations: vec![id(&f.acme_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.acme_sunrise_file.clone(), o.acme_delta_file.clone()],
            foreign_orders: vec![o.acme_sunrise.clone(), fin.acme_order.clone()],
            foreign_invoices: vec![
                o.blue_invoice.clone(),
                o.acme_sunrise_invoice.clone(),
                fin.acme_invoice.clone(),
            ],
            foreign_programs: vec![
                acme_program.clone(),
                fin.acme_program.clone(),
                fin.onyx_program.clone(),
            ],
            foreign_financings: both_financings.clone(),
            foreign_nodes: nodes(&[&tr.delta, &tr.bluewater]),
            foreign_complaints: both_complaints.clone(),
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.delta]),
            records_trace: false,
            foreign_text: vec![
                "AC-FIN",
                "Acme receivables",
                "BH-INV-1",
                "analyst@jade.test",
                "Acme seam complaint",
                "DL-LOT-1",
                "AC-TR-DL",
            ],
        },
        // Another brand's admin.
        Actor {
            email: "admin@blueharbor.test",
            foreign_webhooks: wh.foreign_to("admin@blueharbor.test"),
            foreign_partners: vec![delta.clone(), id(&app.org_id("Jade Capital").await)],
            foreign_users: vec![
                user("admin@acme.test").await,
                user("sales@sunrise.test").await,
                id(&f.bluewater_user),
            ],
            foreign_invitations: vec![id(&f.acme_invitation), id(&f.delta_invitation)],
            foreign_asns: vec![o.blue_asn.clone(), o.acme_asn.clone()],
            foreign_alerts: vec![acme_alert.clone()],
            foreign_calendars: vec![acme_cal.clone()],
            foreign_policies: vec![acme_policy.clone()],
            foreign_files: vec![
                o.acme_sunrise_file.clone(),
                (o.blue_file.0.clone(), o.acme_sunrise_file.1.clone()),
                o.acme_delta_file.clone(),
            ],
            foreign_orders: vec![
                o.acme_sunrise.clone(),
                o.acme_delta.clone(),
                o.acme_draft.clone(),
                fin.acme_order.clone(),
            ],
            foreign_invoices: vec![o.acme_sunrise_invoice.clone(), fin.acme_invoice.clone()],
            foreign_programs: vec![acme_program.clone(), fin.acme_program.clone()],
            foreign_financings: vec![fin.acme.clone()],
            foreign_nodes: nodes(&[&tr.delta, &tr.sunrise_acme]),
            foreign_complaints: vec![acme_complaint.clone()],
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.delta]),
            records_trace: false,
            foreign_text: vec![
                "Acme early pay",
                "Acme receivables",
                "AC-INV-1",
                "AC-FIN",
                "AC-SUN",
                "AC-DELTA",
                "AC-DRAFT",
                "Delta Garment Works",
                "admin@acme.test",
                "new@acme.test",
                "Acme seam complaint",
                "AC-TR-DL",
                "AC-TR-SR",
                "DL-LOT-1",
                "DL-FL-1",
                "DL-TRK-1",
                "SA-LOT-1",
                "SA-FL-1",
                "SA-TRK-1",
            ],
        },
        // The platform operator has no brand: tenant pages do not exist for them.
        Actor {
            email: "root@portico.test",
            foreign_webhooks: wh.foreign_to("root@portico.test"),
            foreign_partners: partner_everything,
            foreign_users: vec![user("admin@acme.test").await],
            foreign_invitations: vec![id(&f.acme_invitation)],
            foreign_asns: vec![o.acme_asn.clone()],
            foreign_alerts: both_alerts.clone(),
            foreign_calendars: both_calendars.clone(),
            foreign_policies: both_policies.clone(),
            foreign_files: vec![o.acme_sunrise_file.clone()],
            foreign_orders: vec![o.acme_sunrise.clone()],
            foreign_invoices: vec![o.blue_invoice.clone(), o.acme_sunrise_invoice.clone()],
            foreign_programs: both_programs.clone(),
            foreign_financings: both_financings,
            foreign_nodes: nodes(&[&tr.delta, &tr.bluewater]),
            foreign_complaints: both_complaints,
            foreign_api_clients: Vec::new(),
            foreign_lot_codes: lot_codes(&[&tr.delta]),
            records_trace: false,
            foreign_text: vec!["AC-SUN", "admin@acme.test", "Acme seam complaint"],
        },
    ];
    // API clients: each organisation's are foreign to every other organisation's users.
    let clients = brand::api_clients(app).await;
    // An order it may not open it may not trace either.
    for actor in &mut actors {
        let domain = actor.email.split('@').nth(1).unwrap_or_default();
        actor.foreign_api_clients = clients
            .iter()
            .filter(|(owner, _)| !owner.ends_with(&format!("@{domain}")))
            .map(|(_, id)| id.clone())
            .collect();
        let orders = actor.foreign_orders.iter().map(|o| ("order", o.clone()));
        actor.foreign_nodes.extend(orders);
    }
    actors
}
