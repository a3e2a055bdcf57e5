//! Creating an advance ship notice from the order page.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

use super::view::{Failed, render_order_with};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::ids::OrderId;
use crate::error::{AppError, AppResult};
use crate::service::ServiceError;
use crate::service::orders::decide::{Outcome, Seen};
use crate::service::orders::shipping::{self, AsnInput};
use crate::web::shell::Shell;
use crate::web::{Routes, render};

pub fn routes() -> Routes {
    Routes::new().tenant("/orders/{id}/asns", post(asn_post))
}

/// Reads the ASN form: header fields once, `line_no`/`line_qty`/`line_lots` repeated per line.
pub fn asn_from_form(form: &[(String, String)]) -> (AsnInput, String) {
    let one = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let many = |name: &str| {
        form.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (nos, qtys, lots) = (many("line_no"), many("line_qty"), many("line_lots"));
    let lines = nos
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let n = n.parse().ok()?;
            Some((
                n,
                qtys.get(i).cloned().unwrap_or_default(),
                lots.get(i).cloned().unwrap_or_default(),
            ))
        })
        .collect();
    let input = AsnInput {
        warehouse: one("warehouse"),
        carrier: one("carrier"),
        tracking: one("tracking"),
        ship_date: one("ship_date"),
        eta: one("eta"),
        cartons: one("cartons"),
        lines,
    };
    (input, one("submission"))
}

async fn asn_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id: OrderId = id.parse().map_err(|_| AppError::NotFound)?;
    let (input, submission) = asn_from_form(&form);
    let seen = Seen {
        order: id,
        version: 0,
        submission,
    };
    let flash = match shipping::create_asn(&state, &actor, &seen, &input).await {
        Ok(Outcome::Applied) => Flash::success("asn.created_done"),
        Ok(Outcome::AlreadyApplied) => Flash::info("orders.already_applied"),
        Err(ServiceError::Refused(key)) => Flash::error(key),
        Err(ServiceError::Invalid(errors)) => {
            let page =
                render_order_with(&state, &shell, &actor, id, Failed::Asn(errors, input)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(err) => return Err(err.into()),
    };
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/orders/{id}#shipping")).into_response())
}
