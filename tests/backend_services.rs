//! SMART Backend Services against the real server: `client_credentials`
//! with `private_key_jwt` (inline JWKS and JWKS URL, RS384/ES384/RS256/
//! ES256), scope mediation, the symmetric form, discovery. Assertions are
//! signed by `tests/jose`, independently of the server's JOSE code.

mod common;
mod jose;

use std::sync::atomic::Ordering;

use jose::{
    assert_invalid_client, backend_token, claims, header, jwks_of, post_form, sign_jws, sim,
    ClientKey,
};
use serde_json::{json, Value};

/// A backend-service launch pinning `client_id` "svc" and `extra`.
fn launch(extra: Value) -> Value {
    let mut o = json!({"launch_type": "backend-service", "client_type": "backend-service",
                       "client_id": "svc"});
    o.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    o
}

fn token_url(base: &str, options: &Value) -> String {
    format!("{base}/v/r4/sim/{}/auth/token", sim(options))
}

fn assertion(alg: &str, url: &str) -> String {
    sign_jws(
        &ClientKey::for_alg(alg),
        &header(alg, "k1"),
        &claims("svc", url),
    )
}

#[tokio::test]
async fn inline_jwks_each_algorithm_gets_a_short_lived_token() {
    let app = common::spawn_app().await;
    for alg in ["RS384", "ES384", "RS256", "ES256"] {
        let key = ClientKey::for_alg(alg);
        let opts = launch(json!({"jwks": jwks_of(&key, "k1"), "scope": "system/*.rs"}));
        let url = token_url(&app.base, &opts);
        let a = backend_token(
            &url,
            "system/Observation.rs system/Patient.cruds",
            &assertion(alg, &url),
        )
        .await;
        assert_eq!(a.status, 200, "{alg}: {:?}", a.body);
        assert_eq!(a.body["token_type"], "Bearer");
        assert_eq!(a.body["scope"], "system/Observation.rs system/Patient.rs");
        assert_eq!(a.body["expires_in"], 300);
        assert!(a.body["access_token"]
            .as_str()
            .is_some_and(|t| t.len() > 20));
        for absent in [
            "refresh_token",
            "id_token",
            "patient",
            "need_patient_banner",
        ] {
            assert!(a.body.get(absent).is_none(), "{alg}: {absent} present");
        }
        assert_eq!(a.header("cache-control"), "no-store");
        assert_eq!(a.header("pragma"), "no-cache");
    }
}

#[tokio::test]
async fn kid_shared_by_several_key_types_selects_by_kty_and_curve() {
    let app = common::spawn_app().await;
    let keys: Vec<Value> = [ClientKey::p256(), ClientKey::p384(), ClientKey::rsa()]
        .iter()
        .map(|k| k.public_jwk("k1"))
        .collect();
    let opts = launch(json!({"jwks": {"keys": keys}}));
    let url = token_url(&app.base, &opts);
    for alg in ["ES384", "ES256", "RS384"] {
        let a = backend_token(&url, "system/*.rs", &assertion(alg, &url)).await;
        assert_eq!(a.status, 200, "{alg}: {:?}", a.body);
    }
    // Two keys that both fit: not exactly one, so refused.
    let twice = launch(json!({"jwks": {"keys": [keys[1], keys[1]]}}));
    let url = token_url(&app.base, &twice);
    let a = backend_token(&url, "system/*.rs", &assertion("ES384", &url)).await;
    assert_invalid_client(&a, "ambiguous kid");
}

#[tokio::test]
async fn jwks_url_is_fetched_once_and_cached() {
    let app = common::spawn_app().await;
    for alg in ["ES384", "RS384"] {
        let server = jose::serve_jwks(jwks_of(&ClientKey::for_alg(alg), "k1"), None).await;
        let opts = launch(json!({"jwks_url": server.url}));
        let url = token_url(&app.base, &opts);
        for round in 0..2 {
            let a = backend_token(&url, "system/Patient.read", &assertion(alg, &url)).await;
            assert_eq!(a.status, 200, "{alg} round {round}: {:?}", a.body);
            assert_eq!(a.body["scope"], "system/Patient.read");
        }
        assert_eq!(server.hits.load(Ordering::SeqCst), 1, "{alg}: cached");
    }
}

#[tokio::test]
async fn cache_control_no_store_is_respected() {
    let app = common::spawn_app().await;
    let key = ClientKey::p384();
    let server = jose::serve_jwks(jwks_of(&key, "k1"), Some("no-store")).await;
    let url = token_url(&app.base, &launch(json!({"jwks_url": server.url})));
    for _ in 0..2 {
        let a = backend_token(&url, "system/*.rs", &assertion("ES384", &url)).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn jwks_hosts_can_be_restricted() {
    let mut config = common::test_config();
    config.jwks_allowed_hosts = vec!["jwks.example.org".into()];
    let app = common::spawn_with(config).await;
    let server = jose::serve_jwks(jwks_of(&ClientKey::rsa(), "k1"), None).await;
    let url = token_url(&app.base, &launch(json!({"jwks_url": server.url})));
    let a = backend_token(&url, "system/*.rs", &assertion("RS384", &url)).await;
    assert_invalid_client(&a, "host not allowed");
    assert!(a.description().contains("allowed hosts"), "{:?}", a.body);
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
    let url = token_url(
        &app.base,
        &launch(json!({"jwks_url": "ftp://jwks.example.org/jwks"})),
    );
    let a = backend_token(&url, "system/*.rs", &assertion("RS384", &url)).await;
    assert_invalid_client(&a, "ftp URL");
}

#[tokio::test]
async fn jwks_fetch_failures_are_401_never_5xx() {
    let app = common::spawn_app().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}/jwks", l.local_addr().unwrap().port())
    };
    let huge = jose::serve_jwks(json!({"keys": [], "pad": "a".repeat(70_000)}), None).await;
    let not_jwks = jose::serve_jwks(json!({"hello": "world"}), None).await;
    for (what, jwks_url) in [
        ("connection refused", closed),
        ("over the size cap", huge.url.clone()),
        ("not a JWKS", not_jwks.url.clone()),
    ] {
        let url = token_url(&app.base, &launch(json!({"jwks_url": jwks_url})));
        let a = backend_token(&url, "system/*.rs", &assertion("RS384", &url)).await;
        assert_invalid_client(&a, what);
        assert!(a.description().contains("JWKS"), "{what}: {:?}", a.body);
    }
}

#[tokio::test]
async fn scope_syntax_and_mediation() {
    let app = common::spawn_app().await;
    let jwks = jwks_of(&ClientKey::p384(), "k1");
    let cases = [
        ("", "system/Patient.read", "system/Patient.read"),
        (
            "system/*.read",
            "system/Patient.read launch openid",
            "system/Patient.read",
        ),
        (
            "system/*.rs",
            "system/Observation.rs?category=laboratory",
            "system/Observation.rs?category=laboratory",
        ),
        (
            "system/Patient.rs patient/*.rs",
            "system/*.cruds patient/Patient.rs",
            "system/Patient.rs",
        ),
    ];
    for (allowed, asked, granted) in cases {
        let url = token_url(&app.base, &launch(json!({"jwks": jwks, "scope": allowed})));
        let a = backend_token(&url, asked, &assertion("ES384", &url)).await;
        assert_eq!(a.status, 200, "{allowed} / {asked}: {:?}", a.body);
        assert_eq!(a.body["scope"], granted, "{allowed} / {asked}");
    }
    for (allowed, asked) in [
        ("system/Patient.rs", "system/Observation.rs"),
        ("", "patient/*.rs openid"),
    ] {
        let url = token_url(&app.base, &launch(json!({"jwks": jwks, "scope": allowed})));
        let a = backend_token(&url, asked, &assertion("ES384", &url)).await;
        assert_eq!(a.status, 400, "{allowed} / {asked}: {:?}", a.body);
        assert_eq!(a.body["error"], "invalid_scope");
    }
}

#[tokio::test]
async fn backend_token_lifetime_is_configurable() {
    let mut config = common::test_config();
    config.backend_token_lifetime = 120;
    let app = common::spawn_with(config).await;
    let opts = launch(json!({"jwks": jwks_of(&ClientKey::rsa(), "k1")}));
    let url = token_url(&app.base, &opts);
    let a = backend_token(&url, "system/*.rs", &assertion("RS384", &url)).await;
    assert_eq!(a.body["expires_in"], 120, "{:?}", a.body);
}

#[tokio::test]
async fn symmetric_client_credentials_with_basic() {
    let app = common::spawn_app().await;
    let opts = launch(json!({"client_secret": "s3cret", "scope": "system/*.read"}));
    let url = token_url(&app.base, &opts);
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", "system/Patient.read"),
    ];
    let a = post_form(&url, &form, Some(("svc", "s3cret"))).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["scope"], "system/Patient.read");
    assert!(a.body.get("refresh_token").is_none());
    // Seed 003 sends no scope: the launch's allowed scopes are the default.
    let a = post_form(
        &url,
        &[("grant_type", "client_credentials")],
        Some(("svc", "s3cret")),
    )
    .await;
    assert_eq!(a.body["scope"], "system/*.read", "{:?}", a.body);
    let a = post_form(&url, &form, Some(("svc", "wrong"))).await;
    assert_invalid_client(&a, "wrong secret");
    assert!(a.header("www-authenticate").starts_with("Basic"));
    let a = post_form(&url, &form, Some(("other", "s3cret"))).await;
    assert_invalid_client(&a, "other client_id");
    let a = post_form(&url, &form, None).await;
    assert_invalid_client(&a, "no credentials");
}

#[tokio::test]
async fn request_errors_are_400() {
    let app = common::spawn_app().await;
    let opts = launch(json!({"jwks": jwks_of(&ClientKey::rsa(), "k1")}));
    let url = token_url(&app.base, &opts);
    let form = |grant: &'static str, a: &str| {
        vec![
            ("grant_type", grant.to_string()),
            ("scope", "system/*.rs".to_string()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_string(),
            ),
            ("client_assertion", a.to_string()),
        ]
    };
    let pairs = form("password", &assertion("RS384", &url));
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = post_form(&url, &pairs, None).await;
    assert_eq!(a.status, 400, "{:?}", a.body);
    assert_eq!(a.error(), "unsupported_grant_type");
    // Without a launch in the URL there is no registration to use.
    let plain = format!("{}/v/r4/auth/token", app.base);
    let a = backend_token(&plain, "system/*.rs", &assertion("RS384", &plain)).await;
    assert_eq!(a.status, 400, "{:?}", a.body);
    assert_eq!(a.error(), "invalid_request");
    assert!(a.description().contains("/sim/"), "{:?}", a.body);
    // An app launch is not a backend service.
    let app_launch = json!({"launch_type": "provider-ehr", "client_id": "svc",
                            "jwks": jwks_of(&ClientKey::rsa(), "k1")});
    let url = token_url(&app.base, &app_launch);
    let a = backend_token(&url, "system/*.rs", &assertion("RS384", &url)).await;
    assert_eq!(a.status, 400, "{:?}", a.body);
    assert_eq!(a.error(), "unauthorized_client");
}

#[tokio::test]
async fn discovery_lists_asymmetric_clients_and_backend_services() {
    let app = common::spawn_app().await;
    let client = reqwest::Client::new();
    for doc in ["smart-configuration", "openid-configuration"] {
        let url = format!("{}/v/r4/fhir/.well-known/{doc}", app.base);
        let text = client.get(&url).send().await.unwrap().text().await.unwrap();
        let d: Value = serde_json::from_str(&text).unwrap();
        let has = |k: &str, v: &str| d[k].as_array().is_some_and(|a| a.iter().any(|x| x == v));
        assert!(has("grant_types_supported", "client_credentials"), "{doc}");
        assert!(has("grant_types_supported", "authorization_code"), "{doc}");
        assert!(has(
            "token_endpoint_auth_methods_supported",
            "private_key_jwt"
        ));
        assert_eq!(
            d["token_endpoint_auth_signing_alg_values_supported"],
            json!(["RS384", "ES384", "RS256", "ES256"])
        );
        assert!(has("scopes_supported", "system/*.rs"), "{doc}");
        assert!(has("scopes_supported", "system/*.read"), "{doc}");
        if doc == "smart-configuration" {
            assert!(has("capabilities", "client-confidential-asymmetric"));
        }
    }
}
