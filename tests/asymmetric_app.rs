//! A confidential asymmetric app (SMART App Launch 2.2,
//! client-confidential-asymmetric) through a headless authorize redirect,
//! the code exchange and refreshes, authenticating with `private_key_jwt`
//! each time; assertions are signed by `tests/jose`.

mod common;
mod jose;

use jose::{
    assert_invalid_client, claims, header, jwks_of, post_form, sign_jws, sim, Answer, ClientKey,
};
use serde_json::{json, Value};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn app_launch(launch_type: &str, keys: Value) -> Value {
    let mut o = json!({"launch_type": launch_type, "patient": "pat-priya-raman",
        "provider": "prac-helen-carter", "encounter": "NONE", "skip_login": true,
        "skip_auth": true, "client_type": "confidential-asymmetric", "client_id": "app",
        "redirect_uris": REDIRECT});
    o.as_object_mut()
        .unwrap()
        .extend(keys.as_object().unwrap().clone());
    o
}

/// Runs the authorize request at `prefix` (e.g. `{base}/v/r4/sim/{sim}`)
/// and returns the code from the redirect.
async fn authorize(prefix: &str, launch: Option<&str>) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let aud = format!("{prefix}/fhir");
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", "app"),
        ("redirect_uri", REDIRECT),
        (
            "scope",
            "openid fhirUser launch/patient patient/*.rs offline_access",
        ),
        ("state", "s-123"),
        ("aud", aud.as_str()),
    ];
    if let Some(l) = launch {
        query.push(("launch", l));
    }
    let resp = client
        .get(format!("{prefix}/auth/authorize"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        302,
        "{}",
        resp.text().await.unwrap()
    );
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let url = url::Url::parse(&location).unwrap();
    let code = url.query_pairs().find(|(k, _)| k == "code");
    code.unwrap_or_else(|| panic!("no code in {location}"))
        .1
        .to_string()
}

fn assertion(key: &ClientKey, alg: &str, token_url: &str) -> String {
    sign_jws(key, &header(alg, "k1"), &claims("app", token_url))
}

async fn exchange(token_url: &str, code: &str, assertion: Option<&str>) -> Answer {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    match assertion {
        Some(a) => {
            form.push(("client_assertion_type", ASSERTION_TYPE));
            form.push(("client_assertion", a));
        }
        // As a public client would: only the client_id.
        None => form.push(("client_id", "app")),
    }
    post_form(token_url, &form, None).await
}

async fn refresh(token_url: &str, refresh_token: &str, assertion: Option<&str>) -> Answer {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    match assertion {
        Some(a) => {
            form.push(("client_assertion_type", ASSERTION_TYPE));
            form.push(("client_assertion", a));
        }
        None => form.push(("client_id", "app")),
    }
    post_form(token_url, &form, None).await
}

#[tokio::test]
async fn standalone_app_with_inline_jwks_exchanges_and_refreshes() {
    let app = common::spawn_app().await;
    for alg in ["ES384", "RS384"] {
        let key = ClientKey::for_alg(alg);
        let launch = app_launch("provider-standalone", json!({"jwks": jwks_of(&key, "k1")}));
        let prefix = format!("{}/v/r4/sim/{}", app.base, sim(&launch));
        let token_url = format!("{prefix}/auth/token");
        let code = authorize(&prefix, None).await;

        let a = exchange(&token_url, &code, None).await;
        assert_invalid_client(&a, "asymmetric client without an assertion");
        // The inline JWKS is not in the code: a token URL without the
        // launch cannot verify, and says what to do instead.
        let plain = format!("{}/v/r4/auth/token", app.base);
        let a = exchange(&plain, &code, Some(&assertion(&key, alg, &plain))).await;
        assert_invalid_client(&a, "inline JWKS at a token URL without the launch");
        assert!(a.description().contains("jwks_url"), "{:?}", a.body);

        // The launch in the token URL must pin the JWKS the code was
        // issued under: an attacker's launch with its own keys gets nothing.
        let mallory = ClientKey::p256();
        let theirs = app_launch(
            "provider-standalone",
            json!({"jwks": jwks_of(&mallory, "k1")}),
        );
        let their_url = format!("{}/v/r4/sim/{}/auth/token", app.base, sim(&theirs));
        let a = exchange(
            &their_url,
            &code,
            Some(&assertion(&mallory, "ES256", &their_url)),
        )
        .await;
        assert_invalid_client(&a, "code redeemed under another launch's JWKS");

        let a = exchange(&token_url, &code, Some(&assertion(&key, alg, &token_url))).await;
        assert_eq!(a.status, 200, "{alg}: {:?}", a.body);
        assert_eq!(a.body["patient"], "pat-priya-raman");
        assert!(a.body["id_token"].is_string());
        let rt = a.body["refresh_token"].as_str().unwrap().to_string();

        let fresh = assertion(&key, alg, &token_url);
        let r = refresh(&token_url, &rt, Some(&fresh)).await;
        assert_eq!(r.status, 200, "{alg} refresh: {:?}", r.body);
        assert!(r.body["access_token"].is_string());
        let again = refresh(&token_url, &rt, Some(&fresh)).await;
        assert_invalid_client(&again, "refresh with a replayed assertion");
        assert_invalid_client(
            &refresh(&token_url, &rt, None).await,
            "refresh, no assertion",
        );
        let forged = sign_jws(
            &ClientKey::other_for_alg(alg),
            &header(alg, "k1"),
            &claims("app", &token_url),
        );
        assert_invalid_client(&refresh(&token_url, &rt, Some(&forged)).await, "other key");
    }
}

#[tokio::test]
async fn ehr_launch_with_jwks_url_uses_the_plain_token_url() {
    let app = common::spawn_app().await;
    let key = ClientKey::rsa();
    let server = jose::serve_jwks(jwks_of(&key, "k1"), None).await;
    let launch = app_launch("provider-ehr", json!({"jwks_url": server.url}));
    let prefix = format!("{}/v/r4", app.base);
    let token_url = format!("{prefix}/auth/token");
    let code = authorize(&prefix, Some(&sim(&launch))).await;
    // The assertion's aud must be the token URL it is posted to.
    let elsewhere = format!("{}/v/r3/auth/token", app.base);
    let a = exchange(
        &token_url,
        &code,
        Some(&assertion(&key, "RS384", &elsewhere)),
    )
    .await;
    assert_invalid_client(&a, "aud of another endpoint");
    let a = exchange(
        &token_url,
        &code,
        Some(&assertion(&key, "RS256", &token_url)),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let rt = a.body["refresh_token"].as_str().unwrap();
    let r = refresh(&token_url, rt, Some(&assertion(&key, "RS384", &token_url))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}
