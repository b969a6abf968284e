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
//!
//! The parts: `export` is what a read export holds, `reader` runs the XML
//! event loop and its checks, `fields` says which element is which field,
//! `namespaces` tells the vocabularies apart, and `position` counts lines
//! and bytes for progress and error messages.

mod export;
mod fields;
mod namespaces;
mod position;
mod reader;

use std::fmt;
use std::io::BufRead;

pub use export::{WxrAuthor, WxrCategory, WxrExport, WxrItem, WxrTerm};
pub use position::locate;

use reader::Parser;

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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const MINI: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
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
}
