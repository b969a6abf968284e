//! Where media files live. [`MediaStorage`] is the whole interface the rest
//! of Gazette uses; [`LocalDiskStorage`] keeps files under the data directory,
//! and an object-store backend (S3 and the like) can implement the same trait.
//!
//! Keys are relative, `/`-separated paths made by [`super::process`] (hex
//! digits, a width and an extension, or `originals/…`); every backend must
//! still refuse anything else, so a key can never name a file outside the store.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A stored file, as the backend can best hand it over: a local path (served
/// by streaming it from disk) or the bytes themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredObject {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

/// A store of immutable files addressed by key. Implementations are used from
/// blocking threads (`web::block`, the CLI), never on the async workers.
pub trait MediaStorage: Send + Sync + 'static {
    /// Stores `bytes` under `key`, replacing any file there, atomically: a
    /// reader sees the old file or the whole new one, never a partial one.
    fn put(&self, key: &str, bytes: &[u8], content_type: &str) -> io::Result<()>;
    /// The file, or `None` when there is none under `key`.
    fn get(&self, key: &str) -> io::Result<Option<StoredObject>>;
    /// Removes the file; a missing file is not an error.
    fn delete(&self, key: &str) -> io::Result<()>;
    fn exists(&self, key: &str) -> io::Result<bool>;
    /// A short description for logs (`local disk /srv/gazette/data/media`).
    fn describe(&self) -> String;
}

/// Whether `key` is a safe relative key: segments of ASCII letters, digits,
/// `-`, `_` and `.`, none of them empty, `.` or `..`.
pub fn is_safe_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && !seg.starts_with('.')
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

fn invalid_key(key: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("invalid media key `{key}`"),
    )
}

/// Files under one directory (`<data_dir>/media` by default), one file per key.
#[derive(Debug, Clone)]
pub struct LocalDiskStorage {
    root: PathBuf,
}

impl LocalDiskStorage {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalDiskStorage { root: root.into() }
    }

    /// The default place: `media` inside the data directory.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self::new(data_dir.join("media"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        if !is_safe_key(key) {
            return Err(invalid_key(key));
        }
        Ok(key.split('/').fold(self.root.clone(), |p, seg| p.join(seg)))
    }
}

impl MediaStorage for LocalDiskStorage {
    fn put(&self, key: &str, bytes: &[u8], _content_type: &str) -> io::Result<()> {
        let path = self.path(key)?;
        let dir = path.parent().ok_or_else(|| invalid_key(key))?;
        std::fs::create_dir_all(dir)?;
        // Write beside the target, flush to disk, then rename over it: a crash
        // or a concurrent reader never sees half a file.
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        drop(tmp.1);
        match std::fs::rename(&tmp.0, &path) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp.0);
                Err(e)
            }
        }
    }

    fn get(&self, key: &str) -> io::Result<Option<StoredObject>> {
        let path = self.path(key)?;
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => Ok(Some(StoredObject::Path(path))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn exists(&self, key: &str) -> io::Result<bool> {
        Ok(self.path(key)?.is_file())
    }

    fn describe(&self) -> String {
        format!("local disk {}", self.root.display())
    }
}

/// A new, exclusively created temporary file in `dir` (hidden, so it is never
/// mistaken for a stored key).
fn tempfile_in(dir: &Path) -> io::Result<(PathBuf, std::fs::File)> {
    use rand::Rng;
    for _ in 0..16 {
        let n: u64 = rand::thread_rng().gen();
        let path = dir.join(format!(".tmp-{n:016x}"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "could not create a temporary file",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(is_safe_key("ab/cd/abcdef-320.webp"));
        assert!(is_safe_key("originals/ab/cd/abc.png"));
        for bad in [
            "",
            "../etc/passwd",
            "ab//cd",
            "/abs",
            "ab/./cd",
            "ab/../cd",
            "a b",
            "ab\\cd",
            ".hidden",
            "ab/.tmp-1",
        ] {
            assert!(!is_safe_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn put_get_delete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = LocalDiskStorage::in_data_dir(dir.path());
        assert_eq!(s.get("ab/cd/x-1.png").expect("get"), None);
        s.put("ab/cd/x-1.png", b"one", "image/png").expect("put");
        s.put("ab/cd/x-1.png", b"two", "image/png")
            .expect("replace");
        assert!(s.exists("ab/cd/x-1.png").expect("exists"));
        let Some(StoredObject::Path(p)) = s.get("ab/cd/x-1.png").expect("get") else {
            panic!("no file")
        };
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        assert!(p.starts_with(dir.path().join("media")));
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(p.parent().expect("dir"))
            .expect("ls")
            .collect();
        assert_eq!(names.len(), 1);
        s.delete("ab/cd/x-1.png").expect("delete");
        s.delete("ab/cd/x-1.png").expect("delete twice");
        assert!(!s.exists("ab/cd/x-1.png").expect("exists"));
        assert!(s.put("../escape.png", b"x", "image/png").is_err());
    }
}
