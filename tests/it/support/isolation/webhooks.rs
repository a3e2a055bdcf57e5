//! Webhook endpoints of other organisations and brands, each with one delivery, written
//! straight to the database (their URLs need not resolve: no worker runs in these tests).

use portico::db::{self, events::EventRow, webhooks::Endpoint};
use portico::domain::ids::{OrgId, TenantId};
use portico::domain::time::UtcMillis;

use crate::support::TestApp;

/// (endpoint, delivery) of: Acme's own, Blue Harbor's own, Delta's in Acme, Sunrise's in
/// Blue Harbor.
pub struct ForeignWebhooks {
    pub acme: (String, String),
    pub blue: (String, String),
    pub delta_in_acme: (String, String),
    pub sunrise_in_blue: (String, String),
}

impl ForeignWebhooks {
    /// The endpoints foreign to a demo actor in its default brand context.
    pub fn foreign_to(&self, email: &str) -> Vec<(String, String)> {
        let all = [
            &self.acme,
            &self.blue,
            &self.delta_in_acme,
            &self.sunrise_in_blue,
        ];
        let own = match email {
            "admin@acme.test" | "ops@acme.test" => Some(&self.acme),
            "admin@blueharbor.test" => Some(&self.blue),
            "planner@delta.test" => Some(&self.delta_in_acme),
            // Sunrise works in Acme's context by default: its Blue Harbor endpoint is foreign.
            _ => None,
        };
        all.into_iter()
            .filter(|e| Some(*e) != own)
            .cloned()
            .collect()
    }
}

pub async fn foreign_webhooks(app: &TestApp) -> ForeignWebhooks {
    let acme = TenantId::of_brand(app.org_id("Acme Apparel").await);
    let blue = TenantId::of_brand(app.org_id("Blue Harbor Home").await);
    let delta = app.org_id("Delta Garment Works").await;
    let sunrise = app.org_id("Sunrise Textiles").await;
    let creator = app.user_id("admin@acme.test").await;
    let mut tx = app.db.begin().await.unwrap();
    let mut made = Vec::new();
    for (tenant, org, host) in [
        (acme, OrgId::from(acme), "acme"),
        (blue, OrgId::from(blue), "blue"),
        (acme, delta, "delta"),
        (blue, sunrise, "sunrise-blue"),
    ] {
        let now = UtcMillis::now().0;
        let endpoint = Endpoint {
            tenant_id: tenant,
            id: uuid::Uuid::now_v7().to_string(),
            org_id: org,
            url: format!("https://{host}.hooks.test/in"),
            description: format!("{host} endpoint"),
            event_types: "[]".into(),
            sealed_secret: "c2VhbGVk".into(),
            status: "active".into(),
            disabled_reason: None,
            created_by: creator,
            created_at: now,
            updated_at: now,
        };
        db::webhooks::insert_endpoint(&mut tx, &endpoint)
            .await
            .unwrap();
        let mut event = EventRow {
            tenant_id: tenant,
            id: uuid::Uuid::now_v7().to_string(),
            r#type: "com.portico.order.issued".into(),
            subject: uuid::Uuid::now_v7().to_string(),
            actor_org_id: tenant.into(),
            occurred_at: now,
            data: "{}".into(),
        };
        db::events::insert(&mut tx, &mut event, &[org])
            .await
            .unwrap();
        db::webhooks::enqueue_for_event(&mut tx, &event, &[org], now)
            .await
            .unwrap();
        let deliveries = db::webhooks::deliveries(&mut tx, tenant, &endpoint.id, None, 1)
            .await
            .unwrap();
        made.push((endpoint.id, deliveries[0].id.clone()));
    }
    tx.commit().await.unwrap();
    let mut made = made.into_iter();
    let mut next = || made.next().unwrap();
    ForeignWebhooks {
        acme: next(),
        blue: next(),
        delta_in_acme: next(),
        sunrise_in_blue: next(),
    }
}
