//! Request ids, the Prometheus endpoint, and what never appears in metrics.

mod common;

use common::{launch_value, spawn_app};

#[tokio::test]
async fn every_response_has_a_request_id_and_keeps_a_plain_incoming_one() {
    let app = spawn_app().await;
    let http = reqwest_client();
    let r = http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let r = http
        .get(format!("{}/health", app.base))
        .header("X-Request-Id", "trace-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-abc.123");
    let r = http
        .get(format!("{}/health", app.base))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "bad id with spaces");
}

#[tokio::test]
async fn metrics_count_routes_by_pattern_never_by_secret_bearing_path() {
    let app = spawn_app().await;
    let http = reqwest_client();
    let secret = "very-secret-value-123";
    let sim = launch_value(&serde_json::json!([
        0, "", "", "", 0, 0, 0, "", "", "app", secret
    ]));
    let r = http
        .post(format!("{}/v/r4/sim/{sim}/auth/token", app.base))
        .form(&[("grant_type", "authorization_code"), ("code", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"smart_sandbox_http_requests_total{method="POST",route="/v/{release}/sim/{sim}/auth/token",status="400"} 1"#),
        "{text}"
    );
    assert!(text.contains("smart_sandbox_http_request_duration_seconds_bucket"));
    assert!(!text.contains(&sim));
    assert!(!text.contains(secret));
}

fn reqwest_client() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::Client::new()
}
