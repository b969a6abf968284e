//! An image ready to print as `<picture>`/`<img srcset sizes width height alt>`
//! (`templates/partials/image.html`).

use cms_core::media::{Media, Variant};

/// `sizes` of an article's cover: the column is about 45rem wide at most.
pub const COVER_SIZES: &str = "(min-width: 48rem) 45rem, 100vw";
/// `sizes` of a listing card's image.
pub const CARD_SIZES: &str = "(min-width: 48rem) 22rem, 100vw";
/// The `src` for browsers without `srcset` support, and the intrinsic size.
const FALLBACK_WIDTH: u32 = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageView {
    /// Site-relative URL of the fallback variant.
    pub src: String,
    /// `url 320w, url 640w, …` in the original's format.
    pub srcset: String,
    /// The same in WebP, or empty when WebP would not save bytes.
    pub webp_srcset: String,
    pub sizes: &'static str,
    /// Intrinsic size of `src` (reserves the space: no layout shift).
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

fn srcset(variants: &[&Variant]) -> String {
    variants
        .iter()
        .map(|v| format!("{} {}w", v.path(), v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ImageView {
    /// `None` for an image without variants (never the case for uploads).
    pub fn new(m: &Media, sizes: &'static str) -> Option<Self> {
        let fallback = m.at_least(FALLBACK_WIDTH)?;
        Some(ImageView {
            src: fallback.path(),
            srcset: srcset(&m.main_variants()),
            webp_srcset: if m.webp_is_smaller() {
                srcset(&m.webp_variants())
            } else {
                String::new()
            },
            sizes,
            width: fallback.width,
            height: fallback.height,
            alt: m.alt.clone(),
        })
    }
}

/// An image for share cards and feeds: the largest variant, absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareImage {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub bytes: u64,
    pub alt: String,
}

impl ShareImage {
    /// `base_url` without a trailing slash.
    pub fn new(m: &Media, base_url: &str) -> Option<Self> {
        let v = m.largest()?;
        Some(ShareImage {
            url: format!("{base_url}{}", v.path()),
            width: v.width,
            height: v.height,
            mime: v.mime.clone(),
            bytes: v.bytes,
            alt: m.alt.clone(),
        })
    }
}
