use askama::Template;

use super::*;
use crate::directory::{BuiltinDirectory, Directory};

const EVIL: &str = "x\"><script>alert(1)</script>";

fn form(screen: &'static str) -> FormContext {
    FormContext {
        action: "/auth/authorize".into(),
        hidden: vec![
            ("response_type".into(), "code".into()),
            ("client_id".into(), "growth-chart".into()),
            (
                "redirect_uri".into(),
                "https://app.example.org/callback".into(),
            ),
            (
                "scope".into(),
                "launch/patient patient/*.rs openid fhirUser".into(),
            ),
            ("state".into(), EVIL.into()),
        ],
        flow: "eyJmbG93IjoxfQ.c2ln".into(),
        screen,
    }
}

fn dir() -> BuiltinDirectory {
    BuiltinDirectory::default()
}

/// Things every screen must get right: the form contract and escaping.
fn assert_form_contract(html: &str, screen: &str) {
    assert!(html.contains(r#"method="post" action="/auth/authorize""#));
    assert!(html.contains(r#"<input type="hidden" name="response_type" value="code">"#));
    assert!(html.contains(&format!(
        r#"<input type="hidden" name="_screen" value="{screen}">"#
    )));
    assert!(html.contains(r#"<input type="hidden" name="_flow" value="eyJmbG93IjoxfQ.c2ln">"#));
    assert!(html
        .contains(r#"name="state" value="x&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;""#));
    assert!(!html.contains("<script>"));
    assert!(!html.contains("\"><script"));
    assert_labels_bound(html);
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains(r#"<main id="main""#));
}

/// Every visible input has a `<label for>` naming its id.
fn assert_labels_bound(html: &str) {
    for chunk in html.split("<input").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        if tag.contains(r#"type="hidden""#) {
            continue;
        }
        let id = tag
            .split(r#"id=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("input without id: {tag}"));
        assert!(
            html.contains(&format!(r#"<label for="{id}">"#)),
            "no label for {id}"
        );
    }
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[test]
fn patient_login_lists_patients_with_mrn() {
    let page = LoginPage {
        form: form("patient-login"),
        role: LoginRole::Patient,
        users: dir().patients(),
        client_id: "growth-chart".into(),
        error: None,
        pager: None,
    };
    let html = page.render().unwrap();
    assert_form_contract(&html, "patient-login");
    assert_eq!(count(&html, r#"type="radio" name="patient""#), 10);
    assert!(!html.contains(r#"name="provider""#));
    assert!(html.contains(r#"value="pat-leo-marchetti""#));
    assert!(html.contains("MRN-100234"));
    assert!(html.contains(r#"name="password""#));
    assert!(html.contains("Sandbox: any password works"));
    assert!(html.contains(">Sign in</button>"));
    assert!(!html.contains(" checked"));
    assert!(!html.contains(r#"role="alert""#));
}

#[test]
fn provider_login_with_single_user_preselects_it_and_shows_error() {
    let page = LoginPage {
        form: form("provider-login"),
        role: LoginRole::Provider,
        users: vec![dir().practitioner("prac-helen-carter").unwrap()],
        client_id: "growth-chart".into(),
        error: Some("Please choose an account".into()),
        pager: None,
    };
    let html = page.render().unwrap();
    assert_form_contract(&html, "provider-login");
    assert_eq!(count(&html, r#"type="radio" name="provider""#), 1);
    assert!(html.contains(" checked>"));
    assert!(html.contains("Family medicine"));
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains("Please choose an account"));
}

#[test]
fn patient_picker_has_radio_per_patient() {
    let mut patients = dir().patients();
    patients[0].name = EVIL.into();
    let page = PatientPickerPage {
        form: form("patient-picker"),
        patients,
        client_id: "growth-chart".into(),
        error: Some("Please choose a patient".into()),
        pager: None,
    };
    let html = page.render().unwrap();
    assert_form_contract(&html, "patient-picker");
    assert_eq!(count(&html, r#"type="radio" name="patient""#), 10);
    assert!(html.contains(r#"<script src="/static/picker.js" defer></script>"#));
    assert!(html.contains("Born 12 Jun 2020"));
    assert!(html.contains("Please choose a patient"));
    assert!(html.contains(">Select patient</button>"));
}

#[test]
fn encounter_picker_offers_none() {
    let d = dir();
    let patient = d.patient("pat-priya-raman").unwrap();
    let encounters = d.encounters(&patient.id);
    let page = EncounterPickerPage {
        form: form("encounter-picker"),
        patient,
        encounters,
        client_id: "growth-chart".into(),
        error: None,
    };
    let html = page.render().unwrap();
    assert_form_contract(&html, "encounter-picker");
    assert_eq!(count(&html, r#"type="radio" name="encounter""#), 5);
    assert!(html.contains(r#"value="NONE""#));
    assert!(html.contains("No encounter"));
    assert!(html.contains("Priya Raman"));
    assert!(html.contains(r#"value="enc-priya-migraine""#));
    assert!(html.contains("14 Sep 2026, 09:00 UTC"));
    assert!(html.contains(">Continue</button>"));
    let newest = html.find("enc-priya-diabetes-2026").unwrap();
    let oldest = html.find("enc-priya-diabetes-2025\"").unwrap();
    assert!(newest < oldest);
}

#[test]
fn encounter_picker_without_encounters_still_submits() {
    let page = EncounterPickerPage {
        form: form("encounter-picker"),
        patient: dir().patient("pat-leo-marchetti").unwrap(),
        encounters: vec![],
        client_id: "growth-chart".into(),
        error: None,
    };
    let html = page.render().unwrap();
    assert!(html.contains(r#"id="encounter-none" value="NONE" required>"#));
}

#[test]
fn consent_lists_every_scope_with_explanation() {
    let d = dir();
    let scopes: Vec<ScopeExplanation> = [
        "openid",
        "fhirUser",
        "launch/patient",
        "patient/Observation.rs",
        "patient/Condition.rs?category=problem-list-item",
        "offline_access",
        "made-up",
    ]
    .into_iter()
    .map(ScopeExplanation::new)
    .collect();
    let page = ConsentPage {
        form: form("consent"),
        client_id: "growth-chart".into(),
        user: d.practitioner("prac-samuel-osei"),
        patient: d.patient("pat-leo-marchetti"),
        scopes: scopes.clone(),
        redirect_host: "app.example.org".into(),
    };
    let html = page.render().unwrap();
    assert_form_contract(&html, "consent");
    for s in &scopes {
        assert!(html.contains(&s.text), "missing {}", s.text);
        assert!(html.contains(&format!("<code class=\"scopes__raw\">{}</code>", s.scope)));
    }
    assert!(html.contains("Read and search your observations (lab results, vital signs)"));
    assert!(html.contains("Access: made-up"));
    assert!(html.contains(r#"name="decision" value="approve""#));
    assert!(html.contains(r#"name="decision" value="deny""#));
    assert!(html.contains(">Allow</button>"));
    assert!(html.contains(">Deny</button>"));
    assert!(html.contains("app.example.org"));
    assert!(html.contains("Dr. Samuel Osei"));
    assert!(html.contains("Leo Marchetti"));
}

#[test]
fn consent_without_user_or_patient() {
    let page = ConsentPage {
        form: form("consent"),
        client_id: EVIL.into(),
        user: None,
        patient: None,
        scopes: vec![],
        redirect_host: "localhost:9000".into(),
    };
    let html = page.render().unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("Nobody"));
    assert!(!html.contains("<dt>Patient</dt>"));
}

#[test]
fn error_page_shows_status_and_escaped_detail() {
    let page = ErrorPage {
        status: 400,
        title: "Unknown client".into(),
        message: "No app is registered with this client_id.".into(),
        detail: Some(format!("client_id={EVIL}")),
    };
    let html = page.render().unwrap();
    assert!(html.contains("Error 400"));
    assert!(html.contains("<h1>Unknown client</h1>"));
    assert!(html.contains("<pre class=\"detail\">client_id=x&#34;&#62;&#60;script&#62;"));
    assert!(!html.contains("<script>"));
    let html = ErrorPage {
        detail: None,
        ..page
    }
    .render()
    .unwrap();
    assert!(!html.contains("<pre"));
}

#[test]
fn static_assets_are_exact_names_only() {
    let (ct, css) = static_asset("style.css").unwrap();
    assert!(ct.starts_with("text/css"));
    assert!(!css.is_empty());
    assert!(static_asset("picker.js")
        .unwrap()
        .0
        .starts_with("text/javascript"));
    assert_eq!(static_asset("favicon.svg").unwrap().0, "image/svg+xml");
    for bad in [
        "",
        "../Cargo.toml",
        "/style.css",
        "style.css/",
        "STYLE.CSS",
        "nope.css",
    ] {
        assert!(static_asset(bad).is_none(), "{bad}");
    }
}

/// Writes every screen to /tmp/pages-preview for a visual check:
/// `cargo test -- --ignored write_previews`.
#[test]
#[ignore]
fn write_previews() {
    let d = dir();
    let out = std::path::Path::new("/tmp/pages-preview");
    std::fs::create_dir_all(out).unwrap();
    for name in ["style.css", "picker.js"] {
        std::fs::write(out.join(name), static_asset(name).unwrap().1).unwrap();
    }
    let fix = |html: String| html.replace("/static/", "");
    let scopes = [
        "openid",
        "fhirUser",
        "launch/patient",
        "patient/Patient.r",
        "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
        "patient/Condition.rs",
        "patient/MedicationRequest.read",
        "offline_access",
    ]
    .into_iter()
    .map(ScopeExplanation::new)
    .collect();
    let pages: Vec<(&str, String)> = vec![
        (
            "error",
            ErrorPage {
                status: 400,
                title: "Unregistered redirect URI".into(),
                message: "The redirect_uri in this request is not registered for the client growth-chart.".into(),
                detail: Some("redirect_uri: https://evil.example.com/cb\nregistered:   https://app.example.org/callback".into()),
            }
            .render()
            .unwrap(),
        ),
        (
            "login-patient",
            LoginPage {
                form: form("patient-login"),
                role: LoginRole::Patient,
                users: d.patients(),
                client_id: "growth-chart".into(),
                error: None,
                pager: None,
            }
            .render()
            .unwrap(),
        ),
        (
            "login-provider",
            LoginPage {
                form: form("provider-login"),
                role: LoginRole::Provider,
                users: d.practitioners(),
                client_id: "growth-chart".into(),
                error: Some("Please choose an account.".into()),
                pager: None,
            }
            .render()
            .unwrap(),
        ),
        (
            "patient-picker",
            PatientPickerPage {
                form: form("patient-picker"),
                patients: d.patients(),
                client_id: "growth-chart".into(),
                error: None,
                pager: None,
            }
            .render()
            .unwrap(),
        ),
        (
            "encounter-picker",
            EncounterPickerPage {
                form: form("encounter-picker"),
                patient: d.patient("pat-hannah-lindqvist").unwrap(),
                encounters: d.encounters("pat-hannah-lindqvist"),
                client_id: "growth-chart".into(),
                error: Some("Please choose an encounter.".into()),
            }
            .render()
            .unwrap(),
        ),
        (
            "consent",
            ConsentPage {
                form: form("consent"),
                client_id: "growth-chart".into(),
                user: d.practitioner("prac-samuel-osei"),
                patient: d.patient("pat-leo-marchetti"),
                scopes,
                redirect_host: "app.example.org".into(),
            }
            .render()
            .unwrap(),
        ),
    ];
    for (name, html) in pages {
        std::fs::write(out.join(format!("{name}.html")), fix(html)).unwrap();
    }
}

#[test]
fn search_and_pager_post_back_without_validation() {
    let page = PatientPickerPage {
        form: form("patient-picker"),
        patients: dir().patients(),
        client_id: "growth-chart".into(),
        error: None,
        pager: Some(Pager {
            noun: "patients",
            query: "an\"d".into(),
            offset: 20,
            total: 45,
            page_size: 20,
        }),
    };
    let html = page.render().unwrap();
    assert!(
        html.contains(r#"name="_q" value="an&#34;d""#)
            || html.contains(r#"name="_q" value="an&quot;d""#),
        "{html}"
    );
    assert!(html.contains(r#"name="_action" value="search" formnovalidate"#));
    assert!(html.contains(r#"name="_page" value="0" formnovalidate>Previous"#));
    assert!(html.contains(r#"name="_page" value="40" formnovalidate>Next"#));
    assert!(html.contains("Page 2 of 3"));
    assert!(html.contains("45 patients match"));
}
