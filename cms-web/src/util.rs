//! Small helpers shared by handlers.

use actix_web::http::header::{self, HeaderMap};
use chrono::NaiveDateTime;

/// Whether the request's `If-None-Match` names `etag` (strong or weak) or is
/// `*`: the client's copy is current and a 304 will do.
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        })
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only same-site paths may be redirect targets (no `//evil.example`).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_owned()
    } else {
        "/admin".to_owned()
    }
}

/// "29 November 2026" in the site's timezone.
pub fn date_long(t: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    t.and_utc()
        .with_timezone(&tz)
        .format("%-d %B %Y")
        .to_string()
}

/// "29 Nov 2026, 14:05" in the site's timezone.
pub fn date_time(t: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    t.and_utc()
        .with_timezone(&tz)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

/// RFC 3339 with offset, for `<time datetime>`.
pub fn iso(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Value for an `<input type="datetime-local">` in the site's timezone.
pub fn datetime_local(t: NaiveDateTime, tz: chrono_tz::Tz) -> String {
    t.and_utc()
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Parses a `datetime-local` value entered in the site's timezone into UTC.
pub fn parse_datetime_local(s: &str, tz: chrono_tz::Tz) -> Option<NaiveDateTime> {
    use chrono::TimeZone;
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_same_site_only() {
        assert_eq!(safe_next("/admin/articles"), "/admin/articles");
        assert_eq!(safe_next("//evil.example"), "/admin");
        assert_eq!(safe_next("https://evil.example"), "/admin");
    }

    #[test]
    fn datetime_round_trip_in_timezone() {
        let tz: chrono_tz::Tz = "Europe/Paris".parse().expect("tz");
        let utc = parse_datetime_local("2026-07-01T12:00", tz).expect("parse");
        assert_eq!(utc.to_string(), "2026-07-01 10:00:00");
        assert_eq!(datetime_local(utc, tz), "2026-07-01T12:00");
    }
}

#[cfg(test)]
mod etag_tests {
    use super::etag_matches;
    use actix_web::http::header::{HeaderMap, HeaderValue, IF_NONE_MATCH};

    fn with(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_str(v).expect("header"));
        h
    }

    #[test]
    fn if_none_match_lists_weak_tags_and_star() {
        assert!(etag_matches(&with("\"a1\""), "\"a1\""));
        assert!(etag_matches(&with("\"zz\", W/\"a1\""), "\"a1\""));
        assert!(etag_matches(&with("*"), "\"a1\""));
        assert!(!etag_matches(&with("\"a2\""), "\"a1\""));
        assert!(!etag_matches(&HeaderMap::new(), "\"a1\""));
    }
}
