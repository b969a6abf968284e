//! The tree the renderer walks: tokens built into elements and text with the
//! HTML rules that matter for article text (implied `</p>` and `</li>`, void
//! elements, stray end tags), and the text of a subtree read back out of it.

use super::elements::{closes_p, is_dropped, is_heading, is_void};
use super::tokens::Tok;

#[derive(Debug, Clone)]
pub(super) enum Node {
    El(Element),
    Text(String),
}

#[derive(Debug, Clone, Default)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds a tree from tokens: a forgiving subset of the HTML tree builder.
pub(super) fn build_tree(tokens: Vec<Tok>) -> Element {
    let mut stack: Vec<Element> = vec![Element {
        name: "#root".into(),
        ..Default::default()
    }];
    fn pop_into_parent(stack: &mut Vec<Element>) {
        if stack.len() > 1 {
            if let Some(el) = stack.pop() {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::El(el));
                }
            }
        }
    }
    // Index of the nearest open `name` above any of `boundaries`.
    fn find_in_scope(stack: &[Element], names: &[&str], boundaries: &[&str]) -> Option<usize> {
        for (i, el) in stack.iter().enumerate().rev() {
            if names.contains(&el.name.as_str()) {
                return Some(i);
            }
            if boundaries.contains(&el.name.as_str()) || i == 0 {
                return None;
            }
        }
        None
    }
    const SCOPE: &[&str] = &["table", "td", "th", "caption", "#root"];
    for tok in tokens {
        match tok {
            Tok::Text(t) => {
                if let Some(cur) = stack.last_mut() {
                    match cur.children.last_mut() {
                        Some(Node::Text(prev)) => prev.push_str(&t),
                        _ => cur.children.push(Node::Text(t)),
                    }
                }
            }
            Tok::Start {
                name,
                attrs,
                self_closing,
            } => {
                if closes_p(&name) {
                    if let Some(i) = find_in_scope(&stack, &["p"], SCOPE) {
                        while stack.len() > i {
                            pop_into_parent(&mut stack);
                        }
                    }
                }
                if name == "li" {
                    let mut b = SCOPE.to_vec();
                    b.extend(["ul", "ol"]);
                    if let Some(i) = find_in_scope(&stack, &["li"], &b) {
                        while stack.len() > i {
                            pop_into_parent(&mut stack);
                        }
                    }
                }
                if name == "dt" || name == "dd" {
                    let mut b = SCOPE.to_vec();
                    b.push("dl");
                    if let Some(i) = find_in_scope(&stack, &["dt", "dd"], &b) {
                        while stack.len() > i {
                            pop_into_parent(&mut stack);
                        }
                    }
                }
                if is_heading(&name) && stack.last().is_some_and(|e| is_heading(&e.name)) {
                    pop_into_parent(&mut stack);
                }
                let el = Element {
                    name,
                    attrs,
                    children: Vec::new(),
                };
                if is_void(&el.name) || (self_closing && !closes_p(&el.name)) {
                    if let Some(cur) = stack.last_mut() {
                        cur.children.push(Node::El(el));
                    }
                } else {
                    stack.push(el);
                }
            }
            Tok::End(name) => {
                if name == "br" {
                    if let Some(cur) = stack.last_mut() {
                        cur.children.push(Node::El(Element {
                            name: "br".into(),
                            ..Default::default()
                        }));
                    }
                    continue;
                }
                let names: Vec<&str> = if is_heading(&name) {
                    vec!["h1", "h2", "h3", "h4", "h5", "h6"]
                } else {
                    vec![name.as_str()]
                };
                if let Some(i) = stack
                    .iter()
                    .rposition(|e| names.contains(&e.name.as_str()))
                    .filter(|&i| i > 0)
                {
                    while stack.len() > i {
                        pop_into_parent(&mut stack);
                    }
                }
            }
        }
    }
    while stack.len() > 1 {
        pop_into_parent(&mut stack);
    }
    stack.pop().unwrap_or_default()
}

/// Text of a subtree as written (for `<pre>` and `<code>`), `<br>` as newline.
pub(super) fn raw_text(nodes: &[Node]) -> String {
    let mut s = String::new();
    fn walk(nodes: &[Node], s: &mut String) {
        for n in nodes {
            match n {
                Node::Text(t) => s.push_str(t),
                Node::El(e) if e.name == "br" => s.push('\n'),
                Node::El(e) if is_dropped(&e.name) => {}
                Node::El(e) => walk(&e.children, s),
            }
        }
    }
    walk(nodes, &mut s);
    s
}

/// Text of a subtree on one line, unescaped (section headings are plain text).
pub(super) fn plain_text(nodes: &[Node]) -> String {
    raw_text(nodes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use crate::wordpress::html::tests::body;

    #[test]
    fn unclosed_and_misnested_markup() {
        assert_eq!(
            body("<p>One<p>Two<ul><li>a<li>b</ul>"),
            "One\n\nTwo\n\n- a\n- b"
        );
        assert_eq!(
            body("<p><strong>bold <em>both</strong> after</em></p>"),
            "**bold *both*** after"
        );
        assert_eq!(body("<p>x</p></div></span>"), "x");
    }
}
