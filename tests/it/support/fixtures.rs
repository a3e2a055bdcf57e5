//! Data the isolation tests need beyond the demo seed, and a fingerprint of everything a
//! tenant-scoped request could change.

use portico::db::{self, Db};
use portico::domain::ids::{InvitationId, OrgId, TenantId, UserId};
use portico::domain::org::{OrgKind, Role};
use portico::domain::partnership::PartnershipStatus;
use portico::domain::time::UtcMillis;

use super::TestApp;

/// Rows of every table a tenant-scoped route can touch, one line per row.
pub async fn fingerprint(db: &Db) -> String {
    let queries = [
        "SELECT id || '|' || kind || '|' || name FROM orgs ORDER BY id",
        "SELECT tenant_id || '|' || partner_org_id || '|' || status || '|' || CAST(updated_at AS TEXT) \
         FROM partnerships ORDER BY tenant_id, partner_org_id",
        "SELECT id || '|' || org_id || '|' || email || '|' || role || '|' || status || '|' || \
         CAST(credentials_changed_at AS TEXT) || '|' || COALESCE(locale, '') FROM users ORDER BY id",
        "SELECT id || '|' || COALESCE(CAST(accepted_at AS TEXT), '-') || '|' || \
         COALESCE(CAST(revoked_at AS TEXT), '-') FROM invitations ORDER BY id",
        "SELECT id || '|' || state FROM financings ORDER BY id",
        "SELECT id || '|' || COALESCE(CAST(revoked_at AS TEXT), '-') FROM api_clients ORDER BY id",
        "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log",
        "SELECT id || '|' || status || '|' || sealed_secret || '|' || CAST(updated_at AS TEXT) \
         FROM webhook_endpoints ORDER BY id",
        "SELECT id || '|' || status || '|' || CAST(attempts AS TEXT) || '|' || CAST(due_at AS TEXT) \
         FROM webhook_deliveries ORDER BY id",
    ];
    let mut conn = db.reader().acquire().await.expect("conn");
    let mut out = String::new();
    for sql in queries {
        let rows: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(&mut *conn)
            .await
            .expect(sql);
        out.push_str(&rows.join("\n"));
        out.push_str("\n--\n");
    }
    out
}

/// Objects that belong to someone else, from the point of view of the demo actors.
pub struct Foreign {
    /// A supplier that serves only Blue Harbor.
    pub bluewater_org: OrgId,
    pub bluewater_user: UserId,
    pub blueharbor_tenant: TenantId,
    /// An invitation Blue Harbor sent.
    pub blueharbor_invitation: InvitationId,
    /// An invitation Delta Garment Works sent to a colleague.
    pub delta_invitation: InvitationId,
    /// An invitation Acme sent.
    pub acme_invitation: InvitationId,
}

pub async fn foreign_objects(app: &TestApp) -> Foreign {
    let now = UtcMillis::now().0;
    let mut tx = app.db.begin().await.expect("tx");
    let bluewater = db::orgs::Org {
        id: OrgId::new(),
        kind: OrgKind::Supplier,
        name: "Bluewater Crafts".to_owned(),
        created_at: now,
    };
    db::orgs::insert(&mut tx, &bluewater).await.expect("org");
    let blueharbor = TenantId::of_brand(app_org(&mut tx, "Blue Harbor Home").await);
    db::partnerships::insert(
        &mut tx,
        blueharbor,
        bluewater.id,
        PartnershipStatus::Active,
        now,
    )
    .await
    .expect("partnership");
    let bluewater_user = UserId::new();
    db::users::insert(
        &mut tx,
        &db::users::NewUser {
            id: bluewater_user,
            org_id: bluewater.id,
            email: "owner@bluewater.test",
            display_name: "Bo Bluewater",
            role: Role::Admin,
            password_hash: None,
            locale: None,
            now,
        },
    )
    .await
    .expect("user");
    let blueharbor_invitation = invitation(
        &mut tx,
        "Blue Harbor Home",
        "admin@blueharbor.test",
        "new@blueharbor.test",
    )
    .await;
    let delta_invitation = invitation(
        &mut tx,
        "Delta Garment Works",
        "planner@delta.test",
        "new@delta.test",
    )
    .await;
    let acme_invitation =
        invitation(&mut tx, "Acme Apparel", "admin@acme.test", "new@acme.test").await;
    tx.commit().await.expect("commit");
    Foreign {
        bluewater_org: bluewater.id,
        bluewater_user,
        blueharbor_tenant: blueharbor,
        blueharbor_invitation,
        delta_invitation,
        acme_invitation,
    }
}

async fn app_org(conn: &mut db::Conn, name: &str) -> OrgId {
    db::orgs::find_by_name(conn, name).await.expect("query")[0].id
}

async fn invitation(conn: &mut db::Conn, org: &str, inviter: &str, email: &str) -> InvitationId {
    let org_id = app_org(conn, org).await;
    let inviter = db::users::with_org_by_email(conn, inviter)
        .await
        .expect("q")
        .expect("inviter")
        .id;
    let id = InvitationId::new();
    let now = UtcMillis::now();
    db::invitations::insert(
        conn,
        &db::invitations::NewInvitation {
            id,
            token_hash: &format!("fixture-{id}"),
            kind: "member",
            inviting_org_id: org_id,
            target_org_id: Some(org_id),
            org_name: None,
            org_kind: None,
            email,
            role: "member",
            invited_by: inviter,
            created_at: now.0,
            expires_at: now.plus_secs(3600).0,
        },
    )
    .await
    .expect("invitation");
    id
}
