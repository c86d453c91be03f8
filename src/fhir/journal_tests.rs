use super::*;
use serde_json::json;

fn put(id: &str, v: u32) -> Change {
    Change::Put {
        resource: json!({"resourceType": "Patient", "id": id, "gender": "female"}),
        version_id: v,
        last_updated: format!("2024-01-0{v}T00:00:00Z"),
    }
}

#[test]
fn round_trip_replays_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (j, r) = Journal::open(dir.path(), &mut Data::default()).unwrap();
    assert_eq!(r, Replayed::default());
    j.append(&[put("a", 1)]).unwrap();
    j.append(&[put("a", 2), put("b", 1)]).unwrap();
    let del = Change::Delete {
        ty: "Patient".into(),
        id: "b".into(),
        version_id: 2,
        last_updated: "2024-01-03T00:00:00Z".into(),
    };
    j.append(std::slice::from_ref(&del)).unwrap();
    drop(j);
    let mut data = Data::default();
    let (_, r) = Journal::open(dir.path(), &mut data).unwrap();
    assert_eq!(r.records, 3);
    assert!(!r.torn);
    let a = data.get("Patient", "a").unwrap();
    assert_eq!(a.versions.len(), 2);
    assert_eq!(a.latest().last_updated, "2024-01-02T00:00:00Z");
    let b = data.get("Patient", "b").unwrap();
    assert!(b.current().is_none());
    assert_eq!(b.latest().version_id, 2);
    // Records parse back to the same changes.
    let text = std::fs::read_to_string(dir.path().join("journal.ndjson")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        parse_record(lines[1]).unwrap(),
        vec![put("a", 2), put("b", 1)]
    );
    assert_eq!(parse_record(lines[2]).unwrap(), vec![del]);
}

#[test]
fn torn_last_line_is_dropped_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (j, _) = Journal::open(dir.path(), &mut Data::default()).unwrap();
    j.append(&[put("a", 1)]).unwrap();
    drop(j);
    let path = dir.path().join("journal.ndjson");
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(br#"{"op":"put","type":"Patient","id":"b","ver"#)
        .unwrap();
    drop(f);
    let mut data = Data::default();
    let (j, r) = Journal::open(dir.path(), &mut data).unwrap();
    assert_eq!(
        r,
        Replayed {
            records: 1,
            torn: true
        }
    );
    assert!(data.get("Patient", "b").is_none());
    // The next append starts on its own line.
    j.append(&[put("c", 1)]).unwrap();
    drop(j);
    let mut data = Data::default();
    let (_, r) = Journal::open(dir.path(), &mut data).unwrap();
    assert_eq!(
        r,
        Replayed {
            records: 2,
            torn: false
        }
    );
    assert!(data.get("Patient", "c").is_some());
}

#[test]
fn a_bad_complete_line_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.ndjson");
    let good = serde_json::to_string(&record(&[put("a", 1)])).unwrap();
    std::fs::write(
        &path,
        format!("{good}\n{{\"op\":\"frobnicate\"}}\n{good}\n"),
    )
    .unwrap();
    let err = Journal::open(dir.path(), &mut Data::default()).unwrap_err();
    assert!(err.contains("line 2"), "{err}");
    std::fs::write(&path, format!("{good}\nnot json\n")).unwrap();
    let err = Journal::open(dir.path(), &mut Data::default()).unwrap_err();
    assert!(err.contains("line 2") && err.contains("not JSON"), "{err}");
}

#[test]
fn failed_append_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, _) = Journal::open(dir.path(), &mut Data::default()).unwrap();
    // A read-only handle: the write fails, and the caller must not apply.
    j.file = Mutex::new(File::open(dir.path().join("journal.ndjson")).unwrap());
    assert!(j.append(&[put("a", 1)]).is_err());
}
