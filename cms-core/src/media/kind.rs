//! The image formats Gazette accepts and serves, with their MIME types and
//! file extensions.

use serde::{Deserialize, Serialize};

/// The image formats Gazette accepts and serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Gif => "image/gif",
            ImageKind::WebP => "image/webp",
        }
    }
    pub fn ext(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Gif => "gif",
            ImageKind::WebP => "webp",
        }
    }
    pub fn from_mime(mime: &str) -> Option<ImageKind> {
        [
            ImageKind::Jpeg,
            ImageKind::Png,
            ImageKind::Gif,
            ImageKind::WebP,
        ]
        .into_iter()
        .find(|k| k.mime() == mime)
    }
    pub fn from_ext(ext: &str) -> Option<ImageKind> {
        [
            ImageKind::Jpeg,
            ImageKind::Png,
            ImageKind::Gif,
            ImageKind::WebP,
        ]
        .into_iter()
        .find(|k| k.ext() == ext)
    }
    pub(crate) fn format(self) -> image::ImageFormat {
        match self {
            ImageKind::Jpeg => image::ImageFormat::Jpeg,
            ImageKind::Png => image::ImageFormat::Png,
            ImageKind::Gif => image::ImageFormat::Gif,
            ImageKind::WebP => image::ImageFormat::WebP,
        }
    }
}
