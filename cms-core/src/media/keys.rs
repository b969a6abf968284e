//! Variant keys and their URLs: which keys the public `/media/` route serves
//! (only the variants the library makes; originals stay private) and with
//! what content type.

use super::ImageKind;

/// Where variants are served: `/media/<key>`.
pub const URL_PREFIX: &str = "/media/";

/// Whether `key` looks like a variant key this module makes (the only keys
/// the public `/media/` route serves; originals stay private).
pub fn is_variant_key(key: &str) -> bool {
    let mut parts = key.split('/');
    let (Some(a), Some(b), Some(file), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let hex2 = |s: &str| {
        s.len() == 2
            && s.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    };
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let Some((hash, width)) = stem.split_once('-') else {
        return false;
    };
    hex2(a)
        && hex2(b)
        && hash.len() == 32
        && hash.starts_with(a)
        && hash[2..].starts_with(b)
        && hash
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && !width.is_empty()
        && width.len() <= 5
        && width.bytes().all(|c| c.is_ascii_digit())
        && ImageKind::from_ext(ext).is_some()
}

/// The content type to serve a variant key with.
pub fn content_type_of(key: &str) -> Option<&'static str> {
    key.rsplit_once('.')
        .and_then(|(_, ext)| ImageKind::from_ext(ext))
        .map(ImageKind::mime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::process;

    #[test]
    fn variant_keys() {
        let stem =
            process::key_stem("abcdef0123456789abcdef0123456789ffffffffffffffffffffffffffffffff");
        assert!(is_variant_key(&format!("{stem}-320.jpg")), "{stem}");
        assert!(is_variant_key(&format!("{stem}-1600.webp")));
        for bad in [
            format!("{stem}-320.svg"),
            format!("{stem}-.jpg"),
            format!("{stem}.jpg"),
            format!("x{stem}-320.jpg"),
            "ab/ce/abcdef0123456789abcdef0123456789-320.jpg".to_owned(),
            "ab/cd/ABCDEF0123456789abcdef0123456789-320.jpg".to_owned(),
            "originals/ab/cd/abcdef.png".to_owned(),
            "../../etc/passwd".to_owned(),
        ] {
            assert!(!is_variant_key(&bad), "{bad}");
        }
        assert_eq!(content_type_of("x-1.webp"), Some("image/webp"));
    }
}
