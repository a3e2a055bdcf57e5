//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations, and a
//! browsable reference page rendered from the same document.

use askama::Template;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use super::{events, fulfilment, orders, problem, token};
use crate::auth::api_token::SCOPES;
use crate::web::render;
use crate::web::shell::{PageCtx, Shell};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico partner API",
        version = "1.0.0",
        description = "Orders, decisions, production progress, shipments, receipts, invoices, \
            signed evidence and events for brands' partners' systems. Get a token with the \
            client-credentials grant at `/oauth/token`; send it as `Authorization: Bearer`. \
            Every POST accepts `Idempotency-Key`. Errors are RFC 9457 problem documents."
    ),
    paths(
        token::token,
        token::jwks,
        orders::list,
        orders::get_one,
        orders::decide,
        orders::evidence,
        fulfilment::post_progress,
        fulfilment::create_asn,
        fulfilment::post_receipt,
        fulfilment::create_invoice,
        events::list,
    ),
    components(schemas(problem::Problem, problem::FieldProblem)),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Access tokens and the keys that verify them"),
        (name = "orders", description = "Purchase orders and line decisions"),
        (name = "production", description = "Production progress"),
        (name = "shipments", description = "Advance ship notices"),
        (name = "receipts", description = "Goods receipts at the warehouse"),
        (name = "invoices", description = "Invoices against received goods"),
        (name = "events", description = "Domain events (CloudEvents 1.0), as webhooks deliver them"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        let scopes = Scopes::from_iter(SCOPES.iter().map(|s| (*s, *s)));
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(
                ClientCredentials::new("/oauth/token", scopes),
            )])),
        );
    }
}

/// The document as JSON (OpenAPI 3.1).
pub async fn document() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// One operation as the reference page lists it.
struct Operation {
    method: String,
    path: String,
    summary: String,
    description: String,
    scopes: String,
    parameters: Vec<(String, String, bool, String)>,
    body: String,
    responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "api/reference.html")]
struct ReferencePage {
    ctx: PageCtx,
    operations: Vec<Operation>,
    schemas: Vec<(String, String)>,
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut list = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return list;
    };
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let scopes = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_object())
                .flat_map(|s| s.values())
                .filter_map(Value::as_array)
                .flatten()
                .map(text)
                .collect::<Vec<_>>()
                .join(", ");
            let parameters = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        text(&p["name"]),
                        text(&p["in"]),
                        p["required"].as_bool().unwrap_or(false),
                        text(&p["description"]),
                    )
                })
                .collect();
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|c| {
                    text(&c["schema"]["$ref"])
                        .trim_start_matches("#/components/schemas/")
                        .to_owned()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(code, r)| (code.clone(), text(&r["description"])))
                .collect();
            let (summary, description) =
                split_doc(&text(&op["description"]), &text(&op["summary"]));
            list.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary,
                description,
                scopes,
                parameters,
                body,
                responses,
            });
        }
    }
    list
}

fn split_doc(description: &str, summary: &str) -> (String, String) {
    if summary.is_empty() {
        let mut parts = description.splitn(2, "\n\n");
        let first = parts.next().unwrap_or_default().to_owned();
        (first, parts.next().unwrap_or_default().to_owned())
    } else {
        (summary.to_owned(), description.to_owned())
    }
}

/// The browsable reference.
pub async fn reference(shell: Shell) -> Result<Response, crate::error::AppError> {
    let doc = serde_json::to_value(ApiDoc::openapi()).map_err(anyhow::Error::from)?;
    let schemas = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            (
                name.clone(),
                serde_json::to_string_pretty(schema).unwrap_or_default(),
            )
        })
        .collect();
    let page = ReferencePage {
        ctx: shell.page().await?,
        operations: operations(&doc),
        schemas,
    };
    Ok(render(&page)?.into_response())
}
