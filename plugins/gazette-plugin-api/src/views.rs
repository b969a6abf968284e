//! The `page_views` input: a batch of page views as plain bytes.
//!
//! Every other hook takes JSON. This one is called for every page a site
//! serves, so its input is a fixed little-endian layout that costs next to
//! nothing to write and to read (as JSON, writing and parsing the batch cost
//! more than everything else counting a view does). Strings (paths, user
//! agents, days) are sent once per batch and views refer to them by index.
//!
//! ```text
//! magic       4 bytes   "GZV1"
//! strings     u32       number of strings, then for each:
//!               u32       length in bytes
//!               [u8]      UTF-8
//! views       u32       number of views, then for each (40 bytes):
//!               i32       article id (0: not an article page)
//!               u32       path          (index into strings)
//!               u32       user agent    (index into strings)
//!               u32       day, YYYY-MM-DD in UTC (index into strings)
//!               u64       visitor: keyed hash of the client address and day
//!               i64       timestamp, Unix seconds (the latest of the entry)
//!               u32       count of identical views this entry stands for
//!               u32       flags: bit 0, the visitor is logged-in staff
//! ```
//!
//! Integers are little-endian. Nothing follows the last view.

extern crate alloc;

use alloc::vec::Vec;

/// The first four bytes of a batch; a new layout gets a new magic.
pub const MAGIC: &[u8; 4] = b"GZV1";

/// Bytes per view record.
pub const VIEW_SIZE: usize = 40;

/// [`ViewRecord::flags`] bit: the visitor is logged-in staff.
pub const FLAG_STAFF: u32 = 1;

/// One entry of a batch (see the module documentation for each field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewRecord {
    pub article_id: i32,
    pub path: u32,
    pub user_agent: u32,
    pub day: u32,
    pub visitor: u64,
    pub timestamp: i64,
    pub count: u32,
    pub flags: u32,
}

/// Writes a batch. Strings longer than `u32::MAX` bytes cannot occur (the host
/// cuts user agents and paths far shorter).
pub fn encode(strings: &[&str], views: &[ViewRecord]) -> Vec<u8> {
    let text: usize = strings.iter().map(|s| 4 + s.len()).sum();
    let mut out = Vec::with_capacity(12 + text + views.len() * VIEW_SIZE);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&len32(strings.len()).to_le_bytes());
    for s in strings {
        out.extend_from_slice(&len32(s.len()).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&len32(views.len()).to_le_bytes());
    for v in views {
        out.extend_from_slice(&v.article_id.to_le_bytes());
        out.extend_from_slice(&v.path.to_le_bytes());
        out.extend_from_slice(&v.user_agent.to_le_bytes());
        out.extend_from_slice(&v.day.to_le_bytes());
        out.extend_from_slice(&v.visitor.to_le_bytes());
        out.extend_from_slice(&v.timestamp.to_le_bytes());
        out.extend_from_slice(&v.count.to_le_bytes());
        out.extend_from_slice(&v.flags.to_le_bytes());
    }
    out
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Why a batch could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Not a batch of this layout.
    Magic,
    /// The input ends inside a field.
    Truncated,
    /// A string is not UTF-8.
    Utf8,
    /// A view names a string the batch does not have.
    StringIndex,
    /// Bytes after the last view.
    Trailing,
}

impl DecodeError {
    pub fn message(self) -> &'static str {
        match self {
            DecodeError::Magic => "page_views: not a GZV1 batch",
            DecodeError::Truncated => "page_views: the batch ends early",
            DecodeError::Utf8 => "page_views: a string is not UTF-8",
            DecodeError::StringIndex => "page_views: a view names a string the batch lacks",
            DecodeError::Trailing => "page_views: bytes after the last view",
        }
    }
}

/// Reads a batch, calling `view` once per record after checking that its
/// string indexes exist. The strings are borrowed from `input`.
pub fn decode<'a>(
    input: &'a [u8],
    mut view: impl FnMut(&[&'a str], ViewRecord),
) -> Result<(), DecodeError> {
    let mut r = Reader { rest: input };
    if r.take(4)? != MAGIC {
        return Err(DecodeError::Magic);
    }
    let n = r.u32()? as usize;
    // Every string takes at least its 4-byte length: a count the input cannot
    // hold is refused before anything is reserved for it.
    if n > r.rest.len() / 4 {
        return Err(DecodeError::Truncated);
    }
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let len = r.u32()? as usize;
        let bytes = r.take(len)?;
        strings.push(core::str::from_utf8(bytes).map_err(|_| DecodeError::Utf8)?);
    }
    let views = r.u32()? as usize;
    let need = views.checked_mul(VIEW_SIZE).ok_or(DecodeError::Truncated)?;
    if r.rest.len() < need {
        return Err(DecodeError::Truncated);
    }
    if r.rest.len() > need {
        return Err(DecodeError::Trailing);
    }
    for _ in 0..views {
        let v = ViewRecord {
            article_id: r.u32()? as i32,
            path: r.u32()?,
            user_agent: r.u32()?,
            day: r.u32()?,
            visitor: r.u64()?,
            timestamp: r.u64()? as i64,
            count: r.u32()?,
            flags: r.u32()?,
        };
        let known = |i: u32| (i as usize) < strings.len();
        if !(known(v.path) && known(v.user_agent) && known(v.day)) {
            return Err(DecodeError::StringIndex);
        }
        view(&strings, v);
    }
    Ok(())
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.rest.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: u32) -> ViewRecord {
        ViewRecord {
            article_id: 7 + i as i32,
            path: i % 2,
            user_agent: 1,
            day: 2,
            visitor: 0xdead_beef_0000 + u64::from(i),
            timestamp: 1_795_000_000 + i64::from(i),
            count: 1 + i,
            flags: i % 2,
        }
    }

    #[test]
    fn a_batch_reads_back_as_written() {
        let strings = ["/articles/a", "Mozilla/5.0 (X11) “quoted”", "2026-11-29"];
        let views: Vec<ViewRecord> = (0..5).map(record).collect();
        let bytes = encode(&strings, &views);
        assert_eq!(
            bytes.len(),
            4 + 4 + strings.iter().map(|s| 4 + s.len()).sum::<usize>() + 4 + 5 * VIEW_SIZE
        );
        let mut seen = Vec::new();
        decode(&bytes, |s, v| {
            assert_eq!(s, &strings[..]);
            seen.push(v);
        })
        .expect("decodes");
        assert_eq!(seen, views);
        // An empty batch is valid.
        decode(&encode(&[], &[]), |_, _| panic!("no views")).expect("empty");
    }

    #[test]
    fn damaged_batches_are_refused_without_panicking() {
        let strings = ["/p", "agent", "2026-11-29"];
        let bytes = encode(&strings, &[record(0), record(1)]);
        let none = |_: &[&str], _: ViewRecord| {};
        // Every truncation is an error, never a panic or a partial read.
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], none).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer, none), Err(DecodeError::Trailing));
        let mut magic = bytes.clone();
        magic[3] = b'9';
        assert_eq!(decode(&magic, none), Err(DecodeError::Magic));
        let bad_index = encode(
            &strings,
            &[ViewRecord {
                day: 3,
                ..record(0)
            }],
        );
        assert_eq!(decode(&bad_index, none), Err(DecodeError::StringIndex));
        let mut huge = encode(&[], &[]);
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge, none), Err(DecodeError::Truncated));
        let mut not_utf8 = encode(&["ab"], &[]);
        not_utf8[12] = 0xff;
        assert_eq!(decode(&not_utf8, none), Err(DecodeError::Utf8));
    }
}
