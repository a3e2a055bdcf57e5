//! Administration of an organisation: a brand's partners, the organisation's own users and the
//! invitations it sent. Destructive steps go through a confirmation page that works without
//! JavaScript.

pub mod api_clients;
pub mod audit;
pub mod invitations;
pub mod milestones;
pub mod partners;
pub mod settings;
pub mod sla;
mod sla_view;
pub mod team;

use askama::Template;

use super::Routes;
use super::shell::PageCtx;

pub fn routes() -> Routes {
    Routes::new()
        .merge(partners::routes())
        .merge(api_clients::routes())
        .merge(team::routes())
        .merge(invitations::routes())
        .merge(audit::routes())
        .merge(settings::routes())
        .merge(milestones::routes())
        .merge(sla::routes())
}

/// "Are you sure?" for one destructive step.
#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageCtx,
    pub title: String,
    pub question: String,
    pub action: String,
    pub button_key: &'static str,
    pub cancel_href: String,
    pub danger: bool,
}
