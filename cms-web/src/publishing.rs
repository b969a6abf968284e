//! Saving and deleting articles with the plugin hooks around the core
//! operation — one path for the admin panel and the Admin API alike.

use actix_web::web;
use cms_core::articles::{self, Article, ArticleInput, SaveAction, Status};
use cms_core::users::User;

use crate::cache::{self, Change};
use crate::error::{WebError, WebResult};
use crate::hooks::{BeforeSave, DeletedArticle, SaveVerdict};
use crate::state::AppState;

/// Outcome of [`save_article`].
pub enum Saved {
    Done(Article),
    /// A plugin refused the save; nothing was written.
    Rejected {
        message: String,
        field: Option<String>,
    },
}

fn action_name(action: SaveAction) -> &'static str {
    match action {
        SaveAction::Save => "save",
        SaveAction::Publish => "publish",
        SaveAction::Schedule => "schedule",
        SaveAction::Unpublish => "unpublish",
        SaveAction::Archive => "archive",
    }
}

/// Runs the plugins' `article_before_save` hooks on the blocking pool.
pub async fn before_save(
    state: &AppState,
    user: &User,
    id: Option<i32>,
    action: SaveAction,
    input: ArticleInput,
) -> WebResult<SaveVerdict> {
    let hooks = state.hooks.clone();
    let event = BeforeSave {
        article_id: id,
        action: action_name(action),
        user_id: user.id,
        user_name: user.display_name.clone(),
        user_role: user.role().as_str(),
        input,
    };
    web::block(move || hooks.article_before_save(&event))
        .await
        .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))
}

/// `article_before_save` → `articles::save` → `article_after_publish`.
pub async fn save_article(
    state: &AppState,
    user: &User,
    id: Option<i32>,
    expected_version: Option<i32>,
    input: ArticleInput,
    action: SaveAction,
) -> WebResult<Saved> {
    let input = match before_save(state, user, id, action, input.clone()).await? {
        SaveVerdict::Accept => input,
        SaveVerdict::Amend(amended) => amended,
        SaveVerdict::Reject { message, field } => return Ok(Saved::Rejected { message, field }),
    };
    let actor = user.clone();
    let (before, article) = state
        .db(move |conn| {
            articles::save_with_previous(conn, &actor, id, expected_version, input, action)
        })
        .await?;
    cache::declare(change_of(before.as_ref(), &article));
    if action == SaveAction::Publish && article.status() == Status::Published {
        state.hooks.article_after_publish(article.id);
    }
    Ok(Saved::Done(article))
}

/// `articles::delete` → `article_after_delete`.
pub async fn delete_article(state: &AppState, user: &User, id: i32) -> WebResult<Article> {
    let actor = user.clone();
    let deleted = state
        .db(move |conn| articles::delete(conn, &actor, id))
        .await?;
    tracing::info!(article = id, by = user.id, "article deleted");
    cache::declare(if deleted.is_public() {
        Change::Everything
    } else {
        Change::Nothing
    });
    state.hooks.article_after_delete(&DeletedArticle {
        id,
        title: deleted.title.clone(),
        slug: deleted.slug.clone(),
    });
    Ok(deleted)
}

/// What saving an article (`before` → `after`) may have changed for visitors.
///
/// Not public before or after (a draft, or scheduled for later): nothing.
/// Public before and after with the same listing card: that article's own
/// page and the listings (its text shows in feeds, search and the API).
/// Anything else changes what other pages show (every article page lists
/// other articles' cards in its widgets): everything.
pub fn change_of(before: Option<&Article>, after: &Article) -> Change {
    let t = cms_core::time::now();
    let was_public = before.is_some_and(|b| b.is_public_at(t));
    match (before, was_public, after.is_public_at(t)) {
        (_, false, false) => Change::Nothing,
        (Some(b), true, true) if same_card(b, after) => Change::Article(after.id),
        _ => Change::Everything,
    }
}

/// Whether two versions of an article look the same in a listing or widget.
fn same_card(a: &Article, b: &Article) -> bool {
    a.id == b.id
        && a.title == b.title
        && a.slug == b.slug
        && a.standfirst == b.standfirst
        && a.author_id == b.author_id
        && a.category_id == b.category_id
        && a.status_name == b.status_name
        && a.published_at == b.published_at
        && a.cover_media_id == b.cover_media_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn article(status: &str, published_ago_secs: Option<i64>) -> Article {
        let t = cms_core::time::now();
        Article {
            id: 9,
            title: "A title".into(),
            slug: "a-title".into(),
            standfirst: "Standfirst".into(),
            author_id: 1,
            category_id: Some(2),
            status_name: status.into(),
            published_at: published_ago_secs.map(|s| t - Duration::seconds(s)),
            created_at: t,
            updated_at: t,
            version: 1,
            is_sample: false,
            meta_title: String::new(),
            meta_description: String::new(),
            cover_media_id: None,
        }
    }

    #[test]
    fn drafts_change_nothing_public() {
        let draft = article("draft", None);
        assert_eq!(change_of(None, &draft), Change::Nothing);
        assert_eq!(change_of(Some(&draft), &draft), Change::Nothing);
        let later = article("scheduled", Some(-3600));
        assert_eq!(
            change_of(Some(&draft), &later),
            Change::Nothing,
            "scheduled for later"
        );
    }

    #[test]
    fn a_body_edit_is_one_article_and_a_card_edit_is_everything() {
        let live = article("published", Some(60));
        let edited = Article {
            version: 2,
            meta_title: "SEO".into(),
            ..live.clone()
        };
        assert_eq!(change_of(Some(&live), &edited), Change::Article(9));
        let retitled = Article {
            title: "New title".into(),
            ..live.clone()
        };
        assert_eq!(change_of(Some(&live), &retitled), Change::Everything);
        let moved = Article {
            category_id: Some(3),
            ..live.clone()
        };
        assert_eq!(change_of(Some(&live), &moved), Change::Everything);
        let pulled = article("draft", Some(60));
        assert_eq!(
            change_of(Some(&live), &pulled),
            Change::Everything,
            "unpublished"
        );
        assert_eq!(
            change_of(Some(&pulled), &live),
            Change::Everything,
            "published"
        );
        assert_eq!(
            change_of(None, &live),
            Change::Everything,
            "created published"
        );
    }
}
