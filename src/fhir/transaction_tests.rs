use super::*;

#[test]
fn references_are_rewritten_everywhere() {
    let map = HashMap::from([("urn:uuid:1".to_string(), "Patient/abc".to_string())]);
    let mut v = json!({"subject": {"reference": "urn:uuid:1"},
        "performer": [{"reference": "urn:uuid:1"}, {"reference": "Practitioner/x"}],
        "note": [{"text": "urn:uuid:1"}]});
    rewrite_references(&mut v, &map);
    assert_eq!(v["subject"]["reference"], "Patient/abc");
    assert_eq!(v["performer"][0]["reference"], "Patient/abc");
    assert_eq!(v["performer"][1]["reference"], "Practitioner/x");
    assert_eq!(v["note"][0]["text"], "urn:uuid:1");
}

#[test]
fn entries_parse_to_actions_and_placeholders() {
    let entries = vec![
        json!({"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Patient"}}),
        json!({"fullUrl": "urn:uuid:q", "resource": {"resourceType": "Patient", "id": "q1"}, "request": {"method": "PUT", "url": "http://h/fhir/Patient/q1"}}),
        json!({"request": {"method": "DELETE", "url": "Observation/o", "ifMatch": "W/\"2\""}}),
        json!({"request": {"method": "GET", "url": "Observation?patient=p&_count=1"}}),
    ];
    let actions: Vec<Action> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| action(n, e, "http://h/fhir").unwrap())
        .collect();
    let map = placeholders(&entries, &actions);
    let Action::Write(create) = &actions[0] else {
        panic!()
    };
    assert_eq!(create.kind, Kind::Create);
    assert_eq!(map["urn:uuid:p"], format!("Patient/{}", create.id));
    assert_eq!(map["urn:uuid:q"], "Patient/q1");
    let Action::Write(del) = &actions[2] else {
        panic!()
    };
    assert_eq!(
        (del.kind, del.if_match.as_deref()),
        (Kind::Delete, Some("W/\"2\""))
    );
    let Action::Get(Route::Search { ty }, params) = &actions[3] else {
        panic!()
    };
    assert_eq!((ty.as_str(), params.len()), ("Observation", 2));
}

#[test]
fn bad_entries_are_400() {
    for e in [
        json!({}),
        json!({"request": {"method": "PATCH", "url": "Patient/x"}}),
        json!({"request": {"method": "PUT", "url": "Patient"}}),
        json!({"request": {"method": "POST", "url": "Patient"}}),
        json!({"request": {"method": "PUT", "url": "Patient?name=x"}, "resource": {}}),
    ] {
        assert_eq!(action(0, &e, "http://h").unwrap_err().status, 400, "{e}");
    }
}
