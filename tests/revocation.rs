//! Revocation (RFC 7009) and the revocations RFC 6749 §4.1.2 (code reuse)
//! and refresh-token replay (RFC 9700 §4.14.2) call for.

mod common;
mod flow;

use flow::{ehr_launch, inactive, Sim};
use serde_json::json;

const SCOPE: &str = "launch openid fhirUser patient/*.rs offline_access";

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_string()
}

#[tokio::test]
async fn revoking_an_access_token_revokes_only_that_token() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let t = sim.tokens(SCOPE).await;
    let at = s(&t, "access_token");
    assert_eq!(sim.revoke(&at).await, 200);
    assert_eq!(sim.introspect(&at).await, inactive());
    let (status, refreshed) = sim.refresh(&s(&t, "refresh_token")).await;
    assert_eq!(status, 200, "the grant lives on: {refreshed}");
    assert_eq!(
        sim.introspect(&s(&refreshed, "access_token")).await["active"],
        true
    );
    // A revoked token no longer authenticates a caller either.
    let (status, _, _) = sim
        .post(
            "introspect",
            &[("token", &at)],
            Some(&format!("Bearer {at}")),
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_the_grant() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let t = sim.tokens(SCOPE).await;
    let rt = s(&t, "refresh_token");
    // A public client revoking its own token (RFC 7009 §2.1).
    let (status, _, body) = sim
        .post(
            "revoke",
            &[
                ("token", &rt),
                ("token_type_hint", "refresh_token"),
                ("client_id", flow::CLIENT),
            ],
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, err) = sim.refresh(&rt).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"], "invalid_grant");
    assert_eq!(sim.introspect(&s(&t, "access_token")).await, inactive());
}

#[tokio::test]
async fn revocation_is_200_for_unknown_tokens_and_checks_the_caller() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    assert_eq!(sim.revoke("not-a-token").await, 200);
    let t = sim.tokens(SCOPE).await;
    let at = s(&t, "access_token");
    let (status, _, _) = sim.post("revoke", &[("token", &at)], None).await;
    assert_eq!(status, 401, "no client authentication");
    let (status, _, _) = sim
        .post(
            "revoke",
            &[("token", &at), ("client_id", "someone-else")],
            None,
        )
        .await;
    assert_eq!(
        status, 401,
        "a public client may revoke only its own tokens"
    );
    assert_eq!(sim.introspect(&at).await["active"], true);
    let (status, _, _) = sim
        .post("revoke", &[("client_id", flow::CLIENT)], None)
        .await;
    assert_eq!(status, 400, "token is required");
}

#[tokio::test]
async fn code_reuse_revokes_the_first_exchange() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let code = sim.code(SCOPE).await;
    let (status, first) = sim.exchange(&code).await;
    assert_eq!(status, 200);
    assert_eq!(
        sim.introspect(&s(&first, "access_token")).await["active"],
        true
    );
    let (status, err) = sim.exchange(&code).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"], "invalid_grant");
    assert_eq!(sim.introspect(&s(&first, "access_token")).await, inactive());
    assert_eq!(sim.refresh(&s(&first, "refresh_token")).await.0, 400);
}

#[tokio::test]
async fn replayed_rotated_refresh_token_revokes_its_descendants() {
    let app = common::spawn_with(smart_sandbox::Config {
        strict_refresh_rotation: true,
        ..common::test_config()
    })
    .await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let t = sim.tokens(SCOPE).await;
    let rt1 = s(&t, "refresh_token");
    let (status, second) = sim.refresh(&rt1).await;
    assert_eq!(status, 200);
    assert_eq!(
        sim.introspect(&s(&second, "access_token")).await["active"],
        true
    );
    let (status, err) = sim.refresh(&rt1).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"], "invalid_grant");
    assert_eq!(
        sim.introspect(&s(&second, "access_token")).await,
        inactive()
    );
    assert_eq!(sim.refresh(&s(&second, "refresh_token")).await.0, 400);
}
