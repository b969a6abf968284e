//! HTTP tests: the real server (production wiring) on a fresh database per test,
//! driven like a browser. Each test runs on SQLite and, when
//! `GAZETTE_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod auth;
mod cli;
mod csrf;
mod editing;
mod flow;
mod headers;
mod roles;
mod visibility;
mod xss;

pub use gazette_tests::{
    csrf_from, datetime_field, eventually, fixtures, http_test, input_value, ArticleForm, Browser,
    Response, TestApp, ADMIN_EMAIL, PASSWORD,
};
