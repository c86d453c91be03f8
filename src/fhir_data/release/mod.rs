//! DSTU2 (1.0.2) and STU3 (3.0.2) renditions of the core R4 resources, so
//! an app launched against `/v/r2/fhir` or `/v/r3/fhir` reads the same
//! patients in the shape its release defines.
//!
//! Each conversion builds the target resource from the element list of the
//! target release's resource page (hl7.org/fhir/DSTU2/{type}.html,
//! hl7.org/fhir/STU3/{type}.html): elements that kept their name and shape
//! are copied, renamed or reshaped ones are mapped, and R4-only elements
//! are dropped. Afterwards, for both releases:
//! - code systems move back to their pre-R4 URIs (R4 terminology.html
//!   moved `http://hl7.org/fhir/{cs}` and `http://hl7.org/fhir/v2/{n}`
//!   to `http://terminology.hl7.org/CodeSystem/...`);
//! - references to types the release does not serve are removed, so every
//!   reference a client follows resolves.

mod dstu2;
mod dstu2_clinical;
mod stu3;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_exact;

use serde_json::{Map, Value};

pub use crate::oauth::Release;

type Obj = Map<String, Value>;

/// Resource types served under `/v/{release}/fhir`. R2 names the order
/// `MedicationOrder` (DSTU2 has no MedicationRequest).
pub fn served_types(release: Release) -> &'static [&'static str] {
    match release {
        Release::R2 => &[
            "Patient",
            "Practitioner",
            "Organization",
            "Encounter",
            "Observation",
            "Condition",
            "MedicationOrder",
            "Medication",
            "AllergyIntolerance",
        ],
        Release::R3 => &[
            "Patient",
            "Practitioner",
            "Organization",
            "Encounter",
            "Observation",
            "Condition",
            "MedicationRequest",
            "Medication",
            "AllergyIntolerance",
        ],
        Release::R4 => crate::fixtures::generate::TYPE_ORDER,
    }
}

/// `CapabilityStatement.fhirVersion` (`Conformance.fhirVersion` in DSTU2).
pub fn fhir_version(release: Release) -> &'static str {
    match release {
        Release::R2 => "1.0.2",
        Release::R3 => "3.0.2",
        Release::R4 => "4.0.1",
    }
}

/// The R4 resource as `release` defines it: a clone for R4, `None` when the
/// release does not serve the type. In R2 a MedicationRequest becomes a
/// MedicationOrder with the same id, so `MedicationOrder/{id}` is the read.
pub fn to_release(resource: &Value, release: Release) -> Option<Value> {
    let src = resource.as_object()?;
    let mut out = match release {
        Release::R4 => return Some(resource.clone()),
        Release::R3 => stu3::convert(src)?,
        Release::R2 => dstu2::convert(src)?,
    };
    if let Some(Value::Array(contained)) = src.get("contained") {
        let kept: Vec<Value> = contained
            .iter()
            .filter_map(|c| to_release(c, release))
            .collect();
        if !kept.is_empty() {
            out.insert("contained".into(), Value::Array(kept));
        }
    }
    let mut out = Value::Object(out);
    old_systems(&mut out);
    if release == Release::R2 {
        medication_orders(&mut out);
    }
    prune(&mut out, served_types(release));
    Some(out)
}

/// The R4 resource type a release's type is rendered from.
pub fn r4_type(release_type: &str) -> &str {
    match release_type {
        "MedicationOrder" => "MedicationRequest",
        other => other,
    }
}

/// A new resource of `kind` with the elements every resource has
/// (R4 resource.html, DSTU2/STU3 resource.html and domainresource.html).
fn base(src: &Obj, kind: &str) -> Obj {
    let mut out = Obj::new();
    out.insert("resourceType".into(), Value::String(kind.into()));
    copy(
        &mut out,
        src,
        &["id", "meta", "implicitRules", "language", "text"],
    );
    copy(&mut out, src, &["extension", "modifierExtension"]);
    out
}

/// Copies the listed elements that are present.
fn copy(out: &mut Obj, src: &Obj, keys: &[&str]) {
    for k in keys {
        if let Some(v) = src.get(*k) {
            out.insert((*k).to_string(), v.clone());
        }
    }
}

/// Copies `from` as `to` when present.
fn rename(out: &mut Obj, src: &Obj, from: &str, to: &str) {
    if let Some(v) = src.get(from) {
        out.insert(to.into(), v.clone());
    }
}

/// Inserts `value` when it is `Some`.
fn put(out: &mut Obj, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        out.insert(key.into(), v);
    }
}

/// The first code of a CodeableConcept.
fn code(cc: Option<&Value>) -> Option<&str> {
    cc?.get("coding")?
        .as_array()?
        .iter()
        .find_map(|c| c["code"].as_str())
}

/// The first item of an array (a 0..* element that became 0..1).
fn first(v: Option<&Value>) -> Option<Value> {
    v?.as_array()?.first().cloned()
}

/// The texts of R4 Annotations joined, for releases where a note is a
/// string.
fn note_text(v: Option<&Value>) -> Option<Value> {
    let texts: Vec<&str> = v?
        .as_array()?
        .iter()
        .filter_map(|n| n["text"].as_str())
        .collect();
    (!texts.is_empty()).then(|| Value::String(texts.join("\n")))
}

/// R4 `hasMember` and `derivedFrom` as a pre-R4 `Observation.related`.
fn related(src: &Obj) -> Option<Value> {
    let mut out = Vec::new();
    for (key, kind) in [("hasMember", "has-member"), ("derivedFrom", "derived-from")] {
        for target in src.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.push(serde_json::json!({"type": kind, "target": target}));
        }
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

/// Maps a code through `table`, `None` when it is not listed.
fn map_code(code: Option<&str>, table: &[(&str, &str)]) -> Option<Value> {
    let code = code?;
    table
        .iter()
        .find(|(from, _)| *from == code)
        .map(|(_, to)| Value::String((*to).into()))
}

const TERMINOLOGY: &str = "http://terminology.hl7.org/CodeSystem/";

/// Rewrites R4 code system URIs to the ones DSTU2 and STU3 use.
fn old_systems(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(system)) = map.get_mut("system") {
                if let Some(name) = system.strip_prefix(TERMINOLOGY) {
                    let old = if let Some(table) = name.strip_prefix("v2-") {
                        format!("http://hl7.org/fhir/v2/{table}")
                    } else if let Some(cs) = name.strip_prefix("v3-") {
                        format!("http://hl7.org/fhir/v3/{cs}")
                    } else {
                        format!("http://hl7.org/fhir/{name}")
                    };
                    *system = old;
                }
            }
            map.values_mut().for_each(old_systems);
        }
        Value::Array(items) => items.iter_mut().for_each(old_systems),
        _ => {}
    }
}

/// DSTU2 has MedicationOrder where R4 has MedicationRequest, with the same
/// ids here, so references follow the rename.
fn medication_orders(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("reference") {
                if let Some(id) = r.strip_prefix("MedicationRequest/") {
                    *r = format!("MedicationOrder/{id}");
                }
            }
            map.values_mut().for_each(medication_orders);
        }
        Value::Array(items) => items.iter_mut().for_each(medication_orders),
        _ => {}
    }
}

/// Removes references to types outside `served`, then the elements that
/// became empty. Returns whether `v` still holds anything.
fn prune(v: &mut Value, served: &[&str]) -> bool {
    match v {
        Value::Object(map) => {
            if let Some(reference) = map.get("reference").and_then(Value::as_str) {
                let kind = reference.split('/').next().unwrap_or("");
                let relative = !reference.contains(':') && reference.contains('/');
                if relative && !served.contains(&kind) {
                    return false;
                }
            }
            map.retain(|_, child| prune(child, served));
            !map.is_empty()
        }
        Value::Array(items) => {
            items.retain_mut(|item| prune(item, served));
            !items.is_empty()
        }
        _ => true,
    }
}
