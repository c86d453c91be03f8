//! Scope negotiation at the authorization endpoint: what of the requested
//! scope the launch's registration allows.
//!
//! RFC 6749 §3.3 lets the server "fully or partially ignore the scope
//! requested by the client" and requires it to say what it granted; SMART App
//! Launch 2.2 ("Scopes and launch context") adds that a broader scope covers
//! a narrower one (`patient/*.rs` covers `patient/Observation.r`) and that
//! undefined permission strings must never be read as extra rights. So the
//! grant is the covered part of the request, and `invalid_scope` is left for
//! requests of which nothing at all can be granted.

use super::scopes::ScopeSet;
use super::smart_scope::ResourceScope;

/// The scopes to grant for `requested`, given the scopes the launch allows
/// (`allowed` empty: a sandbox welcomes anything).
///
/// * Non-resource scopes (`openid`, `fhirUser`, `launch`, `launch/...`,
///   `offline_access`, ...): granted when `allowed` is empty or lists them.
/// * Resource scopes: granted as written when `allowed` is empty or an
///   allowed scope covers them; otherwise their intersections with the
///   allowed scopes are granted (asked `patient/*.rs`, allowed
///   `patient/Observation.rs`: `patient/Observation.rs`).
/// * Strings that start like a resource scope but do not parse are dropped
///   (SMART 2.2 allows ignoring them; they must grant nothing).
///
/// Request order is kept and nothing is granted twice.
pub fn negotiate(requested: &ScopeSet, allowed: &ScopeSet) -> ScopeSet {
    let allowed_resources: Vec<ResourceScope> =
        allowed.iter().filter_map(ResourceScope::parse).collect();
    let mut granted: Vec<String> = Vec::new();
    let mut grant = |s: String| {
        if !granted.contains(&s) {
            granted.push(s);
        }
    };
    for scope in requested.iter() {
        match ResourceScope::parse(scope) {
            Some(asked) => {
                if allowed.is_empty() || allowed_resources.iter().any(|a| a.covers(&asked)) {
                    grant(scope.to_string());
                } else {
                    for a in &allowed_resources {
                        if let Some(both) = asked.intersect(a) {
                            grant(both.to_string());
                        }
                    }
                }
            }
            None if looks_like_resource_scope(scope) => {}
            None => {
                if allowed.is_empty() || allowed.has(scope) {
                    grant(scope.to_string());
                }
            }
        }
    }
    ScopeSet::parse(&granted.join(" "))
}

/// `patient/...`, `user/...` or `system/...`: a clinical-data scope, valid
/// or not. An invalid one is never passed through as an opaque scope.
fn looks_like_resource_scope(s: &str) -> bool {
    ["patient/", "user/", "system/"]
        .iter()
        .any(|p| s.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(req: &str, allowed: &str) -> String {
        negotiate(&ScopeSet::parse(req), &ScopeSet::parse(allowed)).to_string()
    }

    #[test]
    fn broader_allowed_covers_narrower_request() {
        assert_eq!(
            n(
                "patient/Observation.r launch/patient openid",
                "patient/*.rs launch/patient openid"
            ),
            "patient/Observation.r launch/patient openid"
        );
        assert_eq!(
            n("patient/Observation.read", "patient/*.*"),
            "patient/Observation.read"
        );
    }

    #[test]
    fn intersections_when_request_is_broader() {
        assert_eq!(
            n("patient/*.rs", "patient/Observation.rs"),
            "patient/Observation.rs"
        );
        assert_eq!(
            n(
                "patient/*.cruds",
                "patient/Observation.rs patient/Condition.r"
            ),
            "patient/Observation.rs patient/Condition.r"
        );
        assert_eq!(
            n("user/*.read", "user/Observation.rs?category=laboratory"),
            "user/Observation.rs?category=laboratory"
        );
        assert_eq!(n("patient/Observation.c", "patient/*.rs"), "");
        assert_eq!(n("user/*.rs", "patient/*.rs"), "");
    }

    #[test]
    fn non_resource_scopes() {
        assert_eq!(
            n(
                "openid fhirUser launch/encounter launch/diagnosticreport offline_access",
                ""
            ),
            "openid fhirUser launch/encounter launch/diagnosticreport offline_access"
        );
        assert_eq!(n("openid profile online_access", "openid"), "openid");
        assert_eq!(n("launch/patient?role=x", "launch/patient"), "");
    }

    #[test]
    fn invalid_resource_scopes_are_dropped_and_duplicates_merged() {
        assert_eq!(n("patient/Observation.dus openid", ""), "openid");
        assert_eq!(
            n("patient/*.rs patient/*.rs", "patient/Observation.rs"),
            "patient/Observation.rs"
        );
        assert_eq!(
            n(
                "patient/*.rs patient/Observation.read",
                "patient/Observation.rs"
            ),
            "patient/Observation.rs patient/Observation.read"
        );
    }

    fn scope_text() -> impl Strategy<Value = String> {
        let ctx = prop::sample::select(vec!["patient", "user", "system", "group", ""]);
        let ty = prop::sample::select(vec!["*", "Observation", "Patient", "Condition", "obs", ""]);
        let perms = prop_oneof![
            prop::sample::select(vec![
                "read", "write", "*", "rs", "cruds", "c", "sr", "dus", ""
            ])
            .prop_map(String::from),
            "[cruds]{1,5}",
        ];
        let query = prop_oneof![
            Just(String::new()),
            Just("?category=laboratory".to_string()),
            Just("?code=x&status=final".to_string()),
            "\\?[a-z=&|]{0,12}",
        ];
        prop_oneof![
            4 => (ctx, ty, perms, query).prop_map(|(c, t, p, q)| format!("{c}/{t}.{p}{q}")),
            2 => prop::sample::select(vec![
                "openid", "fhirUser", "profile", "launch", "launch/patient",
                "launch/encounter", "launch/x", "offline_access", "online_access",
            ])
            .prop_map(String::from),
            1 => "\\PC{0,16}",
        ]
    }

    fn scope_list() -> impl Strategy<Value = String> {
        prop::collection::vec(scope_text(), 0..6).prop_map(|v| v.join(" "))
    }

    fn covered_by_some(scope: &ResourceScope, set: &ScopeSet) -> bool {
        set.iter()
            .filter_map(ResourceScope::parse)
            .any(|s| s.covers(scope))
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in any::<String>(), t in any::<String>()) {
            let _ = ResourceScope::parse(&s);
            let _ = negotiate(&ScopeSet::parse(&s), &ScopeSet::parse(&t));
        }

        #[test]
        fn granted_is_within_requested_and_allowed(req in scope_list(), allowed in scope_list()) {
            let requested = ScopeSet::parse(&req);
            let allowed = ScopeSet::parse(&allowed);
            let granted = negotiate(&requested, &allowed);
            let mut seen = std::collections::HashSet::new();
            for g in granted.iter() {
                prop_assert!(seen.insert(g), "duplicate {}", g);
                match ResourceScope::parse(g) {
                    Some(r) => {
                        prop_assert!(covered_by_some(&r, &requested), "{} not requested", g);
                        if !allowed.is_empty() {
                            prop_assert!(covered_by_some(&r, &allowed), "{} not allowed", g);
                        }
                    }
                    None => {
                        prop_assert!(requested.has(g), "{} not requested", g);
                        prop_assert!(!looks_like_resource_scope(g), "{} invalid", g);
                        prop_assert!(allowed.is_empty() || allowed.has(g), "{} not allowed", g);
                    }
                }
            }
        }

        #[test]
        fn everything_is_granted_when_nothing_is_pinned(req in scope_list()) {
            let requested = ScopeSet::parse(&req);
            let granted = negotiate(&requested, &ScopeSet::default());
            for s in requested.iter() {
                let valid = ResourceScope::parse(s).is_some() || !looks_like_resource_scope(s);
                prop_assert_eq!(granted.has(s), valid, "{}", s);
            }
        }
    }
}
