//! `prompt=none` with `id_token_hint` (OpenID Connect Core 1.0 §3.1.2.1):
//! a code without any screen when the server can decide, an error redirect
//! with the state otherwise.

mod common;
mod flow;

use flow::{ehr_launch, param, Sim};
use serde_json::json;

const SCOPE: &str = "launch openid fhirUser patient/*.rs";

async fn id_token(sim: &Sim) -> String {
    sim.tokens(SCOPE).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_string()
}

async fn silent(sim: &Sim, hint: Option<&str>) -> url::Url {
    let mut extra = vec![("prompt", "none")];
    if let Some(h) = hint {
        extra.push(("id_token_hint", h));
    }
    let (status, loc) = sim.authorize(SCOPE, &extra).await;
    assert_eq!(status, 302, "never a screen with prompt=none");
    let loc = loc.expect("Location");
    assert_eq!(param(&loc, "state").as_deref(), Some("st-42"));
    loc
}

#[tokio::test]
async fn silent_reauthorization_issues_a_code() {
    let app = common::spawn_app().await;
    // The provider is not pinned: only the hint says who is signed in.
    let sim = Sim::new(&app, &ehr_launch(json!({"provider": ""})));
    let first = Sim::new(&app, &ehr_launch(json!({})));
    let hint = id_token(&first).await;
    let loc = silent(&sim, Some(&hint)).await;
    let code = param(&loc, "code").unwrap_or_else(|| panic!("a code: {loc}"));
    let (status, t) = sim.exchange(&code).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(
        flow::jwt_claims(t["id_token"].as_str().unwrap())["sub"],
        "Practitioner/prac-helen-carter"
    );
}

#[tokio::test]
async fn login_required_without_a_usable_hint() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({"provider": ""})));
    for hint in [None, Some("not.a.jwt")] {
        let loc = silent(&sim, hint).await;
        assert_eq!(param(&loc, "error").as_deref(), Some("login_required"));
        assert!(param(&loc, "code").is_none());
    }
    // An id_token issued to another client is not a hint for this one.
    let other = Sim::new(&app, &ehr_launch(json!({})));
    let code = other.code(SCOPE).await;
    let (_, t) = other
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", flow::REDIRECT),
            ("client_id", flow::CLIENT),
        ])
        .await;
    let mut forged = flow::jwt_claims(t["id_token"].as_str().unwrap());
    forged["aud"] = json!("someone-else");
    let parts: Vec<&str> = t["id_token"].as_str().unwrap().split('.').collect();
    use base64::Engine;
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string()),
        parts[2]
    );
    let loc = silent(&sim, Some(&tampered)).await;
    assert_eq!(param(&loc, "error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn consent_and_interaction_required() {
    let app = common::spawn_app().await;
    let hint = id_token(&Sim::new(&app, &ehr_launch(json!({})))).await;
    let standalone = Sim::new(
        &app,
        &ehr_launch(json!({"launch_type": "provider-standalone", "skip_auth": false})),
    );
    let loc = silent(&standalone, Some(&hint)).await;
    assert_eq!(param(&loc, "error").as_deref(), Some("consent_required"));
    let picker = Sim::new(&app, &ehr_launch(json!({"patient": ""})));
    let loc = silent(&picker, Some(&hint)).await;
    assert_eq!(
        param(&loc, "error").as_deref(),
        Some("interaction_required")
    );
    let (status, loc) = picker
        .authorize(SCOPE, &[("prompt", "none login"), ("id_token_hint", &hint)])
        .await;
    assert_eq!(status, 302);
    assert_eq!(
        param(&loc.unwrap(), "error").as_deref(),
        Some("invalid_request")
    );
}
