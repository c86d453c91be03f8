//! R4 → STU3 (3.0.2). Element lists from hl7.org/fhir/STU3/{type}.html;
//! the differences follow hl7.org/fhir/R4/{type}-version-maps.html.

use serde_json::{json, Value};

use super::{base, code, copy, first, map_code, note_text, put, related, rename, Obj};

/// One resource, or `None` for a type STU3 is not served in.
pub fn convert(src: &Obj) -> Option<Obj> {
    let kind = src.get("resourceType")?.as_str()?;
    let mut out = base(src, kind);
    match kind {
        // STU3 patient.html, practitioner.html, organization.html: the R4
        // elements the fixtures and Synthea use are unchanged.
        "Patient" => copy(&mut out, src, PATIENT),
        "Practitioner" => copy(&mut out, src, PRACTITIONER),
        "Organization" => copy(&mut out, src, ORGANIZATION),
        "Medication" => copy(&mut out, src, &["code", "status", "manufacturer", "form"]),
        "Encounter" => encounter(src, &mut out),
        "Observation" => observation(src, &mut out),
        "Condition" => condition(src, &mut out),
        "MedicationRequest" => medication_request(src, &mut out),
        "AllergyIntolerance" => allergy(src, &mut out),
        _ => return None,
    }
    Some(out)
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const ORGANIZATION: &[&str] = &[
    "identifier", "active", "type", "name", "alias", "telecom", "address", "partOf", "contact",
    "endpoint",
];

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const PRACTITIONER: &[&str] = &[
    "identifier", "active", "name", "telecom", "address", "gender", "birthDate", "photo",
    "qualification", "communication",
];

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const PATIENT: &[&str] = &[
    "identifier", "active", "name", "telecom", "gender", "birthDate", "deceasedBoolean",
    "deceasedDateTime", "address", "maritalStatus", "multipleBirthBoolean",
    "multipleBirthInteger", "photo", "contact", "communication", "generalPractitioner",
    "managingOrganization", "link",
];

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const ENCOUNTER: &[&str] = &[
    "identifier", "status", "statusHistory", "class", "classHistory", "type", "priority",
    "subject", "episodeOfCare", "participant", "period", "length", "hospitalization", "location",
    "serviceProvider", "partOf", "account",
];

/// STU3 encounter.html: `reasonCode` was `reason`, `diagnosis.use` was
/// `diagnosis.role`; `class` is a Coding in both.
fn encounter(src: &Obj, out: &mut Obj) {
    copy(out, src, ENCOUNTER);
    put(out, "appointment", first(src.get("appointment")));
    rename(out, src, "reasonCode", "reason");
    let diagnosis: Vec<Value> = src
        .get("diagnosis")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|d| {
            let mut o = Obj::new();
            copy(
                &mut o,
                d.as_object().unwrap_or(&Obj::new()),
                &["condition", "rank"],
            );
            put(&mut o, "role", d.get("use").cloned());
            Value::Object(o)
        })
        .collect();
    if !diagnosis.is_empty() {
        out.insert("diagnosis".into(), Value::Array(diagnosis));
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const OBSERVATION: &[&str] = &[
    "identifier", "basedOn", "status", "category", "code", "subject", "effectiveDateTime",
    "effectivePeriod", "issued", "performer", "valueQuantity", "valueCodeableConcept",
    "valueString", "valueBoolean", "valueRange", "valueRatio", "valueSampledData", "valueTime",
    "valueDateTime", "valuePeriod", "dataAbsentReason", "bodySite", "method", "specimen",
    "device", "referenceRange",
];

/// STU3 observation.html: `encounter` was `context`, `note` was the string
/// `comment`, `interpretation` was 0..1, `hasMember`/`derivedFrom` were
/// `related`, and there was no `valueInteger` (R4 added it).
fn observation(src: &Obj, out: &mut Obj) {
    copy(out, src, OBSERVATION);
    rename(out, src, "effectiveInstant", "effectiveDateTime");
    rename(out, src, "encounter", "context");
    put(out, "interpretation", first(src.get("interpretation")));
    put(out, "comment", note_text(src.get("note")));
    put(out, "related", related(src));
    if let Some(n) = src.get("valueInteger") {
        out.insert("valueQuantity".into(), json!({ "value": n }));
    }
    if let Some(Value::Array(components)) = src.get("component") {
        let converted = components
            .iter()
            .map(|c| {
                let c = c.as_object().cloned().unwrap_or_default();
                let mut o = Obj::new();
                for (k, v) in &c {
                    if k.starts_with("value")
                        || ["code", "dataAbsentReason", "referenceRange", "extension"]
                            .contains(&k.as_str())
                    {
                        o.insert(k.clone(), v.clone());
                    }
                }
                put(&mut o, "interpretation", first(c.get("interpretation")));
                Value::Object(o)
            })
            .collect();
        out.insert("component".into(), Value::Array(converted));
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const CONDITION: &[&str] = &[
    "identifier", "category", "severity", "code", "bodySite", "subject", "onsetDateTime",
    "onsetAge", "onsetPeriod", "onsetRange", "onsetString", "abatementDateTime", "abatementAge",
    "abatementPeriod", "abatementRange", "abatementString", "asserter", "evidence", "note",
];

/// STU3 condition.html: `clinicalStatus` and `verificationStatus` were
/// codes; `recordedDate` was `assertedDate`; `encounter` was `context`;
/// `relapse` did not exist (`recurrence` did) nor `unconfirmed`.
fn condition(src: &Obj, out: &mut Obj) {
    copy(out, src, CONDITION);
    rename(out, src, "encounter", "context");
    rename(out, src, "recordedDate", "assertedDate");
    let clinical = code(src.get("clinicalStatus"));
    put(
        out,
        "clinicalStatus",
        map_code(
            clinical,
            &[
                ("active", "active"),
                ("recurrence", "recurrence"),
                ("relapse", "recurrence"),
                ("inactive", "inactive"),
                ("remission", "remission"),
                ("resolved", "resolved"),
            ],
        ),
    );
    let verification = code(src.get("verificationStatus"));
    put(
        out,
        "verificationStatus",
        map_code(
            verification,
            &[
                ("unconfirmed", "provisional"),
                ("provisional", "provisional"),
                ("differential", "differential"),
                ("confirmed", "confirmed"),
                ("refuted", "refuted"),
                ("entered-in-error", "entered-in-error"),
            ],
        ),
    );
    if let Some(Value::Array(stages)) = src.get("stage") {
        let stages: Vec<Value> = stages
            .iter()
            .map(|s| {
                let mut o = Obj::new();
                copy(
                    &mut o,
                    s.as_object().unwrap_or(&Obj::new()),
                    &["summary", "assessment"],
                );
                Value::Object(o)
            })
            .collect();
        out.insert("stage".into(), Value::Array(stages));
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const DISPENSE_REQUEST: &[&str] = &[
    "validityPeriod", "numberOfRepeatsAllowed", "quantity", "expectedSupplyDuration",
    "performer",
];

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const MEDICATION_REQUEST: &[&str] = &[
    "identifier", "basedOn", "groupIdentifier", "status", "priority",
    "medicationCodeableConcept", "medicationReference", "subject", "supportingInformation",
    "authoredOn", "recorder", "reasonCode", "reasonReference", "note", "priorPrescription",
    "detectedIssue", "eventHistory",
];

/// STU3 medicationrequest.html: `requester` was a backbone element with an
/// `agent`; `encounter` was `context`; `category` was 0..1; R4's finer
/// order intents collapse to `order`; Dosage had `dose[x]`/`rate[x]` where
/// R4 has `doseAndRate`.
fn medication_request(src: &Obj, out: &mut Obj) {
    copy(out, src, MEDICATION_REQUEST);
    rename(out, src, "encounter", "context");
    put(out, "category", first(src.get("category")));
    let intent = src.get("intent").and_then(Value::as_str);
    put(
        out,
        "intent",
        map_code(
            intent,
            &[
                ("proposal", "proposal"),
                ("plan", "plan"),
                ("directive", "order"),
                ("order", "order"),
                ("original-order", "order"),
                ("reflex-order", "order"),
                ("filler-order", "order"),
                ("instance-order", "instance-order"),
                ("option", "proposal"),
            ],
        )
        .or(Some(json!("order"))),
    );
    if let Some(agent) = src.get("requester") {
        out.insert("requester".into(), json!({ "agent": agent }));
    }
    if let Some(Value::Array(d)) = src.get("dosageInstruction") {
        out.insert(
            "dosageInstruction".into(),
            Value::Array(d.iter().map(dosage).collect()),
        );
    }
    if let Some(Value::Object(d)) = src.get("dispenseRequest") {
        let mut o = Obj::new();
        copy(&mut o, d, DISPENSE_REQUEST);
        out.insert("dispenseRequest".into(), Value::Object(o));
    }
    if let Some(Value::Object(s)) = src.get("substitution") {
        let mut o = Obj::new();
        rename(&mut o, s, "allowedBoolean", "allowed");
        copy(&mut o, s, &["reason"]);
        out.insert("substitution".into(), Value::Object(o));
    }
}

/// STU3 dosage.html; shared with DSTU2, whose dosageInstruction has the
/// same flat `dose[x]` and `rate[x]`.
pub(super) fn dosage(d: &Value) -> Value {
    let mut o = Obj::new();
    let src = d.as_object().cloned().unwrap_or_default();
    for (k, v) in &src {
        if k != "doseAndRate" {
            o.insert(k.clone(), v.clone());
        }
    }
    if let Some(first) = src
        .get("doseAndRate")
        .and_then(|v| v.get(0))
        .and_then(Value::as_object)
    {
        for (k, v) in first {
            if k.starts_with("dose") || k.starts_with("rate") {
                o.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(o)
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const ALLERGY: &[&str] = &[
    "identifier", "type", "category", "criticality", "code", "patient", "onsetDateTime",
    "onsetAge", "onsetPeriod", "onsetRange", "onsetString", "recorder", "asserter",
    "lastOccurrence", "note", "reaction",
];

/// STU3 allergyintolerance.html: the statuses were codes (verification
/// required, so a missing one is `unconfirmed`, the least claim), and
/// `recordedDate` was `assertedDate`; no `encounter`.
fn allergy(src: &Obj, out: &mut Obj) {
    copy(out, src, ALLERGY);
    rename(out, src, "recordedDate", "assertedDate");
    put(
        out,
        "clinicalStatus",
        code(src.get("clinicalStatus")).map(|c| json!(c)),
    );
    let verification = code(src.get("verificationStatus")).unwrap_or("unconfirmed");
    out.insert("verificationStatus".into(), json!(verification));
}
