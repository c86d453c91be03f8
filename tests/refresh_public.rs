//! RFC 6749 §6: a public client may refresh without sending client_id (the
//! official SMART JavaScript client, fhirclient, does exactly that); a
//! confidential one still has to authenticate.

mod common;

use common::flows::{code_for, exchange_public, http, token_form, v2, Authz, Choices, SiteUrls};
use serde_json::json;

const SCOPE: &str = "launch openid fhirUser patient/*.read offline_access";

async fn refresh_token(site: &SiteUrls) -> String {
    let code = code_for(&http(), &Authz::new(site, SCOPE), &Choices::default()).await;
    let reply = exchange_public(&http(), site, &code, None).await;
    reply.assert_ok();
    reply.str("refresh_token").to_string()
}

#[tokio::test]
async fn a_public_client_may_refresh_without_naming_itself() {
    let app = common::spawn_app().await;
    let site = SiteUrls::sim(
        &app,
        &v2(&[
            (1, json!("pat-kenji-watanabe")),
            (2, json!("prac-ines-duarte")),
        ]),
    );
    let token = refresh_token(&site).await;
    let reply = token_form(
        &http(),
        &site.token(),
        &[("grant_type", "refresh_token"), ("refresh_token", &token)],
        None,
    )
    .await;
    reply.assert_ok();
    assert_eq!(reply.str("patient"), "pat-kenji-watanabe");
}

#[tokio::test]
async fn a_confidential_client_must_still_authenticate_to_refresh() {
    let app = common::spawn_app().await;
    let site = SiteUrls::sim(
        &app,
        &v2(&[
            (1, json!("pat-kenji-watanabe")),
            (2, json!("prac-ines-duarte")),
            (10, json!("s3cret")),
            (14, json!(1)),
        ]),
    );
    let code = code_for(&http(), &Authz::new(&site, SCOPE), &Choices::default()).await;
    let reply = token_form(
        &http(),
        &site.token(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", common::flows::REDIRECT),
            ("client_id", common::flows::CLIENT),
            ("client_secret", "s3cret"),
        ],
        None,
    )
    .await;
    reply.assert_ok();
    let token = reply.str("refresh_token").to_string();
    token_form(
        &http(),
        &site.token(),
        &[("grant_type", "refresh_token"), ("refresh_token", &token)],
        None,
    )
    .await
    .assert_error(401, "invalid_client");
}
