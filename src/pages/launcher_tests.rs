use askama::Template;
use url::Url;

use super::*;
use crate::directory::BuiltinDirectory;
use crate::launch::{decode, encode, LaunchType};

const BASE: &str = "http://127.0.0.1:8445";

fn q(pairs: &[(&str, &str)]) -> RemoteQuery {
    let s = serde_urlencoded::to_string(pairs).unwrap();
    serde_urlencoded::from_str(&s).unwrap()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn remote_launch_redirects_to_the_app_with_iss_and_launch() {
    let loc = remote_launch(
        BASE,
        &q(&[
            ("launch_uri", "https://app.example/launch?x=1&iss=old"),
            ("fhir_ver", "3"),
            ("patient", "pat-sofia-reyes"),
            ("provider", "prac-helen-carter"),
            ("fhir_server", "https://elsewhere.example/fhir"),
        ]),
    )
    .unwrap();
    let url = Url::parse(&loc).unwrap();
    assert_eq!(url.host_str(), Some("app.example"));
    assert_eq!(url.path(), "/launch");
    assert_eq!(param(&url, "x").as_deref(), Some("1"));
    assert_eq!(url.query_pairs().filter(|(k, _)| k == "iss").count(), 1);
    assert_eq!(
        param(&url, "iss").as_deref(),
        Some("http://127.0.0.1:8445/v/r3/fhir")
    );
    let opts = decode(&param(&url, "launch").unwrap()).unwrap();
    assert_eq!(opts.launch_type, LaunchType::ProviderEhr);
    assert_eq!(opts.patient, "pat-sofia-reyes");
    assert_eq!(opts.provider, "prac-helen-carter");
    assert_eq!(opts.encounter, "NONE", "as the SMART Health IT launcher");
    assert!(!opts.sim_ehr);
}

#[test]
fn remote_launch_with_sim_ehr_opens_the_ehr_frame() {
    let loc = remote_launch(
        "http://localhost:9/",
        &q(&[
            ("launch_uri", "http://localhost:3000/launch.html"),
            ("fhir_ver", "4"),
            ("encounter", "enc-leo-otitis"),
            ("sim_ehr", "true"),
        ]),
    )
    .unwrap();
    let url = Url::parse(&loc).unwrap();
    assert_eq!(url.path(), "/ehr");
    let app = Url::parse(&param(&url, "app").unwrap()).unwrap();
    assert_eq!(
        param(&app, "iss").as_deref(),
        Some("http://localhost:9/v/r4/fhir")
    );
    let opts = decode(&param(&app, "launch").unwrap()).unwrap();
    assert!(opts.sim_ehr);
    assert_eq!(opts.encounter, "enc-leo-otitis");
}

#[test]
fn remote_launch_rejects_bad_input_with_clear_messages() {
    let err = |pairs: &[(&str, &str)]| match remote_launch(BASE, &q(pairs)) {
        Err(PageError::BadRequest(m)) => m,
        Ok(loc) => panic!("accepted: {loc}"),
    };
    assert!(err(&[]).contains("launch_uri is required"));
    assert!(err(&[("launch_uri", "not a url")]).contains("not an absolute URL"));
    assert!(err(&[("launch_uri", "javascript:alert(1)")]).contains("http or https"));
    assert!(
        err(&[("launch_uri", "https://a.example/"), ("fhir_ver", "5")])
            .contains("fhir_ver must be 2, 3 or 4")
    );
    assert!(err(&[
        ("launch_uri", "https://a.example/"),
        ("launch_type", "backend-service")
    ])
    .contains("launch_type"));
}

#[test]
fn ehr_page_shows_the_pinned_patient_and_encounter() {
    let dir = BuiltinDirectory::default();
    let opts = crate::launch::LaunchOptions {
        patient: "pat-leo-marchetti".into(),
        provider: "prac-samuel-osei".into(),
        sim_ehr: true,
        ..Default::default()
    };
    let app = app_launch_url(
        &Url::parse("https://app.example/launch").unwrap(),
        "http://x/v/r4/fhir",
        &encode(&opts),
    );
    let page = EhrPage::new(app.as_str(), &dir).unwrap();
    assert_eq!(page.patient.as_ref().unwrap().name, "Leo Marchetti");
    assert!(
        page.encounter.contains("Well child visit"),
        "{}",
        page.encounter
    );
    assert!(page.warning.is_none());
    let html = page.render().unwrap();
    assert!(html.contains("Leo Marchetti"));
    assert!(html.contains("MRN-100234"));
    assert!(html.contains("<iframe"));
    assert!(html.contains("allow=\"clipboard-read"));
    // The app URL is attribute-escaped.
    assert!(html.contains(
        "src=\"https://app.example/launch?iss=http%3A%2F%2Fx%2Fv%2Fr4%2Ffhir&#38;launch="
    ));
}

#[test]
fn ehr_page_reads_a_standalone_iss_and_warns_without_sim_ehr() {
    let dir = BuiltinDirectory::default();
    let value = encode(&crate::launch::LaunchOptions {
        launch_type: LaunchType::PatientStandalone,
        patient: "pat-priya-raman".into(),
        encounter: "NONE".into(),
        ..Default::default()
    });
    let app = format!("https://app.example/launch?iss=http://x/v/r4/sim/{value}/fhir");
    let page = EhrPage::new(&app, &dir).unwrap();
    assert_eq!(page.patient.unwrap().name, "Priya Raman");
    assert_eq!(page.encounter, "No encounter");
    assert!(page.warning.is_some());
}

#[test]
fn ehr_page_refuses_non_web_urls() {
    let dir = BuiltinDirectory::default();
    for bad in ["", "javascript:alert(1)", "data:text/html,hi", "/relative"] {
        assert!(EhrPage::new(bad, &dir).is_err(), "{bad}");
    }
}

#[test]
fn launcher_page_lists_the_sandbox_people_and_safe_json() {
    let dir = BuiltinDirectory::default();
    let page = LauncherPage::new("http://h:1/", &dir);
    assert_eq!(page.base_url, "http://h:1");
    let html = page.render().unwrap();
    assert!(html.contains("value=\"pat-sofia-reyes\""));
    assert!(html.contains("value=\"prac-helen-carter\""));
    assert!(html.contains("Backend service"));
    assert!(html.contains("value=\"http://h:1/sample-app/launch\""));
    assert!(page.encounters_json.contains("enc-leo-otitis"));
    assert_eq!(script_json(&"</script>"), "\"\\u003c/script>\"");
}

#[test]
fn error_and_sample_pages_render() {
    let html = PageErrorPage {
        status: 400,
        title: "Bad".into(),
        message: "<b>x</b>".into(),
        help: "Help.".into(),
    }
    .render()
    .unwrap();
    assert!(html.contains("&#60;b&#62;x&#60;/b&#62;"));
    assert!(SampleAppPage { mode: "launch" }
        .render()
        .unwrap()
        .contains("data-mode=\"launch\""));
    assert!(SampleBackendPage {
        base_url: "http://h".into()
    }
    .render()
    .unwrap()
    .contains("data-base-url=\"http://h\""));
}
