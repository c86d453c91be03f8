//! Hostile and malformed input on every route: a 4xx with a message in the
//! route family's shape for every client mistake, the baseline answer for
//! every harmless oddity, never a 5xx, a dropped connection or a hang, and
//! the server still serves a normal launch afterwards.
//!
//! `site_routes.rs` and `other_routes.rs` list every registered route as a
//! working baseline request (`routes.rs`: the model); `variants.rs` (path,
//! query, method), `bodies.rs` and `headers.rs` (every header the server
//! reads) turn each into a matrix of hostile cases; `check.rs` judges the
//! answers over a raw HTTP/1.1 client (`raw.rs`); `props.rs` throws
//! generated requests at a running server.

mod common;
// Only part of the fake upstream is used here.
#[allow(dead_code)]
#[path = "upstream/fake.rs"]
mod fake;

#[path = "bad_input/bodies.rs"]
mod bodies;
#[path = "bad_input/check.rs"]
mod check;
#[path = "bad_input/classic.rs"]
mod classic;
#[path = "bad_input/fixture.rs"]
mod fixture;
#[path = "bad_input/headers.rs"]
mod headers;
#[path = "bad_input/other_routes.rs"]
mod other_routes;
#[path = "bad_input/props.rs"]
mod props;
#[path = "bad_input/raw.rs"]
mod raw;
#[path = "bad_input/routes.rs"]
mod routes;
#[path = "bad_input/site_routes.rs"]
mod site_routes;
#[path = "bad_input/variants.rs"]
mod variants;

use std::collections::BTreeSet;

use common::fhir::{get, token};
// The fake upstream names the two patients through its parent module.
#[allow(unused_imports)]
use common::fhir::{PAT_A, PAT_B};
use fixture::Fixture;
use variants::Case;

/// `/health` answers and a normal EHR launch still yields a token that
/// reads the launch patient.
async fn still_serves(f: &Fixture) {
    let health = raw::send(f.app.port, &raw::Request::new("GET", "/health"))
        .await
        .expect("health answers");
    assert_eq!(health.status, 200, "the server stays up");
    let t = token(&f.site, "patient/*.rs", PAT_A).await;
    let read = get(&format!("{}/Patient/{PAT_A}", f.site.fhir()), Some(&t), &[]).await;
    read.assert_ok();
}

/// The `route` labels of `/metrics`: the route patterns that answered.
async fn routes_seen(f: &Fixture) -> BTreeSet<String> {
    let m = raw::send(f.app.port, &raw::Request::new("GET", "/metrics"))
        .await
        .expect("metrics answer");
    let text = m.text();
    text.lines()
        .filter_map(|l| l.split("route=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

async fn run_matrix(f: &Fixture, what: &str, make: fn(&routes::Route) -> Vec<Case>) {
    let cases: Vec<Case> = f.routes.iter().flat_map(make).collect();
    let failures = check::run(f.app.port, &cases).await;
    eprintln!("{what}: {} routes, {} cases", f.routes.len(), cases.len());
    check::report(what, cases.len(), &failures);
    still_serves(f).await;
}

#[tokio::test]
async fn every_route_refuses_hostile_paths_queries_methods_and_bodies() {
    let f = fixture::embedded().await;
    run_matrix(&f, "request matrix", variants::all).await;
    let seen = routes_seen(&f).await;
    let missing: Vec<&&str> = other_routes::REGISTERED
        .iter()
        .filter(|p| !seen.contains(**p))
        .collect();
    assert!(missing.is_empty(), "routes never exercised: {missing:?}");
}

#[tokio::test]
async fn every_route_refuses_hostile_headers() {
    let f = fixture::embedded().await;
    run_matrix(&f, "header matrix", headers::all).await;
}

#[tokio::test]
async fn upstream_mode_refuses_hostile_requests_and_headers() {
    let (f, upstream) = fixture::proxied().await;
    run_matrix(&f, "upstream request matrix", variants::all).await;
    run_matrix(&f, "upstream header matrix", headers::all).await;
    assert!(upstream.count() > 0, "the baselines reached the upstream");
}

/// Values a client stores come back in headers later: a Binary's
/// `contentType` must be a media type when written (as a JSON Binary or
/// inside a transaction), so a read can never fail to build its answer.
#[tokio::test]
async fn stored_values_that_become_headers_are_checked_when_written() {
    let f = fixture::embedded_r4().await;
    let base = "/v/r4/fhir";
    let evil = serde_json::json!({"resourceType": "Binary",
        "contentType": "text/html\r\nSet-Cookie: x=1", "data": "PGI+"});
    let bundle = serde_json::json!({"resourceType": "Bundle", "type": "transaction",
        "entry": [{"request": {"method": "POST", "url": "Binary"}, "resource": evil.clone()}]});
    for (path, body) in [
        (format!("{base}/Binary"), &evil),
        (base.to_string(), &bundle),
    ] {
        let mut req = raw::Request::new("POST", path.as_str());
        req.set("authorization", format!("Bearer {}", f.token));
        req.set("content-type", "application/fhir+json");
        req.body = body.to_string().into_bytes();
        let r = raw::send(f.app.port, &req).await.expect("an answer");
        let text = r.text();
        assert!(
            (400..500).contains(&r.status),
            "{path}: {} {text}",
            r.status
        );
        assert!(text.contains("contentType"), "{path}: {text}");
    }
}

/// Data loaded from files is not checked like a write: a Binary whose
/// `contentType` cannot be a header is served as bytes of an unknown type.
#[tokio::test]
async fn a_loaded_binary_with_a_hostile_content_type_is_served_as_octets() {
    use std::sync::Arc;
    let mut data = common::fhir::dataset();
    data.push(serde_json::json!({"resourceType": "Binary", "id": "evil",
        "contentType": "text/html\r\nSet-Cookie: x=1", "data": "PGI+"}));
    let mut config = common::test_config();
    config.fhir_data = smart_sandbox::fhir::FhirData::Resources(Arc::new(data));
    let app = common::spawn_with(config).await;
    let site = common::flows::SiteUrls::plain(&app);
    let t = token(&site, "user/*.cruds", PAT_A).await;
    let mut req = raw::Request::new("GET", "/v/r4/fhir/Binary/evil");
    req.set("authorization", format!("Bearer {t}"));
    let r = raw::send(app.port, &req).await.expect("an answer");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.body, b"<b>");
}
