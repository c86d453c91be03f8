//! A small FHIR dataset, a server started with it, tokens from real
//! launches, and FHIR request helpers for the FHIR API tests.

use std::sync::Arc;

use openidconnect::reqwest;
use serde_json::{json, Value};

use super::flows::{code_for, exchange_public, http, v2, Authz, Choices, SiteUrls};
use super::{test_config, TestApp};
use smart_sandbox::fhir::FhirData;

pub const PAT_A: &str = "pat-priya-raman";
pub const PAT_B: &str = "pat-marcus-bell";
pub const PAT_C: &str = "pat-jose-nunez";
pub const PRAC: &str = "prac-helen-carter";
/// Patient A: 8 laboratory + 4 vital-signs Observations (`obs-a00`..`obs-a11`,
/// effective 2024-01-01..12, the first four in `enc-a1`, `obs-a11` amended).
pub const A_OBS: usize = 12;
const LAB: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

fn at(day: u32) -> Value {
    json!({"lastUpdated": format!("2024-05-{day:02}T00:00:00Z")})
}

fn patient(id: &str, mrn: &str, family: &str, given: &str, gender: &str, birth: &str) -> Value {
    json!({"resourceType": "Patient", "id": id, "meta": at(1),
        "identifier": [{"system": "urn:mrn", "value": mrn}],
        "name": [{"family": family, "given": [given]}], "gender": gender, "birthDate": birth,
        "generalPractitioner": [{"reference": format!("Practitioner/{PRAC}")}]})
}

fn obs(
    id: &str,
    patient: &str,
    lab: bool,
    code: &str,
    day: u32,
    encounter: Option<&str>,
    status: &str,
) -> Value {
    let mut o = json!({"resourceType": "Observation", "id": id, "meta": at(day), "status": status,
        "category": [{"coding": [{"system": LAB, "code": if lab { "laboratory" } else { "vital-signs" }}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": format!("2024-01-{day:02}T08:00:00Z")});
    if let Some(e) = encounter {
        o["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    o
}

fn encounter(id: &str, patient: &str, status: &str, start: &str, end: &str) -> Value {
    json!({"resourceType": "Encounter", "id": id, "meta": at(2), "status": status,
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": format!("Patient/{patient}")},
        "participant": [{"individual": {"reference": format!("Practitioner/{PRAC}")}}],
        "period": {"start": start, "end": end}})
}

fn condition(
    id: &str,
    patient: &str,
    category: &str,
    code: &str,
    status: &str,
    onset: &str,
) -> Value {
    json!({"resourceType": "Condition", "id": id, "meta": at(3),
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": status}]},
        "category": [{"coding": [{"code": category}]}],
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")}, "onsetDateTime": onset})
}

/// Two launchable patients (A with 12 Observations, B with 3), a third
/// patient with an accented name, encounters, conditions, a medication
/// request, a diagnostic report, a practitioner and an organization.
pub fn dataset() -> Vec<Value> {
    let mut out = vec![
        patient(
            PAT_A,
            "MRN-100273",
            "Raman",
            "Priya",
            "female",
            "1984-06-05",
        ),
        patient(PAT_B, "MRN-100289", "Bell", "Marcus", "male", "1973-11-30"),
        patient(PAT_C, "MRN-100999", "Núñez", "José", "male", "1990-02-03"),
        json!({"resourceType": "Practitioner", "id": PRAC, "meta": at(1),
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567890"}],
            "name": [{"family": "Carter", "given": ["Helen"]}]}),
        json!({"resourceType": "Organization", "id": "org-clinic", "meta": at(1), "name": "Riverside Clinic"}),
        encounter(
            "enc-a1",
            PAT_A,
            "finished",
            "2024-01-01T07:00:00Z",
            "2024-01-04T09:00:00Z",
        ),
        encounter(
            "enc-a2",
            PAT_A,
            "in-progress",
            "2024-03-05T10:00:00Z",
            "2024-03-05T11:00:00Z",
        ),
        encounter(
            "enc-b1",
            PAT_B,
            "finished",
            "2024-02-15T10:00:00Z",
            "2024-02-15T11:00:00Z",
        ),
    ];
    for i in 0..A_OBS as u32 {
        let code = if i >= 8 {
            "8867-4"
        } else if i % 2 == 0 {
            "2345-7"
        } else {
            "718-7"
        };
        let status = if i == 11 { "amended" } else { "final" };
        out.push(obs(
            &format!("obs-a{i:02}"),
            PAT_A,
            i < 8,
            code,
            i + 1,
            (i < 4).then_some("enc-a1"),
            status,
        ));
    }
    out.push(obs(
        "obs-b0",
        PAT_B,
        true,
        "2345-7",
        5,
        Some("enc-b1"),
        "final",
    ));
    out.push(obs(
        "obs-b1",
        PAT_B,
        true,
        "718-7",
        6,
        Some("enc-b1"),
        "final",
    ));
    out.push(obs("obs-b2", PAT_B, false, "8867-4", 7, None, "final"));
    out.push(condition(
        "cond-a1",
        PAT_A,
        "problem-list-item",
        "44054006",
        "active",
        "2019-05-01",
    ));
    out.push(condition(
        "cond-a2",
        PAT_A,
        "encounter-diagnosis",
        "195662009",
        "resolved",
        "2023-01-10",
    ));
    out.push(condition(
        "cond-b1",
        PAT_B,
        "problem-list-item",
        "38341003",
        "active",
        "2015-08-20",
    ));
    out.push(json!({"resourceType": "MedicationRequest", "id": "mr-a1", "meta": at(4), "status": "active", "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975"}]},
        "subject": {"reference": format!("Patient/{PAT_A}")}, "authoredOn": "2024-02-01",
        "requester": {"reference": format!("Practitioner/{PRAC}")}}));
    out.push(json!({"resourceType": "DiagnosticReport", "id": "dr-a1", "meta": at(4), "status": "final",
        "category": [{"coding": [{"code": "LAB"}]}], "code": {"coding": [{"system": "http://loinc.org", "code": "24323-8"}]},
        "subject": {"reference": format!("Patient/{PAT_A}")}, "effectiveDateTime": "2024-01-02",
        "result": [{"reference": "Observation/obs-a00"}, {"reference": "Observation/obs-a01"}]}));
    out
}

/// The server with [`dataset`], and its shared state (to write versions).
pub async fn spawn_fhir() -> (TestApp, Arc<smart_sandbox::Sandbox>) {
    let mut config = test_config();
    config.fhir_data = FhirData::Resources(Arc::new(dataset()));
    let running = smart_sandbox::start(config).expect("server starts");
    let port = running.port;
    let sandbox = running.sandbox.clone();
    tokio::spawn(running.server);
    (
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            port,
        },
        sandbox,
    )
}

/// An access token from a headless EHR launch (patient and provider pinned,
/// so no screen shows) granting `scope` on `site`; `extra` launch slots
/// (e.g. `(11, "request_invalid_token")`) are applied too.
pub async fn token_with(
    site: &SiteUrls,
    scope: &str,
    patient: &str,
    extra: &[(usize, Value)],
) -> String {
    let http = http();
    let mut slots = vec![(0, json!(0)), (1, json!(patient)), (2, json!(PRAC))];
    slots.extend(extra.iter().cloned());
    let authz = Authz::new(site, &format!("launch {scope}")).set("launch", &v2(&slots));
    let code = code_for(&http, &authz, &Choices::default()).await;
    let reply = exchange_public(&http, site, &code, None).await;
    reply.assert_ok();
    let granted = reply.str("scope");
    for s in scope.split(' ') {
        assert!(
            granted.split(' ').any(|g| g == s),
            "{s} not granted: {granted}"
        );
    }
    reply.str("access_token").to_string()
}

pub async fn token(site: &SiteUrls, scope: &str, patient: &str) -> String {
    token_with(site, scope, patient, &[]).await
}

/// A FHIR response.
#[derive(Debug)]
pub struct Fhir {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Fhir {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `(id)` of `search.mode = match` entries, in order.
    pub fn ids(&self) -> Vec<String> {
        self.mode_ids("match")
    }

    pub fn mode_ids(&self, mode: &str) -> Vec<String> {
        self.entries()
            .iter()
            .filter(|e| e["search"]["mode"] == mode)
            .map(|e| e["resource"]["id"].as_str().unwrap_or("").to_string())
            .collect()
    }

    pub fn entries(&self) -> Vec<Value> {
        self.body["entry"].as_array().cloned().unwrap_or_default()
    }

    pub fn link(&self, rel: &str) -> Option<String> {
        self.body["link"]
            .as_array()?
            .iter()
            .find(|l| l["relation"] == rel)
            .and_then(|l| l["url"].as_str())
            .map(str::to_string)
    }

    /// Asserts an OperationOutcome error with `status`; returns diagnostics.
    pub fn assert_outcome(&self, status: u16) -> String {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        assert_eq!(
            self.body["resourceType"], "OperationOutcome",
            "{}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/fhir+json; charset=utf-8")
        );
        self.body["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn assert_ok(&self) {
        assert_eq!(self.status, 200, "unexpected answer: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/fhir+json; charset=utf-8")
        );
    }
}

/// GET `url` with an optional bearer token and extra headers.
pub async fn get(url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Fhir {
    let mut req = http().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    answer(req.send().await.expect("FHIR GET succeeds")).await
}

/// POST `url` with a form body.
pub async fn post_form(url: &str, token: &str, form: &str) -> Fhir {
    let req = http()
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string());
    answer(req.send().await.expect("FHIR POST succeeds")).await
}

async fn answer(resp: reqwest::Response) -> Fhir {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body reads");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("non-JSON FHIR answer ({e}): {text}"));
    Fhir {
        status,
        headers,
        body,
    }
}
