//! A tiny upstream FHIR server for the upstream-mode tests: two patients'
//! Patients and Observations as FHIR JSON with absolute `fullUrl`s, links
//! and references pointing at itself, a `Binary` of random bytes served as
//! `application/pdf`, a read that sleeps past any timeout, and a create.
//! Its search ignores `patient` on purpose (a careless upstream), so the
//! sandbox's own filtering is what the tests see. It records every request.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as received.
    pub uri: String,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
}

pub struct Fake {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub pdf: Vec<u8>,
}

impl Fake {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

struct State {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    pdf: Vec<u8>,
}

pub fn observation(base: &str, id: &str, patient: &str) -> Value {
    json!({"resourceType": "Observation", "id": id, "status": "final",
        "meta": {"versionId": "1"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": format!("{base}/Patient/{patient}")}})
}

fn patient(id: &str) -> Value {
    json!({"resourceType": "Patient", "id": id, "name": [{"family": id}]})
}

fn fhir(status: u16, body: Value) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .content_type("application/fhir+json")
        .body(body.to_string())
}

async fn any(req: HttpRequest, body: web::Bytes, st: web::Data<State>) -> HttpResponse {
    st.seen.lock().unwrap().push(Seen {
        method: req.method().to_string(),
        uri: req.uri().to_string(),
        authorization: req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string()),
        body: body.to_vec(),
    });
    let base = &st.base;
    let path = req.path().trim_start_matches("/fhir/");
    let (a, b) = (super::PAT_A, super::PAT_B);
    match (req.method().as_str(), path) {
        ("GET", "metadata") => fhir(
            200,
            json!({"resourceType": "CapabilityStatement",
            "status": "active", "kind": "instance", "fhirVersion": "4.0.1", "format": ["json"],
            "implementation": {"description": "fake", "url": base},
            "rest": [{"mode": "server", "resource": [{"type": "Observation"}]}]}),
        ),
        ("GET", "Observation/slow") => {
            tokio::time::sleep(std::time::Duration::from_secs(20)).await;
            fhir(200, observation(base, "slow", a))
        }
        ("GET", "Observation/obs-a1") => fhir(200, observation(base, "obs-a1", a)),
        ("GET", "Observation/obs-b1") => fhir(200, observation(base, "obs-b1", b)),
        ("GET", p) if p == format!("Patient/{a}") => fhir(200, patient(a)),
        ("GET", "Observation") | ("POST", "Observation/_search") => {
            let entry: Vec<Value> = [("obs-a1", a), ("obs-a2", a), ("obs-b1", b)]
                .iter()
                .map(|(id, p)| {
                    json!({"fullUrl": format!("{base}/Observation/{id}"),
                    "resource": observation(base, id, p), "search": {"mode": "match"}})
                })
                .collect();
            fhir(
                200,
                json!({"resourceType": "Bundle", "type": "searchset", "total": 3,
                "link": [{"relation": "self", "url": format!("{base}/Observation?{}", req.query_string())},
                    {"relation": "next", "url": format!("{base}?_getpages=abc&_getpagesoffset=3")}],
                "entry": entry}),
            )
        }
        ("GET", "Binary/pdf1") => HttpResponse::Ok()
            .content_type("application/pdf")
            .body(st.pdf.clone()),
        ("POST", "Observation") => HttpResponse::Created()
            .insert_header(("Location", format!("{base}/Observation/new1/_history/1")))
            .content_type("application/fhir+json")
            .body(body.to_vec()),
        _ => fhir(
            404,
            json!({"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "not-found", "diagnostics": "fake: unknown"}]}),
        ),
    }
}

/// Starts the fake on `127.0.0.1:0`; its FHIR base is `http://127.0.0.1:{port}/fhir`.
pub fn start() -> Fake {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!(
        "http://127.0.0.1:{}/fhir",
        listener.local_addr().unwrap().port()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let pdf: Vec<u8> = (0..70_000).map(|_| rand::random::<u8>()).collect();
    let state = web::Data::new(State {
        base: base.clone(),
        seen: seen.clone(),
        pdf: pdf.clone(),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(1 << 20))
            .default_service(web::to(any))
    })
    .workers(2)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    Fake { base, seen, pdf }
}
