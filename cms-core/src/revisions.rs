//! Article revisions: every successful save keeps the whole article (title,
//! slug, standfirst, author, category, sections, related links, status and
//! publication date) as a JSON [`Snapshot`], numbered 1, 2, 3, … per article.
//!
//! - Written by `articles::save` and `articles::publish_due` inside their own
//!   transaction: a save that fails (stale version, invalid input, refused
//!   role) leaves no revision, and every revision describes a stored state.
//! - An article saved before history was kept (or written by the sample or
//!   seed loaders) gets a baseline revision of its old state the first time it
//!   is saved, so that state is not lost either.
//! - [`restore_revision`] puts an old revision's *content* back through the
//!   normal `articles::save` (role rules, validation and optimistic concurrency
//!   apply). The status and publication date stay as they are now: restoring
//!   text never publishes or unpublishes anything. The restore is itself a new
//!   revision, "Restored revision N"; nothing is overwritten.
//! - The `revisions.keep` setting ([`crate::settings::RevisionSettings`]) prunes
//!   all but the newest N revisions of an article after each save; 0 (the
//!   default) keeps everything.
//! - Deleting an article deletes its history (`ON DELETE CASCADE`); deleting a
//!   user keeps the revisions they saved, without a name.

pub mod diff;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::articles::{self, save::load_input, Article, ArticleInput, SaveAction, Status};
use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::schema::revisions;
use crate::time::now;
use crate::users::User;
use crate::{categories, roles, settings, users, with_backend};

pub use diff::{Comparison, FieldChange, FieldDiff, Line, LineKind, Readable, ReadableSection};

/// The current layout of [`Snapshot`] JSON.
pub const SNAPSHOT_FORMAT: u32 = 1;

fn first_format() -> u32 {
    1
}

/// The whole article at one point in time, stored as JSON in `revisions.snapshot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Layout of this JSON ([`SNAPSHOT_FORMAT`]), for readers of old rows.
    #[serde(default = "first_format")]
    pub format: u32,
    /// The article's status then: `draft`, `scheduled`, `published` or `archived`.
    pub status: String,
    /// The article as the editor saw it, with sections and related links; its
    /// `published_at` is the publication date then.
    pub article: ArticleInput,
}

impl Snapshot {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }
}

/// A revision without its snapshot (what the history list shows).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions)]
pub struct RevisionInfo {
    pub id: i32,
    pub article_id: i32,
    /// 1, 2, 3, … per article; never reused.
    pub number: i32,
    /// Who saved it; `None` for the scheduler, a baseline, or a deleted user.
    pub author_id: Option<i32>,
    pub created_at: NaiveDateTime,
    #[diesel(column_name = status)]
    pub status_name: String,
    /// The article's `version` after this save.
    pub version: i32,
    /// What changed, e.g. "Edited title and section 2" or "Restored revision 3".
    pub summary: String,
}

impl RevisionInfo {
    pub fn status(&self) -> Status {
        Status::parse(&self.status_name).unwrap_or(Status::Draft)
    }
}

/// A revision with its content.
#[derive(Debug, Clone)]
pub struct Revision {
    pub info: RevisionInfo,
    pub snapshot: Snapshot,
}

/// One line of an article's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub info: RevisionInfo,
    /// The saver's current display name; `None` when nobody (or a deleted user).
    pub author_name: Option<String>,
}

fn to_json(snapshot: &Snapshot) -> CoreResult<String> {
    serde_json::to_string(snapshot)
        .map_err(|e| CoreError::Db(diesel::result::Error::SerializationError(Box::new(e))))
}

fn from_json(json: &str) -> CoreResult<Snapshot> {
    serde_json::from_str(json)
        .map_err(|e| CoreError::Db(diesel::result::Error::DeserializationError(Box::new(e))))
}

/// The stored article as a snapshot (exactly what the editor would open).
fn snapshot_of(conn: &mut DbConnection, article: &Article) -> CoreResult<Snapshot> {
    Ok(Snapshot {
        format: SNAPSHOT_FORMAT,
        status: article.status_name.clone(),
        article: load_input(conn, article)?,
    })
}

/// The newest revision's number and snapshot JSON.
fn newest(conn: &mut DbConnection, article_id: i32) -> CoreResult<Option<(i32, String)>> {
    Ok(revisions::table
        .filter(revisions::article_id.eq(article_id))
        .order(revisions::number.desc())
        .select((revisions::number, revisions::snapshot))
        .first(conn)
        .optional()?)
}

/// Stores the article's current state as its next revision, then prunes by
/// the `revisions.keep` setting. `summary: None` describes the change against
/// the previous revision. Returns the new revision's number.
fn insert(
    conn: &mut DbConnection,
    article: &Article,
    author_id: Option<i32>,
    created_at: NaiveDateTime,
    summary: Option<String>,
) -> CoreResult<i32> {
    let snapshot = snapshot_of(conn, article)?;
    let previous = newest(conn, article.id)?;
    let number = previous.as_ref().map_or(1, |(n, _)| n + 1);
    let summary = summary.unwrap_or_else(|| match &previous {
        None => diff::summarise(None, &snapshot),
        Some((_, json)) => match from_json(json) {
            Ok(prev) => diff::summarise(Some(&prev), &snapshot),
            Err(_) => "Saved".to_owned(),
        },
    });
    diesel::insert_into(revisions::table)
        .values((
            revisions::article_id.eq(article.id),
            revisions::number.eq(number),
            revisions::author_id.eq(author_id),
            revisions::created_at.eq(created_at),
            revisions::status.eq(&article.status_name),
            revisions::version.eq(article.version),
            revisions::snapshot.eq(to_json(&snapshot)?),
            revisions::summary.eq(summary),
        ))
        .execute(conn)?;
    let keep = settings::revision_settings(conn)?.keep;
    prune(conn, article.id, keep)?;
    Ok(number)
}

/// Records the article as just written by `author_id` (`None`: the system).
/// Called by `articles::save` and `articles::publish_due` inside their
/// transaction, after the write.
pub(crate) fn record(
    conn: &mut DbConnection,
    article: &Article,
    author_id: Option<i32>,
    summary: Option<String>,
) -> CoreResult<i32> {
    insert(conn, article, author_id, now(), summary)
}

/// Before an article without history is overwritten, keeps its current state
/// as a first revision (articles from before revisions existed, sample and
/// seeded content). Called by `articles::save` before the update.
pub(crate) fn ensure_baseline(conn: &mut DbConnection, article: &Article) -> CoreResult<()> {
    let has_history: i64 = revisions::table
        .filter(revisions::article_id.eq(article.id))
        .count()
        .get_result(conn)?;
    if has_history == 0 {
        insert(
            conn,
            article,
            None,
            article.updated_at,
            Some("State before revision history was kept".to_owned()),
        )?;
    }
    Ok(())
}

/// How many revisions the article has.
pub fn count(conn: &mut DbConnection, article_id: i32) -> CoreResult<i64> {
    Ok(revisions::table
        .filter(revisions::article_id.eq(article_id))
        .count()
        .get_result(conn)?)
}

/// The newest revision's number, if any.
pub fn latest_number(conn: &mut DbConnection, article_id: i32) -> CoreResult<Option<i32>> {
    Ok(revisions::table
        .filter(revisions::article_id.eq(article_id))
        .select(diesel::dsl::max(revisions::number))
        .first::<Option<i32>>(conn)?)
}

/// The number of the revision before `number` (gaps left by pruning skipped).
pub fn previous_number(
    conn: &mut DbConnection,
    article_id: i32,
    number: i32,
) -> CoreResult<Option<i32>> {
    Ok(revisions::table
        .filter(revisions::article_id.eq(article_id))
        .filter(revisions::number.lt(number))
        .select(diesel::dsl::max(revisions::number))
        .first::<Option<i32>>(conn)?)
}

fn viewable(conn: &mut DbConnection, actor: &User, article_id: i32) -> CoreResult<Article> {
    let article = articles::find(conn, article_id)?;
    if !roles::can_view_article(actor, &article) {
        return Err(CoreError::Forbidden("you may not see this article".into()));
    }
    Ok(article)
}

/// The article and its revisions, newest first, for someone who may open it.
pub fn history(
    conn: &mut DbConnection,
    actor: &User,
    article_id: i32,
) -> CoreResult<(Article, Vec<HistoryEntry>)> {
    let article = viewable(conn, actor, article_id)?;
    let rows: Vec<RevisionInfo> = revisions::table
        .filter(revisions::article_id.eq(article_id))
        .order(revisions::number.desc())
        .select(RevisionInfo::as_select())
        .load(conn)?;
    let mut ids: Vec<i32> = rows.iter().filter_map(|r| r.author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = users::find_many(conn, &ids)?;
    let entries = rows
        .into_iter()
        .map(|info| {
            let author_name = info
                .author_id
                .and_then(|id| people.iter().find(|u| u.id == id))
                .map(|u| u.display_name.clone());
            HistoryEntry { info, author_name }
        })
        .collect();
    Ok((article, entries))
}

fn load(conn: &mut DbConnection, article_id: i32, number: i32) -> CoreResult<Revision> {
    let (info, json): (RevisionInfo, String) = revisions::table
        .filter(revisions::article_id.eq(article_id))
        .filter(revisions::number.eq(number))
        .select((RevisionInfo::as_select(), revisions::snapshot))
        .first(conn)?;
    Ok(Revision {
        info,
        snapshot: from_json(&json)?,
    })
}

/// One revision with its content, for someone who may open the article.
pub fn find(
    conn: &mut DbConnection,
    actor: &User,
    article_id: i32,
    number: i32,
) -> CoreResult<Revision> {
    viewable(conn, actor, article_id)?;
    load(conn, article_id, number)
}

/// Resolves a snapshot's ids to today's names, for showing and comparing.
pub fn readable(conn: &mut DbConnection, snapshot: &Snapshot) -> CoreResult<Readable> {
    let a = &snapshot.article;
    let author = match a.author_id {
        Some(id) => users::find_many(conn, &[id])?
            .first()
            .map_or_else(|| format!("Deleted user #{id}"), |u| u.display_name.clone()),
        None => "Unknown".to_owned(),
    };
    let category = match a.category_id {
        Some(id) => match categories::find(conn, id) {
            Ok(c) => c.name,
            Err(CoreError::NotFound) => format!("Deleted category #{id}"),
            Err(e) => return Err(e),
        },
        None => "No category".to_owned(),
    };
    let cover = match a.cover_media_id {
        Some(id) => match crate::media::find_many(conn, &[id])?.first() {
            Some(m) if !m.alt.is_empty() => format!("{} (image #{id})", m.alt),
            Some(m) => format!("{} (image #{id})", m.original_name),
            None => format!("Deleted image #{id}"),
        },
        None => "None".to_owned(),
    };
    let ids: Vec<i32> = a.links.iter().filter_map(|l| l.target_article_id).collect();
    let targets = articles::find_many(conn, &ids)?;
    let links = a
        .links
        .iter()
        .map(|l| match l.target_article_id {
            Some(t) => match targets.iter().find(|x| x.id == t) {
                Some(x) => format!("{} (article #{t})", x.title),
                None => format!("Deleted article #{t}"),
            },
            None => format!("{} <{}>", l.title, l.url),
        })
        .collect();
    Ok(Readable {
        title: a.title.clone(),
        slug: a.slug.clone(),
        standfirst: a.standfirst.clone(),
        author,
        category,
        status: snapshot.status().label().to_owned(),
        published_at: a.published_at,
        meta_title: a.meta_title.clone(),
        meta_description: a.meta_description.clone(),
        cover,
        sections: a
            .sections
            .iter()
            .map(|s| ReadableSection {
                heading: s.heading.clone(),
                body: s.body.clone(),
            })
            .collect(),
        links,
    })
}

/// Deletes all but the newest `keep` revisions of one article (`keep <= 0`:
/// nothing). Returns how many were deleted.
pub fn prune(conn: &mut DbConnection, article_id: i32, keep: i64) -> CoreResult<usize> {
    if keep <= 0 {
        return Ok(0);
    }
    let Some(newest) = latest_number(conn, article_id)? else {
        return Ok(0);
    };
    let cutoff = i64::from(newest) - keep;
    if cutoff < 1 {
        return Ok(0);
    }
    let cutoff = i32::try_from(cutoff).unwrap_or(i32::MAX);
    Ok(diesel::delete(
        revisions::table
            .filter(revisions::article_id.eq(article_id))
            .filter(revisions::number.le(cutoff)),
    )
    .execute(conn)?)
}

/// [`prune`] for every article at once (when the setting is lowered).
pub fn prune_all(conn: &mut DbConnection, keep: i64) -> CoreResult<usize> {
    if keep <= 0 {
        return Ok(0);
    }
    // Plain SQL both backends accept; `keep` is an integer, not user text.
    let sql = format!(
        "DELETE FROM revisions WHERE number <= \
         (SELECT MAX(r.number) FROM revisions r WHERE r.article_id = revisions.article_id) - {keep}"
    );
    Ok(with_backend!(conn, |c| diesel::sql_query(&sql).execute(c))?)
}

/// What restoring a revision will save, worked out before saving (so the
/// caller can run the `article_before_save` hooks on it).
#[derive(Debug, Clone)]
pub struct RestorePlan {
    /// The revision being restored.
    pub from: i32,
    /// The content to save.
    pub input: ArticleInput,
    /// What could not be brought back, for the editor (e.g. a deleted link target).
    pub notices: Vec<String>,
}

/// The outcome of a restore.
#[derive(Debug, Clone)]
pub struct Restored {
    pub article: Article,
    /// The revision that was restored.
    pub from: i32,
    /// The new revision the restore created.
    pub number: i32,
    pub notices: Vec<String>,
}

/// Prepares restoring revision `number`: the snapshot's content with the
/// current publication date, minus what can no longer be saved — related links
/// to deleted articles are dropped; a deleted category or author, or a URL name
/// another article has taken since, keeps the current one. Each is a notice.
pub fn plan_restore(
    conn: &mut DbConnection,
    actor: &User,
    article_id: i32,
    number: i32,
) -> CoreResult<RestorePlan> {
    let current = articles::find(conn, article_id)?;
    if !roles::can_edit_article(actor, &current) {
        return Err(CoreError::Forbidden("you may not edit this article".into()));
    }
    let rev = load(conn, article_id, number)?;
    let mut input = rev.snapshot.article;
    let mut notices = Vec::new();
    // Content, not publication state: `Save` keeps the status, and no date
    // means "keep the current publication date".
    input.published_at = None;

    let ids: Vec<i32> = input
        .links
        .iter()
        .filter_map(|l| l.target_article_id)
        .collect();
    let alive: Vec<i32> = articles::find_many(conn, &ids)?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let before = input.links.len();
    input.links.retain(|l| {
        l.target_article_id
            .is_none_or(|t| t != article_id && alive.contains(&t))
    });
    match before - input.links.len() {
        0 => {}
        1 => notices.push(
            "1 related link was left out: the article it pointed to has been deleted.".to_owned(),
        ),
        n => notices.push(format!(
            "{n} related links were left out: the articles they pointed to have been deleted."
        )),
    }
    if let Some(cid) = input.category_id {
        if matches!(categories::find(conn, cid), Err(CoreError::NotFound)) {
            input.category_id = current.category_id;
            notices.push(
                "The revision's category has been deleted; the article keeps its current category."
                    .to_owned(),
            );
        }
    }
    if let Some(aid) = input.author_id {
        if users::find_many(conn, &[aid])?.is_empty() {
            input.author_id = Some(current.author_id);
            notices.push(
                "The revision's author no longer exists; the article keeps its current author."
                    .to_owned(),
            );
        }
    }
    if let Some(mid) = input.cover_media_id {
        if !crate::media::exists(conn, mid)? {
            input.cover_media_id = current.cover_media_id;
            notices.push(
                "The revision's cover image has been deleted; the article keeps its current cover."
                    .to_owned(),
            );
        }
    }
    if let Some(mid) = input.cover_media_id {
        if !crate::media::exists(conn, mid)? {
            input.cover_media_id = current.cover_media_id;
            notices.push(
                "The revision's cover image has been deleted from the media library; the article keeps its current cover."
                    .to_owned(),
            );
        }
    }
    let slug = input.slug.trim().to_owned();
    if !slug.is_empty() && slug != current.slug {
        let taken: i64 = crate::schema::articles::table
            .filter(crate::schema::articles::slug.eq(&slug))
            .filter(crate::schema::articles::id.ne(article_id))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            notices.push(format!(
                "Another article now uses the URL name “{slug}”; this one keeps “{}”.",
                current.slug
            ));
            input.slug = current.slug.clone();
        }
    }
    Ok(RestorePlan {
        from: number,
        input,
        notices,
    })
}

/// Saves a [`RestorePlan`] with `articles::save` (as a plain save, so the
/// status stays) and labels the new revision "Restored revision N".
/// `expected_version` is the version the user saw; a newer one is a conflict.
pub fn apply_restore(
    conn: &mut DbConnection,
    actor: &User,
    article_id: i32,
    expected_version: Option<i32>,
    plan: RestorePlan,
) -> CoreResult<Restored> {
    conn.transaction(|conn| {
        let article = articles::save(
            conn,
            actor,
            Some(article_id),
            expected_version,
            plan.input,
            SaveAction::Save,
        )?;
        let number = latest_number(conn, article_id)?.ok_or(CoreError::NotFound)?;
        diesel::update(
            revisions::table
                .filter(revisions::article_id.eq(article_id))
                .filter(revisions::number.eq(number)),
        )
        .set(revisions::summary.eq(format!("Restored revision {}", plan.from)))
        .execute(conn)?;
        Ok(Restored {
            article,
            from: plan.from,
            number,
            notices: plan.notices,
        })
    })
}

/// Restores revision `number` in one go ([`plan_restore`] + [`apply_restore`]).
pub fn restore_revision(
    conn: &mut DbConnection,
    actor: &User,
    article_id: i32,
    number: i32,
    expected_version: Option<i32>,
) -> CoreResult<Restored> {
    conn.transaction(|conn| {
        let plan = plan_restore(conn, actor, article_id, number)?;
        apply_restore(conn, actor, article_id, expected_version, plan)
    })
}
