//! Whether and when a post is published: WordPress's status (publish, future,
//! draft, private, password-protected, …) mapped to published or draft in
//! Gazette, and the publication date, in UTC, from whichever of WordPress's
//! dates is usable.

use chrono::{DateTime, NaiveDateTime, TimeZone};
use serde::Serialize;

use crate::wordpress::wxr::WxrItem;

/// The state a post is imported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Target {
    /// Published (or scheduled, when the date is in the future).
    Publish,
    Draft,
}

/// `Ok(None)` for an empty or all-zero WordPress date, `Err` for nonsense.
fn parse_wp_date(s: &str) -> Result<Option<NaiveDateTime>, ()> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000-00-00") {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .map(Some)
        .map_err(|_| ())
}

/// When the post was published, in UTC: `wp:post_date_gmt`, else `wp:post_date`
/// read in the site's timezone, else the RSS `pubDate`.
fn publication_date(
    item: &WxrItem,
    tz: chrono_tz::Tz,
    warnings: &mut Vec<String>,
) -> Option<NaiveDateTime> {
    match parse_wp_date(&item.post_date_gmt) {
        Ok(Some(t)) => return Some(t),
        Ok(None) => {}
        Err(()) => warnings.push(format!("invalid wp:post_date_gmt `{}`", item.post_date_gmt)),
    }
    match parse_wp_date(&item.post_date) {
        Ok(Some(local)) => {
            if let Some(t) = tz.from_local_datetime(&local).earliest() {
                return Some(t.naive_utc());
            }
        }
        Ok(None) => {}
        Err(()) => warnings.push(format!("invalid wp:post_date `{}`", item.post_date)),
    }
    if !item.pub_date.trim().is_empty() {
        match DateTime::parse_from_rfc2822(item.pub_date.trim()) {
            Ok(t) => return Some(t.naive_utc()),
            Err(_) => warnings.push(format!("invalid pubDate `{}`", item.pub_date)),
        }
    }
    None
}

pub(super) fn status_and_date(
    item: &WxrItem,
    tz: chrono_tz::Tz,
    warnings: &mut Vec<String>,
) -> (Target, Option<NaiveDateTime>) {
    let mut target = match item.status.as_str() {
        "publish" | "future" => Target::Publish,
        "draft" | "pending" => Target::Draft,
        "private" => {
            warnings.push("it was private in WordPress; imported as a draft".into());
            Target::Draft
        }
        other => {
            warnings.push(format!("unknown status `{other}`; imported as a draft"));
            Target::Draft
        }
    };
    if target == Target::Publish && !item.post_password.is_empty() {
        warnings.push(
            "it was password-protected in WordPress; imported as a draft so it does not become public"
                .into(),
        );
        target = Target::Draft;
    }
    if target == Target::Draft {
        return (target, None);
    }
    match publication_date(item, tz, warnings) {
        Some(t) => (Target::Publish, Some(crate::time::truncate(t))),
        None => {
            warnings.push("it has no valid publication date; imported as a draft".into());
            (Target::Draft, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_wp_date("0000-00-00 00:00:00"), Ok(None));
        assert_eq!(parse_wp_date(""), Ok(None));
        assert!(parse_wp_date("2024-13-45 99:00:00").is_err());
        let item = WxrItem {
            post_date: "2024-05-14 09:30:00".into(),
            post_date_gmt: "0000-00-00 00:00:00".into(),
            ..Default::default()
        };
        let mut w = Vec::new();
        let t = publication_date(&item, chrono_tz::Europe::London, &mut w);
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2024-05-14 08:30:00")
        );
        let item = WxrItem {
            post_date: "yesterday".into(),
            pub_date: "Tue, 14 May 2024 08:30:00 +0000".into(),
            ..Default::default()
        };
        let t = publication_date(&item, chrono_tz::UTC, &mut w);
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2024-05-14 08:30:00")
        );
        assert_eq!(w.len(), 1);
    }
}
