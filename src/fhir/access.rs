//! Access control at the FHIR API (SMART App Launch 2.2, "Scopes for
//! requesting clinical data"; RFC 6750 for the bearer token itself).
//!
//! Two steps: [`bearer`] turns the `Authorization` header into verified
//! claims (401 when it cannot), and [`authorize_request`] turns claims, the
//! interaction and the resource type into an [`AccessFilter`] (403 when no
//! scope grants the interaction). The filter is then applied to every
//! resource a request would return: `patient/` scopes confine to the launch
//! patient's compartment, v2 constraints (`?category=laboratory`) must hold,
//! and a resource passes when ANY granting scope allows it.

use serde_json::Value;

use super::compartment::is_compartment_type;
use super::search::eval::matches_all;
use super::search::parse::{filter, Filter};
use super::store::Entry;
use crate::clock::UnixTime;
use crate::keys::Hs256;
use crate::launch::SimulatedError;
use crate::oauth::bearer::{authenticate_bearer, BearerError};
use crate::oauth::revocations::Revocations;
use crate::oauth::smart_scope::{perm, ResourceScope, ScopeContext};
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Release;

/// Why a request carries no usable token (RFC 6750 §3.1: 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BearerProblem {
    Missing,
    Invalid(String),
    Expired,
}

impl BearerProblem {
    pub fn description(&self) -> String {
        match self {
            BearerProblem::Missing => {
                "this FHIR request needs an access token: send `Authorization: Bearer <token>`"
                    .into()
            }
            BearerProblem::Invalid(why) => format!("the access token is invalid: {why}"),
            BearerProblem::Expired => {
                "the access token has expired; refresh it or launch again".into()
            }
        }
    }
}

/// RFC 6750 §2.1: `Authorization: Bearer <token>`, verified by the
/// authorization server's own check (signature, kind, expiry, revocation,
/// simulated `request_*` errors).
pub fn bearer(
    authorization: Option<&str>,
    hs: &Hs256,
    revocations: &Revocations,
    now: UnixTime,
) -> Result<AccessClaims, BearerProblem> {
    authenticate_bearer(authorization, hs, revocations, now).map_err(|e| match e {
        BearerError::Missing => BearerProblem::Missing,
        BearerError::Expired(_) => BearerProblem::Expired,
        BearerError::Invalid(m) | BearerError::Revoked(m) => BearerProblem::Invalid(m),
    })
}

/// FHIR R4 §3.1.0 interactions, each needing one SMART v2 permission:
/// `r` covers read, vread and instance history; `s` covers search and type
/// history; `c` create, `u` update (update-as-create too: it is the update
/// interaction), `d` delete; v1 `write` is `cud` (SMART 2.2, "Scopes for
/// requesting clinical data", table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    Read,
    Vread,
    HistoryInstance,
    HistoryType,
    Search,
    Create,
    Update,
    Delete,
}

impl Interaction {
    pub fn permission(self) -> u8 {
        match self {
            Interaction::Read | Interaction::Vread | Interaction::HistoryInstance => perm::R,
            Interaction::HistoryType | Interaction::Search => perm::S,
            Interaction::Create => perm::C,
            Interaction::Update => perm::U,
            Interaction::Delete => perm::D,
        }
    }

    fn verb(self) -> (&'static str, char, &'static str) {
        match self.permission() {
            perm::R => ("read", 'r', "read"),
            perm::C => ("create", 'c', "write"),
            perm::U => ("update", 'u', "write"),
            perm::D => ("delete", 'd', "write"),
            _ => ("search", 's', "read"),
        }
    }
}

/// A 401 (token problem) or a 403 (scope problem, with a message naming the
/// missing scope).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    Token(BearerProblem),
    Forbidden(String),
}

/// One granting scope as applied to resources: the compartment it is
/// confined to and its constraints (`None`: a constraint this server cannot
/// evaluate, so the scope grants nothing: fail closed).
#[derive(Debug, Clone)]
struct Rule {
    scope: String,
    patient: Option<String>,
    constraints: Option<Vec<Filter>>,
}

/// Which resources of one type a request may return.
#[derive(Debug, Clone)]
pub struct AccessFilter {
    resource_type: String,
    rules: Vec<Rule>,
}

impl AccessFilter {
    /// No restriction (tests and internal use).
    pub fn unrestricted(resource_type: &str) -> Self {
        AccessFilter {
            resource_type: resource_type.into(),
            rules: vec![Rule {
                scope: "*".into(),
                patient: None,
                constraints: Some(Vec::new()),
            }],
        }
    }

    /// The one patient every rule is confined to, if any: the search can
    /// then start from that patient's compartment index.
    pub fn patient(&self) -> Option<&str> {
        let first = self.rules.first()?.patient.as_deref()?;
        self.rules
            .iter()
            .all(|r| r.patient.as_deref() == Some(first))
            .then_some(first)
    }

    fn in_compartment(&self, rule: &Rule, entry: &Entry) -> bool {
        match &rule.patient {
            None => true,
            // Types outside the Patient compartment (Practitioner,
            // Organization, ...) are shared reference data: a patient app
            // needs them to show who treated the patient, and the
            // compartment definition does not own them.
            // A Binary belongs to the compartment of its `securityContext`.
            Some(p) => {
                !(is_compartment_type(&self.resource_type) || self.resource_type == "Binary")
                    || entry.patients.iter().any(|x| x == p)
            }
        }
    }

    /// Whether some granting scope reaches this resource's compartment
    /// (ignoring constraints): a read outside it is a 404, not a 403, so
    /// the existence of other patients' data is not revealed.
    pub fn reaches(&self, entry: &Entry) -> bool {
        self.rules.iter().any(|r| self.in_compartment(r, entry))
    }

    /// Whether some granting scope allows this resource.
    pub fn allows(&self, entry: &Entry, resource: &Value) -> bool {
        self.rules.iter().any(|r| {
            self.in_compartment(r, entry)
                && r.constraints
                    .as_deref()
                    .is_some_and(|c| matches_all(resource, c))
        })
    }

    /// Whether some granting scope allows writing this content, whose
    /// compartment is `patients`: a `patient/` scope needs the launch
    /// patient among them (so writes of types outside the compartment are
    /// refused under `patient/` scopes: fail closed), and v2 constraints
    /// must hold on the new content (SMART 2.2 "Scopes": a scope confines
    /// what may be written as well as read).
    pub fn allows_write(&self, patients: &[String], resource: &Value) -> bool {
        self.rules.iter().any(|r| {
            r.patient
                .as_ref()
                .is_none_or(|p| patients.iter().any(|x| x == p))
                && r.constraints
                    .as_deref()
                    .is_some_and(|c| matches_all(resource, c))
        })
    }

    /// The scopes that granted the interaction (for messages).
    pub fn scopes(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.scope.as_str()).collect()
    }
}

/// Whether an `aud` names a FHIR base of `release`. Only the `/v/{release}`
/// part is compared: the `/sim/{sim}` segment only carries launch options
/// (which patient to pre-select, which errors to simulate) and names the
/// same data, so a token from `/v/r4/sim/X/fhir` is good at `/v/r4/fhir` and
/// vice versa (SMART 2.2 asks that a token be honoured only by the server in
/// its `aud`; host aliases such as localhost/127.0.0.1 are the same server).
pub fn aud_release_matches(aud: &str, release: Release) -> bool {
    let Ok(url) = url::Url::parse(aud) else {
        return false;
    };
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let fhir_last = segs.last() == Some(&"fhir");
    let shape = match segs.as_slice() {
        ["v", rel, "fhir"] | ["v", rel, "sim", _, "fhir"] => Some(*rel),
        _ => None,
    };
    fhir_last && shape == Some(release.as_str())
}

fn check_token(claims: &AccessClaims, release: Release) -> Result<(), Denied> {
    match claims.sim_error {
        Some(SimulatedError::RequestInvalidToken) => {
            return Err(Denied::Token(BearerProblem::Invalid(
                "simulated error `request_invalid_token` (set by the launch)".into(),
            )))
        }
        Some(SimulatedError::RequestExpiredToken) => {
            return Err(Denied::Token(BearerProblem::Expired))
        }
        _ => {}
    }
    if !aud_release_matches(&claims.grant.aud, release) {
        return Err(Denied::Token(BearerProblem::Invalid(format!(
            "it was issued for {}, not this FHIR server ({})",
            claims.grant.aud,
            release.as_str()
        ))));
    }
    Ok(())
}

/// Decides whether `claims` may perform `interaction` on `resource_type` at a
/// FHIR base of `release`, and if so which resources it may see.
pub fn authorize_request(
    claims: &AccessClaims,
    interaction: Interaction,
    resource_type: &str,
    release: Release,
) -> Result<AccessFilter, Denied> {
    check_token(claims, release)?;
    let needed = interaction.permission();
    let patient = claims.grant.ctx.patient.clone();
    let mut rules = Vec::new();
    let mut lacking_patient = false;
    for scope in claims
        .grant
        .scope
        .split_ascii_whitespace()
        .filter_map(ResourceScope::parse)
    {
        // Scopes name the release's type (a DSTU2 app asks for
        // `patient/MedicationOrder.read`, which is R4 MedicationRequest).
        let named = super::release_view::release_type(resource_type, release);
        if !scope.allows(named, needed) {
            continue;
        }
        let confined = match scope.context {
            ScopeContext::Patient => match &patient {
                Some(p) => Some(p.clone()),
                None => {
                    lacking_patient = true;
                    continue;
                }
            },
            ScopeContext::User | ScopeContext::System => None,
        };
        let constraints = scope
            .constraints
            .iter()
            .map(|(k, v)| {
                let decoded: Vec<(String, String)> = url::form_urlencoded::parse(
                    format!("{k}={}", v.replace('+', "%2B")).as_bytes(),
                )
                .into_owned()
                .collect();
                let (k, v) = decoded.into_iter().next()?;
                filter(resource_type, &k, &v).ok().flatten()
            })
            .collect::<Option<Vec<Filter>>>();
        rules.push(Rule {
            scope: scope.to_string(),
            patient: confined,
            constraints,
        });
    }
    if rules.is_empty() {
        let (verb, letter, v1) = interaction.verb();
        let ctx = if patient.is_some() { "patient" } else { "user" };
        let named = super::release_view::release_type(resource_type, release);
        let mut msg = format!(
            "this token has no scope granting {verb} of {named} (needs e.g. {ctx}/{named}.{letter} or {ctx}/{named}.{v1})"
        );
        if lacking_patient {
            msg.push_str("; its patient/ scopes grant nothing because no patient is in context");
        }
        return Err(Denied::Forbidden(msg));
    }
    Ok(AccessFilter {
        resource_type: resource_type.to_string(),
        rules,
    })
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
