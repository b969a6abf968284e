//! Login throttling, kept in the database so the limit holds across nodes.
//!
//! Failed attempts are recorded per account and per client address; either
//! reaching [`MAX_FAILURES`] within [`WINDOW_MINUTES`] blocks further attempts
//! (Ghost allows 5 per hour; so do we).

use chrono::Duration;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult};
use crate::schema::login_attempts;
use crate::time::now;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_MINUTES: i64 = 60;

fn keys(email: &str, client: &str) -> [String; 2] {
    [
        format!("account:{}", crate::users::normalize_email(email)),
        format!("client:{client}"),
    ]
}

/// Errors with [`CoreError::Throttled`] when either key is over the limit.
pub fn check(conn: &mut DbConnection, email: &str, client: &str) -> CoreResult<()> {
    let since = now() - Duration::minutes(WINDOW_MINUTES);
    for key in keys(email, client) {
        let (count, oldest): (i64, Option<chrono::NaiveDateTime>) = login_attempts::table
            .filter(login_attempts::throttle_key.eq(&key))
            .filter(login_attempts::attempted_at.gt(since))
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::min(login_attempts::attempted_at),
            ))
            .first(conn)?;
        if count >= MAX_FAILURES {
            let wait = oldest
                .map(|o| (o + Duration::minutes(WINDOW_MINUTES) - now()).num_minutes() + 1)
                .unwrap_or(WINDOW_MINUTES)
                .clamp(1, WINDOW_MINUTES);
            return Err(CoreError::Throttled(format!(
                "Too many failed sign-in attempts. For your security, try again in {wait} minute{}.",
                if wait == 1 { "" } else { "s" }
            )));
        }
    }
    Ok(())
}

pub fn record_failure(conn: &mut DbConnection, email: &str, client: &str) -> CoreResult<()> {
    let t = now();
    for key in keys(email, client) {
        diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::throttle_key.eq(key),
                login_attempts::attempted_at.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A successful login forgives the account's failures (not the address's).
pub fn clear_account(conn: &mut DbConnection, email: &str) -> CoreResult<()> {
    let [account, _] = keys(email, "");
    diesel::delete(login_attempts::table.filter(login_attempts::throttle_key.eq(account)))
        .execute(conn)?;
    Ok(())
}

pub fn purge_old(conn: &mut DbConnection) -> CoreResult<usize> {
    let since = now() - Duration::minutes(WINDOW_MINUTES);
    Ok(
        diesel::delete(login_attempts::table.filter(login_attempts::attempted_at.le(since)))
            .execute(conn)?,
    )
}
