//! Emphasis (`<strong>`, `<em>`, `<del>` and their synonyms): marked with
//! private-use characters while a paragraph is rendered, then written as
//! `**`, `*` or `~~` where CommonMark's flanking rules let the delimiters work,
//! else as HTML tags.

use super::text::{split_space, Mode, BR, PARA};
use super::tree::Element;
use super::Converter;

/// Emphasis is written as marker pairs first and turned into Markdown once the
/// whole paragraph is known, because whether `**` works depends on the
/// characters on both sides (CommonMark's flanking rules): `**Update:** text`
/// can use delimiters, `x**"q"**y` needs `<strong>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Emphasis {
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

impl Converter<'_> {
    pub(super) fn emphasis(&mut self, el: &Element, mode: Mode, out: &mut String, kind: Emphasis) {
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
}

/// Wraps `inner` in emphasis markers, keeping surrounding spaces outside.
/// Paragraph breaks cannot live inside emphasis: they become one line break.
pub(super) fn wrap(inner: &str, kind: Emphasis) -> String {
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
pub(super) fn resolve_emphasis(p: &str) -> String {
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

#[cfg(test)]
mod tests {
    use crate::wordpress::html::tests::body;

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
}
