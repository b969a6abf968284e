//! Finding plugin libraries in the plugins directory and reading their
//! metadata without initialising them (`gazette plugin list`, and the first
//! step of loading).

use super::*;

/// A plugin library on disk, before or after loading.
#[derive(Debug, Clone)]
pub struct RefusedFile {
    pub file: PathBuf,
    pub name: Option<String>,
    pub version: Option<String>,
    pub abi_version: Option<u32>,
    pub reason: String,
}

/// One file found in the plugins directory, as `gazette plugin list` shows it.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub file: PathBuf,
    pub result: Result<PluginMeta, RefusedFile>,
}

/// Shared-library files directly inside `dir`, sorted by name.
pub fn discover(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension().and_then(|e| e.to_str()) == Some(std::env::consts::DLL_EXTENSION)
        })
        .collect();
    files.sort();
    files
}

/// Opens a file and reads its metadata, without initialising it.
pub(super) fn probe(file: &Path) -> Result<(NativePlugin, PluginMeta), RefusedFile> {
    let refused = |abi: Option<u32>, reason: String| RefusedFile {
        file: file.to_owned(),
        name: None,
        version: None,
        abi_version: abi,
        reason,
    };
    let native = loader::open(file).map_err(|r| refused(r.abi_version, r.reason))?;
    let json = match native.metadata() {
        CallOutcome::Ok(b) => b,
        CallOutcome::Unsupported => {
            return Err(refused(
                Some(ABI_VERSION),
                "metadata is not implemented".into(),
            ))
        }
        CallOutcome::Failed { code, message } => {
            return Err(refused(
                Some(ABI_VERSION),
                format!("metadata failed ({code}): {message}"),
            ))
        }
    };
    let meta = PluginMeta::parse(&json).map_err(|e| refused(Some(ABI_VERSION), e))?;
    Ok((native, meta))
}

/// What loading `dir` would do, without initialising anything.
pub fn inspect(dir: &Path) -> Vec<Inspection> {
    let mut seen: Vec<String> = Vec::new();
    discover(dir)
        .into_iter()
        .map(|file| {
            let result = probe(&file).and_then(|(_, meta)| {
                if seen.contains(&meta.name) {
                    Err(RefusedFile {
                        file: file.clone(),
                        name: Some(meta.name.clone()),
                        version: Some(meta.version.clone()),
                        abi_version: Some(ABI_VERSION),
                        reason: format!(
                            "another file already provides a plugin named `{}`",
                            meta.name
                        ),
                    })
                } else {
                    seen.push(meta.name.clone());
                    Ok(meta)
                }
            });
            Inspection { file, result }
        })
        .collect()
}
