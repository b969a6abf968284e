//! A post's category: its first WordPress category other than the default
//! "Uncategorized", found in Gazette by URL name or created inside the post's
//! transaction.

use super::posts::Abort;
use super::{truncate, Created, Ctx};
use crate::categories::{self, CategoryInput};
use crate::db::DbConnection;
use crate::slugs;
use crate::wordpress::wxr::WxrItem;
use crate::wordpress::{html, urls};

/// The Gazette category for the post's first WordPress category (found by URL
/// name, created if needed). WordPress's default "Uncategorized" means none.
pub(super) fn category(
    c: &mut DbConnection,
    ctx: &Ctx<'_>,
    item: &WxrItem,
    warnings: &mut Vec<String>,
    created: &mut Created,
) -> Result<Option<i32>, Abort> {
    let Some(term) = item
        .terms
        .iter()
        .filter(|t| t.domain == "category")
        .find(|t| urls::slug_key(&t.nicename) != "uncategorized")
    else {
        return Ok(None);
    };
    let declared = ctx.export.category(&term.nicename);
    let name = [
        declared
            .map(|d| html::to_plain_text(&d.name))
            .unwrap_or_default(),
        html::to_plain_text(&term.name),
    ]
    .into_iter()
    .find(|n| !n.is_empty())
    .unwrap_or_else(|| urls::slug_key(&term.nicename));
    let key = urls::slug_key(&term.nicename);
    let slug = if slugs::validate(&key).is_ok() {
        key
    } else {
        [slugs::slugify(&key), slugs::slugify(&name)]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    if slug.is_empty() {
        warnings.push(format!(
            "its category `{name}` has no usable URL name; imported without a category"
        ));
        return Ok(None);
    }
    if let Some(cat) = categories::find_by_slug(c, &slug)? {
        return Ok(Some(cat.id));
    }
    let description = declared
        .map(|d| truncate(&html::to_plain_text(&d.description), 1000))
        .unwrap_or_default();
    let cat = categories::create(
        c,
        ctx.actor,
        CategoryInput {
            name: truncate(&name, 80),
            slug,
            description,
        },
    )?;
    created.categories += 1;
    Ok(Some(cat.id))
}
