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

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::articles::save::{SectionInput, MAX_HEADING_CHARS};

/// A paragraph break inside rendered inline text (private-use code points never
/// survive into the output: they are stripped from the input first).
const PARA: char = '\u{E000}';
/// A hard line break.
const BR: char = '\u{E001}';

/// Emphasis is written as marker pairs first and turned into Markdown once the
/// whole paragraph is known, because whether `**` works depends on the
/// characters on both sides (CommonMark's flanking rules): `**Update:** text`
/// can use delimiters, `x**"q"**y` needs `<strong>`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Emphasis {
    Strong,
    Em,
    Del,
}

impl Emphasis {
    fn open(self) -> char {
        match self {
            Emphasis::Strong => '\u{E010}',
            Emphasis::Em => '\u{E012}',
            Emphasis::Del => '\u{E014}',
        }
    }
    fn close(self) -> char {
        char::from_u32(self.open() as u32 + 1).unwrap_or(' ')
    }
    fn of(c: char) -> Option<(Emphasis, bool)> {
        [Emphasis::Strong, Emphasis::Em, Emphasis::Del]
            .into_iter()
            .find_map(|e| {
                if c == e.open() {
                    Some((e, true))
                } else if c == e.close() {
                    Some((e, false))
                } else {
                    None
                }
            })
    }
    fn delimiter(self) -> &'static str {
        match self {
            Emphasis::Strong => "**",
            Emphasis::Em => "*",
            Emphasis::Del => "~~",
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Emphasis::Strong => "strong",
            Emphasis::Em => "em",
            Emphasis::Del => "del",
        }
    }
}

/// Private-use characters this module uses as markers.
fn is_marker(c: char) -> bool {
    ('\u{E000}'..='\u{E01F}').contains(&c)
}

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

// ---------------------------------------------------------------------------
// Tokens and tree.

#[derive(Debug)]
enum Tok {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End(String),
    Text(String),
}

#[derive(Default)]
struct Sink {
    tokens: RefCell<Vec<Tok>>,
    dynamic_blocks: RefCell<Vec<String>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut tokens = self.tokens.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        let raw = match name.as_str() {
                            "script" => Some(RawKind::ScriptData),
                            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                                Some(RawKind::Rawtext)
                            }
                            "textarea" | "title" => Some(RawKind::Rcdata),
                            _ => None,
                        };
                        let self_closing = tag.self_closing;
                        tokens.push(Tok::Start {
                            name,
                            attrs: tag
                                .attrs
                                .iter()
                                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                                .collect(),
                            self_closing,
                        });
                        if let (Some(kind), false) = (raw, self_closing) {
                            return TokenSinkResult::RawData(kind);
                        }
                    }
                    TagKind::EndTag => tokens.push(Tok::End(name)),
                }
            }
            Token::CharacterTokens(t) => {
                let clean: String = t.chars().filter(|&c| !is_marker(c)).collect();
                match tokens.last_mut() {
                    Some(Tok::Text(prev)) => prev.push_str(&clean),
                    _ => tokens.push(Tok::Text(clean)),
                }
            }
            Token::CommentToken(c) => {
                // `<!-- wp:latest-posts {"x":1} /-->`: a block WordPress renders at view time.
                let c = c.trim();
                if let (Some(rest), true) = (c.strip_prefix("wp:"), c.ends_with('/')) {
                    let name: String = rest
                        .chars()
                        .take_while(|ch| !ch.is_whitespace() && *ch != '/')
                        .collect();
                    let name = format!("wp:{name}");
                    let mut blocks = self.dynamic_blocks.borrow_mut();
                    if !blocks.contains(&name) {
                        blocks.push(name);
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn tokenize(html: &str) -> (Vec<Tok>, Vec<String>) {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let sink = tokenizer.sink;
    (sink.tokens.into_inner(), sink.dynamic_blocks.into_inner())
}

#[derive(Debug, Clone)]
enum Node {
    El(Element),
    Text(String),
}

#[derive(Debug, Clone, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose start closes an open `<p>` (HTML's rule, abridged).
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "details"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "ul"
            | "li"
            | "dd"
            | "dt"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Builds a tree from tokens: a forgiving subset of the HTML tree builder.
fn build_tree(tokens: Vec<Tok>) -> Element {
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

// ---------------------------------------------------------------------------
// Rendering.

/// Elements that are left out entirely (scripts, forms, embedded players).
fn is_dropped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "canvas"
            | "svg"
            | "math"
            | "form"
            | "input"
            | "button"
            | "select"
            | "textarea"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "map"
            | "xmp"
            | "noembed"
            | "noframes"
    )
}

/// Dropped elements worth a warning: real content a reader would miss.
fn is_dropped_content(name: &str) -> bool {
    matches!(
        name,
        "iframe" | "object" | "embed" | "video" | "audio" | "form" | "canvas" | "svg"
    )
}

fn is_inline_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "cite"
            | "code"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
    )
}

/// Block-level elements the renderer treats as blocks.
fn is_block(name: &str) -> bool {
    closes_p(name) || matches!(name, "table" | "summary" | "center" | "hgroup" | "dl")
}

/// Containers whose content flows on as if they were not there (an `<h2>` in a
/// `<div>` still starts a section).
fn is_transparent(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "center"
            | "hgroup"
            | "details"
            | "summary"
            | "address"
            | "fieldset"
    )
}

/// Where rendered blocks go.
trait Blocks {
    fn push(&mut self, block: String);
    /// A top-level `<h2>`: start a section (true) or not (false: render it as a
    /// subheading instead).
    fn heading(&mut self, text: &str) -> bool;
}

impl Blocks for Vec<String> {
    fn push(&mut self, block: String) {
        if !block.trim().is_empty() {
            Vec::push(self, block);
        }
    }
    fn heading(&mut self, _text: &str) -> bool {
        false
    }
}

/// The article's sections as they are built: (heading, blocks).
struct Sections {
    list: Vec<(Option<String>, Vec<String>)>,
    warnings: Vec<String>,
}

impl Blocks for Sections {
    fn push(&mut self, block: String) {
        if block.trim().is_empty() {
            return;
        }
        if let Some((_, blocks)) = self.list.last_mut() {
            blocks.push(block);
        }
    }
    fn heading(&mut self, text: &str) -> bool {
        if text.chars().count() > MAX_HEADING_CHARS {
            self.warnings.push(format!(
                "a heading longer than {MAX_HEADING_CHARS} characters was kept as a subheading"
            ));
            return false;
        }
        // Two headings in a row: the second is a subheading of the first
        // (a section needs text).
        if let Some((Some(_), blocks)) = self.list.last() {
            if blocks.is_empty() {
                return false;
            }
        }
        self.list.push((Some(text.to_owned()), Vec::new()));
        true
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// HTML whitespace: every run is one space.
    Collapse,
    /// Classic-editor text (`wpautop`): a blank line is a paragraph break, a
    /// newline a line break.
    Loose,
}

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

    /// Renders the children of a block container.
    fn container(&mut self, children: &[Node], out: &mut dyn Blocks, loose: bool, quote: bool) {
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

    fn inline_string(&mut self, nodes: &[Node], mode: Mode) -> String {
        let mut s = String::new();
        for n in nodes {
            self.inline_node(n, mode, &mut s);
        }
        s
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

    fn table_html(&mut self, el: &Element) -> String {
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

    fn rewrite(&self, url: &str, hint: Option<i64>) -> String {
        (self.images)(url, hint).unwrap_or_else(|| url.to_owned())
    }

    fn inline_node(&mut self, node: &Node, mode: Mode, out: &mut String) {
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

    fn emphasis(&mut self, el: &Element, mode: Mode, out: &mut String, kind: Emphasis) {
        let depth = match kind {
            Emphasis::Strong => &mut self.strong,
            Emphasis::Em => &mut self.em,
            Emphasis::Del => &mut self.del,
        };
        *depth += 1;
        let nested = *depth > 1;
        let inner = self.inline_string(&el.children, mode);
        match kind {
            Emphasis::Strong => self.strong -= 1,
            Emphasis::Em => self.em -= 1,
            Emphasis::Del => self.del -= 1,
        }
        if nested {
            out.push_str(&inner);
        } else {
            out.push_str(&wrap(&inner, kind));
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
fn attachment_hint(el: &Element) -> Option<i64> {
    el.attr("class")?
        .split_whitespace()
        .find_map(|c| c.strip_prefix("wp-image-")?.parse().ok())
}

fn is_space_or_marker(c: char) -> bool {
    c == ' ' || c == BR || c == PARA
}

/// (leading whitespace, core, trailing whitespace), markers counted as whitespace.
fn split_space(s: &str) -> (&str, &str, &str) {
    let core_start = s.len() - s.trim_start_matches(is_space_or_marker).len();
    let core_end = s.trim_end_matches(is_space_or_marker).len();
    if core_start >= core_end {
        return (s, "", "");
    }
    (&s[..core_start], &s[core_start..core_end], &s[core_end..])
}

/// Wraps `inner` in emphasis markers, keeping surrounding spaces outside.
/// Paragraph breaks cannot live inside emphasis: they become one line break.
fn wrap(inner: &str, kind: Emphasis) -> String {
    let mut flat = String::with_capacity(inner.len());
    for c in inner.chars() {
        let c = if c == PARA { BR } else { c };
        if !(c == BR && flat.ends_with(BR)) {
            flat.push(c);
        }
    }
    let (lead, core, trail) = split_space(&flat);
    if core.is_empty() {
        return flat.replace(BR, " ");
    }
    format!("{lead}{}{core}{}{trail}", kind.open(), kind.close())
}

/// Turns the emphasis markers of one paragraph into delimiters where
/// CommonMark will read them as intended, else into HTML tags.
fn resolve_emphasis(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let mut stack: Vec<(usize, Emphasis)> = Vec::new();
    let mut pairs: Vec<(usize, usize, Emphasis)> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match Emphasis::of(c) {
            Some((kind, true)) => stack.push((i, kind)),
            Some((kind, false)) => {
                if let Some(pos) = stack.iter().rposition(|(_, k)| *k == kind) {
                    let (open, _) = stack.remove(pos);
                    pairs.push((open, i, kind));
                }
            }
            None => {}
        }
    }
    // Neighbours, looking through adjacent markers (one delimiter run).
    let before = |i: usize| {
        chars[..i]
            .iter()
            .rev()
            .find(|c| Emphasis::of(**c).is_none())
            .copied()
    };
    let after = |i: usize| {
        chars[i + 1..]
            .iter()
            .find(|c| Emphasis::of(**c).is_none())
            .copied()
    };
    let space = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == BR);
    let punct =
        |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace() && c != BR);
    let mut replace: Vec<Option<String>> = vec![None; chars.len()];
    for (open, close, kind) in pairs {
        let left = !space(after(open))
            && (!punct(after(open)) || space(before(open)) || punct(before(open)));
        let right = !space(before(close))
            && (!punct(before(close)) || space(after(close)) || punct(after(close)));
        if left && right {
            replace[open] = Some(kind.delimiter().to_owned());
            replace[close] = Some(kind.delimiter().to_owned());
        } else {
            replace[open] = Some(format!("<{}>", kind.tag()));
            replace[close] = Some(format!("</{}>", kind.tag()));
        }
    }
    let mut out = String::with_capacity(p.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match (&replace[i], Emphasis::of(c)) {
            (Some(r), _) => out.push_str(r),
            (None, Some(_)) => {}
            (None, None) => out.push(c),
        }
    }
    out
}

/// Appends text, escaped for Markdown, with whitespace handled per `mode`.
fn push_text(text: &str, mode: Mode, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            let mut newlines = 0;
            while i < chars.len() && matches!(chars[i], ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                if chars[i] == '\n' {
                    newlines += 1;
                }
                i += 1;
            }
            out.push(match (mode, newlines) {
                (Mode::Loose, 0) | (Mode::Collapse, _) => ' ',
                (Mode::Loose, 1) => BR,
                (Mode::Loose, _) => PARA,
            });
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let inner_word = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if !inner_word {
                    out.push('\\');
                }
                out.push('_');
            }
            '&' => {
                // Only what would be read as an entity (`&copy;`, `&#169;`).
                let rest: String = chars[i + 1..].iter().take(32).collect();
                let name_len = rest
                    .chars()
                    .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '#')
                    .count();
                if name_len > 0 && rest[name_len..].starts_with(';') {
                    out.push('\\');
                }
                out.push('&');
            }
            _ => out.push(c),
        }
        i += 1;
    }
}

/// Splits rendered inline text into finished paragraphs: markers turned into
/// Markdown, spaces collapsed, and each line's start escaped where Markdown
/// would otherwise read a heading, list, quote or rule.
fn paragraphs(raw: &str) -> Vec<String> {
    // `<br><br>` is the classic editor's paragraph break.
    let mut normal = String::with_capacity(raw.len());
    let mut pending_br = 0;
    for c in raw.chars() {
        match c {
            BR => pending_br += 1,
            ' ' if pending_br > 0 => {}
            _ => {
                if pending_br > 0 {
                    normal.push(if pending_br > 1 { PARA } else { BR });
                    pending_br = 0;
                }
                normal.push(c);
            }
        }
    }
    normal
        .split(PARA)
        .filter_map(|p| {
            let lines: Vec<String> = p
                .split(BR)
                .map(|l| {
                    escape_line_start(
                        &l.split(' ')
                            .filter(|w| !w.is_empty())
                            .collect::<Vec<_>>()
                            .join(" "),
                    )
                })
                .filter(|l| !l.is_empty())
                .collect();
            if lines.is_empty() {
                None
            } else {
                let joined = lines.join(&BR.to_string());
                Some(resolve_emphasis(&joined).replace(BR, "\\\n"))
            }
        })
        .collect()
}

/// Inline text on one line (headings, link text).
fn one_line(s: &str) -> String {
    s.replace([PARA, BR], " ")
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`one_line`] with emphasis resolved: a finished line (headings).
fn finished_line(s: &str) -> String {
    resolve_emphasis(&one_line(s))
}

fn escape_line_start(line: &str) -> String {
    let mut chars = line.chars();
    match chars.next() {
        Some('#' | '>' | '+' | '-' | '=' | '|') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].chars().next() {
                Some('.' | ')') if digits <= 9 => {
                    format!("{}\\{}", &line[..digits], &line[digits..])
                }
                _ => line.to_owned(),
            }
        }
        _ => line.to_owned(),
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

/// Text of a subtree as written (for `<pre>` and `<code>`), `<br>` as newline.
fn raw_text(nodes: &[Node]) -> String {
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
fn plain_text(nodes: &[Node]) -> String {
    raw_text(nodes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn code_span(text: &str) -> String {
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

fn code_block(pre: &Element) -> String {
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

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

    fn body(html: &str) -> String {
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
    fn escapes_markdown_in_text() {
        assert_eq!(
            body("<p>1. Not a list *really* [x] &lt;b&gt; snake_case _under_ &amp;copy;</p>"),
            "1\\. Not a list \\*really\\* \\[x\\] \\<b> snake_case \\_under\\_ \\&copy;"
        );
        assert_eq!(
            body("<p># not a heading</p><p>- not a list</p>"),
            "\\# not a heading\n\n\\- not a list"
        );
    }

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
    fn headings_without_text_and_long_headings() {
        let out = convert(
            "<h2>A</h2><h2>B</h2><p>Text</p><h2>Trailing</h2>",
            &|_, _| None,
        );
        assert_eq!(
            out.sections,
            vec![SectionInput {
                heading: "A".into(),
                body: "### B\n\nText".into()
            }]
        );
        assert!(out.warnings.iter().any(|w| w.contains("Trailing")));
        let long = "x".repeat(300);
        let out = convert(&format!("<p>a</p><h2>{long}</h2><p>b</p>"), &|_, _| None);
        assert_eq!(out.sections.len(), 1);
        assert!(out.sections[0].body.starts_with("a\n\n### xxx"));
    }

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

    #[test]
    fn emphasis_edges() {
        assert_eq!(body("<p>a<strong> b </strong>c</p>"), "a **b** c");
        assert_eq!(
            body("<p>x<strong>\"q\"</strong>y</p>"),
            "x<strong>\"q\"</strong>y"
        );
        assert_eq!(body("<p><strong> </strong>z</p>"), "z");
        assert_eq!(
            body("<p><strong>Update:</strong> the road is open.</p>"),
            "**Update:** the road is open."
        );
        assert_eq!(
            body("<p>a<em>(b)</em>c <em>“d”</em> e</p>"),
            "a<em>(b)</em>c *“d”* e"
        );
        assert_eq!(body("<p><strong>a<br><br>b</strong></p>"), "**a\\\nb**");
    }

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

    #[test]
    fn bare_url_paragraph_is_an_autolink() {
        assert_eq!(
            body("<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=abc\n</div></figure>"),
            "<https://www.youtube.com/watch?v=abc>"
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
