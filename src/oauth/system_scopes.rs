//! The scopes a backend service is granted: SMART App Launch 2.2, "Backend
//! Services", "Scopes": the server mediates the requested `system/` scopes
//! against what the client was pre-authorized for, and SHOULD grant no more
//! than was asked.

use super::scopes::ScopeSet;
use super::smart_scope::{ResourceScope, ScopeContext};

fn system_scopes(set: &ScopeSet) -> Vec<ResourceScope> {
    set.iter()
        .filter_map(ResourceScope::parse)
        .filter(|s| s.context == ScopeContext::System)
        .collect()
}

/// The granted scopes: each requested `system/` scope (v1 or v2 syntax)
/// intersected with each allowed one; any `system/` scope when the launch
/// allows everything (empty list). Other scopes (`patient/`, `user/`,
/// `openid`, `offline_access`, ...) are never granted to a backend service:
/// there is no user or launch context. Results covered by another result
/// are dropped, so the string lists each right once, in request order.
pub fn grant_system_scopes(requested: &ScopeSet, allowed: &ScopeSet) -> ScopeSet {
    let asked = system_scopes(requested);
    let mut granted: Vec<ResourceScope> = Vec::new();
    let mut add = |s: ResourceScope| {
        if !granted.iter().any(|g| g.covers(&s)) {
            granted.retain(|g| !s.covers(g));
            granted.push(s);
        }
    };
    if allowed.is_empty() {
        asked.into_iter().for_each(&mut add);
    } else {
        let allowed = system_scopes(allowed);
        for a in &asked {
            for b in &allowed {
                if let Some(i) = a.intersect(b) {
                    add(i);
                }
            }
        }
    }
    let text: Vec<String> = granted.iter().map(ToString::to_string).collect();
    ScopeSet::parse(&text.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(asked: &str, allowed: &str) -> String {
        grant_system_scopes(&ScopeSet::parse(asked), &ScopeSet::parse(allowed)).to_string()
    }

    #[test]
    fn intersection_in_v1_and_v2() {
        assert_eq!(
            grant("system/Observation.rs system/Patient.cruds", "system/*.rs"),
            "system/Observation.rs system/Patient.rs"
        );
        assert_eq!(grant("system/Patient.read", ""), "system/Patient.read");
        assert_eq!(
            grant("system/Patient.read", "system/*.read"),
            "system/Patient.read"
        );
        assert_eq!(
            grant("system/*.rs", "system/Patient.rs system/Observation.r"),
            "system/Patient.rs system/Observation.r"
        );
        assert_eq!(
            grant(
                "system/Observation.rs?category=laboratory",
                "system/Observation.rs"
            ),
            "system/Observation.rs?category=laboratory"
        );
    }

    #[test]
    fn only_system_scopes() {
        assert_eq!(
            grant(
                "openid patient/*.rs user/*.rs offline_access system/Patient.rs",
                ""
            ),
            "system/Patient.rs"
        );
        assert_eq!(grant("patient/*.rs", ""), "");
        assert_eq!(grant("system/Patient.rs", "patient/*.rs"), "");
        assert_eq!(grant("system/Patient.c", "system/*.rs"), "");
    }

    #[test]
    fn no_duplicates_or_covered_rights() {
        assert_eq!(
            grant("system/Patient.rs system/*.rs system/Patient.r", ""),
            "system/*.rs"
        );
        assert_eq!(
            grant("system/Patient.rs", "system/*.rs system/Patient.read"),
            "system/Patient.rs"
        );
    }
}
