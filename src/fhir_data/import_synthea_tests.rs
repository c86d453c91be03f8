//! Folder import of a Synthea-like folder: one fixture patient's chart
//! written as Synthea writes it, with practitioners and the organization in
//! their own bundles, must import back into a valid, resolved set.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use super::import_tests::write;
use super::*;
use crate::fixtures;
fn uuid(i: usize) -> String {
    format!("urn:uuid:00000000-0000-4000-8000-{i:012x}")
}

fn transaction(entries: Vec<Value>) -> String {
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}).to_string()
}

/// Rewrites every `reference` with `map`.
fn map_refs(v: &mut Value, map: &dyn Fn(&str) -> String) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("reference") {
                *r = map(r);
            }
            m.values_mut().for_each(|c| map_refs(c, map));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| map_refs(c, map)),
        _ => {}
    }
}

/// One fixture patient's chart written the way Synthea writes it: a
/// transaction bundle per patient with `urn:uuid:` fullUrls and no ids,
/// practitioners and the organization in their own bundles, referenced
/// conditionally by identifier. Returns the original resources.
fn synthea_like(dir: &Path, patient: &str) -> Vec<Value> {
    let all = fixtures::load::embedded();
    let target = format!("Patient/{patient}");
    let mut chart: Vec<Value> = all
        .iter()
        .filter(|r| {
            r["id"] == patient
                || r["subject"]["reference"] == target.as_str()
                || r["patient"]["reference"] == target.as_str()
        })
        .cloned()
        .collect();
    let mut org: Value = all
        .iter()
        .find(|r| r["resourceType"] == "Organization")
        .unwrap()
        .clone();
    org["identifier"] =
        json!([{"system": "https://github.com/synthetichealth/synthea", "value": "org-1"}]);
    let pracs: Vec<Value> = all
        .iter()
        .filter(|r| r["resourceType"] == "Practitioner")
        .cloned()
        .collect();
    let npi: HashMap<String, String> = pracs
        .iter()
        .map(|p| {
            (
                format!("Practitioner/{}", p["id"].as_str().unwrap()),
                p["identifier"][0]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let urns: HashMap<String, String> = chart
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap(),
                    r["id"].as_str().unwrap()
                ),
                uuid(i),
            )
        })
        .collect();
    let org_ref = format!("Organization/{}", org["id"].as_str().unwrap());
    let mapper = |r: &str| -> String {
        if let Some(u) = urns.get(r) {
            u.clone()
        } else if let Some(n) = npi.get(r) {
            format!("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|{n}")
        } else if r == org_ref {
            "Organization?identifier=https://github.com/synthetichealth/synthea|org-1".into()
        } else {
            panic!("unexpected reference {r}")
        }
    };
    let entries = chart
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            let kind = r["resourceType"].as_str().unwrap().to_string();
            r.as_object_mut().unwrap().remove("id");
            map_refs(&mut r, &mapper);
            json!({"fullUrl": uuid(i), "resource": r, "request": {"method": "POST", "url": kind}})
        })
        .collect();
    write(
        dir,
        &format!("fhir/{patient}_Synthea.json"),
        &transaction(entries),
    );
    let entry = |r: &Value, n: usize| {
        let mut r = r.clone();
        map_refs(&mut r, &mapper);
        let ident = &r["identifier"][0];
        let query = format!(
            "identifier={}|{}",
            ident["system"].as_str().unwrap(),
            ident["value"].as_str().unwrap()
        );
        json!({"fullUrl": uuid(1000 + n), "resource": r, "request": {"method": "POST", "url": r["resourceType"], "ifNoneExist": query}})
    };
    let prac_entries = pracs.iter().enumerate().map(|(n, p)| entry(p, n)).collect();
    write(
        dir,
        "fhir/practitionerInformation1700000000.json",
        &transaction(prac_entries),
    );
    write(
        dir,
        "fhir/hospitalInformation1700000000.json",
        &transaction(vec![entry(&org, 99)]),
    );
    chart.extend(pracs);
    chart.push(org);
    chart
}

#[test]
fn synthea_like_bundles_resolve_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let original = synthea_like(dir.path(), "pat-amara-nwosu");
    let report = import_dir(dir.path());
    assert_eq!(report.problems, vec![], "{:?}", report.problems);
    assert_eq!(report.files, 3);
    assert_eq!(report.resources.len(), original.len());
    assert_eq!(
        fixtures::validate::validate(&report.resources),
        Vec::<String>::new()
    );
    let patient = report
        .resources
        .iter()
        .find(|r| r["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(patient["id"], "00000000-0000-4000-8000-000000000000");
    let enc = report
        .resources
        .iter()
        .find(|r| r["resourceType"] == "Encounter")
        .unwrap();
    assert_eq!(
        enc["subject"]["reference"],
        "Patient/00000000-0000-4000-8000-000000000000"
    );
    assert!(enc["participant"][0]["individual"]["reference"]
        .as_str()
        .unwrap()
        .starts_with("Practitioner/prac-"));
    assert_eq!(
        enc["serviceProvider"]["reference"],
        "Organization/org-riverbend-health"
    );
}

/// A second Synthea run in the same folder writes the same practitioners
/// again, under new uuids and without ids: the conditional creates
/// (`ifNoneExist`) keep one of each, and references to either uuid resolve.
#[test]
fn a_second_run_does_not_duplicate_practitioners() {
    let dir = tempfile::tempdir().unwrap();
    let original = synthea_like(dir.path(), "pat-amara-nwosu");
    let first = dir
        .path()
        .join("fhir/practitionerInformation1700000000.json");
    let mut bundle: Value = serde_json::from_str(&fs::read_to_string(first).unwrap()).unwrap();
    for (n, e) in bundle["entry"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        e["fullUrl"] = json!(uuid(2000 + n));
        e["resource"].as_object_mut().unwrap().remove("id");
    }
    let patient =
        json!({"resourceType": "Patient", "generalPractitioner": [{"reference": uuid(2000)}]});
    bundle["entry"]
        .as_array_mut()
        .unwrap()
        .push(json!({"fullUrl": uuid(3000), "resource": patient}));
    write(
        dir.path(),
        "fhir/run2/practitionerInformation1800000000.json",
        &bundle.to_string(),
    );
    let report = import_dir(dir.path());
    assert_eq!(report.problems, vec![], "{:?}", report.problems);
    assert_eq!(report.resources.len(), original.len() + 1);
    assert_eq!(
        fixtures::validate::validate(&report.resources),
        Vec::<String>::new()
    );
    let new = report
        .resources
        .iter()
        .find(|r| r["id"] == "00000000-0000-4000-8000-000000000bb8")
        .unwrap();
    assert!(new["generalPractitioner"][0]["reference"]
        .as_str()
        .unwrap()
        .starts_with("Practitioner/prac-"));
}
