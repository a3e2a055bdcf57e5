//! Purchase order pages: the list (a partner's inbox, a brand's orders), creating and importing
//! drafts, the order page with its decisions, the evidence bundle.

pub mod create;
pub mod import;
pub mod kitting;
pub mod list;
pub mod page;
pub mod progress;
pub mod qc;
pub mod samples;
pub mod shipping;
pub mod view;

use super::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(list::routes())
        .merge(create::routes())
        .merge(import::routes())
        .merge(kitting::routes())
        .merge(page::routes())
        .merge(progress::routes())
        .merge(qc::routes())
        .merge(samples::routes())
        .merge(shipping::routes())
}

/// A fresh one-time token for a decision form, so a resubmitted form takes effect once.
pub fn submission_token() -> String {
    crate::auth::tokens::new_token()[..32].to_owned()
}

/// The order id of a path, or 404 for anything that is not one.
pub(crate) fn order_id(raw: &str) -> crate::error::AppResult<crate::domain::ids::OrderId> {
    raw.parse().map_err(|_| crate::error::AppError::NotFound)
}

/// After a step on an order: back to the order (at `anchor`, e.g. "#qc", or "") with a message
/// saying what happened.
pub(super) async fn back_to_order(
    shell: &super::shell::Shell,
    id: crate::domain::ids::OrderId,
    result: Result<crate::service::orders::decide::Outcome, crate::service::ServiceError>,
    done: &str,
    anchor: &str,
) -> crate::error::AppResult<axum::response::Response> {
    use crate::auth::session::Flash;
    use crate::service::orders::decide::Outcome;
    use axum::response::IntoResponse;
    let flash = match result {
        Ok(Outcome::Applied) => Flash::success(done),
        Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
        Err(crate::service::ServiceError::Refused(key)) => Flash::error(key),
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(axum::response::Redirect::to(&format!("/orders/{id}{anchor}")).into_response())
}
