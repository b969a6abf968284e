//! Where rendered blocks go: into the article's sections, where every
//! top-level `<h2>` starts a new one (what comes before the first is the
//! intro), or into a plain list for nested content (quotes, list items,
//! figures), where an `<h2>` is only a subheading.

use crate::articles::save::MAX_HEADING_CHARS;

/// Where rendered blocks go.
pub(super) trait Blocks {
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
pub(super) struct Sections {
    pub(super) list: Vec<(Option<String>, Vec<String>)>,
    pub(super) warnings: Vec<String>,
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

#[cfg(test)]
mod tests {
    use crate::articles::save::SectionInput;
    use crate::wordpress::html::convert;

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
}
