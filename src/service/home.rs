//! The home page's counts: what this user has to look at, per role. Zero is a real answer.

use super::ServiceResult;
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::db;
use crate::domain::order::state::OrderState;
use crate::domain::org::{OrgKind, Permission};
use crate::domain::partnership::PartnershipStatus;

pub struct HomeCard {
    pub label_key: &'static str,
    pub hint_key: &'static str,
    pub count: i64,
    pub href: Option<&'static str>,
}

pub async fn cards(state: &AppState, actor: &Actor) -> ServiceResult<Vec<HomeCard>> {
    let mut conn = state.db.read().await?;
    let now = state.now().0;
    let mut cards = Vec::new();
    let card = |label_key, hint_key, count, href| HomeCard {
        label_key,
        hint_key,
        count,
        href,
    };

    if actor.can(Permission::OperatePlatform) {
        cards.push(card(
            "home.brands",
            "home.brands_hint",
            db::orgs::count_by_kind(&mut conn, OrgKind::Brand).await?,
            Some("/platform/brands"),
        ));
        cards.push(card(
            "home.organisations",
            "home.organisations_hint",
            db::orgs::count_all(&mut conn).await?,
            Some("/platform/orgs"),
        ));
        cards.push(card(
            "home.users",
            "home.users_hint",
            db::users::count_all(&mut conn).await?,
            None,
        ));
        return Ok(cards);
    }

    if let Some(scope) = &actor.scope
        && actor.org_kind == OrgKind::Brand
    {
        let tenant = scope.tenant_id;
        cards.push(card(
            "home.proposals_to_answer",
            "home.proposals_to_answer_hint",
            db::orders::count_in_states(&mut conn, tenant, None, &[OrderState::ChangesProposed])
                .await?,
            Some("/orders?view=changes_proposed"),
        ));
        cards.push(card(
            "home.waiting_for_partners",
            "home.waiting_for_partners_hint",
            db::orders::count_in_states(
                &mut conn,
                tenant,
                None,
                &[OrderState::Issued, OrderState::PartiallyConfirmed],
            )
            .await?,
            Some("/orders?view=all"),
        ));
        cards.push(card(
            "home.discrepancies",
            "home.discrepancies_hint",
            db::shipping::count_discrepancies(&mut conn, tenant).await?,
            Some("/orders?view=discrepancies"),
        ));
        cards.push(card(
            "home.drafts",
            "home.drafts_hint",
            db::orders::count_in_states(&mut conn, tenant, None, &[OrderState::Draft]).await?,
            Some("/orders?view=draft"),
        ));
        cards.push(card(
            "home.active_partners",
            "home.active_partners_hint",
            db::partnerships::count_for_tenant(&mut conn, tenant, PartnershipStatus::Active)
                .await?,
            Some("/admin/partners"),
        ));
        cards.push(card(
            "home.suspended_partners",
            "home.suspended_partners_hint",
            db::partnerships::count_for_tenant(&mut conn, tenant, PartnershipStatus::Suspended)
                .await?,
            Some("/admin/partners"),
        ));
    }
    if let Some(scope) = &actor.scope
        && matches!(actor.org_kind, OrgKind::Supplier | OrgKind::Factory)
    {
        cards.push(card(
            "home.orders_waiting",
            "home.orders_waiting_hint",
            db::orders::count_in_states(
                &mut conn,
                scope.tenant_id,
                Some(actor.org_id),
                &[OrderState::Issued, OrderState::PartiallyConfirmed],
            )
            .await?,
            Some("/orders"),
        ));
    }
    if let Some(scope) = &actor.scope
        && actor.org_kind == OrgKind::Warehouse
    {
        cards.push(card(
            "home.inbound",
            "home.inbound_hint",
            db::shipping::count_in_transit(&mut conn, scope.tenant_id, actor.org_id).await?,
            Some("/inbound"),
        ));
    }
    if let Some(scope) = &actor.scope
        && actor.org_kind == OrgKind::Financier
    {
        let (tenant, me) = (scope.tenant_id, actor.org_id);
        use db::financing_figures::count_for_financier as count;
        let today = super::sla::scorecards::today(state).to_string();
        cards.push(card(
            "home.financing_requests",
            "home.financing_requests_hint",
            count(&mut conn, tenant, me, &["requested"], None).await?,
            Some("/financings?state=requested"),
        ));
        cards.push(card(
            "home.disbursements",
            "home.disbursements_hint",
            count(
                &mut conn,
                tenant,
                me,
                &["offer_accepted", "awaiting_second_approval"],
                None,
            )
            .await?,
            Some("/financings?state=offer_accepted"),
        ));
        cards.push(card(
            "home.overdue_repayments",
            "home.overdue_repayments_hint",
            count(&mut conn, tenant, me, &["disbursed"], Some(&today)).await?,
            Some("/financings?state=disbursed"),
        ));
    }
    if actor.is_partner() {
        cards.push(card(
            "home.brands_served",
            "home.brands_served_hint",
            actor.brands.len() as i64,
            None,
        ));
    }
    if actor.can(Permission::ManageOwnUsers) {
        cards.push(card(
            "home.pending_invitations",
            "home.pending_invitations_hint",
            db::invitations::count_pending_sent_by(&mut conn, actor.org_id, now).await?,
            Some("/admin/invitations"),
        ));
        cards.push(card(
            "home.colleagues",
            "home.colleagues_hint",
            db::users::count_in_org(&mut conn, actor.org_id).await?,
            Some("/admin/users"),
        ));
    }
    Ok(cards)
}
