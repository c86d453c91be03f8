//! Page models for the pages people open directly (not the authorize chain):
//! the launcher at `/`, the EHR frame at `/ehr`, the remote launcher at
//! `/launcher` and the sample app. Everything here is plain data and plain
//! functions so it is testable without a server; `http::pages` only extracts
//! and writes.

use std::collections::BTreeMap;

use askama::Template;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::directory::{Directory, EncounterSummary, PersonSummary};
use crate::launch::{
    decode, encode, ClientType, EncounterChoice, LaunchOptions, LaunchType, PkcePolicy,
    SimulatedError,
};

/// The launcher page. The form is rendered on the server (so the pickers
/// list the sandbox's people even before scripts run); `launcher.js` keeps
/// the outputs and the page URL in step with the form.
#[derive(Debug, Clone, Template)]
#[template(path = "launcher.html")]
pub struct LauncherPage {
    pub base_url: String,
    pub patients: Vec<PersonSummary>,
    pub practitioners: Vec<PersonSummary>,
    /// `(value, label)` for the launch type select, in v2 slot order.
    pub launch_types: Vec<(usize, &'static str)>,
    pub client_types: Vec<(usize, &'static str)>,
    pub pkce_policies: Vec<(usize, &'static str)>,
    pub errors: Vec<&'static str>,
    /// Encounters per patient for the encounter select, as JSON that is safe
    /// inside a `<script>` element (see [`script_json`]).
    pub encounters_json: String,
}

fn launch_type_label(t: LaunchType) -> &'static str {
    match t {
        LaunchType::ProviderEhr => "Provider EHR launch",
        LaunchType::PatientPortal => "Patient portal launch",
        LaunchType::ProviderStandalone => "Provider standalone launch",
        LaunchType::PatientStandalone => "Patient standalone launch",
        LaunchType::BackendService => "Backend service",
    }
}

fn client_type_label(t: ClientType) -> &'static str {
    match t {
        ClientType::Public => "Public (no secret)",
        ClientType::ConfidentialSymmetric => "Confidential, client secret",
        ClientType::ConfidentialAsymmetric => "Confidential, private key JWT",
        ClientType::BackendService => "Backend service",
    }
}

fn pkce_label(p: PkcePolicy) -> &'static str {
    match p {
        PkcePolicy::None => "None: ignore PKCE parameters",
        PkcePolicy::Auto => "Auto: verify when the app sends it",
        PkcePolicy::Always => "Always: require S256",
    }
}

/// JSON for an inline `<script type="application/json">`: `<` is escaped so
/// no data can close the script element early.
pub fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}

impl LauncherPage {
    pub fn new(base_url: &str, dir: &dyn Directory) -> Self {
        let patients = dir.patients();
        /// One option of the encounter select.
        #[derive(Serialize)]
        struct Enc {
            id: String,
            label: String,
        }
        let encounters: BTreeMap<&str, Vec<Enc>> = patients
            .iter()
            .map(|p| {
                let list = dir
                    .encounters(&p.id)
                    .iter()
                    .map(|e| Enc {
                        id: e.id.clone(),
                        label: format!("{}: {} ({})", e.start_display(), e.type_display, e.reason),
                    })
                    .collect();
                (p.id.as_str(), list)
            })
            .collect();
        LauncherPage {
            base_url: base_url.trim_end_matches('/').to_string(),
            practitioners: dir.practitioners(),
            launch_types: LaunchType::ALL
                .iter()
                .map(|t| (t.index(), launch_type_label(*t)))
                .collect(),
            client_types: ClientType::ALL
                .iter()
                .map(|t| (t.index(), client_type_label(*t)))
                .collect(),
            pkce_policies: PkcePolicy::ALL
                .iter()
                .map(|p| (p.index(), pkce_label(*p)))
                .collect(),
            errors: SimulatedError::ALL.iter().map(|e| e.as_str()).collect(),
            encounters_json: script_json(&encounters),
            patients,
        }
    }
}

/// A page that could not be built from what the browser sent: shown as an
/// HTML error page (status 400) rather than a redirect, because the target
/// is exactly what is in doubt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    BadRequest(String),
}

/// Only web URLs may be opened or redirected to: a `javascript:` or `data:`
/// "launch URL" would run in the sandbox's origin.
fn web_url(name: &str, value: &str) -> Result<Url, PageError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(PageError::BadRequest(format!("{name} is required")));
    }
    let url = Url::parse(value).map_err(|e| {
        PageError::BadRequest(format!("{name} is not an absolute URL ({e}): {value}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(PageError::BadRequest(format!(
            "{name} must be an http or https URL: {value}"
        )));
    }
    Ok(url)
}

/// The EHR frame: the app in an iframe under a simulated EHR header with the
/// patient banner, which is why the launch inside it sets `sim_ehr` (the app
/// is told `need_patient_banner: false`).
#[derive(Debug, Clone, Template)]
#[template(path = "ehr.html")]
pub struct EhrPage {
    pub app_url: String,
    pub patient: Option<PersonSummary>,
    /// Text for the encounter line.
    pub encounter: String,
    pub user: Option<PersonSummary>,
    /// A note when the launch inside is not marked `sim_ehr`.
    pub warning: Option<String>,
}

/// Finds the launch options the app URL carries: the `launch` parameter of
/// an EHR launch, or the `/sim/{value}/` segment of a standalone `iss`.
fn options_in(app: &Url) -> Option<LaunchOptions> {
    let param = |k: &str| {
        app.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(v) = param("launch") {
        return decode(&v).ok();
    }
    let iss = param("iss")?;
    let (_, _, value) = crate::launch::explain::extract(&iss);
    if value == iss {
        return None;
    }
    decode(&value).ok()
}

impl EhrPage {
    pub fn new(app: &str, dir: &dyn Directory) -> Result<Self, PageError> {
        let url = web_url("app", app)?;
        let opts = options_in(&url);
        let patient = opts
            .as_ref()
            .and_then(|o| o.patients().first().map(|id| id.to_string()))
            .map(|id| {
                dir.patient(&id).unwrap_or(PersonSummary {
                    name: id.clone(),
                    id,
                    resource_type: "Patient",
                    gender: String::new(),
                    birth_date: None,
                    mrn: None,
                    detail: String::new(),
                })
            });
        let user = opts
            .as_ref()
            .and_then(|o| o.providers().first().and_then(|id| dir.practitioner(id)));
        let encounter = match (&opts, &patient) {
            (None, _) => "No launch context: the app chooses".to_string(),
            (Some(_), None) => "No patient selected yet".to_string(),
            (Some(o), Some(p)) => match o.encounter_choice() {
                EncounterChoice::None => "No encounter".to_string(),
                EncounterChoice::Manual => "Encounter chosen during the launch".to_string(),
                EncounterChoice::Auto => dir
                    .encounters(&p.id)
                    .first()
                    .map(encounter_line)
                    .unwrap_or_else(|| "No encounters on file".to_string()),
                EncounterChoice::Id(id) => dir
                    .encounter(id)
                    .map(|e| encounter_line(&e))
                    .unwrap_or_else(|| format!("Encounter {id}")),
            },
        };
        let warning = match &opts {
            Some(o) if !o.sim_ehr => Some(
                "This launch is not marked as running inside the EHR frame (sim_ehr), \
                 so the app is told to show its own patient banner."
                    .to_string(),
            ),
            _ => None,
        };
        Ok(EhrPage {
            app_url: url.to_string(),
            patient,
            encounter,
            user,
            warning,
        })
    }
}

fn encounter_line(e: &EncounterSummary) -> String {
    format!(
        "{} · {} · {} · {}",
        e.type_display,
        e.class_display,
        e.start_display(),
        e.status
    )
}

/// Query parameters of `/launcher`, named as the SMART Health IT launcher's
/// remote launch route names them, so app galleries that link there can
/// link here by changing the host. `fhir_server` is accepted and ignored:
/// this sandbox serves its own data.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RemoteQuery {
    pub launch_uri: Option<String>,
    pub fhir_ver: Option<String>,
    pub patient: Option<String>,
    pub provider: Option<String>,
    pub encounter: Option<String>,
    pub sim_ehr: Option<String>,
    pub fhir_server: Option<String>,
    /// Extension: `provider-ehr` (default) or `patient-portal`.
    pub launch_type: Option<String>,
}

fn truthy(v: Option<&str>) -> bool {
    matches!(
        v.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

/// `fhir_ver` 2, 3 or 4 (the launcher's form), or `r2`..`r4`; missing
/// means R4, the release most apps target.
fn release_of(v: Option<&str>) -> Result<&'static str, PageError> {
    match v.map(str::trim).unwrap_or("") {
        "" | "4" | "r4" | "R4" => Ok("r4"),
        "3" | "r3" | "R3" => Ok("r3"),
        "2" | "r2" | "R2" => Ok("r2"),
        other => Err(PageError::BadRequest(format!(
            "fhir_ver must be 2, 3 or 4, not {other:?}"
        ))),
    }
}

/// The app's EHR launch URL: `launch_uri` with `iss` and `launch` set
/// (SMART App Launch 2.2, "EHR launch"); other query parameters are kept.
pub fn app_launch_url(launch_uri: &Url, iss: &str, launch: &str) -> Url {
    let mut url = launch_uri.clone();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "iss" && k != "launch")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair("iss", iss).append_pair("launch", launch);
    }
    url
}

/// Builds the redirect of the remote launcher: the app's launch URL, or
/// with `sim_ehr` the EHR frame around it. The encounter defaults to `NONE`
/// as in the SMART Health IT launcher, so a gallery link behaves the same
/// on both.
pub fn remote_launch(base_url: &str, q: &RemoteQuery) -> Result<String, PageError> {
    let base_url = base_url.trim_end_matches('/');
    let launch_uri = web_url("launch_uri", q.launch_uri.as_deref().unwrap_or(""))?;
    let release = release_of(q.fhir_ver.as_deref())?;
    let launch_type = match q.launch_type.as_deref().map(str::trim) {
        None | Some("") => LaunchType::ProviderEhr,
        Some(name) => match LaunchType::parse(name) {
            Some(t) if t.is_ehr() => t,
            _ => {
                return Err(PageError::BadRequest(format!(
                    "launch_type must be provider-ehr or patient-portal, not {name:?}"
                )))
            }
        },
    };
    let sim_ehr = truthy(q.sim_ehr.as_deref());
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let encounter = match text(&q.encounter) {
        e if e.is_empty() => "NONE".to_string(),
        e => e,
    };
    let opts = LaunchOptions {
        launch_type,
        patient: text(&q.patient),
        provider: text(&q.provider),
        encounter,
        sim_ehr,
        ..LaunchOptions::default()
    };
    let iss = format!("{base_url}/v/{release}/fhir");
    let app = app_launch_url(&launch_uri, &iss, &encode(&opts));
    if sim_ehr {
        let mut ehr = Url::parse(&format!("{base_url}/ehr"))
            .map_err(|e| PageError::BadRequest(format!("bad base URL: {e}")))?;
        ehr.query_pairs_mut().append_pair("app", app.as_str());
        Ok(ehr.to_string())
    } else {
        Ok(app.to_string())
    }
}

/// The sample app's page; `sample-app.js` reads `data-mode` to know whether
/// it is starting a launch or receiving the redirect.
#[derive(Debug, Clone, Template)]
#[template(path = "sample_app.html")]
pub struct SampleAppPage {
    pub mode: &'static str,
}

/// The backend services walk-through: it signs a client assertion in the
/// browser, so a developer can see every step before writing their own.
#[derive(Debug, Clone, Template)]
#[template(path = "sample_backend.html")]
pub struct SampleBackendPage {
    pub base_url: String,
}

/// An error on a page a person opened directly (launcher, EHR frame): it
/// says what was wrong with the link and points back to the launcher,
/// unlike the authorize error page, which talks about client registration.
#[derive(Debug, Clone, Template)]
#[template(path = "page_error.html")]
pub struct PageErrorPage {
    pub status: u16,
    pub title: String,
    pub message: String,
    pub help: String,
}

#[cfg(test)]
#[path = "launcher_tests.rs"]
mod tests;
