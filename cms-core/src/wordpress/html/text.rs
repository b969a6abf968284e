//! Inline text written as Markdown: the private-use characters that stand for
//! paragraph and line breaks while a paragraph is built, the two whitespace
//! modes (HTML's, and the classic editor's `wpautop`), escaping so that nothing
//! in the text turns into Markdown by accident, and the split into finished
//! paragraphs.

use super::emphasis::resolve_emphasis;

/// A paragraph break inside rendered inline text (private-use code points never
/// survive into the output: they are stripped from the input first).
pub(super) const PARA: char = '\u{E000}';
/// A hard line break.
pub(super) const BR: char = '\u{E001}';

/// Private-use characters the converter uses as markers.
pub(super) fn is_marker(c: char) -> bool {
    ('\u{E000}'..='\u{E01F}').contains(&c)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// HTML whitespace: every run is one space.
    Collapse,
    /// Classic-editor text (`wpautop`): a blank line is a paragraph break, a
    /// newline a line break.
    Loose,
}

fn is_space_or_marker(c: char) -> bool {
    c == ' ' || c == BR || c == PARA
}

/// (leading whitespace, core, trailing whitespace), markers counted as whitespace.
pub(super) fn split_space(s: &str) -> (&str, &str, &str) {
    let core_start = s.len() - s.trim_start_matches(is_space_or_marker).len();
    let core_end = s.trim_end_matches(is_space_or_marker).len();
    if core_start >= core_end {
        return (s, "", "");
    }
    (&s[..core_start], &s[core_start..core_end], &s[core_end..])
}

/// Appends text, escaped for Markdown, with whitespace handled per `mode`.
pub(super) fn push_text(text: &str, mode: Mode, out: &mut String) {
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
pub(super) fn paragraphs(raw: &str) -> Vec<String> {
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
pub(super) fn one_line(s: &str) -> String {
    s.replace([PARA, BR], " ")
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`one_line`] with emphasis resolved: a finished line (headings).
pub(super) fn finished_line(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use crate::wordpress::html::tests::body;

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
}
