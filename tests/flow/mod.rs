//! Headless launches for the lifecycle tests: authorize with a launch that
//! pins everything (no screens appear), exchange the code, call the
//! token-family endpoints. Talks plain HTTP to the real server.
#![allow(dead_code)]

use openidconnect::reqwest;
use serde_json::{json, Value};

use crate::common::{launch_value, TestApp};

pub const REDIRECT: &str = "http://localhost:9999/cb";
pub const CLIENT: &str = "test-app";

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A provider EHR launch with patient and provider pinned and no screens.
pub fn ehr_launch(extra: Value) -> Value {
    let mut o = json!({
        "launch_type": "provider-ehr",
        "patient": "pat-priya-raman",
        "provider": "prac-helen-carter",
        "skip_login": true,
        "skip_auth": true,
        "encounter": "NONE",
    });
    for (k, v) in extra.as_object().expect("object").clone() {
        o[k] = v;
    }
    o
}

/// One simulated EHR: the prefix `/v/r4/sim/{sim}` and its URLs.
pub struct Sim {
    pub prefix: String,
}

impl Sim {
    pub fn new(app: &TestApp, opts: &Value) -> Sim {
        Sim {
            prefix: format!("{}/v/r4/sim/{}", app.base, launch_value(opts)),
        }
    }

    pub fn fhir(&self) -> String {
        format!("{}/fhir", self.prefix)
    }

    /// GET authorize with `extra` parameters; returns the status and the
    /// Location header (if any).
    pub async fn authorize(&self, scope: &str, extra: &[(&str, &str)]) -> (u16, Option<url::Url>) {
        let fhir = self.fhir();
        let mut q: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st-42"),
            ("aud", &fhir),
        ];
        q.extend_from_slice(extra);
        let r = http()
            .get(format!("{}/auth/authorize", self.prefix))
            .query(&q)
            .send()
            .await
            .expect("authorize");
        let loc = r
            .headers()
            .get("location")
            .map(|l| url::Url::parse(l.to_str().unwrap()).expect("absolute Location"));
        (r.status().as_u16(), loc)
    }

    /// Authorize and return the code (panics on anything else).
    pub async fn code(&self, scope: &str) -> String {
        let (status, loc) = self.authorize(scope, &[]).await;
        assert_eq!(status, 302, "authorize redirects");
        param(&loc.expect("Location"), "code").expect("a code")
    }

    /// POST a form to one of the auth endpoints.
    pub async fn post(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        authorization: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let mut req = http()
            .post(format!("{}/auth/{endpoint}", self.prefix))
            .form(form);
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.expect("post");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.expect("body"))
    }

    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let (s, _, body) = self.post("token", form, None).await;
        (s, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    pub async fn exchange(&self, code: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
        ])
        .await
    }

    /// A full launch: authorize, exchange, assert 200.
    pub async fn tokens(&self, scope: &str) -> Value {
        let code = self.code(scope).await;
        let (s, body) = self.exchange(&code).await;
        assert_eq!(s, 200, "token exchange: {body}");
        body
    }

    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", CLIENT),
        ])
        .await
    }

    /// Introspects with HTTP Basic client credentials.
    pub async fn introspect(&self, token: &str) -> Value {
        let (s, _, body) = self
            .post("introspect", &[("token", token)], Some(BASIC))
            .await;
        assert_eq!(s, 200, "introspection: {body}");
        serde_json::from_str(&body).expect("JSON")
    }

    pub async fn revoke(&self, token: &str) -> u16 {
        self.post("revoke", &[("token", token)], Some(BASIC))
            .await
            .0
    }
}

/// `test-app:test-secret`.
pub const BASIC: &str = "Basic dGVzdC1hcHA6dGVzdC1zZWNyZXQ=";

pub fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub fn inactive() -> Value {
    json!({ "active": false })
}

/// The claims of a JWT, unverified (the id_token's signature is checked
/// elsewhere; here only `iss`/`sub` are compared).
pub fn jwt_claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
