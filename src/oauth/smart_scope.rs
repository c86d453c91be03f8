//! SMART resource scopes in v1 (`patient/Observation.read`) and v2
//! (`patient/Observation.rs?category=laboratory`) syntax, SMART App Launch
//! 2.2 "Scopes for requesting clinical data". Both parse to the same model:
//! a context, a resource type (or `*`), a set of permissions out of
//! `c r u d s`, and optional search-parameter constraints.

/// Who the access is on behalf of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeContext {
    /// Confined to the in-context patient's compartment.
    Patient,
    /// Everything the signed-in user may see.
    User,
    /// Backend services: no user.
    System,
}

impl ScopeContext {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeContext::Patient => "patient",
            ScopeContext::User => "user",
            ScopeContext::System => "system",
        }
    }
}

/// Permission bits, in the v2 letter order `c r u d s`.
pub mod perm {
    pub const C: u8 = 1;
    pub const R: u8 = 2;
    pub const U: u8 = 4;
    pub const D: u8 = 8;
    pub const S: u8 = 16;
    pub const ALL: u8 = C | R | U | D | S;
    /// v1 `read` = v2 `rs` (SMART 2.2 "Scopes for requesting clinical data").
    pub const READ: u8 = R | S;
    /// v1 `write` = v2 `cud`.
    pub const WRITE: u8 = C | U | D;
    pub const LETTERS: [(u8, char); 5] = [(C, 'c'), (R, 'r'), (U, 'u'), (D, 'd'), (S, 's')];
}

/// One clinical-data scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceScope {
    pub context: ScopeContext,
    /// `None` for `*`.
    pub resource_type: Option<String>,
    pub perms: u8,
    /// `?name=value` constraints (v2), in order.
    pub constraints: Vec<(String, String)>,
    /// Written in v1 syntax; kept so a v1 request is answered in v1.
    pub v1: bool,
}

impl ResourceScope {
    /// Parses `context/Type.perms[?query]`; `None` when it is not a valid
    /// SMART resource scope (such scopes grant nothing, SMART 2.2 allows
    /// ignoring them, and they must never be read as extra rights).
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() > 512 {
            return None;
        }
        let (ctx, rest) = s.split_once('/')?;
        let context = match ctx {
            "patient" => ScopeContext::Patient,
            "user" => ScopeContext::User,
            "system" => ScopeContext::System,
            _ => return None,
        };
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let (ty, perms_text) = path.rsplit_once('.')?;
        let resource_type = match ty {
            "*" => None,
            t if is_resource_type(t) => Some(t.to_string()),
            _ => return None,
        };
        let (perms, v1) = match perms_text {
            "read" => (perm::READ, true),
            "write" => (perm::WRITE, true),
            "*" => (perm::ALL, true),
            letters => (parse_letters(letters)?, false),
        };
        if v1 && query.is_some() {
            return None;
        }
        let mut constraints = Vec::new();
        if let Some(q) = query {
            for pair in q.split('&') {
                let (k, v) = pair.split_once('=')?;
                if k.is_empty() || v.is_empty() {
                    return None;
                }
                constraints.push((k.to_string(), v.to_string()));
            }
            if constraints.is_empty() {
                return None;
            }
        }
        Some(ResourceScope {
            context,
            resource_type,
            perms,
            constraints,
            v1,
        })
    }

    /// Whether this scope allows an interaction (one permission bit) on a
    /// resource type; constraints are checked by the caller.
    pub fn allows(&self, resource_type: &str, permission: u8) -> bool {
        self.perms & permission == permission
            && self
                .resource_type
                .as_deref()
                .is_none_or(|t| t == resource_type)
    }

    /// Whether everything `other` grants is granted by `self`.
    pub fn covers(&self, other: &ResourceScope) -> bool {
        self.context == other.context
            && (self.resource_type.is_none() || self.resource_type == other.resource_type)
            && other.perms & !self.perms == 0
            && self
                .constraints
                .iter()
                .all(|c| other.constraints.contains(c))
    }

    /// What both scopes grant, if anything.
    pub fn intersect(&self, other: &ResourceScope) -> Option<ResourceScope> {
        if self.context != other.context {
            return None;
        }
        let resource_type = match (&self.resource_type, &other.resource_type) {
            (None, t) | (t, None) => t.clone(),
            (Some(a), Some(b)) if a == b => Some(a.clone()),
            _ => return None,
        };
        let perms = self.perms & other.perms;
        if perms == 0 {
            return None;
        }
        let mut constraints = self.constraints.clone();
        for c in &other.constraints {
            if !constraints.contains(c) {
                constraints.push(c.clone());
            }
        }
        Some(ResourceScope {
            context: self.context,
            resource_type,
            perms,
            v1: self.v1 && other.v1 && constraints.is_empty(),
            constraints,
        })
    }
}

impl std::fmt::Display for ResourceScope {
    /// v1 syntax when the scope was v1 and the permissions have a v1 name;
    /// v2 letters otherwise.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}.",
            self.context.as_str(),
            self.resource_type.as_deref().unwrap_or("*")
        )?;
        let v1_name = match self.perms {
            perm::READ => Some("read"),
            perm::WRITE => Some("write"),
            perm::ALL => Some("*"),
            _ => None,
        };
        match v1_name.filter(|_| self.v1 && self.constraints.is_empty()) {
            Some(name) => f.write_str(name)?,
            None => {
                for (bit, letter) in perm::LETTERS {
                    if self.perms & bit != 0 {
                        write!(f, "{letter}")?;
                    }
                }
            }
        }
        for (i, (k, v)) in self.constraints.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// v2 permissions: a non-empty subsequence of `cruds`, in that order.
fn parse_letters(s: &str) -> Option<u8> {
    if s.is_empty() {
        return None;
    }
    let mut bits = 0u8;
    let mut next = 0usize;
    for ch in s.chars() {
        let pos = perm::LETTERS[next..].iter().position(|(_, l)| *l == ch)? + next;
        bits |= perm::LETTERS[pos].0;
        next = pos + 1;
    }
    Some(bits)
}

/// FHIR resource type names: an uppercase letter then letters.
fn is_resource_type(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphabetic())
        && s.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ResourceScope {
        ResourceScope::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn v1_and_v2_forms() {
        assert_eq!(p("patient/Observation.read").perms, perm::READ);
        assert_eq!(p("user/*.*").perms, perm::ALL);
        assert_eq!(p("user/*.write").perms, perm::WRITE);
        assert_eq!(p("system/Patient.rs").perms, perm::R | perm::S);
        assert_eq!(p("patient/*.cruds").perms, perm::ALL);
        let c = p("patient/Observation.rs?category=http://x|laboratory&code=1");
        assert_eq!(c.constraints.len(), 2);
        assert_eq!(c.resource_type.as_deref(), Some("Observation"));
    }

    #[test]
    fn invalid_forms() {
        for bad in [
            "patient/Observation.sr",
            "patient/Observation.dus",
            "patient/Observation.",
            "patient/Observation.x",
            "patient/observation.rs",
            "group/Patient.rs",
            "patient/Observation.read?x=1",
            "patient/Observation.rs?",
            "patient/Observation.rs?x",
            "launch/patient",
            "openid",
        ] {
            assert!(ResourceScope::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "patient/Observation.read",
            "user/*.*",
            "system/*.rs",
            "patient/Observation.rs?category=laboratory",
            "user/Patient.cud",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn coverage_and_intersection() {
        assert!(p("patient/*.rs").covers(&p("patient/Observation.r")));
        assert!(p("patient/*.read").covers(&p("patient/Observation.rs")));
        assert!(!p("patient/*.r").covers(&p("patient/Observation.rs")));
        assert!(!p("user/*.rs").covers(&p("patient/Observation.rs")));
        assert!(p("patient/Observation.rs").covers(&p("patient/Observation.rs?category=lab")));
        assert!(!p("patient/Observation.rs?category=lab").covers(&p("patient/Observation.rs")));
        let i = p("patient/*.rs")
            .intersect(&p("patient/Observation.cruds"))
            .unwrap();
        assert_eq!(i.to_string(), "patient/Observation.rs");
        assert!(p("patient/Condition.rs")
            .intersect(&p("patient/Observation.rs"))
            .is_none());
        assert!(p("patient/Condition.c")
            .intersect(&p("patient/Condition.r"))
            .is_none());
        assert!(p("patient/*.read").allows("Observation", perm::S));
        assert!(!p("patient/*.read").allows("Observation", perm::C));
    }

    proptest::proptest! {
        /// Whatever parses is written back in a form that parses to the
        /// same scope (letters in canonical order, v1 names kept).
        #[test]
        fn display_is_read_back(s in "(patient|user|system|launch|x)/(\\*|Observation|Patient|obs|)\\.(read|write|\\*|[cruds]{0,6}|rx)(\\?([a-z]{0,4}=[a-z|]{0,4}&?){0,3})?") {
            if let Some(scope) = ResourceScope::parse(&s) {
                proptest::prop_assert_eq!(ResourceScope::parse(&scope.to_string()), Some(scope));
            }
        }
    }
}
