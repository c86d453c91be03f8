//! Scope strings (RFC 6749 §3.3: space-delimited, case-sensitive) and the
//! SMART scopes that steer the authorize chain (SMART App Launch 2.2,
//! "Scopes and Launch Context").

/// A set of scopes, kept in request order without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(Vec<String>);

impl ScopeSet {
    pub fn parse(s: &str) -> Self {
        let mut out: Vec<String> = Vec::new();
        for scope in s.split_ascii_whitespace() {
            if !out.iter().any(|x| x == scope) {
                out.push(scope.to_string());
            }
        }
        ScopeSet(out)
    }

    pub fn has(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Any `patient/...` resource scope: its grant needs a patient in context.
    pub fn has_patient_scope(&self) -> bool {
        self.iter().any(|s| s.starts_with("patient/"))
    }

    /// `offline_access` or `online_access`: the grant comes with a refresh token.
    pub fn wants_refresh(&self) -> bool {
        self.has("offline_access") || self.has("online_access")
    }

    pub fn is_subset_of(&self, other: &ScopeSet) -> bool {
        self.iter().all(|s| other.has(s))
    }

    /// The scopes of `self` that `allowed` lists; all of them when nothing
    /// is pinned (a sandbox welcomes any client).
    pub fn restrict_to(&self, allowed: &ScopeSet) -> ScopeSet {
        if allowed.is_empty() {
            return self.clone();
        }
        ScopeSet(
            self.iter()
                .filter(|s| allowed.has(s))
                .map(String::from)
                .collect(),
        )
    }
}

impl std::fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_dedupes_and_keeps_order() {
        let s = ScopeSet::parse("  openid launch  openid\tpatient/*.read ");
        assert_eq!(s.to_string(), "openid launch patient/*.read");
        assert!(s.has_patient_scope());
        assert!(!s.wants_refresh());
    }

    #[test]
    fn restrict() {
        let req = ScopeSet::parse("openid launch offline_access");
        assert_eq!(req.restrict_to(&ScopeSet::default()), req);
        let allowed = ScopeSet::parse("launch openid");
        assert_eq!(req.restrict_to(&allowed).to_string(), "openid launch");
        assert!(ScopeSet::parse("launch").is_subset_of(&req));
        assert!(!ScopeSet::parse("x").is_subset_of(&req));
    }
}
