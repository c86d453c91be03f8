//! R4 → DSTU2 (1.0.2). Element lists from hl7.org/fhir/DSTU2/{type}.html.
//! DSTU2 differs most: `patient` where R4 has `subject`, status codes
//! instead of CodeableConcepts, single values where R4 allows many, and
//! MedicationOrder where R4 has MedicationRequest.

use serde_json::{json, Value};

use super::dstu2_clinical::{allergy, condition, medication_order};
use super::{base, copy, first, map_code, note_text, put, related, rename, Obj};

/// One resource, or `None` for a type DSTU2 is not served in.
pub fn convert(src: &Obj) -> Option<Obj> {
    let kind = src.get("resourceType")?.as_str()?;
    let target = if kind == "MedicationRequest" {
        "MedicationOrder"
    } else {
        kind
    };
    let mut out = base(src, target);
    match kind {
        "Patient" => patient(src, &mut out),
        "Practitioner" => practitioner(src, &mut out),
        "Organization" => organization(src, &mut out),
        "Medication" => copy(&mut out, src, &["code", "manufacturer"]),
        "Encounter" => encounter(src, &mut out),
        "Observation" => observation(src, &mut out),
        "Condition" => condition(src, &mut out),
        "MedicationRequest" => medication_order(src, &mut out),
        "AllergyIntolerance" => allergy(src, &mut out),
        _ => return None,
    }
    Some(out)
}

/// DSTU2 datatypes.html#HumanName: `family` is a list of strings.
fn human_name(n: &Value) -> Value {
    let mut n = n.clone();
    if let Some(family) = n.get("family").filter(|f| f.is_string()).cloned() {
        n["family"] = json!([family]);
    }
    n
}

fn names(v: Option<&Value>) -> Option<Value> {
    Some(Value::Array(
        v?.as_array()?.iter().map(human_name).collect(),
    ))
}

/// DSTU2 datatypes.html#ContactPoint: no `url` or `sms` system.
fn telecom(v: Option<&Value>) -> Option<Value> {
    let items = v?.as_array()?.iter().map(|t| {
        let mut t = t.clone();
        if matches!(t["system"].as_str(), Some("url" | "sms")) {
            t["system"] = json!("other");
        }
        t
    });
    Some(Value::Array(items.collect()))
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const PATIENT: &[&str] = &[
    "identifier", "active", "gender", "birthDate", "deceasedBoolean", "deceasedDateTime",
    "address", "maritalStatus", "multipleBirthBoolean", "multipleBirthInteger", "photo",
    "communication", "managingOrganization",
];

/// DSTU2 patient.html: `generalPractitioner` was `careProvider`; link type
/// `replaced-by` was `replace`, and `replaces` did not exist.
fn patient(src: &Obj, out: &mut Obj) {
    copy(out, src, PATIENT);
    put(out, "name", names(src.get("name")));
    put(out, "telecom", telecom(src.get("telecom")));
    rename(out, src, "generalPractitioner", "careProvider");
    if let Some(Value::Array(contacts)) = src.get("contact") {
        let contacts = contacts.iter().map(|c| {
            let mut c = c.clone();
            if let Some(n) = c.get("name").map(human_name) {
                c["name"] = n;
            }
            if let Some(t) = telecom(c.get("telecom")) {
                c["telecom"] = t;
            }
            c
        });
        out.insert("contact".into(), Value::Array(contacts.collect()));
    }
    let links: Vec<Value> = src
        .get("link")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let kind = map_code(
                l["type"].as_str(),
                &[
                    ("replaced-by", "replace"),
                    ("refer", "refer"),
                    ("seealso", "seealso"),
                ],
            )?;
            Some(json!({ "other": l["other"], "type": kind }))
        })
        .collect();
    if !links.is_empty() {
        out.insert("link".into(), Value::Array(links));
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const PRACTITIONER: &[&str] = &[
    "identifier", "active", "address", "gender", "birthDate", "photo", "qualification",
    "communication",
];

/// DSTU2 practitioner.html: one `name`.
fn practitioner(src: &Obj, out: &mut Obj) {
    copy(out, src, PRACTITIONER);
    put(out, "name", first(src.get("name")).map(|n| human_name(&n)));
    put(out, "telecom", telecom(src.get("telecom")));
}

/// DSTU2 organization.html: one `type`.
fn organization(src: &Obj, out: &mut Obj) {
    copy(
        out,
        src,
        &["identifier", "active", "name", "address", "partOf"],
    );
    put(out, "type", first(src.get("type")));
    put(out, "telecom", telecom(src.get("telecom")));
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const HOSPITALIZATION: &[&str] = &[
    "preAdmissionIdentifier", "origin", "admitSource", "dietPreference", "specialCourtesy",
    "specialArrangement", "destination", "dischargeDisposition",
];

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const ENCOUNTER: &[&str] = &[
    "identifier", "type", "priority", "episodeOfCare", "participant", "period", "length",
    "location", "serviceProvider", "partOf",
];

/// DSTU2 encounter.html: `class` is a code from encounter-class,
/// `subject` was `patient`, `reasonCode` was `reason`, a Condition or
/// Procedure reason was `indication`, and the status list was shorter.
fn encounter(src: &Obj, out: &mut Obj) {
    copy(out, src, ENCOUNTER);
    let finished = src.get("period").is_some_and(|p| p.get("end").is_some());
    let status = match src.get("status").and_then(Value::as_str) {
        Some("triaged") => "arrived",
        Some("entered-in-error") => "cancelled",
        Some(
            s @ ("planned" | "arrived" | "in-progress" | "onleave" | "finished" | "cancelled"),
        ) => s,
        _ if finished => "finished",
        _ => "in-progress",
    };
    out.insert("status".into(), json!(status));
    rename(out, src, "subject", "patient");
    put(out, "appointment", first(src.get("appointment")));
    put(
        out,
        "class",
        map_code(
            src.get("class").and_then(|c| c["code"].as_str()),
            &[
                ("AMB", "ambulatory"),
                ("EMER", "emergency"),
                ("FLD", "field"),
                ("HH", "home"),
                ("IMP", "inpatient"),
                ("ACUTE", "inpatient"),
                ("NONAC", "inpatient"),
                ("OBSENC", "outpatient"),
                ("SS", "daytime"),
                ("VR", "virtual"),
            ],
        )
        .or_else(|| src.get("class").map(|_| json!("other"))),
    );
    rename(out, src, "reasonCode", "reason");
    let indications: Vec<Value> = src
        .get("reasonReference")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .cloned()
        .chain(
            src.get("diagnosis")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| d.get("condition").cloned()),
        )
        .collect();
    if !indications.is_empty() {
        out.insert("indication".into(), Value::Array(indications));
    }
    if let Some(Value::Object(h)) = src.get("hospitalization") {
        let mut o = Obj::new();
        copy(&mut o, h, HOSPITALIZATION);
        out.insert("hospitalization".into(), Value::Object(o));
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const OBSERVATION: &[&str] = &[
    "identifier", "code", "subject", "encounter", "effectiveDateTime", "effectivePeriod",
    "issued", "performer", "dataAbsentReason", "bodySite", "method", "specimen", "device",
];

/// DSTU2 observation.html: one `category` and `interpretation`, `note` was
/// `comments`, `referenceRange.type` was `meaning`, `corrected` was
/// `amended`, and there was no `valueBoolean` or `valueInteger`.
fn observation(src: &Obj, out: &mut Obj) {
    copy(out, src, OBSERVATION);
    copy_values(out, src);
    rename(out, src, "effectiveInstant", "effectiveDateTime");
    let status =
        src.get("status")
            .and_then(Value::as_str)
            .map(|s| if s == "corrected" { "amended" } else { s });
    put(out, "status", status.map(|s| json!(s)));
    put(out, "category", first(src.get("category")));
    put(out, "interpretation", first(src.get("interpretation")));
    put(out, "comments", note_text(src.get("note")));
    put(out, "related", related(src));
    put(
        out,
        "referenceRange",
        reference_ranges(src.get("referenceRange")),
    );
    if let Some(Value::Array(components)) = src.get("component") {
        let converted = components.iter().map(|c| {
            let c = c.as_object().cloned().unwrap_or_default();
            let mut o = Obj::new();
            copy(&mut o, &c, &["code", "dataAbsentReason", "extension"]);
            copy_values(&mut o, &c);
            put(
                &mut o,
                "referenceRange",
                reference_ranges(c.get("referenceRange")),
            );
            Value::Object(o)
        });
        out.insert("component".into(), Value::Array(converted.collect()));
    }
}

/// Elements kept unchanged (same name and shape in both releases).
#[rustfmt::skip]
const VALUES: &[&str] = &[
    "valueQuantity", "valueCodeableConcept", "valueString", "valueRange", "valueRatio",
    "valueSampledData", "valueTime", "valueDateTime", "valuePeriod",
];

/// `value[x]` as DSTU2 Observation allows it.
fn copy_values(out: &mut Obj, src: &Obj) {
    copy(out, src, VALUES);
    if let Some(n) = src.get("valueInteger") {
        out.insert("valueQuantity".into(), json!({ "value": n }));
    }
    if let Some(b) = src.get("valueBoolean").and_then(Value::as_bool) {
        out.insert("valueString".into(), json!(b.to_string()));
    }
}

fn reference_ranges(v: Option<&Value>) -> Option<Value> {
    let ranges = v?.as_array()?.iter().map(|r| {
        let r = r.as_object().cloned().unwrap_or_default();
        let mut o = Obj::new();
        copy(&mut o, &r, &["low", "high", "age", "text"]);
        rename(&mut o, &r, "type", "meaning");
        Value::Object(o)
    });
    Some(Value::Array(ranges.collect()))
}
