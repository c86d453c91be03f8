//! FHIR R4 writes over HTTP with tokens from real launches: create, update
//! (If-Match), delete, history/vread of the new versions, batch and
//! transaction Bundles, Binary, and SMART scope enforcement of writes.

mod common;

use common::fhir::{get, spawn_fhir, token, PAT_A, PAT_B};
use common::flows::SiteUrls;
use common::writes::{send, send_json};
use serde_json::{json, Value};

fn obs(patient: &str) -> Value {
    json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": format!("Patient/{patient}")}, "valueQuantity": {"value": 61}})
}

async fn setup(scope: &str) -> (String, String) {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let t = token(&site, scope, PAT_A).await;
    (site.fhir(), t)
}

#[tokio::test]
async fn create_update_delete_with_versions() {
    let (base, t) = setup("user/*.cruds").await;
    let created = send_json("POST", &format!("{base}/Observation"), &t, &[], &obs(PAT_A)).await;
    let body = created.expect(201);
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location"),
        Some(format!("{base}/Observation/{id}/_history/1").as_str())
    );
    assert_eq!(created.header("etag"), Some("W/\"1\""));
    assert_eq!(body["meta"]["versionId"], "1");
    assert!(body["meta"]["lastUpdated"].as_str().unwrap().ends_with('Z'));
    let url = format!("{base}/Observation/{id}");
    let read = get(&url, Some(&t), &[]).await;
    read.assert_ok();
    assert_eq!(read.body["valueQuantity"]["value"], 61);

    let mut v2 = body.clone();
    v2["valueQuantity"]["value"] = json!(62);
    let updated = send_json("PUT", &url, &t, &[("if-match", "W/\"1\"")], &v2).await;
    assert_eq!(updated.expect(200)["meta"]["versionId"], "2");
    assert_eq!(updated.header("etag"), Some("W/\"2\""));
    // A stale If-Match is a conflict and changes nothing.
    let stale = send_json("PUT", &url, &t, &[("if-match", "W/\"1\"")], &body).await;
    assert!(stale.outcome(412).contains("W/\"2\""));
    assert_eq!(
        get(&url, Some(&t), &[]).await.body["valueQuantity"]["value"],
        62
    );
    // Id mismatch, wrong type, bad JSON, unsupported content type.
    let mut other = v2.clone();
    other["id"] = json!("someone-else");
    send_json("PUT", &url, &t, &[], &other).await.outcome(400);
    send_json(
        "POST",
        &format!("{base}/Observation"),
        &t,
        &[],
        &json!({"resourceType": "Patient"}),
    )
    .await
    .outcome(400);
    send(
        "POST",
        &format!("{base}/Observation"),
        &t,
        &[("content-type", "application/fhir+json")],
        b"{nope".to_vec(),
    )
    .await
    .outcome(400);
    send(
        "POST",
        &format!("{base}/Observation"),
        &t,
        &[("content-type", "application/xml")],
        b"<x/>".to_vec(),
    )
    .await
    .outcome(415);

    let deleted = send("DELETE", &url, &t, &[], Vec::new()).await;
    deleted.expect(204);
    get(&url, Some(&t), &[]).await.assert_outcome(410);
    let history = get(&format!("{url}/_history"), Some(&t), &[]).await;
    history.assert_ok();
    assert_eq!(history.body["total"], 3);
    assert_eq!(history.entries()[0]["request"]["method"], "DELETE");
    let v1 = get(&format!("{url}/_history/1"), Some(&t), &[]).await;
    v1.assert_ok();
    assert_eq!(v1.body["valueQuantity"]["value"], 61);
    assert_eq!(v1.header("etag"), Some("W/\"1\""));
}

#[tokio::test]
async fn update_as_create_and_prefer() {
    let (base, t) = setup("user/*.cruds").await;
    let url = format!("{base}/Patient/new-patient-1");
    let p = json!({"resourceType": "Patient", "id": "new-patient-1", "gender": "other"});
    let made = send_json("PUT", &url, &t, &[("prefer", "return=minimal")], &p).await;
    made.expect(201);
    assert!(made.bytes.is_empty());
    assert_eq!(
        made.header("location"),
        Some(format!("{url}/_history/1").as_str())
    );
    let again = send_json(
        "PUT",
        &url,
        &t,
        &[("prefer", "return=OperationOutcome")],
        &p,
    )
    .await;
    assert_eq!(again.expect(200)["resourceType"], "OperationOutcome");
    let found = get(&format!("{base}/Patient?gender=other"), Some(&t), &[]).await;
    assert_eq!(found.ids(), vec!["new-patient-1"]);
    send(
        "DELETE",
        &format!("{base}/Patient/never-was"),
        &t,
        &[],
        Vec::new(),
    )
    .await
    .outcome(404);
}

#[tokio::test]
async fn transaction_rewrites_references_all_or_nothing() {
    let (base, t) = setup("user/*.cruds").await;
    let mut o = obs("x");
    o["subject"] = json!({"reference": "urn:uuid:11111111-2222-3333-4444-555555555555"});
    let tx = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:11111111-2222-3333-4444-555555555555",
         "resource": {"resourceType": "Patient", "gender": "unknown"}, "request": {"method": "POST", "url": "Patient"}},
        {"resource": o, "request": {"method": "POST", "url": "Observation"}},
        {"request": {"method": "GET", "url": format!("Patient/{PAT_A}")}},
    ]});
    let reply = send_json("POST", &base, &t, &[], &tx).await;
    let bundle = reply.expect(200);
    assert_eq!(bundle["type"], "transaction-response");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries[0]["response"]["status"], "201");
    assert_eq!(entries[2]["response"]["status"], "200");
    let pid = entries[0]["resource"]["id"].as_str().unwrap();
    let oloc = entries[1]["response"]["location"].as_str().unwrap();
    assert_eq!(entries[1]["response"]["etag"], "W/\"1\"");
    let stored = get(oloc, Some(&t), &[]).await;
    stored.assert_ok();
    assert_eq!(
        stored.body["subject"]["reference"],
        format!("Patient/{pid}")
    );

    // One bad entry: nothing is applied.
    let bad = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "tx-keep-out"}, "request": {"method": "PUT", "url": "Patient/tx-keep-out"}},
        {"resource": {"resourceType": "Patient", "id": "wrong"}, "request": {"method": "PUT", "url": "Patient/other"}},
    ]});
    assert!(send_json("POST", &base, &t, &[], &bad)
        .await
        .outcome(400)
        .contains("entry 1"));
    get(&format!("{base}/Patient/tx-keep-out"), Some(&t), &[])
        .await
        .assert_outcome(404);
}

#[tokio::test]
async fn batch_reports_each_entry() {
    let (base, t) = setup("user/*.cruds").await;
    let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": obs(PAT_A), "request": {"method": "POST", "url": "Observation"}},
        {"resource": {"resourceType": "Patient", "id": "wrong"}, "request": {"method": "PUT", "url": "Patient/other"}},
        {"request": {"method": "GET", "url": format!("Patient/{PAT_A}")}},
        {"request": {"method": "DELETE", "url": "Observation/obs-a00"}},
    ]});
    let bundle = send_json("POST", &base, &t, &[], &batch).await.expect(200);
    assert_eq!(bundle["type"], "batch-response");
    let status: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["response"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["201", "400", "200", "204"]);
    assert_eq!(
        bundle["entry"][1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );
    get(&format!("{base}/Observation/obs-a00"), Some(&t), &[])
        .await
        .assert_outcome(410);
    let not_bundle = json!({"resourceType": "Bundle", "type": "collection"});
    send_json("POST", &base, &t, &[], &not_bundle)
        .await
        .outcome(400);
}

#[tokio::test]
async fn binary_round_trips_byte_for_byte() {
    let (base, t) = setup("user/*.cruds").await;
    let mut bytes: Vec<u8> = (0..=255u8).collect();
    bytes.extend(rand::random::<[u8; 32]>());
    bytes.extend([0, 0, b'%', b'P', b'D', b'F', 0]);
    let made = send(
        "POST",
        &format!("{base}/Binary"),
        &t,
        &[("content-type", "application/pdf")],
        bytes.clone(),
    )
    .await;
    let body = made.expect(201);
    let url = format!("{base}/Binary/{}", body["id"].as_str().unwrap());
    let raw = send(
        "GET",
        &url,
        &t,
        &[("accept", "application/pdf")],
        Vec::new(),
    )
    .await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-type"), Some("application/pdf"));
    assert_eq!(raw.bytes, bytes);
    let fhir = get(&url, Some(&t), &[("accept", "application/fhir+json")]).await;
    fhir.assert_ok();
    assert_eq!(fhir.body["resourceType"], "Binary");
    assert_eq!(fhir.body["contentType"], "application/pdf");
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD
        .decode(fhir.body["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(data, bytes);
    // The FHIR JSON form is accepted too.
    let json_binary =
        json!({"resourceType": "Binary", "contentType": "text/plain", "data": "aGVsbG8="});
    let made = send_json("POST", &format!("{base}/Binary"), &t, &[], &json_binary)
        .await
        .expect(201);
    let raw = send(
        "GET",
        &format!("{base}/Binary/{}", made["id"].as_str().unwrap()),
        &t,
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(
        (raw.header("content-type"), raw.bytes.as_slice()),
        (Some("text/plain"), &b"hello"[..])
    );
}

#[tokio::test]
async fn read_only_tokens_cannot_write() {
    let (base, t) = setup("patient/*.read").await;
    let why = send_json("POST", &format!("{base}/Observation"), &t, &[], &obs(PAT_A))
        .await
        .outcome(403);
    assert!(why.contains("patient/Observation.c"), "{why}");
    let why = send(
        "DELETE",
        &format!("{base}/Observation/obs-a00"),
        &t,
        &[],
        Vec::new(),
    )
    .await
    .outcome(403);
    assert!(why.contains("patient/Observation.d"), "{why}");
    get(&format!("{base}/Observation/obs-a00"), Some(&t), &[])
        .await
        .assert_ok();
}

#[tokio::test]
async fn patient_scopes_confine_writes_to_the_compartment() {
    let (base, t) = setup("patient/Observation.cu patient/Binary.cr").await;
    let url = format!("{base}/Observation");
    let why = send_json("POST", &url, &t, &[], &obs(PAT_B))
        .await
        .outcome(403);
    assert!(why.contains("compartment"), "{why}");
    send_json("POST", &url, &t, &[], &obs(PAT_A))
        .await
        .expect(201);
    // Moving own data to another patient, or touching theirs, is refused.
    let mut moved = obs(PAT_B);
    moved["id"] = json!("obs-a01");
    send_json("PUT", &format!("{url}/obs-a01"), &t, &[], &moved)
        .await
        .outcome(403);
    let mut theirs = obs(PAT_A);
    theirs["id"] = json!("obs-b0");
    send_json("PUT", &format!("{url}/obs-b0"), &t, &[], &theirs)
        .await
        .outcome(403);
    // A Binary belongs to its securityContext's compartment.
    let bin = format!("{base}/Binary");
    let ours = [
        ("content-type", "text/plain"),
        ("x-security-context", "Patient/pat-priya-raman"),
    ];
    send("POST", &bin, &t, &ours, b"ok".to_vec())
        .await
        .expect(201);
    let none = [("content-type", "text/plain")];
    send("POST", &bin, &t, &none, b"no".to_vec())
        .await
        .outcome(403);
}
