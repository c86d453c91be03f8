//! Discovery documents, /keys, style and health, and CORS on the endpoints
//! a browser app calls.

mod common;

use common::flows::{http, v2, SiteUrls};
use common::spawn_app;
use openidconnect::reqwest::header::HeaderMap;
use serde_json::{json, Value};

async fn get_json(url: &str, origin: Option<&str>) -> (u16, HeaderMap, Value) {
    let mut req = http().get(url);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let resp = req.send().await.expect("GET succeeds");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, headers, json)
}

async fn check_smart_configuration(site: &SiteUrls) {
    let (status, _, doc) = get_json(
        &format!("{}/.well-known/smart-configuration", site.fhir()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"].as_str(), Some(site.fhir().as_str()));
    assert_eq!(
        doc["authorization_endpoint"].as_str(),
        Some(site.authorize().as_str())
    );
    assert_eq!(doc["token_endpoint"].as_str(), Some(site.token().as_str()));
    assert_eq!(
        doc["jwks_uri"].as_str(),
        Some(format!("{}/keys", site.base).as_str())
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let grants = doc["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("authorization_code")));
    let caps = doc["capabilities"].as_array().unwrap();
    for c in [
        "launch-ehr",
        "launch-standalone",
        "client-public",
        "sso-openid-connect",
    ] {
        assert!(caps.contains(&json!(c)), "capability {c}");
    }
}

#[tokio::test]
async fn smart_configuration_describes_the_plain_site() {
    let app = spawn_app().await;
    check_smart_configuration(&SiteUrls::plain(&app)).await;
}

#[tokio::test]
async fn smart_configuration_describes_a_sim_site() {
    let app = spawn_app().await;
    check_smart_configuration(&SiteUrls::sim(&app, &v2(&[(0, json!(3))]))).await;
}

#[tokio::test]
async fn openid_configuration_agrees_with_smart_configuration() {
    let app = spawn_app().await;
    for site in [
        SiteUrls::plain(&app),
        SiteUrls::sim(&app, "eyJoIjoiMSIsImoiOiIxIn0"),
    ] {
        let fhir = site.fhir();
        let (_, _, smart) =
            get_json(&format!("{fhir}/.well-known/smart-configuration"), None).await;
        let (status, _, oidc) =
            get_json(&format!("{fhir}/.well-known/openid-configuration"), None).await;
        assert_eq!(status, 200);
        for k in [
            "issuer",
            "jwks_uri",
            "authorization_endpoint",
            "token_endpoint",
        ] {
            assert_eq!(smart[k], oidc[k], "{k}");
        }
        assert_eq!(oidc["issuer"].as_str(), Some(fhir.as_str()));
        assert_eq!(
            oidc["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
        assert_eq!(oidc["code_challenge_methods_supported"], json!(["S256"]));
    }
}

#[tokio::test]
async fn discovery_with_undecodable_sim_is_400() {
    let app = spawn_app().await;
    let site = SiteUrls::sim(&app, "bm90IGpzb24");
    let (status, _, doc) = get_json(
        &format!("{}/.well-known/smart-configuration", site.fhir()),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(doc["error"], "invalid_request");
}

#[tokio::test]
async fn unknown_release_is_404() {
    let app = spawn_app().await;
    let (status, _, _) = get_json(
        &format!("{}/v/r9/fhir/.well-known/smart-configuration", app.base),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn keys_publish_one_public_rsa_key() {
    let app = spawn_app().await;
    let (status, _, jwks) = get_json(&format!("{}/keys", app.base), None).await;
    assert_eq!(status, 200);
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let k = &keys[0];
    assert_eq!(k["kty"], "RSA");
    assert_eq!(k["alg"], "RS256");
    assert_eq!(k["use"], "sig");
    assert!(k["kid"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(k["n"].is_string() && k["e"].is_string());
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(
            k.get(private).is_none(),
            "private member {private} published"
        );
    }
}

#[tokio::test]
async fn style_and_health_answer() {
    let app = spawn_app().await;
    let (status, _, style) = get_json(&format!("{}/smart-style.json", app.base), None).await;
    assert_eq!(status, 200);
    assert!(style.is_object());
    let (status, _, health) = get_json(&format!("{}/health", app.base), None).await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
}

const ORIGIN: &str = "https://app.example";

fn allows(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn cors_on_discovery_and_keys() {
    let app = spawn_app().await;
    let site = SiteUrls::plain(&app);
    for url in [
        format!("{}/.well-known/smart-configuration", site.fhir()),
        format!("{}/.well-known/openid-configuration", site.fhir()),
        format!("{}/keys", app.base),
    ] {
        let (status, headers, _) = get_json(&url, Some(ORIGIN)).await;
        assert_eq!(status, 200, "{url}");
        let allowed = allows(&headers);
        assert!(
            allowed == Some(ORIGIN) || allowed == Some("*"),
            "{url}: {allowed:?}"
        );
    }
}

#[tokio::test]
async fn cors_on_token_endpoint_including_errors_and_preflight() {
    let app = spawn_app().await;
    let site = SiteUrls::plain(&app);
    let resp = http()
        .post(site.token())
        .header("origin", ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=garbage&client_id=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let allowed = allows(resp.headers()).map(str::to_string);
    assert!(
        allowed.as_deref() == Some(ORIGIN) || allowed.as_deref() == Some("*"),
        "{allowed:?}"
    );

    let preflight = http()
        .request(openidconnect::reqwest::Method::OPTIONS, site.token())
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, authorization",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert!(allows(preflight.headers()).is_some());
}
