//! Parsing WXR files: refusing truncated and broken files with a position,
//! and reading the fixtures as WordPress writes them.

use super::*;

#[test]
fn truncated_and_broken_files_are_refused_with_a_position() {
    let err = wordpress::parse(
        || std::fs::File::open(fixture_path("truncated.xml")).map(std::io::BufReader::new),
        &mut |_| {},
    )
    .expect_err("truncated");
    assert!(err.message.contains("truncated"), "{err}");
    assert!(err.message.contains("<item> (opened at line 113)"), "{err}");
    assert!(err.line >= 120, "{err}");

    let err = wordpress::parse_bytes(fixture("mismatched.xml").as_bytes()).expect_err("mismatched");
    assert_eq!(err.line, 251, "{err}");
    assert!(err.message.contains("post_nam"), "{err}");

    let err = wordpress::parse_bytes(b"").expect_err("empty");
    assert!(err.message.contains("not a WordPress export"), "{err}");
    let err = wordpress::parse_bytes(b"\x00\x01 not xml <<<").expect_err("garbage");
    assert!(!err.message.is_empty());
}

#[test]
fn fixtures_parse_as_wordpress_writes_them() {
    let e = parse(&fixture("export.xml"));
    assert_eq!(
        (
            e.version.as_str(),
            e.site_url.as_str(),
            e.site_title.as_str()
        ),
        ("1.2", "https://herald.example", "Harbour Town Herald")
    );
    assert_eq!(e.authors.len(), 2);
    assert_eq!(e.categories.len(), 3);
    let types: Vec<&str> = e.items.iter().map(|i| i.post_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "attachment",
            "post",
            "post",
            "post",
            "post",
            "post",
            "post",
            "page",
            "nav_menu_item"
        ]
    );
    let bridge = &e.items[1];
    assert_eq!(bridge.meta("_thumbnail_id"), Some("45"));
    assert_eq!(
        bridge.meta("source_credit"),
        Some("Harbour Authority <press@harbour.example>")
    );
    assert_eq!(bridge.comments, 1);
    assert!(
        !bridge.content.contains("Not a section"),
        "comment text stays out of the post"
    );
    assert_eq!(
        bridge
            .terms
            .iter()
            .map(|t| (t.domain.as_str(), t.nicename.as_str()))
            .collect::<Vec<_>>(),
        [("post_tag", "bridges"), ("category", "local-news")]
    );
}
