//! FHIR search cost per request on a synthetic store (200 patients × 100
//! Observations = 20,000 resources plus the patients), calling the plain
//! interaction function (no HTTP): a patient-scoped search (compartment
//! index), a user-scoped scan of the whole type, a sorted scan, a read, and
//! `$everything`.
//!
//! Run: `cargo bench --bench fhir_search`

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use smart_sandbox::fhir::api::{handle, Request, Route};
use smart_sandbox::fhir::Store;
use smart_sandbox::oauth::tokens::{AccessClaims, Grant, LaunchContext, TokenKind};
use smart_sandbox::oauth::Release;

const PATIENTS: usize = 200;
const OBS: usize = 100;

fn store() -> Store {
    let mut rs: Vec<Value> = Vec::new();
    for p in 0..PATIENTS {
        rs.push(json!({"resourceType": "Patient", "id": format!("p{p}"), "name": [{"family": format!("Fam{p}"), "given": ["G"]}], "gender": "female", "birthDate": "1980-01-01"}));
        for o in 0..OBS {
            rs.push(json!({"resourceType": "Observation", "id": format!("o{p}-{o}"), "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": if o % 2 == 0 { "laboratory" } else { "vital-signs" }}]}],
                "code": {"coding": [{"system": "http://loinc.org", "code": format!("{}-1", o % 20)}]},
                "subject": {"reference": format!("Patient/p{p}")},
                "effectiveDateTime": format!("2024-{:02}-{:02}T08:00:00Z", o % 12 + 1, o % 28 + 1),
                "valueQuantity": {"value": o, "unit": "mg/dL"}}));
        }
    }
    Store::from_resources(rs).expect("valid")
}

fn claims(scope: &str, patient: Option<&str>) -> AccessClaims {
    AccessClaims {
        tt: TokenKind::Access,
        jti: "j".into(),
        iat: 0,
        exp: i64::MAX,
        grant: Grant {
            gid: "g".into(),
            client_id: "bench".into(),
            scope: scope.into(),
            aud: "http://h/v/r4/fhir".into(),
            user: None,
            ctx: LaunchContext {
                patient: patient.map(str::to_string),
                ..Default::default()
            },
        },
        sim_error: None,
    }
}

fn req(route: Route, params: &[(&str, &str)]) -> Request {
    Request {
        fhir_base: "http://h/v/r4/fhir".into(),
        release: Release::R4,
        route,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        strict: false,
    }
}

fn bench(c: &mut Criterion) {
    let t = std::time::Instant::now();
    let store = store();
    eprintln!(
        "loaded {} resources in {:?}",
        PATIENTS * (OBS + 1),
        t.elapsed()
    );
    let patient = claims("patient/*.rs", Some("p7"));
    let user = claims("user/*.rs", None);
    let obs = || Route::Search {
        ty: "Observation".into(),
    };
    let cases: Vec<(&str, &AccessClaims, Request)> = vec![
        (
            "patient token: labs of the launch patient",
            &patient,
            req(obs(), &[("category", "laboratory")]),
        ),
        (
            "user token: patient=p7&category=laboratory",
            &user,
            req(obs(), &[("patient", "p7"), ("category", "laboratory")]),
        ),
        (
            "user token: code scan of 20k",
            &user,
            req(obs(), &[("code", "http://loinc.org|3-1")]),
        ),
        (
            "user token: _sort=-date over 20k, page of 50",
            &user,
            req(obs(), &[("_sort", "-date")]),
        ),
        (
            "user token: read",
            &user,
            req(
                Route::Read {
                    ty: "Observation".into(),
                    id: "o7-3".into(),
                },
                &[],
            ),
        ),
        (
            "patient token: $everything page of 50",
            &patient,
            req(Route::Everything { id: "p7".into() }, &[]),
        ),
    ];
    for (name, claims, r) in &cases {
        assert_eq!(handle(&store, claims, r).status, 200, "{name}");
        c.bench_function(name, |b| b.iter(|| handle(&store, claims, r)));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
