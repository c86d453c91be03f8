//! R4 → DSTU2 for the clinical records: Condition, MedicationOrder (from
//! MedicationRequest) and AllergyIntolerance, whose status elements were
//! codes with their own value sets in DSTU2.

use serde_json::{json, Value};

use super::{code, copy, first, map_code, note_text, put, rename, Obj};

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const CONDITION: &[&str] = &[
    "identifier", "encounter", "asserter", "severity", "bodySite", "onsetDateTime",
    "onsetPeriod", "onsetRange", "onsetString", "abatementDateTime", "abatementPeriod",
    "abatementRange", "abatementString",
];

/// DSTU2 condition.html: `subject` was `patient`, `recordedDate` was the
/// date `dateRecorded`, category, `clinicalStatus` and the required
/// `verificationStatus` were codes (a missing one is `unknown`, which
/// DSTU2 defines, rather than a claim the R4 record does not make), and
/// `note` was the string `notes`. The code is required in DSTU2.
pub fn condition(src: &Obj, out: &mut Obj) {
    copy(out, src, CONDITION);
    rename(out, src, "subject", "patient");
    rename(out, src, "onsetAge", "onsetQuantity");
    rename(out, src, "abatementAge", "abatementQuantity");
    put(
        out,
        "code",
        Some(
            src.get("code")
                .cloned()
                .unwrap_or_else(|| json!({"text": "Unknown"})),
        ),
    );
    put(
        out,
        "dateRecorded",
        src.get("recordedDate")
            .and_then(Value::as_str)
            .map(|d| json!(d.get(..10).unwrap_or(d))),
    );
    put(out, "category", category(src.get("category")));
    put(
        out,
        "clinicalStatus",
        map_code(
            code(src.get("clinicalStatus")),
            &[
                ("active", "active"),
                ("recurrence", "relapse"),
                ("relapse", "relapse"),
                ("inactive", "resolved"),
                ("remission", "remission"),
                ("resolved", "resolved"),
            ],
        ),
    );
    let verification = map_code(
        code(src.get("verificationStatus")),
        &[
            ("unconfirmed", "provisional"),
            ("provisional", "provisional"),
            ("differential", "differential"),
            ("confirmed", "confirmed"),
            ("refuted", "refuted"),
            ("entered-in-error", "entered-in-error"),
        ],
    );
    out.insert(
        "verificationStatus".into(),
        verification.unwrap_or(json!("unknown")),
    );
    put(out, "notes", note_text(src.get("note")));
    if let Some(Value::Array(stages)) = src.get("stage") {
        let stages = stages.iter().map(|s| {
            let mut o = Obj::new();
            copy(
                &mut o,
                s.as_object().unwrap_or(&Obj::new()),
                &["summary", "assessment"],
            );
            Value::Object(o)
        });
        out.insert("stage".into(), Value::Array(stages.collect()));
    }
    if let Some(Value::Array(evidence)) = src.get("evidence") {
        let evidence = evidence.iter().map(|e| {
            let mut o = Obj::new();
            copy(&mut o, e.as_object().unwrap_or(&Obj::new()), &["detail"]);
            put(&mut o, "code", first(e.get("code")));
            Value::Object(o)
        });
        out.insert("evidence".into(), Value::Array(evidence.collect()));
    }
}

/// DSTU2 valueset-condition-category: `diagnosis` for R4's
/// `encounter-diagnosis`; problem-list items and health concerns use the
/// Argonaut Data Query codes (fhir.org/guides/argonaut/r2, Condition
/// category), which DSTU2 apps of that era expect.
fn category(v: Option<&Value>) -> Option<Value> {
    let coding = |system: &str, code: &str, display: &str| json!({"coding": [{"system": system, "code": code, "display": display}], "text": display});
    match code(first(v).as_ref())? {
        "encounter-diagnosis" => Some(coding(
            "http://hl7.org/fhir/condition-category",
            "diagnosis",
            "Diagnosis",
        )),
        "problem-list-item" => Some(coding("http://argonaut.hl7.org", "problem", "Problem")),
        "health-concern" => Some(coding(
            "http://argonaut.hl7.org",
            "health-concern",
            "Health Concern",
        )),
        _ => None,
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const DISPENSE_REQUEST: &[&str] = &[
    "validityPeriod", "numberOfRepeatsAllowed", "quantity", "expectedSupplyDuration",
];

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const MEDICATION_ORDER: &[&str] = &[
    "identifier", "encounter", "medicationCodeableConcept", "medicationReference",
];

/// DSTU2 medicationorder.html: `authoredOn` was `dateWritten`, `subject`
/// was `patient`, `requester` was `prescriber` (a Practitioner), the reason
/// was one `reason[x]`, `note` a string; `cancelled` did not exist
/// (`stopped` did) and `status` was optional, so `unknown` is left out.
pub fn medication_order(src: &Obj, out: &mut Obj) {
    copy(out, src, MEDICATION_ORDER);
    rename(out, src, "authoredOn", "dateWritten");
    rename(out, src, "subject", "patient");
    put(
        out,
        "status",
        map_code(
            src.get("status").and_then(Value::as_str),
            &[
                ("active", "active"),
                ("on-hold", "on-hold"),
                ("completed", "completed"),
                ("entered-in-error", "entered-in-error"),
                ("stopped", "stopped"),
                ("cancelled", "stopped"),
                ("draft", "draft"),
            ],
        ),
    );
    if let Some(r) = src.get("requester").filter(|r| {
        r["reference"]
            .as_str()
            .is_some_and(|s| s.starts_with("Practitioner/"))
    }) {
        out.insert("prescriber".into(), r.clone());
    }
    if let Some(reason) = first(src.get("reasonCode")) {
        out.insert("reasonCodeableConcept".into(), reason);
    } else if let Some(reason) = src
        .get("reasonReference")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| {
            r["reference"]
                .as_str()
                .is_some_and(|s| s.starts_with("Condition/"))
        })
    {
        out.insert("reasonReference".into(), reason.clone());
    }
    put(out, "note", note_text(src.get("note")));
    copy(out, src, &["priorPrescription"]);
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
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const DOSAGE: &[&str] = &[
    "text", "asNeededBoolean", "asNeededCodeableConcept", "route", "method", "doseRange",
    "doseQuantity", "rateRatio", "rateRange", "maxDosePerPeriod",
];

/// DSTU2 MedicationOrder.dosageInstruction: flat `dose[x]`/`rate[x]`, one
/// `additionalInstructions`, `site[x]`, and the DSTU2 Timing.
fn dosage(d: &Value) -> Value {
    let flat = super::stu3::dosage(d);
    let src = flat.as_object().cloned().unwrap_or_default();
    let mut o = Obj::new();
    copy(&mut o, &src, DOSAGE);
    rename(&mut o, &src, "site", "siteCodeableConcept");
    put(
        &mut o,
        "additionalInstructions",
        first(src.get("additionalInstruction")),
    );
    put(&mut o, "timing", src.get("timing").map(timing));
    Value::Object(o)
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const TIMING: &[&str] = &[
    "boundsRange", "boundsPeriod", "count", "duration", "durationMax", "frequency",
    "frequencyMax", "period", "periodMax",
];

/// DSTU2 datatypes.html#Timing: `durationUnits`/`periodUnits`, one `when`,
/// `bounds[x]` with a Quantity where R4 has a Duration.
fn timing(t: &Value) -> Value {
    let mut o = Obj::new();
    let src = t.as_object().cloned().unwrap_or_default();
    copy(&mut o, &src, &["event", "code"]);
    if let Some(Value::Object(r)) = src.get("repeat") {
        let mut rep = Obj::new();
        copy(&mut rep, r, TIMING);
        rename(&mut rep, r, "boundsDuration", "boundsQuantity");
        rename(&mut rep, r, "durationUnit", "durationUnits");
        rename(&mut rep, r, "periodUnit", "periodUnits");
        put(&mut rep, "when", first(r.get("when")));
        o.insert("repeat".into(), Value::Object(rep));
    }
    Value::Object(o)
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const ALLERGY: &[&str] = &[
    "substance", "manifestation", "description", "onset", "severity", "exposureRoute",
];

/// DSTU2 allergyintolerance.html: one `status` code for both R4 statuses
/// (allergy-intolerance-status), criticality `CRITL`/`CRITH`/`CRITU`, the
/// required `substance` where R4 has `code`, `asserter` was `reporter`,
/// one `category` (no `biologic`: `other`), one `note`.
pub fn allergy(src: &Obj, out: &mut Obj) {
    copy(
        out,
        src,
        &["identifier", "recordedDate", "recorder", "patient", "type"],
    );
    rename(out, src, "onsetDateTime", "onset");
    rename(out, src, "asserter", "reporter");
    rename(out, src, "lastOccurrence", "lastOccurence");
    put(
        out,
        "substance",
        Some(
            src.get("code")
                .cloned()
                .unwrap_or_else(|| json!({"text": "Unknown"})),
        ),
    );
    let status = match (
        code(src.get("verificationStatus")),
        code(src.get("clinicalStatus")),
    ) {
        (Some("entered-in-error"), _) => "entered-in-error",
        (Some("refuted"), _) => "refuted",
        (_, Some("resolved")) => "resolved",
        (_, Some("inactive")) => "inactive",
        (Some("unconfirmed"), _) => "unconfirmed",
        (Some("confirmed"), _) => "confirmed",
        _ => "active",
    };
    out.insert("status".into(), json!(status));
    put(
        out,
        "criticality",
        map_code(
            src.get("criticality").and_then(Value::as_str),
            &[
                ("low", "CRITL"),
                ("high", "CRITH"),
                ("unable-to-assess", "CRITU"),
            ],
        ),
    );
    put(
        out,
        "category",
        map_code(
            first(src.get("category")).as_ref().and_then(Value::as_str),
            &[
                ("food", "food"),
                ("medication", "medication"),
                ("environment", "environment"),
                ("biologic", "other"),
            ],
        ),
    );
    put(out, "note", first(src.get("note")));
    if let Some(Value::Array(reactions)) = src.get("reaction") {
        let reactions = reactions.iter().map(|r| {
            let r = r.as_object().cloned().unwrap_or_default();
            let mut o = Obj::new();
            copy(&mut o, &r, ALLERGY);
            put(&mut o, "note", first(r.get("note")));
            Value::Object(o)
        });
        out.insert("reaction".into(), Value::Array(reactions.collect()));
    }
}
