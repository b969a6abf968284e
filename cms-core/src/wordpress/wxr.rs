//! Reading a WordPress eXtended RSS (WXR) export: `<rss><channel>` with the
//! site's authors and categories and one `<item>` per post, page, attachment,
//! menu item, ….
//!
//! The file is read as a stream with `quick-xml`'s namespace-aware reader, so a
//! large export is never held as one string next to the parsed items. Elements
//! are recognised by namespace URI (`wp:` is `http://wordpress.org/export/1.x/`),
//! not by prefix, with a fallback to the usual prefixes when an export forgot to
//! declare them. Only the direct children of an item are read as the item's
//! fields, so a comment's `wp:comment_date` can never become the post's date.
//!
//! Any XML error (including a file that ends early) is fatal: [`WxrError`] says
//! where, and nothing of that file is imported.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// An export that could not be read: what and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WxrError {
    pub message: String,
    /// Byte offset in the file.
    pub offset: u64,
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for WxrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for WxrError {}

/// A `<wp:author>` of the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrAuthor {
    pub login: String,
    pub email: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

/// A `<wp:category>` of the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrCategory {
    /// The URL name, as WordPress stores it (may be percent-encoded UTF-8).
    pub nicename: String,
    pub name: String,
    pub parent: String,
    pub description: String,
}

/// A `<category domain="…" nicename="…">Name</category>` of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrTerm {
    /// `category`, `post_tag`, `post_format`, …
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// One `<item>`: the fields the importer uses, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrItem {
    /// Line of the `<item>` tag, for messages.
    pub line: u64,
    /// `wp:post_id`; `None` when missing or not a number.
    pub post_id: Option<i64>,
    pub title: String,
    /// The permalink (`<link>`).
    pub link: String,
    /// RSS `pubDate` (RFC 2822).
    pub pub_date: String,
    /// `dc:creator`: the author's login.
    pub creator: String,
    /// `content:encoded` (HTML, possibly with Gutenberg comments and shortcodes).
    pub content: String,
    /// `excerpt:encoded`.
    pub excerpt: String,
    /// `wp:post_date`, site-local `YYYY-MM-DD HH:MM:SS`.
    pub post_date: String,
    /// `wp:post_date_gmt`; `0000-00-00 00:00:00` for never-published drafts.
    pub post_date_gmt: String,
    pub post_modified_gmt: String,
    /// `wp:post_name` (may be empty for drafts, may be percent-encoded).
    pub post_name: String,
    /// `wp:status`: publish, future, draft, pending, private, trash, auto-draft, inherit.
    pub status: String,
    /// `wp:post_type`: post, page, attachment, nav_menu_item, …
    pub post_type: String,
    pub post_parent: Option<i64>,
    pub post_password: String,
    /// `wp:attachment_url` (attachments only).
    pub attachment_url: String,
    pub terms: Vec<WxrTerm>,
    /// `wp:postmeta` key/value pairs (custom fields), in order.
    pub meta: Vec<(String, String)>,
    /// How many `wp:comment`s the item carried (comments are not imported).
    pub comments: usize,
}

impl WxrItem {
    /// The first value of a custom field.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A whole export, read and checked.
#[derive(Debug, Clone, Default)]
pub struct WxrExport {
    /// `wp:wxr_version` (1.0, 1.1, 1.2).
    pub version: String,
    pub site_title: String,
    /// `wp:base_site_url`, else the channel's `<link>`.
    pub site_url: String,
    /// `wp:base_blog_url`, else the site URL.
    pub blog_url: String,
    pub authors: Vec<WxrAuthor>,
    pub categories: Vec<WxrCategory>,
    pub items: Vec<WxrItem>,
    /// Oddities that did not stop the reading (undeclared namespace prefixes, …).
    pub warnings: Vec<String>,
}

impl WxrExport {
    pub fn author(&self, login: &str) -> Option<&WxrAuthor> {
        self.authors.iter().find(|a| a.login == login)
    }
    pub fn category(&self, nicename: &str) -> Option<&WxrCategory> {
        self.categories.iter().find(|c| c.nicename == nicename)
    }
}

/// Which vocabulary an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// Plain RSS (no namespace).
    Rss,
    Wp,
    Content,
    Excerpt,
    Dc,
    Other,
}

fn ns_of_uri(uri: &[u8]) -> Ns {
    let uri = String::from_utf8_lossy(uri);
    let uri = uri.trim_end_matches('/');
    if uri.starts_with("http://wordpress.org/export/") && uri.ends_with("/excerpt") {
        Ns::Excerpt
    } else if uri.starts_with("http://wordpress.org/export/") {
        Ns::Wp
    } else if uri == "http://purl.org/rss/1.0/modules/content" {
        Ns::Content
    } else if uri == "http://purl.org/dc/elements/1.1" {
        Ns::Dc
    } else {
        Ns::Other
    }
}

fn ns_of_prefix(prefix: &[u8]) -> Ns {
    match prefix {
        b"wp" => Ns::Wp,
        b"content" => Ns::Content,
        b"excerpt" => Ns::Excerpt,
        b"dc" => Ns::Dc,
        _ => Ns::Other,
    }
}

/// An open element: vocabulary and local name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Name {
    ns: Ns,
    local: String,
    /// Line where it opened, for "file ends inside <item> opened at line N".
    line: u64,
}

impl Name {
    fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// Counts lines and bytes as quick-xml consumes its input.
struct Counting<R> {
    inner: R,
    consumed: u64,
    line: u64,
    /// Called with the bytes consumed so far, at most every 256 KiB.
    next_report: u64,
}

impl<R: BufRead> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

const REPORT_EVERY: u64 = 256 * 1024;

/// Reads a whole export. `progress` is called now and then with the number of
/// bytes read so far (for a progress bar over the file's size).
///
/// On error the position is a byte offset; [`locate`] turns it into a line and
/// column by reading the input again (only on that rare path), which is why the
/// input is given as a function that opens it.
pub fn parse<R, F>(open: F, progress: &mut dyn FnMut(u64)) -> Result<WxrExport, WxrError>
where
    R: BufRead,
    F: Fn() -> std::io::Result<R>,
{
    let input = open().map_err(|e| WxrError {
        message: format!("cannot read the export: {e}"),
        offset: 0,
        line: 1,
        column: 1,
    })?;
    match Parser::default().run(input, progress) {
        Ok(export) => Ok(export),
        Err((offset, message)) => {
            let (line, column) = open().ok().map_or((0, 0), |r| locate(r, offset));
            Err(WxrError {
                message,
                offset,
                line,
                column,
            })
        }
    }
}

/// Reads an export held in memory (tests, small files).
pub fn parse_bytes(bytes: &[u8]) -> Result<WxrExport, WxrError> {
    parse(|| Ok(bytes), &mut |_| {})
}

/// Line and column (1-based, column in characters) of a byte offset.
pub fn locate<R: Read>(mut input: R, offset: u64) -> (u64, u64) {
    let mut line = 1;
    let mut line_start: Vec<u8> = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut pos = 0u64;
    while pos < offset {
        let n = match input.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let take = ((offset - pos) as usize).min(n);
        for &b in &buf[..take] {
            if b == b'\n' {
                line += 1;
                line_start.clear();
            } else {
                line_start.push(b);
            }
        }
        pos += take as u64;
    }
    let column = String::from_utf8_lossy(&line_start).chars().count() as u64 + 1;
    (line, column)
}

#[derive(Default)]
struct Parser {
    export: WxrExport,
    stack: Vec<Name>,
    /// Text of the element being read (cleared at every start tag).
    text: String,
    item: Option<WxrItem>,
    author: Option<WxrAuthor>,
    category: Option<WxrCategory>,
    term: Option<WxrTerm>,
    meta: Option<(String, String)>,
    saw_rss: bool,
    saw_channel: bool,
    saw_wp: bool,
    warned_prefixes: bool,
    unknown_entities: Vec<String>,
}

type Failure = (u64, String);

impl Parser {
    fn run<R: BufRead>(
        mut self,
        input: R,
        progress: &mut dyn FnMut(u64),
    ) -> Result<WxrExport, Failure> {
        let mut reader = NsReader::from_reader(Counting {
            inner: input,
            consumed: 0,
            line: 1,
            next_report: REPORT_EVERY,
        });
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
                Ok((ns, ev)) => (self.classify(&ns), ev),
                Err(quick_xml::Error::Syntax(e))
                    if e != quick_xml::errors::SyntaxError::InvalidBangMarkup =>
                {
                    // Every other syntax error is "input ended inside markup".
                    return Err((
                        reader.error_position(),
                        format!("{e}; {}", self.truncated()),
                    ));
                }
                Err(e) => return Err((reader.error_position(), format!("invalid XML: {e}"))),
            };
            let line = reader.get_ref().line;
            let here = reader.buffer_position();
            match event {
                Event::Start(start) => self.start(ns, &start, line)?,
                Event::Empty(start) => {
                    self.start(ns, &start, line)?;
                    self.end();
                }
                Event::End(_) => self.end(),
                Event::Text(t) => {
                    let s = t
                        .xml10_content()
                        .map_err(|e| (here, format!("text is not valid UTF-8: {e}")))?;
                    self.text.push_str(&s);
                }
                Event::CData(t) => {
                    let s = t
                        .xml10_content()
                        .map_err(|e| (here, format!("CDATA is not valid UTF-8: {e}")))?;
                    self.text.push_str(&s);
                }
                Event::GeneralRef(r) => {
                    let name = r
                        .decode()
                        .map_err(|e| (here, format!("entity is not valid UTF-8: {e}")))?;
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => self.text.push(c),
                        Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => self.text.push_str(s),
                            None => {
                                // Not XML, but HTML entities (&nbsp;) do turn up in
                                // hand-edited exports: keep them for the HTML converter.
                                self.text.push('&');
                                self.text.push_str(&name);
                                self.text.push(';');
                                if !self.unknown_entities.iter().any(|n| *n == *name) {
                                    self.unknown_entities.push(name.into_owned());
                                }
                            }
                        },
                        Err(e) => {
                            return Err((here, format!("bad character reference &{name};: {e}")))
                        }
                    }
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
            }
            let consumed = reader.get_ref().consumed;
            if consumed >= reader.get_ref().next_report {
                progress(consumed);
                reader.get_mut().next_report = consumed + REPORT_EVERY;
            }
        }
        let end = reader.buffer_position();
        progress(reader.get_ref().consumed);
        if !self.stack.is_empty() {
            return Err((end, self.truncated()));
        }
        if !self.saw_rss || !self.saw_channel {
            return Err((
                end,
                "not a WordPress export: expected <rss><channel>…</channel></rss>".into(),
            ));
        }
        if !self.saw_wp {
            return Err((
                end,
                "not a WordPress export (WXR): no wp: elements, this looks like a plain RSS feed"
                    .into(),
            ));
        }
        if !self.unknown_entities.is_empty() {
            self.export.warnings.push(format!(
                "undeclared entities kept as HTML: {}",
                self.unknown_entities
                    .iter()
                    .map(|n| format!("&{n};"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        if self.export.site_url.is_empty() {
            self.export.warnings.push(
                "the export names no site URL (wp:base_site_url): old permalinks are matched by path only"
                    .into(),
            );
        }
        if self.export.blog_url.is_empty() {
            self.export.blog_url = self.export.site_url.clone();
        }
        Ok(self.export)
    }

    /// Says where an export that ends early stopped: inside which item.
    fn truncated(&self) -> String {
        let open = self
            .stack
            .iter()
            .rev()
            .find(|n| n.local == "item")
            .or(self.stack.last());
        match open {
            Some(n) => format!(
                "the file ends inside <{}> (opened at line {}): the export is incomplete (truncated?)",
                n.local, n.line
            ),
            None => "the file ends early: the export is incomplete (truncated?)".to_owned(),
        }
    }

    fn classify(&mut self, r: &ResolveResult<'_>) -> Ns {
        match r {
            ResolveResult::Bound(ns) => ns_of_uri(ns.as_ref()),
            ResolveResult::Unbound => Ns::Rss,
            ResolveResult::Unknown(prefix) => {
                if !self.warned_prefixes {
                    self.warned_prefixes = true;
                    self.export.warnings.push(format!(
                        "namespace prefix `{}:` is used without being declared; read by its usual meaning",
                        String::from_utf8_lossy(prefix)
                    ));
                }
                ns_of_prefix(prefix)
            }
        }
    }

    /// The element `depth` levels below the root of the current path, if any.
    fn at(&self, depth: usize) -> Option<&Name> {
        self.stack.get(depth)
    }

    /// Whether an element at `depth` (1 = the root) sits directly in `<channel>`.
    /// Holds whether the element itself is still on the stack or just popped.
    fn parent_is_channel(&self, len: usize) -> bool {
        len == 3 && self.at(1).is_some_and(|n| n.is(Ns::Rss, "channel"))
    }

    fn start(&mut self, ns: Ns, start: &BytesStart<'_>, line: u64) -> Result<(), Failure> {
        let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        let name = Name { ns, local, line };
        self.text.clear();
        if ns == Ns::Wp {
            self.saw_wp = true;
        }
        self.stack.push(name.clone());
        let depth = self.stack.len();
        match depth {
            1 => self.saw_rss = name.is(Ns::Rss, "rss"),
            2 if name.is(Ns::Rss, "channel") => self.saw_channel = true,
            _ => {}
        }
        let in_channel = self.parent_is_channel(depth);
        if in_channel && name.is(Ns::Rss, "item") {
            self.item = Some(WxrItem {
                line,
                ..Default::default()
            });
        } else if in_channel && name.is(Ns::Wp, "author") {
            self.author = Some(WxrAuthor::default());
        } else if in_channel && name.is(Ns::Wp, "category") {
            self.category = Some(WxrCategory::default());
        } else if depth == 4 && self.item.is_some() {
            if name.is(Ns::Rss, "category") {
                let mut term = WxrTerm::default();
                for attr in start.attributes().flatten() {
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap_or(Cow::Borrowed(""))
                        .into_owned();
                    match attr.key.local_name().as_ref() {
                        b"domain" => term.domain = value,
                        b"nicename" => term.nicename = value,
                        _ => {}
                    }
                }
                self.term = Some(term);
            } else if name.is(Ns::Wp, "postmeta") {
                self.meta = Some(Default::default());
            } else if name.is(Ns::Wp, "comment") {
                if let Some(item) = self.item.as_mut() {
                    item.comments += 1;
                }
            }
        }
        Ok(())
    }

    fn end(&mut self) {
        let depth = self.stack.len();
        let Some(name) = self.stack.pop() else {
            return;
        };
        let text = std::mem::take(&mut self.text);
        if self.parent_is_channel(depth) {
            self.channel_field(&name, text);
            return;
        }
        // Inside a channel-level <wp:author> or <wp:category>.
        if depth == 4 {
            if let Some(a) = self.author.as_mut() {
                if name.ns == Ns::Wp {
                    let v = text.trim().to_owned();
                    match name.local.as_str() {
                        "author_login" => a.login = v,
                        "author_email" => a.email = v,
                        "author_display_name" => a.display_name = v,
                        "author_first_name" => a.first_name = v,
                        "author_last_name" => a.last_name = v,
                        _ => {}
                    }
                }
                return;
            }
            if let Some(c) = self.category.as_mut() {
                if name.ns == Ns::Wp {
                    match name.local.as_str() {
                        "category_nicename" => c.nicename = text.trim().to_owned(),
                        "cat_name" => c.name = text.trim().to_owned(),
                        "category_parent" => c.parent = text.trim().to_owned(),
                        "category_description" => c.description = text.trim().to_owned(),
                        _ => {}
                    }
                }
                return;
            }
            if self.item.is_some() {
                self.item_field(&name, text);
                return;
            }
        }
        // <wp:postmeta><wp:meta_key>…
        if depth == 5 && self.item.is_some() && name.ns == Ns::Wp {
            if let Some((k, v)) = self.meta.as_mut() {
                match name.local.as_str() {
                    "meta_key" => *k = text.trim().to_owned(),
                    "meta_value" => *v = text,
                    _ => {}
                }
            }
        }
    }

    fn channel_field(&mut self, name: &Name, text: String) {
        let e = &mut self.export;
        match (name.ns, name.local.as_str()) {
            (Ns::Rss, "item") => {
                if let Some(item) = self.item.take() {
                    e.items.push(item);
                }
            }
            (Ns::Wp, "author") => {
                if let Some(a) = self.author.take() {
                    e.authors.push(a);
                }
            }
            (Ns::Wp, "category") => {
                if let Some(c) = self.category.take() {
                    e.categories.push(c);
                }
            }
            (Ns::Rss, "title") => e.site_title = text.trim().to_owned(),
            (Ns::Rss, "link") if e.site_url.is_empty() => e.site_url = text.trim().to_owned(),
            (Ns::Wp, "base_site_url") => e.site_url = text.trim().to_owned(),
            (Ns::Wp, "base_blog_url") => e.blog_url = text.trim().to_owned(),
            (Ns::Wp, "wxr_version") => e.version = text.trim().to_owned(),
            _ => {}
        }
    }

    fn item_field(&mut self, name: &Name, text: String) {
        let Some(item) = self.item.as_mut() else {
            return;
        };
        let trimmed = || text.trim().to_owned();
        match (name.ns, name.local.as_str()) {
            (Ns::Rss, "title") => item.title = trimmed(),
            (Ns::Rss, "link") => item.link = trimmed(),
            (Ns::Rss, "pubDate") => item.pub_date = trimmed(),
            (Ns::Rss, "category") => {
                if let Some(mut term) = self.term.take() {
                    term.name = trimmed();
                    item.terms.push(term);
                }
            }
            (Ns::Dc, "creator") => item.creator = trimmed(),
            (Ns::Content, "encoded") => item.content = text,
            (Ns::Excerpt, "encoded") => item.excerpt = text,
            (Ns::Wp, "post_id") => item.post_id = text.trim().parse().ok(),
            (Ns::Wp, "post_date") => item.post_date = trimmed(),
            (Ns::Wp, "post_date_gmt") => item.post_date_gmt = trimmed(),
            (Ns::Wp, "post_modified_gmt") => item.post_modified_gmt = trimmed(),
            (Ns::Wp, "post_name") => item.post_name = trimmed(),
            (Ns::Wp, "status") => item.status = trimmed(),
            (Ns::Wp, "post_type") => item.post_type = trimmed(),
            (Ns::Wp, "post_parent") => {
                item.post_parent = text.trim().parse().ok().filter(|&p: &i64| p > 0)
            }
            (Ns::Wp, "post_password") => item.post_password = trimmed(),
            (Ns::Wp, "attachment_url") => item.attachment_url = trimmed(),
            (Ns::Wp, "postmeta") => {
                if let Some(pair) = self.meta.take() {
                    item.meta.push(pair);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
    xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Mini</title>
  <link>https://mini.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://mini.example</wp:base_site_url>
  <wp:author><wp:author_login><![CDATA[ann]]></wp:author_login><wp:author_email>ann@mini.example</wp:author_email></wp:author>
  <item>
    <title>Tom &amp; Jerry&#8217;s</title>
    <dc:creator><![CDATA[ann]]></dc:creator>
    <content:encoded><![CDATA[<p>A ]]]]><![CDATA[> B</p>]]></content:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="category" nicename="news"><![CDATA[News]]></category>
    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[45]]></wp:meta_value></wp:postmeta>
    <wp:comment>
      <wp:comment_id>1</wp:comment_id>
      <wp:comment_date_gmt>1999-01-01 00:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Nice]]></wp:comment_content>
      <wp:commentmeta><wp:meta_key>akismet</wp:meta_key><wp:meta_value>x</wp:meta_value></wp:commentmeta>
    </wp:comment>
  </item>
</channel>
</rss>"#;

    #[test]
    fn reads_items_authors_and_fields() {
        let e = parse_bytes(MINI.as_bytes()).expect("parse");
        assert_eq!(e.version, "1.2");
        assert_eq!(e.site_url, "https://mini.example");
        assert_eq!(e.authors.len(), 1);
        assert_eq!(e.authors[0].email, "ann@mini.example");
        let item = &e.items[0];
        assert_eq!(item.title, "Tom & Jerry\u{2019}s");
        assert_eq!(item.content, "<p>A ]]> B</p>");
        assert_eq!(item.post_id, Some(7));
        assert_eq!(item.post_date_gmt, "2024-05-01 10:00:00");
        assert_eq!(item.terms[0].nicename, "news");
        assert_eq!(item.terms[0].name, "News");
        // The comment's meta and date do not leak into the post.
        assert_eq!(
            item.meta,
            vec![("_thumbnail_id".to_owned(), "45".to_owned())]
        );
        assert_eq!(item.comments, 1);
        assert_eq!(item.line, 13);
    }

    #[test]
    fn truncated_file_names_the_open_item() {
        let cut = &MINI[..MINI.find("<wp:status>").expect("marker")];
        let err = parse_bytes(cut.as_bytes()).expect_err("truncated");
        assert!(err.message.contains("truncated"), "{err}");
        assert!(err.message.contains("<item> (opened at line 13)"), "{err}");
        assert!(err.line > 13, "{err}");
    }

    #[test]
    fn truncated_cdata_is_an_error_with_a_position() {
        let cut = &MINI[..MINI.find("> B</p>").expect("marker")];
        let err = parse_bytes(cut.as_bytes()).expect_err("truncated");
        assert_eq!(err.line, 16, "{err}");
    }

    #[test]
    fn mismatched_tags_are_an_error() {
        let bad = MINI.replace("</wp:post_type>", "</wp:post_typo>");
        let err = parse_bytes(bad.as_bytes()).expect_err("mismatch");
        assert!(err.message.contains("invalid XML"), "{err}");
        assert_eq!(err.line, 20, "{err}");
    }

    #[test]
    fn plain_rss_is_refused() {
        let rss = r#"<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>"#;
        let err = parse_bytes(rss.as_bytes()).expect_err("not wxr");
        assert!(err.message.contains("not a WordPress export"), "{err}");
    }

    #[test]
    fn undeclared_prefixes_are_read_with_a_warning() {
        let bad = MINI.replace("xmlns:wp=\"http://wordpress.org/export/1.2/\"", "");
        let e = parse_bytes(bad.as_bytes()).expect("parse");
        assert_eq!(e.items[0].post_id, Some(7));
        assert!(
            e.warnings.iter().any(|w| w.contains("wp:")),
            "{:?}",
            e.warnings
        );
    }

    #[test]
    fn locates_offsets() {
        assert_eq!(locate("ab\ncdé\nx".as_bytes(), 7), (2, 4));
        assert_eq!(locate("ab".as_bytes(), 0), (1, 1));
    }
}
