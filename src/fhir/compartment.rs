//! The Patient compartment (FHIR R4 CompartmentDefinition-patient,
//! https://hl7.org/fhir/R4/compartmentdefinition-patient.html): for each
//! resource type, the reference elements that put a resource into a
//! patient's compartment. `patient/` scopes are confined to this compartment
//! (SMART App Launch 2.2, "Scopes for requesting clinical data"), and
//! `$everything` returns it. Membership is computed once per stored version.

use serde_json::Value;

use super::search::eval::{any_at, reference_target};

/// Type → element paths (the R4 definition's parameters resolved to the
/// elements they index). Types the definition leaves out (Practitioner,
/// Organization, Location, Medication, ...) are not in any compartment.
#[rustfmt::skip]
pub const PATIENT_COMPARTMENT: &[(&str, &[&str])] = &[
    ("Patient", &["link.other"]),
    ("AllergyIntolerance", &["patient", "recorder", "asserter"]),
    ("Appointment", &["participant.actor"]),
    ("CarePlan", &["subject", "activity.detail.performer"]),
    ("CareTeam", &["subject", "participant.member"]),
    ("Claim", &["patient", "payee.party"]),
    ("Communication", &["subject", "sender", "recipient"]),
    ("Condition", &["subject", "asserter"]),
    ("Coverage", &["policyHolder", "subscriber", "beneficiary", "payor"]),
    ("DiagnosticReport", &["subject"]),
    ("DocumentReference", &["subject", "author"]),
    ("Encounter", &["subject"]),
    ("ExplanationOfBenefit", &["patient", "payee.party"]),
    ("Goal", &["subject"]),
    ("Immunization", &["patient"]),
    ("MedicationAdministration", &["subject", "performer.actor"]),
    ("MedicationDispense", &["subject", "receiver"]),
    ("MedicationRequest", &["subject"]),
    ("MedicationStatement", &["subject"]),
    ("Observation", &["subject", "performer"]),
    ("Procedure", &["subject", "performer.actor"]),
    ("Provenance", &["target"]),
    ("QuestionnaireResponse", &["subject", "author"]),
    ("RelatedPerson", &["patient"]),
    ("ServiceRequest", &["subject", "performer"]),
    ("Specimen", &["subject"]),
];

/// Whether resources of this type can belong to a patient's compartment.
pub fn is_compartment_type(resource_type: &str) -> bool {
    PATIENT_COMPARTMENT.iter().any(|(t, _)| *t == resource_type)
}

/// The ids of the patients whose compartment holds this resource. A Patient
/// is in its own compartment.
pub fn patients_of(resource_type: &str, resource: &Value) -> Vec<String> {
    let Some((_, paths)) = PATIENT_COMPARTMENT
        .iter()
        .find(|(t, _)| *t == resource_type)
    else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    if resource_type == "Patient" {
        if let Some(id) = resource.get("id").and_then(Value::as_str) {
            out.push(id.to_string());
        }
    }
    for path in *paths {
        any_at(resource, path, &mut |v| {
            if let Some((Some(ty), id)) = reference_target(v) {
                if ty == "Patient" && !out.contains(&id) {
                    out.push(id);
                }
            }
            false
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn membership() {
        let obs = json!({"resourceType": "Observation", "subject": {"reference": "Patient/a"},
            "performer": [{"reference": "Practitioner/x"}, {"reference": "http://h/fhir/Patient/b"}]});
        assert_eq!(patients_of("Observation", &obs), vec!["a", "b"]);
        let pat = json!({"resourceType": "Patient", "id": "a", "link": [{"other": {"reference": "Patient/c"}}]});
        assert_eq!(patients_of("Patient", &pat), vec!["a", "c"]);
        let grp = json!({"resourceType": "Observation", "subject": {"reference": "Group/g"}});
        assert!(patients_of("Observation", &grp).is_empty());
        assert!(patients_of("Practitioner", &json!({"id": "x"})).is_empty());
        assert!(!is_compartment_type("Organization"));
    }
}
