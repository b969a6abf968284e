//! Code: `<code>` (and `<kbd>`, `<tt>`, `<samp>`) as a code span, `<pre>` as
//! a fenced code block, each fenced with more backticks than any run inside,
//! and the block's language kept from a `language-…` or `lang-…` class.

use super::tree::{raw_text, Element, Node};

pub(super) fn code_span(text: &str) -> String {
    let longest = longest_run(text, '`');
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in text.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

pub(super) fn code_block(pre: &Element) -> String {
    let text = raw_text(&pre.children);
    let text = text.strip_prefix('\n').unwrap_or(&text).trim_end();
    let lang = std::iter::once(pre)
        .chain(pre.children.iter().filter_map(|n| match n {
            Node::El(e) if e.name == "code" => Some(e),
            _ => None,
        }))
        .filter_map(|e| e.attr("class"))
        .flat_map(str::split_whitespace)
        .find_map(|c| {
            c.strip_prefix("language-")
                .or_else(|| c.strip_prefix("lang-"))
        })
        .filter(|l| {
            l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+')
        })
        .unwrap_or("");
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}{lang}\n{text}\n{fence}")
}
