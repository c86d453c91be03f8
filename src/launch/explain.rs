//! Explains a launch in plain words: what a developer pasting a launch value
//! or a sandbox URL into the "Decode" box or `smart-sandbox decode` wants to
//! know. Accepts a bare value, a `/v/{release}/sim/{value}/...` URL, or any
//! URL with a `launch=` query parameter (an app's launch URL).

use serde::Serialize;

use super::{decode, EncounterChoice, LaunchError, LaunchOptions, LaunchType, PkcePolicy};

/// Where the launch value was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Value,
    SimSegment,
    LaunchParameter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub source: Source,
    /// The FHIR release named by a sandbox URL, if any.
    pub release: Option<String>,
    pub value: String,
    pub options: LaunchOptions,
    /// One sentence per pinned option.
    pub lines: Vec<String>,
}

/// Finds the launch value in `input` (value, sim URL or launch URL).
pub fn extract(input: &str) -> (Source, Option<String>, String) {
    let input = input.trim();
    if let Ok(url) = url::Url::parse(input) {
        if let Some((_, v)) = url.query_pairs().find(|(k, _)| k == "launch") {
            return (Source::LaunchParameter, release_of(&url), v.into_owned());
        }
        let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
        if let Some(i) = segments.iter().position(|s| *s == "sim") {
            if let Some(v) = segments.get(i + 1) {
                return (Source::SimSegment, release_of(&url), v.to_string());
            }
        }
    }
    (Source::Value, None, input.to_string())
}

fn release_of(url: &url::Url) -> Option<String> {
    let segments: Vec<&str> = url.path_segments()?.collect();
    let i = segments.iter().position(|s| *s == "v")?;
    segments.get(i + 1).map(|s| s.to_string())
}

/// Decodes and explains `input`.
pub fn explain(input: &str) -> Result<Explanation, LaunchError> {
    let (source, release, value) = extract(input);
    let options = decode(&value)?;
    let lines = describe(&options);
    Ok(Explanation {
        source,
        release,
        value,
        options,
        lines,
    })
}

fn launch_type_words(t: LaunchType) -> &'static str {
    match t {
        LaunchType::ProviderEhr => {
            "Provider EHR launch: a practitioner opens the app from inside the EHR"
        }
        LaunchType::PatientPortal => {
            "Patient portal launch: a patient opens the app from the portal"
        }
        LaunchType::ProviderStandalone => {
            "Provider standalone launch: a practitioner opens the app directly"
        }
        LaunchType::PatientStandalone => {
            "Patient standalone launch: a patient opens the app directly"
        }
        LaunchType::BackendService => {
            "Backend service: no user, client_credentials with a signed assertion"
        }
    }
}

/// One sentence per meaningful option, in slot order.
pub fn describe(o: &LaunchOptions) -> Vec<String> {
    let mut out = vec![format!("{}.", launch_type_words(o.launch_type))];
    let list = |v: Vec<&str>| v.join(", ");
    match o.patients().len() {
        0 => {}
        1 => out.push(format!("Patient {} is pinned.", o.patient.trim())),
        _ => out.push(format!(
            "The patient is chosen among {}.",
            list(o.patients())
        )),
    }
    match o.providers().len() {
        0 => {}
        1 => out.push(format!(
            "Practitioner {} is the signed-in user.",
            o.provider.trim()
        )),
        _ => out.push(format!(
            "The user signs in as one of {}.",
            list(o.providers())
        )),
    }
    out.push(match o.encounter_choice() {
        EncounterChoice::Auto => "Encounter: the patient's most recent one, when requested.".into(),
        EncounterChoice::Manual => "Encounter: chosen on the encounter picker.".into(),
        EncounterChoice::None => "Encounter: none.".into(),
        EncounterChoice::Id(id) => format!("Encounter {id} is pinned."),
    });
    if o.skip_login {
        out.push("The login screen is skipped when one patient is pinned.".into());
    }
    if o.skip_auth {
        out.push("The consent screen is skipped.".into());
    }
    if o.sim_ehr {
        out.push("Runs inside the simulated EHR frame (need_patient_banner is false).".into());
    }
    if !o.scope.trim().is_empty() {
        out.push(format!("Allowed scopes: {}.", o.scope.trim()));
    }
    if !o.redirect_uris.trim().is_empty() {
        out.push(format!(
            "Registered redirect URIs: {}.",
            list(o.redirect_uri_list())
        ));
    }
    if !o.client_id.is_empty() {
        out.push(format!("Registered client_id: {}.", o.client_id));
    }
    out.push(format!("Client type: {}.", o.client_type.as_str()));
    if !o.client_secret.is_empty() {
        out.push("A client secret is pinned: the token endpoint requires it.".into());
    }
    if !o.jwks_url.is_empty() {
        out.push(format!("Client keys are fetched from {}.", o.jwks_url));
    }
    if !o.jwks.is_empty() {
        out.push("Client keys (JWKS) are given inline.".into());
    }
    out.push(match o.pkce {
        PkcePolicy::None => "PKCE: ignored.".into(),
        PkcePolicy::Auto => "PKCE: verified when the app sends a code_challenge.".into(),
        PkcePolicy::Always => "PKCE: required (S256).".into(),
    });
    if let Some(e) = o.auth_error {
        out.push(format!("Simulated error: {}.", e.as_str()));
    }
    if !o.fhir_context.trim().is_empty() {
        out.push(format!("fhirContext: {}.", o.fhir_context.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_seed_value() {
        let e = explain("eyJoIjoiMSIsImoiOiIxIn0").unwrap();
        assert_eq!(e.source, Source::Value);
        assert_eq!(e.options.launch_type, LaunchType::ProviderStandalone);
        assert!(e.lines[0].starts_with("Provider standalone launch"));
        assert!(e
            .lines
            .iter()
            .any(|l| l == "The consent screen is skipped."));
    }

    #[test]
    fn urls() {
        let e = explain("http://h:8445/v/r4/sim/eyJoIjoiMSIsImoiOiIxIn0/fhir").unwrap();
        assert_eq!(e.source, Source::SimSegment);
        assert_eq!(e.release.as_deref(), Some("r4"));
        let e = explain("https://app.example/launch?iss=http%3A%2F%2Fh%2Fv%2Fr2%2Ffhir&launch=eyJoIjoiMSIsImoiOiIxIn0")
            .unwrap();
        assert_eq!(e.source, Source::LaunchParameter);
        assert_eq!(e.options.launch_type, LaunchType::ProviderStandalone);
    }

    #[test]
    fn errors_are_reported() {
        assert!(explain("!!!").is_err());
        assert!(explain("http://h/v/r4/sim/@@/fhir").is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics(input in any::<String>(), url in "https?://[a-z.]{1,10}(/[A-Za-z0-9%._~=?&-]{0,12}){0,6}") {
                let _ = explain(&input);
                let _ = explain(&url);
            }

            /// A value is found alone, as a `{sim}` segment and as a
            /// `launch` parameter, and reads back as what was encoded.
            #[test]
            fn finds_the_value_wherever_it_is(patient in "[A-Za-z0-9-]{0,20}", release in "r[234]") {
                let opts = LaunchOptions {
                    patient,
                    ..LaunchOptions::default()
                };
                let v = crate::launch::encode(&opts);
                let sim = format!("http://h/v/{release}/sim/{v}/fhir");
                let app = format!("https://app.example/launch?iss=x&launch={v}");
                for (input, source, rel) in [
                    (v.clone(), Source::Value, None),
                    (sim, Source::SimSegment, Some(release.clone())),
                    (app, Source::LaunchParameter, None),
                ] {
                    let x = explain(&input).unwrap();
                    prop_assert_eq!(x.source, source);
                    prop_assert_eq!(x.release, rel);
                    prop_assert_eq!(&x.options, &opts);
                }
            }
        }
    }
}
