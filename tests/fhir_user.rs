//! SMART App Launch 2.2 / OIDC: the id_token's `fhirUser` is a FHIR
//! resource URL that reads 200 with the access token of the same launch
//! (the Inferno check "fhirUser claim": it reads the resource with the token).

mod common;

use base64::Engine;
use common::flows::{code_for, exchange_public, http, v2, Authz, Choices, SiteUrls};
use common::spawn_app;
use serde_json::{json, Value};

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

async fn fhir_user_reads_200(slots: &[(usize, Value)], scope: &str, expected_type: &str) {
    let app = spawn_app().await;
    let http = http();
    let site = SiteUrls::sim(&app, &v2(slots));
    let code = code_for(&http, &Authz::new(&site, scope), &Choices::default()).await;
    let r = exchange_public(&http, &site, &code, None).await;
    r.assert_ok();
    let fhir_user = claims(r.str("id_token"))["fhirUser"]
        .as_str()
        .expect("fhirUser claim")
        .to_string();
    assert!(fhir_user.starts_with(&site.fhir()), "{fhir_user}");
    let resp = http
        .get(&fhir_user)
        .bearer_auth(r.str("access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{fhir_user}");
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["resourceType"], expected_type);
    assert_eq!(
        fhir_user.rsplit('/').next(),
        body["id"].as_str(),
        "the resource read is the user"
    );
}

#[tokio::test]
async fn practitioner_fhir_user_reads_with_a_patient_scoped_token() {
    fhir_user_reads_200(
        &[
            (0, json!(0)),
            (1, json!("pat-leo-marchetti")),
            (2, json!("prac-helen-carter")),
        ],
        "openid fhirUser launch patient/*.read",
        "Practitioner",
    )
    .await;
}

#[tokio::test]
async fn practitioner_fhir_user_reads_with_a_user_scoped_token() {
    fhir_user_reads_200(
        &[(0, json!(2)), (2, json!("prac-samuel-osei")), (5, json!(1))],
        "openid fhirUser user/*.read",
        "Practitioner",
    )
    .await;
}

#[tokio::test]
async fn patient_fhir_user_reads_with_a_patient_scoped_token() {
    fhir_user_reads_200(
        &[
            (0, json!(3)),
            (1, json!("pat-sofia-reyes")),
            (4, json!(1)),
            (5, json!(1)),
        ],
        "openid fhirUser launch/patient patient/*.rs",
        "Patient",
    )
    .await;
}
