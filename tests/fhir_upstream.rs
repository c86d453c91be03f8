//! Upstream mode against a small upstream FHIR server started by the test
//! (`upstream/fake.rs`): tokens from real launches, enforcement before
//! forwarding, results re-checked, URLs rewritten, Binary untouched, and
//! 502/504 OperationOutcomes when the upstream fails.

mod common;
#[path = "upstream/fake.rs"]
mod fake;

use std::sync::Arc;

use common::fhir::{dataset, get, token, PAT_A, PAT_B};
use common::flows::{http, SiteUrls};
use common::{test_config, TestApp};
use smart_sandbox::fhir::FhirData;

async fn sandbox_for(upstream: &str, timeout: u64) -> SiteUrls {
    let mut config = test_config();
    config.fhir_data = FhirData::Resources(Arc::new(dataset()));
    config.fhir_server_r4 = Some(url::Url::parse(upstream).unwrap());
    config.upstream_timeout = timeout;
    let running = smart_sandbox::start(config).expect("server starts");
    let port = running.port;
    tokio::spawn(running.server);
    SiteUrls::plain(&TestApp {
        base: format!("http://127.0.0.1:{port}"),
        port,
    })
}

async fn setup() -> (fake::Fake, SiteUrls) {
    let fake = fake::start();
    let site = sandbox_for(&fake.base, 2).await;
    (fake, site)
}

#[tokio::test]
async fn read_passes_through_with_urls_rewritten_and_no_token_forwarded() {
    let (fake, site) = setup().await;
    let t = token(&site, "patient/Observation.rs", PAT_A).await;
    let r = get(
        &format!("{}/Observation/obs-a1", site.fhir()),
        Some(&t),
        &[],
    )
    .await;
    r.assert_ok();
    assert_eq!(r.body["id"], "obs-a1");
    assert_eq!(
        r.body["subject"]["reference"],
        format!("{}/Patient/{PAT_A}", site.fhir())
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].uri, "/fhir/Observation/obs-a1");
    assert_eq!(
        seen[0].authorization, None,
        "the sandbox token never goes upstream"
    );
}

#[tokio::test]
async fn search_is_pinned_to_the_launch_patient_and_filtered() {
    let (fake, site) = setup().await;
    let t = token(&site, "patient/Observation.rs", PAT_A).await;
    let r = get(
        &format!("{}/Observation?code=8867-4", site.fhir()),
        Some(&t),
        &[],
    )
    .await;
    r.assert_ok();
    assert_eq!(
        fake.seen()[0].uri,
        format!("/fhir/Observation?code=8867-4&patient={PAT_A}")
    );
    // The fake ignores `patient`; the sandbox drops PAT_B's entry itself.
    let ids: Vec<String> = r
        .entries()
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["obs-a1", "obs-a2"]);
    assert!(
        r.body.get("total").is_none(),
        "a total of 3 would be a lie: {}",
        r.body
    );
    assert_eq!(
        r.entries()[0]["fullUrl"],
        format!("{}/Observation/obs-a1", site.fhir())
    );
    let next = r.link("next").unwrap();
    assert_eq!(
        next,
        format!("{}?_getpages=abc&_getpagesoffset=3", site.fhir())
    );
    assert!(
        r.body.to_string().find(&fake.base).is_none(),
        "upstream URL leaked: {}",
        r.body
    );

    // Naming another patient is refused before anything is forwarded.
    let before = fake.count();
    let r = get(
        &format!("{}/Observation?subject=Patient/{PAT_B}", site.fhir()),
        Some(&t),
        &[],
    )
    .await;
    r.assert_outcome(403);
    assert_eq!(fake.count(), before);
}

#[tokio::test]
async fn post_search_and_v2_constraints_are_forced_too() {
    let (fake, site) = setup().await;
    let t = token(&site, "patient/Observation.rs?category=laboratory", PAT_A).await;
    let r = common::fhir::post_form(
        &format!("{}/Observation/_search?code=8867-4", site.fhir()),
        &t,
        "status=final",
    )
    .await;
    r.assert_ok();
    let seen = &fake.seen()[0];
    assert_eq!(seen.uri, "/fhir/Observation/_search?code=8867-4");
    assert_eq!(
        String::from_utf8_lossy(&seen.body),
        format!("status=final&patient={PAT_A}&category=laboratory")
    );
    // The fake's Observations have no category: none passes the re-check.
    assert!(r.entries().is_empty(), "{}", r.body);
}

#[tokio::test]
async fn other_patients_resource_is_not_found() {
    let (fake, site) = setup().await;
    let t = token(&site, "patient/Observation.rs", PAT_A).await;
    let r = get(
        &format!("{}/Observation/obs-b1", site.fhir()),
        Some(&t),
        &[],
    )
    .await;
    r.assert_outcome(404);
    assert!(!r.body.to_string().contains(PAT_B));
    assert_eq!(fake.count(), 1, "fetched, then checked");
    // The same read with user/ scopes is allowed.
    let t = token(&site, "user/Observation.rs", PAT_A).await;
    get(
        &format!("{}/Observation/obs-b1", site.fhir()),
        Some(&t),
        &[],
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn no_token_is_401_and_out_of_scope_is_403_and_nothing_is_forwarded() {
    let (fake, site) = setup().await;
    let r = get(&format!("{}/Observation/obs-a1", site.fhir()), None, &[]).await;
    r.assert_outcome(401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let r = get(
        &format!("{}/Observation/obs-a1", site.fhir()),
        Some("not-a-token"),
        &[],
    )
    .await;
    r.assert_outcome(401);
    let t = token(&site, "patient/Patient.rs", PAT_A).await;
    get(
        &format!("{}/Observation?code=x", site.fhir()),
        Some(&t),
        &[],
    )
    .await
    .assert_outcome(403);
    get(
        &format!("{}/Observation/obs-a1", site.fhir()),
        Some(&t),
        &[],
    )
    .await
    .assert_outcome(403);
    assert_eq!(fake.count(), 0, "{:?}", fake.seen());
    // In scope: the launch patient is readable.
    get(&format!("{}/Patient/{PAT_A}", site.fhir()), Some(&t), &[])
        .await
        .assert_ok();
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn binary_bytes_are_untouched() {
    let (fake, site) = setup().await;
    let t = token(&site, "patient/Binary.r", PAT_A).await;
    let resp = http()
        .get(format!("{}/Binary/pdf1", site.fhir()))
        .bearer_auth(&t)
        .header("accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.unwrap();
    assert!(
        bytes.as_ref() == fake.pdf.as_slice(),
        "Binary bytes changed"
    );
}

#[tokio::test]
async fn create_bodies_are_forwarded_and_checked() {
    let (fake, site) = setup().await;
    let body = fake::observation("Patient", "x", PAT_A)
        .to_string()
        .replace("Patient/Patient", "Patient");
    // user/ scope: streamed as is; Location rewritten.
    let t = token(&site, "user/Observation.c", PAT_A).await;
    let resp = http()
        .post(format!("{}/Observation", site.fhir()))
        .bearer_auth(&t)
        .header("content-type", "application/fhir+json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        format!("{}/Observation/new1/_history/1", site.fhir())
    );
    let seen = fake.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].body.as_slice()),
        ("POST", body.as_bytes())
    );
    // patient/ scope: another patient's Observation is refused unsent.
    let t = token(&site, "patient/Observation.c", PAT_A).await;
    let other = body.replace(PAT_A, PAT_B);
    let resp = http()
        .post(format!("{}/Observation", site.fhir()))
        .bearer_auth(&t)
        .header("content-type", "application/fhir+json")
        .body(other)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn metadata_is_the_upstreams_with_smart_security() {
    let (fake, site) = setup().await;
    let r = get(&format!("{}/metadata", site.fhir()), None, &[]).await;
    r.assert_ok();
    assert_eq!(r.body["implementation"]["description"], "fake");
    assert_eq!(r.body["implementation"]["url"], site.fhir());
    assert_eq!(
        r.body["rest"][0]["security"]["extension"][0]["url"],
        "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    );
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn upstream_down_is_502_and_slow_is_504() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let site = sandbox_for(&format!("http://127.0.0.1:{closed}/fhir"), 2).await;
    let t = token(&site, "patient/Observation.rs", PAT_A).await;
    let r = get(
        &format!("{}/Observation/obs-a1", site.fhir()),
        Some(&t),
        &[],
    )
    .await;
    let why = r.assert_outcome(502);
    assert!(why.contains("cannot connect"), "{why}");

    let (_fake, site) = setup().await;
    let t = token(&site, "patient/Observation.rs", PAT_A).await;
    let r = get(&format!("{}/Observation/slow", site.fhir()), Some(&t), &[]).await;
    let why = r.assert_outcome(504);
    assert!(why.contains("within 2 s"), "{why}");
}
