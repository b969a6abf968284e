//! Pre-compressed bodies for the render cache and the choice between them.
//!
//! A cached response is compressed once, when it is stored, with gzip and
//! with Brotli; each hit then sends the smallest form the client accepts
//! without compressing anything. Brotli is chosen whenever the client
//! accepts it at least as much as gzip: browsers all do, and for an article
//! page it is about a tenth smaller than gzip (see `BROTLI_QUALITY`).

use std::io::Write;

use actix_web::web::Bytes;

/// Bodies shorter than this are sent as they are: compression would not pay
/// for its header.
const MIN_SIZE: usize = 512;

/// Brotli quality 5. On a seeded article page of 10.8 KB
/// (`cargo run --release -p cms-web --example compression`, see
/// `bench/RESULTS.md`): 2 747 bytes in 120–190 µs, against gzip -6's 3 063
/// bytes in 56 µs and quality 11's 2 390 bytes in 10 ms. A page is compressed
/// each time it is stored, at most once per TTL, so 11 is out of reach.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 22;

/// A `Content-Encoding` the cache can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    pub fn header_value(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
            Encoding::Identity => "identity",
        }
    }
}

/// A body in every form the cache sends.
pub struct Bodies {
    pub identity: Bytes,
    pub gzip: Option<Bytes>,
    pub brotli: Option<Bytes>,
}

impl Bodies {
    /// Compresses `body` both ways (unless it is too short to gain).
    pub fn new(body: Bytes) -> Self {
        let (gzip, brotli) = if body.len() < MIN_SIZE {
            (None, None)
        } else {
            (gzip(&body), brotli(&body))
        };
        Bodies {
            identity: body,
            gzip,
            brotli,
        }
    }

    /// Bytes held.
    pub fn size(&self) -> usize {
        self.identity.len()
            + self.gzip.as_ref().map_or(0, Bytes::len)
            + self.brotli.as_ref().map_or(0, Bytes::len)
    }

    /// The form to send for an `Accept-Encoding` header (`None`: absent).
    pub fn pick(&self, accept_encoding: Option<&str>) -> (Encoding, Bytes) {
        let accepted = accept_encoding.map(Accepted::parse).unwrap_or_default();
        let br = self.brotli.as_ref().filter(|_| accepted.brotli > 0.0);
        let gz = self.gzip.as_ref().filter(|_| accepted.gzip > 0.0);
        if let Some(b) = br {
            if gz.is_none() || accepted.brotli >= accepted.gzip {
                return (Encoding::Brotli, b.clone());
            }
        }
        match gz {
            Some(g) => (Encoding::Gzip, g.clone()),
            None => (Encoding::Identity, self.identity.clone()),
        }
    }
}

/// The quality values an `Accept-Encoding` header gives Brotli and gzip
/// (0: not acceptable). `*` stands for any coding not named.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Accepted {
    brotli: f32,
    gzip: f32,
}

impl Accepted {
    fn parse(header: &str) -> Self {
        let (mut br, mut gz, mut any) = (None, None, None);
        for item in header.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            if name.eq_ignore_ascii_case("br") {
                br = Some(q);
            } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                gz = Some(q);
            } else if name == "*" {
                any = Some(q);
            }
        }
        Accepted {
            brotli: br.or(any).unwrap_or(0.0),
            gzip: gz.or(any).unwrap_or(0.0),
        }
    }
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(6),
    );
    enc.write_all(bytes).ok()?;
    enc.finish().ok().map(Bytes::from)
}

fn brotli(bytes: &[u8]) -> Option<Bytes> {
    let mut out = Vec::with_capacity(bytes.len() / 4);
    {
        let mut enc = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, BROTLI_WINDOW);
        enc.write_all(bytes).ok()?;
        enc.flush().ok()?;
    }
    Some(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Bytes {
        Bytes::from(
            "<p>The harbour committee met on Tuesday to discuss the new ferry timetable.</p>\n"
                .repeat(40),
        )
    }

    #[test]
    fn negotiation_follows_the_header() {
        let b = Bodies::new(page());
        let pick = |h: Option<&str>| b.pick(h).0;
        assert_eq!(pick(Some("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(pick(Some("gzip")), Encoding::Gzip);
        assert_eq!(pick(Some("br;q=0.5, gzip;q=0.8")), Encoding::Gzip);
        assert_eq!(pick(Some("br;q=0, gzip")), Encoding::Gzip);
        assert_eq!(pick(Some("gzip;q=0, br;q=0")), Encoding::Identity);
        assert_eq!(pick(Some("*")), Encoding::Brotli);
        assert_eq!(pick(Some("*;q=0.1, br;q=0")), Encoding::Gzip);
        assert_eq!(pick(Some("identity")), Encoding::Identity);
        assert_eq!(pick(Some("")), Encoding::Identity);
        assert_eq!(pick(None), Encoding::Identity);
        assert_eq!(pick(Some("GZIP ; q=1")), Encoding::Gzip);
    }

    #[test]
    fn every_form_holds_the_same_page() {
        let original = page();
        let b = Bodies::new(original.clone());
        let br = b.brotli.clone().expect("brotli");
        let gz = b.gzip.clone().expect("gzip");
        assert!(br.len() < gz.len() && gz.len() < original.len() / 5);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).expect("brotli decodes");
        assert_eq!(out, original);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out)
            .expect("gzip decodes");
        assert_eq!(out, original);
        assert_eq!(b.size(), original.len() + br.len() + gz.len());
        // Short bodies are not compressed.
        let short = Bodies::new(Bytes::from_static(b"<p>Hi</p>"));
        assert_eq!(short.pick(Some("br, gzip")).0, Encoding::Identity);
    }
}
