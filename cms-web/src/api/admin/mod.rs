//! Admin API: articles (with sections and related links), categories and
//! users. The same core operations and role rules as the admin panel.
//!
//! This module holds the route table; the handlers live in one submodule per
//! resource.

use actix_web::web;

use super::problem;

mod articles;
mod categories;
mod users;

pub use articles::*;
pub use categories::*;
pub use users::*;

pub fn scope() -> actix_web::Scope {
    web::scope("/v1/admin")
        .service(
            web::resource("/articles")
                .route(web::get().to(list_articles))
                .route(web::post().to(create_article))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/articles/{id}")
                .route(web::get().to(get_article))
                .route(web::put().to(put_article))
                .route(web::patch().to(patch_article))
                .route(web::delete().to(delete_article))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/articles/{id}/{action}")
                .route(web::post().to(change_status))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/media")
                .route(web::get().to(super::media::list_media))
                .route(web::post().to(super::media::upload_media))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/media/{id}")
                .route(web::get().to(super::media::get_media))
                .route(web::patch().to(super::media::patch_media))
                .route(web::delete().to(super::media::delete_media))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/categories")
                .route(web::get().to(list_categories))
                .route(web::post().to(create_category))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/categories/{id}")
                .route(web::get().to(get_category))
                .route(web::patch().to(patch_category))
                .route(web::delete().to(delete_category))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/users")
                .route(web::get().to(list_users))
                .route(web::post().to(create_user))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .service(
            web::resource("/users/{id}")
                .route(web::get().to(get_user))
                .route(web::patch().to(patch_user))
                .route(web::delete().to(delete_user))
                .default_service(web::to(problem::method_not_allowed)),
        )
        .default_service(web::to(problem::not_found))
}
