//! Inline content: text, line breaks, emphasis, code spans, superscripts, links
//! and images, with link and image URLs rewritten to the imported media by the
//! `ImageResolver` (a block-editor image names its attachment in a
//! `wp-image-N` class).

use super::code::code_span;
use super::elements::{is_block, is_dropped};
use super::emphasis::Emphasis;
use super::text::{one_line, push_text, split_space, Mode, BR};
use super::tree::{raw_text, Element, Node};
use super::Converter;

impl Converter<'_> {
    pub(super) fn inline_string(&mut self, nodes: &[Node], mode: Mode) -> String {
        let mut s = String::new();
        for n in nodes {
            self.inline_node(n, mode, &mut s);
        }
        s
    }

    pub(super) fn rewrite(&self, url: &str, hint: Option<i64>) -> String {
        (self.images)(url, hint).unwrap_or_else(|| url.to_owned())
    }

    pub(super) fn inline_node(&mut self, node: &Node, mode: Mode, out: &mut String) {
        let el = match node {
            Node::Text(t) => {
                push_text(t, mode, out);
                return;
            }
            Node::El(el) => el,
        };
        match el.name.as_str() {
            "br" => out.push(BR),
            "strong" | "b" => self.emphasis(el, mode, out, Emphasis::Strong),
            "em" | "i" => self.emphasis(el, mode, out, Emphasis::Em),
            "del" | "s" | "strike" => self.emphasis(el, mode, out, Emphasis::Del),
            "code" | "kbd" | "tt" | "samp" => {
                let text = raw_text(&el.children);
                let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    out.push_str(&code_span(&text));
                }
            }
            "sup" | "sub" => {
                let inner = self.inline_string(&el.children, Mode::Collapse);
                let inner = one_line(&inner);
                if !inner.is_empty() {
                    out.push_str(&format!("<{0}>{inner}</{0}>", el.name));
                }
            }
            "a" => self.link_node(el, mode, out),
            "img" => {
                let src = el
                    .attr("src")
                    .filter(|s| !s.trim().is_empty())
                    .or_else(|| el.attr("data-src"))
                    .unwrap_or("")
                    .trim();
                if src.is_empty() || src.starts_with("data:") {
                    return;
                }
                let url = self.rewrite(src, attachment_hint(el));
                let alt = el.attr("alt").unwrap_or("");
                let mut alt_md = String::new();
                push_text(alt, Mode::Collapse, &mut alt_md);
                out.push_str(&format!("![{}]({})", alt_md.trim(), link_destination(&url)));
            }
            name if is_dropped(name) => self.note_dropped(name),
            name if is_block(name) => {
                // A block inside inline content (e.g. `<a><div>…</div></a>`).
                out.push(' ');
                let inner = self.inline_string(&el.children, mode);
                out.push_str(&inner);
                out.push(' ');
            }
            _ => {
                for c in &el.children {
                    self.inline_node(c, mode, out);
                }
            }
        }
    }

    fn link_node(&mut self, el: &Element, mode: Mode, out: &mut String) {
        let href = el.attr("href").unwrap_or("").trim().to_owned();
        let lower = href.to_ascii_lowercase();
        let usable = !href.is_empty()
            && !lower.starts_with("javascript:")
            && !lower.starts_with("data:")
            && !lower.starts_with("vbscript:");
        if !usable || self.link > 0 {
            for c in &el.children {
                self.inline_node(c, mode, out);
            }
            return;
        }
        self.link += 1;
        let text = self.inline_string(&el.children, Mode::Collapse);
        self.link -= 1;
        let text = one_line(&text);
        let url = self.rewrite(&href, None);
        if text.is_empty() {
            if url.starts_with("http://") || url.starts_with("https://") {
                out.push_str(&format!("<{}>", url.replace(['<', '>', ' '], "")));
            }
            return;
        }
        let (lead, core, trail) = split_space(&text);
        out.push_str(lead);
        out.push_str(&format!("[{core}]({})", link_destination(&url)));
        out.push_str(trail);
    }
}

/// The attachment id in a block-editor image's `wp-image-45` class.
pub(super) fn attachment_hint(el: &Element) -> Option<i64> {
    el.attr("class")?
        .split_whitespace()
        .find_map(|c| c.strip_prefix("wp-image-")?.parse().ok())
}

/// A link or image destination that survives Markdown: spaces and parentheses
/// percent-encoded, `<>` dropped.
fn link_destination(url: &str) -> String {
    let mut s = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            ' ' => s.push_str("%20"),
            '(' => s.push_str("%28"),
            ')' => s.push_str("%29"),
            '<' | '>' | '\n' | '\r' | '\t' => {}
            _ => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use crate::wordpress::html::convert;

    #[test]
    fn images_figures_and_captions() {
        let html = "<figure class=\"wp-block-image\"><img src=\"https://old.example/wp-content/uploads/2024/05/a-300x200.jpg\" alt=\"A [bridge]\" class=\"wp-image-45\"/><figcaption>The bridge</figcaption></figure>";
        let seen = RefCell::new(Vec::new());
        let out = convert(html, &|url, hint| {
            seen.borrow_mut().push((url.to_owned(), hint));
            Some("/media/1/a.jpg".to_owned())
        });
        assert_eq!(
            out.sections[0].body,
            "![A \\[bridge\\]](/media/1/a.jpg)\n\n*The bridge*"
        );
        assert_eq!(
            seen.into_inner(),
            vec![(
                "https://old.example/wp-content/uploads/2024/05/a-300x200.jpg".to_owned(),
                Some(45)
            )]
        );
    }
}
