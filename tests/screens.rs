//! Which login, picker and consent screens an authorize request passes
//! through, and the signed flow state that carries choices between them.

mod common;

use common::flows::{
    drive, exchange_public, http, jwt_payload, query, v2, Authz, Choices, SiteUrls, Step,
};
use common::spawn_app;
use serde_json::json;

const V1_PROVIDER_STANDALONE: &str = "eyJoIjoiMSIsImoiOiIxIn0";

#[tokio::test]
async fn v1_provider_standalone_shows_login_then_patient_picker_and_no_consent() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, V1_PROVIDER_STANDALONE);
    let authz = Authz::new(&site, "openid fhirUser launch/patient");
    let choices = Choices {
        provider: Some("prac-rajesh-menon".into()),
        patient: Some("pat-george-abernathy".into()),
        ..Default::default()
    };
    let (url, screens) = drive(&http, authz.send(&http).await, &choices).await;
    assert_eq!(screens, ["provider-login", "patient-picker"]);
    let code = query(&url).remove("code").expect("a code");
    let r = exchange_public(&http, &site, &code, None).await;
    r.assert_ok();
    assert_eq!(r.str("patient"), "pat-george-abernathy");
    assert!(
        r.json.get("encounter").is_none(),
        "no launch/encounter asked"
    );
    assert_eq!(
        jwt_payload(r.str("id_token"))["fhirUser"],
        format!("{}/Practitioner/prac-rajesh-menon", site.fhir())
    );
}

#[tokio::test]
async fn provider_standalone_without_skip_auth_shows_consent() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, &v2(&[(0, json!(2)), (2, json!("prac-helen-carter"))]));
    let authz = Authz::new(&site, "openid fhirUser launch/patient");
    let (_, screens) = drive(
        &http,
        authz.send(&http).await,
        &Choices::patient("pat-leo-marchetti"),
    )
    .await;
    assert_eq!(screens, ["patient-picker", "consent"]);
}

/// Encounter MANUAL with a pinned patient: the picker lists that patient's
/// encounters and the choice lands in the token response.
async fn manual_encounter(choice: &str) -> common::flows::TokenReply {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(
        &app,
        &v2(&[
            (1, json!("pat-leo-marchetti")),
            (2, json!("prac-samuel-osei")),
            (3, json!("MANUAL")),
        ]),
    );
    let authz = Authz::new(&site, "openid fhirUser launch/patient launch/encounter");
    let step = authz.send(&http).await;
    let Step::Screen(form, html) = &step else {
        panic!("expected the encounter picker, got {step:?}");
    };
    assert_eq!(form.screen(), "encounter-picker");
    for enc in [
        "enc-leo-marchetti-013",
        "enc-leo-marchetti-011",
        "enc-leo-marchetti-001",
    ] {
        assert!(html.contains(enc), "picker lists {enc}");
    }
    assert!(
        !html.contains("enc-sofia-reyes-009"),
        "only this patient's encounters"
    );
    let choices = Choices {
        encounter: Some(choice.into()),
        ..Default::default()
    };
    let (url, screens) = drive(&http, step, &choices).await;
    assert_eq!(screens, ["encounter-picker"]);
    let code = query(&url).remove("code").expect("a code");
    let r = exchange_public(&http, &site, &code, None).await;
    r.assert_ok();
    r
}

#[tokio::test]
async fn encounter_manual_shows_the_picker_and_uses_the_choice() {
    let r = manual_encounter("enc-leo-marchetti-011").await;
    assert_eq!(r.str("encounter"), "enc-leo-marchetti-011");
}

#[tokio::test]
async fn encounter_manual_allows_no_encounter() {
    let r = manual_encounter("NONE").await;
    assert!(r.json.get("encounter").is_none(), "{}", r.json);
    assert_eq!(r.str("patient"), "pat-leo-marchetti");
}

#[tokio::test]
async fn encounter_of_another_patient_is_refused_on_the_picker() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(
        &app,
        &v2(&[(1, json!("pat-leo-marchetti")), (3, json!("MANUAL"))]),
    );
    let form = Authz::new(&site, "launch launch/patient launch/encounter")
        .send(&http)
        .await
        .form();
    let again = form
        .submit(&http, &[("encounter", "enc-sofia-reyes-009")])
        .await;
    assert_eq!(again.screen_id(), Some("encounter-picker"));
}

#[tokio::test]
async fn encounter_none_and_id_need_no_picker() {
    let app = spawn_app().await;
    let http = http();
    for (setting, expected) in [
        ("NONE", None),
        ("enc-leo-marchetti-012", Some("enc-leo-marchetti-012")),
    ] {
        let site = SiteUrls::sim(
            &app,
            &v2(&[(1, json!("pat-leo-marchetti")), (3, json!(setting))]),
        );
        let authz = Authz::new(&site, "launch launch/encounter");
        let (url, screens) = drive(&http, authz.send(&http).await, &Choices::default()).await;
        assert!(screens.is_empty(), "{screens:?}");
        let code = query(&url).remove("code").unwrap();
        let r = exchange_public(&http, &site, &code, None).await;
        assert_eq!(r.json["encounter"].as_str(), expected, "{setting}");
    }
}

/// Provider login, then the patient picker: returns the request and the
/// picker's form (whose `_flow` records the chosen provider).
async fn picker_after_login(site: &SiteUrls, state: &str) -> (Authz, common::flows::Form) {
    let http = http();
    let authz = Authz::new(site, "openid fhirUser launch/patient").set("state", state);
    let login = authz.send(&http).await.form();
    assert_eq!(login.screen(), "provider-login");
    let picker = login
        .submit(
            &http,
            &[("provider", "prac-helen-carter"), ("password", "x")],
        )
        .await
        .form();
    assert_eq!(picker.screen(), "patient-picker");
    (authz, picker)
}

#[tokio::test]
async fn flow_state_from_another_request_is_ignored() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, V1_PROVIDER_STANDALONE);
    let (_, picker_a) = picker_after_login(&site, "state-A").await;
    let (authz_b, picker_b) = picker_after_login(&site, "state-B").await;

    // Request B's parameters with request A's flow state.
    let mut pairs = authz_b.params.clone();
    pairs.extend([
        ("_screen".to_string(), "patient-picker".to_string()),
        (
            "_flow".to_string(),
            picker_a.field("_flow").unwrap().to_string(),
        ),
        ("patient".to_string(), "pat-ruth-adeyemi".to_string()),
    ]);
    let step = common::flows::post_form(&http, &authz_b.endpoint, &pairs).await;
    assert_eq!(step.screen_id(), Some("provider-login"), "{step:?}");

    // Control: B's own flow state gets the code.
    let ok = picker_b
        .submit(&http, &[("patient", "pat-ruth-adeyemi")])
        .await;
    let q = query(&ok.redirect());
    assert_eq!(q.get("state").map(String::as_str), Some("state-B"));
    assert!(q.contains_key("code"));
}

#[tokio::test]
async fn tampered_flow_state_is_ignored() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, V1_PROVIDER_STANDALONE);
    let (_, mut picker) = picker_after_login(&site, "s").await;
    for (k, v) in picker.hidden.iter_mut() {
        if k == "_flow" {
            v.push('x');
        }
    }
    let step = picker
        .submit(&http, &[("patient", "pat-ruth-adeyemi")])
        .await;
    assert_eq!(step.screen_id(), Some("provider-login"), "{step:?}");
}

#[tokio::test]
async fn screen_choices_in_the_apps_own_url_are_not_applied() {
    // Patient portal pinning one patient with skip_login: only the consent
    // screen remains. An app must not approve it for the user by adding the
    // consent form's fields to its authorize URL.
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(
        &app,
        &v2(&[
            (0, json!(1)),
            (1, json!("pat-hannah-lindqvist")),
            (4, json!(1)),
        ]),
    );
    let plain = Authz::new(&site, "openid fhirUser launch");
    assert_eq!(plain.send(&http).await.screen_id(), Some("consent"));
    let injected = plain.set("_screen", "consent").set("decision", "approve");
    let step = injected.send(&http).await;
    assert_eq!(step.screen_id(), Some("consent"), "{step:?}");
}

#[tokio::test]
async fn unknown_choice_brings_the_screen_back_with_an_error() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, &v2(&[(0, json!(3))]));
    let login = Authz::new(&site, "openid fhirUser launch/patient")
        .send(&http)
        .await
        .form();
    assert_eq!(login.screen(), "patient-login");
    let step = login
        .submit(&http, &[("patient", "pat-does-not-exist")])
        .await;
    assert_eq!(step.screen_id(), Some("patient-login"));
}

#[tokio::test]
async fn patient_portal_with_one_patient_skip_login_and_skip_auth_needs_no_screen() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(
        &app,
        &v2(&[
            (0, json!(1)),
            (1, json!("pat-hannah-lindqvist")),
            (4, json!(1)),
            (5, json!(1)),
        ]),
    );
    let authz = Authz::new(&site, "openid fhirUser launch");
    let (url, screens) = drive(&http, authz.send(&http).await, &Choices::default()).await;
    assert!(screens.is_empty(), "{screens:?}");
    let code = query(&url).remove("code").unwrap();
    let r = exchange_public(&http, &site, &code, None).await;
    assert_eq!(r.str("patient"), "pat-hannah-lindqvist");
    assert_eq!(r.str("encounter"), "enc-hannah-lindqvist-014");
    assert_eq!(
        jwt_payload(r.str("id_token"))["fhirUser"],
        format!("{}/Patient/pat-hannah-lindqvist", site.fhir())
    );
}

#[tokio::test]
async fn provider_ehr_without_openid_needs_no_login() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, &v2(&[(1, json!("pat-marcus-bell"))]));
    let authz = Authz::new(&site, "launch patient/*.read");
    let (_, screens) = drive(&http, authz.send(&http).await, &Choices::default()).await;
    assert!(screens.is_empty(), "{screens:?}");
    let with_openid = Authz::new(&site, "openid fhirUser launch patient/*.read");
    assert_eq!(
        with_openid.send(&http).await.screen_id(),
        Some("provider-login")
    );
}

#[tokio::test]
async fn launch_parameter_wins_over_the_sim_segment() {
    let app = spawn_app().await;
    let http = http();
    // {sim} says patient standalone (login + consent); the launch parameter
    // says provider EHR with everything pinned (no screens).
    let site = SiteUrls::sim(&app, &v2(&[(0, json!(3))]));
    let launch = v2(&[
        (1, json!("pat-marcus-bell")),
        (2, json!("prac-samuel-osei")),
    ]);
    let authz = Authz::new(&site, "openid fhirUser launch").set("launch", &launch);
    let (url, screens) = drive(&http, authz.send(&http).await, &Choices::default()).await;
    assert!(screens.is_empty(), "{screens:?}");
    let code = query(&url).remove("code").unwrap();
    let r = exchange_public(&http, &site, &code, None).await;
    assert_eq!(r.str("patient"), "pat-marcus-bell");
}

#[tokio::test]
async fn patient_picker_searches_and_pages_the_whole_directory() {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, &v2(&[(2, json!("prac-helen-carter"))]));
    let step = Authz::new(&site, "launch/patient patient/*.read")
        .send(&http)
        .await;
    let Step::Screen(form, html) = step else {
        panic!("expected the patient picker, got {step:?}");
    };
    assert_eq!(form.screen(), "patient-picker");
    assert!(
        html.contains("Page 1 of 3"),
        "60 fixture patients, 20 a page"
    );
    assert_eq!(html.matches(r#"type="radio" name="patient""#).count(), 20);
    assert!(
        !html.contains("pat-milo-achebe"),
        "the 45th patient is not on page 1"
    );

    let Step::Screen(form, html) = form.submit(&http, &[("_page", "40")]).await else {
        panic!("paging shows the picker again");
    };
    assert!(html.contains("Page 3 of 3"));
    assert!(!html.contains(">Next</button>"));
    assert!(html.contains("pat-milo-achebe"));

    let Step::Screen(form, html) = form
        .submit(&http, &[("_action", "search"), ("_q", "MARCHETTI")])
        .await
    else {
        panic!("searching shows the picker again");
    };
    assert_eq!(html.matches(r#"type="radio" name="patient""#).count(), 1);
    assert!(html.contains(r#"value="pat-leo-marchetti""#));
    assert!(
        !html.contains("Please choose"),
        "a search is not a failed choice"
    );

    let url = form
        .submit(&http, &[("patient", "pat-leo-marchetti")])
        .await
        .redirect();
    let code = query(&url).remove("code").expect("a code after choosing");
    let r = exchange_public(&http, &site, &code, None).await;
    assert_eq!(r.str("patient"), "pat-leo-marchetti");
}
