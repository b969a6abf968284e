//! Helpers for the XML the public site serves (feeds and sitemaps): text that
//! is always well-formed, CDATA sections, dates in the formats each format
//! wants, and responses with validators and the right content type.
//!
//! Templates for XML live in `templates/feeds/*.xml`; askama escapes `.xml`
//! templates like HTML (`&#60;` and friends are valid XML character references).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;

use crate::error::WebResult;
use crate::render;

pub const RSS: &str = "application/rss+xml; charset=utf-8";
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
pub const XML: &str = "application/xml; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";

/// `s` without the characters XML 1.0 forbids even as references (control
/// characters other than tab and newlines, U+FFFE, U+FFFF): one stray
/// control character pasted into a title would otherwise make the whole
/// feed unreadable to every parser.
pub fn text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

/// `s` as one CDATA section (printed unescaped: use `|safe`). A `]]>` inside
/// is split across two sections, the only way to write it in CDATA.
pub fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", text(s).replace("]]>", "]]]]><![CDATA[>"))
}

/// RFC 822 date for RSS, e.g. `Sun, 29 Nov 2026 08:00:00 +0000`.
pub fn rfc822(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc2822()
}

/// A rendered XML (or plain-text) template with `ETag`/`Last-Modified`,
/// answering 304 to a matching `If-None-Match`.
pub fn respond(
    req: &HttpRequest,
    t: &impl Template,
    last_modified: Option<NaiveDateTime>,
    content_type: &'static str,
) -> WebResult<HttpResponse> {
    let body = render::render_string(t)?;
    Ok(render::public_body_typed(
        req,
        body,
        last_modified,
        StatusCode::OK,
        content_type,
    ))
}

/// Makes root-relative `href="/…"` and `src="/…"` in sanitised HTML absolute,
/// so links inside feed content work in a feed reader. Protocol-relative
/// `//host` URLs are left alone.
pub fn absolute_links(html: &str, base_url: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = ["href=\"/", "src=\"/"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, p.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            return out;
        };
        let after = &rest[i + len..];
        out.push_str(&rest[..i + len - 1]);
        if !after.starts_with('/') {
            out.push_str(base_url);
        }
        out.push('/');
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_what_xml_forbids() {
        assert_eq!(text("a\u{0}b\u{b}c\td\ne\u{FFFF}é"), "abc\td\neé");
    }

    #[test]
    fn cdata_survives_its_terminator() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
    }

    #[test]
    fn absolutises_root_relative_links() {
        let html = r#"<a href="/articles/x">x</a> <a href="https://e.org/">e</a> <img src="/m/a.png"> <a href="//cdn.example/y">y</a>"#;
        assert_eq!(
            absolute_links(html, "https://news.example"),
            r#"<a href="https://news.example/articles/x">x</a> <a href="https://e.org/">e</a> <img src="https://news.example/m/a.png"> <a href="//cdn.example/y">y</a>"#
        );
    }

    #[test]
    fn rss_dates() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("date");
        assert_eq!(rfc822(t), "Sun, 29 Nov 2026 08:00:00 +0000");
    }
}
