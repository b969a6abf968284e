//! Variants: the resized copies of an image (in its own format, and in WebP
//! when that is smaller), and which one to use where — thumbnails, share
//! images, the `![alt](…)` Markdown that places an image in a section.

use serde::{Deserialize, Serialize};

use super::{ImageKind, Media, URL_PREFIX};

/// One resized copy of an image, as stored in the `variants` JSON column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub key: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub bytes: u64,
}

impl Variant {
    /// The site-relative URL (`/media/ab/cd/…-640.jpg`).
    pub fn path(&self) -> String {
        format!("{URL_PREFIX}{}", self.key)
    }
}

/// Widest variant a section image uses (`![alt](…)` in the Markdown).
pub const INLINE_WIDTH: u32 = 1024;

impl Media {
    pub fn kind(&self) -> Option<ImageKind> {
        ImageKind::from_mime(&self.mime)
    }

    /// Variants of one type, narrowest first.
    pub fn variants_of(&self, mime: &str) -> Vec<&Variant> {
        let mut v: Vec<&Variant> = self.variants.iter().filter(|v| v.mime == mime).collect();
        v.sort_by_key(|v| v.width);
        v
    }

    /// Variants in the original's format (what every browser can show).
    pub fn main_variants(&self) -> Vec<&Variant> {
        self.variants_of(&self.mime)
    }

    /// WebP variants, when the original is not WebP itself.
    pub fn webp_variants(&self) -> Vec<&Variant> {
        if self.mime == ImageKind::WebP.mime() {
            Vec::new()
        } else {
            self.variants_of(ImageKind::WebP.mime())
        }
    }

    /// Whether offering the WebP variants saves bytes. The `image` crate
    /// writes lossless WebP, which beats PNG and GIF but is often larger than
    /// a JPEG; then browsers are better off with the JPEG.
    pub fn webp_is_smaller(&self) -> bool {
        let webp: u64 = self.webp_variants().iter().map(|v| v.bytes).sum();
        let main: u64 = self.main_variants().iter().map(|v| v.bytes).sum();
        webp > 0 && webp < main
    }

    /// The largest variant in the original's format (share images, feeds).
    pub fn largest(&self) -> Option<&Variant> {
        self.main_variants().into_iter().last()
    }

    /// The smallest one (thumbnails in the admin panel).
    pub fn thumbnail(&self) -> Option<&Variant> {
        self.main_variants().into_iter().next()
    }

    /// The variant for `width` CSS pixels: the narrowest at least that wide,
    /// else the largest.
    pub fn at_least(&self, width: u32) -> Option<&Variant> {
        let main = self.main_variants();
        main.iter()
            .find(|v| v.width >= width)
            .or(main.last())
            .copied()
    }

    /// The Markdown that places this image in a section.
    pub fn markdown(&self) -> String {
        let url = self
            .at_least(INLINE_WIDTH)
            .map(|v| v.path())
            .unwrap_or_default();
        let alt: String = self
            .alt
            .chars()
            .flat_map(|c| match c {
                '[' | ']' | '\\' | '*' | '_' | '`' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        format!("![{alt}]({url})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now;

    #[test]
    fn markdown_escapes_alt() {
        let m = Media {
            id: 1,
            content_hash: "0".repeat(64),
            storage_key: String::new(),
            original_name: "a.png".into(),
            mime: "image/png".into(),
            width: 2000,
            height: 1000,
            bytes: 1,
            alt: "A [bracketed] *alt*".into(),
            variants: [320u32, 1024, 1600]
                .iter()
                .map(|w| Variant {
                    key: format!("k-{w}.png"),
                    width: *w,
                    height: w / 2,
                    mime: "image/png".into(),
                    bytes: 10,
                })
                .collect(),
            uploader_id: None,
            created_at: now(),
        };
        assert_eq!(
            m.markdown(),
            r"![A \[bracketed\] \*alt\*](/media/k-1024.png)"
        );
        assert_eq!(m.largest().map(|v| v.width), Some(1600));
        assert_eq!(m.at_least(400).map(|v| v.width), Some(1024));
        assert!(!m.webp_is_smaller());
    }
}
