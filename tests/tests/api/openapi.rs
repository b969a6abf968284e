use cms_core::articles::SaveAction;
use cms_core::roles::Role;
use serde_json::{json, Value};

use super::*;

/// Validates `instance` against a component schema of the OpenAPI document.
fn validate(doc: &Value, schema: &str, instance: &Value) {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{schema}"),
        "components": doc["components"].clone(),
    });
    let validator =
        jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema {schema}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema} does not match the document: {errors:?}\n{instance}"
    );
}

http_test! {
    /// Real responses validate against the served OpenAPI 3.1 document.
    fn responses_match_the_document(app: &TestApp) {
        let doc = get(app, "/api/openapi.json", None);
        assert_eq!(doc.status, 200);
        assert!(doc.body["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "OpenAPI 3.1");
        let doc = doc.body;
        let (editor, tok) = token_for(app, Role::Editor, "write");
        let id = app.with_db(|c| {
            let a = fixtures::published(c, &editor, "Documented story");
            let mut input = fixtures::article("Linked story");
            input.links = vec![fixtures::internal_link(a.id), fixtures::external_link("https://example.org", "Out")];
            fixtures::create(c, &editor, input, SaveAction::Publish).id
        });
        validate(&doc, "ArticleList", &get(app, "/api/v1/articles?include=sections,related&total=true", None).body);
        validate(&doc, "ArticleOut", &get(app, &format!("/api/v1/articles/{id}"), None).body);
        validate(&doc, "CategoryList", &get(app, "/api/v1/categories", None).body);
        validate(&doc, "AuthorList", &get(app, "/api/v1/authors", None).body);
        validate(&doc, "AdminArticleList", &get(app, "/api/v1/admin/articles", Some(&tok)).body);
        validate(&doc, "AdminArticleOut", &get(app, &format!("/api/v1/admin/articles/{id}"), Some(&tok)).body);
        validate(&doc, "Problem", &get(app, "/api/v1/articles/999999", None).body);
        let bad = write(app, reqwest::Method::POST, "/api/v1/admin/articles", &tok, &json!({"title": ""}));
        validate(&doc, "Problem", &bad.body);
        // Every path the document lists is served (not a 404 from the router).
        for (path, _) in doc["paths"].as_object().expect("paths") {
            let concrete = path.replace("{id}", &id.to_string()).replace("{slug}", "linked-story").replace("{action}", "publish");
            let r = get(app, &concrete, Some(&tok));
            assert_ne!(r.status, 500, "{concrete}: {}", r.text);
        }
        let docs = get(app, "/api/docs", None);
        assert_eq!(docs.status, 200);
        assert!(docs.text.contains("/api/v1/admin/articles/{id}"));
    }
}
