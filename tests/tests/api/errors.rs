use cms_core::roles::Role;
use reqwest::Method;
use serde_json::json;

use super::*;

http_test! {
    /// Malformed requests get a 4xx problem, never a 500.
    fn malformed_requests(app: &TestApp) {
        let (_u, tok) = token_for(app, Role::Editor, "write");
        let url = format!("{}/api/v1/admin/articles", app.base_url);
        let post = |body: &str, ct: &str| send(client().post(&url).bearer_auth(&tok).header("Content-Type", ct).body(body.to_owned()));
        post("{not json", "application/json").assert_problem(400);
        post(r#"{"title": 5}"#, "application/json").assert_problem(422);
        post(r#"{"title": "x", "colour": "red"}"#, "application/json").assert_problem(422);
        post(r#"{"title": "x"}"#, "text/plain").assert_problem(415);
        let huge = format!(r#"{{"title": "{}"}}"#, "x".repeat(3 * 1024 * 1024));
        post(&huge, "application/json").assert_problem(413);
        let empty_title = post(r#"{"title": "", "sections": [{"body": "b"}]}"#, "application/json");
        empty_title.assert_problem(422);
        assert_eq!(empty_title.body["errors"][0]["field"], "title");
        let long = post(&json!({"title": "x".repeat(500), "sections": [{"body": "b"}]}).to_string(), "application/json");
        long.assert_problem(422);
        let big_num = post(r#"{"title": "x", "category_id": 99999999999999}"#, "application/json");
        big_num.assert_problem(422);
        assert_eq!(app.article_count(), 0, "nothing saved");

        get(app, "/api/v1/articles?limit=1000", None).assert_problem(400);
        get(app, "/api/v1/articles?cursor=garbage", None).assert_problem(400);
        get(app, "/api/v1/articles?sort=title", None).assert_problem(400);
        get(app, "/api/v1/articles?fields=password", None).assert_problem(400);
        get(app, "/api/v1/articles?unknown=1", None).assert_problem(400);
        get(app, "/api/v1/articles/not-a-number", None).assert_problem(404);
        get(app, "/api/v1/nowhere", None).assert_problem(404);
        send(client().delete(format!("{}/api/v1/articles", app.base_url))).assert_problem(405);
        write(app, Method::POST, "/api/v1/admin/articles/1/explode", &tok, &json!({})).assert_problem(404);
    }
}
