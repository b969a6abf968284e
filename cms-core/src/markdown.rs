//! Markdown → sanitised HTML for section bodies, plus anchors and reading time.

use std::collections::HashSet;

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Renders Markdown and sanitises the result with ammonia, so whatever an
/// author (or an attacker with an author's account) writes cannot run script.
///
/// Headings inside a body are demoted to `<h3>` and below: the section heading
/// is the page's `<h2>`, and the outline must not skip or repeat levels.
pub fn render(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, opts).map(|ev| match ev {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    sanitize(&raw)
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H3,
        HeadingLevel::H4 => HeadingLevel::H4,
        HeadingLevel::H5 => HeadingLevel::H5,
        HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// Allows ordinary article markup; strips scripts, event handlers, `style`,
/// and every URL scheme except http(s), mailto and relative links.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

/// Builds a unique anchor id for each section heading, stable as long as the
/// heading text is: "the-vote" then "the-vote-2"; untitled sections get "section-N".
pub fn anchors<'a>(headings: impl IntoIterator<Item = Option<&'a str>>) -> Vec<String> {
    let mut seen = HashSet::new();
    headings
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let base = h
                .map(crate::slugs::slugify)
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| {
                    if i == 0 {
                        "intro".to_owned()
                    } else {
                        format!("section-{}", i + 1)
                    }
                });
            let mut candidate = base.clone();
            let mut n = 2;
            while !seen.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            candidate
        })
        .collect()
}

/// Words in a Markdown text (rough but stable: whitespace-separated tokens).
pub fn word_count(markdown: &str) -> usize {
    markdown.split_whitespace().count()
}

/// Minutes to read at 230 words per minute, never less than one.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(230).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_sanitises() {
        let html = render("Hello **world** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert!(html.contains("<strong>world</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
    }

    #[test]
    fn demotes_headings() {
        let html = render("# Big\n\n## Medium\n\n#### Small");
        assert!(html.contains("<h3>Big</h3>"));
        assert!(html.contains("<h3>Medium</h3>"));
        assert!(html.contains("<h4>Small</h4>"));
        assert!(!html.contains("<h1>") && !html.contains("<h2>"));
    }

    #[test]
    fn anchors_are_unique_and_stable() {
        let a = anchors([None, Some("The Vote"), Some("The Vote"), None, Some("!!!")]);
        assert_eq!(
            a,
            vec!["intro", "the-vote", "the-vote-2", "section-4", "section-5"]
        );
    }

    #[test]
    fn reading_time() {
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(231), 2);
    }
}
