//! Users: list, invite, edit (profile, role, password) and delete
//! (administrators only).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use cms_core::roles::{self, Role};
use cms_core::users::{self, NewUserInput, ProfileInput, User};
use cms_core::{sessions, settings, CoreError, FieldErrors};
use diesel::Connection;

use crate::auth::Authed;
use crate::error::{WebError, WebResult};
use crate::forms::FormData;
use crate::layout::{AdminLayout, AdminNav};
use crate::render;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(list))
        .service(
            web::resource("/admin/users/new")
                .route(web::get().to(new_form))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/admin/users/{id}/edit")
                .route(web::get().to(edit_form))
                .route(web::post().to(update)),
        )
        .route("/admin/users/{id}/password", web::post().to(set_password))
        .service(
            web::resource("/admin/users/{id}/delete")
                .route(web::get().to(delete_confirm))
                .route(web::post().to(delete)),
        );
}

const LIST: &str = "/admin/users";

fn parse_id(raw: &str) -> WebResult<i32> {
    raw.parse().map_err(|_| WebError::NotFound)
}

fn require(authed: &Authed) -> WebResult<()> {
    authed.require(roles::can_manage_users(&authed.user))
}

/// A choice in the role `<select>`, with what the role may do.
struct RoleOption {
    value: &'static str,
    label: &'static str,
    about: &'static str,
}

fn role_options() -> Vec<RoleOption> {
    Role::ALL
        .into_iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: r.label(),
            about: match r {
                Role::Administrator => "everything, including users and settings",
                Role::Editor => "edits and publishes all articles; manages categories",
                Role::Author => "writes and publishes their own articles",
                Role::Contributor => "writes drafts; an editor publishes them",
            },
        })
        .collect()
}

/// The profile fields of both user forms, as typed.
#[derive(Default)]
struct ProfileFields {
    display_name: String,
    email: String,
    slug: String,
    bio: String,
    role: String,
}

impl ProfileFields {
    fn from_form(form: &FormData) -> Self {
        Self {
            display_name: form.get("display_name").to_owned(),
            email: form.get("email").to_owned(),
            slug: form.get("slug").to_owned(),
            bio: form.get("bio").to_owned(),
            role: form.get("role").to_owned(),
        }
    }
    fn from_user(u: &User) -> Self {
        Self {
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            slug: u.slug.clone(),
            bio: u.bio.clone(),
            role: u.role().as_str().to_owned(),
        }
    }
    fn profile(&self) -> ProfileInput {
        ProfileInput {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            slug: self.slug.clone(),
            bio: self.bio.clone(),
        }
    }
}

// ---------------------------------------------------------------- list

struct UserRow {
    id: i32,
    name: String,
    email: String,
    role: &'static str,
    can_log_in: bool,
    articles: i64,
    is_sample: bool,
    is_you: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct ListPage {
    layout: AdminLayout,
    rows: Vec<UserRow>,
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let (all, counts) = state
        .db(|conn| Ok((users::list(conn)?, users::article_counts(conn)?)))
        .await?;
    let rows = all
        .iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.display_name.clone(),
            email: u.email.clone(),
            role: u.role().label(),
            can_log_in: u.can_log_in(),
            articles: counts.get(&u.id).copied().unwrap_or(0),
            is_sample: u.is_sample,
            is_you: u.id == authed.user.id,
        })
        .collect();
    let page = ListPage {
        layout: AdminLayout::load(&state, &req, &authed, AdminNav::Users, "Users").await?,
        rows,
    };
    render::admin(&req, &page)
}

// ---------------------------------------------------------------- new

#[derive(Template)]
#[template(path = "admin/users_new.html")]
struct NewPage {
    layout: AdminLayout,
    f: ProfileFields,
    roles: Vec<RoleOption>,
    errors: FieldErrors,
}

impl NewPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn new_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    f: ProfileFields,
    errors: FieldErrors,
) -> WebResult<NewPage> {
    Ok(NewPage {
        layout: AdminLayout::load(state, req, authed, AdminNav::Users, "New user").await?,
        f,
        roles: role_options(),
        errors,
    })
}

async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let f = ProfileFields {
        role: Role::Author.as_str().to_owned(),
        ..Default::default()
    };
    let page = new_page(&state, &req, &authed, f, FieldErrors::default()).await?;
    render::admin(&req, &page)
}

async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let f = ProfileFields::from_form(&form);
    let password = form.get("password").to_owned();
    let confirm = form.get("password_confirm").to_owned();
    let p = f.profile();
    let slug_was_empty = p.slug.trim().is_empty();
    let input = NewUserInput {
        email: p.email,
        display_name: p.display_name,
        slug: p.slug,
        bio: p.bio,
        role: f.role.clone(),
        // Both empty: an author profile that cannot log in until given a password.
        password: (!password.is_empty() || !confirm.is_empty()).then(|| password.clone()),
    };
    let result = state
        .db(move |conn| {
            conn.transaction(|conn| {
                let mut errors = FieldErrors::default();
                if password != confirm {
                    errors.add("password_confirm", "The two passwords do not match.");
                }
                // Every problem is reported at once; any error rolls back the insert.
                let user = match users::create(conn, input) {
                    Ok(u) => u,
                    Err(CoreError::Validation(mut e)) => {
                        e.0.extend(errors.0);
                        // An empty URL name is made from the name; without a
                        // name its message would only repeat the problem.
                        if slug_was_empty && e.get("display_name").is_some() {
                            e.0.retain(|err| err.field != "slug");
                        }
                        return Err(CoreError::Validation(e));
                    }
                    Err(e) => return Err(e),
                };
                errors.into_result()?;
                Ok(user)
            })
        })
        .await;
    match result {
        Ok(u) => {
            let how = if u.can_log_in() {
                "They can log in with the password you chose."
            } else {
                "They cannot log in until you set a password."
            };
            Ok(render::redirect_flash(
                LIST,
                "success",
                &format!("Created {} ({}). {how}", u.display_name, u.role().label()),
            ))
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = new_page(&state, &req, &authed, f, errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- edit

#[derive(Template)]
#[template(path = "admin/users_edit.html")]
struct EditPage {
    layout: AdminLayout,
    user: User,
    f: ProfileFields,
    roles: Vec<RoleOption>,
    errors: FieldErrors,
    is_self: bool,
    articles: i64,
}

impl EditPage {
    fn err(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

/// The edit page for `id`; `typed` keeps the profile form's input after an error.
async fn edit_page(
    state: &AppState,
    req: &HttpRequest,
    authed: &Authed,
    id: i32,
    typed: Option<ProfileFields>,
    errors: FieldErrors,
) -> WebResult<EditPage> {
    let (user, counts) = state
        .db(move |conn| Ok((users::find(conn, id)?, users::article_counts(conn)?)))
        .await?;
    let title = format!("Edit {}", user.display_name);
    Ok(EditPage {
        layout: AdminLayout::load(state, req, authed, AdminNav::Users, title).await?,
        f: typed.unwrap_or_else(|| ProfileFields::from_user(&user)),
        roles: role_options(),
        errors,
        is_self: user.id == authed.user.id,
        articles: counts.get(&user.id).copied().unwrap_or(0),
        user,
    })
}

async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let id = parse_id(&path)?;
    let page = edit_page(&state, &req, &authed, id, None, FieldErrors::default()).await?;
    render::admin(&req, &page)
}

async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let id = parse_id(&path)?;
    let f = ProfileFields::from_form(&form);
    let (profile, role) = (f.profile(), Role::parse(&f.role));
    let result = state
        .db(move |conn| {
            // Profile and role change together or not at all.
            conn.transaction(|conn| {
                let before = users::find(conn, id)?;
                let mut errors = FieldErrors::default();
                match users::update_profile(conn, id, profile) {
                    Ok(_) => {}
                    Err(CoreError::Validation(e)) => errors.0.extend(e.0),
                    Err(e) => return Err(e),
                }
                match role {
                    None => errors.add("role", "Choose a role."),
                    Some(r) if r != before.role() => match users::set_role(conn, id, r) {
                        Ok(_) => {}
                        Err(CoreError::Validation(e)) => errors.0.extend(e.0),
                        Err(e) => return Err(e),
                    },
                    Some(_) => {}
                }
                errors.into_result()?;
                users::find(conn, id)
            })
        })
        .await;
    match result {
        Ok(u) => {
            let msg = format!("Saved {}.", u.display_name);
            // Someone who just gave up their own administrator role can no
            // longer see the users page.
            let to = if roles::can_manage_users(&u) || u.id != authed.user.id {
                LIST
            } else {
                "/admin"
            };
            Ok(render::redirect_flash(to, "success", &msg))
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = edit_page(&state, &req, &authed, id, Some(f), errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

async fn set_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let id = parse_id(&path)?;
    let password = form.get("new_password").to_owned();
    let confirm = form.get("password_confirm").to_owned();
    let is_self = id == authed.user.id;
    let ttl = state.session_ttl();
    let result = state
        .db(move |conn| {
            let mut errors = FieldErrors::default();
            if password != confirm {
                users::validate_password("new_password", &password, &mut errors);
                errors.add("password_confirm", "The two passwords do not match.");
                return Err(CoreError::Validation(errors));
            }
            let user = users::find(conn, id)?;
            conn.transaction(|conn| {
                users::set_password(conn, id, &password)?;
                // set_password ends every session of the user, this one
                // included when administrators reset their own password.
                let fresh = if is_self {
                    Some(sessions::create(conn, id, ttl)?)
                } else {
                    None
                };
                Ok((user, fresh, settings::load(conn)?.is_https()))
            })
        })
        .await;
    match result {
        Ok((user, fresh, secure)) => {
            let msg = if is_self {
                "Your password has been changed. Your other sessions have been logged out."
                    .to_owned()
            } else if !user.can_log_in() {
                format!(
                    "Set a password for {}. They can now log in with their email and this password.",
                    user.display_name
                )
            } else {
                format!(
                    "Set a new password for {}. Any sessions they had were logged out.",
                    user.display_name
                )
            };
            let mut resp =
                render::redirect_flash(&format!("/admin/users/{id}/edit"), "success", &msg);
            if let Some(new) = fresh {
                super::profile::add_session_cookie(&mut resp, &new.token, secure, ttl)?;
            }
            Ok(resp)
        }
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let page = edit_page(&state, &req, &authed, id, None, errors).await?;
            render::admin_status(&req, &page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "admin/users_delete.html")]
struct DeletePage {
    layout: AdminLayout,
    user: User,
    articles: i64,
    /// Everyone else, as possible new authors of the user's articles.
    heirs: Vec<User>,
    default_heir: i32,
}

async fn delete_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    authed: Authed,
    path: web::Path<String>,
) -> WebResult<HttpResponse> {
    require(&authed)?;
    let id = parse_id(&path)?;
    if id == authed.user.id {
        return Ok(render::redirect_flash(
            &format!("/admin/users/{id}/edit"),
            "error",
            "You cannot delete your own account.",
        ));
    }
    let (user, all, counts) = state
        .db(move |conn| {
            Ok((
                users::find(conn, id)?,
                users::list(conn)?,
                users::article_counts(conn)?,
            ))
        })
        .await?;
    let title = format!("Delete {}", user.display_name);
    let page = DeletePage {
        layout: AdminLayout::load(&state, &req, &authed, AdminNav::Users, title).await?,
        articles: counts.get(&user.id).copied().unwrap_or(0),
        heirs: all.into_iter().filter(|u| u.id != id).collect(),
        default_heir: authed.user.id,
        user,
    };
    render::admin(&req, &page)
}

async fn delete(
    state: web::Data<AppState>,
    authed: Authed,
    path: web::Path<String>,
    form: FormData,
) -> WebResult<HttpResponse> {
    authed.check_csrf(&form)?;
    require(&authed)?;
    let id = parse_id(&path)?;
    let back = format!("/admin/users/{id}/delete");
    let Some(heir) = form.id("heir").filter(|h| *h != id) else {
        return Ok(render::redirect_flash(
            &back,
            "error",
            "Choose who receives their articles.",
        ));
    };
    let actor = authed.user.clone();
    let result = state
        .db(move |conn| {
            let (user, heir_user) = (users::find(conn, id)?, users::find(conn, heir)?);
            users::delete(conn, &actor, id, heir)?;
            Ok((user, heir_user))
        })
        .await;
    match result {
        Ok((user, heir_user)) => Ok(render::redirect_flash(
            LIST,
            "success",
            &format!(
                "Deleted {}. Their articles now belong to {}.",
                user.display_name, heir_user.display_name
            ),
        )),
        // Refusals (oneself, the last administrator) are explained on the list.
        Err(WebError::Core(CoreError::Validation(errors))) => {
            let msg = errors
                .0
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_else(|| "This user cannot be deleted.".into());
            Ok(render::redirect_flash(LIST, "error", &msg))
        }
        Err(e) => Err(e),
    }
}
