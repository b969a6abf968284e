//! URL names ("slugs") for articles, categories and authors.

pub const MAX_SLUG_LEN: usize = 120;

/// Turns a title into a slug: transliterated, lower-case, words joined by `-`.
pub fn slugify(text: &str) -> String {
    let s = slug::slugify(text);
    let mut s: String = s.chars().take(MAX_SLUG_LEN).collect();
    while s.ends_with('-') {
        s.pop();
    }
    s
}

/// Checks that a slug is lower-case ASCII letters and digits joined by single hyphens.
pub fn validate(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("Enter a URL name (lower-case letters, digits and hyphens).".into());
    }
    if slug.len() > MAX_SLUG_LEN {
        return Err(format!("Use at most {MAX_SLUG_LEN} characters."));
    }
    let valid_chars = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid_chars || slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err(
            "Use only lower-case letters, digits and single hyphens, e.g. `budget-vote-2026`."
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_titles() {
        assert_eq!(
            slugify("Harbour Bridge Reopens — Ahead of Schedule!"),
            "harbour-bridge-reopens-ahead-of-schedule"
        );
        assert_eq!(slugify("Café crème"), "cafe-creme");
        assert!(validate(&slugify("Hello, World")).is_ok());
    }

    #[test]
    fn validate_rejects_bad_slugs() {
        assert!(validate("").is_err());
        assert!(validate("Upper").is_err());
        assert!(validate("a--b").is_err());
        assert!(validate("-a").is_err());
        assert!(validate("a b").is_err());
        assert!(validate("ok-slug-1").is_ok());
    }
}
