//! Block-level rendering: a container's children split into runs of inline
//! content (paragraphs) and blocks, and each block written as Markdown:
//! paragraphs, `###`–`######` headings (a top-level `<h2>` starts a section
//! instead), lists, block quotes, figures and captions, definition lists and
//! rules. `<pre>` and tables are handed to `code` and `table`.

use super::code::code_block;
use super::elements::{is_block, is_transparent};
use super::emphasis::{wrap, Emphasis};
use super::sections::Blocks;
use super::text::{finished_line, paragraphs, Mode};
use super::tree::{plain_text, Element, Node};
use super::Converter;

impl Converter<'_> {
    /// Renders the children of a block container.
    pub(super) fn container(
        &mut self,
        children: &[Node],
        out: &mut dyn Blocks,
        loose: bool,
        quote: bool,
    ) {
        let mut run: Vec<&Node> = Vec::new();
        for child in children {
            match child {
                Node::El(el) if is_block(&el.name) || (quote && el.name == "cite") => {
                    self.flush(&run, out, loose);
                    run.clear();
                    if el.name == "cite" {
                        let text = self.inline_string(&el.children, Mode::Collapse);
                        for p in paragraphs(&text) {
                            out.push(format!("— {p}"));
                        }
                    } else {
                        self.block(el, out, loose);
                    }
                }
                _ => run.push(child),
            }
        }
        self.flush(&run, out, loose);
    }

    /// A run of inline content in a container: one or more paragraphs.
    fn flush(&mut self, run: &[&Node], out: &mut dyn Blocks, loose: bool) {
        if run.is_empty() {
            return;
        }
        let mode = if loose { Mode::Loose } else { Mode::Collapse };
        for p in self.paragraph(run, mode) {
            out.push(p);
        }
    }

    fn paragraph(&mut self, nodes: &[&Node], mode: Mode) -> Vec<String> {
        // A paragraph that is only a URL (an oEmbed line, `[embed]`): an autolink.
        if let [Node::Text(t)] = nodes {
            let t = t.trim();
            if (t.starts_with("https://") || t.starts_with("http://"))
                && !t.contains(char::is_whitespace)
                && !t.contains(['<', '>'])
            {
                return vec![format!("<{t}>")];
            }
        }
        let mut s = String::new();
        for n in nodes {
            self.inline_node(n, mode, &mut s);
        }
        paragraphs(&s)
    }

    fn block(&mut self, el: &Element, out: &mut dyn Blocks, loose: bool) {
        match el.name.as_str() {
            "p" => {
                let nodes: Vec<&Node> = el.children.iter().collect();
                // Block elements inside <p> (invalid, but seen): render in order.
                if el
                    .children
                    .iter()
                    .any(|n| matches!(n, Node::El(e) if is_block(&e.name)))
                {
                    self.container(&el.children, out, false, false);
                } else {
                    for p in self.paragraph(&nodes, Mode::Collapse) {
                        out.push(p);
                    }
                }
            }
            "h2" => {
                let text = plain_text(&el.children);
                if text.is_empty() {
                    return;
                }
                if !out.heading(&text) {
                    self.heading(3, el, out);
                }
            }
            "h1" => self.heading(3, el, out),
            "h3" => self.heading(3, el, out),
            "h4" => self.heading(4, el, out),
            "h5" => self.heading(5, el, out),
            "h6" => self.heading(6, el, out),
            "ul" | "ol" => self.list(el, out),
            "blockquote" => {
                let mut inner: Vec<String> = Vec::new();
                self.container(&el.children, &mut inner, true, true);
                if !inner.is_empty() {
                    out.push(prefix_lines(&inner.join("\n\n"), "> ", ">"));
                }
            }
            "pre" => out.push(code_block(el)),
            "hr" => out.push("---".to_owned()),
            "figure" => {
                let mut inner: Vec<String> = Vec::new();
                self.container(&el.children, &mut inner, false, true);
                for b in inner {
                    out.push(b);
                }
            }
            "figcaption" => {
                let text = self.inline_string(&el.children, Mode::Collapse);
                for p in paragraphs(&wrap(&text, Emphasis::Em)) {
                    out.push(p);
                }
            }
            "table" => {
                let html = crate::markdown::sanitize(&self.table_html(el));
                out.push(html.replace(['\n', '\r'], " "));
            }
            "dl" => self.container(&el.children, out, false, false),
            "dt" => {
                let text = self.inline_string(&el.children, Mode::Collapse);
                for p in paragraphs(&wrap(&text, Emphasis::Strong)) {
                    out.push(p);
                }
            }
            "dd" | "li" => {
                let mut inner: Vec<String> = Vec::new();
                self.container(&el.children, &mut inner, false, false);
                for b in inner {
                    out.push(b);
                }
            }
            name if is_transparent(name) => self.container(&el.children, out, loose, false),
            _ => {
                let mut inner: Vec<String> = Vec::new();
                self.container(&el.children, &mut inner, loose, false);
                for b in inner {
                    out.push(b);
                }
            }
        }
    }

    fn heading(&mut self, level: usize, el: &Element, out: &mut dyn Blocks) {
        let text = self.inline_string(&el.children, Mode::Collapse);
        let text = finished_line(&text);
        if !text.is_empty() {
            out.push(format!("{} {}", "#".repeat(level), text));
        }
    }

    fn list(&mut self, el: &Element, out: &mut dyn Blocks) {
        let ordered = el.name == "ol";
        let start: u64 = el
            .attr("start")
            .and_then(|s| s.trim().parse().ok())
            .filter(|&n: &u64| n < 1_000_000_000)
            .unwrap_or(1);
        let mut items: Vec<Vec<String>> = Vec::new();
        let mut loose_run: Vec<&Node> = Vec::new();
        for child in &el.children {
            match child {
                Node::El(li) if li.name == "li" => {
                    self.list_loose_text(&mut loose_run, &mut items);
                    let mut blocks: Vec<String> = Vec::new();
                    self.container(&li.children, &mut blocks, false, false);
                    if !blocks.is_empty() {
                        items.push(blocks);
                    }
                }
                // `<ul><li>a</li><ul>…</ul></ul>`: a nested list belongs to the item before it.
                Node::El(sub) if sub.name == "ul" || sub.name == "ol" => {
                    self.list_loose_text(&mut loose_run, &mut items);
                    let mut blocks: Vec<String> = Vec::new();
                    self.list(sub, &mut blocks);
                    match items.last_mut() {
                        Some(last) => last.extend(blocks),
                        None => items.push(blocks),
                    }
                }
                other => loose_run.push(other),
            }
        }
        self.list_loose_text(&mut loose_run, &mut items);
        if items.is_empty() {
            return;
        }
        let rendered: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, blocks)| {
                let marker = if ordered {
                    format!("{}. ", start + i as u64)
                } else {
                    "- ".to_owned()
                };
                let mut body = String::new();
                for (j, b) in blocks.iter().enumerate() {
                    if j > 0 {
                        body.push_str(if is_list_block(b) { "\n" } else { "\n\n" });
                    }
                    body.push_str(b);
                }
                let indent = " ".repeat(marker.len());
                let mut lines = body.lines();
                let mut s = format!("{marker}{}", lines.next().unwrap_or(""));
                for line in lines {
                    s.push('\n');
                    if !line.is_empty() {
                        s.push_str(&indent);
                        s.push_str(line);
                    }
                }
                s
            })
            .collect();
        out.push(rendered.join("\n"));
    }

    /// Text directly inside `<ul>` (not in an `<li>`): its own item, if not blank.
    fn list_loose_text(&mut self, run: &mut Vec<&Node>, items: &mut Vec<Vec<String>>) {
        if run.is_empty() {
            return;
        }
        let ps = self.paragraph(run, Mode::Collapse);
        run.clear();
        if !ps.is_empty() {
            items.push(ps);
        }
    }
}

fn is_list_block(b: &str) -> bool {
    b.starts_with("- ") || {
        let digits = b.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && b[digits..].starts_with(". ")
    }
}

fn prefix_lines(s: &str, prefix: &str, empty: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                empty.to_owned()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use crate::wordpress::html::tests::body;

    #[test]
    fn lists_nested_and_ordered() {
        let html = "<ul><li>One</li><li>Two<ul><li>Two a</li></ul></li></ul><ol start=\"3\"><li><p>Three</p></li><li>Four</li></ol>";
        assert_eq!(body(html), "- One\n- Two\n  - Two a\n\n3. Three\n4. Four");
    }

    #[test]
    fn quotes_code_and_rules() {
        let html = "<blockquote class=\"wp-block-quote\"><p>To be.</p><p>Or not.</p><cite>Hamlet</cite></blockquote><hr/><pre class=\"wp-block-code\"><code class=\"language-rust\">fn main() {\n    println!(\"&lt;hi&gt;\");\n}</code></pre><p>Use <code>a*b</code>.</p>";
        assert_eq!(
            body(html),
            "> To be.\n>\n> Or not.\n>\n> — Hamlet\n\n---\n\n```rust\nfn main() {\n    println!(\"<hi>\");\n}\n```\n\nUse `a*b`."
        );
    }

    #[test]
    fn bare_url_paragraph_is_an_autolink() {
        assert_eq!(
            body("<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=abc\n</div></figure>"),
            "<https://www.youtube.com/watch?v=abc>"
        );
    }
}
