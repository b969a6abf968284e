//! Turning uploaded bytes into a safe image and its web variants — pure CPU
//! work, no database and no storage, so callers run it off the async runtime
//! (`web::block`) without holding a database connection.
//!
//! The order of checks is the point: the size in bytes, then the type sniffed
//! from the content (never the name), then the dimensions read from the header
//! alone, and only then a full decode with [`image::Limits`] set. A
//! decompression bomb (a tiny file declaring a gigantic image) is refused before
//! a single pixel buffer is allocated.

use std::io::Cursor;

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader,
};
use sha2::{Digest, Sha256};

use super::{ImageKind, MediaError, Variant};
use crate::error::{CoreError, CoreResult, FieldErrors};

/// Largest upload in bytes unless configured otherwise (`max_upload_bytes`).
pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;
/// Largest image in pixels (width × height): 40 megapixels, more than any
/// newsroom camera delivers, and about 160 MB once decoded.
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;
/// Longest side in pixels; a 20 000 × 10 banner is no photo.
pub const DEFAULT_MAX_DIMENSION: u32 = 12_000;
/// Widths of the resized variants. An image narrower than one of them gets a
/// variant at its own width instead (never upscaled); the largest variant is
/// at most the last width.
pub const VARIANT_WIDTHS: [u32; 4] = [320, 640, 1024, 1600];
/// Alt text longer than this is a caption, not a description.
pub const MAX_ALT_CHARS: usize = 300;
/// JPEG quality of the variants: visually lossless for news photos.
const JPEG_QUALITY: u8 = 82;

/// What an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_pixels: u64,
    pub max_dimension: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_pixels: DEFAULT_MAX_PIXELS,
            max_dimension: DEFAULT_MAX_DIMENSION,
        }
    }
}

impl Limits {
    /// The default pixel limits with another byte limit.
    pub fn with_max_bytes(max_bytes: usize) -> Self {
        Limits {
            max_bytes,
            ..Limits::default()
        }
    }
}

/// An upload that passed every check, with its variants encoded and ready
/// to store.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// SHA-256 of the uploaded bytes (hex): the same file twice is stored once.
    pub content_hash: String,
    pub kind: ImageKind,
    /// After applying the EXIF orientation.
    pub width: u32,
    pub height: u32,
    /// The upload as sent (kept privately for re-processing; never served,
    /// since it may carry EXIF metadata such as a location).
    pub original: Vec<u8>,
    pub original_name: String,
    pub alt: String,
    /// Each variant with its encoded bytes, in the original format and WebP.
    pub variants: Vec<(Variant, Vec<u8>)>,
}

/// The message for a file over the byte limit (also used by the web layer,
/// which stops reading a request body as soon as it is exceeded).
pub fn too_large(size: usize, limits: &Limits) -> MediaError {
    MediaError::TooLarge(format!(
        "The file is {}; the largest image you can upload is {}.",
        human_bytes(size as u64),
        human_bytes(limits.max_bytes as u64)
    ))
}

/// `1.5 MB`, `300 KB`, `20 MB`.
pub fn human_bytes(n: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let n = n as f64;
    if n >= MB {
        let v = n / MB;
        if (v - v.round()).abs() < 0.05 {
            format!("{} MB", v.round())
        } else {
            format!("{v:.1} MB")
        }
    } else {
        format!("{} KB", (n / 1024.0).ceil())
    }
}

/// Trims the alt text and the name and checks them (cheap, so before any
/// decoding). Field names match the upload forms: `alt`, `file`.
pub fn check_fields(bytes: &[u8], alt: &str) -> CoreResult<String> {
    let alt = crate::articles::save::single_line(alt);
    let mut errors = FieldErrors::default();
    if bytes.is_empty() {
        errors.add("file", "Choose an image file to upload.");
    }
    if alt.is_empty() {
        errors.add(
            "alt",
            "Describe the image for people who cannot see it (alt text is required).",
        );
    } else if alt.chars().count() > MAX_ALT_CHARS {
        errors.add(
            "alt",
            format!("Use at most {MAX_ALT_CHARS} characters; put longer text in the article."),
        );
    }
    errors.into_result()?;
    Ok(alt)
}

/// The type of an upload, from its first bytes. Only the four web formats
/// pass; everything else — an SVG, a PHP script or a PDF renamed `.jpg` — is
/// refused whatever its name says.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, MediaError> {
    let format = image::guess_format(bytes).ok();
    match format {
        Some(ImageFormat::Jpeg) => Ok(ImageKind::Jpeg),
        Some(ImageFormat::Png) => Ok(ImageKind::Png),
        Some(ImageFormat::Gif) => Ok(ImageKind::Gif),
        Some(ImageFormat::WebP) => Ok(ImageKind::WebP),
        _ => Err(MediaError::Unsupported(
            "This file is not a supported image: its contents are not JPEG, PNG, WebP or GIF, whatever its name says.".into(),
        )),
    }
}

fn reader(bytes: &[u8], kind: ImageKind) -> ImageReader<Cursor<&[u8]>> {
    ImageReader::with_format(Cursor::new(bytes), kind.format())
}

fn damaged() -> MediaError {
    MediaError::Invalid(
        "The file could not be read as an image; it may be damaged or incomplete.".into(),
    )
}

/// Width and height from the header alone, checked against the limits.
pub fn check_dimensions(
    bytes: &[u8],
    kind: ImageKind,
    limits: &Limits,
) -> Result<(u32, u32), MediaError> {
    let (w, h) = reader(bytes, kind)
        .into_dimensions()
        .map_err(|_| damaged())?;
    if w == 0 || h == 0 {
        return Err(damaged());
    }
    if w > limits.max_dimension || h > limits.max_dimension {
        return Err(MediaError::Invalid(format!(
            "The image is {w} × {h} pixels; neither side may be longer than {} pixels.",
            limits.max_dimension
        )));
    }
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return Err(MediaError::Invalid(format!(
            "The image is {w} × {h} pixels ({:.1} megapixels); the limit is {} megapixels.",
            pixels as f64 / 1e6,
            limits.max_pixels / 1_000_000
        )));
    }
    Ok((w, h))
}

/// Decodes with [`image::Limits`] as a second line of defence (a decoder
/// never allocates more than the pixel limit allows), then applies the EXIF
/// orientation so portrait photos stand upright once the metadata is gone.
fn decode(bytes: &[u8], kind: ImageKind, limits: &Limits) -> Result<DynamicImage, MediaError> {
    let mut r = reader(bytes, kind);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_dimension);
    l.max_image_height = Some(limits.max_dimension);
    // RGBA with 16 bits per channel is the widest a decoder produces, plus slack.
    l.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    r.limits(l);
    let mut decoder = r.into_decoder().map_err(|_| damaged())?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => {
            MediaError::Invalid("The image is too large to process.".into())
        }
        _ => damaged(),
    })?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// The widths to make for an image `width` pixels wide: every standard width
/// below it, plus the image's own width when it is below the largest.
pub fn variant_widths(width: u32) -> Vec<u32> {
    let max = VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1];
    let mut widths: Vec<u32> = VARIANT_WIDTHS
        .iter()
        .copied()
        .filter(|w| *w < width)
        .collect();
    widths.push(width.min(max));
    widths.dedup();
    widths
}

/// `ab/cd/<first 32 hex digits of the hash>`: spread over directories, and
/// unique per content, so a URL never changes meaning (served as immutable).
pub fn key_stem(content_hash: &str) -> String {
    format!(
        "{}/{}/{}",
        &content_hash[..2],
        &content_hash[2..4],
        &content_hash[..32]
    )
}

/// Where the original upload is kept (outside the served key space).
pub fn original_key(content_hash: &str, kind: ImageKind) -> String {
    format!(
        "originals/{}/{}/{content_hash}.{}",
        &content_hash[..2],
        &content_hash[2..4],
        kind.ext()
    )
}

fn encode(img: &DynamicImage, kind: ImageKind) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let (w, h) = (img.width(), img.height());
    let failed = |e: image::ImageError| {
        MediaError::Invalid(format!("The image could not be converted: {e}"))
    };
    match kind {
        ImageKind::Jpeg => {
            let rgb = img.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .write_image(rgb.as_raw(), w, h, ExtendedColorType::Rgb8)
                .map_err(failed)?;
        }
        ImageKind::Png => {
            let enc = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Default,
                PngFilter::Adaptive,
            );
            match img {
                DynamicImage::ImageRgb8(b) => {
                    enc.write_image(b.as_raw(), w, h, ExtendedColorType::Rgb8)
                }
                other => enc.write_image(other.to_rgba8().as_raw(), w, h, ExtendedColorType::Rgba8),
            }
            .map_err(failed)?;
        }
        ImageKind::Gif => {
            let rgba = img.to_rgba8();
            GifEncoder::new_with_speed(&mut out, 10)
                .write_image(rgba.as_raw(), w, h, ExtendedColorType::Rgba8)
                .map_err(failed)?;
        }
        ImageKind::WebP => {
            // The `image` crate writes lossless WebP only.
            let enc = WebPEncoder::new_lossless(&mut out);
            match img {
                DynamicImage::ImageRgb8(b) => {
                    enc.write_image(b.as_raw(), w, h, ExtendedColorType::Rgb8)
                }
                other => enc.write_image(other.to_rgba8().as_raw(), w, h, ExtendedColorType::Rgba8),
            }
            .map_err(failed)?;
        }
    }
    Ok(out)
}

/// Checks an upload and makes its variants. Every refusal says why, in words
/// an editor understands.
pub fn prepare(
    bytes: &[u8],
    original_name: &str,
    alt: &str,
    limits: &Limits,
) -> CoreResult<Prepared> {
    let alt = check_fields(bytes, alt)?;
    if bytes.len() > limits.max_bytes {
        return Err(too_large(bytes.len(), limits).into());
    }
    let kind = sniff(bytes)?;
    check_dimensions(bytes, kind, limits)?;
    let img = decode(bytes, kind, limits)?;
    // 8 bits per channel; alpha only where the format can carry it and the
    // image has it. Re-encoding from pixels drops every piece of metadata.
    let img = if img.color().has_alpha() && kind != ImageKind::Jpeg {
        DynamicImage::ImageRgba8(img.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.into_rgb8())
    };
    let (width, height) = (img.width(), img.height());
    let content_hash = hex::encode(Sha256::digest(bytes));
    let stem = key_stem(&content_hash);

    let mut variants = Vec::new();
    // Largest first, each resized from the previous one: far cheaper than
    // resizing a 40-megapixel original four times, and as sharp at these ratios.
    let mut widths = variant_widths(width);
    widths.reverse();
    let mut source = img;
    for w in widths {
        let h = ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width))
            .max(1) as u32;
        if w != source.width() {
            source = source.resize_exact(w, h, FilterType::CatmullRom);
        }
        let mut formats = vec![kind];
        if kind != ImageKind::WebP {
            formats.push(ImageKind::WebP);
        }
        for f in formats {
            let data = encode(&source, f)?;
            let variant = Variant {
                key: format!("{stem}-{w}.{}", f.ext()),
                width: w,
                height: source.height(),
                mime: f.mime().to_owned(),
                bytes: data.len() as u64,
            };
            variants.push((variant, data));
        }
    }
    variants.sort_by(|(a, _), (b, _)| (a.mime.as_str(), a.width).cmp(&(b.mime.as_str(), b.width)));
    Ok(Prepared {
        content_hash,
        kind,
        width,
        height,
        original: bytes.to_vec(),
        original_name: clean_name(original_name),
        alt,
        variants,
    })
}

/// The file name as shown in the library: no path, no control characters,
/// at most 200 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "image".to_owned()
    } else {
        cleaned
    }
}

impl From<MediaError> for CoreError {
    fn from(e: MediaError) -> Self {
        CoreError::Media(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, ExtendedColorType::Rgb8)
            .expect("png");
        out
    }

    #[test]
    fn widths_never_upscale() {
        assert_eq!(variant_widths(100), vec![100]);
        assert_eq!(variant_widths(320), vec![320]);
        assert_eq!(variant_widths(1000), vec![320, 640, 1000]);
        assert_eq!(variant_widths(5000), vec![320, 640, 1024, 1600]);
    }

    #[test]
    fn sniffs_content_not_names() {
        assert_eq!(sniff(&png(4, 4)), Ok(ImageKind::Png));
        let err = sniff(b"<?php echo 'hi'; ?>").expect_err("refused");
        assert!(err.to_string().contains("not a supported image"), "{err}");
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(matches!(sniff(svg), Err(MediaError::Unsupported(_))));
        // A BMP is a real image, but not one for the web.
        assert!(matches!(
            sniff(b"BM\x00\x00\x00\x00\x00\x00\x00\x00"),
            Err(MediaError::Unsupported(_))
        ));
    }

    #[test]
    fn refuses_huge_dimensions_from_the_header() {
        let bytes = png(20_000, 10);
        assert!(bytes.len() < 100_000, "small file: {}", bytes.len());
        let err =
            prepare(&bytes, "banner.png", "A banner", &Limits::default()).expect_err("refused");
        let CoreError::Media(MediaError::Invalid(m)) = err else {
            panic!("{err:?}")
        };
        assert!(m.contains("20000 × 10") && m.contains("12000"), "{m}");
        let limits = Limits {
            max_pixels: 1_000,
            ..Limits::default()
        };
        let err = prepare(&png(50, 50), "x.png", "x", &limits).expect_err("refused");
        assert!(err.to_string().contains("megapixels"), "{err}");
    }

    #[test]
    fn makes_variants_in_both_formats() {
        let p = prepare(
            &png(700, 350),
            "dir/photo.png",
            "  A  photo ",
            &Limits::default(),
        )
        .expect("prepare");
        assert_eq!((p.width, p.height, p.kind), (700, 350, ImageKind::Png));
        assert_eq!(p.alt, "A photo");
        assert_eq!(p.original_name, "photo.png");
        let keys: Vec<&str> = p.variants.iter().map(|(v, _)| v.key.as_str()).collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        for (v, data) in &p.variants {
            assert!(v.key.starts_with(&key_stem(&p.content_hash)));
            let kind = sniff(data).expect("re-encoded image");
            assert_eq!(kind.mime(), v.mime);
            let (w, h) = ImageReader::new(Cursor::new(data))
                .with_guessed_format()
                .expect("reader")
                .into_dimensions()
                .expect("dims");
            assert_eq!((w, h), (v.width, v.height));
        }
        assert!(p
            .variants
            .iter()
            .any(|(v, _)| v.width == 320 && v.height == 160 && v.mime == "image/webp"));
    }

    #[test]
    fn keeps_alpha_and_refuses_damage() {
        let img = ImageBuffer::from_fn(8, 8, |x, _| Rgba([0, 0, 0, (x * 30) as u8]));
        let mut bytes = Vec::new();
        PngEncoder::new(&mut bytes)
            .write_image(img.as_raw(), 8, 8, ExtendedColorType::Rgba8)
            .expect("png");
        let p = prepare(&bytes, "a.png", "alpha", &Limits::default()).expect("prepare");
        assert_eq!(p.variants.len(), 2);
        let mut cut = png(64, 64);
        cut.truncate(cut.len() / 2);
        let err = prepare(&cut, "cut.png", "cut", &Limits::default()).expect_err("refused");
        assert!(
            matches!(err, CoreError::Media(MediaError::Invalid(_))),
            "{err:?}"
        );
    }

    #[test]
    fn checks_fields_first() {
        let err = prepare(b"", "x.jpg", "", &Limits::default()).expect_err("refused");
        let CoreError::Validation(f) = err else {
            panic!()
        };
        assert!(f.get("file").is_some() && f.get("alt").is_some());
        let err = prepare(
            &[0u8; 64],
            "x.jpg",
            "alt",
            &Limits {
                max_bytes: 10,
                ..Limits::default()
            },
        )
        .expect_err("refused");
        assert!(
            matches!(err, CoreError::Media(MediaError::TooLarge(_))),
            "{err:?}"
        );
        assert_eq!(human_bytes(20 * 1024 * 1024), "20 MB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MB");
    }
}
