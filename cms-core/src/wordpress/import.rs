//! Writing a read export into Gazette: posts become articles through
//! [`articles::save`] (the editor's own write path: validation, rendering and
//! sanitising of sections, revisions, search index, webhooks), attachments
//! become media-library images through [`media::upload`].
//!
//! **One transaction per item**, and the item's `wordpress_imports` record is
//! written in it, so an interrupted import leaves only whole articles behind and
//! a re-run picks up where it stopped. Authors and categories are created the
//! first time an imported post needs them, inside that post's transaction.
//!
//! **Re-runs** never duplicate: an item already imported is recognised by the
//! export's site URL and its WordPress post id. If what it would import is
//! exactly what the last run wrote (a fingerprint of the converted article),
//! it is *unchanged*. If it changed in WordPress (a newer export) and nobody
//! edited the article in Gazette since, the article is *updated* in place; if
//! an editor did change it, Gazette's version is kept and the item is reported
//! as skipped. An article or image deleted in Gazette is not brought back.
//!
//! **Dry run**: everything runs inside one transaction that is rolled back, and
//! no image file is stored, so the report is what a real run would do.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::html;
use super::records::{self, NewRecord};
use super::urls;
use super::wxr::{WxrExport, WxrItem};
use crate::articles::save::{MAX_STANDFIRST_CHARS, MAX_TITLE_CHARS};
use crate::articles::{self, ArticleInput, SaveAction, Status};
use crate::categories::{self, CategoryInput};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::media::{self, MediaStorage};
use crate::roles::Role;
use crate::schema::articles as articles_table;
use crate::slugs;
use crate::users::{self, NewUserInput, User};

/// Part of every fingerprint: raise it when the conversion changes, and the
/// next run refreshes every imported article nobody has edited since.
const CONVERTER_VERSION: u32 = 1;

/// Domain of the addresses given to authors whose export has none (`.invalid`
/// is reserved: it can never receive mail, so nobody is invited by mistake).
pub const PLACEHOLDER_EMAIL_DOMAIN: &str = "wordpress-import.invalid";

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import pages as articles too (by default they are skipped).
    pub include_pages: bool,
    /// A copy of the site's `wp-content/uploads`: attachments are read from here.
    pub uploads_dir: Option<PathBuf>,
    /// Do everything, then roll it back: the report says what would happen.
    pub dry_run: bool,
    /// Size and pixel limits for imported images (the site's upload limits).
    pub media_limits: media::Limits,
}

/// An item that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// E.g. `page 110 “About us”`.
    pub item: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    /// Things that were imported, but not quite as they were.
    pub warnings: Vec<String>,
    pub authors_created: usize,
    pub categories_created: usize,
    pub images_imported: usize,
    /// Images imported by an earlier run.
    pub images_unchanged: usize,
    pub dry_run: bool,
}

impl ImportReport {
    /// `3 created, 0 updated, 1 unchanged, 4 skipped`.
    pub fn summary(&self) -> String {
        format!(
            "{} created, {} updated, {} unchanged, {} skipped",
            self.created,
            self.updated,
            self.unchanged,
            self.skipped.len()
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Articles: {}.", self.summary())?;
        writeln!(
            f,
            "{} and {} created; {} imported ({} already there).",
            plural(self.authors_created, "author", "authors"),
            plural(self.categories_created, "category", "categories"),
            plural(self.images_imported, "image", "images"),
            self.images_unchanged
        )?;
        if !self.skipped.is_empty() {
            writeln!(f, "Skipped:")?;
            for s in &self.skipped {
                writeln!(f, "  - {}: {}", s.item, s.reason)?;
            }
        }
        if !self.warnings.is_empty() {
            writeln!(f, "Warnings:")?;
            for w in &self.warnings {
                writeln!(f, "  - {w}")?;
            }
        }
        if self.dry_run {
            writeln!(f, "Dry run: nothing was written.")?;
        }
        Ok(())
    }
}

/// An import that stopped on a database (not a data) problem. Items before it
/// were imported (each in its own transaction); a re-run continues.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {error}")]
pub struct ImportFailure {
    pub context: String,
    #[source]
    pub error: CoreError,
    /// What had been done before it stopped.
    pub report: Box<ImportReport>,
}

/// Imports `export` as `actor` (an administrator, recorded as the saver of
/// every revision). `storage` is the media store for attached images (`None`:
/// attachments are skipped). `progress(done, total)` is called as items finish.
pub fn run(
    conn: &mut DbConnection,
    actor: &User,
    export: &WxrExport,
    opts: &ImportOptions,
    storage: Option<&dyn MediaStorage>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportFailure> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        warnings: export.warnings.clone(),
        ..Default::default()
    };
    let fail = |context: &str, error: CoreError, report: &ImportReport| ImportFailure {
        context: context.to_owned(),
        error,
        report: Box::new(report.clone()),
    };
    if actor.role() != Role::Administrator {
        return Err(fail(
            "import",
            CoreError::Forbidden("only administrators import content".into()),
            &report,
        ));
    }
    let tz = crate::settings::load(conn)
        .map_err(|e| fail("reading the site settings", e, &report))?
        .tz();
    let mut ctx = Ctx {
        actor,
        export,
        source: urls::source_of(&export.site_url),
        tz,
        uploads_dir: opts.uploads_dir.clone(),
        dry_run: opts.dry_run,
        media_limits: opts.media_limits,
        storage,
        by_id: HashMap::new(),
        by_key: HashMap::new(),
    };
    let (attachments, posts) = plan(export, opts, &mut report);
    let comments: usize = export.items.iter().map(|i| i.comments).sum();
    if comments > 0 {
        report.warnings.push(format!(
            "{} not imported (Gazette has no comments)",
            plural(comments, "comment was", "comments were")
        ));
    }
    if opts.dry_run {
        let mut failure = None;
        let _ = conn.transaction::<(), diesel::result::Error, _>(|c| {
            if let Err((context, e)) =
                execute(c, &mut ctx, &attachments, &posts, &mut report, progress)
            {
                failure = Some((context, e));
            }
            Err(diesel::result::Error::RollbackTransaction)
        });
        if let Some((context, e)) = failure {
            return Err(fail(&context, e, &report));
        }
    } else if let Err((context, e)) =
        execute(conn, &mut ctx, &attachments, &posts, &mut report, progress)
    {
        return Err(fail(&context, e, &report));
    }
    Ok(report)
}

/// Sorts items into attachments, articles-to-be, and skipped.
fn plan<'a>(
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

fn post_type(item: &WxrItem) -> &str {
    if item.post_type.is_empty() {
        "post"
    } else {
        &item.post_type
    }
}

/// `post 101 “Harbour bridge reopens”` (titles shortened for the report).
fn label(item: &WxrItem) -> String {
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

/// Shared state of one import.
struct Ctx<'a> {
    actor: &'a User,
    export: &'a WxrExport,
    source: String,
    tz: chrono_tz::Tz,
    uploads_dir: Option<PathBuf>,
    dry_run: bool,
    media_limits: media::Limits,
    storage: Option<&'a dyn MediaStorage>,
    /// Attachment post id → (media id, URL for use in sections).
    by_id: HashMap<i64, (i32, String)>,
    /// [`urls::upload_key`] of a file → (media id, URL).
    by_key: HashMap<String, (i32, String)>,
}

impl Ctx<'_> {
    fn register(&mut self, wp_id: i64, rels: &[String], m: &media::Media) {
        let url = m
            .at_least(media::INLINE_WIDTH)
            .map(|v| v.path())
            .unwrap_or_default();
        self.by_id.insert(wp_id, (m.id, url.clone()));
        for rel in rels {
            self.by_key
                .insert(urls::upload_key(rel), (m.id, url.clone()));
        }
    }

    /// The imported image's URL for an old one (see [`html::ImageResolver`]).
    fn resolve(&self, url: &str, hint: Option<i64>) -> Option<String> {
        let rel = urls::upload_relative_path(url);
        if let Some((_, u)) = hint.and_then(|h| self.by_id.get(&h)) {
            if rel.is_some() || !url.contains("://") {
                return Some(u.clone());
            }
        }
        self.by_key
            .get(&urls::upload_key(&rel?))
            .map(|(_, u)| u.clone())
    }
}

fn execute(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    attachments: &[&WxrItem],
    posts: &[&WxrItem],
    report: &mut ImportReport,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), (String, CoreError)> {
    let total = attachments.len() + posts.len();
    let mut done = 0;
    progress(done, total);
    for item in attachments {
        match import_attachment(conn, ctx, item) {
            Ok(Outcome::Created) => report.images_imported += 1,
            Ok(Outcome::Unchanged) => report.images_unchanged += 1,
            Ok(Outcome::Updated) => report.images_imported += 1,
            Ok(Outcome::Skipped(reason)) => report.skipped.push(Skipped {
                item: label(item),
                reason,
            }),
            Err(e) => return Err((format!("importing {}", label(item)), e)),
        }
        done += 1;
        progress(done, total);
    }
    for item in posts {
        let mut warnings = Vec::new();
        let mut created = Created::default();
        // Only a committed post's authors, categories and warnings count: the
        // others' transactions were rolled back.
        let committed = match import_post(conn, ctx, item, &mut warnings, &mut created) {
            Ok(Outcome::Created) => {
                report.created += 1;
                true
            }
            Ok(Outcome::Updated) => {
                report.updated += 1;
                true
            }
            Ok(Outcome::Unchanged) => {
                report.unchanged += 1;
                false
            }
            Ok(Outcome::Skipped(reason)) => {
                report.skipped.push(Skipped {
                    item: label(item),
                    reason,
                });
                false
            }
            Err(e) => return Err((format!("importing {}", label(item)), e)),
        };
        if committed {
            report.authors_created += created.authors;
            report.categories_created += created.categories;
            let l = label(item);
            report
                .warnings
                .extend(warnings.into_iter().map(|w| format!("{l}: {w}")));
        }
        done += 1;
        progress(done, total);
    }
    Ok(())
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
    Skipped(String),
}

/// Authors and categories a post's transaction created.
#[derive(Default)]
struct Created {
    authors: usize,
    categories: usize,
}

// ---------------------------------------------------------------------------
// Attachments.

fn import_attachment(
    conn: &mut DbConnection,
    ctx: &mut Ctx<'_>,
    item: &WxrItem,
) -> CoreResult<Outcome> {
    let Some(id) = item.post_id else {
        return Ok(Outcome::Skipped("no wp:post_id".into()));
    };
    let from_url = urls::upload_relative_path(&item.attachment_url);
    let Some(rel) = item
        .meta("_wp_attached_file")
        .and_then(urls::safe_relative)
        .or_else(|| from_url.clone())
    else {
        return Ok(Outcome::Skipped(format!(
            "its file is not under wp-content/uploads ({})",
            if item.attachment_url.is_empty() {
                "no wp:attachment_url"
            } else {
                &item.attachment_url
            }
        )));
    };
    let rels: Vec<String> = std::iter::once(rel.clone()).chain(from_url).collect();
    if let Some(rec) = records::find(conn, &ctx.source, id)? {
        match rec.media_id {
            Some(mid) => match media::find(conn, mid) {
                Ok(m) => {
                    ctx.register(id, &rels, &m);
                    return Ok(Outcome::Unchanged);
                }
                Err(CoreError::NotFound) => {}
                Err(e) => return Err(e),
            },
            None => {
                return Ok(Outcome::Skipped(
                    "the image imported from it was deleted in Gazette; not imported again".into(),
                ))
            }
        }
    }
    let Some(dir) = &ctx.uploads_dir else {
        return Ok(Outcome::Skipped(
            "WordPress exports only the file's address: pass a copy of wp-content/uploads with --uploads-dir".into(),
        ));
    };
    let path = rel.split('/').fold(dir.clone(), |p, seg| p.join(seg));
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Outcome::Skipped(format!(
                "file not found: {}",
                path.display()
            )))
        }
        Err(e) => {
            return Ok(Outcome::Skipped(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    if ctx.dry_run {
        return Ok(match media::process::sniff(&bytes) {
            Ok(_) => Outcome::Created,
            Err(e) => Outcome::Skipped(e.to_string()),
        });
    }
    let Some(storage) = ctx.storage else {
        return Ok(Outcome::Skipped("no media storage is configured".into()));
    };
    let name = rel.rsplit('/').next().unwrap_or(&rel).to_owned();
    let alt = alt_text(item, &name);
    let wp_slug = urls::slug_key(&item.post_name);
    let old_path = urls::path_of_url(&item.attachment_url);
    let fp = fingerprint(&(CONVERTER_VERSION, &rel, &alt));
    let stored = conn.transaction(|c| {
        let m = media::upload(c, storage, &ctx.media_limits, &bytes, &name, &alt, None)?.media;
        records::save(
            c,
            &NewRecord {
                source: &ctx.source,
                wp_post_id: id,
                post_type: "attachment",
                wp_slug: &wp_slug,
                old_path: &old_path,
                article_id: None,
                article_version: None,
                media_id: Some(m.id),
                fingerprint: &fp,
            },
        )?;
        CoreResult::Ok(m)
    });
    match stored {
        Ok(m) => {
            ctx.register(id, &rels, &m);
            Ok(Outcome::Created)
        }
        Err(CoreError::Media(e)) => Ok(Outcome::Skipped(e.to_string())),
        Err(CoreError::Validation(e)) => Ok(Outcome::Skipped(e.to_string())),
        Err(e) => Err(e),
    }
}

/// Alt text is required in the media library: WordPress's alt text, else the
/// attachment's title, else the file name.
fn alt_text(item: &WxrItem, file_name: &str) -> String {
    let candidates = [
        item.meta("_wp_attachment_image_alt")
            .unwrap_or("")
            .to_owned(),
        html::to_plain_text(&item.title),
        file_name
            .rsplit_once('.')
            .map_or(file_name, |(stem, _)| stem)
            .replace(['-', '_'], " "),
    ];
    let alt = candidates
        .into_iter()
        .map(|c| crate::articles::save::single_line(&c))
        .find(|c| !c.is_empty())
        .unwrap_or_else(|| "Image".to_owned());
    truncate(&alt, media::process::MAX_ALT_CHARS)
}

// ---------------------------------------------------------------------------
// Posts.

/// Why a post's transaction ended without committing.
enum Abort {
    Skip(String),
    Unchanged,
    Fail(CoreError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Fail(e.into())
    }
}

impl From<CoreError> for Abort {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Validation(errors) => Abort::Skip(format!("not valid in Gazette: {errors}")),
            CoreError::Forbidden(m) => Abort::Skip(format!("not allowed: {m}")),
            other => Abort::Fail(other),
        }
    }
}

/// The state a post is imported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Target {
    /// Published (or scheduled, when the date is in the future).
    Publish,
    Draft,
}

fn import_post(
    conn: &mut DbConnection,
    ctx: &Ctx<'_>,
    item: &WxrItem,
    warnings: &mut Vec<String>,
    created: &mut Created,
) -> CoreResult<Outcome> {
    let Some(id) = item.post_id else {
        return Ok(Outcome::Skipped(
            "no wp:post_id, so a later run could not recognise it".into(),
        ));
    };
    let result = conn.transaction::<Outcome, Abort, _>(|c| {
        post_in_transaction(c, ctx, item, id, warnings, created)
    });
    match result {
        Ok(o) => Ok(o),
        Err(Abort::Skip(reason)) => Ok(Outcome::Skipped(reason)),
        Err(Abort::Unchanged) => Ok(Outcome::Unchanged),
        Err(Abort::Fail(e)) => Err(e),
    }
}

fn post_in_transaction(
    c: &mut DbConnection,
    ctx: &Ctx<'_>,
    item: &WxrItem,
    id: i64,
    warnings: &mut Vec<String>,
    created: &mut Created,
) -> Result<Outcome, Abort> {
    let title = title_of(item, id, warnings);
    let (target, published_at) = status_and_date(item, ctx.tz, warnings);
    let author_id = author(c, ctx, item, warnings, created)?;
    let category_id = category(c, ctx, item, warnings, created)?;
    let standfirst = standfirst_of(item, warnings);
    let converted = html::convert(&item.content, &|url, hint| ctx.resolve(url, hint));
    warnings.extend(converted.warnings);
    let cover_media_id = match item
        .meta("_thumbnail_id")
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        Some(tid) => {
            let found = ctx.by_id.get(&tid).map(|(mid, _)| *mid);
            if found.is_none() && !ctx.dry_run {
                warnings.push(format!(
                    "its featured image (attachment {tid}) was not imported, so it has no cover"
                ));
            }
            found
        }
        None => None,
    };
    let desired_slug = desired_slug(item, &title, id);
    let mut input = ArticleInput {
        title,
        slug: String::new(),
        standfirst,
        author_id: Some(author_id),
        category_id,
        published_at,
        sections: converted.sections,
        cover_media_id,
        ..Default::default()
    };
    let fp = fingerprint(&(CONVERTER_VERSION, &input, &desired_slug, target));

    let record = records::find(c, &ctx.source, id)?.filter(|r| r.post_type != "attachment");
    let existing = match &record {
        None => None,
        Some(r) => {
            let gone = || {
                Abort::Skip("its article was deleted in Gazette after an earlier import; not imported again".into())
            };
            let Some(aid) = r.article_id else {
                return Err(gone());
            };
            let article = match articles::find(c, aid) {
                Ok(a) => a,
                Err(CoreError::NotFound) => return Err(gone()),
                Err(e) => return Err(e.into()),
            };
            if r.fingerprint == fp {
                return Err(Abort::Unchanged);
            }
            if r.article_version != Some(article.version) {
                return Err(Abort::Skip(
                    "changed in WordPress since the last import, but its article was also edited in Gazette: Gazette's version was kept".into(),
                ));
            }
            Some(article)
        }
    };
    input.slug = unique_slug(c, &desired_slug, existing.as_ref().map(|a| a.id))?;
    if input.slug != desired_slug && existing.is_none() {
        warnings.push(format!(
            "the URL name `{desired_slug}` is taken; imported as `{}`",
            input.slug
        ));
    }
    let action = match (target, &existing) {
        (Target::Publish, _) => SaveAction::Publish,
        (Target::Draft, Some(a)) if a.status() != Status::Draft => SaveAction::Unpublish,
        (Target::Draft, _) => SaveAction::Save,
    };
    let saved = articles::save(
        c,
        ctx.actor,
        existing.as_ref().map(|a| a.id),
        existing.as_ref().map(|a| a.version),
        input,
        action,
    )?;
    records::save(
        c,
        &NewRecord {
            source: &ctx.source,
            wp_post_id: id,
            post_type: post_type(item),
            wp_slug: &urls::slug_key(&item.post_name),
            old_path: &urls::path_of_url(&item.link),
            article_id: Some(saved.id),
            article_version: Some(saved.version),
            media_id: None,
            fingerprint: &fp,
        },
    )?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}

fn fingerprint<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

/// At most `max` characters, ending in `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t = t.trim_end().to_owned();
    t.push('…');
    t
}

fn title_of(item: &WxrItem, id: i64, warnings: &mut Vec<String>) -> String {
    let title = html::to_plain_text(&item.title);
    if title.is_empty() {
        let t = format!("Untitled (WordPress post {id})");
        warnings.push(format!("it has no title; imported as “{t}”"));
        return t;
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        warnings.push(format!(
            "its title was shortened to {MAX_TITLE_CHARS} characters"
        ));
        return truncate(&title, MAX_TITLE_CHARS);
    }
    title
}

fn standfirst_of(item: &WxrItem, warnings: &mut Vec<String>) -> String {
    let s = html::to_plain_text(&item.excerpt);
    if s.chars().count() > MAX_STANDFIRST_CHARS {
        warnings.push(format!(
            "its excerpt was shortened to {MAX_STANDFIRST_CHARS} characters for the standfirst"
        ));
        return truncate(&s, MAX_STANDFIRST_CHARS);
    }
    s
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

fn status_and_date(
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

/// WordPress's URL name when Gazette accepts it, else one made from it or the title.
fn desired_slug(item: &WxrItem, title: &str, id: i64) -> String {
    let decoded = urls::slug_key(&item.post_name);
    if slugs::validate(&decoded).is_ok() {
        return decoded;
    }
    [slugs::slugify(&decoded), slugs::slugify(title)]
        .into_iter()
        .find(|s| !s.is_empty() && slugs::validate(s).is_ok())
        .unwrap_or_else(|| format!("wordpress-{id}"))
}

/// `slug`, or `slug-2`, `slug-3`, … whichever no other article uses.
fn unique_slug(c: &mut DbConnection, slug: &str, own_id: Option<i32>) -> Result<String, Abort> {
    let mut candidate = slug.to_owned();
    for n in 2..10_000 {
        let taken: i64 = articles_table::table
            .filter(articles_table::slug.eq(&candidate))
            .filter(articles_table::id.ne(own_id.unwrap_or(-1)))
            .count()
            .get_result(c)?;
        if taken == 0 {
            return Ok(candidate);
        }
        let suffix = format!("-{n}");
        let base: String = slug
            .chars()
            .take(slugs::MAX_SLUG_LEN - suffix.len())
            .collect();
        candidate = format!("{}{suffix}", base.trim_end_matches('-'));
    }
    Err(Abort::Skip(format!("no free URL name near `{slug}`")))
}

/// The Gazette user for the post's `dc:creator`: matched by email, else
/// created as a contributor who cannot log in yet (to be invited).
fn author(
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

/// The Gazette category for the post's first WordPress category (found by URL
/// name, created if needed). WordPress's default "Uncategorized" means none.
fn category(
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

    #[test]
    fn slugs_from_wordpress() {
        let item = |name: &str| WxrItem {
            post_name: name.into(),
            ..Default::default()
        };
        assert_eq!(
            desired_slug(&item("harbour-bridge"), "T", 1),
            "harbour-bridge"
        );
        assert_eq!(
            desired_slug(&item("caf%c3%a9-cr%c3%a8me"), "T", 1),
            "cafe-creme"
        );
        assert_eq!(desired_slug(&item(""), "A Title!", 1), "a-title");
        assert_eq!(desired_slug(&item(""), "!!!", 7), "wordpress-7");
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
