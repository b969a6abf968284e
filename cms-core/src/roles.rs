//! Roles and the permission rules every interface (admin panel, API, CLI) shares.

use serde::{Deserialize, Serialize};

use crate::articles::{Article, Status};
use crate::users::User;

/// What a user may do. Ordered from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything: users, settings, and (later) plugins.
    Administrator,
    /// All articles and categories; can publish.
    Editor,
    /// Writes and publishes their own articles only.
    Author,
    /// Writes their own drafts; cannot publish or edit once published.
    Contributor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Administrator,
        Role::Editor,
        Role::Author,
        Role::Contributor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Editor => "editor",
            Role::Author => "author",
            Role::Contributor => "contributor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Editor => "Editor",
            Role::Author => "Author",
            Role::Contributor => "Contributor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Editors and administrators act on every article.
pub fn edits_all_articles(user: &User) -> bool {
    matches!(user.role(), Role::Administrator | Role::Editor)
}

pub fn can_manage_users(user: &User) -> bool {
    user.role() == Role::Administrator
}

pub fn can_manage_settings(user: &User) -> bool {
    user.role() == Role::Administrator
}

pub fn can_manage_categories(user: &User) -> bool {
    edits_all_articles(user)
}

/// May choose another user as an article's author.
pub fn can_assign_author(user: &User) -> bool {
    edits_all_articles(user)
}

/// May see the article in the admin panel and open its editor.
pub fn can_view_article(user: &User, article: &Article) -> bool {
    edits_all_articles(user) || article.author_id == user.id
}

/// May change the article's content.
pub fn can_edit_article(user: &User, article: &Article) -> bool {
    if edits_all_articles(user) {
        return true;
    }
    if article.author_id != user.id {
        return false;
    }
    match user.role() {
        Role::Author => true,
        // A contributor's work is frozen once it leaves the draft state.
        Role::Contributor => article.status() == Status::Draft,
        _ => false,
    }
}

/// May publish, schedule, unpublish or archive (the article's own rules aside).
pub fn can_publish(user: &User, article_author_id: i32) -> bool {
    match user.role() {
        Role::Administrator | Role::Editor => true,
        Role::Author => article_author_id == user.id,
        Role::Contributor => false,
    }
}

pub fn can_delete_article(user: &User, article: &Article) -> bool {
    can_edit_article(user, article)
}

/// Every role may upload images: contributors illustrate their drafts too.
pub fn can_upload_media(_user: &User) -> bool {
    true
}

/// May change an image's alt text or delete it: its uploader, or an editor.
pub fn can_manage_media(user: &User, uploader_id: Option<i32>) -> bool {
    edits_all_articles(user) || uploader_id == Some(user.id)
}
