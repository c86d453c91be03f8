//! Import of the user's own FHIR R4 data from a folder (`--data DIR`):
//! Bundles (`*.json`), NDJSON files (`*.ndjson`, as Bulk Data export writes
//! them) and their gzip forms, such as Synthea's `output/fhir/`.
//!
//! Bad input never stops the import: every file, line or Bundle entry that
//! cannot be used becomes an [`ImportProblem`] naming the file and the
//! position, and the rest is loaded. References between the imported
//! resources are resolved across the whole folder (see `resolve`).

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::parse::{self, Format};
use super::resolve::{self, Loaded};

/// What a folder import produced.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Resources with an `id` each, references rewritten to `Type/id`,
    /// one per `Type/id` (the last one read wins), in reading order.
    pub resources: Vec<Value>,
    /// Everything skipped or doubtful, in reading order.
    pub problems: Vec<ImportProblem>,
    /// Data files read (whether or not they held usable resources).
    pub files: usize,
}

/// How bad a problem is: an error means something was skipped; a warning
/// means it was loaded but may not be what the user meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem with one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub file: PathBuf,
    /// Where in the file: `line 12` (NDJSON, 1-based), `byte 3051 (line 4,
    /// column 7)` (JSON syntax), `entry 17` (Bundle entry, 0-based like
    /// `Bundle.entry[17]`), `line 3, entry 0`; empty for the whole file.
    pub position: String,
    pub message: String,
    pub severity: Severity,
}

impl fmt::Display for ImportProblem {
    /// `file:position: message`, or `file: message` for a whole file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.position.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}: {}",
                self.file.display(),
                self.position,
                self.message
            )
        }
    }
}

impl ImportProblem {
    pub(super) fn error(
        file: &Path,
        position: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ImportProblem {
            file: file.to_path_buf(),
            position: position.into(),
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub(super) fn warning(
        file: &Path,
        position: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ImportProblem {
            severity: Severity::Warning,
            ..Self::error(file, position, message)
        }
    }
}

/// Bounds on what one import reads, so a wrong `--data` (a home folder, a
/// disk image) fails politely instead of exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file, counted after gunzip.
    pub max_file_bytes: u64,
    /// All files together, counted after gunzip.
    pub max_total_bytes: u64,
    /// Data files read at most.
    pub max_files: usize,
    /// Folder levels below `dir` that are searched.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 << 20,
            max_total_bytes: 8 << 30,
            max_files: 100_000,
            max_depth: 16,
        }
    }
}

/// Imports every FHIR R4 file under `dir` with the default [`Limits`].
pub fn import_dir(dir: &Path) -> ImportReport {
    import_dir_with(dir, &Limits::default())
}

/// Imports every FHIR R4 file under `dir`: walks it in sorted path order
/// (hidden names skipped, symlinks followed only inside `dir`), reads each
/// data file, then gives every resource an id and resolves references
/// across all files. Never fails: an unreadable `dir` is one problem.
pub fn import_dir_with(dir: &Path, limits: &Limits) -> ImportReport {
    let mut problems = Vec::new();
    let files = walk(dir, limits, &mut problems);
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut total: u64 = 0;
    for (path, format) in &files {
        let Some(bytes) = read_capped(path, format.gzip, limits, &mut total, &mut problems) else {
            continue;
        };
        parse::parse_file(path, format, &bytes, &mut loaded, &mut problems);
    }
    let resources = resolve::resolve(loaded, dir, &mut problems);
    ImportReport {
        resources,
        problems,
        files: files.len(),
    }
}

/// The data files under `root`, depth first, names sorted in each folder.
fn walk(root: &Path, limits: &Limits, problems: &mut Vec<ImportProblem>) -> Vec<(PathBuf, Format)> {
    let mut out = Vec::new();
    let canonical = match fs::canonicalize(root) {
        Ok(c) if c.is_dir() => c,
        Ok(_) => {
            problems.push(ImportProblem::error(root, "", "not a folder"));
            return out;
        }
        Err(e) => {
            problems.push(ImportProblem::error(root, "", format!("cannot open: {e}")));
            return out;
        }
    };
    let mut seen = HashSet::from([canonical.clone()]);
    walk_dir(root, &canonical, 0, limits, &mut seen, &mut out, problems);
    out
}

fn walk_dir(
    dir: &Path,
    root: &Path,
    depth: usize,
    limits: &Limits,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<(PathBuf, Format)>,
    problems: &mut Vec<ImportProblem>,
) {
    let mut entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            problems.push(ImportProblem::error(dir, "", format!("cannot list: {e}")));
            return;
        }
    };
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(".");
        if name.starts_with('.') {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let target = if meta.file_type().is_symlink() {
            match fs::canonicalize(&path) {
                Ok(t) if t.starts_with(root) => t,
                _ => {
                    problems.push(ImportProblem::warning(
                        &path,
                        "",
                        "symlink leads outside the folder or nowhere; skipped",
                    ));
                    continue;
                }
            }
        } else {
            path.clone()
        };
        if target.is_dir() {
            if depth + 1 > limits.max_depth {
                problems.push(ImportProblem::warning(
                    &path,
                    "",
                    format!("more than {} folder levels deep; skipped", limits.max_depth),
                ));
            } else if seen.insert(fs::canonicalize(&target).unwrap_or(target)) {
                walk_dir(&path, root, depth + 1, limits, seen, out, problems);
            }
        } else if let Some(format) = Format::of(name) {
            if out.len() >= limits.max_files {
                problems.push(ImportProblem::error(
                    &path,
                    "",
                    format!(
                        "more than {} data files; this and the rest skipped",
                        limits.max_files
                    ),
                ));
                return;
            }
            out.push((path, format));
        }
    }
}

/// The file's bytes (gunzipped), or `None` with a problem when it is over a
/// size limit or unreadable.
fn read_capped(
    path: &Path,
    gzip: bool,
    limits: &Limits,
    total: &mut u64,
    problems: &mut Vec<ImportProblem>,
) -> Option<Vec<u8>> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            problems.push(ImportProblem::error(path, "", format!("cannot read: {e}")));
            return None;
        }
    };
    let cap = limits
        .max_file_bytes
        .min(limits.max_total_bytes.saturating_sub(*total));
    let on_disk = file.metadata().map_or(0, |m| m.len());
    let reader: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut bytes = Vec::new();
    // A plain file's size is known without reading it.
    let too_big = if !gzip && on_disk > cap {
        true
    } else if let Err(e) = reader.take(cap.saturating_add(1)).read_to_end(&mut bytes) {
        problems.push(ImportProblem::error(path, "", format!("cannot read: {e}")));
        return None;
    } else {
        bytes.len() as u64 > cap
    };
    if too_big {
        let what = if cap < limits.max_file_bytes {
            format!(
                "the {}-byte total limit of the import is reached",
                limits.max_total_bytes
            )
        } else {
            format!(
                "larger than the {}-byte limit per file",
                limits.max_file_bytes
            )
        };
        problems.push(ImportProblem::error(path, "", format!("{what}; skipped")));
        return None;
    }
    *total += bytes.len() as u64;
    Some(bytes)
}
