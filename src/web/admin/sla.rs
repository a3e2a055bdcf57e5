//! The brand admin's deadlines setup: working calendars (hours, holidays, import) and SLA
//! policies (targets, warning, pause, escalation; each save a new version with its history).

use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::auth::session::Flash;
use crate::domain::org::OrgKind;
use crate::domain::sla::hours::WEEKDAYS;
use crate::error::AppResult;
use crate::service::ServiceError;
use crate::service::sla::calendars::{self, CalendarInput};
use crate::service::sla::policies::{self, ALERT_ROLES, PolicyInput};
use crate::web::orders::progress::read_form;
use crate::web::shell::Shell;
use crate::web::{Routes, refusal_flash, render};

use super::sla_view::{HistoryPage, Refused, SetupPage};

/// Holiday files are small; a megabyte is years of holidays.
const MAX_IMPORT_BYTES: usize = 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/admin/sla", get(page_get))
        .tenant("/admin/sla/calendars", post(calendar_create_post))
        .tenant(
            "/admin/sla/calendars/{calendar}",
            post(calendar_update_post),
        )
        .tenant(
            "/admin/sla/calendars/{calendar}/holidays",
            post(holiday_add_post),
        )
        .tenant(
            "/admin/sla/calendars/{calendar}/holidays/remove",
            post(holiday_remove_post),
        )
        .tenant(
            "/admin/sla/calendars/{calendar}/import",
            post(import_post).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .tenant("/admin/sla/policies", post(policy_add_post))
        .tenant(
            "/admin/sla/policies/{policy}",
            get(history_get).post(policy_save_post),
        )
}

async fn page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    refused: Refused,
) -> AppResult<SetupPage> {
    let calendars = calendars::list(state, actor).await?;
    let policies = policies::list(state, actor).await?;
    let ctx = shell.page().await?;
    let mut scopes: Vec<(String, String)> = OrgKind::PARTNER_KINDS
        .iter()
        .map(|k| {
            (
                format!("kind:{}", k.as_str()),
                ctx.t1(
                    "sla.setup.every_kind",
                    ctx.t(&format!("org_kind.{}", k.as_str())),
                ),
            )
        })
        .collect();
    scopes.extend(
        policies::partner_choices(state, actor)
            .await?
            .into_iter()
            .map(|(id, name)| (format!("partner:{id}"), name)),
    );
    Ok(SetupPage {
        ctx,
        calendars,
        policies,
        refused,
        weekdays: WEEKDAYS,
        units: [
            "business_hours",
            "business_days",
            "calendar_hours",
            "calendar_days",
        ],
        roles: ALERT_ROLES,
        scopes,
    })
}

async fn page_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
) -> AppResult<Response> {
    Ok(render(&page(&state, &shell, &actor, Refused::Nothing).await?)?.into_response())
}

async fn refused_page(
    state: &AppState,
    shell: &Shell,
    actor: &Actor,
    refused: Refused,
) -> AppResult<Response> {
    let page = page(state, shell, actor, refused).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn done(shell: &Shell, flash: Flash, anchor: &str) -> AppResult<Response> {
    shell.flash(flash).await?;
    Ok(Redirect::to(&format!("/admin/sla#{anchor}")).into_response())
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn all(form: &[(String, String)], name: &str) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn calendar_input(form: &[(String, String)]) -> CalendarInput {
    CalendarInput {
        name: field(form, "name").to_owned(),
        time_zone: field(form, "time_zone").to_owned(),
        hours: std::array::from_fn(|i| field(form, &format!("hours_{}", WEEKDAYS[i])).to_owned()),
    }
}

async fn calendar_create_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = calendar_input(&form);
    match calendars::create(&state, &actor, &input).await {
        Ok(id) => {
            done(
                &shell,
                Flash::success("sla.setup.calendar_saved"),
                &format!("calendar-{id}"),
            )
            .await
        }
        Err(ServiceError::Invalid(e)) => {
            refused_page(
                &state,
                &shell,
                &actor,
                Refused::Calendar("new".into(), e, Box::new(input)),
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

async fn calendar_update_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = calendar_input(&form);
    match calendars::update(&state, &actor, &id, &input).await {
        Ok(()) => {
            done(
                &shell,
                Flash::success("sla.setup.calendar_saved"),
                &format!("calendar-{id}"),
            )
            .await
        }
        Err(ServiceError::Invalid(e)) => {
            refused_page(
                &state,
                &shell,
                &actor,
                Refused::Calendar(id, e, Box::new(input)),
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

async fn holiday_add_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let result = calendars::add_holiday(
        &state,
        &actor,
        &id,
        field(&form, "day"),
        field(&form, "holiday_name"),
    )
    .await;
    let flash = match result {
        Ok(()) => Flash::success("sla.setup.holiday_added"),
        Err(err) => refusal_flash(err)?,
    };
    done(&shell, flash, &format!("calendar-{id}")).await
}

async fn holiday_remove_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    calendars::remove_holiday(&state, &actor, &id, field(&form, "day")).await?;
    done(
        &shell,
        Flash::success("sla.setup.holiday_removed"),
        &format!("calendar-{id}"),
    )
    .await
}

async fn import_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (_, uploads) = read_form(multipart).await?;
    let bytes = uploads
        .into_iter()
        .next()
        .map(|u| u.bytes)
        .unwrap_or_default();
    match calendars::import(&state, &actor, &id, &bytes).await? {
        Ok(added) => {
            shell
                .flash(Flash::success("sla.setup.imported").with_arg(added.to_string()))
                .await?;
            Ok(Redirect::to(&format!("/admin/sla#calendar-{id}")).into_response())
        }
        Err(problems) => refused_page(&state, &shell, &actor, Refused::Import(id, problems)).await,
    }
}

async fn policy_add_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    match policies::add_scoped(&state, &actor, field(&form, "kind"), field(&form, "scope")).await {
        Ok(id) => {
            done(
                &shell,
                Flash::success("sla.setup.policy_added"),
                &format!("policy-{id}"),
            )
            .await
        }
        Err(err) => done(&shell, refusal_flash(err)?, "policies").await,
    }
}

async fn policy_save_post(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = PolicyInput {
        version: field(&form, "version").to_owned(),
        active: field(&form, "active") == "on",
        target_amount: field(&form, "target_amount").to_owned(),
        target_unit: field(&form, "target_unit").to_owned(),
        calendar: field(&form, "calendar").to_owned(),
        warn_percent: field(&form, "warn_percent").to_owned(),
        pause_on_brand: field(&form, "pause_on_brand") == "on",
        warning_roles: all(&form, "warning_roles"),
        breach_roles: all(&form, "breach_roles"),
        again_after_hours: field(&form, "again_after_hours").to_owned(),
        again_roles: all(&form, "again_roles"),
    };
    match policies::save(&state, &actor, &id, &input).await {
        Ok(()) => {
            done(
                &shell,
                Flash::success("sla.setup.policy_saved"),
                &format!("policy-{id}"),
            )
            .await
        }
        Err(ServiceError::Invalid(e)) => {
            refused_page(&state, &shell, &actor, Refused::Policy(id, e)).await
        }
        Err(ServiceError::Refused(key)) => {
            done(&shell, Flash::error(key), &format!("policy-{id}")).await
        }
        Err(err) => Err(err.into()),
    }
}

async fn history_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (policy, versions) = policies::history(&state, &actor, &id).await?;
    Ok(render(&HistoryPage {
        ctx: shell.page().await?,
        policy,
        versions,
    })?
    .into_response())
}
