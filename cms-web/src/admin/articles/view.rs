//! View models for the article editor and conflict page.

use cms_core::articles::public::ArticleCard;
use cms_core::articles::{Article, Status};
use cms_core::categories::Category;
use cms_core::media::Media;
use cms_core::users::User;
use cms_core::FieldErrors;

use super::form::EditorForm;
use crate::layout::AdminLayout;
use crate::util;

pub struct Choice {
    pub id: i32,
    pub name: String,
    pub selected: bool,
}

pub struct SectionView {
    pub index: usize,
    pub number: usize,
    pub heading: String,
    pub body: String,
    pub heading_err: String,
    pub body_err: String,
    pub is_first: bool,
    pub is_last: bool,
}

pub struct LinkView {
    pub index: usize,
    pub number: usize,
    /// The target article id as a form value, or "".
    pub target: String,
    pub is_internal: bool,
    /// Internal: the target's current title (or a notice when it is gone).
    pub target_title: String,
    pub target_meta: String,
    pub url: String,
    pub title: String,
    pub err: String,
    pub url_err: String,
    pub title_err: String,
    pub is_first: bool,
    pub is_last: bool,
}

/// An image the editor can choose as the cover.
pub struct CoverChoice {
    pub id: i32,
    pub thumb: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub selected: bool,
}

/// A section an image can go into (`insert_section`, `upload_target`).
pub struct SectionTarget {
    pub index: usize,
    pub label: String,
}

pub struct ResultView {
    pub id: i32,
    pub title: String,
    pub meta: String,
}

/// Everything besides the form itself that the editor shows.
pub struct EditorContext {
    pub site_title: String,
    pub tz: chrono_tz::Tz,
    pub categories: Vec<Category>,
    /// Empty unless the user may choose the author.
    pub authors: Vec<User>,
    pub targets: Vec<ArticleCard>,
    pub targets_status: Vec<(i32, Status)>,
    pub results: Vec<ArticleCard>,
    pub current: Option<Article>,
    pub can_edit: bool,
    pub can_publish: bool,
    pub can_delete: bool,
    /// How many revisions the article has (0 for a new one).
    pub revision_count: i64,
    /// The newest images, for the cover picker and "Insert image".
    pub recent_media: Vec<Media>,
    /// The chosen cover, loaded even when it is not among the newest.
    pub cover: Option<Media>,
}

#[derive(askama::Template)]
#[template(path = "admin/article_edit.html")]
pub struct EditorPage {
    pub layout: AdminLayout,
    pub article_id: Option<i32>,
    pub form_action: String,
    pub version: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub status_note: String,
    pub public_url: String,
    pub notice: String,
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    pub published_at: String,
    /// SEO overrides (empty: the title and standfirst are used).
    pub meta_title: String,
    pub meta_description: String,
    pub max_meta_title: usize,
    pub max_meta_description: usize,
    pub categories: Vec<Choice>,
    pub authors: Vec<Choice>,
    pub sections: Vec<SectionView>,
    pub links: Vec<LinkView>,
    pub link_query: String,
    pub searched: bool,
    pub results: Vec<ResultView>,
    pub can_edit: bool,
    pub can_publish: bool,
    pub can_delete: bool,
    /// For the "History (N revisions)" link.
    pub revision_count: i64,
    pub is_published: bool,
    pub is_scheduled: bool,
    /// Cover picker: "no cover" plus the recent images (the chosen one first).
    pub cover_choices: Vec<CoverChoice>,
    pub no_cover: bool,
    /// Where the inline upload posts (multipart, via `formaction`).
    pub upload_action: String,
    pub upload_alt: String,
    pub upload_accept: &'static str,
    pub section_targets: Vec<SectionTarget>,
    /// Images for "Insert image into a section".
    pub insert_choices: Vec<Choice>,
    pub errors: FieldErrors,
    pub error_count: usize,
}

impl EditorPage {
    pub fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    pub fn build(
        layout: AdminLayout,
        ctx: &EditorContext,
        form: &EditorForm,
        errors: FieldErrors,
        notice: String,
        searched: bool,
    ) -> Self {
        let tz = ctx.tz;
        let id = ctx.current.as_ref().map(|a| a.id);
        let status = ctx.current.as_ref().map_or(Status::Draft, Article::status);
        let status_note = match (&ctx.current, status) {
            (None, _) => "New article, not saved yet".to_owned(),
            (Some(a), Status::Published) => {
                format!(
                    "Published {}",
                    a.published_at
                        .map(|t| util::date_time(t, tz))
                        .unwrap_or_default()
                )
            }
            (Some(a), Status::Scheduled) => {
                format!(
                    "Scheduled for {}",
                    a.published_at
                        .map(|t| util::date_time(t, tz))
                        .unwrap_or_default()
                )
            }
            (Some(a), _) => format!("Last saved {}", util::date_time(a.updated_at, tz)),
        };
        let public_url = ctx
            .current
            .as_ref()
            .filter(|a| a.is_public())
            .map(|a| format!("/articles/{}", a.slug))
            .unwrap_or_default();
        let n_sections = form.input.sections.len();
        let sections = form
            .input
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| SectionView {
                index: i,
                number: i + 1,
                heading: s.heading.clone(),
                body: s.body.clone(),
                heading_err: errors
                    .get(&format!("sections[{i}].heading"))
                    .unwrap_or("")
                    .to_owned(),
                body_err: errors
                    .get(&format!("sections[{i}].body"))
                    .unwrap_or("")
                    .to_owned(),
                is_first: i == 0,
                is_last: i + 1 == n_sections,
            })
            .collect();
        let n_links = form.input.links.len();
        let links = form
            .input
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let target = l
                    .target_article_id
                    .and_then(|t| ctx.targets.iter().find(|c| c.id == t));
                let (target_title, target_meta) = match (l.target_article_id, target) {
                    (Some(_), Some(c)) => {
                        let st = ctx
                            .targets_status
                            .iter()
                            .find(|(id, _)| *id == c.id)
                            .map(|(_, s)| *s);
                        let mut meta = c.author_name.clone();
                        if let Some(t) = c.published_at {
                            meta = format!("{meta} · {}", util::date_long(t, tz));
                        }
                        if let Some(s) = st.filter(|s| *s != Status::Published) {
                            meta = format!(
                                "{meta} · {} (not shown publicly until published)",
                                s.label()
                            );
                        }
                        (c.title.clone(), meta)
                    }
                    (Some(t), None) => (
                        format!("Article #{t}"),
                        "This article no longer exists.".to_owned(),
                    ),
                    _ => (String::new(), String::new()),
                };
                LinkView {
                    index: i,
                    number: i + 1,
                    target: l
                        .target_article_id
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    is_internal: l.target_article_id.is_some(),
                    target_title,
                    target_meta,
                    url: l.url.clone(),
                    title: l.title.clone(),
                    err: errors.get(&format!("links[{i}]")).unwrap_or("").to_owned(),
                    url_err: errors
                        .get(&format!("links[{i}].url"))
                        .unwrap_or("")
                        .to_owned(),
                    title_err: errors
                        .get(&format!("links[{i}].title"))
                        .unwrap_or("")
                        .to_owned(),
                    is_first: i == 0,
                    is_last: i + 1 == n_links,
                }
            })
            .collect();
        let results = ctx
            .results
            .iter()
            .filter(|c| {
                !form
                    .input
                    .links
                    .iter()
                    .any(|l| l.target_article_id == Some(c.id))
            })
            .map(|c| ResultView {
                id: c.id,
                title: c.title.clone(),
                meta: format!(
                    "{}{}",
                    c.author_name,
                    c.published_at
                        .map(|t| format!(" · {}", util::date_long(t, tz)))
                        .unwrap_or_else(|| " · not published".into())
                ),
            })
            .collect();
        let cover_id = form.input.cover_media_id;
        let mut pickable: Vec<&Media> = ctx.cover.iter().collect();
        pickable.extend(
            ctx.recent_media
                .iter()
                .filter(|m| Some(m.id) != ctx.cover.as_ref().map(|c| c.id)),
        );
        let cover_choices = pickable
            .iter()
            .map(|m| {
                let thumb = m.thumbnail();
                CoverChoice {
                    id: m.id,
                    thumb: thumb.map(|v| v.path()).unwrap_or_default(),
                    width: thumb.map_or(0, |v| v.width),
                    height: thumb.map_or(0, |v| v.height),
                    alt: m.alt.clone(),
                    selected: Some(m.id) == cover_id,
                }
            })
            .collect();
        let section_targets = form
            .input
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| SectionTarget {
                index: i,
                label: if s.heading.trim().is_empty() {
                    format!("Section {}", i + 1)
                } else {
                    format!("Section {}: {}", i + 1, s.heading.trim())
                },
            })
            .collect();
        let insert_choices = ctx
            .recent_media
            .iter()
            .map(|m| Choice {
                id: m.id,
                name: m.alt.clone(),
                selected: Some(m.id) == form.insert_media_id,
            })
            .collect();
        let cat = form.input.category_id;
        let author = form
            .input
            .author_id
            .or(ctx.current.as_ref().map(|a| a.author_id));
        EditorPage {
            layout,
            article_id: id,
            form_action: id.map_or_else(
                || "/admin/articles/new".to_owned(),
                |i| format!("/admin/articles/{i}/edit"),
            ),
            version: form
                .version
                .or(ctx.current.as_ref().map(|a| a.version))
                .map(|v| v.to_string())
                .unwrap_or_default(),
            status: status.as_str(),
            status_label: status.label(),
            status_note,
            public_url,
            notice,
            title: form.input.title.clone(),
            slug: form.input.slug.clone(),
            standfirst: form.input.standfirst.clone(),
            published_at: form.published_at_raw.clone(),
            meta_title: form.input.meta_title.clone(),
            meta_description: form.input.meta_description.clone(),
            max_meta_title: cms_core::articles::save::MAX_META_TITLE_CHARS,
            max_meta_description: cms_core::articles::save::MAX_META_DESCRIPTION_CHARS,
            categories: ctx
                .categories
                .iter()
                .map(|c| Choice {
                    id: c.id,
                    name: c.name.clone(),
                    selected: Some(c.id) == cat,
                })
                .collect(),
            authors: ctx
                .authors
                .iter()
                .map(|u| Choice {
                    id: u.id,
                    name: format!("{} ({})", u.display_name, u.role().label()),
                    selected: Some(u.id) == author,
                })
                .collect(),
            sections,
            links,
            link_query: form.link_query.clone(),
            searched,
            results,
            can_edit: ctx.can_edit,
            can_publish: ctx.can_publish,
            can_delete: ctx.can_delete,
            revision_count: ctx.revision_count,
            is_published: status == Status::Published,
            is_scheduled: status == Status::Scheduled,
            // A cover that is not among the choices (deleted meanwhile) reads as none.
            no_cover: cover_id.is_none_or(|c| !pickable.iter().any(|m| m.id == c)),
            cover_choices,
            upload_action: id.map_or_else(
                || "/admin/articles/new/upload".to_owned(),
                |i| format!("/admin/articles/{i}/upload"),
            ),
            upload_alt: form.upload_alt.clone(),
            upload_accept: "image/jpeg,image/png,image/webp,image/gif",
            section_targets,
            insert_choices,
            error_count: errors.0.len(),
            errors,
        }
    }
}

/// One side of the conflict page.
pub struct VersionView {
    pub title: String,
    pub slug: String,
    pub standfirst: String,
    pub sections: Vec<(String, String)>,
    pub links: Vec<String>,
}

pub struct DiffRow {
    pub label: String,
    pub theirs: String,
    pub yours: String,
    pub differs: bool,
}

#[derive(askama::Template)]
#[template(path = "admin/article_conflict.html")]
pub struct ConflictPage {
    pub layout: AdminLayout,
    pub article_id: i32,
    pub theirs_version: i32,
    pub theirs_updated: String,
    pub rows: Vec<DiffRow>,
    /// The user's submission, re-posted as hidden fields.
    pub yours: EditorForm,
    pub yours_action: String,
}

impl ConflictPage {
    pub fn diff(theirs: &VersionView, yours: &VersionView) -> Vec<DiffRow> {
        let mut rows = vec![
            row("Title", &theirs.title, &yours.title),
            row("URL name", &theirs.slug, &yours.slug),
            row("Standfirst", &theirs.standfirst, &yours.standfirst),
        ];
        let n = theirs.sections.len().max(yours.sections.len());
        for i in 0..n {
            let show = |s: Option<&(String, String)>| {
                s.map(|(h, b)| {
                    if h.is_empty() {
                        b.clone()
                    } else {
                        format!("## {h}\n\n{b}")
                    }
                })
                .unwrap_or_else(|| "(no section)".into())
            };
            rows.push(row(
                &format!("Section {}", i + 1),
                &show(theirs.sections.get(i)),
                &show(yours.sections.get(i)),
            ));
        }
        rows.push(row(
            "Related links",
            &theirs.links.join("\n"),
            &yours.links.join("\n"),
        ));
        rows
    }
}

fn row(label: &str, theirs: &str, yours: &str) -> DiffRow {
    DiffRow {
        label: label.to_owned(),
        theirs: theirs.to_owned(),
        yours: yours.to_owned(),
        differs: theirs.trim() != yours.trim(),
    }
}
