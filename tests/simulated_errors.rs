//! The launch option `auth_error`: each simulated error breaks the step it
//! names, through the same paths as a real error.

mod common;
mod flow;

use flow::{ehr_launch, inactive, param, Sim};
use serde_json::json;

const SCOPE: &str = "launch openid fhirUser patient/*.rs offline_access";

fn sim(app: &common::TestApp, error: &str) -> Sim {
    Sim::new(app, &ehr_launch(json!({ "auth_error": error })))
}

#[tokio::test]
async fn authorize_step_errors() {
    let app = common::spawn_app().await;
    for e in ["auth_invalid_client_id", "auth_invalid_redirect_uri"] {
        let (status, loc) = sim(&app, e).authorize(SCOPE, &[]).await;
        assert_eq!(status, 400, "{e}: an error page");
        assert!(loc.is_none(), "{e}: never a redirect");
    }
    let (status, loc) = sim(&app, "auth_invalid_scope").authorize(SCOPE, &[]).await;
    assert_eq!(status, 302);
    assert_eq!(
        param(&loc.unwrap(), "error").as_deref(),
        Some("invalid_scope")
    );
}

#[tokio::test]
async fn token_step_errors() {
    let app = common::spawn_app().await;
    for (e, status, code) in [
        ("auth_invalid_client_secret", 401, "invalid_client"),
        ("token_invalid_token", 400, "invalid_grant"),
        ("token_invalid_scope", 400, "invalid_scope"),
    ] {
        let s = sim(&app, e);
        let code_value = s.code(SCOPE).await;
        let (got, body) = s.exchange(&code_value).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{e}: {body}"
        );
    }
    let s = sim(&app, "token_expired_refresh_token");
    let t = s.tokens(SCOPE).await;
    let (got, body) = s.refresh(t["refresh_token"].as_str().unwrap()).await;
    assert_eq!((got, body["error"].as_str()), (400, Some("invalid_grant")));
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn request_step_errors_break_the_access_token() {
    let app = common::spawn_app().await;
    for (e, word) in [
        ("request_invalid_token", "invalid"),
        ("request_expired_token", "expired"),
    ] {
        let s = sim(&app, e);
        let t = s.tokens(SCOPE).await;
        let at = t["access_token"].as_str().unwrap();
        assert_eq!(s.introspect(at).await, inactive(), "{e}");
        // authenticate_bearer refuses it, with RFC 6750 invalid_token.
        let (status, h, _) = s
            .post(
                "introspect",
                &[("token", at)],
                Some(&format!("Bearer {at}")),
            )
            .await;
        assert_eq!(status, 401, "{e}");
        let challenge = h["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(challenge.contains(word), "{e}: {challenge}");
    }
}
