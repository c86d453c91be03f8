//! Whole launches driven by an independent OpenID Connect client (the
//! `openidconnect` crate): discovery, authorize, screens, code exchange,
//! id_token verification against /keys, refresh.

mod common;

use common::flows::{
    basic, code_for, drive, http, jwt_payload, query, token_form, token_json, v2, Authz, Choices,
    SiteUrls, CLIENT, REDIRECT,
};
use common::oidc::{discover_client, SmartClient, SmartTokenResponse};
use common::spawn_app;
use openidconnect::core::CoreResponseType;
use openidconnect::{
    AuthType, AuthenticationFlow, AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, Scope, TokenResponse,
};
use serde_json::json;

const EHR_PATIENT: &str = "pat-priya-raman";
const EHR_PROVIDER: &str = "prac-helen-carter";

/// Authorizes with PKCE S256 and a nonce through the crate's URL builder,
/// drives any screens, and exchanges the code with the crate.
async fn crate_flow(
    client: &SmartClient,
    http: &openidconnect::reqwest::Client,
    scopes: &str,
    extra: &[(&str, &str)],
    choices: &Choices,
) -> (SmartTokenResponse, Nonce, Vec<String>) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in scopes.split(' ').filter(|s| *s != "openid") {
        req = req.add_scope(Scope::new(s.to_string()));
    }
    for (k, v) in extra {
        req = req.add_extra_param(*k, *v);
    }
    let (url, csrf, nonce) = req.url();
    let (redirect, screens) =
        drive(http, common::flows::get(http, url.as_str()).await, choices).await;
    assert!(
        redirect.as_str().starts_with(REDIRECT),
        "redirected elsewhere: {redirect}"
    );
    let q = query(&redirect);
    assert_eq!(q.get("state"), Some(csrf.secret()), "state echoed");
    let code = q
        .get("code")
        .unwrap_or_else(|| panic!("no code: {redirect}"));
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .expect("token endpoint known")
        .set_pkce_verifier(verifier)
        .request_async(http)
        .await
        .unwrap_or_else(|e| panic!("code exchange failed: {e:?}"));
    (tokens, nonce, screens)
}

/// Verifies the id_token with the crate (signature against /keys, iss, aud,
/// nonce) and returns `(sub, fhirUser, profile)`.
fn verified_user(
    client: &SmartClient,
    tokens: &SmartTokenResponse,
    nonce: Option<&Nonce>,
) -> (String, String, String) {
    let id_token = tokens.id_token().expect("an id_token");
    let verifier = client.id_token_verifier();
    let claims = match nonce {
        Some(n) => id_token.claims(&verifier, n),
        None => id_token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
    }
    .unwrap_or_else(|e| panic!("id_token does not verify: {e:?}"));
    assert_eq!(claims.audiences().len(), 1);
    assert_eq!(claims.audiences()[0].as_str(), client.client_id().as_str());
    let profile = claims
        .profile()
        .and_then(|p| p.get(None))
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    (
        claims.subject().as_str().to_string(),
        claims
            .additional_claims()
            .fhir_user
            .clone()
            .unwrap_or_default(),
        profile,
    )
}

#[tokio::test]
async fn provider_ehr_launch_with_oidc_client_pkce_and_refresh() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::plain(&app);
    let launch = v2(&[
        (0, json!(0)),
        (1, json!(EHR_PATIENT)),
        (2, json!(EHR_PROVIDER)),
    ]);
    let (metadata, client) = discover_client(
        &http,
        &site.fhir(),
        CLIENT,
        None,
        REDIRECT,
        AuthType::BasicAuth,
    )
    .await;
    assert_eq!(metadata.issuer().as_str(), site.fhir());

    let scopes = "openid fhirUser launch patient/*.read offline_access";
    let (tokens, nonce, screens) = crate_flow(
        &client,
        &http,
        scopes,
        &[("aud", &site.fhir()), ("launch", &launch)],
        &Choices::default(),
    )
    .await;
    assert!(screens.is_empty(), "provider EHR launch showed {screens:?}");

    let (sub, fhir_user, profile) = verified_user(&client, &tokens, Some(&nonce));
    let expected_user = format!("{}/Practitioner/{EHR_PROVIDER}", site.fhir());
    assert_eq!(fhir_user, expected_user);
    assert_eq!(profile, expected_user);
    let extra = tokens.extra_fields().extra_fields();
    assert_eq!(extra.patient.as_deref(), Some(EHR_PATIENT));
    assert_eq!(extra.encounter.as_deref(), Some("enc-priya-raman-012"));
    assert_eq!(extra.need_patient_banner, Some(true));
    assert_eq!(
        extra.smart_style_url.as_deref(),
        Some(format!("{}/smart-style.json", app.base).as_str())
    );
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(3600))
    );
    let granted: Vec<String> = tokens
        .scopes()
        .expect("scope returned")
        .iter()
        .map(|s| s.to_string())
        .collect();
    for s in scopes.split(' ') {
        assert!(granted.iter().any(|g| g == s), "{s} not in {granted:?}");
    }

    let refresh = tokens.refresh_token().expect("a refresh token");
    let refreshed = client
        .exchange_refresh_token(refresh)
        .expect("token endpoint known")
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("refresh failed: {e:?}"));
    let (sub2, fhir_user2, _) = verified_user(&client, &refreshed, None);
    assert_eq!((sub2, fhir_user2), (sub, expected_user));
    let new_refresh = refreshed.refresh_token().expect("a new refresh token");
    assert_ne!(new_refresh.secret(), refresh.secret());
    assert_eq!(
        refreshed.extra_fields().extra_fields().patient.as_deref(),
        Some(EHR_PATIENT)
    );
}

#[tokio::test]
async fn id_token_header_kid_matches_keys_and_iss_matches_discovery() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::plain(&app);
    let launch = v2(&[(1, json!(EHR_PATIENT)), (2, json!(EHR_PROVIDER))]);
    let authz = Authz::new(&site, "openid fhirUser launch").set("launch", &launch);
    let code = code_for(&http, &authz, &Choices::default()).await;
    let reply = common::flows::exchange_public(&http, &site, &code, None).await;
    reply.assert_ok();
    let id_token = reply.str("id_token");

    let keys: serde_json::Value = http
        .get(format!("{}/keys", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(keys["keys"][0].clone()).expect("a JWK");
    let header = jsonwebtoken::decode_header(id_token).expect("JWT header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), keys["keys"][0]["kid"].as_str());

    let discovery: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{}/.well-known/openid-configuration", site.fhir()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[CLIENT]);
    validation.set_issuer(&[discovery["issuer"].as_str().unwrap()]);
    let data = jsonwebtoken::decode::<serde_json::Value>(
        id_token,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .expect("id_token verifies against /keys");
    assert_eq!(data.claims["iss"], discovery["issuer"]);
    assert_eq!(data.claims["iss"].as_str(), Some(site.fhir().as_str()));
    assert!(data.claims["iat"].is_i64() && data.claims["exp"].is_i64());
    assert!(data.claims.get("nonce").is_none(), "no nonce was sent");
}

/// The patient standalone launch of the brief: `{sim}` = launch type 3.
fn patient_standalone(app: &common::TestApp) -> SiteUrls {
    SiteUrls::sim(app, &v2(&[(0, json!(3))]))
}

#[tokio::test]
async fn patient_standalone_launch_logs_in_consents_and_refreshes() {
    let app = spawn_app().await;
    let http = http();
    let site = patient_standalone(&app);
    let (metadata, client) = discover_client(
        &http,
        &site.fhir(),
        CLIENT,
        None,
        REDIRECT,
        AuthType::BasicAuth,
    )
    .await;
    assert_eq!(metadata.issuer().as_str(), site.fhir());
    let chosen = "pat-sofia-reyes";
    let (tokens, nonce, screens) = crate_flow(
        &client,
        &http,
        "openid fhirUser launch/patient patient/*.read offline_access",
        &[("aud", &site.fhir())],
        &Choices::patient(chosen),
    )
    .await;
    assert_eq!(screens, ["patient-login", "consent"]);
    let (_, fhir_user, _) = verified_user(&client, &tokens, Some(&nonce));
    assert_eq!(fhir_user, format!("{}/Patient/{chosen}", site.fhir()));
    assert_eq!(
        tokens.extra_fields().extra_fields().patient.as_deref(),
        Some(chosen)
    );

    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().expect("refresh token"))
        .expect("token endpoint known")
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("refresh failed: {e:?}"));
    let (_, fhir_user2, _) = verified_user(&client, &refreshed, None);
    assert_eq!(fhir_user2, fhir_user);
    assert_eq!(
        refreshed.extra_fields().extra_fields().patient.as_deref(),
        Some(chosen)
    );
}

#[tokio::test]
async fn denied_consent_redirects_with_access_denied_and_the_state() {
    let app = spawn_app().await;
    let http = http();
    let site = patient_standalone(&app);
    let state = "deny me & keep é ✓";
    let authz = Authz::new(&site, "openid fhirUser launch/patient").set("state", state);
    let choices = Choices {
        deny: true,
        ..Choices::patient("pat-sofia-reyes")
    };
    let (url, screens) = drive(&http, authz.send(&http).await, &choices).await;
    assert_eq!(screens, ["patient-login", "consent"]);
    assert!(url.as_str().starts_with(REDIRECT), "{url}");
    let q = query(&url);
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(q.get("state").map(String::as_str), Some(state));
    assert!(!q.contains_key("code"));
}

// ---- confidential symmetric client ----

const CONF_ID: &str = "conf-app";
const CONF_SECRET: &str = "s3cr3t+/:with spaces";

/// Provider EHR launch in `{sim}` (nothing to click) pinning a confidential
/// symmetric client: client_id, secret and client type.
fn confidential_site(app: &common::TestApp) -> SiteUrls {
    SiteUrls::sim(
        app,
        &v2(&[
            (1, json!(EHR_PATIENT)),
            (2, json!(EHR_PROVIDER)),
            (9, json!(CONF_ID)),
            (10, json!(CONF_SECRET)),
            (14, json!(1)),
        ]),
    )
}

async fn confidential_tokens(auth: AuthType) {
    let app = spawn_app().await;
    let http = http();
    let site = confidential_site(&app);
    let (_, client) = discover_client(
        &http,
        &site.fhir(),
        CONF_ID,
        Some(CONF_SECRET),
        REDIRECT,
        auth,
    )
    .await;
    let (tokens, nonce, screens) = crate_flow(
        &client,
        &http,
        "openid fhirUser launch online_access",
        &[("aud", &site.fhir())],
        &Choices::default(),
    )
    .await;
    assert!(screens.is_empty());
    let (_, fhir_user, _) = verified_user(&client, &tokens, Some(&nonce));
    assert_eq!(
        fhir_user,
        format!("{}/Practitioner/{EHR_PROVIDER}", site.fhir())
    );
    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().expect("online_access refresh"))
        .expect("token endpoint known")
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("refresh failed: {e:?}"));
    assert!(refreshed.id_token().is_some());
}

#[tokio::test]
async fn confidential_client_authenticates_with_basic() {
    confidential_tokens(AuthType::BasicAuth).await;
}

#[tokio::test]
async fn confidential_client_authenticates_with_client_secret_post() {
    confidential_tokens(AuthType::RequestBody).await;
}

async fn confidential_code(app: &common::TestApp) -> (SiteUrls, String) {
    let http = http();
    let site = confidential_site(app);
    let authz = Authz::new(&site, "openid fhirUser launch").set("client_id", CONF_ID);
    let code = code_for(&http, &authz, &Choices::default()).await;
    (site, code)
}

#[tokio::test]
async fn confidential_client_token_request_with_json_body() {
    let app = spawn_app().await;
    let (site, code) = confidential_code(&app).await;
    let reply = token_json(
        &http(),
        &site.token(),
        &json!({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": CONF_ID,
            "client_secret": CONF_SECRET,
        }),
    )
    .await;
    reply.assert_ok();
    assert_eq!(reply.str("token_type"), "Bearer");
    assert_eq!(reply.json["patient"], EHR_PATIENT);
    assert_eq!(jwt_payload(reply.str("id_token"))["aud"], CONF_ID);
}

#[tokio::test]
async fn confidential_client_with_unencoded_basic_credentials() {
    let app = spawn_app().await;
    let http = http();
    // An unencoded `Basic id:secret` (seed 003); the secret has no `%`.
    let site = SiteUrls::sim(
        &app,
        &v2(&[
            (1, json!(EHR_PATIENT)),
            (2, json!(EHR_PROVIDER)),
            (9, json!("raw-app")),
            (10, json!("raw-Secret_123")),
            (14, json!(1)),
        ]),
    );
    let authz = Authz::new(&site, "launch").set("client_id", "raw-app");
    let code = code_for(&http, &authz, &Choices::default()).await;
    let reply = token_form(
        &http,
        &site.token(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        Some("Basic raw-app:raw-Secret_123"),
    )
    .await;
    reply.assert_ok();
    assert_eq!(reply.json["patient"], EHR_PATIENT);
}

#[tokio::test]
async fn confidential_client_with_encoded_basic_credentials_by_hand() {
    let app = spawn_app().await;
    let (site, code) = confidential_code(&app).await;
    let reply = token_form(
        &http(),
        &site.token(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        Some(&basic(CONF_ID, CONF_SECRET)),
    )
    .await;
    reply.assert_ok();
    assert!(
        reply.json.get("refresh_token").is_none(),
        "no offline/online access asked"
    );
}
