//! Background work: publish due articles and tidy expired sessions.
//!
//! Safe with several nodes: publishing claims each article with a conditional
//! update (see `articles::publish_due`), so every article is published once.

use std::time::Duration;

use cms_core::{articles, sessions, throttle};

use crate::state::AppState;

pub fn spawn(state: AppState) {
    let every = Duration::from_secs(state.config.scheduler_interval_secs);
    actix_rt::spawn(async move {
        let mut ticks: u64 = 0;
        let mut interval = actix_rt::time::interval(every);
        loop {
            interval.tick().await;
            run_once(&state, ticks).await;
            ticks += 1;
        }
    });
}

/// One pass of the scheduler (public for tests).
pub async fn run_once(state: &AppState, tick: u64) {
    match state.db(articles::publish_due).await {
        Ok(ids) if !ids.is_empty() => {
            tracing::info!(?ids, "published scheduled articles");
            state.cache.invalidate_all();
            for id in ids {
                state.hooks.article_after_publish(id);
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "scheduler: publishing due articles failed"),
    }
    // Housekeeping roughly every ten minutes.
    if tick.is_multiple_of(40) {
        let res = state
            .db(|conn| {
                let s = sessions::purge_expired(conn)?;
                let t = throttle::purge_old(conn)?;
                Ok((s, t))
            })
            .await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "scheduler: housekeeping failed");
        }
    }
}
