//! Launch context beyond patient and encounter (SMART App Launch 2.2:
//! `fhirContext`, `intent`, `tenant`) and the launch-id API for CDS Hooks
//! style callers.

mod common;
mod flow;

use flow::{http, param, REDIRECT};
use serde_json::{json, Value};

async fn create(app: &common::TestApp, body: Value) -> (u16, Value) {
    let r = http()
        .post(format!("{}/v/r4/launch", app.base))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_str(&r.text().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn launch_id_round_trip_carries_context_to_token_and_introspection() {
    let app = common::spawn_app().await;
    let (status, created) = create(
        &app,
        json!({
            "patient": "pat-priya-raman",
            "provider": "prac-helen-carter",
            "skip_login": true,
            "encounter": "NONE",
            "fhirContext": ["ServiceRequest/sr-1", {"canonical": "http://x/Questionnaire/q|1", "type": "Questionnaire"}],
            "intent": "order-sign",
            "tenant": "clinic-7",
        }),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let iss = format!("{}/v/r4/fhir", app.base);
    assert_eq!(created["iss"], iss);
    let launch = created["launch"].as_str().unwrap();

    // The EHR launch: the app sends `launch` to the authorize endpoint of `iss`.
    let r = http()
        .get(format!("{}/v/r4/auth/authorize", app.base))
        .query(&[
            ("response_type", "code"),
            ("client_id", flow::CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", "launch openid fhirUser patient/*.rs"),
            ("state", "s"),
            ("aud", &iss),
            ("launch", launch),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = param(&loc, "code").unwrap_or_else(|| panic!("{loc}"));
    let sim = flow::Sim {
        prefix: format!("{}/v/r4", app.base),
    };
    let (status, t) = sim.exchange(&code).await;
    assert_eq!(status, 200, "{t}");
    let expected_ctx = json!([
        {"reference": "ServiceRequest/sr-1"},
        {"canonical": "http://x/Questionnaire/q|1", "type": "Questionnaire"}
    ]);
    assert_eq!(t["fhirContext"], expected_ctx);
    assert_eq!(t["intent"], "order-sign");
    assert_eq!(t["tenant"], "clinic-7");
    assert_eq!(t["patient"], "pat-priya-raman");
    let v = sim.introspect(t["access_token"].as_str().unwrap()).await;
    assert_eq!(v["active"], true);
    assert_eq!(v["fhirContext"], expected_ctx);
    assert_eq!(v["intent"], "order-sign");
    assert_eq!(v["tenant"], "clinic-7");
}

#[tokio::test]
async fn launch_id_api_refuses_malformed_context_clearly() {
    let app = common::spawn_app().await;
    let (status, err) = create(&app, json!({"fhirContext": [{"role": "launch"}]})).await;
    assert_eq!(status, 400);
    assert!(err["error_description"]
        .as_str()
        .unwrap()
        .contains("reference, canonical or identifier"));
    let (status, err) = create(&app, json!({"fhirContext": "Observation"})).await;
    assert_eq!(status, 400);
    assert!(err["error_description"]
        .as_str()
        .unwrap()
        .contains("relative reference"));
}

#[tokio::test]
async fn sim_launch_with_fhir_context_in_the_url() {
    let app = common::spawn_app().await;
    let sim = flow::Sim::new(
        &app,
        &flow::ehr_launch(json!({"fhir_context": "DiagnosticReport/dr-1", "intent": "review"})),
    );
    let t = sim.tokens("launch patient/*.rs").await;
    assert_eq!(
        t["fhirContext"],
        json!([{"reference": "DiagnosticReport/dr-1"}])
    );
    assert_eq!(t["intent"], "review");
    assert!(t.get("tenant").is_none());
    // A malformed one is refused on the error page, never a redirect.
    let bad = flow::Sim::new(
        &app,
        &flow::ehr_launch(json!({"fhir_context": "[{\"role\":\"x\"}]"})),
    );
    let (status, loc) = bad.authorize("launch", &[]).await;
    assert_eq!(status, 400);
    assert!(loc.is_none());
}

#[tokio::test]
async fn discovery_lists_the_lifecycle_endpoints() {
    let app = common::spawn_app().await;
    let r = http()
        .get(format!(
            "{}/v/r4/fhir/.well-known/smart-configuration",
            app.base
        ))
        .send()
        .await
        .unwrap();
    let d: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(
        d["introspection_endpoint"],
        format!("{}/v/r4/auth/introspect", app.base)
    );
    assert_eq!(
        d["revocation_endpoint"],
        format!("{}/v/r4/auth/revoke", app.base)
    );
    let caps: Vec<&str> = d["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "permission-v1",
        "permission-v2",
        "permission-online",
        "permission-offline",
        "sso-openid-connect",
        "authorize-post",
    ] {
        assert!(caps.contains(&c), "{c}");
    }
}
