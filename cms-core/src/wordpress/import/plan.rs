//! Sorting the export's items before anything is written: attachments
//! (imported first, so posts can find their images), posts (and pages, when
//! asked) to become articles, and everything else skipped with a reason. Also
//! how an item is named in the report.

use super::report::{ImportReport, Skipped};
use super::ImportOptions;
use crate::wordpress::html;
use crate::wordpress::wxr::{WxrExport, WxrItem};

/// Sorts items into attachments, articles-to-be, and skipped.
pub(super) fn plan<'a>(
    export: &'a WxrExport,
    opts: &ImportOptions,
    report: &mut ImportReport,
) -> (Vec<&'a WxrItem>, Vec<&'a WxrItem>) {
    let mut attachments = Vec::new();
    let mut posts = Vec::new();
    for item in &export.items {
        let kind = post_type(item);
        let skip = match kind {
            "attachment" => {
                attachments.push(item);
                None
            }
            "post" | "page" if kind == "post" || opts.include_pages => match item.status.as_str() {
                "trash" => Some("in the WordPress trash".to_owned()),
                "auto-draft" => {
                    Some("an empty auto-draft (WordPress creates these by itself)".to_owned())
                }
                "inherit" => Some("a revision of another post".to_owned()),
                _ => {
                    posts.push(item);
                    None
                }
            },
            "page" => Some("pages are not articles (import them with --include-pages)".to_owned()),
            "nav_menu_item" => Some("a menu item (menus are not imported)".to_owned()),
            "revision" => Some("a revision of another post".to_owned()),
            "wp_block" => Some("a reusable block (its content is not an article)".to_owned()),
            "wp_template"
            | "wp_template_part"
            | "wp_global_styles"
            | "wp_navigation"
            | "custom_css"
            | "customize_changeset"
            | "oembed_cache"
            | "user_request"
            | "wp_font_family"
            | "wp_font_face" => Some("site design or configuration, not content".to_owned()),
            other => Some(format!("post type `{other}` is not imported")),
        };
        if let Some(reason) = skip {
            report.skipped.push(Skipped {
                item: label(item),
                reason,
            });
        }
    }
    (attachments, posts)
}

pub(super) fn post_type(item: &WxrItem) -> &str {
    if item.post_type.is_empty() {
        "post"
    } else {
        &item.post_type
    }
}

/// `post 101 “Harbour bridge reopens”` (titles shortened for the report).
pub(super) fn label(item: &WxrItem) -> String {
    let id = item
        .post_id
        .map_or_else(|| format!("at line {}", item.line), |id| id.to_string());
    let title = html::to_plain_text(&item.title);
    let mut short: String = title.chars().take(60).collect();
    if title.chars().count() > 60 {
        short.push('…');
    }
    if short.is_empty() {
        format!("{} {id} (untitled)", post_type(item))
    } else {
        format!("{} {id} “{short}”", post_type(item))
    }
}
