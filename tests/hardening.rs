//! Security headers, CORS, request limits, and tokens that verify across
//! replicas and restarts sharing only the signing key and secret.

mod common;

use openidconnect::reqwest;

use common::flows::{code_for, exchange_public, http, token_form, v2, Authz, Choices, SiteUrls};
use serde_json::json;
use smart_sandbox::http::headers::{API_CSP, PAGE_CSP};

const SCOPE: &str = "launch openid fhirUser patient/*.read offline_access";
const PATIENT: &str = "pat-kenji-watanabe";

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} on {}", r.url()))
}

fn assert_common(r: &reqwest::Response) {
    assert_eq!(header(r, "x-content-type-options"), "nosniff");
    assert_eq!(header(r, "referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn pages_json_and_token_errors_carry_security_headers() {
    let app = common::spawn_app().await;
    let c = http();
    for path in ["/", "/ehr", "/sample-app/"] {
        let page = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert!(
            header(&page, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_common(&page);
        let csp = header(&page, "content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'self'") && csp.contains("frame-src *"),
            "{csp}"
        );
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe"),
            "{csp}"
        );
    }
    let page = c.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(header(&page, "content-security-policy"), PAGE_CSP);

    let json = c
        .get(format!(
            "{}/v/r4/fhir/.well-known/smart-configuration",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    assert_common(&json);
    assert_eq!(header(&json, "content-security-policy"), API_CSP);
    assert_eq!(header(&json, "x-frame-options"), "DENY");

    let err = c
        .post(format!("{}/v/r4/auth/token", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=nope")
        .send()
        .await
        .unwrap();
    assert_eq!(err.status(), 400);
    assert_common(&err);
    assert_eq!(header(&err, "content-security-policy"), API_CSP);
    assert_eq!(header(&err, "cache-control"), "no-store");
}

#[tokio::test]
async fn cors_preflight_allows_authorization_and_exposes_fhir_headers() {
    let app = common::spawn_app().await;
    let c = http();
    let pre = c
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v/r4/fhir/Patient", app.base),
        )
        .header("origin", "https://app.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success(), "{}", pre.status());
    assert!(header(&pre, "access-control-allow-headers")
        .to_ascii_lowercase()
        .contains("authorization"));
    let get = c
        .get(format!("{}/v/r4/fhir/metadata", app.base))
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    let exposed = header(&get, "access-control-expose-headers").to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );
}

#[tokio::test]
async fn oversized_bodies_and_urls_are_refused() {
    let app = common::spawn_app().await;
    let c = http();
    let big = format!("grant_type=x&pad={}", "a".repeat(70 * 1024));
    let r = c
        .post(format!("{}/v/r4/auth/token", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let long = format!(
        "{}/v/r4/fhir/Patient?name={}",
        app.base,
        "a".repeat(40 * 1024)
    );
    let r = c.get(long).send().await.unwrap();
    assert_eq!(r.status(), 414);
}

/// A server whose public base URL is `public` (what a load balancer would
/// front), on its own port, with the shared test key and secret.
fn start(public: &str) -> (smart_sandbox::Running, String) {
    let mut config = common::test_config();
    config.base_url = Some(public.into());
    let running = smart_sandbox::start(config).expect("server starts");
    let local = format!("http://127.0.0.1:{}", running.port);
    (running, local)
}

fn site(local: &str, sim: &str) -> SiteUrls {
    SiteUrls {
        base: local.into(),
        prefix: format!("{local}/v/r4/sim/{sim}"),
    }
}

#[tokio::test]
async fn replicas_sharing_key_and_secret_accept_each_others_tokens() {
    let public = "http://sandbox.test";
    let sim = v2(&[(1, json!(PATIENT)), (2, json!("prac-ines-duarte"))]);
    let aud = format!("{public}/v/r4/sim/{sim}/fhir");
    let (a, a_url) = start(public);
    let (b, b_url) = start(public);
    tokio::spawn(a.server);
    tokio::spawn(b.server);
    let (site_a, site_b) = (site(&a_url, &sim), site(&b_url, &sim));
    let c = http();

    let code = code_for(
        &c,
        &Authz::new(&site_a, SCOPE).set("aud", &aud),
        &Choices::default(),
    )
    .await;
    let reply = exchange_public(&c, &site_b, &code, None).await;
    reply.assert_ok();
    let access = reply.str("access_token").to_string();
    let refresh = reply.str("refresh_token").to_string();

    let read = common::fhir::get(
        &format!("{}/Patient/{PATIENT}", site_b.fhir()),
        Some(&access),
        &[],
    )
    .await;
    read.assert_ok();

    let again = token_form(
        &c,
        &site_a.token(),
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        None,
    )
    .await;
    again.assert_ok();
    assert_eq!(again.str("patient"), PATIENT);
}

#[tokio::test]
async fn tokens_survive_a_restart_with_the_same_configuration() {
    let public = "http://sandbox.test";
    let sim = v2(&[(1, json!(PATIENT)), (2, json!("prac-ines-duarte"))]);
    let aud = format!("{public}/v/r4/sim/{sim}/fhir");
    let (a, a_url) = start(public);
    let handle = a.server.handle();
    let task = tokio::spawn(a.server);
    let c = http();
    let code = code_for(
        &c,
        &Authz::new(&site(&a_url, &sim), SCOPE).set("aud", &aud),
        &Choices::default(),
    )
    .await;
    let reply = exchange_public(&c, &site(&a_url, &sim), &code, None).await;
    reply.assert_ok();
    let access = reply.str("access_token").to_string();
    handle.stop(true).await;
    task.await.unwrap().unwrap();

    let (a2, a2_url) = start(public);
    tokio::spawn(a2.server);
    let read = common::fhir::get(
        &format!("{}/Patient/{PATIENT}", site(&a2_url, &sim).fhir()),
        Some(&access),
        &[],
    )
    .await;
    read.assert_ok();
}
