//! Article list, editor, preview, conflict handling and deletion.

mod editor;
mod form;
mod list;
mod preview;
mod view;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/articles", web::get().to(list::list))
        .service(web::resource("/admin/articles/new").route(web::get().to(editor::new_form)).route(web::post().to(editor::new_submit)))
        .service(
            web::resource("/admin/articles/{id}/edit")
                .route(web::get().to(editor::edit_form))
                .route(web::post().to(editor::edit_submit)),
        )
        .service(
            web::resource("/admin/articles/{id}/delete")
                .route(web::get().to(list::delete_confirm))
                .route(web::post().to(list::delete_submit)),
        );
}
