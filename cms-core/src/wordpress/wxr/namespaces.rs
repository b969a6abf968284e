//! Which vocabulary an element belongs to (plain RSS, `wp:`, `content:`,
//! `excerpt:`, `dc:`), recognised by namespace URI rather than prefix, with the
//! usual prefixes as a fallback for exports that forgot to declare them.

/// Which vocabulary an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    /// Plain RSS (no namespace).
    Rss,
    Wp,
    Content,
    Excerpt,
    Dc,
    Other,
}

pub(super) fn ns_of_uri(uri: &[u8]) -> Ns {
    let uri = String::from_utf8_lossy(uri);
    let uri = uri.trim_end_matches('/');
    if uri.starts_with("http://wordpress.org/export/") && uri.ends_with("/excerpt") {
        Ns::Excerpt
    } else if uri.starts_with("http://wordpress.org/export/") {
        Ns::Wp
    } else if uri == "http://purl.org/rss/1.0/modules/content" {
        Ns::Content
    } else if uri == "http://purl.org/dc/elements/1.1" {
        Ns::Dc
    } else {
        Ns::Other
    }
}

pub(super) fn ns_of_prefix(prefix: &[u8]) -> Ns {
    match prefix {
        b"wp" => Ns::Wp,
        b"content" => Ns::Content,
        b"excerpt" => Ns::Excerpt,
        b"dc" => Ns::Dc,
        _ => Ns::Other,
    }
}

/// An open element: vocabulary and local name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Name {
    pub(super) ns: Ns,
    pub(super) local: String,
    /// Line where it opened, for "file ends inside <item> opened at line N".
    pub(super) line: u64,
}

impl Name {
    pub(super) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

#[cfg(test)]
mod tests {
    use crate::wordpress::wxr::{parse_bytes, tests::MINI};

    #[test]
    fn undeclared_prefixes_are_read_with_a_warning() {
        let bad = MINI.replace("xmlns:wp=\"http://wordpress.org/export/1.2/\"", "");
        let e = parse_bytes(bad.as_bytes()).expect("parse");
        assert_eq!(e.items[0].post_id, Some(7));
        assert!(
            e.warnings.iter().any(|w| w.contains("wp:")),
            "{:?}",
            e.warnings
        );
    }
}
