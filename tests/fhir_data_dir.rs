//! `--data DIR` end to end: a folder with a Synthea-style transaction Bundle
//! (urn:uuid references) and an NDJSON file with one bad line is served by
//! the FHIR API, and the login screens list its patients; the bad line is
//! skipped and the server still starts.

mod common;

use common::fhir::{get, token};
use common::flows::SiteUrls;
use common::{spawn_with, test_config};
use serde_json::json;

#[tokio::test]
async fn a_data_folder_is_served_beside_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:7f1c0b4e-8a7e-4c5b-9d7a-111111111111",
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Okonkwo", "given": ["Ada"]}],
                    "gender": "female",
                    "birthDate": "1990-04-01"
                },
                "request": {"method": "POST", "url": "Patient"}
            },
            {
                "fullUrl": "urn:uuid:7f1c0b4e-8a7e-4c5b-9d7a-222222222222",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                    "subject": {"reference": "urn:uuid:7f1c0b4e-8a7e-4c5b-9d7a-111111111111"},
                    "effectiveDateTime": "2026-01-02T10:00:00Z",
                    "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}
                },
                "request": {"method": "POST", "url": "Observation"}
            }
        ]
    });
    std::fs::write(dir.path().join("ada.json"), bundle.to_string()).unwrap();
    std::fs::write(
        dir.path().join("more.ndjson"),
        "{\"resourceType\":\"Patient\",\"id\":\"p2\",\"name\":[{\"family\":\"Berg\"}]}\nnot json\n",
    )
    .unwrap();
    let mut config = test_config();
    config.data_dir = Some(dir.path().to_path_buf());
    config.fixtures = false;
    let app = spawn_with(config).await;
    let site = SiteUrls::plain(&app);
    let ada = "7f1c0b4e-8a7e-4c5b-9d7a-111111111111";
    let t = token(&site, "user/*.read launch/patient", ada).await;

    let patients = get(&format!("{}/Patient", site.fhir()), Some(&t), &[]).await;
    patients.assert_ok();
    let mut ids = patients.ids();
    ids.sort();
    assert_eq!(
        ids,
        vec![ada.to_string(), "p2".to_string()],
        "fixtures are off"
    );

    let obs = get(
        &format!("{}/Observation?patient={ada}", site.fhir()),
        Some(&t),
        &[],
    )
    .await;
    obs.assert_ok();
    assert_eq!(
        obs.ids().len(),
        1,
        "the urn:uuid subject resolved to Patient/{ada}"
    );
    assert_eq!(
        obs.entries()[0]["resource"]["subject"]["reference"],
        format!("Patient/{ada}")
    );
}
