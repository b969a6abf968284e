//! WordPress shortcodes (`[caption]…[/caption]`, `[gallery ids="1,2"]`) in post
//! content, handled before the HTML is parsed.
//!
//! WordPress only expands shortcodes that a plugin registered, so text in square
//! brackets is left alone unless it clearly is one: a known name, attributes
//! (`key=value`), a self-closing `/]`, or a matching `[/name]` later on. `[1]`,
//! `[sic]` and `[Update]` stay as written.

/// Shortcodes WordPress itself registers (and a few very common plugin ones).
const KNOWN: &[&str] = &[
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "audio",
    "video",
    "playlist",
    "contact-form-7",
    "contact-form",
    "gravityform",
];

/// A shortcode tag as written: `[name attrs]`, `[name attrs /]` or `[/name]`.
#[derive(Debug)]
struct Tag<'a> {
    name: &'a str,
    attrs: &'a str,
    closing: bool,
    self_closing: bool,
    /// Byte index just past the closing `]`.
    end: usize,
}

fn parse_tag(s: &str, at: usize) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let mut i = at + 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    if !b.get(i).is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
    {
        i += 1;
    }
    let name = &s[name_start..i];
    match b.get(i) {
        Some(b']') => {
            return Some(Tag {
                name,
                attrs: "",
                closing,
                self_closing: false,
                end: i + 1,
            })
        }
        Some(b'/') if !closing && b.get(i + 1) == Some(&b']') => {
            return Some(Tag {
                name,
                attrs: "",
                closing,
                self_closing: true,
                end: i + 2,
            })
        }
        Some(c) if c.is_ascii_whitespace() && !closing => {}
        _ => return None,
    }
    // Attributes up to the first `]` outside quotes, on one logical tag.
    let attrs_start = i;
    let mut quote = None;
    while let Some(&c) = b.get(i) {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, b'[') => return None,
            (None, b']') => break,
            _ => {}
        }
        i += 1;
    }
    if b.get(i) != Some(&b']') {
        return None;
    }
    let raw = s[attrs_start..i].trim();
    let (attrs, self_closing) = match raw.strip_suffix('/') {
        Some(a) => (a.trim_end(), true),
        None => (raw, false),
    };
    Some(Tag {
        name,
        attrs,
        closing,
        self_closing,
        end: i + 1,
    })
}

/// The value of `key="…"` (or `'…'`, or bare) in shortcode attributes.
fn attr(attrs: &str, key: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(pos) = rest.find(key) {
        let before_ok = pos == 0 || rest.as_bytes()[pos - 1].is_ascii_whitespace();
        let after = rest[pos + key.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                return Some(match v.chars().next() {
                    Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or("").to_owned(),
                    _ => v.split_whitespace().next().unwrap_or("").to_owned(),
                });
            }
        }
        rest = &rest[pos + key.len()..];
    }
    None
}

/// Expands or removes the shortcodes in `content`. `[caption]` keeps its image
/// and caption (as `<figure>`/`<figcaption>`), `[embed]` keeps its URL, other
/// enclosing shortcodes keep what they enclose, the rest disappear; the names of
/// dropped ones are added to `dropped` (once each).
pub fn expand(content: &str, dropped: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(content.len());
    let mut i = 0;
    let mut open: Vec<&str> = Vec::new();
    while let Some(rel) = content[i..].find('[') {
        let at = i + rel;
        out.push_str(&content[i..at]);
        // `[[name]]` is WordPress's escape for a literal `[name]`.
        if content[at..].starts_with("[[") {
            if let Some(tag) = parse_tag(content, at + 1) {
                if content.as_bytes().get(tag.end) == Some(&b']') {
                    out.push_str(&content[at + 1..tag.end]);
                    i = tag.end + 1;
                    continue;
                }
            }
        }
        let Some(tag) = parse_tag(content, at) else {
            out.push('[');
            i = at + 1;
            continue;
        };
        let closing_tag = format!("[/{}]", tag.name);
        let known = KNOWN.contains(&tag.name);
        if tag.closing {
            if known || open.contains(&tag.name) {
                i = tag.end;
            } else {
                out.push_str(&content[at..tag.end]);
                i = tag.end;
            }
            continue;
        }
        let encloses = !tag.self_closing && content[tag.end..].contains(&closing_tag);
        let is_shortcode = known || encloses || tag.self_closing || tag.attrs.contains('=');
        if !is_shortcode {
            out.push('[');
            i = at + 1;
            continue;
        }
        match tag.name {
            "caption" | "wp_caption" if encloses => {
                let inner_end = tag.end
                    + content[tag.end..]
                        .find(&closing_tag)
                        .unwrap_or(content.len() - tag.end);
                let inner = &content[tag.end..inner_end];
                out.push_str(&caption(inner, &attr(tag.attrs, "caption"), dropped));
                i = (inner_end + closing_tag.len()).min(content.len());
            }
            "embed" if encloses => {
                let inner_end = tag.end
                    + content[tag.end..]
                        .find(&closing_tag)
                        .unwrap_or(content.len() - tag.end);
                let url = content[tag.end..inner_end].trim();
                out.push_str("\n\n<p>");
                out.push_str(url);
                out.push_str("</p>\n\n");
                i = (inner_end + closing_tag.len()).min(content.len());
            }
            name => {
                if !dropped.iter().any(|d| d == name) {
                    dropped.push(name.to_owned());
                }
                if encloses {
                    open.push(name);
                }
                i = tag.end;
            }
        }
    }
    out.push_str(&content[i..]);
    out
}

/// `[caption]<a><img></a> The caption[/caption]` → a figure with a figcaption.
fn caption(inner: &str, caption_attr: &Option<String>, dropped: &mut Vec<String>) -> String {
    let inner = inner.trim();
    let media_end = media_prefix_len(inner);
    let (media, text) = inner.split_at(media_end);
    let text = text.trim();
    let text = if text.is_empty() {
        caption_attr.clone().unwrap_or_default()
    } else {
        expand(text, dropped)
    };
    let mut out = String::from("\n\n<figure>");
    out.push_str(media);
    if !text.trim().is_empty() {
        out.push_str("<figcaption>");
        out.push_str(text.trim());
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>\n\n");
    out
}

/// Length of a leading `<img …>`, optionally wrapped in `<a …>…</a>` (what
/// WordPress's `img_caption_shortcode` treats as the captioned image).
fn media_prefix_len(s: &str) -> usize {
    let lower = s.to_ascii_lowercase();
    let mut i = 0;
    let in_link = lower.starts_with("<a ") || lower.starts_with("<a>");
    if in_link {
        match lower.find('>') {
            Some(e) => i = e + 1,
            None => return 0,
        }
        i += lower[i..].len() - lower[i..].trim_start().len();
    }
    if !lower[i..].starts_with("<img") {
        return 0;
    }
    match lower[i..].find('>') {
        Some(e) => i += e + 1,
        None => return 0,
    }
    if in_link {
        let rest = lower[i..].trim_start();
        if rest.starts_with("</a>") {
            i = lower.len() - rest.len() + 4;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> (String, Vec<String>) {
        let mut dropped = Vec::new();
        let out = expand(s, &mut dropped);
        (out, dropped)
    }

    #[test]
    fn caption_becomes_a_figure() {
        let (out, dropped) = run(
            r#"[caption id="attachment_45" align="aligncenter" width="300"]<a href="/big.jpg"><img src="/small.jpg" alt="Bridge" /></a> The bridge at dawn[/caption]"#,
        );
        assert_eq!(
            out.trim(),
            r#"<figure><a href="/big.jpg"><img src="/small.jpg" alt="Bridge" /></a><figcaption>The bridge at dawn</figcaption></figure>"#
        );
        assert!(dropped.is_empty());
    }

    #[test]
    fn old_caption_attribute_is_used() {
        let (out, _) = run(r#"[caption caption="Old style"]<img src="/a.jpg">[/caption]"#);
        assert!(out.contains("<figcaption>Old style</figcaption>"), "{out}");
    }

    #[test]
    fn unknown_shortcodes_are_removed_and_reported() {
        let (out, dropped) = run(
            r#"A [gallery ids="1,2,3"] B [highlight color="red"]kept[/highlight] C [button /] D"#,
        );
        assert_eq!(out, "A  B kept C  D");
        assert_eq!(dropped, vec!["gallery", "highlight", "button"]);
    }

    #[test]
    fn brackets_that_are_not_shortcodes_stay() {
        let text = "See [1] and [sic] and [Update] and [a link](x) and a[i]";
        let (out, dropped) = run(text);
        assert_eq!(out, text);
        assert!(dropped.is_empty());
    }

    #[test]
    fn escaped_shortcodes_become_literal() {
        let (out, dropped) = run("Write [[gallery]] to show a gallery.");
        assert_eq!(out, "Write [gallery] to show a gallery.");
        assert!(dropped.is_empty());
    }

    #[test]
    fn embed_keeps_its_url() {
        let (out, _) = run("[embed]https://www.youtube.com/watch?v=abc[/embed]");
        assert_eq!(out.trim(), "<p>https://www.youtube.com/watch?v=abc</p>");
    }

    #[test]
    fn unterminated_tags_do_not_panic() {
        for s in [
            "[",
            "[caption",
            "[caption]<img",
            "[/",
            "[[",
            "[a b=\"]",
            "é[caption]é",
        ] {
            let _ = run(s);
        }
    }
}
