//! The screens of one authorize request, in order (login, patient picker,
//! encounter picker, consent), and what the user chose on them (SMART App
//! Launch 2.2 "launch context"; which screen appears when is in the README).

use super::authorize::AuthorizeDeps;
use super::params::Params;
use super::scopes::ScopeSet;
use super::screen::{Browse, FlowState, Screen};
use crate::directory::Directory;
use crate::launch::{EncounterChoice, LaunchOptions, LaunchType};

/// The choices the screens produced, ready for the code.
pub(crate) struct Decision {
    pub(crate) user: Option<String>,
    pub(crate) patient: Option<String>,
    pub(crate) encounter: Option<String>,
}

pub(crate) struct Chain<'a> {
    pub(crate) params: &'a Params,
    pub(crate) opts: &'a LaunchOptions,
    pub(crate) scope: &'a ScopeSet,
    pub(crate) deps: &'a AuthorizeDeps<'a>,
    pub(crate) flow: FlowState,
    pub(crate) error: Option<String>,
    pub(crate) browse: Browse,
}

impl Chain<'_> {
    pub(crate) fn dir(&self) -> &dyn Directory {
        self.deps.directory
    }

    pub(crate) fn patient_allowed(&self, id: &str) -> bool {
        let list = self.opts.patients();
        if list.is_empty() {
            self.dir().patient(id).is_some()
        } else {
            list.contains(&id)
        }
    }

    pub(crate) fn provider_allowed(&self, id: &str) -> bool {
        let list = self.opts.providers();
        if list.is_empty() {
            self.dir().practitioner(id).is_some()
        } else {
            list.contains(&id)
        }
    }

    /// Applies what the previous screen posted. `Err` is a denial.
    pub(crate) fn apply_submission(&mut self) -> Result<(), &'static str> {
        let Some(screen) = self.params.get("_screen") else {
            return Ok(());
        };
        // Searching or paging a list is not a choice: show the list again.
        if self.params.get("_action") == Some("search") || self.params.get("_page").is_some() {
            self.browse = Browse {
                query: self
                    .params
                    .get("_q")
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect(),
                offset: self
                    .params
                    .get("_page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0)
                    .min(1_000_000),
            };
            return Ok(());
        }
        let value = |name: &str| self.params.get(name).map(str::to_string);
        match screen {
            "patient-login" | "patient-picker" => match value("patient") {
                Some(p) if self.patient_allowed(&p) => {
                    self.flow.patient = Some(p);
                    self.flow.encounter = None;
                }
                _ => self.error = Some("Please choose a patient from the list.".into()),
            },
            "provider-login" => match value("provider") {
                Some(p) if self.provider_allowed(&p) => self.flow.provider = Some(p),
                _ => self.error = Some("Please choose who signs in.".into()),
            },
            "encounter-picker" => {
                let patient = self.flow.patient.clone().unwrap_or_default();
                match value("encounter") {
                    Some(e) if e == "NONE" => self.flow.encounter = Some(e),
                    Some(e)
                        if self
                            .dir()
                            .encounter(&e)
                            .is_some_and(|enc| enc.patient_id == patient) =>
                    {
                        self.flow.encounter = Some(e)
                    }
                    _ => {
                        self.error = Some("Please choose an encounter, or \"No encounter\".".into())
                    }
                }
            }
            "consent" => match self.params.get("decision") {
                Some("approve") => self.flow.consented = true,
                Some("deny") => return Err("the user denied the authorization request"),
                _ => self.error = Some("Please allow or deny access.".into()),
            },
            _ => {}
        }
        Ok(())
    }

    /// `prompt=none`: the user named by a verified `id_token_hint` signs in
    /// without a screen, if this launch would let them sign in at all.
    pub(crate) fn sign_in_as(&mut self, sub: &str) -> Result<(), String> {
        let refused = || format!("`{sub}` cannot sign in to this launch");
        match sub.split_once('/') {
            Some(("Patient", id)) if self.opts.launch_type.patient_is_user() => {
                if !self.patient_allowed(id) {
                    return Err(refused());
                }
                self.flow.patient = Some(id.to_string());
            }
            Some(("Practitioner", id)) if !self.opts.launch_type.patient_is_user() => {
                if !self.provider_allowed(id) {
                    return Err(refused());
                }
                self.flow.provider = Some(id.to_string());
            }
            _ => return Err(refused()),
        }
        Ok(())
    }

    pub(crate) fn user(&self) -> Option<String> {
        if self.opts.launch_type.patient_is_user() {
            self.flow.patient.as_ref().map(|p| format!("Patient/{p}"))
        } else {
            self.flow
                .provider
                .as_ref()
                .map(|p| format!("Practitioner/{p}"))
        }
    }

    /// Walks the screens in order: login, patient picker, encounter picker,
    /// consent. `Err` names the first screen still needed.
    pub(crate) fn decide(&mut self) -> Result<Decision, Screen> {
        let opts = self.opts;
        let lt = opts.launch_type;
        let patients = opts.patients();
        let providers = opts.providers();
        let to_strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

        if lt.patient_is_user() {
            if self.flow.patient.is_none() {
                if patients.len() == 1 && opts.skip_login {
                    self.flow.patient = Some(patients[0].to_string());
                } else {
                    return Err(Screen::PatientLogin {
                        choices: to_strings(&patients),
                    });
                }
            }
        } else {
            if self.flow.provider.is_none() && providers.len() == 1 {
                self.flow.provider = Some(providers[0].to_string());
            }
            let needs_user = self.scope.has("openid") || lt == LaunchType::ProviderStandalone;
            if self.flow.provider.is_none() && needs_user {
                return Err(Screen::ProviderLogin {
                    choices: to_strings(&providers),
                });
            }
            if self.flow.patient.is_none() && patients.len() == 1 {
                self.flow.patient = Some(patients[0].to_string());
            }
            if self.flow.patient.is_none() && self.needs_patient() {
                return Err(Screen::PatientPicker {
                    choices: to_strings(&patients),
                });
            }
        }

        let encounter = self.encounter()?;
        let needs_consent = !opts.skip_auth
            && matches!(
                lt,
                LaunchType::ProviderStandalone
                    | LaunchType::PatientStandalone
                    | LaunchType::PatientPortal
            );
        if needs_consent && !self.flow.consented {
            return Err(Screen::Consent);
        }
        let patient = self.flow.patient.clone().filter(|_| self.needs_patient());
        Ok(Decision {
            user: self.user(),
            patient,
            encounter,
        })
    }

    /// A patient in context: asked for with `launch/patient` (or `launch` in
    /// an EHR launch), and required by any `patient/` scope (SMART 2.2: a
    /// patient-level grant SHALL come with a patient).
    pub(crate) fn needs_patient(&self) -> bool {
        self.scope.has("launch/patient")
            || (self.opts.launch_type.is_ehr() && self.scope.has("launch"))
            || self.scope.has_patient_scope()
    }

    pub(crate) fn encounter(&self) -> Result<Option<String>, Screen> {
        let wants = self.scope.has("launch/encounter")
            || (self.opts.launch_type.is_ehr() && self.scope.has("launch"));
        let Some(patient) = self.flow.patient.as_deref().filter(|_| wants) else {
            return Ok(None);
        };
        if let Some(chosen) = &self.flow.encounter {
            return Ok((chosen != "NONE").then(|| chosen.clone()));
        }
        match self.opts.encounter_choice() {
            EncounterChoice::None => Ok(None),
            EncounterChoice::Id(id) => Ok(Some(id.to_string())),
            EncounterChoice::Auto => {
                Ok(self.dir().encounters(patient).first().map(|e| e.id.clone()))
            }
            EncounterChoice::Manual => Err(Screen::EncounterPicker {
                patient: patient.to_string(),
            }),
        }
    }
}
