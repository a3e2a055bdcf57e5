//! The partner API from a client's side: an admin creates a client in the UI, the client gets
//! tokens at /oauth/token and calls /api/v1 with them.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use super::TestApp;

/// A client made through the admin page by `admin` (in the brand in view), with `scopes`.
/// Returns (client id, secret).
pub async fn create_client(
    app: &TestApp,
    admin: &str,
    role: &str,
    scopes: &[&str],
) -> (String, String) {
    let web = app.login(admin).await;
    create_client_as(&web, role, scopes).await
}

pub async fn create_client_as(
    web: &super::TestClient,
    role: &str,
    scopes: &[&str],
) -> (String, String) {
    let page = web.get("/admin/api-clients").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut fields = vec![("name", "ERP connector"), ("role", role)];
    fields.extend(scopes.iter().map(|s| ("scope", *s)));
    let created = web.post("/admin/api-clients", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let shown = web.follow(&created).await;
    let id = shown.text(".client-id");
    let secret = shown.text(".client-secret");
    assert!(
        id.starts_with("pc_") && secret.starts_with("pcs_"),
        "{}",
        shown.body
    );
    (id, secret)
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The token endpoint's answer: status and JSON body.
pub async fn token_response(
    app: &TestApp,
    id: &str,
    secret: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let response = http()
        .post(format!("{}/oauth/token", app.base_url))
        .basic_auth(id, Some(secret))
        .form(&form)
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn token(app: &TestApp, id: &str, secret: &str) -> String {
    let (status, body) = token_response(app, id, secret, None).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_owned()
}

/// An API answer: status, content type, headers and JSON body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        content_type,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> Answer {
    let response = http()
        .get(format!("{}{path}", app.base_url))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .expect("API GET");
    answer(response).await
}

pub async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> Answer {
    let mut request = http()
        .post(format!("{}{path}", app.base_url))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    answer(request.send().await.expect("API POST")).await
}
