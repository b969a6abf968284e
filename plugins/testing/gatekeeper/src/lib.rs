//! Test-only: exercises the content lifecycle hooks.
//!
//! - rejects a save whose title contains `[reject]`, with a message for the title field;
//! - amends a title containing `[amend]` (the marker is removed);
//! - records the last published and deleted article ids in its key-value store.

use gazette_plugin_sdk::prelude::*;

#[derive(Default)]
struct Gatekeeper;

impl Plugin for Gatekeeper {
    fn metadata(&self) -> Metadata {
        Metadata::new(
            "gatekeeper",
            env!("CARGO_PKG_VERSION"),
            "Test plugin for article_before_save / after_publish / after_delete.",
        )
        .hook(Hook::ArticleBeforeSave)
        .hook(Hook::ArticleAfterPublish)
        .hook(Hook::ArticleAfterDelete)
    }

    fn article_before_save(&self, _host: &Host, event: &BeforeSave) -> Result<SaveDecision> {
        let title = &event.article.title;
        if title.contains("[reject]") {
            return Ok(SaveDecision::Reject {
                message: "Gatekeeper: titles may not contain [reject].".into(),
                field: Some("title".into()),
            });
        }
        if title.contains("[amend]") {
            let mut a = event.article.clone();
            a.title = title
                .replace("[amend]", "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            return Ok(SaveDecision::Amend(a));
        }
        Ok(SaveDecision::Accept)
    }

    fn article_after_publish(&self, host: &Host, article: &ArticleItem) -> Result<()> {
        host.kv_set("last_published", &article.id)
    }

    fn article_after_delete(&self, host: &Host, article: &DeletedArticle) -> Result<()> {
        host.kv_set("last_deleted", &article.id)
    }
}

declare_plugin!(Gatekeeper);
