//! Admin API bearer tokens: named, scoped, revocable, shown once and stored
//! only as a SHA-256 hash. A token acts as the user who created it, so the
//! same role rules apply as in the admin panel.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult, FieldErrors};
use crate::schema::{api_tokens, users};
use crate::time::now;
use crate::tokens::{hash_token, random_token};
use crate::users::User;
use crate::with_backend;

/// Prefix that makes Gazette tokens recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "gz_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// GET only.
    Read,
    /// Everything the user's role allows.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub token_prefix: String,
    #[diesel(column_name = scope)]
    pub scope_name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl ApiToken {
    pub fn scope(&self) -> Scope {
        Scope::parse(&self.scope_name).unwrap_or(Scope::Read)
    }
}

/// A new token and its secret (the only time the secret is available).
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

pub fn create(
    conn: &mut DbConnection,
    owner: &User,
    name: &str,
    scope: &str,
) -> CoreResult<CreatedToken> {
    let mut errors = FieldErrors::default();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add(
            "name",
            "Name the token (up to 100 characters), e.g. after the integration that uses it.",
        );
    }
    let scope = Scope::parse(scope);
    if scope.is_none() {
        errors.add("scope", "Choose read or write.");
    }
    errors.into_result()?;
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let values = (
        api_tokens::user_id.eq(owner.id),
        api_tokens::name.eq(name),
        api_tokens::token_hash.eq(hash_token(&secret)),
        api_tokens::token_prefix.eq(&secret[..TOKEN_PREFIX.len() + 6]),
        api_tokens::scope.eq(scope.unwrap_or(Scope::Read).as_str()),
        api_tokens::created_at.eq(now()),
    );
    let token = with_backend!(conn, |c| diesel::insert_into(api_tokens::table)
        .values(values)
        .returning(ApiToken::as_returning())
        .get_result(c))?;
    Ok(CreatedToken { token, secret })
}

/// Resolves a bearer token to its (live) token row and user, recording use at
/// most once a minute.
pub fn authenticate(conn: &mut DbConnection, secret: &str) -> CoreResult<Option<(ApiToken, User)>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let found: Option<(ApiToken, User)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash_token(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .select((ApiToken::as_select(), User::as_select()))
        .first(conn)
        .optional()?;
    if let Some((tok, _)) = &found {
        let t = now();
        if tok
            .last_used_at
            .is_none_or(|u| t - u > Duration::minutes(1))
        {
            diesel::update(api_tokens::table.find(tok.id))
                .set(api_tokens::last_used_at.eq(Some(t)))
                .execute(conn)?;
        }
    }
    Ok(found)
}

/// Tokens the user may see: administrators see all, others their own.
pub fn list(conn: &mut DbConnection, viewer: &User) -> CoreResult<Vec<(ApiToken, String)>> {
    let mut q = api_tokens::table.inner_join(users::table).into_boxed();
    if !crate::roles::can_manage_users(viewer) {
        q = q.filter(api_tokens::user_id.eq(viewer.id));
    }
    Ok(q.order(api_tokens::created_at.desc())
        .select((ApiToken::as_select(), users::display_name))
        .load(conn)?)
}

/// Revokes a token (kept for the record). Owners and administrators may.
pub fn revoke(conn: &mut DbConnection, actor: &User, id: i32) -> CoreResult<()> {
    let tok: ApiToken = api_tokens::table
        .find(id)
        .select(ApiToken::as_select())
        .first(conn)?;
    if tok.user_id != actor.id && !crate::roles::can_manage_users(actor) {
        return Err(CoreError::Forbidden("not your token".into()));
    }
    diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}
