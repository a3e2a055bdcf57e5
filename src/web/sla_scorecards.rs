//! Partner scorecards: the page with a chart per partner and clock, and its CSV export.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::shell::{PageCtx, Shell};
use super::{Routes, render};
use crate::app::AppState;
use crate::auth::actor::Actor;
use crate::domain::sla::policy::Kind;
use crate::error::AppResult;
use crate::service::ServiceError;
use crate::service::sla::board::human;
use crate::service::sla::scorecards::{self, Line, Range, Scorecard};

pub fn routes() -> Routes {
    Routes::new()
        .tenant("/sla/scorecards", get(page_get))
        .tenant("/sla/scorecards.csv", get(csv_get))
}

#[derive(Deserialize, Default)]
struct ScoreQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    partner: Option<String>,
    kind: Option<String>,
}

/// One week's bar: where its met and late parts sit in the chart (SVG user units).
struct Bar {
    x: usize,
    met_y: usize,
    met_h: usize,
    late_y: usize,
    late_h: usize,
    title: String,
}

const BAR_W: usize = 10;
const GAP: usize = 3;
const CHART_H: usize = 48;

#[derive(Template)]
#[template(path = "sla/scorecards.html")]
struct ScorePage {
    ctx: PageCtx,
    card: Option<Scorecard>,
    error: Option<&'static str>,
    from: String,
    to: String,
    partner: String,
    kind: String,
    csv_query: String,
}

impl ScorePage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        Kind::ALL
            .iter()
            .map(|k| (k.code(), k.label_key()))
            .collect()
    }

    fn kind_label(&self, code: &str) -> &'static str {
        Kind::parse(code).map_or("sla.kind.unknown", Kind::label_key)
    }

    fn time(&self, d: &jiff::SignedDuration) -> String {
        human(*d)
    }

    fn chart_width(&self, line: &Line) -> usize {
        line.weeks.len() * (BAR_W + GAP)
    }

    fn chart_height(&self) -> usize {
        CHART_H
    }

    /// Bars scaled to the busiest week of this line.
    fn bars(&self, line: &Line) -> Vec<Bar> {
        let most = line
            .weeks
            .iter()
            .map(|(_, m, l)| m + l)
            .max()
            .unwrap_or(0)
            .max(1);
        line.weeks
            .iter()
            .enumerate()
            .map(|(i, (week, met, late))| {
                let met_h = met * CHART_H / most;
                let late_h = late * CHART_H / most;
                Bar {
                    x: i * (BAR_W + GAP),
                    met_y: CHART_H - met_h,
                    met_h,
                    late_y: CHART_H - met_h - late_h,
                    late_h,
                    title: self
                        .ctx
                        .t2("sla.score.week_title", week, format!("{met} / {late}")),
                }
            })
            .collect()
    }
}

fn range_of(state: &AppState, q: &ScoreQuery) -> Result<Range, ServiceError> {
    scorecards::range(&q.from, &q.to, scorecards::today(state))
}

async fn page_get(
    State(state): State<AppState>,
    shell: Shell,
    actor: Actor,
    Query(q): Query<ScoreQuery>,
) -> AppResult<Response> {
    let (card, error) = match range_of(&state, &q) {
        Ok(range) => {
            let card = scorecards::scorecard(
                &state,
                &actor,
                range,
                q.partner.as_deref(),
                q.kind.as_deref(),
            )
            .await?;
            (Some(card), None)
        }
        Err(ServiceError::Invalid(e)) => (None, e.iter().next().map(|(_, k)| k)),
        Err(err) => return Err(err.into()),
    };
    let pairs: Vec<(&str, &str)> = [
        ("from", Some(q.from.as_str())),
        ("to", Some(q.to.as_str())),
        ("partner", q.partner.as_deref()),
        ("kind", q.kind.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    let (from, to) = card.as_ref().map_or((q.from.clone(), q.to.clone()), |c| {
        (c.range.from.to_string(), c.range.to.to_string())
    });
    let page = ScorePage {
        ctx: shell.page().await?,
        card,
        error,
        from,
        to,
        partner: q.partner.clone().unwrap_or_default(),
        kind: q.kind.clone().unwrap_or_default(),
        csv_query: serde_urlencoded::to_string(pairs).unwrap_or_default(),
    };
    Ok(render(&page)?.into_response())
}

async fn csv_get(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ScoreQuery>,
) -> AppResult<Response> {
    let range = range_of(&state, &q)?;
    let body = scorecards::csv(
        &state,
        &actor,
        range,
        q.partner.as_deref(),
        q.kind.as_deref(),
    )
    .await?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"scorecard.csv\""),
    );
    Ok(response)
}
