//! Where the reader is in the file: bytes and lines counted as quick-xml
//! consumes its input (for progress and item line numbers), and a byte offset
//! turned back into a line and column for error messages.

use std::io::{BufRead, Read};

/// Counts lines and bytes as quick-xml consumes its input.
pub(super) struct Counting<R> {
    pub(super) inner: R,
    pub(super) consumed: u64,
    pub(super) line: u64,
    /// Called with the bytes consumed so far, at most every 256 KiB.
    pub(super) next_report: u64,
}

impl<R: BufRead> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

pub(super) const REPORT_EVERY: u64 = 256 * 1024;

/// Line and column (1-based, column in characters) of a byte offset.
pub fn locate<R: Read>(mut input: R, offset: u64) -> (u64, u64) {
    let mut line = 1;
    let mut line_start: Vec<u8> = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut pos = 0u64;
    while pos < offset {
        let n = match input.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let take = ((offset - pos) as usize).min(n);
        for &b in &buf[..take] {
            if b == b'\n' {
                line += 1;
                line_start.clear();
            } else {
                line_start.push(b);
            }
        }
        pos += take as u64;
    }
    let column = String::from_utf8_lossy(&line_start).chars().count() as u64 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets() {
        assert_eq!(locate("ab\ncdé\nx".as_bytes(), 7), (2, 4));
        assert_eq!(locate("ab".as_bytes(), 0), (1, 1));
    }
}
