//! The article editor's form: parsing the posted fields (repeated, in order)
//! and the editing actions that work without JavaScript.

use cms_core::articles::{ArticleInput, LinkInput, SaveAction, SectionInput};

use crate::forms::FormData;
use crate::util;

/// What the editor's submit button asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Write to the database with this status change.
    Save(SaveAction),
    /// Render the public page from the unsaved input.
    Preview,
    /// Re-open the editor with this input (after a conflict) without saving.
    Merge,
    AddSection,
    RemoveSection(usize),
    SectionUp(usize),
    SectionDown(usize),
    SearchLinks,
    AddLinkArticle(i32),
    AddLinkExternal,
    RemoveLink(usize),
    LinkUp(usize),
    LinkDown(usize),
    /// Append the image chosen in `insert_media_id` to section `insert_section`
    /// (needs the database, so the editor handles it, not [`EditorForm::apply_edit`]).
    InsertImage,
}

impl Action {
    pub fn parse(raw: &str) -> Option<Action> {
        let (name, arg) = raw.split_once(':').unwrap_or((raw, ""));
        let n = || arg.parse::<usize>().ok();
        Some(match name {
            "save" => Action::Save(SaveAction::Save),
            "publish" => Action::Save(SaveAction::Publish),
            "schedule" => Action::Save(SaveAction::Schedule),
            "unpublish" => Action::Save(SaveAction::Unpublish),
            "archive" => Action::Save(SaveAction::Archive),
            "preview" => Action::Preview,
            "merge" => Action::Merge,
            "add_section" => Action::AddSection,
            "remove_section" => Action::RemoveSection(n()?),
            "section_up" => Action::SectionUp(n()?),
            "section_down" => Action::SectionDown(n()?),
            "search_links" => Action::SearchLinks,
            "add_link_article" => Action::AddLinkArticle(arg.parse().ok()?),
            "add_link_external" => Action::AddLinkExternal,
            "remove_link" => Action::RemoveLink(n()?),
            "link_up" => Action::LinkUp(n()?),
            "link_down" => Action::LinkDown(n()?),
            "insert_image" => Action::InsertImage,
            _ => return None,
        })
    }
}

/// The editor's posted state, exactly as typed (nothing trimmed away, so a
/// re-rendered form shows the user's text intact).
#[derive(Debug, Clone, Default)]
pub struct EditorForm {
    pub input: ArticleInput,
    /// `published_at` as typed; parsed with the site's timezone.
    pub published_at_raw: String,
    pub version: Option<i32>,
    pub link_query: String,
    /// The inline upload's alt text, kept when the upload fails.
    pub upload_alt: String,
    /// "Insert image": which image, into which section (index).
    pub insert_media_id: Option<i32>,
    pub insert_section: Option<usize>,
}

impl EditorForm {
    pub fn parse(form: &FormData, tz: chrono_tz::Tz) -> (EditorForm, Option<&'static str>) {
        let headings = form.all("section_heading");
        let bodies = form.all("section_body");
        let n = headings.len().max(bodies.len());
        let sections = (0..n)
            .map(|i| SectionInput {
                heading: headings.get(i).copied().unwrap_or("").to_owned(),
                body: bodies.get(i).copied().unwrap_or("").replace("\r\n", "\n"),
            })
            .collect();
        let targets = form.all("link_target");
        let urls = form.all("link_url");
        let titles = form.all("link_title");
        let m = targets.len().max(urls.len()).max(titles.len());
        let links = (0..m)
            .map(|i| LinkInput {
                target_article_id: targets.get(i).and_then(|t| t.trim().parse().ok()),
                url: urls.get(i).copied().unwrap_or("").to_owned(),
                title: titles.get(i).copied().unwrap_or("").to_owned(),
            })
            .collect();
        let published_at_raw = form.get("published_at").trim().to_owned();
        let mut date_error = None;
        let published_at = if published_at_raw.is_empty() {
            None
        } else {
            let parsed = util::parse_datetime_local(&published_at_raw, tz);
            if parsed.is_none() {
                date_error = Some("Enter a date and time like 2026-12-01T09:30.");
            }
            parsed
        };
        let input = ArticleInput {
            title: form.get("title").to_owned(),
            slug: form.get("slug").to_owned(),
            standfirst: form.get("standfirst").replace("\r\n", "\n"),
            author_id: form.id("author_id"),
            category_id: form.id("category_id"),
            published_at,
            sections,
            links,
            meta_title: form.get("meta_title").to_owned(),
            meta_description: form.get("meta_description").replace("\r\n", "\n"),
            cover_media_id: form.id("cover_media_id"),
        };
        let ef = EditorForm {
            input,
            published_at_raw,
            version: form.id("version"),
            link_query: form.get("link_query").to_owned(),
            upload_alt: form.get("upload_alt").to_owned(),
            insert_media_id: form.id("insert_media_id"),
            insert_section: form.get("insert_section").trim().parse().ok(),
        };
        (ef, date_error)
    }

    /// Applies an editing action that changes only the form (never the database).
    /// Returns false for actions that are not form edits.
    pub fn apply_edit(&mut self, action: Action) -> bool {
        let secs = &mut self.input.sections;
        let links = &mut self.input.links;
        match action {
            Action::AddSection => secs.push(SectionInput::default()),
            Action::RemoveSection(i) if i < secs.len() => {
                secs.remove(i);
            }
            Action::SectionUp(i) if i > 0 && i < secs.len() => secs.swap(i - 1, i),
            Action::SectionDown(i) if i + 1 < secs.len() => secs.swap(i, i + 1),
            Action::AddLinkArticle(id) => {
                if !links.iter().any(|l| l.target_article_id == Some(id)) {
                    links.push(LinkInput {
                        target_article_id: Some(id),
                        ..Default::default()
                    });
                }
                self.link_query.clear();
            }
            Action::AddLinkExternal => links.push(LinkInput::default()),
            Action::RemoveLink(i) if i < links.len() => {
                links.remove(i);
            }
            Action::LinkUp(i) if i > 0 && i < links.len() => links.swap(i - 1, i),
            Action::LinkDown(i) if i + 1 < links.len() => links.swap(i, i + 1),
            Action::SearchLinks | Action::Merge => {}
            Action::RemoveSection(_)
            | Action::SectionUp(_)
            | Action::SectionDown(_)
            | Action::RemoveLink(_)
            | Action::LinkUp(_)
            | Action::LinkDown(_) => {}
            Action::Save(_) | Action::Preview | Action::InsertImage => return false,
        }
        true
    }
}

impl EditorForm {
    /// Appends an image's Markdown to section `index` (the last section when
    /// `None` or out of range; a new section when there is none). Returns the
    /// section's number (from 1).
    pub fn append_to_section(&mut self, index: Option<usize>, markdown: &str) -> usize {
        let secs = &mut self.input.sections;
        if secs.is_empty() {
            secs.push(SectionInput::default());
        }
        let i = index.filter(|i| *i < secs.len()).unwrap_or(secs.len() - 1);
        let body = &mut secs[i].body;
        let trimmed = body.trim_end().len();
        body.truncate(trimmed);
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(markdown);
        body.push('\n');
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_actions() {
        assert_eq!(
            Action::parse("publish"),
            Some(Action::Save(SaveAction::Publish))
        );
        assert_eq!(Action::parse("section_up:2"), Some(Action::SectionUp(2)));
        assert_eq!(
            Action::parse("add_link_article:17"),
            Some(Action::AddLinkArticle(17))
        );
        assert_eq!(Action::parse("remove_section:x"), None);
        assert_eq!(Action::parse("drop_tables"), None);
    }

    #[test]
    fn parses_repeated_fields_in_order() {
        let body = "title=T&section_heading=&section_body=Intro&section_heading=Two&section_body=B%0D%0Ab\
                    &link_target=5&link_url=&link_title=&link_target=&link_url=https%3A%2F%2Fx.example&link_title=X";
        let (f, err) = EditorForm::parse(&FormData::parse(body.as_bytes()), chrono_tz::UTC);
        assert!(err.is_none());
        assert_eq!(f.input.sections.len(), 2);
        assert_eq!(f.input.sections[1].heading, "Two");
        assert_eq!(f.input.sections[1].body, "B\nb");
        assert_eq!(f.input.links[0].target_article_id, Some(5));
        assert_eq!(f.input.links[1].url, "https://x.example");
    }

    #[test]
    fn edits_move_and_remove() {
        let mut f = EditorForm::default();
        f.input.sections = vec![
            SectionInput {
                heading: "a".into(),
                body: "1".into(),
            },
            SectionInput {
                heading: "b".into(),
                body: "2".into(),
            },
        ];
        assert!(f.apply_edit(Action::SectionDown(0)));
        assert_eq!(f.input.sections[0].heading, "b");
        assert!(f.apply_edit(Action::RemoveSection(1)));
        assert_eq!(f.input.sections.len(), 1);
        assert!(f.apply_edit(Action::SectionUp(0))); // no-op at the top, no panic
        assert!(!f.apply_edit(Action::Preview));
    }

    #[test]
    fn appends_images_to_sections() {
        let mut f = EditorForm::default();
        assert_eq!(f.append_to_section(Some(3), "![a](/media/a.png)"), 1);
        assert_eq!(f.input.sections[0].body, "![a](/media/a.png)\n");
        f.input.sections.push(SectionInput {
            heading: "Two".into(),
            body: "Text.\n\n".into(),
        });
        assert_eq!(f.append_to_section(None, "![b](/media/b.png)"), 2);
        assert_eq!(f.input.sections[1].body, "Text.\n\n![b](/media/b.png)\n");
        assert_eq!(Action::parse("insert_image"), Some(Action::InsertImage));
        let (f, _) = EditorForm::parse(
            &FormData::parse(b"cover_media_id=7&insert_media_id=3&insert_section=1"),
            chrono_tz::UTC,
        );
        assert_eq!(
            (f.input.cover_media_id, f.insert_media_id, f.insert_section),
            (Some(7), Some(3), Some(1))
        );
    }
}
