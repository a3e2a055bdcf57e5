//! An HTTP client that behaves like a browser for the parts tests care about: cookies (kept
//! whatever their `Secure` flag, as browsers do for localhost), forms with their hidden CSRF
//! field, and no automatic redirects so tests can assert where a response points.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use scraper::{Html, Selector};

#[derive(Clone)]
pub struct TestClient {
    http: reqwest::Client,
    pub base_url: String,
    cookies: Arc<Mutex<BTreeMap<String, String>>>,
    extra_headers: Arc<Mutex<Vec<(String, String)>>>,
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    pub path: String,
}

impl TestClient {
    pub fn new(base_url: &str) -> Self {
        TestClient {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base_url: base_url.to_owned(),
            cookies: Default::default(),
            extra_headers: Default::default(),
        }
    }

    /// Sends this header with every later request (e.g. `Accept-Language`).
    pub fn with_header(self, name: &str, value: &str) -> Self {
        self.extra_headers
            .lock()
            .unwrap()
            .push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&self, request: reqwest::RequestBuilder, path: &str) -> Page {
        let mut request = request.header(COOKIE, self.cookie_header());
        for (name, value) in self.extra_headers.lock().unwrap().iter() {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for set in headers.get_all(SET_COOKIE) {
            let text = set.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let expired = text.to_ascii_lowercase().contains("max-age=0");
                let mut jar = self.cookies.lock().unwrap();
                if expired || value.is_empty() {
                    jar.remove(name.trim());
                } else {
                    jar.insert(name.trim().to_owned(), value.to_owned());
                }
            }
        }
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
            path: path.to_owned(),
        }
    }

    /// Opens an event stream and reads its first event (or the whole answer when it is not a
    /// stream, e.g. a refusal), then hangs up.
    pub async fn first_event(&self, path: &str) -> Page {
        let url = format!("{}{}", self.base_url, path);
        let response = self
            .http
            .get(url)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let is_stream = headers
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let body = if is_stream {
            let mut response = response;
            let mut body = String::new();
            while !body.contains("\n\n") {
                match response.chunk().await {
                    Ok(Some(chunk)) => body.push_str(&String::from_utf8_lossy(&chunk)),
                    _ => break,
                }
            }
            body
        } else {
            response.text().await.unwrap_or_default()
        };
        Page {
            status,
            headers,
            body,
            path: path.to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let url = format!("{}{}", self.base_url, path);
        self.send(self.http.get(url), path).await
    }

    /// GETs `path` and lists the SQL statements the server ran to answer it.
    pub async fn get_counting(&self, path: &str, db: &portico::db::Db) -> (Page, Vec<String>) {
        let request_id = uuid::Uuid::new_v4().to_string();
        super::query_count::watch(&request_id);
        let url = format!("{}{}", self.base_url, path);
        let request = self.http.get(url).header("x-request-id", &request_id);
        let page = self.send(request, path).await;
        super::query_count::settle(db).await;
        (page, super::query_count::statements_of(&request_id))
    }

    /// The same browser (cookies included) talking to another server, e.g. another replica.
    pub fn towards(&self, base_url: &str) -> TestClient {
        TestClient {
            base_url: base_url.to_owned(),
            ..self.clone()
        }
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let url = format!("{}{}", self.base_url, path);
        self.send(self.http.post(url).form(fields), path).await
    }

    /// Sends a prepared multipart form.
    pub async fn send_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Page {
        let url = format!("{}{}", self.base_url, path);
        self.send(self.http.post(url).multipart(form), path).await
    }

    /// Uploads a file as a browser form does, with the CSRF token as a form field.
    pub async fn upload(&self, path: &str, field: &str, file_name: &str, bytes: Vec<u8>) -> Page {
        let token = self.csrf().await;
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str("text/csv")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token)
            .part(field.to_owned(), part);
        let url = format!("{}{}", self.base_url, path);
        self.send(self.http.post(url).multipart(form), path).await
    }

    /// Posts a multipart form of text fields (and a small photo), CSRF token included.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        photo: Option<Vec<u8>>,
    ) -> Page {
        let token = self.csrf().await;
        let mut form = reqwest::multipart::Form::new().text("_csrf", token);
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        if let Some(bytes) = photo {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name("photo.png")
                .mime_str("image/png")
                .expect("mime");
            form = form.part("files", part);
        }
        let url = format!("{}{}", self.base_url, path);
        self.send(self.http.post(url).multipart(form), path).await
    }

    /// The session's CSRF token, as any page shows it.
    pub async fn csrf(&self) -> String {
        let page = self.get("/login").await;
        let page = if page.status == 303 {
            self.get("/account").await
        } else {
            page
        };
        page.csrf().expect("page carries a CSRF token")
    }

    /// Posts these fields plus the session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Fills the form matching `selector` on `page` like a user would: every field the form
    /// already carries (hidden CSRF token included), with `values` typed over them.
    pub async fn submit(&self, page: &Page, selector: &str, values: &[(&str, &str)]) -> Page {
        let (action, mut fields) = page.form(selector);
        for (name, value) in values {
            match fields.iter_mut().find(|(n, _)| n == name) {
                Some(field) => field.1 = (*value).to_owned(),
                None => fields.push(((*name).to_owned(), (*value).to_owned())),
            }
        }
        let action = if action.is_empty() {
            page.path.clone()
        } else {
            action
        };
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.post_raw(&action, &pairs).await
    }

    /// Follows a redirect response.
    pub async fn follow(&self, page: &Page) -> Page {
        let location = page
            .location()
            .unwrap_or_else(|| panic!("not a redirect: {}", page.status));
        self.get(&location).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        self.submit(
            &form,
            "form[action='/login']",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn location(&self) -> Option<String> {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn csrf(&self) -> Option<String> {
        let html = self.html();
        let selector = Selector::parse("meta[name='csrf-token']").expect("selector");
        html.select(&selector)
            .next()
            .and_then(|m| m.value().attr("content"))
            .map(str::to_owned)
    }

    /// Text of every element matching a CSS selector, trimmed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let html = self.html();
        let selector = Selector::parse(selector).expect("selector");
        html.select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.texts(selector).into_iter().next().unwrap_or_else(|| {
            panic!(
                "nothing matches {selector} on {} ({}):\n{}",
                self.path, self.status, self.body
            )
        })
    }

    pub fn has(&self, selector: &str) -> bool {
        !self.texts(selector).is_empty()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let html = self.html();
        let selector = Selector::parse(selector).expect("selector");
        html.select(&selector)
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }

    /// A form's action and its current field values (inputs, selected options, textareas).
    pub fn form(&self, selector: &str) -> (String, Vec<(String, String)>) {
        let html = self.html();
        let form_selector = Selector::parse(selector).expect("selector");
        let form = html.select(&form_selector).next().unwrap_or_else(|| {
            panic!(
                "no form {selector} on {} ({}):\n{}",
                self.path, self.status, self.body
            )
        });
        let action = form.value().attr("action").unwrap_or_default().to_owned();
        let mut fields = Vec::new();
        let inputs = Selector::parse("input[name], textarea[name]").expect("selector");
        for input in form.select(&inputs) {
            let kind = input.value().attr("type").unwrap_or("text");
            if matches!(kind, "submit" | "button" | "checkbox" | "radio") {
                continue;
            }
            let name = input.value().attr("name").unwrap_or_default().to_owned();
            let value = if input.value().name() == "textarea" {
                input.text().collect()
            } else {
                input.value().attr("value").unwrap_or_default().to_owned()
            };
            fields.push((name, value));
        }
        let selects = Selector::parse("select[name]").expect("selector");
        let selected = Selector::parse("option[selected]").expect("selector");
        let any_option = Selector::parse("option").expect("selector");
        for select in form.select(&selects) {
            let name = select.value().attr("name").unwrap_or_default().to_owned();
            let option = select
                .select(&selected)
                .next()
                .or_else(|| select.select(&any_option).next());
            let value = option
                .and_then(|o| o.value().attr("value"))
                .unwrap_or_default()
                .to_owned();
            fields.push((name, value));
        }
        (action, fields)
    }
}
