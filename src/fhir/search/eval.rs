//! Evaluating parsed search criteria against one resource (FHIR R4 §3.1.1.4
//! per parameter type). Works on the JSON directly through the paths of the
//! parameter table; arrays are flattened at every step, and a filter holds
//! when any value at any path satisfies any OR-alternative.

use serde_json::Value;

use super::date::value_range;
use super::params::{Kind, Param};
use super::parse::{reference, Criterion, Filter, Modifier, System};
use super::text::fold;

/// Calls `f` on every value at a dotted `path`, flattening arrays; stops
/// early (and returns true) once `f` returns true.
pub fn any_at<'a>(v: &'a Value, path: &str, f: &mut dyn FnMut(&'a Value) -> bool) -> bool {
    if let Value::Array(items) = v {
        return items.iter().any(|i| any_at(i, path, f));
    }
    if path.is_empty() {
        return f(v);
    }
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    match v.get(head) {
        Some(next) => any_at(next, rest, f),
        None => false,
    }
}

/// Any value at any of the parameter's paths satisfying `f`.
pub fn any_value<'a>(
    resource: &'a Value,
    param: &Param,
    f: &mut dyn FnMut(&'a Value) -> bool,
) -> bool {
    param.paths.iter().any(|p| any_at(resource, p, f))
}

/// Whether the resource satisfies one filter.
pub fn matches(resource: &Value, filter: &Filter) -> bool {
    let param = filter.param;
    match filter.modifier {
        Modifier::Missing(missing) => any_value(resource, param, &mut |_| true) != missing,
        Modifier::Not => !filter.any_of.iter().any(|c| {
            any_value(resource, param, &mut |v| {
                criterion_matches(param, Modifier::None, c, v)
            })
        }),
        m => filter
            .any_of
            .iter()
            .any(|c| any_value(resource, param, &mut |v| criterion_matches(param, m, c, v))),
    }
}

/// Whether the resource satisfies every filter (R4 §3.1.1: parameters ANDed).
pub fn matches_all(resource: &Value, filters: &[Filter]) -> bool {
    filters.iter().all(|f| matches(resource, f))
}

fn criterion_matches(param: &Param, m: Modifier, c: &Criterion, v: &Value) -> bool {
    match c {
        Criterion::Token { system, code } => token_matches(system, code.as_deref(), v),
        Criterion::Date { prefix, range } => {
            value_range(v).is_some_and(|t| prefix.matches(*range, t))
        }
        Criterion::String { folded, raw } => string_parts(v).any(|s| match m {
            Modifier::Exact => s == raw,
            Modifier::Contains => fold(s).contains(folded.as_str()),
            _ => fold(s).starts_with(folded.as_str()),
        }),
        Criterion::Reference { ty, id } => reference_matches(param, ty.as_deref(), id, v),
    }
}

/// R4 §3.1.1.4.6 ("token") against a code, boolean, Coding, CodeableConcept
/// or Identifier.
pub fn token_matches(system: &System, code: Option<&str>, v: &Value) -> bool {
    let pair = |sys: Option<&str>, c: Option<&str>| {
        let system_ok = match system {
            System::Any => true,
            System::Absent => sys.is_none(),
            System::Is(s) => sys == Some(s.as_str()),
        };
        system_ok && code.is_none_or(|want| c == Some(want))
    };
    match v {
        Value::String(s) => pair(None, Some(s)),
        Value::Bool(b) => pair(None, Some(if *b { "true" } else { "false" })),
        Value::Object(o) => {
            if let Some(Value::Array(codings)) = o.get("coding") {
                return codings.iter().any(|c| token_matches(system, code, c));
            }
            let sys = o.get("system").and_then(Value::as_str);
            let c = o
                .get("code")
                .or_else(|| o.get("value"))
                .and_then(Value::as_str);
            c.is_some() && pair(sys, c)
        }
        _ => false,
    }
}

const STRING_PARTS: &[&str] = &[
    "text",
    "family",
    "given",
    "prefix",
    "suffix",
    "line",
    "city",
    "district",
    "state",
    "postalCode",
    "country",
];

/// The strings a string parameter looks at: the value itself, or the name
/// and address parts of a HumanName or Address.
pub fn string_parts(v: &Value) -> Box<dyn Iterator<Item = &str> + '_> {
    match v {
        Value::String(s) => Box::new(std::iter::once(s.as_str())),
        Value::Object(o) => {
            Box::new(
                STRING_PARTS
                    .iter()
                    .filter_map(|k| o.get(*k))
                    .flat_map(|x| match x {
                        Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>(),
                        other => other.as_str().into_iter().collect(),
                    }),
            )
        }
        _ => Box::new(std::iter::empty()),
    }
}

/// The `(type, id)` a Reference value points at (relative or absolute).
pub fn reference_target(v: &Value) -> Option<(Option<String>, String)> {
    reference(v.get("reference")?.as_str()?)
}

/// R4 §3.1.1.4.8 ("reference"): `Type/id`, or a bare id of one of the
/// parameter's target types.
fn reference_matches(param: &Param, ty: Option<&str>, id: &str, v: &Value) -> bool {
    let Some((rty, rid)) = reference_target(v) else {
        return false;
    };
    rid == id
        && match (ty, rty.as_deref()) {
            (Some(want), got) => got == Some(want),
            (None, Some(got)) => param.targets.is_empty() || param.targets.contains(&got),
            (None, None) => true,
        }
}

/// A sortable key of one resource for one parameter (R4 §3.1.1.5.4
/// "_sort"): the earliest date, the first folded string, the first code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

pub fn sort_value(resource: &Value, param: &Param) -> Option<SortValue> {
    let mut out = None;
    any_value(resource, param, &mut |v| {
        out = match param.kind {
            Kind::Date => value_range(v).map(|r| SortValue::Int(r.start)),
            Kind::String => string_parts(v).next().map(|s| SortValue::Text(fold(s))),
            Kind::Token => token_text(v).map(SortValue::Text),
            Kind::Reference => None,
        };
        out.is_some()
    });
    out
}

fn token_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => match o.get("coding") {
            Some(Value::Array(c)) => c.first().and_then(token_text),
            _ => o
                .get("code")
                .or_else(|| o.get("value"))
                .and_then(Value::as_str)
                .map(str::to_string),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::filter;
    use super::*;
    use serde_json::json;

    fn obs() -> Value {
        json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "meta": {"lastUpdated": "2024-05-01T00:00:00Z"},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}], "text": "Glucose"},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": "2024-03-01T10:00:00Z"
        })
    }

    fn is(ty: &str, name: &str, value: &str, r: &Value) -> bool {
        matches(r, &filter(ty, name, value).unwrap().unwrap())
    }

    #[test]
    fn token_forms() {
        let o = obs();
        assert!(is("Observation", "code", "http://loinc.org|2345-7", &o));
        assert!(is("Observation", "code", "2345-7", &o));
        assert!(is("Observation", "code", "http://loinc.org|", &o));
        assert!(!is("Observation", "code", "|2345-7", &o));
        assert!(!is(
            "Observation",
            "code",
            "http://snomed.info/sct|2345-7",
            &o
        ));
        assert!(is("Observation", "category", "laboratory,vital-signs", &o));
        assert!(!is("Observation", "category", "vital-signs", &o));
        assert!(is("Observation", "category:not", "vital-signs", &o));
        assert!(is("Observation", "status", "final", &o));
        assert!(is("Observation", "status", "|final", &o));
        assert!(is("Observation", "_id", "o1", &o));
        let p = json!({"resourceType": "Patient", "identifier": [{"system": "urn:mrn", "value": "M1"}]});
        assert!(is("Patient", "identifier", "urn:mrn|M1", &p));
        assert!(!is("Patient", "identifier", "urn:other|M1", &p));
    }

    #[test]
    fn references_dates_and_missing() {
        let o = obs();
        assert!(is("Observation", "patient", "p1", &o));
        assert!(is("Observation", "patient", "Patient/p1", &o));
        assert!(is("Observation", "subject", "http://x/fhir/Patient/p1", &o));
        assert!(!is("Observation", "patient", "p2", &o));
        assert!(!is("Observation", "subject:Group", "p1", &o));
        assert!(is("Observation", "date", "2024-03", &o));
        assert!(is("Observation", "date", "ge2024-03-01", &o));
        assert!(!is("Observation", "date", "lt2024-03-01", &o));
        assert!(is("Observation", "_lastUpdated", "gt2024-04", &o));
        assert!(is("Observation", "encounter:missing", "true", &o));
        assert!(!is("Observation", "encounter:missing", "false", &o));
    }

    #[test]
    fn strings_are_prefix_case_and_accent_insensitive() {
        let p = json!({"resourceType": "Patient", "name": [{"family": "Núñez", "given": ["José", "María"]}]});
        assert!(is("Patient", "family", "nun", &p));
        assert!(is("Patient", "family", "NÚÑEZ", &p));
        assert!(!is("Patient", "family", "unez", &p));
        assert!(is("Patient", "family:contains", "unez", &p));
        assert!(is("Patient", "given", "maria", &p));
        assert!(is("Patient", "name", "jos", &p));
        assert!(is("Patient", "family:exact", "Núñez", &p));
        assert!(!is("Patient", "family:exact", "nunez", &p));
    }

    #[test]
    fn sort_values() {
        let o = obs();
        let date = super::super::params::lookup("Observation", "date").unwrap();
        assert_eq!(
            sort_value(&o, date),
            Some(SortValue::Int(1_709_287_200_000))
        );
        let code = super::super::params::lookup("Observation", "code").unwrap();
        assert_eq!(sort_value(&o, code), Some(SortValue::Text("2345-7".into())));
        let enc = super::super::params::lookup("Observation", "status").unwrap();
        assert_eq!(sort_value(&json!({}), enc), None);
    }
}
