//! Turning one file's bytes into resources: JSON (a Bundle or a single
//! resource) or NDJSON (one resource per line), with positions for
//! everything that cannot be used.
//!
//! Bundle types follow FHIR R4 bundle.html#Bundle.type: the ones that carry
//! resources to keep (`transaction`, `batch`, `collection`, `searchset`,
//! `document`) are opened; responses, `history` and `message` are refused
//! because their entries are not a plain set of current resources.

use std::path::Path;

use serde_json::Value;

use super::import::ImportProblem;
use super::resolve::Loaded;

/// A data file's format, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub ndjson: bool,
    pub gzip: bool,
}

impl Format {
    /// `*.json`, `*.ndjson`, and both with `.gz`; `None` for other files,
    /// which the import ignores without a word (Synthea writes CSV and
    /// text beside its FHIR output).
    pub fn of(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let (stem, gzip) = match lower.strip_suffix(".gz") {
            Some(stem) => (stem.to_string(), true),
            None => (lower, false),
        };
        if stem.ends_with(".ndjson") {
            Some(Format { ndjson: true, gzip })
        } else if stem.ends_with(".json") {
            Some(Format {
                ndjson: false,
                gzip,
            })
        } else {
            None
        }
    }
}

const BUNDLE_TYPES: &[&str] = &[
    "transaction",
    "batch",
    "collection",
    "searchset",
    "document",
];

/// Parses one file's bytes into `out`, reporting what is skipped.
pub fn parse_file(
    path: &Path,
    format: &Format,
    bytes: &[u8],
    out: &mut Vec<Loaded>,
    problems: &mut Vec<ImportProblem>,
) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if format.ndjson {
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let position = format!("line {}", i + 1);
            match serde_json::from_slice::<Value>(line) {
                Ok(value) => add_value(path, &position, value, out, problems),
                Err(e) => problems.push(ImportProblem::error(
                    path,
                    format!("{position}, column {}", e.column()),
                    format!("not JSON: {}", bare_message(&e)),
                )),
            }
        }
    } else {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => add_value(path, "", value, out, problems),
            Err(e) => problems.push(ImportProblem::error(
                path,
                format!(
                    "byte {} (line {}, column {})",
                    byte_offset(bytes, e.line(), e.column()),
                    e.line(),
                    e.column()
                ),
                format!("not JSON: {}", bare_message(&e)),
            )),
        }
    }
}

/// serde_json's message without its " at line L column C" suffix, which
/// the position already says.
fn bare_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The 0-based byte offset of serde_json's 1-based line and column.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

/// One top-level JSON value: a Bundle is opened, anything else must be a
/// resource.
fn add_value(
    path: &Path,
    position: &str,
    value: Value,
    out: &mut Vec<Loaded>,
    problems: &mut Vec<ImportProblem>,
) {
    if value["resourceType"] != "Bundle" {
        if let Some(loaded) = resource(path, position.to_string(), value, problems) {
            out.push(loaded);
        }
        return;
    }
    let kind = value["type"].as_str().unwrap_or("");
    if !BUNDLE_TYPES.contains(&kind) {
        problems.push(ImportProblem::error(
            path,
            position,
            format!(
                "Bundle of type {kind:?} is not imported (expects one of {})",
                BUNDLE_TYPES.join(", ")
            ),
        ));
        return;
    }
    let Value::Array(entries) = value
        .get("entry")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()))
    else {
        problems.push(ImportProblem::error(
            path,
            position,
            "Bundle.entry is not an array",
        ));
        return;
    };
    for (i, mut entry) in entries.into_iter().enumerate() {
        let here = match position {
            "" => format!("entry {i}"),
            p => format!("{p}, entry {i}"),
        };
        let method = entry["request"]["method"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if ["DELETE", "GET", "HEAD"].contains(&method.as_str()) {
            problems.push(ImportProblem::error(
                path,
                here,
                format!("{method} entry has nothing to import"),
            ));
            continue;
        }
        if entry["search"]["mode"] == "outcome" {
            continue;
        }
        let Some(res) = entry.get_mut("resource").map(Value::take) else {
            problems.push(ImportProblem::error(path, here, "entry without resource"));
            continue;
        };
        if res["resourceType"] == "Bundle" {
            problems.push(ImportProblem::error(
                path,
                here,
                "a Bundle inside a Bundle is not imported",
            ));
            continue;
        }
        let text = |k: &str| entry["request"][k].as_str().map(str::to_string);
        let put_url = (method == "PUT").then(|| text("url")).flatten();
        if let Some(mut loaded) = resource(path, here, res, problems) {
            loaded.full_url = entry["fullUrl"].as_str().map(str::to_string);
            loaded.put_url = put_url;
            loaded.if_none_exist = (method == "POST").then(|| text("ifNoneExist")).flatten();
            out.push(loaded);
        }
    }
}

/// A resource must be an object with a `resourceType` that looks like one
/// (FHIR R4 json.html#resources).
fn resource(
    path: &Path,
    position: String,
    value: Value,
    problems: &mut Vec<ImportProblem>,
) -> Option<Loaded> {
    let kind = value["resourceType"].as_str().unwrap_or("");
    let ok = value.is_object()
        && kind.starts_with(|c: char| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        let what = if value.is_object() {
            "resource without a valid resourceType"
        } else {
            "not a JSON object"
        };
        problems.push(ImportProblem::error(path, position, what));
        return None;
    }
    Some(Loaded {
        resource: value,
        file: path.to_path_buf(),
        position,
        full_url: None,
        put_url: None,
        if_none_exist: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_names() {
        assert_eq!(
            Format::of("a.json"),
            Some(Format {
                ndjson: false,
                gzip: false
            })
        );
        assert_eq!(
            Format::of("Patient.NDJSON.gz"),
            Some(Format {
                ndjson: true,
                gzip: true
            })
        );
        assert_eq!(Format::of("notes.txt"), None);
        assert_eq!(Format::of("x.csv.gz"), None);
    }

    #[test]
    fn byte_offsets_follow_lines() {
        let text = b"{\n  \"a\": 1,\n  x\n}";
        assert_eq!(byte_offset(text, 1, 1), 0);
        assert_eq!(byte_offset(text, 3, 3), 14);
        assert_eq!(text[14], b'x');
    }
}
