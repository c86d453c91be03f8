//! Access control at the FHIR API with tokens from real launches (SMART
//! App Launch 2.2 scopes; RFC 6750): 401 for missing, bad, expired or
//! foreign tokens; patient compartment confinement; per-interaction
//! permissions; v2 constraints; v1 scopes.

mod common;

use common::fhir::{get, spawn_fhir, token, token_with, A_OBS, PAT_A, PAT_B, PRAC};
use common::flows::{v2, SiteUrls};
use common::TEST_SECRET;
use serde_json::json;
use smart_sandbox::keys::Hs256;
use smart_sandbox::oauth::tokens::{AccessClaims, Grant, LaunchContext, TokenKind};

fn minted(aud: &str, exp_from_now: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = AccessClaims {
        tt: TokenKind::Access,
        jti: "test".into(),
        iat: now - 10,
        exp: now + exp_from_now,
        grant: Grant {
            gid: "g".into(),
            client_id: "app".into(),
            scope: "user/*.rs".into(),
            aud: aud.into(),
            user: None,
            ctx: LaunchContext::default(),
        },
        sim_error: None,
    };
    Hs256::new(TEST_SECRET.as_bytes()).sign(&claims)
}

#[tokio::test]
async fn bad_tokens_are_401_with_a_bearer_challenge() {
    let (app, _) = spawn_fhir().await;
    let base = SiteUrls::plain(&app).fhir();
    let url = format!("{base}/Patient/{PAT_A}");
    let none = get(&url, None, &[]).await;
    none.assert_outcome(401);
    assert!(none
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    let search = get(&format!("{base}/Observation"), None, &[]).await;
    search.assert_outcome(401);
    for bad in [Some("garbage"), None] {
        let t = bad.map_or_else(|| minted(&base, -5), str::to_string);
        let r = get(&url, Some(&t), &[]).await;
        r.assert_outcome(401);
        let challenge = r.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with("Bearer") && challenge.contains("invalid_token"),
            "{challenge}"
        );
    }
    // Wrong release: not this server's token.
    let r3 = minted(&base.replace("/v/r4/", "/v/r3/"), 600);
    assert!(get(&url, Some(&r3), &[])
        .await
        .assert_outcome(401)
        .contains("/v/r3/"));
    // Same release, with or without a sim segment: fine.
    get(&url, Some(&minted(&base, 600)), &[]).await.assert_ok();
    let sim_aud = base.replace("/v/r4/", "/v/r4/sim/abc/");
    get(&url, Some(&minted(&sim_aud, 600)), &[])
        .await
        .assert_ok();
    // metadata and discovery stay open even with a bad token.
    get(&format!("{base}/metadata"), Some("garbage"), &[])
        .await
        .assert_ok();
}

#[tokio::test]
async fn simulated_request_errors_break_fhir_calls() {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    for (err, word) in [
        ("request_invalid_token", "invalid"),
        ("request_expired_token", "expired"),
    ] {
        let t = token_with(&site, "patient/*.read", PAT_A, &[(11, json!(err))]).await;
        let r = get(&format!("{}/Patient/{PAT_A}", site.fhir()), Some(&t), &[]).await;
        assert!(r.assert_outcome(401).contains(word), "{err}: {}", r.body);
        assert!(r
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token"));
    }
}

#[tokio::test]
async fn a_token_from_a_sim_base_works_at_the_plain_base_and_back() {
    let (app, _) = spawn_fhir().await;
    let sim = SiteUrls::sim(&app, &v2(&[(1, json!(PAT_A))]));
    let plain = SiteUrls::plain(&app);
    let t = token(&sim, "patient/*.read", PAT_A).await;
    get(&format!("{}/Patient/{PAT_A}", plain.fhir()), Some(&t), &[])
        .await
        .assert_ok();
    let t = token(&plain, "patient/*.read", PAT_A).await;
    get(&format!("{}/Patient/{PAT_A}", sim.fhir()), Some(&t), &[])
        .await
        .assert_ok();
}

#[tokio::test]
async fn patient_scopes_confine_to_the_launch_patient() {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let base = site.fhir();
    let t = token(&site, "patient/*.rs", PAT_A).await;
    get(&format!("{base}/Observation/obs-a00"), Some(&t), &[])
        .await
        .assert_ok();
    // Another patient's data: not found, existence not revealed.
    get(&format!("{base}/Observation/obs-b0"), Some(&t), &[])
        .await
        .assert_outcome(404);
    get(&format!("{base}/Patient/{PAT_B}"), Some(&t), &[])
        .await
        .assert_outcome(404);
    get(
        &format!("{base}/Observation/obs-b0/_history/1"),
        Some(&t),
        &[],
    )
    .await
    .assert_outcome(404);
    get(
        &format!("{base}/Patient/{PAT_B}/$everything"),
        Some(&t),
        &[],
    )
    .await
    .assert_outcome(404);
    // Searches never return it.
    let r = get(
        &format!("{base}/Observation?patient={PAT_B}"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!((r.body["total"].as_u64(), r.ids().len()), (Some(0), 0));
    let r = get(&format!("{base}/Observation?_count=100"), Some(&t), &[]).await;
    assert_eq!(r.ids().len(), A_OBS);
    assert!(r.ids().iter().all(|id| id.starts_with("obs-a")));
    let r = get(&format!("{base}/Patient"), Some(&t), &[]).await;
    assert_eq!(r.ids(), vec![PAT_A]);
    let r = get(&format!("{base}/Encounter?_id=enc-b1"), Some(&t), &[]).await;
    assert!(r.ids().is_empty());
    // Shared reference data outside the compartment stays readable.
    get(&format!("{base}/Practitioner/{PRAC}"), Some(&t), &[])
        .await
        .assert_ok();
    // What it drags in through _revinclude is confined again.
    let url = format!("{base}/Practitioner?_id={PRAC}&_revinclude=Encounter:participant");
    let r = get(&url, Some(&t), &[]).await;
    assert_eq!(r.mode_ids("include"), vec!["enc-a1", "enc-a2"]);
}

#[tokio::test]
async fn permissions_are_enforced_per_interaction() {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let base = site.fhir();
    let t = token(&site, "patient/Observation.r", PAT_A).await;
    get(&format!("{base}/Observation/obs-a00"), Some(&t), &[])
        .await
        .assert_ok();
    get(
        &format!("{base}/Observation/obs-a00/_history"),
        Some(&t),
        &[],
    )
    .await
    .assert_ok();
    let r = get(
        &format!("{base}/Observation?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await;
    let msg = r.assert_outcome(403);
    assert!(msg.contains("patient/Observation.s"), "{msg}");
    let msg = get(&format!("{base}/Condition/cond-a1"), Some(&t), &[])
        .await
        .assert_outcome(403);
    assert!(msg.contains("patient/Condition.r"), "{msg}");
    // Includes of types the token cannot see are dropped.
    let t = token(&site, "patient/Observation.rs", PAT_A).await;
    let r = get(
        &format!("{base}/Observation?_id=obs-a00&_include=Observation:patient"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(
        (r.ids(), r.mode_ids("include")),
        (vec!["obs-a00".to_string()], vec![])
    );
}

#[tokio::test]
async fn v2_constraints_filter_searches_and_refuse_reads() {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let base = site.fhir();
    let t = token(&site, "patient/Observation.rs?category=laboratory", PAT_A).await;
    let r = get(
        &format!("{base}/Observation?patient={PAT_A}&_count=100"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(
        r.ids(),
        (0..8).map(|i| format!("obs-a{i:02}")).collect::<Vec<_>>()
    );
    get(&format!("{base}/Observation/obs-a00"), Some(&t), &[])
        .await
        .assert_ok();
    let msg = get(&format!("{base}/Observation/obs-a09"), Some(&t), &[])
        .await
        .assert_outcome(403);
    assert!(msg.contains("category=laboratory"), "{msg}");
    // Two constraint scopes: either suffices.
    let both = token(
        &site,
        "patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs",
        PAT_A,
    )
    .await;
    let r = get(
        &format!("{base}/Observation?_summary=count"),
        Some(&both),
        &[],
    )
    .await;
    assert_eq!(r.body["total"], A_OBS);
}

#[tokio::test]
async fn user_scopes_see_everything_and_v1_scopes_work() {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let base = site.fhir();
    let user = token(&site, "user/*.read", PAT_A).await;
    let r = get(
        &format!("{base}/Observation?_summary=count"),
        Some(&user),
        &[],
    )
    .await;
    assert_eq!(r.body["total"], A_OBS + 3);
    get(&format!("{base}/Observation/obs-b0"), Some(&user), &[])
        .await
        .assert_ok();
    let v1 = token(&site, "patient/*.read", PAT_A).await;
    let r = get(&format!("{base}/Condition?patient={PAT_A}"), Some(&v1), &[]).await;
    assert_eq!(r.ids(), vec!["cond-a1", "cond-a2"]);
    get(&format!("{base}/Patient/{PAT_A}"), Some(&v1), &[])
        .await
        .assert_ok();
    let write_only = token(&site, "patient/*.write", PAT_A).await;
    get(&format!("{base}/Patient/{PAT_A}"), Some(&write_only), &[])
        .await
        .assert_outcome(403);
}
