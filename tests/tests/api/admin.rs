use cms_core::articles::{SaveAction, Status};
use cms_core::roles::Role;
use reqwest::Method;
use serde_json::json;

use super::*;

fn article_body(title: &str) -> serde_json::Value {
    json!({
        "title": title,
        "standfirst": "A standfirst.",
        "sections": [
            {"body": "The intro."},
            {"heading": "First", "body": "One."},
            {"heading": "Second", "body": "Two."}
        ],
        "related": [{"url": "https://example.org/a", "title": "Elsewhere"}]
    })
}

http_test! {
    /// Create, read, update (with version), publish, unpublish, schedule, delete.
    fn article_lifecycle(app: &TestApp) {
        let (_editor, tok) = token_for(app, Role::Editor, "write");
        let created = write(app, Method::POST, "/api/v1/admin/articles", &tok, &article_body("Bridge works begin"));
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.body["id"].as_i64().expect("id");
        assert_eq!(created.body["status"], "draft");
        assert_eq!(created.body["version"], 1);
        assert_eq!(created.header("etag"), Some("\"1\""));
        assert_eq!(created.body["sections"].as_array().map(Vec::len), Some(3));
        assert!(created.header("location").is_some_and(|l| l.ends_with(&format!("/api/v1/admin/articles/{id}"))));

        let patched = write(app, Method::PATCH, &format!("/api/v1/admin/articles/{id}"), &tok, &json!({"title": "Bridge works start", "version": 1}));
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(patched.body["title"], "Bridge works start");
        assert_eq!(patched.body["sections"].as_array().map(Vec::len), Some(3), "PATCH keeps what it does not mention");

        let published = write(app, Method::POST, &format!("/api/v1/admin/articles/{id}/publish"), &tok, &json!({"version": 2}));
        assert_eq!(published.status, 200, "{}", published.text);
        assert_eq!(published.body["status"], "published");
        assert_eq!(get(app, &format!("/api/v1/articles/{id}"), None).status, 200, "visible in the Content API");

        let unpub = write(app, Method::POST, &format!("/api/v1/admin/articles/{id}/unpublish"), &tok, &json!({"version": 3}));
        assert_eq!(unpub.body["status"], "draft", "{}", unpub.text);
        get(app, &format!("/api/v1/articles/{id}"), None).assert_problem(404);

        let when = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
        let sched = write(app, Method::POST, &format!("/api/v1/admin/articles/{id}/schedule"), &tok, &json!({"version": 4, "published_at": when}));
        assert_eq!(sched.body["status"], "scheduled", "{}", sched.text);
        let past = write(app, Method::POST, &format!("/api/v1/admin/articles/{id}/schedule"), &tok, &json!({"version": 5, "published_at": "2020-01-01T00:00:00Z"}));
        past.assert_problem(422);
        assert_eq!(past.body["errors"][0]["field"], "published_at");

        let put = write(app, Method::PUT, &format!("/api/v1/admin/articles/{id}"), &tok, &json!({"title": "Replaced", "sections": [{"body": "Only this."}], "version": 5}));
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.body["sections"].as_array().map(Vec::len), Some(1), "PUT replaces");
        assert_eq!(put.body["related"].as_array().map(Vec::len), Some(0));

        let del = send(client().delete(format!("{}/api/v1/admin/articles/{id}", app.base_url)).bearer_auth(&tok));
        assert_eq!(del.status, 204);
        assert!(app.article(id as i32).is_none());
    }

    /// A stale version changes nothing: 409 for the body field, 412 for If-Match, 428 without one.
    fn stale_writes_are_refused(app: &TestApp) {
        let (editor, tok) = token_for(app, Role::Editor, "write");
        let a = app.with_db(|c| fixtures::create(c, &editor, fixtures::article("Original title"), SaveAction::Save));
        // Someone else saves first.
        app.with_db(|c| cms_core::articles::save(c, &editor, Some(a.id), Some(1), fixtures::article("Their title"), SaveAction::Save)).expect("their save");
        let path = format!("/api/v1/admin/articles/{}", a.id);
        write(app, Method::PATCH, &path, &tok, &json!({"title": "Mine", "version": 1})).assert_problem(409);
        let r = send(client().patch(format!("{}{path}", app.base_url)).bearer_auth(&tok).header("If-Match", "\"1\"").json(&json!({"title": "Mine"})));
        r.assert_problem(412);
        write(app, Method::PATCH, &path, &tok, &json!({"title": "Mine"})).assert_problem(428);
        assert_eq!(app.article(a.id).expect("article").title, "Their title", "nothing overwritten");
        let ok = send(client().patch(format!("{}{path}", app.base_url)).bearer_auth(&tok).header("If-Match", "\"2\"").json(&json!({"title": "Mine"})));
        assert_eq!(ok.status, 200, "{}", ok.text);
    }

    /// Read tokens only read; revoked tokens stop working; role rules are the panel's.
    fn token_scopes_and_roles(app: &TestApp) {
        let (_u, read) = token_for(app, Role::Editor, "read");
        assert_eq!(get(app, "/api/v1/admin/articles", Some(&read)).status, 200);
        write(app, Method::POST, "/api/v1/admin/articles", &read, &article_body("Nope")).assert_problem(403);
        assert_eq!(app.article_count(), 0);
        get(app, "/api/v1/admin/articles", None).assert_problem(401);
        get(app, "/api/v1/admin/articles", Some("gz_not-a-real-token")).assert_problem(401);

        // Contributor: may create drafts, may not publish.
        let (contrib, ctok) = token_for(app, Role::Contributor, "write");
        let c = write(app, Method::POST, "/api/v1/admin/articles", &ctok, &article_body("Contributor draft"));
        assert_eq!(c.status, 201, "{}", c.text);
        let cid = c.body["id"].as_i64().expect("id");
        write(app, Method::POST, &format!("/api/v1/admin/articles/{cid}/publish"), &ctok, &json!({"version": 1})).assert_problem(403);
        assert_eq!(app.article(cid as i32).expect("a").status(), Status::Draft);

        // Author: cannot touch someone else's article.
        let (_author, atok) = token_for(app, Role::Author, "write");
        write(app, Method::PATCH, &format!("/api/v1/admin/articles/{cid}"), &atok, &json!({"title": "Hijack", "version": 1})).assert_problem(403);
        let del = send(client().delete(format!("{}/api/v1/admin/articles/{cid}", app.base_url)).bearer_auth(&atok));
        del.assert_problem(403);

        // Users: administrators only.
        get(app, "/api/v1/admin/users", Some(&atok)).assert_problem(403);
        let (_admin, admtok) = token_for(app, Role::Administrator, "write");
        let users = get(app, "/api/v1/admin/users", Some(&admtok));
        assert_eq!(users.status, 200, "{}", users.text);
        assert!(users.body["data"].as_array().is_some_and(|d| d.len() >= 4));
        let created = write(app, Method::POST, "/api/v1/admin/users", &admtok, &json!({"email": "new@example.com", "name": "New Person", "role": "author"}));
        assert_eq!(created.status, 201, "{}", created.text);
        assert_eq!(created.body["can_log_in"], false);

        // Categories: editors yes, authors no.
        write(app, Method::POST, "/api/v1/admin/categories", &atok, &json!({"name": "Sport"})).assert_problem(403);
        let cat = write(app, Method::POST, "/api/v1/admin/categories", &admtok, &json!({"name": "Sport"}));
        assert_eq!(cat.status, 201, "{}", cat.text);
        assert_eq!(cat.body["slug"], "sport");

        // Revocation.
        let tok_id = app.with_db(|c| cms_core::api_tokens::list(c, &_admin)).expect("list").into_iter().find(|(t, _)| t.scope_name == "read").map(|(t, _)| t.id).expect("the read token");
        app.with_db(|c| cms_core::api_tokens::revoke(c, &_admin, tok_id)).expect("revoke");
        get(app, "/api/v1/admin/articles", Some(&read)).assert_problem(401);
        let _ = contrib;
    }

    /// The admin session works too, but writes need the X-CSRF-Token header.
    fn session_auth_needs_csrf_header(app: &TestApp) {
        let b = app.setup_admin();
        let r = b.client.get(b.url("/api/v1/admin/articles")).send().expect("get");
        assert_eq!(r.status().as_u16(), 200);
        let no_csrf = send(b.client.post(b.url("/api/v1/admin/articles")).json(&article_body("Via session")));
        no_csrf.assert_problem(403);
        let csrf = b.session_csrf();
        let ok = send(b.client.post(b.url("/api/v1/admin/articles")).header("X-CSRF-Token", csrf).json(&article_body("Via session")));
        assert_eq!(ok.status, 201, "{}", ok.text);
    }

    /// Tokens are created in the admin UI, shown once and stored hashed.
    fn tokens_from_admin_ui(app: &TestApp) {
        let b = app.setup_admin();
        let csrf = b.csrf("/admin/api");
        let r = b.post("/admin/api/tokens", &[("csrf_token", csrf.as_str()), ("name", "Newsletter"), ("scope", "read")]);
        assert_eq!(r.status, 200, "{}", r.snippet());
        let start = r.body.find("gz_").expect("the secret is shown once");
        let secret: String = r.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        assert_eq!(get(app, "/api/v1/admin/articles", Some(&secret)).status, 200);
        let page = b.get("/admin/api");
        assert!(!page.body.contains(&secret), "never shown again");
        let bad = b.post("/admin/api/tokens", &[("csrf_token", csrf.as_str()), ("name", ""), ("scope", "read")]);
        assert_eq!(bad.status, 422);
    }
}
