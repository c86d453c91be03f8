//! Builds the page for a screen the authorize chain asked for, filling in
//! the people and visits from the directory.

use askama::Template;

use super::{
    ConsentPage, EncounterPickerPage, FormContext, LoginPage, LoginRole, Pager, PatientPickerPage,
    ScopeExplanation,
};
use crate::directory::{Directory, PersonSummary};
use crate::oauth::screen::{Browse, Screen, ScreenRequest};

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

/// Rows per page of the searchable lists.
pub const PAGE_SIZE: usize = 20;

/// The people to list: the launch's pinned choices as they are, or one page
/// of the whole directory, searched.
fn listing(
    choices: &[String],
    browse: &Browse,
    noun: &'static str,
    lookup: impl Fn(&str) -> Option<PersonSummary>,
    search: impl Fn(&str, usize, usize) -> (Vec<PersonSummary>, usize),
    resource_type: &'static str,
) -> (Vec<PersonSummary>, Option<Pager>) {
    if !choices.is_empty() {
        let people = choices
            .iter()
            .map(|id| lookup(id).unwrap_or_else(|| unknown(id, resource_type)))
            .collect();
        return (people, None);
    }
    let (mut people, total) = search(&browse.query, browse.offset, PAGE_SIZE);
    let mut offset = browse.offset;
    if people.is_empty() && offset > 0 {
        // A stale page number (the list shrank): show the first page.
        offset = 0;
        people = search(&browse.query, 0, PAGE_SIZE).0;
    }
    let pager = Pager {
        noun,
        query: browse.query.clone(),
        offset,
        total,
        page_size: PAGE_SIZE,
    };
    (people, Some(pager))
}

fn patients(
    dir: &dyn Directory,
    choices: &[String],
    browse: &Browse,
) -> (Vec<PersonSummary>, Option<Pager>) {
    listing(
        choices,
        browse,
        "patients",
        |id| dir.patient(id),
        |q, o, l| dir.search_patients(q, o, l),
        "Patient",
    )
}

fn practitioners(
    dir: &dyn Directory,
    choices: &[String],
    browse: &Browse,
) -> (Vec<PersonSummary>, Option<Pager>) {
    listing(
        choices,
        browse,
        "practitioners",
        |id| dir.practitioner(id),
        |q, o, l| dir.search_practitioners(q, o, l),
        "Practitioner",
    )
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
        Screen::PatientLogin { choices } => {
            let (users, pager) = patients(dir, choices, &req.browse);
            LoginPage {
                form,
                role: LoginRole::Patient,
                users,
                client_id,
                error,
                pager,
            }
            .render()
        }
        Screen::ProviderLogin { choices } => {
            let (users, pager) = practitioners(dir, choices, &req.browse);
            LoginPage {
                form,
                role: LoginRole::Provider,
                users,
                client_id,
                error,
                pager,
            }
            .render()
        }
        Screen::PatientPicker { choices } => {
            let (patients, pager) = patients(dir, choices, &req.browse);
            PatientPickerPage {
                form,
                patients,
                client_id,
                error,
                pager,
            }
            .render()
        }
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
