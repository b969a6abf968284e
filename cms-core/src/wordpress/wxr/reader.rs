//! The read loop: quick-xml's namespace-aware events fed to the [`Parser`],
//! text, CDATA and entities collected, progress reported, and the checks at
//! the end (a whole file, an `<rss><channel>`, `wp:` elements). Any XML error,
//! including a file that ends early, stops the read with its byte offset.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::namespaces::{ns_of_prefix, ns_of_uri, Name, Ns};
use super::position::{Counting, REPORT_EVERY};
use super::{WxrAuthor, WxrCategory, WxrExport, WxrItem, WxrTerm};

/// One read of an export: what has been read so far, and where it is.
#[derive(Default)]
pub(super) struct Parser {
    pub(super) export: WxrExport,
    pub(super) stack: Vec<Name>,
    /// Text of the element being read (cleared at every start tag).
    pub(super) text: String,
    pub(super) item: Option<WxrItem>,
    pub(super) author: Option<WxrAuthor>,
    pub(super) category: Option<WxrCategory>,
    pub(super) term: Option<WxrTerm>,
    pub(super) meta: Option<(String, String)>,
    pub(super) saw_rss: bool,
    pub(super) saw_channel: bool,
    pub(super) saw_wp: bool,
    pub(super) warned_prefixes: bool,
    pub(super) unknown_entities: Vec<String>,
}

pub(super) type Failure = (u64, String);

impl Parser {
    pub(super) fn run<R: BufRead>(
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
}

#[cfg(test)]
mod tests {
    use crate::wordpress::wxr::{parse_bytes, tests::MINI};

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
}
