//! Exact conversions, field by field: fixture resources and hand-made R4
//! resources with the shapes R4 introduced.

use serde_json::{json, Value};

use super::*;
use crate::fixtures;

fn fixture(id: &str) -> Value {
    fixtures::load::embedded()
        .into_iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

#[test]
fn encounter_and_condition_exactly() {
    let enc = to_release(&fixture("enc-amara-nwosu-001"), Release::R2).unwrap();
    assert_eq!(enc["class"], "inpatient");
    assert_eq!(
        enc["patient"],
        json!({"display": "Amara Nwosu", "reference": "Patient/pat-amara-nwosu"})
    );
    assert_eq!(enc["status"], "finished");
    assert_eq!(
        enc["participant"][0]["type"][0]["coding"][0]["system"],
        "http://hl7.org/fhir/v3/ParticipationType"
    );
    let r3 = to_release(&fixture("enc-amara-nwosu-001"), Release::R3).unwrap();
    assert_eq!(r3["class"]["system"], "http://hl7.org/fhir/v3/ActCode");
    assert_eq!(r3["subject"]["reference"], "Patient/pat-amara-nwosu");

    let cond = fixture("cond-amara-nwosu-001");
    let r2 = to_release(&cond, Release::R2).unwrap();
    assert_eq!(r2["patient"]["reference"], "Patient/pat-amara-nwosu");
    assert_eq!(
        r2["encounter"]["reference"],
        "Encounter/enc-amara-nwosu-001"
    );
    assert_eq!(
        (
            r2["clinicalStatus"].as_str(),
            r2["verificationStatus"].as_str()
        ),
        (Some("active"), Some("confirmed"))
    );
    assert_eq!(r2["dateRecorded"], "2026-11-08");
    assert_eq!(r2["onsetDateTime"], "2026-11-02");
    assert_eq!(
        r2["category"]["coding"][0],
        json!({"system": "http://argonaut.hl7.org", "code": "problem", "display": "Problem"})
    );
    assert_eq!(r2["code"], cond["code"]);
    assert!(r2.get("recorder").is_none());
    let r3 = to_release(&cond, Release::R3).unwrap();
    assert_eq!(r3["assertedDate"], "2026-11-08T18:59:00Z");
    assert_eq!(r3["context"]["reference"], "Encounter/enc-amara-nwosu-001");
    assert_eq!(
        r3["category"][0]["coding"][0]["system"],
        "http://hl7.org/fhir/condition-category"
    );
    assert_eq!(r3["clinicalStatus"], "active");
}

#[test]
fn medication_order_and_allergy_exactly() {
    let rx = fixture("medrx-leo-marchetti-001");
    let r2 = to_release(&rx, Release::R2).unwrap();
    let keys: Vec<&str> = r2.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "dateWritten",
            "dosageInstruction",
            "encounter",
            "id",
            "medicationCodeableConcept",
            "meta",
            "patient",
            "prescriber",
            "reasonReference",
            "resourceType",
            "status"
        ]
    );
    assert_eq!(r2["resourceType"], "MedicationOrder");
    assert_eq!(r2["dateWritten"], "2021-01-11T14:15:00Z");
    assert_eq!(r2["status"], "completed");
    assert_eq!(
        r2["prescriber"]["reference"],
        "Practitioner/prac-lucia-ferreira"
    );
    assert_eq!(
        r2["reasonReference"]["reference"],
        "Condition/cond-leo-marchetti-001"
    );
    assert_eq!(
        r2["dosageInstruction"],
        json!([{"text": "Take 1 capsule by mouth three times daily for 10 days"}])
    );
    let r3 = to_release(&rx, Release::R3).unwrap();
    assert_eq!(r3["requester"], json!({"agent": rx["requester"]}));
    assert_eq!(
        r3["category"]["coding"][0]["system"],
        "http://hl7.org/fhir/medicationrequest-category"
    );
    assert_eq!(r3["intent"], "order");

    let alg = fixture("alg-hannah-lindqvist-001");
    let r2 = to_release(&alg, Release::R2).unwrap();
    assert_eq!(
        (r2["status"].as_str(), r2["criticality"].as_str()),
        (Some("confirmed"), Some("CRITH"))
    );
    assert_eq!(r2["substance"], alg["code"]);
    assert_eq!(r2["category"], "food");
    assert_eq!(r2["reaction"], alg["reaction"]);
    let r3 = to_release(&alg, Release::R3).unwrap();
    assert_eq!(
        (
            r3["clinicalStatus"].as_str(),
            r3["verificationStatus"].as_str()
        ),
        (Some("active"), Some("confirmed"))
    );
    assert_eq!(r3["assertedDate"], alg["recordedDate"]);
}

#[test]
fn r4_only_shapes_are_mapped() {
    let obs = json!({"resourceType": "Observation", "id": "o", "status": "corrected", "code": {"text": "x"},
        "valueInteger": 3, "note": [{"text": "a"}, {"text": "b"}], "hasMember": [{"reference": "Observation/p"}],
        "interpretation": [{"text": "H"}, {"text": "L"}], "encounter": {"reference": "Encounter/e"},
        "basedOn": [{"reference": "ServiceRequest/s"}]});
    let r2 = to_release(&obs, Release::R2).unwrap();
    assert_eq!(r2["status"], "amended");
    assert_eq!(r2["valueQuantity"], json!({"value": 3}));
    assert_eq!(r2["comments"], "a\nb");
    assert_eq!(
        r2["related"],
        json!([{"type": "has-member", "target": {"reference": "Observation/p"}}])
    );
    assert_eq!(r2["interpretation"], json!({"text": "H"}));
    let r3 = to_release(&obs, Release::R3).unwrap();
    assert_eq!(r3["context"]["reference"], "Encounter/e");
    assert_eq!(r3["comment"], "a\nb");
    assert!(r3.get("basedOn").is_none(), "ServiceRequest is not served");

    let rx = json!({"resourceType": "MedicationRequest", "id": "m", "status": "cancelled", "intent": "filler-order",
        "subject": {"reference": "Patient/p"}, "medicationReference": {"reference": "Medication/med"},
        "requester": {"reference": "Organization/o"}, "reasonCode": [{"text": "pain"}],
        "dosageInstruction": [{"sequence": 1, "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d", "when": ["MORN"]}},
            "doseAndRate": [{"type": {"text": "ordered"}, "doseQuantity": {"value": 1}}]}]});
    let r2 = to_release(&rx, Release::R2).unwrap();
    assert_eq!(r2["status"], "stopped");
    assert!(
        r2.get("prescriber").is_none(),
        "DSTU2 prescriber is a Practitioner"
    );
    assert_eq!(r2["reasonCodeableConcept"], json!({"text": "pain"}));
    assert_eq!(
        r2["dosageInstruction"][0],
        json!({"doseQuantity": {"value": 1}, "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnits": "d", "when": "MORN"}}})
    );
    let r3 = to_release(&rx, Release::R3).unwrap();
    assert_eq!(r3["intent"], "order");
    assert_eq!(
        r3["dosageInstruction"][0]["doseQuantity"],
        json!({"value": 1})
    );
    assert!(r3["dosageInstruction"][0].get("doseAndRate").is_none());

    let cond = json!({"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p"},
        "clinicalStatus": {"coding": [{"code": "relapse"}]}});
    let r2 = to_release(&cond, Release::R2).unwrap();
    assert_eq!(
        (
            r2["clinicalStatus"].as_str(),
            r2["verificationStatus"].as_str()
        ),
        (Some("relapse"), Some("unknown"))
    );
    assert_eq!(r2["code"], json!({"text": "Unknown"}));
    assert_eq!(
        to_release(&cond, Release::R3).unwrap()["clinicalStatus"],
        "recurrence"
    );

    let pat = json!({"resourceType": "Patient", "id": "p", "name": [{"family": "Doe", "given": ["J"]}],
        "telecom": [{"system": "sms", "value": "1"}], "generalPractitioner": [{"reference": "Practitioner/x"}],
        "link": [{"other": {"reference": "Patient/q"}, "type": "replaced-by"}, {"other": {"reference": "Patient/r"}, "type": "replaces"}]});
    let r2 = to_release(&pat, Release::R2).unwrap();
    assert_eq!(r2["name"][0]["family"], json!(["Doe"]));
    assert_eq!(r2["telecom"][0]["system"], "other");
    assert_eq!(r2["careProvider"][0]["reference"], "Practitioner/x");
    assert_eq!(
        r2["link"],
        json!([{"other": {"reference": "Patient/q"}, "type": "replace"}])
    );
}
