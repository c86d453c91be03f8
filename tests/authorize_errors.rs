//! Authorize endpoint errors (RFC 6749 §4.1.2.1): before client_id and
//! redirect_uri are validated, an HTML page and never a redirect; after,
//! a redirect with `error`, `error_description` and the original `state`.

mod common;

use common::flows::{http, query, v2, Authz, SiteUrls, Step, REDIRECT};
use common::spawn_app;
use serde_json::json;

/// A valid S256 challenge (RFC 7636 appendix B).
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Provider EHR launch pinning patient and provider, so a valid request
/// gets a code straight away.
fn ehr_site(app: &common::TestApp, extra: &[(usize, serde_json::Value)]) -> SiteUrls {
    let mut slots = vec![
        (1, json!("pat-marcus-bell")),
        (2, json!("prac-samuel-osei")),
    ];
    slots.extend_from_slice(extra);
    SiteUrls::sim(app, &v2(&slots))
}

fn base_request(site: &SiteUrls) -> Authz {
    Authz::new(site, "launch patient/*.read")
}

/// Asserts an HTML error page: 400, HTML, no Location.
async fn assert_error_page(authz: &Authz, mentions: &str) {
    match authz.send(&http()).await {
        Step::Other(status, ctype, body) => {
            assert_eq!(status, 400, "{body}");
            assert!(ctype.starts_with("text/html"), "{ctype}");
            assert!(
                body.contains(mentions),
                "page does not mention {mentions:?}: {body}"
            );
        }
        other => panic!("expected an HTML error page, got {other:?}"),
    }
}

/// Asserts a redirect to `REDIRECT` carrying `error` and the sent state.
async fn assert_error_redirect(authz: &Authz, error: &str) {
    let url = authz.send(&http()).await.redirect();
    assert_eq!(
        format!("{}://{}{}", url.scheme(), url.authority(), url.path()),
        REDIRECT
    );
    let q = query(&url);
    assert_eq!(q.get("error").map(String::as_str), Some(error), "{url}");
    assert!(q.contains_key("error_description"), "{url}");
    assert_eq!(q.get("state").map(String::as_str), authz.get("state"));
    assert!(!q.contains_key("code"), "{url}");
}

#[tokio::test]
async fn valid_request_gets_a_code_by_get_and_by_post() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[]);
    let authz = base_request(&site);
    let q = query(&authz.send(&http()).await.redirect());
    assert!(q.contains_key("code"));
    let posted = common::flows::post_form(&http(), &authz.endpoint, &authz.params).await;
    assert!(query(&posted.redirect()).contains_key("code"));
}

#[tokio::test]
async fn missing_client_id_is_an_error_page() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).without("client_id");
    assert_error_page(&authz, "client_id").await;
}

#[tokio::test]
async fn client_id_other_than_the_pinned_one_is_an_error_page() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[(9, json!("pinned-app"))]);
    assert_error_page(&base_request(&site), "client_id").await;
    let ok = base_request(&site).set("client_id", "pinned-app");
    assert!(matches!(ok.send(&http()).await, Step::Redirect(_)));
}

#[tokio::test]
async fn missing_redirect_uri_is_an_error_page() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).without("redirect_uri");
    assert_error_page(&authz, "redirect_uri").await;
}

#[tokio::test]
async fn relative_redirect_uri_is_an_error_page() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).set("redirect_uri", "/callback");
    assert_error_page(&authz, "redirect_uri").await;
}

#[tokio::test]
async fn redirect_uri_with_fragment_is_an_error_page() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).set("redirect_uri", &format!("{REDIRECT}#x"));
    assert_error_page(&authz, "redirect_uri").await;
}

#[tokio::test]
async fn redirect_uri_not_exactly_registered_is_an_error_page() {
    let app = spawn_app().await;
    let pinned = format!("https://other.example/cb,{REDIRECT}");
    let site = ehr_site(&app, &[(8, json!(pinned))]);
    for near_miss in [
        format!("{REDIRECT}/"),
        format!("{REDIRECT}?x=1"),
        REDIRECT.replace("https", "http"),
        REDIRECT.to_uppercase(),
    ] {
        let authz = base_request(&site).set("redirect_uri", &near_miss);
        assert_error_page(&authz, "redirect_uri").await;
    }
    // Either registered URI works.
    assert!(matches!(
        base_request(&site).send(&http()).await,
        Step::Redirect(_)
    ));
    let other = base_request(&site).set("redirect_uri", "https://other.example/cb");
    let url = other.send(&http()).await.redirect();
    assert!(url.as_str().starts_with("https://other.example/cb?"));
}

#[tokio::test]
async fn undecodable_launch_value_is_an_error_page() {
    let app = spawn_app().await;
    let site = SiteUrls::plain(&app);
    for bad in [
        "***not-base64***".to_string(),
        common::launch_value(&json!("a string")),
        "bm90IGpzb24".to_string(), // "not json"
    ] {
        let authz = base_request(&site).set("launch", &bad);
        assert_error_page(&authz, "launch").await;
    }
    let bad_sim = SiteUrls::sim(&app, "bm90IGpzb24");
    assert_error_page(&base_request(&bad_sim), "launch").await;
}

#[tokio::test]
async fn repeated_parameter_is_an_error_page() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[]);
    assert_error_page(&base_request(&site).add("state", "again"), "state").await;
    assert_error_page(&base_request(&site).add("scope", "launch"), "scope").await;
}

#[tokio::test]
async fn missing_response_type_redirects_invalid_request() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).without("response_type");
    assert_error_redirect(&authz, "invalid_request").await;
}

#[tokio::test]
async fn response_type_token_redirects_unsupported_response_type() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).set("response_type", "token");
    assert_error_redirect(&authz, "unsupported_response_type").await;
}

#[tokio::test]
async fn missing_state_redirects_invalid_request() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).without("state");
    assert_error_redirect(&authz, "invalid_request").await;
}

#[tokio::test]
async fn missing_aud_redirects_invalid_request() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).without("aud");
    assert_error_redirect(&authz, "invalid_request").await;
}

#[tokio::test]
async fn foreign_aud_redirects_invalid_request() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[]);
    let fhir = site.fhir();
    let other_port = if app.port == 1 { 2 } else { app.port - 1 };
    for foreign in [
        fhir.replace(&format!(":{}", app.port), &format!(":{other_port}")),
        fhir.replace("http://", "https://"),
        fhir.replace("/v/r4/", "/v/r3/"),
        format!("{}/v/r4/fhir", app.base), // the plain base, not this sim's
        format!("{fhir}/Patient"),
        format!("{fhir}?x=1"),
        "https://evil.example/fhir".to_string(),
    ] {
        assert_ne!(foreign, fhir);
        let authz = base_request(&site).set("aud", &foreign);
        assert_error_redirect(&authz, "invalid_request").await;
    }
    // A trailing slash is the same server.
    let slash = base_request(&site).set("aud", &format!("{fhir}/"));
    assert!(query(&slash.send(&http()).await.redirect()).contains_key("code"));
}

#[tokio::test]
async fn missing_scope_redirects_invalid_scope() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[])).without("scope");
    assert_error_redirect(&authz, "invalid_scope").await;
}

#[tokio::test]
async fn scope_outside_the_allowed_ones_redirects_invalid_scope() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[(7, json!("launch openid"))]);
    let authz = base_request(&site).set("scope", "user/*.read");
    assert_error_redirect(&authz, "invalid_scope").await;
}

#[tokio::test]
async fn pkce_plain_method_redirects_invalid_request() {
    let app = spawn_app().await;
    let authz = base_request(&ehr_site(&app, &[]))
        .set("code_challenge", CHALLENGE)
        .set("code_challenge_method", "plain");
    assert_error_redirect(&authz, "invalid_request").await;
}

#[tokio::test]
async fn pkce_always_without_challenge_redirects_invalid_request() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[(15, json!(2))]);
    assert_error_redirect(&base_request(&site), "invalid_request").await;
    let with = base_request(&site)
        .set("code_challenge", CHALLENGE)
        .set("code_challenge_method", "S256");
    assert!(query(&with.send(&http()).await.redirect()).contains_key("code"));
}

#[tokio::test]
async fn malformed_pkce_challenge_redirects_invalid_request() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[]);
    for bad in [
        &CHALLENGE[..42],
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=",
    ] {
        let authz = base_request(&site)
            .set("code_challenge", bad)
            .set("code_challenge_method", "S256");
        assert_error_redirect(&authz, "invalid_request").await;
    }
    let no_method = base_request(&site).set("code_challenge", CHALLENGE);
    assert_error_redirect(&no_method, "invalid_request").await;
}

#[tokio::test]
async fn state_comes_back_byte_for_byte_on_errors_and_codes() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[]);
    let state = "a b&c=d+e%20f/ü✓?#'\"<>";
    let err = base_request(&site)
        .set("state", state)
        .set("response_type", "token");
    assert_error_redirect(&err, "unsupported_response_type").await;
    let ok = base_request(&site).set("state", state);
    let q = query(&ok.send(&http()).await.redirect());
    assert_eq!(q.get("state").map(String::as_str), Some(state));
    assert!(q.contains_key("code"));
}

#[tokio::test]
async fn redirect_keeps_the_redirect_uris_own_query() {
    let app = spawn_app().await;
    let site = ehr_site(&app, &[]);
    let with_query = format!("{REDIRECT}?tenant=a%26b");
    let ok = base_request(&site).set("redirect_uri", &with_query);
    let q = query(&ok.send(&http()).await.redirect());
    assert_eq!(q.get("tenant").map(String::as_str), Some("a&b"));
    assert!(q.contains_key("code"));
    let err = ok.without("scope");
    let q = query(&err.send(&http()).await.redirect());
    assert_eq!(q.get("tenant").map(String::as_str), Some("a&b"));
    assert_eq!(q.get("error").map(String::as_str), Some("invalid_scope"));
}
