//! Token endpoint errors (RFC 6749 §5.2) and the rules of codes and refresh
//! tokens: single use, binding to client and redirect_uri, PKCE, pinned
//! secrets, scope narrowing, rotation.

mod common;

use common::flows::{
    basic, code_for, exchange_public, http, jwt_payload, token_form, v2, Authz, Choices, SiteUrls,
    TokenReply, CLIENT, REDIRECT,
};
use common::{spawn_app, spawn_with, test_config, TEST_SECRET};
use serde_json::json;
use smart_sandbox::Config;

/// RFC 7636 appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const SCOPE: &str = "openid fhirUser launch patient/*.read offline_access";

/// Provider EHR launch in `{sim}` pinning patient and provider (no screens).
fn site(app: &common::TestApp, extra: &[(usize, serde_json::Value)]) -> SiteUrls {
    let mut slots = vec![
        (1, json!("pat-kenji-watanabe")),
        (2, json!("prac-ines-duarte")),
    ];
    slots.extend_from_slice(extra);
    SiteUrls::sim(app, &v2(&slots))
}

async fn code(site: &SiteUrls, authz: impl FnOnce(Authz) -> Authz) -> String {
    code_for(
        &http(),
        &authz(Authz::new(site, SCOPE)),
        &Choices::default(),
    )
    .await
}

async fn pkce_code(site: &SiteUrls) -> String {
    code(site, |a| {
        a.set("code_challenge", CHALLENGE)
            .set("code_challenge_method", "S256")
    })
    .await
}

/// Redeems a fresh code and returns the token reply.
async fn tokens(site: &SiteUrls) -> TokenReply {
    let c = code(site, |a| a).await;
    let reply = exchange_public(&http(), site, &c, None).await;
    reply.assert_ok();
    reply
}

async fn refresh(site: &SiteUrls, token: &str, extra: &[(&str, &str)]) -> TokenReply {
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", token),
        ("client_id", CLIENT),
    ];
    pairs.extend_from_slice(extra);
    token_form(&http(), &site.token(), &pairs, None).await
}

#[tokio::test]
async fn token_response_has_the_smart_shape_and_no_store_headers() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let r = tokens(&s).await;
    assert_eq!(r.str("token_type"), "Bearer");
    assert_eq!(r.json["expires_in"], 3600);
    assert_eq!(r.str("scope"), SCOPE);
    assert_eq!(r.json["need_patient_banner"], true);
    assert_eq!(
        r.str("smart_style_url"),
        format!("{}/smart-style.json", app.base)
    );
    assert_eq!(r.str("patient"), "pat-kenji-watanabe");
    assert_eq!(r.str("encounter"), "enc-kenji-watanabe-009");
    for k in ["access_token", "refresh_token", "id_token"] {
        assert!(!r.str(k).is_empty(), "{k}");
    }
}

#[tokio::test]
async fn need_patient_banner_is_false_inside_the_simulated_ehr() {
    let app = spawn_app().await;
    let r = tokens(&site(&app, &[(6, json!(1))])).await;
    assert_eq!(r.json["need_patient_banner"], false);
}

#[tokio::test]
async fn code_lives_five_minutes() {
    let app = spawn_app().await;
    let c = code(&site(&app, &[]), |a| a).await;
    let p = jwt_payload(&c);
    assert_eq!(p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(), 300);
}

#[tokio::test]
async fn expired_code_is_invalid_grant() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    // The same claims, re-signed with the test secret, expired a second ago.
    let mut claims = jwt_payload(&c);
    let now = claims["iat"].as_i64().unwrap();
    claims["iat"] = json!(now - 301);
    claims["exp"] = json!(now - 1);
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();
    exchange_public(&http(), &s, &expired, None)
        .await
        .assert_error(400, "invalid_grant");
    // Control: the untouched code still works.
    exchange_public(&http(), &s, &c, None).await.assert_ok();
}

#[tokio::test]
async fn code_works_once() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    exchange_public(&http(), &s, &c, None).await.assert_ok();
    exchange_public(&http(), &s, &c, None)
        .await
        .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn wrong_redirect_uri_is_invalid_grant() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    let r = token_form(
        &http(),
        &s.token(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", &format!("{REDIRECT}/other")),
            ("client_id", CLIENT),
        ],
        None,
    )
    .await;
    r.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn garbage_code_is_invalid_grant() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    for garbage in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        exchange_public(&http(), &s, garbage, None)
            .await
            .assert_error(400, "invalid_grant");
    }
}

#[tokio::test]
async fn access_token_is_not_accepted_as_a_code() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let r = tokens(&s).await;
    exchange_public(&http(), &s, r.str("access_token"), None)
        .await
        .assert_error(400, "invalid_grant");
    exchange_public(&http(), &s, r.str("refresh_token"), None)
        .await
        .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn code_issued_to_another_client_is_invalid_grant() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    let r = token_form(
        &http(),
        &s.token(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", REDIRECT),
            ("client_id", "someone-else"),
        ],
        None,
    )
    .await;
    r.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn pkce_verifier_missing_blank_wrong_or_equal_to_challenge_is_invalid_grant() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let other = "0123456789012345678901234567890123456789abc";
    for verifier in [None, Some(""), Some(other), Some(CHALLENGE)] {
        let c = pkce_code(&s).await;
        exchange_public(&http(), &s, &c, verifier)
            .await
            .assert_error(400, "invalid_grant");
    }
    let c = pkce_code(&s).await;
    exchange_public(&http(), &s, &c, Some(VERIFIER))
        .await
        .assert_ok();
}

#[tokio::test]
async fn failed_pkce_does_not_burn_the_code() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = pkce_code(&s).await;
    exchange_public(&http(), &s, &c, Some(CHALLENGE))
        .await
        .assert_error(400, "invalid_grant");
    exchange_public(&http(), &s, &c, Some(VERIFIER))
        .await
        .assert_ok();
}

fn secret_site(app: &common::TestApp) -> SiteUrls {
    site(
        app,
        &[
            (9, json!("conf")),
            (10, json!("right-secret")),
            (14, json!(1)),
        ],
    )
}

async fn secret_code(s: &SiteUrls) -> String {
    code(s, |a| a.set("client_id", "conf")).await
}

fn code_pairs(c: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", c),
        ("redirect_uri", REDIRECT),
    ]
}

#[tokio::test]
async fn wrong_secret_with_basic_is_401_invalid_client_with_challenge() {
    let app = spawn_app().await;
    let s = secret_site(&app);
    let c = secret_code(&s).await;
    let r = token_form(
        &http(),
        &s.token(),
        &code_pairs(&c),
        Some(&basic("conf", "wrong")),
    )
    .await;
    r.assert_error(401, "invalid_client");
    let challenge = r.header("www-authenticate").unwrap_or("");
    assert!(challenge.starts_with("Basic"), "{challenge:?}");
    // The code was not spent by the failed attempt.
    let ok = token_form(
        &http(),
        &s.token(),
        &code_pairs(&c),
        Some(&basic("conf", "right-secret")),
    )
    .await;
    ok.assert_ok();
}

#[tokio::test]
async fn wrong_secret_in_body_is_401_invalid_client() {
    let app = spawn_app().await;
    let s = secret_site(&app);
    let c = secret_code(&s).await;
    let mut pairs = code_pairs(&c);
    pairs.extend([("client_id", "conf"), ("client_secret", "wrong")]);
    token_form(&http(), &s.token(), &pairs, None)
        .await
        .assert_error(401, "invalid_client");
}

#[tokio::test]
async fn missing_secret_for_pinned_secret_is_401_invalid_client() {
    let app = spawn_app().await;
    let s = secret_site(&app);
    let c = secret_code(&s).await;
    let mut pairs = code_pairs(&c);
    pairs.push(("client_id", "conf"));
    token_form(&http(), &s.token(), &pairs, None)
        .await
        .assert_error(401, "invalid_client");
}

#[tokio::test]
async fn missing_client_id_is_401_invalid_client() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    token_form(&http(), &s.token(), &code_pairs(&c), None)
        .await
        .assert_error(401, "invalid_client");
}

#[tokio::test]
async fn malformed_basic_header_is_401_invalid_client_with_challenge() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    let r = token_form(&http(), &s.token(), &code_pairs(&c), Some("Basic !!!")).await;
    r.assert_error(401, "invalid_client");
    assert!(r.header("www-authenticate").is_some());
}

#[tokio::test]
async fn unknown_grant_type_is_unsupported_grant_type() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let r = token_form(
        &http(),
        &s.token(),
        &[("grant_type", "password"), ("client_id", CLIENT)],
        None,
    )
    .await;
    r.assert_error(400, "unsupported_grant_type");
}

#[tokio::test]
async fn missing_grant_type_is_invalid_request() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    token_form(&http(), &s.token(), &[("client_id", CLIENT)], None)
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn repeated_parameter_is_invalid_request() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a).await;
    let mut pairs = code_pairs(&c);
    pairs.extend([("client_id", CLIENT), ("client_id", CLIENT)]);
    token_form(&http(), &s.token(), &pairs, None)
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn no_refresh_token_without_offline_or_online_access() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let c = code(&s, |a| a.set("scope", "openid fhirUser launch")).await;
    let r = exchange_public(&http(), &s, &c, None).await;
    r.assert_ok();
    assert!(r.json.get("refresh_token").is_none(), "{}", r.json);
    let c = code(&s, |a| a.set("scope", "launch online_access")).await;
    let r = exchange_public(&http(), &s, &c, None).await;
    r.assert_ok();
    assert!(r.json["refresh_token"].is_string());
}

#[tokio::test]
async fn refresh_returns_new_refresh_token_and_id_token_for_the_client() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let r = refresh(&s, first.str("refresh_token"), &[]).await;
    r.assert_ok();
    assert_ne!(r.str("refresh_token"), first.str("refresh_token"));
    assert_ne!(r.str("access_token"), first.str("access_token"));
    let id = jwt_payload(r.str("id_token"));
    assert_eq!(id["aud"], CLIENT);
    assert_eq!(id["iss"], s.fhir());
    assert_eq!(
        id["fhirUser"],
        format!("{}/Practitioner/prac-ines-duarte", s.fhir())
    );
    assert_eq!(r.str("scope"), SCOPE);
    assert_eq!(r.str("patient"), "pat-kenji-watanabe");
}

#[tokio::test]
async fn refresh_may_narrow_the_scope() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let r = refresh(
        &s,
        first.str("refresh_token"),
        &[("scope", "patient/*.read offline_access")],
    )
    .await;
    r.assert_ok();
    assert_eq!(r.str("scope"), "patient/*.read offline_access");
    assert!(r.json.get("id_token").is_none(), "openid was dropped");
}

#[tokio::test]
async fn refresh_may_not_widen_the_scope() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let r = refresh(
        &s,
        first.str("refresh_token"),
        &[("scope", "patient/*.read user/*.read")],
    )
    .await;
    r.assert_error(400, "invalid_scope");
}

#[tokio::test]
async fn refresh_token_is_bound_to_its_client() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let r = token_form(
        &http(),
        &s.token(),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", first.str("refresh_token")),
            ("client_id", "another-app"),
        ],
        None,
    )
    .await;
    r.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn garbage_refresh_token_is_invalid_grant() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    refresh(&s, "garbage", &[])
        .await
        .assert_error(400, "invalid_grant");
    // An access token is not a refresh token.
    refresh(&s, first.str("access_token"), &[])
        .await
        .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn rotated_refresh_token_still_works_by_default() {
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    refresh(&s, first.str("refresh_token"), &[])
        .await
        .assert_ok();
    refresh(&s, first.str("refresh_token"), &[])
        .await
        .assert_ok();
}

#[tokio::test]
async fn strict_rotation_refuses_a_rotated_refresh_token() {
    let app = spawn_with(Config {
        strict_refresh_rotation: true,
        ..test_config()
    })
    .await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let second = refresh(&s, first.str("refresh_token"), &[]).await;
    second.assert_ok();
    // The newest token keeps the chain going...
    refresh(&s, second.str("refresh_token"), &[])
        .await
        .assert_ok();
    // ...and a rotated one is refused (its replay also revokes the grant,
    // see tests/revocation.rs).
    refresh(&s, first.str("refresh_token"), &[])
        .await
        .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn confidential_refresh_needs_the_secret() {
    let app = spawn_app().await;
    let s = secret_site(&app);
    let c = secret_code(&s).await;
    let first = token_form(
        &http(),
        &s.token(),
        &code_pairs(&c),
        Some(&basic("conf", "right-secret")),
    )
    .await;
    first.assert_ok();
    let rt = first.str("refresh_token");
    let pairs = [("grant_type", "refresh_token"), ("refresh_token", rt)];
    let r = token_form(&http(), &s.token(), &pairs, Some(&basic("conf", "nope"))).await;
    r.assert_error(401, "invalid_client");
    let r = token_form(
        &http(),
        &s.token(),
        &pairs,
        Some(&basic("conf", "right-secret")),
    )
    .await;
    r.assert_ok();
}

#[tokio::test]
async fn narrowed_refresh_keeps_the_refresh_tokens_scope() {
    // RFC 6749 §6: a new refresh token's scope MUST be identical to that of
    // the refresh token presented; only the access token is narrowed.
    let app = spawn_app().await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let narrowed = refresh(
        &s,
        first.str("refresh_token"),
        &[("scope", "patient/*.read offline_access")],
    )
    .await;
    narrowed.assert_ok();
    let again = refresh(&s, narrowed.str("refresh_token"), &[]).await;
    again.assert_ok();
    assert_eq!(again.str("scope"), SCOPE);
}

#[tokio::test]
async fn narrowing_away_offline_access_still_returns_a_refresh_token_under_strict_rotation() {
    // Under strict rotation the presented refresh token is spent, so the
    // client must get a replacement even when the access token's scope no
    // longer lists offline_access.
    let app = spawn_with(Config {
        strict_refresh_rotation: true,
        ..test_config()
    })
    .await;
    let s = site(&app, &[]);
    let first = tokens(&s).await;
    let narrowed = refresh(
        &s,
        first.str("refresh_token"),
        &[("scope", "patient/*.read")],
    )
    .await;
    narrowed.assert_ok();
    assert_eq!(narrowed.str("scope"), "patient/*.read");
    let next = narrowed.str("refresh_token");
    refresh(&s, next, &[]).await.assert_ok();
}
