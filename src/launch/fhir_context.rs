//! The `fhir_context` launch option: SMART App Launch 2.2 `fhirContext`
//! ("App Launch: Launch context", fhirContext). Written by people in three
//! forms, all normalized to the 2.2 object form:
//!
//! * a JSON array of objects, each with at least one of `reference` (a
//!   relative `Type/id`), `canonical` (a URL, optionally `|version`) or
//!   `identifier` (an object), an optional `type` and an optional `role`
//!   (non-empty);
//! * a JSON array of `Type/id` strings (the 2.0 form);
//! * comma-separated `Type/id` references.
//!
//! Patient and Encounter belong in `patient` and `encounter`; SMART 2.2 allows
//! them in `fhirContext` only with a `role` other than `launch`. Anything
//! else is refused with a message naming the bad entry, because a fixture
//! that silently loses its context makes a test pass for the wrong reason.

use serde_json::{json, Map, Value};

/// The normalized `fhirContext` array, `None` for an empty option.
pub fn parse(text: &str) -> Result<Option<Value>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let items: Vec<Value> = if text.starts_with('[') {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items,
            _ => return Err("fhir_context is not a valid JSON array".into()),
        }
    } else if text.starts_with('{') {
        return Err("fhir_context must be a JSON array of objects, not a single object".into());
    } else {
        text.split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| Value::String(r.to_string()))
            .collect()
    };
    if items.is_empty() {
        return Ok(None);
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| entry(item).map_err(|e| format!("fhir_context entry {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()
        .map(|v| Some(Value::Array(v)))
}

fn entry(item: Value) -> Result<Value, String> {
    let obj = match item {
        Value::String(r) => {
            check_reference(&r)?;
            let mut m = Map::new();
            m.insert("reference".into(), json!(r));
            m
        }
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "expected an object or a \"Type/id\" string, got {other}"
            ))
        }
    };
    for key in obj.keys() {
        if !["reference", "canonical", "identifier", "type", "role"].contains(&key.as_str()) {
            return Err(format!(
                "unknown member `{key}`; use reference, canonical, identifier, type, role"
            ));
        }
    }
    let text = |k: &str| -> Result<Option<&str>, String> {
        match obj.get(k) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
            Some(_) => Err(format!("`{k}` must be a non-empty string")),
        }
    };
    let reference = text("reference")?;
    let canonical = text("canonical")?;
    let ty = text("type")?;
    let role = text("role")?;
    if let Some(r) = reference {
        check_reference(r)?;
    }
    if let Some(t) = ty {
        if !is_type(t) {
            return Err(format!("`type` `{t}` is not a FHIR resource type"));
        }
    }
    match obj.get("identifier") {
        None | Some(Value::Object(_)) => {}
        Some(_) => return Err("`identifier` must be an Identifier object".into()),
    }
    if reference.is_none() && canonical.is_none() && !obj.contains_key("identifier") {
        return Err("needs at least one of reference, canonical or identifier".into());
    }
    let launch_type = reference.and_then(|r| r.split('/').next()).or(ty);
    if matches!(launch_type, Some("Patient" | "Encounter")) && role.is_none_or(|r| r == "launch") {
        return Err(
            "Patient and Encounter go in the patient and encounter options; in fhirContext \
             they need a role other than `launch`"
                .into(),
        );
    }
    Ok(Value::Object(obj))
}

/// A relative reference `Type/id` (SMART 2.2: "a relative reference").
fn check_reference(r: &str) -> Result<(), String> {
    let ok = r.split_once('/').is_some_and(|(t, id)| {
        is_type(t)
            && !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{r}` is not a relative reference like \"Observation/123\""
        ))
    }
}

fn is_type(t: &str) -> bool {
    let mut chars = t.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphabetic())
        && t.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let expected =
            json!([{"reference": "Observation/1"}, {"reference": "DiagnosticReport/a-2"}]);
        assert_eq!(
            parse("Observation/1, DiagnosticReport/a-2"),
            Ok(Some(expected.clone()))
        );
        assert_eq!(
            parse(r#"["Observation/1","DiagnosticReport/a-2"]"#),
            Ok(Some(expected))
        );
        let objects = r#"[{"reference":"Observation/1","role":"https://x/role"},
            {"canonical":"http://q/Questionnaire/x|1","type":"Questionnaire"},
            {"identifier":{"system":"s","value":"v"},"type":"ServiceRequest"},
            {"reference":"Patient/p2","role":"https://x/sibling"}]"#;
        assert_eq!(
            parse(objects).unwrap().unwrap().as_array().unwrap().len(),
            4
        );
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("[]"), Ok(None));
    }

    #[test]
    fn refusals() {
        for bad in [
            "[",
            r#"{"reference":"Observation/1"}"#,
            "Observation",
            "http://x/Observation/1",
            "observation/1",
            r#"[{"role":"launch"}]"#,
            r#"[{"reference":"Observation/1","role":""}]"#,
            r#"[{"reference":"Observation/1","extra":1}]"#,
            r#"[{"identifier":"x"}]"#,
            r#"[{"canonical":"c","type":"lower"}]"#,
            r#"[1]"#,
            "Patient/p1",
            r#"[{"reference":"Encounter/e1","role":"launch"}]"#,
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.starts_with("fhir_context"), "{bad}: {e}");
        }
    }
}
