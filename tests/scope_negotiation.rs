//! Scope negotiation through a real launch (SMART App Launch 2.2 "Scopes";
//! RFC 6749 §3.3): the granted `scope` is the covered subset, not an echo.

mod common;
mod flow;

use flow::{ehr_launch, param, Sim};
use serde_json::json;

#[tokio::test]
async fn broader_allowed_scope_covers_the_request() {
    let app = common::spawn_app().await;
    let sim = Sim::new(
        &app,
        &ehr_launch(json!({"scope": "patient/*.rs launch/patient openid fhirUser"})),
    );
    let t = sim
        .tokens("patient/Observation.r launch/patient openid")
        .await;
    assert_eq!(t["scope"], "patient/Observation.r launch/patient openid");
    assert_eq!(t["patient"], "pat-priya-raman");
}

#[tokio::test]
async fn narrower_allowed_scope_is_granted_instead_of_a_wildcard() {
    let app = common::spawn_app().await;
    let sim = Sim::new(
        &app,
        &ehr_launch(json!({"scope": "launch patient/Observation.rs patient/Condition.read"})),
    );
    let t = sim.tokens("launch patient/*.rs offline_access").await;
    assert_eq!(
        t["scope"],
        "launch patient/Observation.rs patient/Condition.rs"
    );
    assert!(
        t.get("refresh_token").is_none(),
        "offline_access was not allowed"
    );
}

#[tokio::test]
async fn nothing_grantable_is_invalid_scope_with_state() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({"scope": "patient/*.rs launch"})));
    let (status, loc) = sim.authorize("user/Condition.rs profile", &[]).await;
    assert_eq!(status, 302);
    let loc = loc.unwrap();
    assert!(loc.as_str().starts_with(flow::REDIRECT));
    assert_eq!(param(&loc, "error").as_deref(), Some("invalid_scope"));
    assert_eq!(param(&loc, "state").as_deref(), Some("st-42"));
    assert!(param(&loc, "code").is_none());
}

#[tokio::test]
async fn unknown_launch_context_requests_do_not_break_the_launch() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let t = sim
        .tokens("launch launch/diagnosticreport launch/patient?role=x patient/Observation.dus patient/*.rs")
        .await;
    assert_eq!(
        t["scope"],
        "launch launch/diagnosticreport launch/patient?role=x patient/*.rs"
    );
}
