//! The first table of hostile requests, one hand-written case per kind of
//! route (kept as a readable sample; the matrix in `variants.rs` and
//! `headers.rs` covers every route systematically).

use super::common::{launch_value, spawn_app};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::reqwest::{Client, Method};
use serde_json::json;

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    authorization: Option<String>,
    body: Vec<u8>,
}

fn case(name: &'static str, method: Method, path: impl Into<String>) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        content_type: None,
        authorization: None,
        body: Vec::new(),
    }
}

impl Case {
    fn body(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some(content_type);
        self.body = body.into();
        self
    }

    fn auth(mut self, value: impl Into<String>) -> Self {
        self.authorization = Some(value.into());
        self
    }
}

/// A JWT with `header` and `claims`, and a junk signature.
fn jwt(header: serde_json::Value, claims: serde_json::Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"sig")
    )
}

fn nested_json(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn hostile_input_gets_a_4xx_and_the_server_stays_up() {
    let app = spawn_app().await;
    let http = Client::new();
    let sim = launch_value(&json!([0]));
    let none_jwt = jwt(
        json!({"alg": "none", "typ": "JWT"}),
        json!({"tt": "access", "exp": 4_000_000_000u64}),
    );
    let rs_as_hs = jwt(
        json!({"alg": "RS256", "typ": "JWT"}),
        json!({"tt": "code", "exp": 4_000_000_000u64}),
    );
    let long = "a".repeat(40_000);
    let cases = vec![
        case("invalid UTF-8 in the authorize query", Method::GET,
            "/v/r4/auth/authorize?client_id=%FF%FE&redirect_uri=%C0"),
        case("truncated base64 launch in discovery", Method::GET,
            "/v/r4/sim/WzAsInBh/fhir/.well-known/smart-configuration"),
        case("not base64 at all in the sim segment", Method::GET,
            "/v/r4/sim/%40%40%40/auth/authorize?client_id=a&redirect_uri=http://a/cb"),
        case("unknown release", Method::GET, "/v/r9/fhir/metadata"),
        case("path traversal in a FHIR id", Method::GET,
            "/v/r4/fhir/Patient/..%2F..%2Fetc%2Fpasswd"),
        case("path traversal in a static asset", Method::GET, "/static/..%2FCargo.toml"),
        case("a URL over the length cap", Method::GET, format!("/v/r4/fhir/Patient?name={long}")),
        case("token: invalid UTF-8 form body", Method::POST, "/v/r4/auth/token")
            .body("application/x-www-form-urlencoded", vec![0x67, 0x3d, 0xff, 0xfe, 0x26]),
        case("token: deeply nested JSON body", Method::POST, "/v/r4/auth/token")
            .body("application/json", nested_json(5000)),
        case("token: JSON array body", Method::POST, "/v/r4/auth/token")
            .body("application/json", "[1,2,3]"),
        case("token: body over the cap", Method::POST, "/v/r4/auth/token")
            .body("application/x-www-form-urlencoded", format!("grant_type={}", "x".repeat(200_000))),
        case("token: wrong content type", Method::POST, "/v/r4/auth/token")
            .body("text/plain", "grant_type=authorization_code"),
        case("token: alg none code", Method::POST, "/v/r4/auth/token").body(
            "application/x-www-form-urlencoded",
            format!("grant_type=authorization_code&client_id=a&redirect_uri=http://a/cb&code={none_jwt}"),
        ),
        case("token: RS256 header on an HS256-family code", Method::POST, "/v/r4/auth/token").body(
            "application/x-www-form-urlencoded",
            format!("grant_type=authorization_code&client_id=a&redirect_uri=http://a/cb&code={rs_as_hs}"),
        ),
        case("token: alg none client assertion", Method::POST, format!("/v/r4/sim/{sim}/auth/token")).body(
            "application/x-www-form-urlencoded",
            format!("grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={none_jwt}"),
        ),
        case("token: unknown parameters only", Method::POST, "/v/r4/auth/token")
            .body("application/x-www-form-urlencoded", "foo=bar&baz=qux"),
        case("token: garbage Basic credentials", Method::POST, "/v/r4/auth/token")
            .body("application/x-www-form-urlencoded", "grant_type=authorization_code")
            .auth("Basic %%%not-base64%%%"),
        case("introspect without credentials", Method::POST, "/v/r4/auth/introspect")
            .body("application/x-www-form-urlencoded", "token=garbage"),
        case("revoke with a malformed body", Method::POST, "/v/r4/auth/revoke")
            .body("application/x-www-form-urlencoded", vec![0xff, 0x3d]),
        case("FHIR read with an alg none token", Method::GET, "/v/r4/fhir/Patient/pat-leo-marchetti")
            .auth(format!("Bearer {none_jwt}")),
        case("FHIR read with a truncated token", Method::GET, "/v/r4/fhir/Patient/pat-leo-marchetti")
            .auth("Bearer eyJhbGciOiJIUzI1NiJ9.eyJ0dCI6"),
        case("FHIR create with deeply nested JSON", Method::POST, "/v/r4/fhir/Patient")
            .body("application/fhir+json", nested_json(5000)),
        case("FHIR create with a wrong content type", Method::POST, "/v/r4/fhir/Patient")
            .body("application/x-www-form-urlencoded", "a=b"),
        case("FHIR XML asked for", Method::GET, "/v/r4/fhir/metadata?_format=xml"),
        case("launch-id API with a nested body", Method::POST, "/v/r4/launch")
            .body("application/json", nested_json(5000)),
        case("launch-id API with an unknown option", Method::POST, "/v/r4/launch")
            .body("application/json", r#"{"launch_type":"provider-ehr","patinet":"x"}"#),
        case("decode API with a hostile value", Method::GET,
            format!("/api/decode?input={}", "%F0%9F".repeat(100))),
        case("remote launcher with a javascript: launch_uri", Method::GET,
            "/launcher?launch_uri=javascript:alert(1)&fhir_ver=4"),
    ];
    for c in cases {
        let mut req = http.request(c.method.clone(), format!("{}{}", app.base, c.path));
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct);
        }
        if let Some(a) = &c.authorization {
            req = req.header("authorization", a);
        }
        let resp = req.body(c.body.clone()).send().await;
        let resp = resp.unwrap_or_else(|e| panic!("{}: no answer: {e}", c.name));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        assert!(
            (400..500).contains(&status),
            "{}: expected a 4xx, got {status}: {text:.300}",
            c.name
        );
        assert!(
            status == 404 || status == 413 || status == 414 || !text.trim().is_empty(),
            "{}: {status} without a message",
            c.name
        );
    }
    let health = http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the server stays up");
}
