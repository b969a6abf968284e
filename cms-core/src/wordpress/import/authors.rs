//! A post's author: the Gazette user with the WordPress author's email, else
//! a new contributor who cannot log in yet (with a placeholder address when
//! the export has no usable one), created inside the post's transaction.

use super::posts::Abort;
use super::{fingerprint, truncate, Created, Ctx, PLACEHOLDER_EMAIL_DOMAIN};
use crate::db::DbConnection;
use crate::error::CoreError;
use crate::roles::Role;
use crate::slugs;
use crate::users::{self, NewUserInput};
use crate::wordpress::html;
use crate::wordpress::wxr::WxrItem;

/// The Gazette user for the post's `dc:creator`: matched by email, else
/// created as a contributor who cannot log in yet (to be invited).
pub(super) fn author(
    c: &mut DbConnection,
    ctx: &Ctx<'_>,
    item: &WxrItem,
    warnings: &mut Vec<String>,
    created: &mut Created,
) -> Result<i32, Abort> {
    let login = item.creator.trim();
    if login.is_empty() {
        warnings.push(format!(
            "it names no author (dc:creator); attributed to {}",
            ctx.actor.display_name
        ));
        return Ok(ctx.actor.id);
    }
    let wp = ctx.export.author(login);
    if wp.is_none() {
        warnings.push(format!(
            "its author `{login}` is not among the export's authors; created with a placeholder email address"
        ));
    }
    let real = wp
        .map(|a| users::normalize_email(&a.email))
        .filter(|e| !e.is_empty());
    let local = Some(slugs::slugify(login))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("author-{}", &fingerprint(&login)[..12]));
    let placeholder = format!("{local}@{PLACEHOLDER_EMAIL_DOMAIN}");
    for email in real.iter().chain(std::iter::once(&placeholder)) {
        if let Some(u) = users::find_by_email(c, email)? {
            return Ok(u.id);
        }
    }
    let mut name = wp
        .map(|a| html::to_plain_text(&a.display_name))
        .unwrap_or_default();
    if name.is_empty() {
        name = wp
            .map(|a| {
                format!("{} {}", a.first_name.trim(), a.last_name.trim())
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default();
    }
    if name.is_empty() {
        name = login.to_owned();
    }
    let name = truncate(&name, 100);
    let slug = unique_user_slug(c, &name, login)?;
    let new = |email: &str| NewUserInput {
        email: email.to_owned(),
        display_name: name.clone(),
        slug: slug.clone(),
        bio: String::new(),
        role: Role::Contributor.as_str().to_owned(),
        password: None,
    };
    let user = match real.as_deref().map(|e| users::create(c, new(e))) {
        Some(Ok(u)) => u,
        Some(Err(CoreError::Validation(errs))) if errs.get("email").is_some() => {
            warnings.push(format!(
                "its author's email `{}` is not valid; created with a placeholder address",
                real.as_deref().unwrap_or("")
            ));
            users::create(c, new(&placeholder))?
        }
        Some(Err(e)) => return Err(e.into()),
        None => users::create(c, new(&placeholder))?,
    };
    created.authors += 1;
    Ok(user.id)
}

fn unique_user_slug(c: &mut DbConnection, name: &str, login: &str) -> Result<String, Abort> {
    let base = [slugs::slugify(name), slugs::slugify(login)]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "author".to_owned());
    let mut candidate = base.clone();
    for n in 2..10_000 {
        if users::find_by_slug(c, &candidate)?.is_none() {
            return Ok(candidate);
        }
        candidate = format!("{base}-{n}");
    }
    Err(Abort::Skip(format!(
        "no free URL name for author `{login}`"
    )))
}
