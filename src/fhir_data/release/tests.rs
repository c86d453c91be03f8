//! Renditions of every core fixture resource: required elements of the
//! target release present, codes inside its required value sets, no R4-only
//! shapes left, every reference resolving, and a few exact conversions.

use std::collections::HashSet;

use serde_json::Value;

use super::*;
use crate::fixtures;

/// Elements with minimum cardinality 1 (DSTU2 and STU3 `{type}.html`).
fn required(release: Release, kind: &str) -> &'static [&'static str] {
    match (release, kind) {
        (_, "Encounter") => &["status"],
        (_, "Observation") => &["status", "code"],
        (Release::R2, "Condition") => &["patient", "code", "verificationStatus"],
        (Release::R2, "MedicationOrder") => &["medication[x]"],
        (Release::R2, "AllergyIntolerance") => &["patient", "substance"],
        (Release::R3, "Condition") => &["subject"],
        (Release::R3, "MedicationRequest") => &["intent", "medication[x]", "subject"],
        (Release::R3, "AllergyIntolerance") => &["patient", "verificationStatus"],
        _ => &[],
    }
}

/// Codes of required bindings, per release.
#[rustfmt::skip]
fn codes(release: Release, kind: &str) -> Vec<(&'static str, &'static [&'static str])> {
    match (release, kind) {
        (Release::R2, "Encounter") => vec![
            ("status", &["planned", "arrived", "in-progress", "onleave", "finished", "cancelled"]),
            ("class", &["inpatient", "outpatient", "ambulatory", "emergency", "home", "field", "daytime", "virtual", "other"]),
        ],
        (Release::R2, "Condition") => vec![
            ("clinicalStatus", &["active", "relapse", "remission", "resolved"]),
            ("verificationStatus", &["provisional", "differential", "confirmed", "refuted", "entered-in-error", "unknown"]),
        ],
        (Release::R2, "MedicationOrder") => vec![("status", &["active", "on-hold", "completed", "entered-in-error", "stopped", "draft"])],
        (Release::R2, "AllergyIntolerance") => vec![
            ("status", &["active", "unconfirmed", "confirmed", "inactive", "resolved", "refuted", "entered-in-error"]),
            ("criticality", &["CRITL", "CRITH", "CRITU"]),
            ("category", &["food", "medication", "environment", "other"]),
        ],
        (Release::R2, "Observation") => vec![("status", &["registered", "preliminary", "final", "amended", "cancelled", "entered-in-error", "unknown"])],
        (Release::R3, "Condition") => vec![
            ("clinicalStatus", &["active", "recurrence", "inactive", "remission", "resolved"]),
            ("verificationStatus", &["provisional", "differential", "confirmed", "refuted", "entered-in-error", "unknown"]),
        ],
        (Release::R3, "MedicationRequest") => vec![("intent", &["proposal", "plan", "order", "instance-order"])],
        (Release::R3, "AllergyIntolerance") => vec![
            ("clinicalStatus", &["active", "inactive", "resolved"]),
            ("verificationStatus", &["unconfirmed", "confirmed", "refuted", "entered-in-error"]),
        ],
        _ => vec![],
    }
}

/// R4 elements that must not survive in the release.
fn r4_only(release: Release, kind: &str) -> &'static [&'static str] {
    match (release, kind) {
        (Release::R2, "Encounter" | "Condition" | "MedicationOrder") => &[
            "subject",
            "reasonCode",
            "recordedDate",
            "authoredOn",
            "requester",
        ],
        (Release::R2, "Patient") => &["generalPractitioner"],
        (Release::R2, "AllergyIntolerance") => {
            &["code", "clinicalStatus", "verificationStatus", "encounter"]
        }
        (Release::R3, "Observation" | "Condition" | "MedicationRequest") => {
            &["encounter", "recordedDate"]
        }
        (Release::R3, "Encounter") => &["reasonCode"],
        (Release::R3, "AllergyIntolerance") => &["recordedDate", "encounter"],
        _ => &[],
    }
}

fn present(r: &Value, element: &str) -> bool {
    match element.strip_suffix("[x]") {
        Some(stem) => r
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with(stem) && k.len() > stem.len()),
        None => !r[element].is_null(),
    }
}

fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("reference").and_then(Value::as_str) {
                out.push(r.to_string());
            }
            m.values().for_each(|c| references(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| references(c, out)),
        _ => {}
    }
}

fn rendition(release: Release) -> Vec<Value> {
    fixtures::load::embedded()
        .iter()
        .filter_map(|r| to_release(r, release))
        .collect()
}

#[test]
fn every_core_fixture_converts_to_a_valid_rendition() {
    for release in [Release::R2, Release::R3] {
        let out = rendition(release);
        let known: HashSet<String> = out
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap(),
                    r["id"].as_str().unwrap()
                )
            })
            .collect();
        let mut problems = Vec::new();
        for r in &out {
            let kind = r["resourceType"].as_str().unwrap();
            let at = format!("{release:?} {kind}/{}", r["id"].as_str().unwrap());
            assert!(served_types(release).contains(&kind), "{at}");
            for e in required(release, kind) {
                if !present(r, e) {
                    problems.push(format!("{at}: missing {e}"));
                }
            }
            for (e, allowed) in codes(release, kind) {
                if let Some(c) = r[e].as_str() {
                    if !allowed.contains(&c) {
                        problems.push(format!("{at}: {e} {c:?}"));
                    }
                } else if !r[e].is_null() {
                    problems.push(format!("{at}: {e} is not a code"));
                }
            }
            for e in r4_only(release, kind) {
                if !r[*e].is_null() {
                    problems.push(format!("{at}: R4 element {e} left"));
                }
            }
            let text = r.to_string();
            if text.contains("terminology.hl7.org") {
                problems.push(format!("{at}: R4 code system URI left"));
            }
            let mut refs = Vec::new();
            references(r, &mut refs);
            problems.extend(
                refs.into_iter()
                    .filter(|t| !known.contains(t))
                    .map(|t| format!("{at}: dangling {t}")),
            );
        }
        assert_eq!(problems, Vec::<String>::new());
        for kind in served_types(release) {
            if *kind != "Medication" {
                assert!(
                    out.iter().any(|r| r["resourceType"] == *kind),
                    "{release:?} serves no {kind}"
                );
            }
        }
    }
}

#[test]
fn versions_types_and_r4_passthrough() {
    assert_eq!(
        [
            fhir_version(Release::R2),
            fhir_version(Release::R3),
            fhir_version(Release::R4)
        ],
        ["1.0.2", "3.0.2", "4.0.1"]
    );
    let imm = fixtures::load::embedded()
        .into_iter()
        .find(|r| r["resourceType"] == "Immunization")
        .unwrap();
    assert_eq!(to_release(&imm, Release::R2), None);
    assert_eq!(to_release(&imm, Release::R3), None);
    assert_eq!(to_release(&imm, Release::R4), Some(imm));
    assert_eq!(r4_type("MedicationOrder"), "MedicationRequest");
}
