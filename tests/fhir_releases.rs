//! FHIR DSTU2 (`/v/r2`) and STU3 (`/v/r3`) end to end over the embedded
//! fixtures: launches at the release's authorization server, then reads,
//! searches, paging, `$everything`, metadata, access control and writes.

mod common;

use common::fhir::{get, token, PAT_A, PAT_B, PRAC};
use common::flows::{code_for, exchange_public, http, Authz, Choices, SiteUrls};
use common::{spawn_with, test_config};
use serde_json::Value;

/// A standalone launch (provider login, patient picker) at `site`.
async fn standalone(site: &SiteUrls, scope: &str, patient: &str) -> String {
    let http = http();
    let authz = Authz::new(site, scope);
    let choices = Choices {
        provider: Some(PRAC.into()),
        ..Choices::patient(patient)
    };
    let code = code_for(&http, &authz, &choices).await;
    let reply = exchange_public(&http, site, &code, None).await;
    reply.assert_ok();
    reply.str("access_token").to_string()
}

#[tokio::test]
async fn r2_ehr_launch_reads_dstu2() {
    let app = spawn_with(test_config()).await;
    let s = SiteUrls::at(&app, "r2", None);
    let fhir = s.fhir();
    let t = token(&s, "patient/*.read", PAT_A).await;

    let p = get(&format!("{fhir}/Patient/{PAT_A}"), Some(&t), &[]).await;
    p.assert_ok();
    assert_eq!(p.body["resourceType"], "Patient");
    assert_eq!(p.body["id"], PAT_A);

    let mo = get(
        &format!("{fhir}/MedicationOrder?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await;
    mo.assert_ok();
    let entries = mo.entries();
    assert!(!entries.is_empty(), "{}", mo.body);
    for e in &entries {
        assert_eq!(e["resource"]["resourceType"], "MedicationOrder");
        let id = e["resource"]["id"].as_str().unwrap();
        assert_eq!(e["fullUrl"], format!("{fhir}/MedicationOrder/{id}"));
        assert!(e["resource"].get("intent").is_none());
        let one = get(&format!("{fhir}/MedicationOrder/{id}"), Some(&t), &[]).await;
        one.assert_ok();
        assert_eq!(one.body["resourceType"], "MedicationOrder");
    }
    let self_link = mo.link("self").unwrap();
    assert!(
        self_link.starts_with(&format!("{fhir}/MedicationOrder?")),
        "{self_link}"
    );
    // DSTU2 parameter names: `datewritten` is R4 `authoredon`.
    let dated = get(
        &format!("{fhir}/MedicationOrder?patient={PAT_A}&datewritten=ge1900"),
        Some(&t),
        &[],
    )
    .await;
    dated.assert_ok();
    assert_eq!(dated.ids(), mo.ids());
    assert!(dated.link("self").unwrap().contains("datewritten=ge1900"));

    let obs = get(
        &format!("{fhir}/Observation?patient={PAT_A}&_count=5"),
        Some(&t),
        &[],
    )
    .await;
    obs.assert_ok();
    assert_eq!(obs.ids().len(), 5);
    let next = obs.link("next").expect("a next page");
    assert!(next.starts_with(&format!("{fhir}/Observation?")), "{next}");
    let page2 = get(&next, Some(&t), &[]).await;
    page2.assert_ok();
    assert_eq!(page2.ids().len(), 5);
    assert!(page2.ids().iter().all(|id| !obs.ids().contains(id)));
    assert!(page2.link("previous").unwrap().starts_with(&fhir));

    // Immunization is R4 only.
    let imm = get(
        &format!("{fhir}/Immunization?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await;
    imm.assert_outcome(404);
    // $everything leaves out what DSTU2 does not serve, and says so in total.
    let all = get(
        &format!("{fhir}/Patient/{PAT_A}/$everything"),
        Some(&t),
        &[],
    )
    .await;
    all.assert_ok();
    let kinds: Vec<Value> = all
        .entries()
        .iter()
        .map(|e| e["resource"]["resourceType"].clone())
        .collect();
    assert!(kinds.iter().any(|k| k == "MedicationOrder"));
    assert!(!kinds
        .iter()
        .any(|k| k == "Immunization" || k == "MedicationRequest"));
    assert!(all.link("self").unwrap().contains("/v/r2/fhir/Patient/"));
    assert!(!all.link("self").unwrap().contains("_type"));
}

#[tokio::test]
async fn r2_patient_token_stays_in_its_compartment() {
    let app = spawn_with(test_config()).await;
    let s = SiteUrls::at(&app, "r2", None);
    let fhir = s.fhir();
    let t = token(
        &s,
        "patient/Patient.read patient/MedicationOrder.read",
        PAT_A,
    )
    .await;
    get(&format!("{fhir}/Patient/{PAT_B}"), Some(&t), &[])
        .await
        .assert_outcome(404);
    let other = get(
        &format!("{fhir}/MedicationOrder?patient={PAT_B}"),
        Some(&t),
        &[],
    )
    .await;
    assert!(
        other.ids().is_empty() || other.status != 200,
        "{}",
        other.body
    );
    // The DSTU2 scope name covers MedicationOrder (R4 MedicationRequest).
    let mine = get(
        &format!("{fhir}/MedicationOrder?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await;
    mine.assert_ok();
    assert!(!mine.ids().is_empty());
    // ... and nothing else.
    let diag = get(&format!("{fhir}/Condition?patient={PAT_A}"), Some(&t), &[])
        .await
        .assert_outcome(403);
    assert!(diag.contains("Condition"), "{diag}");
    // An r4 token is not good at r2.
    let r4 = token(
        &SiteUrls {
            base: app.base.clone(),
            prefix: format!("{}/v/r4", app.base),
        },
        "patient/*.read",
        PAT_A,
    )
    .await;
    get(&format!("{fhir}/Patient/{PAT_A}"), Some(&r4), &[])
        .await
        .assert_outcome(401);
    // Writes are R4 only.
    let put = http()
        .put(format!("{fhir}/Patient/{PAT_A}"))
        .bearer_auth(&t)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 405);
}

#[tokio::test]
async fn r3_standalone_reads_stu3() {
    let app = spawn_with(test_config()).await;
    let s = SiteUrls::at(&app, "r3", None);
    let fhir = s.fhir();
    let t = standalone(&s, "launch/patient patient/*.read openid fhirUser", PAT_A).await;
    let conds = get(&format!("{fhir}/Condition?patient={PAT_A}"), Some(&t), &[]).await;
    conds.assert_ok();
    assert!(!conds.entries().is_empty());
    for e in conds.entries() {
        let c = &e["resource"];
        assert!(c["clinicalStatus"].is_string(), "{c}");
        assert!(c["verificationStatus"].is_string(), "{c}");
    }
    let allergies = get(
        &format!("{fhir}/AllergyIntolerance?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await;
    allergies.assert_ok();
    for e in allergies.entries() {
        assert!(
            e["resource"]["verificationStatus"].is_string(),
            "{}",
            e["resource"]
        );
    }
    let mr = get(
        &format!("{fhir}/MedicationRequest?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await;
    mr.assert_ok();
    assert!(!mr.ids().is_empty());
    get(
        &format!("{fhir}/MedicationOrder?patient={PAT_A}"),
        Some(&t),
        &[],
    )
    .await
    .assert_outcome(404);
}

#[tokio::test]
async fn metadata_per_release() {
    let app = spawn_with(test_config()).await;
    for (rel, kind, version, order) in [
        ("r2", "Conformance", "1.0.2", "MedicationOrder"),
        ("r3", "CapabilityStatement", "3.0.2", "MedicationRequest"),
    ] {
        let s = SiteUrls::at(&app, rel, None);
        let m = get(&format!("{}/metadata", s.fhir()), None, &[]).await;
        m.assert_ok();
        assert_eq!(m.body["resourceType"], kind);
        assert_eq!(m.body["fhirVersion"], version);
        let sec = &m.body["rest"][0]["security"];
        let coding = &sec["service"][0]["coding"][0];
        assert_eq!(
            coding["system"],
            "http://hl7.org/fhir/restful-security-service"
        );
        assert_eq!(coding["code"], "SMART-on-FHIR");
        let ext = &sec["extension"][0]["extension"];
        assert_eq!(ext[0]["valueUri"], s.authorize());
        assert_eq!(ext[1]["valueUri"], s.token());
        let types: Vec<&str> = m.body["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["type"].as_str())
            .collect();
        assert!(types.contains(&order) && types.contains(&"Patient"));
        assert!(!types.contains(&"Immunization"));
    }
}

/// The seed 000 flow: `/v/r2/sim/eyJoIjoiMSIsImoiOiIxIn0` (provider
/// standalone launch, consent skipped), token, then a FHIR read.
#[tokio::test]
async fn seed_000_style_r2_sim_flow() {
    let app = spawn_with(test_config()).await;
    let s = SiteUrls::at(&app, "r2", Some("eyJoIjoiMSIsImoiOiIxIn0"));
    let http = http();
    let authz = Authz::new(
        &s,
        "openid profile offline_access user/*.* patient/*.* launch/patient",
    );
    let choices = Choices {
        patient: Some(PAT_A.into()),
        provider: Some(PRAC.into()),
        ..Default::default()
    };
    let code = code_for(&http, &authz, &choices).await;
    let reply = exchange_public(&http, &s, &code, None).await;
    reply.assert_ok();
    assert_eq!(reply.str("patient"), PAT_A);
    let t = reply.str("access_token").to_string();
    let p = get(&format!("{}/Patient/{PAT_A}", s.fhir()), Some(&t), &[]).await;
    p.assert_ok();
    assert_eq!(p.body["id"], PAT_A);
    let conds = get(
        &format!("{}/Condition?patient={PAT_A}&_count=2", s.fhir()),
        Some(&t),
        &[],
    )
    .await;
    conds.assert_ok();
    assert!(conds.link("self").unwrap().starts_with(&s.fhir()));
    assert!(
        conds.entries()[0]["resource"].get("dateRecorded").is_some()
            || conds.entries()[0]["resource"]["clinicalStatus"].is_string()
    );
}
