//! Article list, editor, preview, conflict handling, deletion and history.

mod editor;
mod form;
mod list;
mod revisions;
mod view;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/articles", web::get().to(list::list))
        .service(
            web::resource("/admin/articles/new")
                .route(web::get().to(editor::new_form))
                .route(web::post().to(editor::new_submit)),
        )
        // The editor's inline image upload (multipart; the Upload button's formaction).
        .route(
            "/admin/articles/new/upload",
            web::post().to(editor::new_upload),
        )
        .route(
            "/admin/articles/{id}/upload",
            web::post().to(editor::edit_upload),
        )
        .service(
            web::resource("/admin/articles/{id}/edit")
                .route(web::get().to(editor::edit_form))
                .route(web::post().to(editor::edit_submit)),
        )
        .service(
            web::resource("/admin/articles/{id}/delete")
                .route(web::get().to(list::delete_confirm))
                .route(web::post().to(list::delete_submit)),
        )
        // History: `compare` before `{n}`, which would otherwise match it.
        .route(
            "/admin/articles/{id}/revisions",
            web::get().to(revisions::history),
        )
        .route(
            "/admin/articles/{id}/revisions/compare",
            web::get().to(revisions::compare),
        )
        .route(
            "/admin/articles/{id}/revisions/{n}",
            web::get().to(revisions::show),
        )
        .route(
            "/admin/articles/{id}/revisions/{n}/restore",
            web::post().to(revisions::restore),
        );
}
