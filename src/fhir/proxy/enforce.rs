//! Scope enforcement in front of an upstream server: the same rules as the
//! embedded store (SMART App Launch 2.2, "Scopes for requesting clinical
//! data"), applied to what is sent and to what comes back, since the
//! upstream server knows nothing of the token.
//!
//! - Searches under `patient/` scopes get the launch patient forced in
//!   (`patient=` or, for Patient, `_id=`), and v2 constraints are added as
//!   search parameters; a search naming another patient is refused.
//! - Everything returned is re-checked with the same [`AccessFilter`]:
//!   a read outside the compartment is a 404 (its existence is not
//!   revealed), Bundle entries the token may not see are dropped, and
//!   `Bundle.total` is kept only while it is still true.

use serde_json::Value;

use crate::fhir::access::{authorize_request, AccessFilter, Interaction};
use crate::fhir::compartment::{is_compartment_type, patients_of, PATIENT_COMPARTMENT};
use crate::fhir::store::Entry;
use crate::oauth::smart_scope::{ResourceScope, ScopeContext};
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Release;

/// What a search may forward: the query with forced parameters, and
/// whether the upstream's `total` will count exactly what the token may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    pub params: Vec<(String, String)>,
    pub pinned: bool,
}

/// The last path segment of a reference (`Patient/a`, `http://h/Patient/a`, `a`).
fn patient_id(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// Scopes behind `filter`, parsed (to read their context and constraints).
fn rules(filter: &AccessFilter) -> Vec<ResourceScope> {
    filter
        .scopes()
        .iter()
        .filter_map(|s| ResourceScope::parse(s))
        .collect()
}

/// Whether any granting scope confines what may be seen or written (a
/// patient compartment or a v2 constraint): then bodies must be checked.
pub fn confined(filter: &AccessFilter, ty: &str) -> bool {
    rules(filter).iter().any(|r| {
        !r.constraints.is_empty() || (r.context == ScopeContext::Patient && is_compartment_type(ty))
    })
}

fn decode(k: &str, v: &str) -> Option<(String, String)> {
    url::form_urlencoded::parse(format!("{k}={}", v.replace('+', "%2B")).as_bytes())
        .into_owned()
        .next()
}

/// Plans a search of `ty` (R4 search.html): `Err(message)` for a 403.
pub fn plan_search(
    filter: &AccessFilter,
    ty: &str,
    params: &[(String, String)],
) -> Result<SearchPlan, String> {
    let mut out: Vec<(String, String)> = params.to_vec();
    let rules = rules(filter);
    let mut pinned = true;
    if let Some(p) = filter.patient().filter(|_| is_compartment_type(ty)) {
        let names: &[&str] = if ty == "Patient" {
            &["_id"]
        } else {
            &["patient", "subject", "patient:Patient", "subject:Patient"]
        };
        for (k, v) in params.iter().filter(|(k, _)| names.contains(&k.as_str())) {
            if let Some(other) = v.split(',').map(patient_id).find(|id| *id != p) {
                return Err(format!(
                    "{k}={other} names a patient outside this token's patient/ scopes (only {p} is in context)"
                ));
            }
        }
        out.push((
            if ty == "Patient" { "_id" } else { "patient" }.into(),
            p.to_string(),
        ));
        // `_elements` would hide the references the compartment check reads.
        if let Some((_, els)) = out.iter_mut().find(|(k, _)| k == "_elements") {
            if let Some((_, paths)) = PATIENT_COMPARTMENT.iter().find(|(t, _)| *t == ty) {
                for path in *paths {
                    let top = path.split('.').next().unwrap_or(path);
                    els.push(',');
                    els.push_str(top);
                }
            }
        }
    } else if rules.iter().any(|r| r.context == ScopeContext::Patient) {
        pinned = !is_compartment_type(ty);
    }
    match rules.as_slice() {
        [only] => out.extend(only.constraints.iter().filter_map(|(k, v)| decode(k, v))),
        many => pinned &= many.iter().all(|r| r.constraints.is_empty()),
    }
    Ok(SearchPlan {
        params: out,
        pinned,
    })
}

/// The verdict on one resource the upstream returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Outside every granting scope's compartment: answer 404.
    Hidden,
    /// In the compartment but outside the constraints: answer 403.
    Forbidden,
}

/// Checks `resource` (of type `ty`) against `filter`, as the embedded
/// store does with its compartment index (`fhir::compartment`).
pub fn check(filter: &AccessFilter, ty: &str, resource: &Value) -> Verdict {
    if resource.get("resourceType").and_then(Value::as_str) != Some(ty) {
        return Verdict::Hidden;
    }
    let entry = Entry {
        id: String::new(),
        versions: Vec::new(),
        patients: patients_of(ty, resource),
    };
    if !filter.reaches(&entry) {
        Verdict::Hidden
    } else if !filter.allows(&entry, resource) {
        Verdict::Forbidden
    } else {
        Verdict::Allow
    }
}

/// Drops the entries of a search, history or operation Bundle that the
/// token may not see: each resource is checked with the filter of its own
/// type for `interaction` (so `_include`d Practitioners need a scope too),
/// OperationOutcomes stay, entries without a resource (history deletes)
/// go. Removes `total` unless `pinned` and no match was dropped. Returns
/// how many entries were dropped.
pub fn filter_bundle(
    bundle: &mut Value,
    claims: &AccessClaims,
    release: Release,
    interaction: Interaction,
    pinned: bool,
) -> usize {
    let mut filters: Vec<(String, Option<AccessFilter>)> = Vec::new();
    let mut dropped = 0;
    if let Some(entries) = bundle.get_mut("entry").and_then(Value::as_array_mut) {
        entries.retain(|e| {
            let Some(ty) = e.pointer("/resource/resourceType").and_then(Value::as_str) else {
                dropped += 1;
                return false;
            };
            if ty == "OperationOutcome" {
                return true;
            }
            if !filters.iter().any(|(t, _)| t == ty) {
                let f = authorize_request(claims, interaction, ty, release).ok();
                filters.push((ty.to_string(), f));
            }
            let keep = filters
                .iter()
                .find(|(t, _)| t == ty)
                .and_then(|(_, f)| f.as_ref())
                .is_some_and(|f| check(f, ty, &e["resource"]) == Verdict::Allow);
            dropped += usize::from(!keep);
            keep
        });
    }
    if !pinned || dropped > 0 {
        if let Some(obj) = bundle.as_object_mut() {
            obj.remove("total");
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unrestricted_search_is_pinned_and_checks_types() {
        let f = AccessFilter::unrestricted("Observation");
        let plan = plan_search(&f, "Observation", &[("code".into(), "x".into())]).unwrap();
        assert!(plan.pinned);
        assert_eq!(plan.params, vec![("code".to_string(), "x".to_string())]);
        let obs = json!({"resourceType": "Observation", "subject": {"reference": "Patient/a"}});
        assert_eq!(check(&f, "Observation", &obs), Verdict::Allow);
        assert_eq!(check(&f, "Condition", &obs), Verdict::Hidden);
        assert_eq!(patient_id("http://h/fhir/Patient/b"), "b");
    }
}
