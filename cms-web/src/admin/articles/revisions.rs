//! An article's history: the list of revisions, one revision, a comparison of
//! any two, and restoring one. A restore goes through `articles::save` like
//! any edit (roles, validation, the version check, the plugins' before-save
//! hooks) and becomes a new revision, so nothing is ever overwritten.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::articles::{Article, SaveAction};
use cms_core::revisions::{self, FieldChange, HistoryEntry, LineKind, Readable, RevisionInfo};
use cms_core::{roles, settings, CoreError};
use serde::Deserialize;

use super::editor::before_save;
use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::hooks::SaveVerdict;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util;

/// A revision's facts as shown in lists and headings.
pub struct RevisionMeta {
    pub number: i32,
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub summary: String,
}

impl RevisionMeta {
    fn new(info: &RevisionInfo, author_name: Option<&str>, tz: chrono_tz::Tz) -> Self {
        let status = info.status();
        RevisionMeta {
            number: info.number,
            when: util::date_time(info.created_at, tz),
            when_iso: util::iso(info.created_at),
            // No saver: the scheduler, a state from before history was kept, or a deleted user.
            who: author_name.unwrap_or("Unknown").to_owned(),
            status: status.as_str(),
            status_label: status.label(),
            summary: info.summary.clone(),
        }
    }

    fn of(entry: &HistoryEntry, tz: chrono_tz::Tz) -> Self {
        Self::new(&entry.info, entry.author_name.as_deref(), tz)
    }
}

/// One row of the history table.
pub struct HistoryRow {
    pub meta: RevisionMeta,
    /// The number of the revision before it, if any is kept.
    pub previous: Option<i32>,
    /// The newest revision: what the article is now.
    pub is_current: bool,
}

/// What every history page knows about the article.
struct ArticleHead {
    id: i32,
    title: String,
    version: i32,
    can_restore: bool,
}

impl ArticleHead {
    fn new(a: &Article, user: &cms_core::users::User) -> Self {
        ArticleHead {
            id: a.id,
            title: a.title.clone(),
            version: a.version,
            can_restore: roles::can_edit_article(user, a),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/article_revisions.html")]
struct HistoryPage {
    layout: AdminLayout,
    article: ArticleHead,
    rows: Vec<HistoryRow>,
    /// Newest first, for the compare form.
    numbers: Vec<i32>,
    /// "Only the newest 20 revisions of each article are kept." or "".
    keep_note: String,
}

/// A revision's content, readable.
pub struct ContentView {
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    pub author: String,
    pub category: String,
    pub published_at: String,
    pub meta_title: String,
    pub meta_description: String,
    pub cover: String,
    pub sections: Vec<SectionView>,
    pub links: Vec<String>,
}

pub struct SectionView {
    pub number: usize,
    pub heading: String,
    pub body: String,
}

impl ContentView {
    fn new(r: Readable, tz: chrono_tz::Tz) -> Self {
        ContentView {
            title: r.title,
            slug: r.slug,
            standfirst: r.standfirst,
            author: r.author,
            category: r.category,
            published_at: r
                .published_at
                .map(|t| util::date_time(t, tz))
                .unwrap_or_else(|| "Not set".to_owned()),
            meta_title: r.meta_title,
            meta_description: r.meta_description,
            cover: r.cover,
            sections: r
                .sections
                .into_iter()
                .enumerate()
                .map(|(i, s)| SectionView {
                    number: i + 1,
                    heading: s.heading,
                    body: s.body,
                })
                .collect(),
            links: r.links,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/article_revision.html")]
struct RevisionPage {
    layout: AdminLayout,
    article: ArticleHead,
    meta: RevisionMeta,
    previous: Option<i32>,
    is_current: bool,
    content: ContentView,
}

/// One line of a field's diff.
pub struct LineView {
    /// `same`, `add`, `del` or `skip`.
    pub kind: &'static str,
    pub text: String,
    pub skipped: usize,
}

/// One changed field of a comparison.
pub struct FieldView {
    pub label: String,
    /// `changed`, `added` or `removed`.
    pub change: &'static str,
    pub change_label: &'static str,
    pub lines: Vec<LineView>,
}

#[derive(Template)]
#[template(path = "admin/article_revision_diff.html")]
struct ComparePage {
    layout: AdminLayout,
    article: ArticleHead,
    from: RevisionMeta,
    to: RevisionMeta,
    fields: Vec<FieldView>,
    /// "Title, URL name, 2 sections" (the fields that are the same).
    unchanged: String,
    numbers: Vec<i32>,
    /// Whether `to` is the newest revision (restoring it would change nothing).
    to_is_current: bool,
}

fn field_view(f: revisions::FieldDiff) -> FieldView {
    let (change, change_label) = match f.change {
        FieldChange::Changed => ("changed", "Changed"),
        FieldChange::Added => ("added", "New"),
        FieldChange::Removed => ("removed", "Removed"),
    };
    FieldView {
        label: f.label,
        change,
        change_label,
        lines: f
            .lines
            .into_iter()
            .map(|l| LineView {
                kind: match l.kind {
                    LineKind::Same => "same",
                    LineKind::Added => "add",
                    LineKind::Removed => "del",
                    LineKind::Skipped => "skip",
                },
                text: l.text,
                skipped: l.skipped,
            })
            .collect(),
    }
}

fn history_url(id: i32) -> String {
    format!("/admin/articles/{id}/revisions")
}

/// GET /admin/articles/{id}/revisions
pub async fn history(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<i32>,
) -> WebResult<HttpResponse> {
    let id = path.into_inner();
    let user = authed.user.clone();
    let (site, keep, (article, entries)) = state
        .db(move |conn| {
            Ok((
                settings::load(conn)?,
                settings::revision_settings(conn)?.keep,
                revisions::history(conn, &user, id)?,
            ))
        })
        .await?;
    let tz = site.tz();
    let numbers: Vec<i32> = entries.iter().map(|e| e.info.number).collect();
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, e)| HistoryRow {
            meta: RevisionMeta::of(e, tz),
            previous: numbers.get(i + 1).copied(),
            is_current: i == 0,
        })
        .collect();
    let keep_note = match keep {
        0 => String::new(),
        1 => "Only the newest revision of each article is kept.".to_owned(),
        n => format!("Only the newest {n} revisions of each article are kept."),
    };
    let page = HistoryPage {
        layout: AdminLayout::with_site(
            &site.title,
            &req,
            &authed,
            AdminNav::Articles,
            format!("History: {}", article.title),
        ),
        article: ArticleHead::new(&article, &authed.user),
        rows,
        numbers,
        keep_note,
    };
    render::admin(&req, &page)
}

/// GET /admin/articles/{id}/revisions/{n}
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<(i32, i32)>,
) -> WebResult<HttpResponse> {
    let (id, n) = path.into_inner();
    let user = authed.user.clone();
    let (site, article, entries, readable) = state
        .db(move |conn| {
            let (article, entries) = revisions::history(conn, &user, id)?;
            let rev = revisions::find(conn, &user, id, n)?;
            let readable = revisions::readable(conn, &rev.snapshot)?;
            Ok((settings::load(conn)?, article, entries, readable))
        })
        .await?;
    let tz = site.tz();
    let pos = entries
        .iter()
        .position(|e| e.info.number == n)
        .ok_or(WebError::NotFound)?;
    let page = RevisionPage {
        layout: AdminLayout::with_site(
            &site.title,
            &req,
            &authed,
            AdminNav::Articles,
            format!("Revision {n}: {}", article.title),
        ),
        article: ArticleHead::new(&article, &authed.user),
        meta: RevisionMeta::of(&entries[pos], tz),
        previous: entries.get(pos + 1).map(|e| e.info.number),
        is_current: pos == 0,
        content: ContentView::new(readable, tz),
    };
    render::admin(&req, &page)
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

fn number_param(v: &Option<String>) -> Option<i32> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

/// GET /admin/articles/{id}/revisions/compare?from=&to=
///
/// Without `to`: the newest revision; without `from`: the one before `to`.
pub async fn compare(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<i32>,
    q: web::Query<CompareQuery>,
) -> WebResult<HttpResponse> {
    let id = path.into_inner();
    let (from, to) = (number_param(&q.from), number_param(&q.to));
    let user = authed.user.clone();
    let (site, article, entries, old, new) = state
        .db(move |conn| {
            let (article, entries) = revisions::history(conn, &user, id)?;
            let to = match to {
                Some(n) => n,
                None => entries
                    .first()
                    .map(|e| e.info.number)
                    .ok_or(CoreError::NotFound)?,
            };
            // The first revision is compared with nothing: everything is new.
            let from = match from {
                Some(n) => Some(n),
                None => revisions::previous_number(conn, id, to)?,
            };
            let new = revisions::find(conn, &user, id, to)?;
            let old = match from {
                Some(n) => Some(revisions::find(conn, &user, id, n)?),
                None => None,
            };
            let new_r = revisions::readable(conn, &new.snapshot)?;
            let old_r = match &old {
                Some(o) => Some((o.info.clone(), revisions::readable(conn, &o.snapshot)?)),
                None => None,
            };
            Ok((
                settings::load(conn)?,
                article,
                entries,
                old_r,
                (new.info, new_r),
            ))
        })
        .await?;
    let tz = site.tz();
    let name = |info: &RevisionInfo| {
        entries
            .iter()
            .find(|e| e.info.number == info.number)
            .and_then(|e| e.author_name.clone())
    };
    let (new_info, new_r) = new;
    let (from_meta, old_r) = match old {
        Some((info, r)) => (RevisionMeta::new(&info, name(&info).as_deref(), tz), r),
        None => (
            RevisionMeta {
                number: 0,
                when: String::new(),
                when_iso: String::new(),
                who: String::new(),
                status: "draft",
                status_label: "",
                summary: "Nothing: the article did not exist yet.".to_owned(),
            },
            Readable::default(),
        ),
    };
    let cmp = revisions::diff::compare(&old_r, &new_r, &|t| util::date_time(t, tz));
    let page = ComparePage {
        layout: AdminLayout::with_site(
            &site.title,
            &req,
            &authed,
            AdminNav::Articles,
            format!("Changes: {}", article.title),
        ),
        to_is_current: entries
            .first()
            .is_some_and(|e| e.info.number == new_info.number),
        article: ArticleHead::new(&article, &authed.user),
        to: RevisionMeta::new(&new_info, name(&new_info).as_deref(), tz),
        from: from_meta,
        fields: cmp.changed.into_iter().map(field_view).collect(),
        unchanged: cmp.unchanged.join(", "),
        numbers: entries.iter().map(|e| e.info.number).collect(),
    };
    render::admin(&req, &page)
}

/// POST /admin/articles/{id}/revisions/{n}/restore (fields: csrf_token, version)
pub async fn restore(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<(i32, i32)>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    let (id, n) = path.into_inner();
    let expected = form.id("version").ok_or_else(|| {
        WebError::BadRequest("the form has no version; reload the history page".into())
    })?;
    let user = authed.user.clone();
    // Checks the role first: only someone who may edit the article may restore.
    let mut plan = state
        .db(move |conn| revisions::plan_restore(conn, &user, id, n))
        .await?;
    // Plugins see a restore like any other save, and may refuse or amend it.
    match before_save(
        &state,
        &authed,
        Some(id),
        SaveAction::Save,
        plan.input.clone(),
    )
    .await?
    {
        SaveVerdict::Accept => {}
        SaveVerdict::Amend(input) => plan.input = input,
        SaveVerdict::Reject { message, .. } => {
            return Ok(render::redirect_flash(
                &history_url(id),
                "error",
                &format!("Revision {n} was not restored: {message}"),
            ));
        }
    }
    let user = authed.user.clone();
    match state.db(move |conn| revisions::apply_restore(conn, &user, id, Some(expected), plan)).await {
        Ok(r) => {
            tracing::info!(article = id, from = r.from, revision = r.number, by = authed.user.id, "revision restored");
            let mut msg = format!("Restored revision {} (saved as revision {}).", r.from, r.number);
            for notice in &r.notices {
                msg.push(' ');
                msg.push_str(notice);
            }
            Ok(render::redirect_flash(&format!("/admin/articles/{id}/edit"), "success", &msg))
        }
        Err(WebError::Core(CoreError::Conflict(_))) => Ok(render::redirect_flash(
            &history_url(id),
            "error",
            "Nothing was restored: the article was saved by someone else after this page was opened. Check the latest revision, then try again.",
        )),
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let messages: Vec<&str> = errors.0.iter().map(|e| e.message.as_str()).collect();
            Ok(render::redirect_flash(
                &history_url(id),
                "error",
                &format!("Revision {n} could not be restored as it is: {}", messages.join(" ")),
            ))
        }
        Err(e) => Err(e),
    }
}
