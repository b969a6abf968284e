//! Query text → words and query strings; highlights → HTML; article text →
//! plain searchable text.

use super::*;

/// The words of a query: runs of letters and digits, lower-cased, without
/// repeats. Everything else — quotes, operators, brackets — separates words,
/// so nothing the user types can reach the query parsers as syntax.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word: String = word
            .chars()
            .take(MAX_TERM_CHARS)
            .collect::<String>()
            .to_lowercase();
        if !out.contains(&word) {
            out.push(word);
        }
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

/// Whether the last word also matches as a prefix (not for one letter, which
/// would match nearly everything).
pub(super) fn prefix_last(words: &[String]) -> bool {
    words.last().is_some_and(|w| w.chars().count() >= 2)
}

/// FTS5 query: every word a quoted string, joined by `AND` (FTS5's implicit
/// AND does not take a bracketed group after a word), the last one a
/// prefix — or, given the indexed words it starts (`completions`), that word
/// or any of them, which finds the same articles. Words contain no `"`, but
/// doubling it keeps the quoting right regardless.
pub(super) fn fts5_query(words: &[String], prefix: bool, completions: Option<&[String]>) -> String {
    let quote = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let mut parts: Vec<String> = words.iter().map(|w| quote(w)).collect();
    if prefix && prefix_last(words) {
        if let Some(last) = parts.last_mut() {
            match completions {
                // The word itself first: FTS5 folds it as it indexed it, and
                // with no completions the prefix can match nothing else.
                Some(more) => {
                    let mut any = vec![last.clone()];
                    any.extend(more.iter().map(|w| quote(w)));
                    *last = format!("({})", any.join(" OR "));
                }
                None => last.push('*'),
            }
        }
    }
    parts.join(" AND ")
}

/// `to_tsquery` text: quoted lexemes joined by `&`, the last one a prefix —
/// or, given the indexed words it starts (`completions`), that word or any of
/// them. Words contain no `'` or `\`, but escaping keeps the quoting right
/// regardless.
pub(super) fn tsquery(words: &[String], prefix: bool, completions: Option<&[String]>) -> String {
    let quote = |w: &str| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"));
    let mut parts: Vec<String> = words.iter().map(|w| quote(w)).collect();
    if prefix && prefix_last(words) {
        if let Some(last) = parts.last_mut() {
            match completions {
                Some(more) => {
                    let mut any = vec![last.clone()];
                    any.extend(more.iter().map(|w| quote(w)));
                    *last = format!("({})", any.join(" | "));
                }
                None => last.push_str(":*"),
            }
        }
    }
    parts.join(" & ")
}

// ---------------------------------------------------------------------------
// Highlights → HTML

/// Escapes text for HTML and turns [`MARK_START`]/[`MARK_END`] into
/// `<mark>`/`</mark>`, always balanced: a stray or repeated sentinel is dropped.
pub fn highlight_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut open = false;
    for ch in text.chars() {
        match ch {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            other => push_escaped(&mut out, other),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

pub(super) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text
        .chars()
        .filter(|c| !matches!(*c, MARK_START | MARK_END))
    {
        push_escaped(&mut out, ch);
    }
    out
}

pub(super) fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

pub(super) fn strip_marks(text: &str) -> String {
    text.replace([MARK_START, MARK_END], "")
}

// ---------------------------------------------------------------------------
// Article → indexed text

/// Headings and section text as plain text, in order, capped at [`MAX_BODY_CHARS`].
pub(super) fn body_text(secs: &[(Option<String>, String)]) -> String {
    let mut body = String::new();
    for (heading, markdown) in secs {
        if let Some(h) = heading.as_deref().filter(|h| !h.trim().is_empty()) {
            body.push_str(h.trim());
            body.push('\n');
        }
        body.push_str(&markdown_text(markdown));
        body.push_str("\n\n");
    }
    let body = strip_marks(body.trim_end());
    match body.char_indices().nth(MAX_BODY_CHARS) {
        Some((cut, _)) => body[..cut].to_owned(),
        None => body,
    }
}

/// The words a reader sees in a section: Markdown syntax, link targets and raw
/// HTML tags dropped, one line per block.
pub(super) fn markdown_text(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, opts) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn words_are_letters_and_digits_only() {
        assert_eq!(
            terms(r#""AND OR NOT * ( ) ' -- ;"#),
            vec!["and", "or", "not"]
        );
        assert_eq!(
            terms("<script>alert(1)</script>"),
            vec!["script", "alert", "1"]
        );
        assert_eq!(terms("  Budget VOTE budget "), vec!["budget", "vote"]);
        assert_eq!(terms("e-mail O'Brien"), vec!["e", "mail", "o", "brien"]);
        assert_eq!(terms("Élève café"), vec!["élève", "café"]);
        assert!(terms("%_*\"'()").is_empty());
        assert_eq!(terms(&"w ".repeat(100)).len(), 1);
        let many: String = (0..40).map(|i| format!("word{i} ")).collect();
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }

    #[test]
    pub(super) fn queries_quote_every_word() {
        let w = terms("budget vo");
        assert_eq!(fts5_query(&w, true, None), r#""budget" AND "vo"*"#);
        let done = ["vote".to_owned(), "voters".to_owned()];
        assert_eq!(
            fts5_query(&w, true, Some(&done)),
            r#""budget" AND ("vo" OR "vote" OR "voters")"#
        );
        assert_eq!(fts5_query(&w, false, Some(&done)), r#""budget" AND "vo""#);
        assert_eq!(tsquery(&w, true, None), "'budget' & 'vo':*");
        assert_eq!(
            tsquery(&w, true, Some(&done)),
            "'budget' & ('vo' | 'vote' | 'voters')"
        );
        let one_letter = terms("budget a");
        assert_eq!(fts5_query(&one_letter, true, None), r#""budget" AND "a""#);
        assert_eq!(tsquery(&one_letter, true, None), "'budget' & 'a'");
    }

    #[test]
    pub(super) fn highlights_are_escaped_and_balanced() {
        let s = format!("a <b> & {MARK_START}vote{MARK_END} \"x\"");
        assert_eq!(
            highlight_html(&s),
            "a &lt;b&gt; &amp; <mark>vote</mark> &quot;x&quot;"
        );
        let stray = format!("{MARK_END}x{MARK_START}{MARK_START}y");
        assert_eq!(highlight_html(&stray), "x<mark>y</mark>");
        assert_eq!(escape_html(&format!("<i>{MARK_START}")), "&lt;i&gt;");
    }

    #[test]
    pub(super) fn markdown_becomes_plain_text() {
        let t = markdown_text("Councillors voted **late** on [Tuesday](https://example.org/x).\n\n- one\n- `two`\n\n<b>raw</b>");
        assert_eq!(t, "Councillors voted late on Tuesday.\none\ntwo\nraw");
        let body = body_text(&[
            (None, "Intro *text*.".into()),
            (Some("The vote".into()), "It passed.".into()),
        ]);
        assert_eq!(body, "Intro text.\n\nThe vote\nIt passed.");
    }
}
