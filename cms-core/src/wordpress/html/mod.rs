//! WordPress post HTML → Gazette sections of Markdown.
//!
//! Post content is HTML in two dialects: the block editor's (every paragraph in
//! `<p>`, blocks marked by `<!-- wp:… -->` comments) and the classic editor's,
//! where WordPress adds the paragraphs at display time (`wpautop`): a blank line
//! is a paragraph break and a single newline a line break. Both are read here.
//!
//! The HTML is tokenised by html5ever (the parser ammonia uses, so entities and
//! odd markup are read as browsers read them), built into a small tree with the
//! HTML rules that matter for article text (implied `</p>` and `</li>`, void
//! elements, stray end tags), and written out as CommonMark: paragraphs, `###`–
//! `######` headings, emphasis, links, images, lists, block quotes, code, line
//! breaks. Every top-level `<h2>` starts a new section whose heading is the h2's
//! text; what comes before the first one is the intro. Tables stay as (sanitised)
//! HTML, which Markdown allows; scripts, frames and embedded players are dropped
//! with a warning. Text is escaped so that nothing in it turns into Markdown by
//! accident (`*`, `_`, `[`, `<`, a `1.` or `#` at the start of a line, …).
//!
//! The conversion, stage by stage:
//!
//! - `tokens`: html5ever's tokenizer, noting the block editor's dynamic blocks;
//! - `tree`: the tokens built into a small tree, forgiving as browsers are;
//! - `elements`: the HTML categories both decide by (void, block, dropped, …);
//! - `blocks` and `sections`: block-level Markdown, and the `<h2>`s that start
//!   sections;
//! - `inline`, `emphasis` and `code`: inline content, links and images;
//! - `table`: tables kept as HTML;
//! - `text`: text escaped for Markdown and split into finished paragraphs.

mod blocks;
mod code;
mod elements;
mod emphasis;
mod inline;
mod sections;
mod table;
mod text;
mod tokens;
mod tree;

use crate::articles::save::SectionInput;

use elements::{is_dropped, is_dropped_content, is_inline_formatting, is_void};
use sections::Sections;
use tokens::{tokenize, Tok};
use tree::build_tree;

/// Finds the imported media URL for an image or link target: `(url, attachment
/// id from a `wp-image-N` class)` → new URL, or `None` to keep the old one.
pub type ImageResolver<'a> = &'a dyn Fn(&str, Option<i64>) -> Option<String>;

/// The converted article body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    pub sections: Vec<SectionInput>,
    /// What was dropped or changed on the way (shortcodes, embeds, headings).
    pub warnings: Vec<String>,
}

/// Converts post content (HTML with shortcodes and block comments) to sections.
pub fn convert(html: &str, images: ImageResolver<'_>) -> Converted {
    let mut dropped = Vec::new();
    let expanded = super::shortcodes::expand(html, &mut dropped);
    let (tokens, dynamic_blocks) = tokenize(&expanded);
    let root = build_tree(tokens);
    let mut c = Converter {
        images,
        warnings: Vec::new(),
        dropped_elements: Vec::new(),
        strong: 0,
        em: 0,
        del: 0,
        link: 0,
    };
    if !dropped.is_empty() {
        c.warnings.push(format!(
            "shortcodes removed: {}",
            dropped
                .iter()
                .map(|d| format!("[{d}]"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if !dynamic_blocks.is_empty() {
        c.warnings.push(format!(
            "dynamic blocks have no stored content and were left out: {}",
            dynamic_blocks.join(" ")
        ));
    }
    let mut sections = Sections {
        list: vec![(None, Vec::new())],
        warnings: Vec::new(),
    };
    c.container(&root.children, &mut sections, true, false);
    if !c.dropped_elements.is_empty() {
        c.warnings.push(format!(
            "embedded content dropped: {}",
            c.dropped_elements
                .iter()
                .map(|d| format!("<{d}>"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    let mut warnings = c.warnings;
    warnings.append(&mut sections.warnings);
    if let Some((Some(h), blocks)) = sections.list.last() {
        if blocks.is_empty() {
            warnings.push(format!("heading “{h}” has no text after it; left out"));
            sections.list.pop();
        }
    }
    Converted {
        sections: sections
            .list
            .into_iter()
            .filter(|(h, blocks)| h.is_some() || !blocks.is_empty())
            .map(|(h, blocks)| SectionInput {
                heading: h.unwrap_or_default(),
                body: blocks.join("\n\n"),
            })
            .collect(),
        warnings,
    }
}

/// The text of an HTML fragment on one line: tags and shortcodes removed,
/// entities decoded, whitespace collapsed (for titles and excerpts).
pub fn to_plain_text(html: &str) -> String {
    let mut dropped = Vec::new();
    let expanded = super::shortcodes::expand(html, &mut dropped);
    let (tokens, _) = tokenize(&expanded);
    let mut out = String::new();
    let mut skip = 0usize;
    for t in tokens {
        match t {
            Tok::Start { name, .. } if is_dropped(&name) && !is_void(&name) => skip += 1,
            Tok::End(name) if is_dropped(&name) => skip = skip.saturating_sub(1),
            Tok::Text(s) if skip == 0 => out.push_str(&s),
            Tok::Start { name, .. } | Tok::End(name) if !is_inline_formatting(&name) => {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The renderer's state while it walks the tree: where imported images are,
/// what was dropped, and how deep it is in emphasis and links (nested ones are
/// flattened).
struct Converter<'a> {
    images: ImageResolver<'a>,
    warnings: Vec<String>,
    dropped_elements: Vec<String>,
    strong: usize,
    em: usize,
    del: usize,
    link: usize,
}

impl Converter<'_> {
    fn note_dropped(&mut self, name: &str) {
        if is_dropped_content(name) && !self.dropped_elements.iter().any(|d| d == name) {
            self.dropped_elements.push(name.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> Vec<(String, String)> {
        convert(html, &|_, _| None)
            .sections
            .into_iter()
            .map(|s| (s.heading, s.body))
            .collect()
    }

    pub(super) fn body(html: &str) -> String {
        let s = md(html);
        assert_eq!(s.len(), 1, "one section expected: {s:?}");
        s[0].1.clone()
    }

    #[test]
    fn gutenberg_blocks_and_sections() {
        let html = "<!-- wp:paragraph -->\n<p>Intro with <strong>bold</strong> and <em>italic</em>.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">The <em>vote</em></h2>\n<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>It passed.</p>\n<!-- /wp:paragraph -->";
        assert_eq!(
            md(html),
            vec![
                (
                    String::new(),
                    "Intro with **bold** and *italic*.".to_owned()
                ),
                ("The vote".to_owned(), "It passed.".to_owned()),
            ]
        );
    }

    #[test]
    fn classic_editor_paragraphs_and_line_breaks() {
        let html = "First paragraph\nsame paragraph, new line.\n\nSecond <a href=\"https://example.org/a b\">link</a>.\n<h2>Next</h2>\nAfter.";
        assert_eq!(
            md(html),
            vec![
                (
                    String::new(),
                    "First paragraph\\\nsame paragraph, new line.\n\nSecond [link](https://example.org/a%20b).".to_owned()
                ),
                ("Next".to_owned(), "After.".to_owned()),
            ]
        );
    }

    #[test]
    fn caption_shortcode_keeps_image_and_caption() {
        let html = "Before.\n\n[caption id=\"attachment_9\" width=\"300\"]<a href=\"https://x.example/big.jpg\"><img src=\"https://x.example/small.jpg\" alt=\"Pier\" /></a> The pier[/caption]\n\nAfter.";
        assert_eq!(
            body(html),
            "Before.\n\n[![Pier](https://x.example/small.jpg)](https://x.example/big.jpg)\n\n*The pier*\n\nAfter."
        );
    }

    #[test]
    fn drops_scripts_iframes_and_reports_them() {
        let out = convert(
            "<p>Hi<script>alert(1)</script></p><iframe src=\"https://evil.example\"></iframe><!-- wp:latest-posts {\"n\":3} /--><p onclick=\"x()\">There</p>[gallery ids=\"1\"]",
            &|_, _| None,
        );
        assert_eq!(out.sections[0].body, "Hi\n\nThere");
        let w = out.warnings.join(" | ");
        assert!(
            w.contains("[gallery]") && w.contains("<iframe>") && w.contains("wp:latest-posts"),
            "{w}"
        );
    }

    #[test]
    fn plain_text_of_titles_and_excerpts() {
        assert_eq!(
            to_plain_text("Tom &amp; Jerry&#8217;s <em>big</em> day"),
            "Tom & Jerry\u{2019}s big day"
        );
        assert_eq!(
            to_plain_text("<p>One</p><p>Two [gallery]</p><script>x</script>"),
            "One Two"
        );
    }

    #[test]
    fn never_panics_on_garbage() {
        for s in [
            "<",
            "<<<>>>",
            "<p",
            "&",
            "&#xffffffff;",
            "<a href=",
            "<ul><li><ol><li>",
            "\u{E000}\u{E001}",
            "[caption]<img",
        ] {
            let _ = convert(s, &|_, _| None);
            let _ = to_plain_text(s);
        }
    }
}
