//! `--persist DIR`: an append-only journal of accepted writes,
//! `DIR/journal.ndjson`, one JSON record per line. A record is appended and
//! `sync_data`ed BEFORE the write is applied and answered, so a killed
//! server loses no acknowledged write (the durability promise); a
//! transaction is one record, so it replays all or nothing (FHIR R4
//! §3.1.0.11.2 "transaction"). At start the journal is replayed over the
//! store built from the fixtures and `--data`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{json, Value};

use super::store::Data;

/// One accepted change to the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new version of `resource` (which carries `resourceType` and `id`;
    /// a Binary's bytes are its base64 `data`).
    Put {
        resource: Value,
        version_id: u32,
        last_updated: String,
    },
    Delete {
        ty: String,
        id: String,
        version_id: u32,
        last_updated: String,
    },
}

impl Change {
    fn to_json(&self) -> Value {
        match self {
            Change::Put {
                resource,
                version_id,
                last_updated,
            } => json!({"op": "put", "type": resource["resourceType"], "id": resource["id"],
                "versionId": version_id.to_string(), "lastUpdated": last_updated, "resource": resource}),
            Change::Delete {
                ty,
                id,
                version_id,
                last_updated,
            } => json!({"op": "delete", "type": ty, "id": id,
                "versionId": version_id.to_string(), "lastUpdated": last_updated}),
        }
    }

    fn from_json(v: &Value) -> Result<Change, String> {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("missing `{k}`"))
        };
        let version_id = text("versionId")?
            .parse()
            .map_err(|_| "bad `versionId`".to_string())?;
        let last_updated = text("lastUpdated")?;
        match text("op")?.as_str() {
            "put" => Ok(Change::Put {
                resource: v.get("resource").cloned().ok_or("missing `resource`")?,
                version_id,
                last_updated,
            }),
            "delete" => Ok(Change::Delete {
                ty: text("type")?,
                id: text("id")?,
                version_id,
                last_updated,
            }),
            other => Err(format!("unknown op `{other}`")),
        }
    }

    /// Applies the change; the store numbers versions itself, so replaying
    /// a journal in order reproduces the same version ids.
    pub fn apply(&self, data: &mut Data) -> Result<(), String> {
        match self {
            Change::Put {
                resource,
                last_updated,
                ..
            } => data.put(resource.clone(), last_updated).map(|_| ()),
            Change::Delete {
                ty,
                id,
                last_updated,
                ..
            } => {
                data.delete(ty, id, last_updated);
                Ok(())
            }
        }
    }
}

/// One journal line: a single change, or `{"op": "transaction", "changes"}`.
fn record(changes: &[Change]) -> Value {
    match changes {
        [one] => one.to_json(),
        many => json!({"op": "transaction",
            "changes": many.iter().map(Change::to_json).collect::<Vec<_>>()}),
    }
}

fn parse_record(line: &str) -> Result<Vec<Change>, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    if v["op"] == "transaction" {
        let changes = v["changes"].as_array().ok_or("missing `changes`")?;
        changes.iter().map(Change::from_json).collect()
    } else {
        Ok(vec![Change::from_json(&v)?])
    }
}

/// The open journal; appends are serialized by the mutex (and, in
/// practice, by the store's write lock, held across journal and apply).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

/// What a replay found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    pub records: usize,
    /// A torn last line (no newline: the process died mid-append, before
    /// the fsync, so that write was never acknowledged) was cut off.
    pub torn: bool,
}

impl Journal {
    /// Opens (creating) `dir/journal.ndjson` and replays it into `data`. A
    /// torn last line is dropped (and cut from the file, so later appends
    /// start on a fresh line); any other bad line fails with its number.
    pub fn open(dir: &Path, data: &mut Data) -> Result<(Journal, Replayed), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join("journal.ndjson");
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(fail)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(fail)?;
        let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut replayed = Replayed {
            torn: complete < bytes.len(),
            ..Replayed::default()
        };
        for (n, line) in bytes[..complete].split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let at = |e: String| format!("{} line {}: {e}", path.display(), n + 1);
            let text = std::str::from_utf8(line).map_err(|e| at(e.to_string()))?;
            for change in parse_record(text).map_err(at)? {
                change.apply(data).map_err(at)?;
            }
            replayed.records += 1;
        }
        if replayed.torn {
            file.set_len(complete as u64).map_err(fail)?;
            file.sync_data().map_err(fail)?;
        }
        let journal = Journal {
            path,
            file: Mutex::new(file),
        };
        Ok((journal, replayed))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and waits for the disk (`sync_data`). On failure
    /// the file is cut back to where it was, so no partial line remains.
    pub fn append(&self, changes: &[Change]) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&record(changes)).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let len = file.metadata()?.len();
        let written = file.write_all(&line).and_then(|()| file.sync_data());
        if written.is_err() {
            let _ = file.set_len(len);
        }
        written
    }
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
