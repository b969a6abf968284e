//! Saving and deleting articles with the plugin hooks around the core
//! operation — one path for the admin panel and the Admin API alike.

use actix_web::web;
use cms_core::articles::{self, Article, ArticleInput, SaveAction, Status};
use cms_core::users::User;

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
    let article = state
        .db(move |conn| articles::save(conn, &actor, id, expected_version, input, action))
        .await?;
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
    state.hooks.article_after_delete(&DeletedArticle {
        id,
        title: deleted.title.clone(),
        slug: deleted.slug.clone(),
    });
    Ok(deleted)
}
