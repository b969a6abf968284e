//! Users (who are also the site's authors), passwords and profiles.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::error::{CoreError, CoreResult, FieldErrors};
use crate::roles::{self, Role};
use crate::schema::{articles, users};
use crate::slugs;
use crate::time::now;
use crate::with_backend;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    #[diesel(column_name = role)]
    pub role_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub is_sample: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The user's role; an unknown value in the database is treated as the
    /// least powerful role rather than an error.
    pub fn role(&self) -> Role {
        Role::parse(&self.role_name).unwrap_or(Role::Contributor)
    }
    pub fn can_log_in(&self) -> bool {
        self.password_hash.is_some()
    }
}

/// Input for creating a user.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub role: String,
    /// `None` creates an account that cannot log in yet (an invited or imported author).
    pub password: Option<String>,
}

/// Input for editing a user's profile (by themselves or an administrator).
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
}

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id (PHC string).
pub fn hash_password(password: &str) -> CoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| CoreError::Hash)
}

/// Checks a password against a stored PHC string.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification, so a login for an unknown
/// email cannot be told apart from a wrong password by timing.
pub fn burn_verification(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("gazette-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

pub fn validate_password(field: &str, password: &str, errors: &mut FieldErrors) {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        errors.add(
            field,
            format!("Use at least {MIN_PASSWORD_LEN} characters."),
        );
    } else if password.len() > MAX_PASSWORD_LEN {
        errors.add(field, format!("Use at most {MAX_PASSWORD_LEN} bytes."));
    }
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn validate_email(email: &str, errors: &mut FieldErrors) {
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !ok {
        errors.add("email", "Enter a valid email address.");
    }
}

fn validate_profile(
    conn: &mut DbConnection,
    input: &ProfileInput,
    own_id: Option<i32>,
    errors: &mut FieldErrors,
) -> CoreResult<()> {
    validate_email(&input.email, errors);
    let name = input.display_name.trim();
    if name.is_empty() {
        errors.add("display_name", "Enter a name.");
    } else if name.chars().count() > 100 {
        errors.add("display_name", "Use at most 100 characters.");
    }
    if input.bio.chars().count() > 2000 {
        errors.add("bio", "Use at most 2000 characters.");
    }
    if let Err(msg) = slugs::validate(&input.slug) {
        errors.add("slug", msg);
    }
    if errors.get("email").is_none() {
        let taken: i64 = users::table
            .filter(users::email.eq(&input.email))
            .filter(users::id.ne(own_id.unwrap_or(-1)))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            errors.add("email", "Another account already uses this email.");
        }
    }
    if errors.get("slug").is_none() {
        let taken: i64 = users::table
            .filter(users::slug.eq(&input.slug))
            .filter(users::id.ne(own_id.unwrap_or(-1)))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            errors.add("slug", "Another author already uses this URL name.");
        }
    }
    Ok(())
}

/// Creates a user after validating every field. Returns the new user.
pub fn create(conn: &mut DbConnection, input: NewUserInput) -> CoreResult<User> {
    let mut input = input;
    input.email = normalize_email(&input.email);
    input.display_name = input.display_name.trim().to_owned();
    if input.slug.trim().is_empty() {
        input.slug = slugs::slugify(&input.display_name);
    } else {
        input.slug = input.slug.trim().to_owned();
    }
    let mut errors = FieldErrors::default();
    let profile = ProfileInput {
        email: input.email.clone(),
        display_name: input.display_name.clone(),
        slug: input.slug.clone(),
        bio: input.bio.clone(),
    };
    validate_profile(conn, &profile, None, &mut errors)?;
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.add("role", "Choose a role.");
    }
    if let Some(pw) = &input.password {
        validate_password("password", pw, &mut errors);
    }
    errors.into_result()?;
    let hash = input.password.as_deref().map(hash_password).transpose()?;
    insert_user(
        conn,
        &profile,
        role.unwrap_or(Role::Contributor),
        hash,
        false,
    )
}

pub(crate) fn insert_user(
    conn: &mut DbConnection,
    p: &ProfileInput,
    role: Role,
    password_hash: Option<String>,
    is_sample: bool,
) -> CoreResult<User> {
    let t = now();
    let values = (
        users::email.eq(&p.email),
        users::display_name.eq(&p.display_name),
        users::slug.eq(&p.slug),
        users::bio.eq(&p.bio),
        users::role.eq(role.as_str()),
        users::password_hash.eq(password_hash),
        users::is_sample.eq(is_sample),
        users::created_at.eq(t),
        users::updated_at.eq(t),
    );
    let user = with_backend!(conn, |c| diesel::insert_into(users::table)
        .values(values)
        .returning(User::as_returning())
        .get_result(c))?;
    Ok(user)
}

pub fn find(conn: &mut DbConnection, id: i32) -> CoreResult<User> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> CoreResult<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(normalize_email(email)))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> CoreResult<Option<User>> {
    Ok(users::table
        .filter(users::slug.eq(slug))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> CoreResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select(User::as_select())
        .load(conn)?)
}

pub fn list(conn: &mut DbConnection) -> CoreResult<Vec<User>> {
    Ok(users::table
        .order(users::display_name.asc())
        .select(User::as_select())
        .load(conn)?)
}

/// Users who can log in; first-run setup is open while there are none.
pub fn count_login_capable(conn: &mut DbConnection) -> CoreResult<i64> {
    Ok(users::table
        .filter(users::password_hash.is_not_null())
        .count()
        .get_result(conn)?)
}

fn count_admins(conn: &mut DbConnection) -> CoreResult<i64> {
    Ok(users::table
        .filter(users::role.eq(Role::Administrator.as_str()))
        .filter(users::password_hash.is_not_null())
        .count()
        .get_result(conn)?)
}

/// Updates name, email, URL name and bio.
pub fn update_profile(conn: &mut DbConnection, id: i32, input: ProfileInput) -> CoreResult<User> {
    let mut input = input;
    input.email = normalize_email(&input.email);
    input.display_name = input.display_name.trim().to_owned();
    input.slug = input.slug.trim().to_owned();
    let mut errors = FieldErrors::default();
    validate_profile(conn, &input, Some(id), &mut errors)?;
    errors.into_result()?;
    let n = diesel::update(users::table.find(id))
        .set((
            users::email.eq(&input.email),
            users::display_name.eq(&input.display_name),
            users::slug.eq(&input.slug),
            users::bio.eq(&input.bio),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(CoreError::NotFound);
    }
    find(conn, id)
}

/// Changes a role. The last administrator cannot be demoted.
pub fn set_role(conn: &mut DbConnection, id: i32, role: Role) -> CoreResult<User> {
    conn.transaction(|conn| {
        let user = find(conn, id)?;
        if user.role() == Role::Administrator
            && role != Role::Administrator
            && count_admins(conn)? <= 1
        {
            return Err(CoreError::invalid(
                "role",
                "This is the only administrator; make someone else administrator first.",
            ));
        }
        diesel::update(users::table.find(id))
            .set((users::role.eq(role.as_str()), users::updated_at.eq(now())))
            .execute(conn)?;
        find(conn, id)
    })
}

/// Sets a new password and ends every session of that user (so a stolen
/// session dies with the old password).
pub fn set_password(conn: &mut DbConnection, id: i32, password: &str) -> CoreResult<()> {
    let mut errors = FieldErrors::default();
    validate_password("new_password", password, &mut errors);
    errors.into_result()?;
    let hash = hash_password(password)?;
    let n = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(Some(hash)),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(CoreError::NotFound);
    }
    crate::sessions::destroy_all_for_user(conn, id)?;
    Ok(())
}

/// Changes one's own password after checking the current one.
pub fn change_own_password(
    conn: &mut DbConnection,
    user: &User,
    current: &str,
    new: &str,
) -> CoreResult<()> {
    let ok = user
        .password_hash
        .as_deref()
        .is_some_and(|h| verify_password(current, h));
    if !ok {
        return Err(CoreError::invalid(
            "current_password",
            "The current password is not correct.",
        ));
    }
    set_password(conn, user.id, new)
}

/// Deletes a user; their articles pass to `heir` (as WordPress and Ghost do)
/// so no published work disappears. The last administrator cannot be deleted.
pub fn delete(conn: &mut DbConnection, actor: &User, id: i32, heir: i32) -> CoreResult<()> {
    if !roles::can_manage_users(actor) {
        return Err(CoreError::Forbidden(
            "only administrators manage users".into(),
        ));
    }
    if actor.id == id {
        return Err(CoreError::invalid(
            "user",
            "You cannot delete your own account.",
        ));
    }
    conn.transaction(|conn| {
        let user = find(conn, id)?;
        if user.role() == Role::Administrator && user.can_log_in() && count_admins(conn)? <= 1 {
            return Err(CoreError::invalid(
                "user",
                "The last administrator cannot be deleted.",
            ));
        }
        find(conn, heir)?;
        diesel::update(articles::table.filter(articles::author_id.eq(id)))
            .set(articles::author_id.eq(heir))
            .execute(conn)?;
        diesel::delete(users::table.find(id)).execute(conn)?;
        Ok(())
    })
}

/// How many articles (in any state) each user is the author of, by user id.
/// Users without articles are absent from the map.
pub fn article_counts(conn: &mut DbConnection) -> CoreResult<std::collections::HashMap<i32, i64>> {
    let rows: Vec<(i32, i64)> = articles::table
        .group_by(articles::author_id)
        .select((articles::author_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
