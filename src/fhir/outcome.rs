//! OperationOutcome, the body of every FHIR error (FHIR R4 §3.1.0.1.x
//! "http": "an OperationOutcome SHOULD be returned" with 4xx/5xx).

use serde_json::{json, Value};

/// A one-issue OperationOutcome. `code` is from the R4 IssueType value set
/// (`not-found`, `forbidden`, `login`, `not-supported`, `invalid`, ...).
pub fn outcome(severity: &str, code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    })
}

/// An OperationOutcome listing several issues of one severity and code.
pub fn outcome_list(severity: &str, code: &str, diagnostics: &[String]) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": diagnostics
            .iter()
            .map(|d| json!({"severity": severity, "code": code, "diagnostics": d}))
            .collect::<Vec<_>>(),
    })
}

pub fn error(code: &str, diagnostics: &str) -> Value {
    outcome("error", code, diagnostics)
}
