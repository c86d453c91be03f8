//! Folder import: collection bundles, NDJSON with bad lines, non-JSON files, limits, and the merged dataset.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::*;
use crate::fixtures;

pub(super) fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn collection_bundle_keeps_ids() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}},
        {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": "http://example.org/fhir/Patient/p1"}}},
        {"fullUrl": "http://example.org/fhir/Patient/p2/_history/3", "resource": {"resourceType": "Patient"}},
        {"request": {"method": "POST", "url": "Patient"}},
        {"resource": {"id": "x"}}
    ]});
    write(dir.path(), "c.json", &bundle.to_string());
    let report = import_dir(dir.path());
    let ids: Vec<&str> = report
        .resources
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "p1");
    assert!(ids[1].starts_with("imp-") && ids[1].len() == 20, "{ids:?}");
    assert_eq!(ids[2], "p2");
    assert_eq!(report.resources[1]["subject"]["reference"], "Patient/p1");
    let shown: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    let file = dir.path().join("c.json");
    assert_eq!(
        shown,
        vec![
            format!("{}:entry 3: entry without resource", file.display()),
            format!(
                "{}:entry 4: resource without a valid resourceType",
                file.display()
            ),
        ]
    );
    // Generated ids are stable across imports.
    assert_eq!(import_dir(dir.path()).resources[1]["id"], ids[1]);
}

#[test]
fn ndjson_bad_line_is_reported_and_the_rest_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n\n{\"resourceType\":\"Patient\",\"id\":\"b\"\n[1]\r\n{\"resourceType\":\"Patient\",\"id\":\"c\"}\r\n";
    write(dir.path(), "Patient.ndjson", text);
    let report = import_dir(dir.path());
    let ids: Vec<&str> = report
        .resources
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "c"]);
    let positions: Vec<&str> = report
        .problems
        .iter()
        .map(|p| p.position.as_str())
        .collect();
    assert_eq!(positions, ["line 3, column 34", "line 4"]);
    assert!(
        report.problems[0].message.starts_with("not JSON: EOF"),
        "{}",
        report.problems[0].message
    );
    assert_eq!(report.problems[1].message, "not a JSON object");
}

#[test]
fn non_json_file_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.json",
        "{\n  \"resourceType\": \"Patient\",\n  oops\n}",
    );
    write(dir.path(), "readme.txt", "not data");
    let report = import_dir(dir.path());
    assert_eq!(report.files, 1);
    assert!(report.resources.is_empty());
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].position, "byte 33 (line 3, column 3)");
    assert_eq!(report.problems[0].severity, Severity::Error);
}

#[test]
fn empty_and_missing_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let report = import_dir(dir.path());
    assert!(report.resources.is_empty() && report.problems.is_empty());
    assert_eq!(report.files, 0);
    let missing = import_dir(&dir.path().join("nope"));
    assert_eq!(missing.problems.len(), 1);
    assert!(missing.problems[0].message.starts_with("cannot open"));
}

#[test]
fn nested_dirs_in_sorted_order_hidden_skipped_and_depth_capped() {
    let dir = tempfile::tempdir().unwrap();
    let p = |id: &str| json!({"resourceType": "Patient", "id": id}).to_string();
    write(dir.path(), "b/x.json", &p("b"));
    write(dir.path(), "a/z/y.json", &p("az"));
    write(dir.path(), "a.json", &p("a"));
    write(dir.path(), ".hidden/h.json", &p("h"));
    write(dir.path(), "a/.h.json", &p("h2"));
    write(dir.path(), "d1/d2/d3/deep.json", &p("deep"));
    let limits = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    let report = import_dir_with(dir.path(), &limits);
    let ids: Vec<&str> = report
        .resources
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Sorted paths: `a/z/y.json` comes before `a.json`.
    assert_eq!(ids, ["az", "a", "b"]);
    assert_eq!(report.problems.len(), 1);
    assert!(report.problems[0].message.contains("folder levels deep"));
}

#[test]
fn too_big_files_and_too_many_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = |id: &str| json!({"resourceType": "Patient", "id": id}).to_string();
    write(dir.path(), "1.json", &p("small"));
    write(
        dir.path(),
        "2.json",
        &format!("{}{}", p("big"), " ".repeat(100)),
    );
    write(dir.path(), "3.json", &p("third"));
    let limits = Limits {
        max_file_bytes: 60,
        max_files: 2,
        ..Limits::default()
    };
    let report = import_dir_with(dir.path(), &limits);
    let ids: Vec<&str> = report
        .resources
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["small"]);
    let shown: Vec<String> = report.problems.iter().map(|p| p.message.clone()).collect();
    assert!(shown[0].contains("more than 2 data files"), "{shown:?}");
    assert!(shown[1].contains("60-byte limit per file"), "{shown:?}");
    let total = Limits {
        max_total_bytes: 40,
        ..Limits::default()
    };
    let report = import_dir_with(dir.path(), &total);
    assert_eq!(report.resources.len(), 1);
    assert!(report
        .problems
        .iter()
        .all(|p| p.message.contains("total limit")));
}

#[test]
fn gzip_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = fs::File::create(dir.path().join("Patient.ndjson.gz")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    gz.write_all(b"{\"resourceType\":\"Patient\",\"id\":\"gz\"}\n")
        .unwrap();
    gz.finish().unwrap();
    let report = import_dir(dir.path());
    assert_eq!(report.resources[0]["id"], "gz");
}

#[test]
fn duplicates_last_wins_and_unresolved_conditionals_warn() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.ndjson",
        "{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"male\"}\n",
    );
    write(
        dir.path(),
        "b.ndjson",
        "{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"female\",\"generalPractitioner\":[{\"reference\":\"Practitioner?identifier=urn:npi|1\"}]}\n",
    );
    let report = import_dir(dir.path());
    assert_eq!(report.resources.len(), 1);
    assert_eq!(report.resources[0]["gender"], "female");
    assert!(report
        .problems
        .iter()
        .all(|p| p.severity == Severity::Warning));
    assert!(report.problems[0].message.contains("this later one wins"));
    assert_eq!(report.problems[0].position, "line 1");
    assert!(report.problems[1]
        .message
        .contains("matches no imported Practitioner"));
}

#[cfg(unix)]
#[test]
fn symlinks_outside_the_folder_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.json",
        &json!({"resourceType": "Patient", "id": "s"}).to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
    write(
        dir.path(),
        "in/p.json",
        &json!({"resourceType": "Patient", "id": "i"}).to_string(),
    );
    std::os::unix::fs::symlink(dir.path().join("in"), dir.path().join("loop")).unwrap();
    let report = import_dir(dir.path());
    let ids: Vec<&str> = report
        .resources
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["i"]);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
}

#[test]
fn dataset_merges_fixtures_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"pat-amara-nwosu\",\"gender\":\"other\"}\n{\"resourceType\":\"Patient\",\"id\":\"new\"}\n");
    let embedded = fixtures::load::embedded().len();
    let config = Config {
        data_dir: Some(dir.path().to_path_buf()),
        ..Config::default()
    };
    let (resources, problems) = dataset(&config);
    assert_eq!(resources.len(), embedded + 1);
    let amara = resources
        .iter()
        .find(|r| r["id"] == "pat-amara-nwosu")
        .unwrap();
    assert_eq!(amara["gender"], "other");
    assert_eq!(problems.len(), 1);
    assert!(problems[0]
        .message
        .contains("first: Patient/pat-amara-nwosu"));
    let only = Config {
        fixtures: false,
        ..config
    };
    assert_eq!(dataset(&only).0.len(), 2);
    assert_eq!(dataset(&Config::default()).0.len(), embedded);
}
