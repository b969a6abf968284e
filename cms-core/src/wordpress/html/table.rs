//! Tables stay HTML, which Markdown allows: the subtree is written back out
//! with an allow-list of tags and attributes (link and image URLs rewritten
//! like everywhere else), then sanitised and put on one line by the caller so
//! the table stays one block.

use super::elements::{is_dropped, is_void};
use super::inline::attachment_hint;
use super::tree::{Element, Node};
use super::Converter;

impl Converter<'_> {
    pub(super) fn table_html(&mut self, el: &Element) -> String {
        let mut s = String::new();
        self.html_of(&Node::El(el.clone()), &mut s);
        s
    }

    /// Serialises a subtree with an allow-list of tags and attributes.
    fn html_of(&mut self, node: &Node, out: &mut String) {
        match node {
            Node::Text(t) => out.push_str(&escape_html(t)),
            Node::El(el) => {
                if is_dropped(&el.name) {
                    self.note_dropped(&el.name);
                    return;
                }
                let keep = matches!(
                    el.name.as_str(),
                    "table"
                        | "thead"
                        | "tbody"
                        | "tfoot"
                        | "tr"
                        | "th"
                        | "td"
                        | "caption"
                        | "strong"
                        | "b"
                        | "em"
                        | "i"
                        | "a"
                        | "code"
                        | "br"
                        | "sup"
                        | "sub"
                        | "ul"
                        | "ol"
                        | "li"
                        | "p"
                        | "img"
                );
                if keep {
                    out.push('<');
                    out.push_str(&el.name);
                    for (k, v) in &el.attrs {
                        let v = match (el.name.as_str(), k.as_str()) {
                            ("td" | "th", "colspan" | "rowspan") => v.clone(),
                            ("a", "href") => self.rewrite(v, None),
                            ("img", "src") => self.rewrite(v, attachment_hint(el)),
                            ("img", "alt") => v.clone(),
                            _ => continue,
                        };
                        out.push_str(&format!(" {k}=\"{}\"", escape_html(&v)));
                    }
                    out.push('>');
                }
                if !is_void(&el.name) {
                    for c in &el.children {
                        self.html_of(c, out);
                    }
                    if keep {
                        out.push_str(&format!("</{}>", el.name));
                    }
                }
            }
        }
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use crate::wordpress::html::tests::body;

    #[test]
    fn tables_stay_html_on_one_block() {
        let out =
            body("<table><tr><td onclick=\"x\">a\n\nb</td><td colspan=\"2\">c</td></tr></table>");
        assert!(!out.contains("\n\n"), "{out}");
        assert!(out.starts_with("<table>"), "{out}");
        assert!(
            out.contains("colspan=\"2\"") && !out.contains("onclick"),
            "{out}"
        );
    }
}
