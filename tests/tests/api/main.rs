//! The JSON APIs over real HTTP: Content API, Admin API, problem+json errors
//! and the OpenAPI document. Each test runs on SQLite and PostgreSQL.

mod admin;
mod content;
mod errors;
mod openapi;

use std::sync::OnceLock;

use cms_core::roles::Role;
use cms_core::users::User;
pub use gazette_tests::*;
use reqwest::blocking::RequestBuilder;
use serde_json::Value;

/// A JSON response.
pub struct Json {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Json {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts an RFC 9457 problem body with this status.
    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.body["status"], status, "{}", self.text);
        assert!(
            self.body["title"].is_string() && self.body["type"].is_string(),
            "{}",
            self.text
        );
    }
}

pub fn send(rb: RequestBuilder) -> Json {
    let r = rb.send().expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Json {
        status,
        headers,
        body,
        text,
    }
}

/// An HTTP client without cookies (as an integration would be).
pub fn client() -> reqwest::blocking::Client {
    static C: OnceLock<reqwest::blocking::Client> = OnceLock::new();
    C.get_or_init(|| {
        reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    })
    .clone()
}

/// A user of this role with a token of this scope.
pub fn token_for(app: &TestApp, role: Role, scope: &str) -> (User, String) {
    app.with_db(|c| {
        let u = fixtures::user(c, role);
        let t = cms_core::api_tokens::create(c, &u, "test", scope).expect("token");
        (u, t.secret)
    })
}

pub fn token_of(app: &TestApp, user: &User, scope: &str) -> String {
    app.with_db(|c| {
        cms_core::api_tokens::create(c, user, "test", scope)
            .expect("token")
            .secret
    })
}

pub fn get(app: &TestApp, path: &str, token: Option<&str>) -> Json {
    let mut rb = client().get(format!("{}{path}", app.base_url));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    send(rb)
}

pub fn write(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: &Value,
) -> Json {
    send(
        client()
            .request(method, format!("{}{path}", app.base_url))
            .bearer_auth(token)
            .json(body),
    )
}
