//! The media library over real HTTP: uploads from the admin panel, the
//! editor and the Admin API; refusals (a lying extension, huge dimensions,
//! no alt text) with clear errors and nothing stored; variants served with
//! immutable caching; covers on pages, cards, feeds and share tags. Each test
//! runs on SQLite and, when `GAZETTE_TEST_POSTGRES_URL` is set, on PostgreSQL.
//! Test images are drawn here with the `image` crate.

use std::io::Cursor;
use std::path::Path;

use cms_core::articles::SaveAction;
use cms_core::media::{self, Media};
use cms_core::roles::Role;
use gazette_tests::{
    csrf_from, fixtures, http_test, input_value, start_tags, ArticleForm, Browser, Response, Tag,
    TestApp,
};
use image::{ImageBuffer, ImageFormat, Rgb};
use reqwest::blocking::multipart::{Form, Part};
use serde_json::Value;

const BASE: &str = "http://news.example.com";

/// A PNG of `w × h` pixels with a gradient (so it compresses like a picture, not a blank).
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = ImageBuffer::from_fn(w, h, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 200) as u8, (y % 200) as u8, 120]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg)
        .expect("encode jpeg");
    out.into_inner()
}

fn read(r: reqwest::Result<reqwest::blocking::Response>) -> Response {
    let r = r.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.text().expect("body");
    Response {
        status,
        headers,
        body,
    }
}

fn file_part(name: &str, mime: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("mime")
}

/// Posts the media library's upload form as a browser would.
fn upload(b: &Browser, alt: &str, name: &str, mime: &str, bytes: Vec<u8>) -> Response {
    let csrf = b.csrf("/admin/media");
    let form = Form::new()
        .text("csrf_token", csrf)
        .text("alt", alt.to_owned())
        .part("file", file_part(name, mime, bytes));
    read(b.client.post(b.url("/admin/media")).multipart(form).send())
}

/// Uploads and returns the stored image (panics unless the upload succeeds).
fn upload_ok(app: &TestApp, b: &Browser, alt: &str, bytes: Vec<u8>) -> Media {
    let r = upload(b, alt, "photo.png", "image/png", bytes);
    assert_eq!(r.status, 303, "upload: {}", r.snippet());
    let id: i32 = r
        .location()
        .and_then(|l| l.strip_prefix("/admin/media/"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirect to the image: {:?}", r.location()));
    app.with_db(|c| media::find(c, id)).expect("stored image")
}

fn media_count(app: &TestApp) -> i64 {
    app.with_db(|c| media::list(c, 1, 1)).expect("list").total
}

/// Every file under `<data_dir>/media`.
fn stored_files(app: &TestApp) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.data_dir().join("media"), &mut out);
    out
}

fn attr<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn meta(html: &str, property: &str) -> Option<String> {
    start_tags(html)
        .into_iter()
        .find(|t| {
            t.name == "meta"
                && (attr(t, "property") == Some(property) || attr(t, "name") == Some(property))
        })
        .and_then(|t| attr(&t, "content").map(str::to_owned))
}

/// The error shown next to a field (`<p class="field-error" id="{id}-error">`).
fn field_error(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}-error\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find("</p>")?;
    Some(gazette_tests::unescape(&html[start..start + end]))
}

fn assert_refused(app: &TestApp, r: &Response, needle: &str) {
    assert_eq!(r.status, 422, "{}", r.snippet());
    let msg = field_error(&r.body, "file")
        .unwrap_or_else(|| panic!("no error next to the file field: {}", r.snippet()));
    assert!(
        msg.contains(needle),
        "error `{msg}` should contain `{needle}`"
    );
    assert_eq!(media_count(app), 0, "nothing may be stored");
    assert!(
        stored_files(app).is_empty(),
        "no file may be written: {:?}",
        stored_files(app)
    );
}

http_test! {
    /// A real PNG through the library form: variants in PNG and WebP at every
    /// width up to the original's, each served with its type, an ETag and a
    /// year-long immutable cache; the private original is never served; the
    /// same file twice is stored once.
    fn upload_makes_variants_served_immutably(app: &TestApp) {
        let b = app.setup_admin();
        let bytes = png(800, 400);
        let m = upload_ok(app, b, "A harbour at dawn", bytes.clone());
        assert_eq!((m.width, m.height, m.mime.as_str(), m.alt.as_str()), (800, 400, "image/png", "A harbour at dawn"));
        let mut sizes: Vec<(u32, &str)> = m.variants.iter().map(|v| (v.width, v.mime.as_str())).collect();
        sizes.sort();
        assert_eq!(
            sizes,
            vec![(320, "image/png"), (320, "image/webp"), (640, "image/png"), (640, "image/webp"), (800, "image/png"), (800, "image/webp")]
        );
        let page = b.get(&format!("/admin/media/{}", m.id));
        assert_eq!(page.status, 200, "{}", page.snippet());
        assert!(page.body.contains("A harbour at dawn"));

        let visitor = app.new_browser();
        for v in &m.variants {
            let r = visitor.get(&v.path());
            assert_eq!(r.status, 200, "{}: {}", v.path(), r.status);
            assert_eq!(r.header("content-type"), Some(v.mime.as_str()), "{}", v.path());
            assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
            assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
            let etag = r.header("etag").expect("etag").to_owned();
            let again = visitor.get_with(&v.path(), &[("If-None-Match", etag.as_str())]);
            assert_eq!(again.status, 304, "{}", v.path());
            assert_eq!(v.height * 800, v.width * 400, "aspect ratio kept: {v:?}");
        }
        // Metadata is stripped by re-encoding; the original is kept privately.
        assert_eq!(visitor.get(&format!("/media/{}", m.storage_key)).status, 404);
        assert_eq!(visitor.get("/media/ab/cd/not-a-key.png").status, 404);
        assert_eq!(visitor.get("/media/../gazette.db").status, 404);

        let again = upload(b, "Another description", "copy.png", "image/png", bytes);
        assert_eq!(again.status, 303, "{}", again.snippet());
        assert_eq!(again.location(), Some(format!("/admin/media/{}", m.id).as_str()), "same file, same image");
        assert_eq!(media_count(app), 1);

        let library = b.get("/admin/media");
        assert_eq!(library.status, 200);
        let thumb = m.thumbnail().expect("thumbnail").path();
        assert!(library.body.contains(&thumb), "the grid shows the thumbnail");
    }

    /// A text file and an SVG named like images are refused by content, with
    /// the alt text kept and nothing stored.
    fn lying_extension_is_refused(app: &TestApp) {
        let b = app.setup_admin();
        let r = upload(b, "Not really a photo", "photo.jpg", "image/jpeg", b"<?php system($_GET['c']); ?>\n".to_vec());
        assert_refused(app, &r, "not a supported image");
        assert_eq!(input_value(&r.body, "alt").as_deref(), Some("Not really a photo"), "the alt text is kept");

        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#.to_vec();
        let r = upload(b, "A vector", "logo.png", "image/png", svg);
        assert_refused(app, &r, "not a supported image");

        let mut cut = jpeg(200, 200);
        cut.truncate(300);
        let r = upload(b, "Half a photo", "cut.jpg", "image/jpeg", cut);
        assert_refused(app, &r, "damaged");
    }

    /// A tiny file declaring a 20 000 × 10 image is refused from its header.
    fn oversized_dimensions_are_refused(app: &TestApp) {
        let b = app.setup_admin();
        let bytes = png(20_000, 10);
        assert!(bytes.len() < 200_000, "the file itself is small: {}", bytes.len());
        let r = upload(b, "A very long banner", "banner.png", "image/png", bytes);
        assert_refused(app, &r, "20000 × 10 pixels");
        let msg = field_error(&r.body, "file").unwrap_or_default();
        assert!(msg.contains("12000"), "says the limit: {msg}");
        assert_eq!(input_value(&r.body, "alt").as_deref(), Some("A very long banner"));
    }

    /// Alt text is required: the form comes back with the error next to it.
    fn alt_text_is_required(app: &TestApp) {
        let b = app.setup_admin();
        let r = upload(b, "   ", "photo.png", "image/png", png(64, 64));
        assert_eq!(r.status, 422, "{}", r.snippet());
        let msg = field_error(&r.body, "alt").unwrap_or_else(|| panic!("no alt error: {}", r.snippet()));
        assert!(msg.contains("alt text is required"), "{msg}");
        assert_eq!(media_count(app), 0);
        assert!(stored_files(app).is_empty());
        let csrf = b.csrf("/admin/media");
        let no_file = read(b.client.post(b.url("/admin/media")).multipart(Form::new().text("csrf_token", csrf).text("alt", "x")).send());
        assert_eq!(no_file.status, 422);
        assert!(field_error(&no_file.body, "file").is_some_and(|m| m.contains("Choose an image")), "{}", no_file.snippet());
        // CSRF is checked on uploads too.
        let forged = read(b.client.post(b.url("/admin/media")).multipart(Form::new().text("alt", "x").part("file", file_part("a.png", "image/png", png(8, 8)))).send());
        assert_eq!(forged.status, 403);
        assert_eq!(media_count(app), 0);
    }

    /// A cover chosen in the editor appears on the article page (`srcset`,
    /// eager), on cards (lazy), in `og:image` with its size, in JSON-LD and in
    /// the feed; the image cannot be deleted while it is the cover.
    fn cover_image_everywhere(app: &TestApp) {
        let b = app.setup_admin();
        app.with_db(|c| cms_core::settings::set_value(c, "site.base_url", BASE)).expect("base url");
        let m = upload_ok(app, b, "Fishing boats in the harbour", png(1200, 600));
        let csrf = b.csrf("/admin/articles/new");
        let mut pairs = ArticleForm::titled("Harbour reopens").section("", "Boats are back.").pairs(&csrf, "publish");
        pairs.push(("cover_media_id".into(), m.id.to_string()));
        let r = b.post("/admin/articles/new", &pairs);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let id = r.edited_article_id();
        assert_eq!(app.article(id).and_then(|a| a.cover_media_id), Some(m.id));

        let editor = b.get(&format!("/admin/articles/{id}/edit"));
        let checked = start_tags(&editor.body).into_iter().any(|t| {
            t.name == "input" && attr(&t, "name") == Some("cover_media_id") && attr(&t, "value") == Some(&m.id.to_string()) && attr(&t, "checked").is_some()
        });
        assert!(checked, "the editor shows the chosen cover");

        let page = app.new_browser().get("/articles/harbour-reopens");
        assert_eq!(page.status, 200, "{}", page.snippet());
        let imgs: Vec<Tag> = start_tags(&page.body).into_iter().filter(|t| t.name == "img" && attr(t, "srcset").is_some()).collect();
        let cover = imgs.first().unwrap_or_else(|| panic!("no <img srcset> on the page: {}", page.snippet()));
        let srcset = attr(cover, "srcset").unwrap_or_default();
        assert!(srcset.contains(" 320w") && srcset.contains(" 1024w") && srcset.contains(" 1200w"), "{srcset}");
        assert_eq!(attr(cover, "alt"), Some("Fishing boats in the harbour"));
        assert!(attr(cover, "width").is_some() && attr(cover, "height").is_some() && attr(cover, "sizes").is_some());
        assert_eq!(attr(cover, "loading"), None, "the article's cover is not lazy");
        let largest = m.largest().expect("largest");
        assert_eq!(meta(&page.body, "og:image"), Some(format!("{BASE}{}", largest.path())));
        assert_eq!(meta(&page.body, "og:image:width"), Some("1200".into()));
        assert_eq!(meta(&page.body, "og:image:height"), Some("600".into()));
        assert_eq!(meta(&page.body, "twitter:card"), Some("summary_large_image".into()));
        let ld_start = page.body.find("application/ld+json\">").expect("JSON-LD") + "application/ld+json\">".len();
        let ld_end = page.body[ld_start..].find("</script>").expect("end of JSON-LD") + ld_start;
        let ld: Value = serde_json::from_str(&page.body[ld_start..ld_end]).expect("JSON-LD parses");
        assert_eq!(ld["image"][0], format!("{BASE}{}", largest.path()));

        let home = app.new_browser().get("/");
        let card = start_tags(&home.body).into_iter().find(|t| t.name == "img" && attr(t, "srcset").is_some()).expect("card image");
        assert_eq!(attr(&card, "loading"), Some("lazy"));

        let feed = app.new_browser().get("/feed.xml");
        let doc = roxmltree::Document::parse(&feed.body).expect("RSS parses");
        let enclosure = doc.descendants().find(|n| n.has_tag_name("enclosure")).expect("enclosure");
        assert_eq!(enclosure.attribute("url"), Some(format!("{BASE}{}", largest.path()).as_str()));
        assert_eq!(enclosure.attribute("type"), Some("image/png"));
        let content = doc.descendants().find(|n| n.has_tag_name(("http://purl.org/rss/1.0/modules/content/", "encoded"))).expect("content");
        assert!(content.text().unwrap_or_default().contains("<img src=\"http://news.example.com/media/"), "cover in the content");

        // In use: the delete is refused (and the cover survives).
        let del = b.post(&format!("/admin/media/{}/delete", m.id), &[("csrf_token", b.session_csrf().as_str())]);
        assert_eq!(del.status, 409, "{}", del.snippet());
        assert!(del.body.contains("Harbour reopens"), "names the article");
        assert_eq!(media_count(app), 1);
        let content_api = app.new_browser().get(&format!("/api/v1/articles/{id}"));
        let json: Value = serde_json::from_str(&content_api.body).expect("json");
        assert_eq!(json["cover"]["alt"], "Fishing boats in the harbour");
    }

    /// The editor's inline upload keeps everything typed, sets the cover (or
    /// appends the image to a section); "Insert image" puts Markdown into a
    /// section, which renders as an `<img>` in the article.
    fn editor_upload_and_insert(app: &TestApp) {
        let b = app.setup_admin();
        let csrf = b.csrf("/admin/articles/new");
        let mut form = Form::new();
        for (k, v) in ArticleForm::titled("Storm damage").section("", "Trees are down.").pairs(&csrf, "upload") {
            form = form.text(k, v);
        }
        let form = form
            .text("upload_alt", "A fallen oak across the road")
            .text("upload_target", "cover")
            .part("upload_file", file_part("oak.jpg", "image/jpeg", jpeg(500, 300)));
        let r = read(b.client.post(b.url("/admin/articles/new/upload")).multipart(form).send());
        assert_eq!(r.status, 200, "{}", r.snippet());
        assert_eq!(input_value(&r.body, "title").as_deref(), Some("Storm damage"), "typed text survives");
        assert!(r.body.contains("chosen as the cover"), "{}", r.snippet());
        let m = app.with_db(|c| media::recent(c, 1)).expect("recent").pop().expect("uploaded");
        assert_eq!((m.mime.as_str(), m.width), ("image/jpeg", 500));
        assert!(start_tags(&r.body).iter().any(|t| t.name == "input"
            && attr(t, "name") == Some("cover_media_id")
            && attr(t, "value") == Some(&m.id.to_string())
            && attr(t, "checked").is_some()));

        // A refused inline upload comes back as the editor with the error and everything kept.
        let csrf = csrf_from(&r.body).expect("csrf");
        let mut bad = Form::new();
        for (k, v) in ArticleForm::titled("Storm damage").section("", "Trees are down.").pairs(&csrf, "upload") {
            bad = bad.text(k, v);
        }
        let bad = bad.text("upload_alt", "Fake").part("upload_file", file_part("x.gif", "image/gif", b"GIF? no".to_vec()));
        let r = read(b.client.post(b.url("/admin/articles/new/upload")).multipart(bad).send());
        assert_eq!(r.status, 422, "{}", r.snippet());
        assert!(field_error(&r.body, "upload_file").is_some_and(|m| m.contains("not a supported image")), "{}", r.snippet());
        assert_eq!(input_value(&r.body, "upload_alt").as_deref(), Some("Fake"));
        assert_eq!(input_value(&r.body, "title").as_deref(), Some("Storm damage"));

        // Insert into a section, then publish with the cover.
        let mut pairs = ArticleForm::titled("Storm damage").section("", "Trees are down.").pairs(&csrf, "insert_image");
        pairs.push(("insert_media_id".into(), m.id.to_string()));
        pairs.push(("insert_section".into(), "0".into()));
        let r = b.post("/admin/articles/new", &pairs);
        assert_eq!(r.status, 200, "{}", r.snippet());
        let body_md = r.body.split("name=\"section_body\"").nth(1).unwrap_or_default();
        assert!(body_md.contains("![A fallen oak across the road](/media/"), "{}", r.snippet());

        let markdown = m.markdown();
        let mut pairs = ArticleForm::titled("Storm damage").section("", &format!("Trees are down.\n\n{markdown}")).pairs(&csrf, "publish");
        pairs.push(("cover_media_id".into(), m.id.to_string()));
        let r = b.post("/admin/articles/new", &pairs);
        assert_eq!(r.status, 303, "{}", r.snippet());
        let page = app.new_browser().get("/articles/storm-damage");
        let inline = m.at_least(1024).expect("variant").path();
        assert!(start_tags(&page.body).iter().any(|t| t.name == "img" && attr(t, "src") == Some(inline.as_str())), "{}", page.snippet());
        // Used in the text and as the cover: both named on the delete page.
        let confirm = b.get(&format!("/admin/media/{}/delete", m.id));
        assert!(confirm.body.contains("cover of") && confirm.body.contains("in the text of"), "{}", confirm.snippet());
    }

    /// `POST /api/v1/admin/media`: 201 JSON with variant URLs; refusals are
    /// problem+json 415 / 422; the cover is set through the article API.
    fn api_upload(app: &TestApp) {
        app.setup_admin();
        let (editor, token) = app.with_db(|c| {
            let u = fixtures::user(c, Role::Editor);
            let t = cms_core::api_tokens::create(c, &u, "test", "write").expect("token");
            (u, t.secret)
        });
        let client = reqwest::blocking::Client::new();
        let url = format!("{}/api/v1/admin/media", app.base_url);
        let send = |form: Form| {
            let r = read(client.post(&url).bearer_auth(&token).multipart(form).send());
            let json: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            (r, json)
        };
        let (r, json) = send(Form::new().text("alt", "A lighthouse").part("file", file_part("light.png", "image/png", png(700, 700))));
        assert_eq!(r.status, 201, "{}", r.body);
        let id = json["id"].as_i64().expect("id") as i32;
        assert_eq!(r.location(), Some(format!("/api/v1/admin/media/{id}").as_str()));
        assert_eq!(json["alt"], "A lighthouse");
        assert_eq!(json["mime"], "image/png");
        let variants = json["variants"].as_array().expect("variants");
        assert_eq!(variants.len(), 6, "{json}");
        for v in variants {
            let u = v["url"].as_str().expect("url");
            let path = &u[u.find("/media/").expect("a media URL")..];
            let got = app.new_browser().get(path);
            assert_eq!(got.status, 200, "{u}");
            assert_eq!(got.header("content-type"), v["mime"].as_str());
        }
        assert!(json["url"].as_str().is_some_and(|u| u.ends_with("-700.png")), "{json}");

        let (r, json) = send(Form::new().text("alt", "Fake").part("file", file_part("photo.jpg", "image/jpeg", b"hello, world".to_vec())));
        assert_eq!(r.status, 415, "{}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert!(json["detail"].as_str().is_some_and(|d| d.contains("not a supported image")), "{json}");
        let (r, json) = send(Form::new().text("alt", "Banner").part("file", file_part("b.png", "image/png", png(20_000, 10))));
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(json["detail"].as_str().is_some_and(|d| d.contains("12000")), "{json}");
        let (r, json) = send(Form::new().part("file", file_part("c.png", "image/png", png(10, 10))));
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(json["errors"][0]["field"], "alt", "{json}");
        let not_multipart = read(client.post(&url).bearer_auth(&token).json(&serde_json::json!({"alt": "x"})).send());
        assert_eq!(not_multipart.status, 415, "{}", not_multipart.body);
        assert_eq!(media_count(app), 1);

        // The cover through the article API.
        let article = app.with_db(|c| fixtures::create(c, &editor, fixtures::article("Lighthouse keeper"), SaveAction::Save));
        let r = read(
            client
                .patch(format!("{}/api/v1/admin/articles/{}", app.base_url, article.id))
                .bearer_auth(&token)
                .json(&serde_json::json!({"version": article.version, "cover_media_id": id}))
                .send(),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let json: Value = serde_json::from_str(&r.body).expect("json");
        assert_eq!(json["cover_media_id"], id);
        let r = read(
            client
                .patch(format!("{}/api/v1/admin/articles/{}", app.base_url, article.id))
                .bearer_auth(&token)
                .json(&serde_json::json!({"version": json["version"], "cover_media_id": 999_999}))
                .send(),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        // In use: refused; once the cover is gone, deleted with its files.
        let del = read(client.delete(format!("{url}/{id}")).bearer_auth(&token).send());
        assert_eq!(del.status, 409, "{}", del.body);
        app.with_db(|c| {
            let a = cms_core::articles::find(c, article.id).expect("article");
            let input = cms_core::articles::ArticleInput { cover_media_id: None, ..cms_core::articles::save::load_input(c, &a).expect("input") };
            cms_core::articles::save(c, &editor, Some(a.id), Some(a.version), input, SaveAction::Save).expect("remove the cover")
        });
        let del = read(client.delete(format!("{url}/{id}")).bearer_auth(&token).send());
        assert_eq!(del.status, 204, "{}", del.body);
        assert_eq!(media_count(app), 0);
        assert!(stored_files(app).is_empty(), "{:?}", stored_files(app));
    }
}
