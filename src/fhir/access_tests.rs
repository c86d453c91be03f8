use super::*;
use crate::oauth::tokens::{Grant, LaunchContext, TokenKind};
use serde_json::json;

fn claims(scope: &str, patient: Option<&str>) -> AccessClaims {
    AccessClaims {
        tt: TokenKind::Access,
        jti: "j".into(),
        iat: 0,
        exp: 100,
        grant: Grant {
            gid: "g".into(),
            client_id: "app".into(),
            scope: scope.into(),
            aud: "http://h/v/r4/sim/abc/fhir".into(),
            user: None,
            ctx: LaunchContext {
                patient: patient.map(str::to_string),
                ..Default::default()
            },
        },
        sim_error: None,
    }
}

fn entry(patients: &[&str]) -> Entry {
    Entry {
        id: "x".into(),
        versions: Vec::new(),
        patients: patients.iter().map(|p| p.to_string()).collect(),
    }
}

fn lab() -> serde_json::Value {
    json!({"resourceType": "Observation", "category": [{"coding": [{"code": "laboratory"}]}]})
}

fn vitals() -> serde_json::Value {
    json!({"resourceType": "Observation", "category": [{"coding": [{"code": "vital-signs"}]}]})
}

const R4: Release = Release::R4;

#[test]
fn bearer_header_forms() {
    let hs = Hs256::new(b"0123456789abcdef");
    let rev = Revocations::new(10, 1000);
    let c = claims("patient/*.read", Some("a"));
    let t = hs.sign(&c);
    assert!(bearer(Some(&format!("Bearer {t}")), &hs, &rev, 10).is_ok());
    assert!(bearer(Some(&format!("bearer  {t}")), &hs, &rev, 10).is_ok());
    assert_eq!(bearer(None, &hs, &rev, 10), Err(BearerProblem::Missing));
    assert_eq!(bearer(Some(""), &hs, &rev, 10), Err(BearerProblem::Missing));
    // Another scheme is no bearer token at all (RFC 6750 §3.1: no error code).
    assert_eq!(
        bearer(Some(&format!("Basic {t}")), &hs, &rev, 10),
        Err(BearerProblem::Missing)
    );
    assert!(matches!(
        bearer(Some("Bearer garbage"), &hs, &rev, 10),
        Err(BearerProblem::Invalid(_))
    ));
    assert_eq!(
        bearer(Some(&format!("Bearer {t}")), &hs, &rev, 100),
        Err(BearerProblem::Expired)
    );
    rev.revoke_token(&c.jti, c.exp, 10).unwrap();
    assert!(matches!(
        bearer(Some(&format!("Bearer {t}")), &hs, &rev, 10),
        Err(BearerProblem::Invalid(_))
    ));
}

#[test]
fn permissions_per_interaction() {
    let c = claims("patient/Observation.r", Some("a"));
    assert!(authorize_request(&c, Interaction::Read, "Observation", R4).is_ok());
    assert!(authorize_request(&c, Interaction::Vread, "Observation", R4).is_ok());
    let Err(Denied::Forbidden(msg)) = authorize_request(&c, Interaction::Search, "Observation", R4)
    else {
        panic!("search allowed with .r only")
    };
    assert!(msg.contains("patient/Observation.s"), "{msg}");
    assert!(authorize_request(&c, Interaction::Read, "Condition", R4).is_err());
    let v1 = claims("patient/*.read", Some("a"));
    assert!(authorize_request(&v1, Interaction::Search, "Condition", R4).is_ok());
    let write_only = claims("user/*.write", None);
    assert!(authorize_request(&write_only, Interaction::Read, "Patient", R4).is_err());
}

#[test]
fn patient_scopes_confine_to_the_compartment() {
    let f = authorize_request(
        &claims("patient/*.rs", Some("a")),
        Interaction::Search,
        "Observation",
        R4,
    )
    .unwrap();
    assert_eq!(f.patient(), Some("a"));
    assert!(f.allows(&entry(&["a"]), &lab()));
    assert!(!f.allows(&entry(&["b"]), &lab()));
    assert!(!f.reaches(&entry(&[])));
    let prac = authorize_request(
        &claims("patient/*.rs", Some("a")),
        Interaction::Read,
        "Practitioner",
        R4,
    )
    .unwrap();
    assert!(prac.allows(&entry(&[]), &json!({})));
    let user = authorize_request(
        &claims("user/*.rs patient/*.rs", Some("a")),
        Interaction::Search,
        "Observation",
        R4,
    )
    .unwrap();
    assert_eq!(user.patient(), None);
    assert!(user.allows(&entry(&["b"]), &lab()));
    let Err(Denied::Forbidden(msg)) = authorize_request(
        &claims("patient/*.rs", None),
        Interaction::Search,
        "Observation",
        R4,
    ) else {
        panic!("patient scope without patient")
    };
    assert!(msg.contains("no patient is in context"), "{msg}");
}

#[test]
fn constraints_filter_and_any_scope_suffices() {
    let c = claims("patient/Observation.rs?category=laboratory", Some("a"));
    let f = authorize_request(&c, Interaction::Search, "Observation", R4).unwrap();
    assert!(f.allows(&entry(&["a"]), &lab()));
    assert!(!f.allows(&entry(&["a"]), &vitals()));
    assert!(f.reaches(&entry(&["a"])));
    let both = claims(
        "patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs",
        Some("a"),
    );
    let f = authorize_request(&both, Interaction::Search, "Observation", R4).unwrap();
    assert!(f.allows(&entry(&["a"]), &vitals()));
    let sys = claims("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category%7Claboratory", Some("a"));
    let f = authorize_request(&sys, Interaction::Search, "Observation", R4).unwrap();
    let coded = json!({"category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}]});
    assert!(f.allows(&entry(&["a"]), &coded));
    assert!(!f.allows(&entry(&["a"]), &lab()));
    let unknown = claims("patient/Observation.rs?frobnicate=1", Some("a"));
    let f = authorize_request(&unknown, Interaction::Search, "Observation", R4).unwrap();
    assert!(
        !f.allows(&entry(&["a"]), &lab()),
        "unenforceable constraints fail closed"
    );
}

#[test]
fn token_must_be_for_this_release_and_not_simulating_errors() {
    assert!(aud_release_matches("http://h/v/r4/fhir", R4));
    assert!(aud_release_matches("http://other:1/v/r4/sim/xyz/fhir/", R4));
    assert!(!aud_release_matches("http://h/v/r3/fhir", R4));
    assert!(!aud_release_matches("http://h/v/r4/auth", R4));
    assert!(!aud_release_matches("http://h/x/v/r4/fhir", R4));
    assert!(!aud_release_matches("nonsense", R4));
    let c = claims("user/*.rs", None);
    assert!(matches!(
        authorize_request(&c, Interaction::Read, "Patient", Release::R3),
        Err(Denied::Token(_))
    ));
    let mut bad = c.clone();
    bad.sim_error = Some(SimulatedError::RequestExpiredToken);
    assert_eq!(
        authorize_request(&bad, Interaction::Read, "Patient", R4).unwrap_err(),
        Denied::Token(BearerProblem::Expired)
    );
    bad.sim_error = Some(SimulatedError::RequestInvalidToken);
    assert!(matches!(
        authorize_request(&bad, Interaction::Read, "Patient", R4),
        Err(Denied::Token(BearerProblem::Invalid(_)))
    ));
}
