//! An HTML builder that escapes by default.
//!
//! Text and attribute values are always escaped; tag and attribute names are
//! `&'static str` literals chosen by the plugin author, never data; URLs given to
//! [`Element::href`] are checked so `javascript:` and friends cannot get in. The
//! only way to emit unescaped markup is [`Html::trusted_raw`], which says what it does.
//!
//! ```
//! use gazette_plugin_sdk::html::{el, Html};
//! let title = "<script>alert(1)</script>";
//! let out: Html = el("section")
//!     .class("widget")
//!     .child(el("h2").text("Latest News"))
//!     .child(el("a").href("/articles/x").text(title))
//!     .into();
//! assert!(out.as_str().contains("&lt;script&gt;"));
//! ```

use std::fmt;

/// A fragment of HTML that is safe to embed: built from escaped text and
/// elements, or explicitly marked as trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// Nothing.
    pub fn empty() -> Html {
        Html(String::new())
    }

    /// Escaped text.
    pub fn text(s: &str) -> Html {
        Html(escape(s))
    }

    /// Markup taken as is. Only for HTML you wrote yourself, never for data.
    pub fn trusted_raw(s: impl Into<String>) -> Html {
        Html(s.into())
    }

    /// Appends another fragment.
    pub fn push(&mut self, other: impl Into<Html>) {
        self.0.push_str(&other.into().0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Html {
    /// Plain text: escaped.
    fn from(s: &str) -> Html {
        Html::text(s)
    }
}

impl From<String> for Html {
    /// Plain text: escaped.
    fn from(s: String) -> Html {
        Html::text(&s)
    }
}

impl From<Element> for Html {
    fn from(e: Element) -> Html {
        e.render()
    }
}

/// Elements without content or end tag.
const VOID: [&str; 8] = ["br", "hr", "img", "input", "meta", "link", "source", "wbr"];

/// Starts an element. `tag` must be a lowercase HTML tag name; anything else
/// becomes a `span`.
pub fn el(tag: &'static str) -> Element {
    let tag = if valid_name(tag) { tag } else { "span" };
    Element {
        tag,
        attrs: Vec::new(),
        children: Html::empty(),
    }
}

/// An element under construction.
#[derive(Debug, Clone)]
#[must_use = "an element does nothing until rendered or added to a parent"]
pub struct Element {
    tag: &'static str,
    attrs: Vec<(&'static str, String)>,
    children: Html,
}

impl Element {
    /// Sets an attribute; the value is escaped. Event handlers (`on…`) and
    /// invalid names are ignored; `href`/`src`/`action` values go through [`safe_url`].
    pub fn attr(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        if !valid_name(name) || name.starts_with("on") {
            return self;
        }
        let value = match name {
            "href" | "src" | "action" | "formaction" | "poster" | "cite" => {
                safe_url(value.as_ref())
            }
            _ => value.as_ref().to_owned(),
        };
        self.attrs.retain(|(n, _)| *n != name);
        self.attrs.push((name, value));
        self
    }

    pub fn class(self, value: impl AsRef<str>) -> Self {
        self.attr("class", value)
    }

    pub fn id(self, value: impl AsRef<str>) -> Self {
        self.attr("id", value)
    }

    /// A link target, checked by [`safe_url`].
    pub fn href(self, url: impl AsRef<str>) -> Self {
        self.attr("href", url)
    }

    /// Appends escaped text.
    pub fn text(mut self, text: impl AsRef<str>) -> Self {
        self.children.0.push_str(&escape(text.as_ref()));
        self
    }

    /// Appends a child element or fragment.
    pub fn child(mut self, child: impl Into<Html>) -> Self {
        self.children.push(child);
        self
    }

    /// Appends every child in order.
    pub fn children<I, C>(mut self, children: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: Into<Html>,
    {
        for c in children {
            self.children.push(c);
        }
        self
    }

    pub fn render(self) -> Html {
        let mut s = String::with_capacity(32 + self.children.0.len());
        s.push('<');
        s.push_str(self.tag);
        for (name, value) in &self.attrs {
            s.push(' ');
            s.push_str(name);
            s.push_str("=\"");
            s.push_str(&escape(value));
            s.push('"');
        }
        s.push('>');
        if !VOID.contains(&self.tag) {
            s.push_str(&self.children.0);
            s.push_str("</");
            s.push_str(self.tag);
            s.push('>');
        }
        Html(s)
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Escapes `& < > " '` for text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Returns the URL if it is relative (`/path`, `#frag`, `?q`) or uses http,
/// https or mailto; otherwise `#`. Blocks `javascript:`, `data:` and
/// protocol-relative `//host` URLs.
pub fn safe_url(url: &str) -> String {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let ok = (u.starts_with('/') && !u.starts_with("//") && !u.starts_with("/\\"))
        || u.starts_with('#')
        || u.starts_with('?')
        || lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:");
    if ok && !u.chars().any(char::is_control) {
        u.to_owned()
    } else {
        "#".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        let h: Html = el("p").class("a\" onclick=\"x").text("<b>&</b>").into();
        assert_eq!(
            h.as_str(),
            "<p class=\"a&quot; onclick=&quot;x\">&lt;b&gt;&amp;&lt;/b&gt;</p>"
        );
    }

    #[test]
    fn refuses_dangerous_urls_and_handlers() {
        let h: Html = el("a")
            .href("javascript:alert(1)")
            .attr("onclick", "alert(1)")
            .text("x")
            .into();
        assert_eq!(h.as_str(), "<a href=\"#\">x</a>");
        assert_eq!(safe_url("//evil.example/x"), "#");
        assert_eq!(
            safe_url(" HTTPS://ok.example/a?b=1 "),
            "HTTPS://ok.example/a?b=1"
        );
        assert_eq!(safe_url("/articles/a-b"), "/articles/a-b");
    }

    #[test]
    fn void_and_invalid_tags() {
        assert_eq!(Html::from(el("br")).as_str(), "<br>");
        assert_eq!(
            Html::from(el("Script").text("x")).as_str(),
            "<span>x</span>"
        );
    }

    #[test]
    fn nests_children() {
        let items = ["a", "<b>"];
        let h: Html = el("ul")
            .children(items.iter().map(|i| el("li").text(i)))
            .into();
        assert_eq!(h.as_str(), "<ul><li>a</li><li>&lt;b&gt;</li></ul>");
    }
}
