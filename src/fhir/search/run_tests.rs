use super::parse::parse_query;
use super::*;
use crate::fhir::store::Store;
use serde_json::json;

fn store() -> Store {
    let mut rs = vec![
        json!({"resourceType": "Patient", "id": "a", "name": [{"family": "Adams"}], "generalPractitioner": [{"reference": "Practitioner/d"}]}),
        json!({"resourceType": "Patient", "id": "b", "name": [{"family": "Baker"}]}),
        json!({"resourceType": "Practitioner", "id": "d"}),
    ];
    for i in 0..7 {
        let p = if i % 2 == 0 { "a" } else { "b" };
        rs.push(json!({"resourceType": "Observation", "id": format!("o{i}"), "status": "final",
            "subject": {"reference": format!("Patient/{p}")},
            "effectiveDateTime": format!("2024-01-0{}", 7 - i),
            "category": [{"coding": [{"code": if i < 3 { "laboratory" } else { "vital-signs" }}]}]}));
    }
    Store::from_resources(rs).unwrap()
}

fn q(ty: &str, list: &[(&str, &str)]) -> parse::Query {
    let pairs: Vec<(String, String)> = list
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    parse_query(ty, &pairs).unwrap()
}

fn ids(rs: &[Arc<Value>]) -> Vec<&str> {
    rs.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

fn all(t: &str) -> Option<AccessFilter> {
    Some(AccessFilter::unrestricted(t))
}

#[test]
fn filters_sort_and_pages() {
    let s = store();
    let d = s.read();
    let obs = AccessFilter::unrestricted("Observation");
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("patient", "a")]),
        &obs,
        &mut all,
    );
    assert_eq!(
        (page.total, ids(&page.matches)),
        (4, vec!["o0", "o2", "o4", "o6"])
    );
    let page = run(
        &d,
        "Observation",
        &q(
            "Observation",
            &[("_sort", "date"), ("_count", "3"), ("_offset", "3")],
        ),
        &obs,
        &mut all,
    );
    assert_eq!(
        (page.total, ids(&page.matches)),
        (7, vec!["o3", "o2", "o1"])
    );
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("_sort", "-date"), ("_count", "2")]),
        &obs,
        &mut all,
    );
    assert_eq!(ids(&page.matches), vec!["o0", "o1"]);
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("_sort", "category,-date")]),
        &obs,
        &mut all,
    );
    assert_eq!(
        ids(&page.matches),
        vec!["o0", "o1", "o2", "o3", "o4", "o5", "o6"]
    );
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("_summary", "count")]),
        &obs,
        &mut all,
    );
    assert_eq!((page.total, page.matches.len()), (7, 0));
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("_offset", "100")]),
        &obs,
        &mut all,
    );
    assert_eq!((page.total, page.matches.len()), (7, 0));
}

#[test]
fn includes_and_revincludes_are_filtered_and_deduplicated() {
    let s = store();
    let d = s.read();
    let obs = AccessFilter::unrestricted("Observation");
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("_include", "Observation:patient")]),
        &obs,
        &mut all,
    );
    assert_eq!(ids(&page.included), vec!["a", "b"]);
    let mut none = |_: &str| None;
    let page = run(
        &d,
        "Observation",
        &q("Observation", &[("_include", "Observation:patient")]),
        &obs,
        &mut none,
    );
    assert!(page.included.is_empty());
    let pats = AccessFilter::unrestricted("Patient");
    let page = run(
        &d,
        "Patient",
        &q(
            "Patient",
            &[("_id", "b"), ("_revinclude", "Observation:patient")],
        ),
        &pats,
        &mut all,
    );
    assert_eq!(ids(&page.included), vec!["o1", "o3", "o5"]);
    let page = run(
        &d,
        "Patient",
        &q(
            "Patient",
            &[
                ("family", "ada"),
                ("_include", "Patient:general-practitioner"),
            ],
        ),
        &pats,
        &mut all,
    );
    assert_eq!(
        (ids(&page.matches), ids(&page.included)),
        (vec!["a"], vec!["d"])
    );
}
