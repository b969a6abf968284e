//! Which element is which field: the export's structure (`<rss>` →
//! `<channel>` → its fields, `<wp:author>`s, `<wp:category>`s and `<item>`s
//! → their fields, terms and post meta). Only an item's direct children are
//! its fields, so a comment's `wp:comment_date` never becomes the post's date.

use std::borrow::Cow;

use quick_xml::events::BytesStart;

use super::namespaces::{Name, Ns};
use super::reader::{Failure, Parser};
use super::{WxrAuthor, WxrCategory, WxrItem, WxrTerm};

impl Parser {
    /// The element `depth` levels below the root of the current path, if any.
    fn at(&self, depth: usize) -> Option<&Name> {
        self.stack.get(depth)
    }

    /// Whether an element at `depth` (1 = the root) sits directly in `<channel>`.
    /// Holds whether the element itself is still on the stack or just popped.
    fn parent_is_channel(&self, len: usize) -> bool {
        len == 3 && self.at(1).is_some_and(|n| n.is(Ns::Rss, "channel"))
    }

    pub(super) fn start(
        &mut self,
        ns: Ns,
        start: &BytesStart<'_>,
        line: u64,
    ) -> Result<(), Failure> {
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

    pub(super) fn end(&mut self) {
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
