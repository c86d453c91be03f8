//! Token introspection (RFC 7662, SMART App Launch 2.2 "Token
//! Introspection") through real launches.

mod common;
mod flow;

use flow::{ehr_launch, inactive, jwt_claims, Sim, BASIC};
use serde_json::json;

const SCOPE: &str = "launch openid fhirUser patient/*.rs offline_access";

#[tokio::test]
async fn active_token_mirrors_the_token_response_and_id_token() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({"client_secret": "test-secret"})));
    let code = sim.code(SCOPE).await;
    let (s, t) = sim
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", flow::REDIRECT),
            ("client_id", flow::CLIENT),
            ("client_secret", "test-secret"),
        ])
        .await;
    assert_eq!(s, 200, "{t}");
    let v = sim.introspect(t["access_token"].as_str().unwrap()).await;
    assert_eq!(v["active"], true);
    assert_eq!(v["scope"], t["scope"]);
    assert_eq!(v["client_id"], flow::CLIENT);
    assert_eq!(v["patient"], t["patient"]);
    assert_eq!(v["token_type"], "Bearer");
    let id = jwt_claims(t["id_token"].as_str().unwrap());
    assert_eq!(v["iss"], id["iss"]);
    assert_eq!(v["sub"], id["sub"]);
    assert_eq!(v["fhirUser"], id["fhirUser"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let exp = v["exp"].as_i64().unwrap();
    assert!(
        exp > now && exp <= now + 3601,
        "exp consistent with expires_in"
    );
    let text = v.to_string();
    assert!(!text.contains("test-secret"));
    for internal in ["gid", "jti", "reg", "tt", "grant", "sim_error"] {
        assert!(v.get(internal).is_none(), "{internal} is internal");
    }
    // Not an access token: inactive, and nothing else.
    assert_eq!(
        sim.introspect(t["refresh_token"].as_str().unwrap()).await,
        inactive()
    );
    assert_eq!(sim.introspect("invalid_token_value").await, inactive());
    assert_eq!(sim.introspect("").await, inactive());
}

#[tokio::test]
async fn expired_token_is_inactive() {
    let app = common::spawn_with(smart_sandbox::Config {
        // Long enough that a loaded CI machine still introspects before
        // expiry; the wait below follows the token's own `exp`, not a guess.
        access_token_lifetime: 5,
        ..common::test_config()
    })
    .await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let t = sim.tokens(SCOPE).await;
    let at = t["access_token"].as_str().unwrap();
    let v = sim.introspect(at).await;
    assert_eq!(v["active"], true, "{v}");
    let exp = v["exp"].as_i64().unwrap();
    // Expired once the server's whole-second clock reaches `exp`.
    let until = std::time::UNIX_EPOCH + std::time::Duration::from_secs(exp as u64);
    if let Ok(left) = until.duration_since(std::time::SystemTime::now()) {
        tokio::time::sleep(left + std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sim.introspect(at).await, inactive());
}

#[tokio::test]
async fn caller_must_authenticate() {
    let app = common::spawn_app().await;
    let sim = Sim::new(&app, &ehr_launch(json!({})));
    let t = sim.tokens(SCOPE).await;
    let at = t["access_token"].as_str().unwrap();
    let form = [("token", at)];

    let (s, h, _) = sim.post("introspect", &form, None).await;
    assert_eq!(s, 401);
    assert!(h["www-authenticate"].to_str().unwrap().contains("Basic"));
    let (s, _, _) = sim
        .post("introspect", &[("token", at), ("client_id", "x")], None)
        .await;
    assert_eq!(s, 401, "a public client cannot introspect");
    let (s, h, body) = sim.post("introspect", &form, Some("Bearer nope")).await;
    assert_eq!(s, 401, "{body}");
    assert!(h["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));
    // Any active access token is a valid bearer credential (SMART 2.2).
    let (s, _, body) = sim
        .post("introspect", &form, Some(&format!("Bearer {at}")))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["active"],
        true
    );
    let (s, _, _) = sim.post("introspect", &form, Some(BASIC)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn pinned_secret_is_checked() {
    let app = common::spawn_app().await;
    let sim = Sim::new(
        &app,
        &ehr_launch(json!({"client_id": flow::CLIENT, "client_secret": "right"})),
    );
    let (s, _, _) = sim.post("introspect", &[("token", "x")], Some(BASIC)).await;
    assert_eq!(s, 401, "test-secret is not the pinned secret");
    let (s, _, body) = sim
        .post(
            "introspect",
            &[
                ("token", "x"),
                ("client_id", flow::CLIENT),
                ("client_secret", "right"),
            ],
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        inactive()
    );
}
