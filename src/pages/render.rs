//! Builds the page for a screen the authorize chain asked for, filling in
//! the people and visits from the directory.

use askama::Template;

use super::{
    ConsentPage, EncounterPickerPage, FormContext, LoginPage, LoginRole, PatientPickerPage,
    ScopeExplanation,
};
use crate::directory::{Directory, PersonSummary};
use crate::oauth::screen::{Screen, ScreenRequest};

/// A pinned id the directory does not know (e.g. data on an external FHIR
/// server) still appears, under its id.
fn unknown(id: &str, resource_type: &'static str) -> PersonSummary {
    PersonSummary {
        id: id.to_string(),
        resource_type,
        name: id.to_string(),
        gender: String::new(),
        birth_date: None,
        mrn: None,
        detail: String::new(),
    }
}

fn patients(dir: &dyn Directory, choices: &[String]) -> Vec<PersonSummary> {
    if choices.is_empty() {
        dir.patients()
    } else {
        choices
            .iter()
            .map(|id| dir.patient(id).unwrap_or_else(|| unknown(id, "Patient")))
            .collect()
    }
}

fn practitioners(dir: &dyn Directory, choices: &[String]) -> Vec<PersonSummary> {
    if choices.is_empty() {
        dir.practitioners()
    } else {
        choices
            .iter()
            .map(|id| {
                dir.practitioner(id)
                    .unwrap_or_else(|| unknown(id, "Practitioner"))
            })
            .collect()
    }
}

/// `Patient/x` or `Practitioner/x` as a summary.
fn person(dir: &dyn Directory, reference: &str) -> Option<PersonSummary> {
    let (kind, id) = reference.split_once('/')?;
    Some(match kind {
        "Patient" => dir.patient(id).unwrap_or_else(|| unknown(id, "Patient")),
        _ => dir
            .practitioner(id)
            .unwrap_or_else(|| unknown(id, "Practitioner")),
    })
}

pub fn render_screen(req: &ScreenRequest, dir: &dyn Directory) -> Result<String, askama::Error> {
    let form = FormContext {
        action: req.action.clone(),
        hidden: req.hidden.clone(),
        flow: req.flow.clone(),
        screen: req.screen.id(),
    };
    let client_id = req.client_id.clone();
    let error = req.error.clone();
    match &req.screen {
        Screen::PatientLogin { choices } => LoginPage {
            form,
            role: LoginRole::Patient,
            users: patients(dir, choices),
            client_id,
            error,
        }
        .render(),
        Screen::ProviderLogin { choices } => LoginPage {
            form,
            role: LoginRole::Provider,
            users: practitioners(dir, choices),
            client_id,
            error,
        }
        .render(),
        Screen::PatientPicker { choices } => PatientPickerPage {
            form,
            patients: patients(dir, choices),
            client_id,
            error,
        }
        .render(),
        Screen::EncounterPicker { patient } => EncounterPickerPage {
            form,
            patient: dir
                .patient(patient)
                .unwrap_or_else(|| unknown(patient, "Patient")),
            encounters: dir.encounters(patient),
            client_id,
            error,
        }
        .render(),
        Screen::Consent => ConsentPage {
            form,
            client_id,
            user: req.user.as_deref().and_then(|u| person(dir, u)),
            patient: req.patient.as_deref().and_then(|p| dir.patient(p)),
            scopes: req.scopes.iter().map(ScopeExplanation::new).collect(),
            redirect_host: url::Url::parse(&req.redirect_uri)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| req.redirect_uri.clone()),
        }
        .render(),
    }
}
