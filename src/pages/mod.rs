//! HTML screens shown during the authorize chain.
//!
//! Every screen is a plain form that posts back to the authorize endpoint, so
//! the flow works without JavaScript and the server stays stateless between
//! screens: the original OAuth parameters travel as hidden inputs and the
//! signed `_flow` string carries whatever the server decided so far.
//! Templates live in `templates/`; askama's default HTML escaping must stay on
//! because hidden values are copied verbatim from the client's request.

mod assets;
pub mod launcher;
mod render;
mod scopes;
mod view;

use askama::Template;

use crate::directory::{EncounterSummary, PersonSummary};

pub use assets::static_asset;
pub use render::render_screen;
pub use scopes::explain_scope;

/// What every screen needs to post back into the authorize chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormContext {
    /// URL the form posts to (the authorize endpoint).
    pub action: String,
    /// Original OAuth parameters, re-posted unchanged as `name=value` pairs.
    pub hidden: Vec<(String, String)>,
    /// Opaque signed state, posted as `_flow`.
    pub flow: String,
    /// Screen id, posted as `_screen` so the server knows which answer it got.
    pub screen: &'static str,
}

/// Shown when the request cannot be redirected back to the app, so the
/// developer needs to read the reason in the browser.
#[derive(Debug, Clone, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: String,
    pub message: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRole {
    Patient,
    Provider,
}

impl LoginRole {
    /// Name of the submitted form field that carries the chosen user's id.
    pub fn field_name(self) -> &'static str {
        match self {
            LoginRole::Patient => "patient",
            LoginRole::Provider => "provider",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            LoginRole::Patient => "patient",
            LoginRole::Provider => "provider",
        }
    }
}

#[derive(Debug, Clone, Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub form: FormContext,
    pub role: LoginRole,
    pub users: Vec<PersonSummary>,
    pub client_id: String,
    pub error: Option<String>,
    /// Search and paging, when the list is the whole directory.
    pub pager: Option<Pager>,
}

#[derive(Debug, Clone, Template)]
#[template(path = "patient_picker.html")]
pub struct PatientPickerPage {
    pub form: FormContext,
    pub patients: Vec<PersonSummary>,
    pub client_id: String,
    pub error: Option<String>,
    /// Search and paging, when the list is the whole directory.
    pub pager: Option<Pager>,
}

impl PatientPickerPage {
    /// The list is empty because of a search, not because there is no one.
    pub fn searching(&self) -> bool {
        self.pager.as_ref().is_some_and(|p| !p.query.is_empty())
    }
}

/// Server-side search and paging for long lists, so the screens work
/// without JavaScript and with thousands of imported patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// `patients` or `practitioners`, for labels.
    pub noun: &'static str,
    pub query: String,
    pub offset: usize,
    pub total: usize,
    pub page_size: usize,
}

impl Pager {
    pub fn has_prev(&self) -> bool {
        self.offset > 0
    }
    pub fn has_next(&self) -> bool {
        self.offset + self.page_size < self.total
    }
    pub fn prev_offset(&self) -> usize {
        self.offset.saturating_sub(self.page_size)
    }
    pub fn next_offset(&self) -> usize {
        self.offset + self.page_size
    }
    pub fn page_number(&self) -> usize {
        self.offset / self.page_size.max(1) + 1
    }
    pub fn page_count(&self) -> usize {
        self.total.div_ceil(self.page_size.max(1)).max(1)
    }
    /// "12 patients match “ann”" / "60 patients".
    pub fn summary(&self) -> String {
        let (noun, verb) = if self.total == 1 {
            (self.noun.trim_end_matches('s'), "matches")
        } else {
            (self.noun, "match")
        };
        if self.query.is_empty() {
            format!("{} {noun}", self.total)
        } else {
            format!(
                "{} {noun} {verb} \u{201c}{}\u{201d}",
                self.total, self.query
            )
        }
    }
}

#[derive(Debug, Clone, Template)]
#[template(path = "encounter_picker.html")]
pub struct EncounterPickerPage {
    pub form: FormContext,
    pub patient: PersonSummary,
    pub encounters: Vec<EncounterSummary>,
    pub client_id: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub form: FormContext,
    pub client_id: String,
    /// The signed-in user, if any (a standalone patient launch may have one,
    /// a backend-style flow may not).
    pub user: Option<PersonSummary>,
    pub patient: Option<PersonSummary>,
    pub scopes: Vec<ScopeExplanation>,
    /// Host of the redirect URI, shown so users can spot a look-alike app.
    pub redirect_host: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeExplanation {
    pub scope: String,
    pub text: String,
}

impl ScopeExplanation {
    pub fn new(scope: impl Into<String>) -> Self {
        let scope = scope.into();
        let text = explain_scope(&scope);
        Self { scope, text }
    }
}

#[cfg(test)]
mod tests;
