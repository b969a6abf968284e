//! The conflict page: someone else saved the article after this editor opened
//! it, so both versions are shown side by side.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use cms_core::articles::{self, ArticleInput};
use cms_core::settings;

use crate::admin::articles::form::{Action, EditorForm};
use crate::admin::articles::view::{ConflictPage, VersionView};
use crate::auth::Authed;
use crate::error::WebResult;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;
use crate::util;

/// Someone saved the article after this editor opened it: show both versions
/// and let the editor choose. Nothing has been written.
pub(super) async fn conflict(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: i32,
    mut yours: EditorForm,
    action: &str,
) -> WebResult<HttpResponse> {
    let (theirs_article, theirs, site) = state
        .db(move |conn| {
            let a = articles::find(conn, id)?;
            let input = articles::save::load_input(conn, &a)?;
            Ok((a, input, settings::load(conn)?))
        })
        .await?;
    let mut all_ids: Vec<i32> = theirs
        .links
        .iter()
        .chain(&yours.input.links)
        .filter_map(|l| l.target_article_id)
        .collect();
    all_ids.dedup();
    let titles = state
        .db(move |conn| articles::find_many(conn, &all_ids))
        .await?;
    let view = |i: &ArticleInput| VersionView {
        title: i.title.clone(),
        slug: i.slug.clone(),
        standfirst: i.standfirst.clone(),
        sections: i
            .sections
            .iter()
            .map(|s| (s.heading.clone(), s.body.clone()))
            .collect(),
        links: i
            .links
            .iter()
            .map(|l| match l.target_article_id {
                Some(t) => titles
                    .iter()
                    .find(|a| a.id == t)
                    .map_or_else(|| format!("Article #{t}"), |a| a.title.clone()),
                None => format!("{} <{}>", l.title, l.url),
            })
            .collect(),
    };
    let rows = ConflictPage::diff(&view(&theirs), &view(&yours.input));
    yours.version = Some(theirs_article.version);
    let page = ConflictPage {
        layout: AdminLayout::with_site(
            &site.title,
            req,
            authed,
            AdminNav::Articles,
            "Conflicting changes",
        ),
        article_id: id,
        theirs_version: theirs_article.version,
        theirs_updated: util::date_time(theirs_article.updated_at, site.tz()),
        rows,
        yours,
        yours_action: if Action::parse(action).is_some() {
            action.to_owned()
        } else {
            "save".into()
        },
    };
    render::admin_status(req, &page, StatusCode::CONFLICT)
}
