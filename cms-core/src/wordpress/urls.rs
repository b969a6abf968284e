//! WordPress URLs: permalink paths, upload paths and slugs, normalised the same
//! way when they are recorded and when a visitor asks for them.

/// Decodes `%XX` escapes (invalid UTF-8 becomes U+FFFD; a stray `%` stays).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path as stored and looked up: decoded, lower-case, no trailing slash,
/// starting with `/`; `""` for the site root or anything unusable.
pub fn normalise_path(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path).to_lowercase();
    let trimmed = decoded.trim().trim_end_matches('/');
    if trimmed.is_empty() || !trimmed.starts_with('/') || trimmed.contains("/../") {
        return String::new();
    }
    trimmed.to_owned()
}

/// The normalised path of a full URL (`https://old.example/2024/05/x/` →
/// `/2024/05/x`), or `""`.
pub fn path_of_url(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(u) => normalise_path(u.path()),
        Err(_) if url.trim().starts_with('/') => normalise_path(url),
        Err(_) => String::new(),
    }
}

/// Identifies the WordPress site an export came from: its URL without scheme
/// or trailing slash, lower-case (`http://` and `https://` exports of one site
/// are the same source).
pub fn source_of(site_url: &str) -> String {
    let s = site_url.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    s.trim_end_matches('/').to_owned()
}

/// A WordPress `post_name` as a lookup key: decoded, lower-case.
pub fn slug_key(post_name: &str) -> String {
    percent_decode(post_name.trim()).to_lowercase()
}

/// The part of an uploads URL after `/wp-content/uploads/` (decoded), if it is a
/// safe relative path: no `..`, no empty or hidden segments, no backslashes.
pub fn upload_relative_path(url: &str) -> Option<String> {
    const MARKER: &str = "/wp-content/uploads/";
    let path = url.split(['?', '#']).next().unwrap_or("");
    let idx = path.find(MARKER)?;
    safe_relative(&percent_decode(&path[idx + MARKER.len()..]))
}

/// `rel` if it is a safe relative path (as `_wp_attached_file` should be).
pub fn safe_relative(rel: &str) -> Option<String> {
    let rel = rel.trim().trim_start_matches('/');
    let ok = !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.starts_with('.'));
    ok.then(|| rel.to_owned())
}

/// The key that identifies an uploaded image whatever size WordPress served:
/// lower-case, without the `-300x200` size suffix or the `-scaled` suffix of
/// WordPress's big-image handling.
pub fn upload_key(rel: &str) -> String {
    let rel = rel.to_lowercase();
    let (stem, ext) = match rel.rfind('.') {
        Some(dot) if !rel[dot..].contains('/') => (&rel[..dot], &rel[dot..]),
        _ => (rel.as_str(), ""),
    };
    let mut stem = stem;
    if let Some(s) = stem.strip_suffix("-scaled") {
        stem = s;
    }
    if let Some(dash) = stem.rfind('-') {
        let size = &stem[dash + 1..];
        if let Some((w, h)) = size.split_once('x') {
            let digits =
                |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
            if digits(w) && digits(h) {
                stem = &stem[..dash];
            }
        }
    }
    format!("{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_paths() {
        assert_eq!(normalise_path("/2024/05/Old-Slug/"), "/2024/05/old-slug");
        assert_eq!(normalise_path("/caf%C3%A9/?utm=x"), "/café");
        assert_eq!(normalise_path("/"), "");
        assert_eq!(normalise_path(""), "");
        assert_eq!(path_of_url("https://old.example/?p=12"), "");
        assert_eq!(
            path_of_url("https://old.example/blog/hello-world/"),
            "/blog/hello-world"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn sources_ignore_scheme_and_slash() {
        assert_eq!(source_of("https://News.Example/"), "news.example");
        assert_eq!(source_of("http://news.example"), "news.example");
    }

    #[test]
    fn upload_paths_are_safe() {
        assert_eq!(
            upload_relative_path(
                "https://old.example/wp-content/uploads/2024/05/caf%C3%A9.jpg?x=1"
            )
            .as_deref(),
            Some("2024/05/café.jpg")
        );
        assert_eq!(
            upload_relative_path("https://old.example/wp-content/uploads/../../etc/passwd"),
            None
        );
        assert_eq!(
            upload_relative_path("https://old.example/images/a.jpg"),
            None
        );
        assert_eq!(safe_relative("2024/05/.htaccess"), None);
    }

    #[test]
    fn upload_keys_ignore_sizes() {
        assert_eq!(
            upload_key("2024/05/Bridge-1024x683.jpg"),
            "2024/05/bridge.jpg"
        );
        assert_eq!(
            upload_key("2024/05/bridge-scaled.jpg"),
            "2024/05/bridge.jpg"
        );
        assert_eq!(upload_key("2024/05/bridge.jpg"), "2024/05/bridge.jpg");
        assert_eq!(
            upload_key("2024/05/top-10x-list.png"),
            "2024/05/top-10x-list.png"
        );
    }
}
