//! The search parameters the sandbox supports, per resource type: name, type
//! and the JSON paths they index (FHIR R4 §3.1.1 "search"; paths follow the
//! R4 SearchParameter definitions, e.g. `Observation.effective` for `date`).
//! The CapabilityStatement is generated from this same table, so it lists
//! exactly what works.

/// FHIR R4 §3.1.1.4 search parameter types that the sandbox evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    Reference,
    Date,
    String,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Token => "token",
            Kind::Reference => "reference",
            Kind::Date => "date",
            Kind::String => "string",
        }
    }
}

/// One search parameter of one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    /// Dotted JSON paths; arrays are flattened at every step.
    pub paths: &'static [&'static str],
    /// Reference targets (`Patient`); empty: any type.
    pub targets: &'static [&'static str],
}

const fn p(name: &'static str, kind: Kind, paths: &'static [&'static str]) -> Param {
    Param {
        name,
        kind,
        paths,
        targets: &[],
    }
}

const fn r(
    name: &'static str,
    paths: &'static [&'static str],
    targets: &'static [&'static str],
) -> Param {
    Param {
        name,
        kind: Kind::Reference,
        paths,
        targets,
    }
}

use Kind::{Date, String as Str, Token};

/// Parameters every resource type has (R4 §3.1.1.3 "parameters for all resources").
pub const COMMON: &[Param] = &[
    p("_id", Token, &["id"]),
    p("_lastUpdated", Date, &["meta.lastUpdated"]),
];

const PAT: &[&str] = &["Patient"];
const PRAC: &[&str] = &["Practitioner"];
const ENC: &[&str] = &["Encounter"];
const WHO: &[&str] = &["Practitioner", "Organization", "Patient"];

#[rustfmt::skip]
const PATIENT: &[Param] = &[
    p("identifier", Token, &["identifier"]),
    p("name", Str, &["name"]),
    p("family", Str, &["name.family"]),
    p("given", Str, &["name.given"]),
    p("birthdate", Date, &["birthDate"]),
    p("gender", Token, &["gender"]),
    r("general-practitioner", &["generalPractitioner"], &["Practitioner", "Organization"]),
    r("organization", &["managingOrganization"], &["Organization"]),
];

#[rustfmt::skip]
const PRACTITIONER: &[Param] = &[
    p("identifier", Token, &["identifier"]),
    p("name", Str, &["name"]),
    p("family", Str, &["name.family"]),
    p("given", Str, &["name.given"]),
    p("gender", Token, &["gender"]),
];

#[rustfmt::skip]
const ORGANIZATION: &[Param] = &[
    p("identifier", Token, &["identifier"]),
    p("name", Str, &["name", "alias"]),
];

#[rustfmt::skip]
const ENCOUNTER: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    p("date", Date, &["period"]),
    p("status", Token, &["status"]),
    p("class", Token, &["class"]),
    p("type", Token, &["type"]),
    r("participant", &["participant.individual"], &["Practitioner"]),
    r("practitioner", &["participant.individual"], PRAC),
    r("service-provider", &["serviceProvider"], &["Organization"]),
];

#[rustfmt::skip]
const OBSERVATION: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    r("encounter", &["encounter"], ENC),
    p("category", Token, &["category"]),
    p("code", Token, &["code"]),
    p("date", Date, &["effectiveDateTime", "effectivePeriod", "effectiveInstant"]),
    p("status", Token, &["status"]),
    r("performer", &["performer"], WHO),
];

#[rustfmt::skip]
const CONDITION: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    r("encounter", &["encounter"], ENC),
    p("category", Token, &["category"]),
    p("code", Token, &["code"]),
    p("clinical-status", Token, &["clinicalStatus"]),
    p("verification-status", Token, &["verificationStatus"]),
    p("onset-date", Date, &["onsetDateTime", "onsetPeriod"]),
    p("recorded-date", Date, &["recordedDate"]),
    r("asserter", &["asserter"], WHO),
];

#[rustfmt::skip]
const MEDICATION_REQUEST: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    r("encounter", &["encounter"], ENC),
    p("status", Token, &["status"]),
    p("intent", Token, &["intent"]),
    p("category", Token, &["category"]),
    p("authoredon", Date, &["authoredOn"]),
    p("code", Token, &["medicationCodeableConcept"]),
    r("requester", &["requester"], WHO),
];

#[rustfmt::skip]
const ALLERGY_INTOLERANCE: &[Param] = &[
    r("patient", &["patient"], PAT),
    p("clinical-status", Token, &["clinicalStatus"]),
    p("verification-status", Token, &["verificationStatus"]),
    p("code", Token, &["code", "reaction.substance"]),
    p("category", Token, &["category"]),
    p("criticality", Token, &["criticality"]),
    r("recorder", &["recorder"], WHO),
];

#[rustfmt::skip]
const IMMUNIZATION: &[Param] = &[
    r("patient", &["patient"], PAT),
    p("date", Date, &["occurrenceDateTime"]),
    p("status", Token, &["status"]),
    p("vaccine-code", Token, &["vaccineCode"]),
    r("performer", &["performer.actor"], WHO),
];

#[rustfmt::skip]
const PROCEDURE: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    r("encounter", &["encounter"], ENC),
    p("date", Date, &["performedDateTime", "performedPeriod"]),
    p("code", Token, &["code"]),
    p("status", Token, &["status"]),
    r("performer", &["performer.actor"], WHO),
];

#[rustfmt::skip]
const DIAGNOSTIC_REPORT: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    r("encounter", &["encounter"], ENC),
    p("category", Token, &["category"]),
    p("code", Token, &["code"]),
    p("date", Date, &["effectiveDateTime", "effectivePeriod"]),
    p("status", Token, &["status"]),
    r("result", &["result"], &["Observation"]),
    r("performer", &["performer"], WHO),
];

#[rustfmt::skip]
const DOCUMENT_REFERENCE: &[Param] = &[
    r("patient", &["subject"], PAT),
    r("subject", &["subject"], &["Patient", "Group"]),
    r("encounter", &["context.encounter"], ENC),
    p("type", Token, &["type"]),
    p("category", Token, &["category"]),
    p("date", Date, &["date"]),
    p("period", Date, &["context.period"]),
    p("status", Token, &["status"]),
    r("author", &["author"], WHO),
];

/// The resource types with search support, in CapabilityStatement order.
pub const TYPES: &[(&str, &[Param])] = &[
    ("Patient", PATIENT),
    ("Practitioner", PRACTITIONER),
    ("Organization", ORGANIZATION),
    ("Encounter", ENCOUNTER),
    ("Observation", OBSERVATION),
    ("Condition", CONDITION),
    ("MedicationRequest", MEDICATION_REQUEST),
    ("AllergyIntolerance", ALLERGY_INTOLERANCE),
    ("Immunization", IMMUNIZATION),
    ("Procedure", PROCEDURE),
    ("DiagnosticReport", DIAGNOSTIC_REPORT),
    ("DocumentReference", DOCUMENT_REFERENCE),
];

/// The type-specific parameters of `resource_type` (empty for types the
/// table does not know: they still get [`COMMON`]).
pub fn type_params(resource_type: &str) -> &'static [Param] {
    TYPES
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map_or(&[], |(_, ps)| ps)
}

/// Looks up a parameter of a type, common ones included.
pub fn lookup(resource_type: &str, name: &str) -> Option<&'static Param> {
    COMMON
        .iter()
        .chain(type_params(resource_type))
        .find(|p| p.name == name)
}

/// Every parameter of a type, common ones first.
pub fn all(resource_type: &str) -> impl Iterator<Item = &'static Param> {
    COMMON.iter().chain(type_params(resource_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (ty, params) in TYPES {
            for (i, p) in params.iter().enumerate() {
                assert!(!p.paths.is_empty(), "{ty}.{}", p.name);
                assert!(
                    params[i + 1..].iter().all(|q| q.name != p.name),
                    "{ty}.{} twice",
                    p.name
                );
                assert!(COMMON.iter().all(|c| c.name != p.name));
                assert_eq!(
                    p.kind == Kind::Reference,
                    !p.targets.is_empty(),
                    "{ty}.{}",
                    p.name
                );
            }
        }
        assert_eq!(lookup("Observation", "_id").unwrap().kind, Kind::Token);
        assert_eq!(lookup("Observation", "patient").unwrap().targets, PAT);
        assert!(lookup("Observation", "birthdate").is_none());
        assert_eq!(all("Binary").count(), COMMON.len());
    }
}
