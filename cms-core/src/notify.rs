//! Messages between the Gazette nodes that share one PostgreSQL database,
//! through `LISTEN`/`NOTIFY`: how one node tells the others what a write
//! changed, so that in-memory state (the render cache) is never trusted
//! longer on one node than on the node that made the change.
//!
//! A SQLite site is one node: [`Listener::open`] answers `None` and there is
//! nothing to tell anyone.
//!
//! A listener holds its own connection (never a pooled one: `LISTEN` belongs
//! to the session, and a pooled connection would carry it to whoever gets
//! the connection next). Receiving never blocks: it reads what the server
//! has already sent.

use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::db::DatabaseUrl;
use crate::error::{CoreError, CoreResult};

/// Longest payload PostgreSQL accepts in a notification is 8000 bytes; ours
/// are a few dozen.
const MAX_PAYLOAD: usize = 7999;

/// A connection listening on one channel, which can also send on it.
pub struct Listener {
    conn: PgConnection,
    channel: &'static str,
}

impl Listener {
    /// Listens on `channel` (a lower-case SQL identifier of ours, never user
    /// text). `None` for SQLite.
    pub fn open(url: &DatabaseUrl, channel: &'static str) -> CoreResult<Option<Listener>> {
        let DatabaseUrl::Postgres(url) = url else {
            return Ok(None);
        };
        if !channel.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(CoreError::Config(format!(
                "notification channel `{channel}` is not a plain identifier"
            )));
        }
        let mut conn = PgConnection::establish(url)
            .map_err(|e| CoreError::Config(format!("cannot connect for notifications: {e}")))?;
        diesel::sql_query(format!("LISTEN {channel}")).execute(&mut conn)?;
        Ok(Some(Listener { conn, channel }))
    }

    /// Sends `payload` to every listener on the channel, this one included.
    pub fn send(&mut self, payload: &str) -> CoreResult<()> {
        if payload.len() > MAX_PAYLOAD {
            return Err(CoreError::invalid(
                "payload",
                "a notification holds at most 7 999 bytes",
            ));
        }
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(self.channel)
            .bind::<Text, _>(payload)
            .execute(&mut self.conn)?;
        Ok(())
    }

    /// The payloads received since the last call, oldest first; never waits.
    /// An error means the connection is gone: open a new listener (and
    /// assume messages were missed meanwhile).
    pub fn received(&mut self) -> CoreResult<Vec<String>> {
        let mut out = Vec::new();
        for n in self.conn.notifications_iter() {
            out.push(n?.payload);
        }
        Ok(out)
    }
}
