//! Sessions, CSRF tokens, flash messages and the client's address.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use cms_core::sessions::{self, Session};
use cms_core::tokens::{constant_time_eq, random_token};
use cms_core::users::User;
use futures_util::future::LocalBoxFuture;

use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "gazette_session";
/// Double-submit token for forms shown before login (login, setup).
pub const CSRF_COOKIE: &str = "gazette_csrf";
pub const FLASH_COOKIE: &str = "gazette_flash";
pub const CSRF_FIELD: &str = "csrf_token";

/// A logged-in user and their session. As an extractor it sends anonymous
/// visitors to the login page (and back afterwards).
#[derive(Clone)]
pub struct Authed {
    pub user: User,
    pub session: Session,
}

impl Authed {
    /// Refuses a state-changing form whose CSRF token is not this session's.
    pub fn check_csrf(&self, form: &FormData) -> WebResult<()> {
        if constant_time_eq(form.get(CSRF_FIELD), &self.session.csrf_token) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Role gate: `Forbidden` unless `allowed`.
    pub fn require(&self, allowed: bool) -> WebResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(WebError::Forbidden(format!(
                "{} may not do this",
                self.user.role()
            )))
        }
    }

    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }
}

/// The session, if the request carries a valid one.
pub struct MaybeAuthed(pub Option<Authed>);

/// Looks the session up once per request and caches it in the extensions.
async fn lookup(req: &HttpRequest) -> WebResult<Option<Authed>> {
    if let Some(cached) = req.extensions().get::<Option<Authed>>() {
        return Ok(cached.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| WebError::Internal("application state missing".into()))?
        .clone();
    let found = match req.cookie(SESSION_COOKIE) {
        Some(c) if !c.value().is_empty() => {
            let token = c.value().to_owned();
            let ttl = state.session_ttl();
            state
                .db(move |conn| sessions::authenticate(conn, &token, ttl))
                .await?
                .map(|(session, user)| Authed { user, session })
        }
        _ => None,
    };
    req.extensions_mut().insert(found.clone());
    Ok(found)
}

impl FromRequest for MaybeAuthed {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeAuthed(lookup(&req).await?)) })
    }
}

impl FromRequest for Authed {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match lookup(&req).await? {
                Some(a) => Ok(a),
                None => {
                    let next = if req.method() == actix_web::http::Method::GET {
                        req.uri()
                            .path_and_query()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_else(|| "/admin".into())
                    } else {
                        "/admin".into()
                    };
                    Err(WebError::LoginRequired { next })
                }
            }
        })
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, `Secure` when the site is https.
pub fn session_cookie(token: &str, secure: bool, ttl: chrono::Duration) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::seconds(ttl.num_seconds()))
        .finish()
}

pub fn clear_cookie(name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build(name, "").path(path).http_only(true).finish();
    c.make_removal();
    c
}

/// The pre-login CSRF token: the cookie's, or a new one to set.
pub fn anon_csrf(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if c.value().len() >= 32 => (c.value().to_owned(), None),
        _ => {
            let token = random_token();
            let cookie = Cookie::build(CSRF_COOKIE, token.clone())
                .path("/admin")
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(secure)
                .finish();
            (token, Some(cookie))
        }
    }
}

/// Checks a pre-login form's token against its cookie.
pub fn check_anon_csrf(req: &HttpRequest, form: &FormData) -> WebResult<()> {
    match req.cookie(CSRF_COOKIE) {
        Some(c) if c.value().len() >= 32 && constant_time_eq(c.value(), form.get(CSRF_FIELD)) => {
            Ok(())
        }
        _ => Err(WebError::Csrf),
    }
}

/// A one-shot message shown on the next admin page.
#[derive(Debug, Clone)]
pub struct Flash {
    /// `success` or `error`.
    pub kind: String,
    pub message: String,
}

pub fn flash_cookie(kind: &str, message: &str) -> Cookie<'static> {
    let value: String = form_urlencoded::Serializer::new(String::new())
        .append_pair(kind, message)
        .finish();
    Cookie::build(FLASH_COOKIE, value)
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(120))
        .finish()
}

pub fn read_flash(req: &HttpRequest) -> Option<Flash> {
    let c = req.cookie(FLASH_COOKIE)?;
    let (kind, message) = form_urlencoded::parse(c.value().as_bytes()).next()?;
    let kind = if kind == "error" { "error" } else { "success" };
    Some(Flash {
        kind: kind.to_owned(),
        message: message.chars().take(500).collect(),
    })
}

/// The client's address, for throttling sign-ins and for visitor hashes.
pub fn client_addr(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = forwarded_for(req) {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client address a proxy states, borrowed from the request (it is read
/// on every page view): the first `for` of `Forwarded`, else the first entry
/// of `X-Forwarded-For`, the order actix's `realip_remote_addr` reads them.
/// Only to be believed when proxy headers are trusted.
pub fn forwarded_for(req: &HttpRequest) -> Option<&str> {
    let headers = req.headers();
    let forwarded = headers
        .get_all(actix_web::http::header::FORWARDED)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([';', ',']))
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("for")
                .then(|| value.trim().trim_matches('"'))
        });
    forwarded
        .or_else(|| {
            headers
                .get(actix_web::http::header::X_FORWARDED_FOR)
                .and_then(first_forwarded_for)
        })
        .filter(|ip| !ip.is_empty())
}

/// The first address of an `X-Forwarded-For` header, if any (none when the
/// header is not visible ASCII, as `HeaderValue::to_str` would refuse it).
/// Read on every page view, so by bytes rather than through `str::split`.
pub fn first_forwarded_for(value: &actix_web::http::header::HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?;
    let first = match text.as_bytes().iter().position(|&b| b == b',') {
        Some(end) => &text[..end],
        None => text,
    };
    Some(first.trim_ascii()).filter(|ip| !ip.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn first_forwarded_for_takes_the_first_entry() {
        use actix_web::http::header::HeaderValue;
        let first = |v: &'static [u8]| {
            HeaderValue::from_bytes(v)
                .ok()
                .and_then(|v| first_forwarded_for(&v).map(str::to_owned))
        };
        assert_eq!(
            first(b"198.51.100.1, 10.0.0.1").as_deref(),
            Some("198.51.100.1")
        );
        assert_eq!(first(b" \t2001:db8::1 ,x").as_deref(), Some("2001:db8::1"));
        assert_eq!(first(b"10.0.0.9").as_deref(), Some("10.0.0.9"));
        assert_eq!(first(b" , 10.0.0.1"), None);
        assert_eq!(first(b""), None);
        assert_eq!(first(b"caf\xc3\xa9, 10.0.0.1"), None, "not visible ASCII");
    }

    #[test]
    fn forwarded_for_reads_the_headers_actix_reads() {
        let both = TestRequest::default()
            .insert_header((
                "forwarded",
                "proto=https;for=\"192.0.2.60\";by=203.0.113.43",
            ))
            .insert_header(("x-forwarded-for", "198.51.100.1, 10.0.0.1"))
            .to_http_request();
        assert_eq!(forwarded_for(&both), Some("192.0.2.60"));
        assert_eq!(
            forwarded_for(&both),
            both.connection_info().realip_remote_addr()
        );
        let xff = TestRequest::default()
            .insert_header(("x-forwarded-for", " 198.51.100.1 , 10.0.0.1"))
            .to_http_request();
        assert_eq!(forwarded_for(&xff), Some("198.51.100.1"));
        assert_eq!(
            forwarded_for(&xff),
            xff.connection_info().realip_remote_addr()
        );
        let none = TestRequest::default()
            .peer_addr("192.0.2.9:4000".parse().expect("addr"))
            .to_http_request();
        assert_eq!(forwarded_for(&none), None);
        assert_eq!(client_addr(&none, true), "192.0.2.9");
        assert_eq!(client_addr(&both, false), "unknown");
        assert_eq!(client_addr(&both, true), "192.0.2.60");
    }
}
