//! Forged, stale and misdirected client assertions (RFC 7523 §3, SMART App
//! Launch 2.2 client-confidential-asymmetric) against the real server: each
//! is refused with 401 `invalid_client`, for RS384 and ES384 keys. Inferno
//! tests none of these (requirements 0.1 item 14), so these tests do.

mod common;
mod jose;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jose::{
    assert_invalid_client, b64, backend_token, claims, header, jwks_of, now, post_form, sign_hs256,
    sign_jws, sim, ClientKey,
};
use serde_json::{json, Value};

struct Setup {
    url: String,
    key: ClientKey,
    alg: &'static str,
}

impl Setup {
    fn sign(&self, header: &Value, claims: &Value) -> String {
        sign_jws(&self.key, header, claims)
    }
    fn claims(&self) -> Value {
        claims("svc", &self.url)
    }
    fn header(&self) -> Value {
        header(self.alg, "k1")
    }
    async fn send(&self, assertion: &str) -> jose::Answer {
        backend_token(&self.url, "system/*.rs", assertion).await
    }
}

async fn setup(base: &str, alg: &'static str, extra: Value) -> Setup {
    let key = ClientKey::for_alg(alg);
    let mut opts = json!({"launch_type": "backend-service", "client_id": "svc",
                          "jwks": jwks_of(&key, "k1")});
    opts.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Setup {
        url: format!("{base}/v/r4/sim/{}/auth/token", sim(&opts)),
        key,
        alg,
    }
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

#[tokio::test]
async fn forged_signatures_are_refused() {
    let app = common::spawn_app().await;
    for alg in ["RS384", "ES384"] {
        let s = setup(&app.base, alg, json!({})).await;
        // Sanity: the honest assertion works, so each refusal below is due
        // to the one thing changed.
        let ok = s.send(&s.sign(&s.header(), &s.claims())).await;
        assert_eq!(ok.status, 200, "{alg}: {:?}", ok.body);

        let unsigned = format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": "JWT", "kid": "k1"})
                .to_string()
                .as_bytes()),
            b64(s.claims().to_string().as_bytes())
        );
        assert_invalid_client(&s.send(&unsigned).await, "alg none");

        // HS256 keyed with the public key (algorithm confusion).
        let public = s.key.public_jwk("k1").to_string();
        let hs = sign_hs256(public.as_bytes(), &header("HS256", "k1"), &s.claims());
        assert_invalid_client(&s.send(&hs).await, "HS256 with the public key");

        // A valid signature over other claims, with a payload swapped in
        // that would pass every claim check (only the jti differs).
        let signed = s.sign(&s.header(), &s.claims());
        let parts: Vec<&str> = signed.split('.').collect();
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            b64(s.claims().to_string().as_bytes()),
            parts[2]
        );
        assert_invalid_client(&s.send(&tampered).await, "tampered payload");

        // The signature bytes corrupted.
        let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        sig[10] ^= 0x01;
        let corrupted = format!("{}.{}.{}", parts[0], parts[1], b64(&sig));
        assert_invalid_client(&s.send(&corrupted).await, "corrupted signature");

        // Signed by another key of the same kind under the registered kid.
        let wrong = sign_jws(&ClientKey::other_for_alg(alg), &s.header(), &s.claims());
        assert_invalid_client(&s.send(&wrong).await, "another key, same kid");

        // The header claims the other family than the key registered.
        let mismatched = if alg == "RS384" { "ES384" } else { "RS384" };
        let m = sign_jws(
            &ClientKey::for_alg(mismatched),
            &header(mismatched, "k1"),
            &s.claims(),
        );
        assert_invalid_client(&s.send(&m).await, "alg does not fit the key");
        assert_invalid_client(&s.send("not.a.jwt").await, "garbage");
    }
}

#[tokio::test]
async fn header_rules() {
    let app = common::spawn_app().await;
    for alg in ["RS384", "ES384"] {
        let s = setup(&app.base, alg, json!({})).await;
        let h = |k: &str, v: Value| with(s.header(), k, v);
        let a = s.sign(&h("kid", json!("k2")), &s.claims());
        assert_invalid_client(&s.send(&a).await, "wrong kid");
        let mut no_kid = s.header();
        no_kid.as_object_mut().unwrap().remove("kid");
        let a = s.sign(&no_kid, &s.claims());
        assert_invalid_client(&s.send(&a).await, "no kid");
        let a = s.sign(&h("typ", json!("at+jwt")), &s.claims());
        assert_invalid_client(&s.send(&a).await, "typ not JWT");
        // A jku must be the registered JWKS URL, and this launch has none.
        let a = s.sign(&h("jku", json!("https://evil.example/jwks")), &s.claims());
        let r = s.send(&a).await;
        assert_invalid_client(&r, "jku without a registered URL");
        assert!(r.description().contains("jku"), "{:?}", r.body);
    }
}

#[tokio::test]
async fn jku_must_equal_the_registered_url() {
    let app = common::spawn_app().await;
    let key = ClientKey::p384();
    let server = jose::serve_jwks(jwks_of(&key, "k1"), None).await;
    let s = setup(
        &app.base,
        "ES384",
        json!({"jwks": "", "jwks_url": server.url}),
    )
    .await;
    let a = s.sign(&with(s.header(), "jku", json!(server.url)), &s.claims());
    assert_eq!(s.send(&a).await.status, 200, "matching jku");
    let other = server.url.replace("jwks.json", "other.json");
    let a = s.sign(&with(s.header(), "jku", json!(other)), &s.claims());
    assert_invalid_client(&s.send(&a).await, "other jku");
}

#[tokio::test]
async fn claim_rules() {
    let app = common::spawn_app().await;
    for alg in ["RS384", "ES384"] {
        let s = setup(&app.base, alg, json!({})).await;
        let t = now();
        let cases: Vec<(&str, Value)> = vec![
            ("expired", with(s.claims(), "exp", json!(t - 120))),
            (
                "exp too far ahead",
                with(s.claims(), "exp", json!(t + 3600)),
            ),
            (
                "issued in the future",
                with(s.claims(), "iat", json!(t + 600)),
            ),
            ("no exp", {
                let mut c = s.claims();
                c.as_object_mut().unwrap().remove("exp");
                c
            }),
            (
                "wrong aud",
                with(
                    s.claims(),
                    "aud",
                    json!(format!("{}/v/r4/auth/token", app.base)),
                ),
            ),
            ("iss != sub", with(s.claims(), "sub", json!("someone-else"))),
            ("not the pinned client", claims("intruder", &s.url)),
            ("no jti", {
                let mut c = s.claims();
                c.as_object_mut().unwrap().remove("jti");
                c
            }),
        ];
        for (why, c) in cases {
            let a = s.sign(&s.header(), &c);
            assert_invalid_client(&s.send(&a).await, &format!("{alg}: {why}"));
        }
        // Clock skew is tolerated: exp a little past five minutes works.
        let a = s.sign(&s.header(), &with(s.claims(), "exp", json!(t + 330)));
        assert_eq!(s.send(&a).await.status, 200, "{alg}: small skew");
        // aud as an array containing the token URL (RFC 7519 §4.1.3).
        let a = s.sign(&s.header(), &with(s.claims(), "aud", json!([s.url])));
        assert_eq!(s.send(&a).await.status, 200, "{alg}: aud array");
    }
}

#[tokio::test]
async fn replayed_jti_is_refused() {
    let app = common::spawn_app().await;
    for alg in ["RS384", "ES384"] {
        let s = setup(&app.base, alg, json!({})).await;
        let a = s.sign(&s.header(), &s.claims());
        assert_eq!(s.send(&a).await.status, 200, "{alg}: first use");
        let again = s.send(&a).await;
        assert_invalid_client(&again, "replayed assertion");
        assert!(again.description().contains("jti"), "{:?}", again.body);
    }
}

#[tokio::test]
async fn missing_or_mistyped_assertions() {
    let app = common::spawn_app().await;
    let s = setup(&app.base, "ES384", json!({})).await;
    let a = post_form(
        &s.url,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "system/*.rs"),
        ],
        None,
    )
    .await;
    assert_invalid_client(&a, "no assertion");
    let good = s.sign(&s.header(), &s.claims());
    let a = post_form(
        &s.url,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "system/*.rs"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
            ),
            ("client_assertion", &good),
        ],
        None,
    )
    .await;
    assert_invalid_client(&a, "wrong client_assertion_type");
    let a = post_form(
        &s.url,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "system/*.rs"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
        ],
        None,
    )
    .await;
    assert_invalid_client(&a, "type without assertion");
}

#[tokio::test]
async fn simulated_errors() {
    let app = common::spawn_app().await;
    for (error, needle) in [
        ("token_invalid_jti", "jti"),
        ("token_expired_registration_token", "registration"),
    ] {
        let s = setup(&app.base, "RS384", json!({"auth_error": error})).await;
        let a = s.send(&s.sign(&s.header(), &s.claims())).await;
        assert_invalid_client(&a, error);
        assert!(a.description().contains(needle), "{error}: {:?}", a.body);
    }
}
