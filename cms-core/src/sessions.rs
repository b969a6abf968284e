//! Login sessions, stored in the database so any node can serve any request.
//! Only a SHA-256 of the cookie token is stored.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::CoreResult;
use crate::schema::{sessions, users};
use crate::time::now;
use crate::tokens::{hash_token, random_token};
use crate::users::User;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i32,
    pub token_hash: String,
    pub user_id: i32,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// A freshly created session and the secret to put in the cookie.
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

/// Starts a new session. Any session the browser presented before login is
/// destroyed by the caller (`replace`), so a planted session id is useless.
pub fn create(conn: &mut DbConnection, user_id: i32, ttl: Duration) -> CoreResult<NewSession> {
    let token = random_token();
    let t = now();
    let values = (
        sessions::token_hash.eq(hash_token(&token)),
        sessions::user_id.eq(user_id),
        sessions::csrf_token.eq(random_token()),
        sessions::created_at.eq(t),
        sessions::expires_at.eq(t + ttl),
        sessions::last_seen_at.eq(t),
    );
    let session = crate::with_backend!(conn, |c| diesel::insert_into(sessions::table)
        .values(values)
        .returning(Session::as_returning())
        .get_result(c))?;
    Ok(NewSession { token, session })
}

/// Looks up a live session and its user by cookie token. Expired sessions are
/// deleted on sight. Activity is recorded at most every five minutes, and each
/// recorded use slides the expiry forward by `ttl`.
pub fn authenticate(
    conn: &mut DbConnection,
    token: &str,
    ttl: Duration,
) -> CoreResult<Option<(Session, User)>> {
    let hash = hash_token(token);
    let found: Option<(Session, User)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(&hash))
        .select((Session::as_select(), User::as_select()))
        .first(conn)
        .optional()?;
    let Some((mut session, user)) = found else {
        return Ok(None);
    };
    let t = now();
    if session.expires_at <= t || !user.can_log_in() {
        diesel::delete(sessions::table.find(session.id)).execute(conn)?;
        return Ok(None);
    }
    if t - session.last_seen_at > Duration::minutes(5) {
        session.last_seen_at = t;
        session.expires_at = t + ttl;
        diesel::update(sessions::table.find(session.id))
            .set((
                sessions::last_seen_at.eq(t),
                sessions::expires_at.eq(session.expires_at),
            ))
            .execute(conn)?;
    }
    Ok(Some((session, user)))
}

/// Ends the session that owns this token (logout).
pub fn destroy(conn: &mut DbConnection, token: &str) -> CoreResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(hash_token(token))))
        .execute(conn)?;
    Ok(())
}

pub fn destroy_all_for_user(conn: &mut DbConnection, user_id: i32) -> CoreResult<()> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

/// Removes expired sessions (periodic housekeeping).
pub fn purge_expired(conn: &mut DbConnection) -> CoreResult<usize> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now()))).execute(conn)?)
}
