//! `--persist DIR`: accepted writes survive a killed server (the journal is
//! synced before the answer) and a torn last journal line is ignored.

mod common;

use std::sync::Arc;

use common::fhir::{dataset, get, token, PAT_A};
use common::flows::SiteUrls;
use common::writes::{send, send_json};
use common::{test_config, TestApp};
use serde_json::json;
use smart_sandbox::fhir::FhirData;

/// Starts a server persisting to `dir`; the task handle "kills" it.
fn start(dir: &std::path::Path) -> (TestApp, tokio::task::JoinHandle<std::io::Result<()>>) {
    let mut config = test_config();
    config.fhir_data = FhirData::Resources(Arc::new(dataset()));
    config.persist_dir = Some(dir.to_path_buf());
    let running = smart_sandbox::start(config).expect("server starts");
    let port = running.port;
    let task = tokio::spawn(running.server);
    (
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            port,
        },
        task,
    )
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let (app, task) = start(dir.path());
    let site = SiteUrls::plain(&app);
    let t = token(&site, "user/*.cruds", PAT_A).await;
    let base = site.fhir();
    let p = json!({"resourceType": "Patient", "id": "kept", "gender": "female"});
    send_json("PUT", &format!("{base}/Patient/kept"), &t, &[], &p)
        .await
        .expect(201);
    let mut p2 = p.clone();
    p2["gender"] = json!("male");
    send_json("PUT", &format!("{base}/Patient/kept"), &t, &[], &p2)
        .await
        .expect(200);
    send(
        "DELETE",
        &format!("{base}/Observation/obs-a00"),
        &t,
        &[],
        Vec::new(),
    )
    .await
    .expect(204);
    let tx = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "tx1"}, "request": {"method": "PUT", "url": "Patient/tx1"}},
        {"resource": {"resourceType": "Patient", "id": "tx2"}, "request": {"method": "PUT", "url": "Patient/tx2"}}]});
    send_json("POST", &base, &t, &[], &tx).await.expect(200);
    let bin: Vec<u8> = vec![0, 1, 2, 255, 0, 37];
    let made = send(
        "POST",
        &format!("{base}/Binary"),
        &t,
        &[("content-type", "application/pdf")],
        bin.clone(),
    )
    .await
    .expect(201);
    task.abort();

    let (app2, _task2) = start(dir.path());
    let base2 = SiteUrls::plain(&app2).fhir();
    let kept = get(&format!("{base2}/Patient/kept"), Some(&t), &[]).await;
    kept.assert_ok();
    assert_eq!(kept.body["gender"], "male");
    assert_eq!(kept.body["meta"]["versionId"], "2");
    get(&format!("{base2}/Patient/kept/_history/1"), Some(&t), &[])
        .await
        .assert_ok();
    get(&format!("{base2}/Observation/obs-a00"), Some(&t), &[])
        .await
        .assert_outcome(410);
    get(&format!("{base2}/Patient/tx2"), Some(&t), &[])
        .await
        .assert_ok();
    let raw = send(
        "GET",
        &format!("{base2}/Binary/{}", made["id"].as_str().unwrap()),
        &t,
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(raw.bytes, bin);
    assert_eq!(raw.header("content-type"), Some("application/pdf"));
}

#[tokio::test]
async fn a_torn_last_line_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (app, task) = start(dir.path());
    let site = SiteUrls::plain(&app);
    let t = token(&site, "user/*.cruds", PAT_A).await;
    let base = site.fhir();
    let p = json!({"resourceType": "Patient", "id": "whole"});
    send_json("PUT", &format!("{base}/Patient/whole"), &t, &[], &p)
        .await
        .expect(201);
    task.abort();
    let journal = dir.path().join("journal.ndjson");
    let mut text = std::fs::read(&journal).unwrap();
    text.extend_from_slice(br#"{"op":"put","type":"Patient","id":"torn","versionId":"1","lastUp"#);
    std::fs::write(&journal, text).unwrap();

    let (app2, _task2) = start(dir.path());
    let base2 = SiteUrls::plain(&app2).fhir();
    get(&format!("{base2}/Patient/whole"), Some(&t), &[])
        .await
        .assert_ok();
    get(&format!("{base2}/Patient/torn"), Some(&t), &[])
        .await
        .assert_outcome(404);
    // A bad complete line stops the start, naming the line.
    std::fs::write(&journal, "not json\n").unwrap();
    let mut config = test_config();
    config.persist_dir = Some(dir.path().to_path_buf());
    let err = smart_sandbox::start(config)
        .err()
        .expect("start fails")
        .to_string();
    assert!(err.contains("line 1"), "{err}");
}
