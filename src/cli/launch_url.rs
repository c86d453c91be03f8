//! `smart-sandbox launch-url`: the launch value, `iss` and app launch URL
//! for a set of launch options, so a CI job gets a ready URL without a
//! browser. The value is the launcher v2 array ([`crate::launch::encode`]),
//! so it also works on launch.smarthealthit.org.

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::launch::{encode, ClientType, LaunchOptions, LaunchType, PkcePolicy, SimulatedError};

#[derive(Debug, Args)]
pub struct LaunchUrlArgs {
    /// How the app is launched.
    #[arg(long, value_parser = LaunchType::ALL.map(LaunchType::as_str), default_value = "provider-ehr")]
    pub launch_type: String,
    /// Patient id(s), comma-separated: one pins the patient, several limit the picker.
    #[arg(long, default_value = "")]
    pub patient: String,
    /// Practitioner id(s), comma-separated: one pins the user.
    #[arg(long, default_value = "")]
    pub provider: String,
    /// Encounter id, or AUTO (most recent), MANUAL (picker), NONE.
    #[arg(long, default_value = "")]
    pub encounter: String,
    /// Skip the login screen.
    #[arg(long)]
    pub skip_login: bool,
    /// Skip the consent ("authorize app") screen.
    #[arg(long)]
    pub skip_auth: bool,
    /// The app runs inside the simulated EHR frame (need_patient_banner false).
    #[arg(long)]
    pub sim_ehr: bool,
    /// Registered client_id (empty: any client).
    #[arg(long, default_value = "")]
    pub client_id: String,
    /// Registered client secret (confidential symmetric clients).
    #[arg(long, default_value = "")]
    pub client_secret: String,
    /// Registered client type.
    #[arg(long, value_parser = ClientType::ALL.map(ClientType::as_str), default_value = "public")]
    pub client_type: String,
    /// Registered redirect URI; repeat for more (none: any).
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Scopes the client may be granted; repeat or space-separate (none: any).
    #[arg(long = "scope", value_name = "SCOPES")]
    pub scopes: Vec<String>,
    /// When PKCE is required.
    #[arg(long, value_parser = PkcePolicy::ALL.map(PkcePolicy::as_str), default_value = "auto")]
    pub pkce: String,
    /// An error for the sandbox to simulate.
    #[arg(long, value_name = "NAME", value_parser = SimulatedError::ALL.map(SimulatedError::as_str))]
    pub auth_error: Option<String>,
    /// SMART 2.2 fhirContext: a JSON array or comma-separated references.
    #[arg(long, default_value = "")]
    pub fhir_context: String,
    /// SMART `intent` returned with the token.
    #[arg(long, default_value = "")]
    pub intent: String,
    /// SMART `tenant` returned with the token.
    #[arg(long, default_value = "")]
    pub tenant: String,
    /// FHIR release of the simulated EHR.
    #[arg(long, value_parser = ["r2", "r3", "r4"], default_value = "r4")]
    pub release: String,
    /// The sandbox's public base URL.
    #[arg(long, default_value = "http://127.0.0.1:8445")]
    pub base_url: String,
    /// The app's launch URL (EHR launches; default: the sandbox's sample app).
    /// For standalone launches, given, it gets `?iss=`.
    #[arg(long, value_name = "URL")]
    pub launch_uri: Option<String>,
    /// Output: `text`, `json`, or `env` (`ISS=...` lines for `eval`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Env,
}

/// What `launch-url` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaunchUrl {
    pub launch_type: &'static str,
    /// The FHIR base the app is given: `{base}/v/{rel}/fhir` for EHR
    /// launches, `{base}/v/{rel}/sim/{launch}/fhir` for the others.
    pub iss: String,
    /// The encoded launch value.
    pub launch: String,
    /// What to open: the app's launch URL with `iss` (and `launch` for EHR
    /// launches); empty for a standalone launch without `--launch-uri`.
    pub launch_url: String,
}

impl LaunchUrlArgs {
    /// The launch options these flags describe.
    pub fn options(&self) -> LaunchOptions {
        let scope = self
            .scopes
            .iter()
            .flat_map(|s| s.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ");
        LaunchOptions {
            launch_type: LaunchType::parse(&self.launch_type).unwrap_or(LaunchType::ProviderEhr),
            patient: self.patient.clone(),
            provider: self.provider.clone(),
            encounter: self.encounter.clone(),
            skip_login: self.skip_login,
            skip_auth: self.skip_auth,
            sim_ehr: self.sim_ehr,
            scope,
            redirect_uris: self.redirect_uris.join(","),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            auth_error: self.auth_error.as_deref().and_then(SimulatedError::parse),
            client_type: ClientType::parse(&self.client_type).unwrap_or(ClientType::Public),
            pkce: PkcePolicy::parse(&self.pkce).unwrap_or(PkcePolicy::Auto),
            fhir_context: self.fhir_context.clone(),
            intent: self.intent.clone(),
            tenant: self.tenant.clone(),
            ..LaunchOptions::default()
        }
    }
}

/// Builds the URLs; an error names the bad flag.
pub fn build(args: &LaunchUrlArgs) -> Result<LaunchUrl, String> {
    let base = args.base_url.trim_end_matches('/');
    let ok = url::Url::parse(base).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        return Err(format!(
            "--base-url `{}` is not an http(s) URL",
            args.base_url
        ));
    }
    let opts = args.options();
    let launch = encode(&opts);
    let rel = &args.release;
    let ehr = opts.launch_type.is_ehr();
    let iss = if ehr {
        format!("{base}/v/{rel}/fhir")
    } else {
        format!("{base}/v/{rel}/sim/{launch}/fhir")
    };
    let app = match (&args.launch_uri, ehr) {
        (Some(u), _) => Some(u.clone()),
        (None, true) => Some(format!("{base}/sample-app/launch")),
        (None, false) => None,
    };
    let launch_url = match app {
        None => String::new(),
        Some(app) => {
            let mut u = url::Url::parse(&app)
                .map_err(|e| format!("--launch-uri `{app}` is not a URL: {e}"))?;
            u.query_pairs_mut().append_pair("iss", &iss);
            if ehr {
                u.query_pairs_mut().append_pair("launch", &launch);
            }
            u.to_string()
        }
    };
    Ok(LaunchUrl {
        launch_type: opts.launch_type.as_str(),
        iss,
        launch,
        launch_url,
    })
}

/// Renders `out` in `format`.
pub fn render(out: &LaunchUrl, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(out).unwrap_or_default() + "\n",
        Format::Env => format!(
            "ISS={}\nLAUNCH={}\nLAUNCH_URL={}\n",
            shell_quote(&out.iss),
            shell_quote(&out.launch),
            shell_quote(&out.launch_url)
        ),
        Format::Text => {
            let mut s = String::new();
            if !out.launch_url.is_empty() {
                s.push_str(&format!("launch URL: {}\n", out.launch_url));
            }
            s.push_str(&format!("iss:        {}\n", out.iss));
            s.push_str(&format!("launch:     {}\n", out.launch));
            s
        }
    }
}

/// A POSIX shell single-quoted word (URLs carry `&`).
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: LaunchUrlArgs,
    }

    fn args(argv: &[&str]) -> LaunchUrlArgs {
        T::parse_from(std::iter::once("t").chain(argv.iter().copied())).a
    }

    #[test]
    fn ehr_launch_url_carries_iss_and_launch() {
        let a = args(&[
            "--patient",
            "p1",
            "--launch-uri",
            "https://app.example/launch?x=1",
        ]);
        let out = build(&a).unwrap();
        assert_eq!(out.iss, "http://127.0.0.1:8445/v/r4/fhir");
        let u = url::Url::parse(&out.launch_url).unwrap();
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert_eq!(q[0], ("x".into(), "1".into()));
        assert_eq!(q[1], ("iss".into(), out.iss.clone()));
        assert_eq!(q[2], ("launch".into(), out.launch.clone()));
        let opts = crate::launch::decode(&out.launch).unwrap();
        assert_eq!(opts.patient, "p1");
    }

    #[test]
    fn standalone_iss_has_the_sim_segment() {
        let a = args(&[
            "--launch-type",
            "patient-standalone",
            "--release",
            "r3",
            "--base-url",
            "https://sb.example/",
            "--scope",
            "openid fhirUser",
            "--scope",
            "patient/*.read",
            "--redirect-uri",
            "https://a/cb",
            "--redirect-uri",
            "https://b/cb",
            "--pkce",
            "always",
            "--auth-error",
            "token_invalid_token",
        ]);
        let out = build(&a).unwrap();
        assert_eq!(
            out.iss,
            format!("https://sb.example/v/r3/sim/{}/fhir", out.launch)
        );
        assert_eq!(out.launch_url, "");
        let o = crate::launch::decode(&out.launch).unwrap();
        assert_eq!(o.scope, "openid fhirUser patient/*.read");
        assert_eq!(o.redirect_uris, "https://a/cb,https://b/cb");
        assert_eq!(o.pkce, PkcePolicy::Always);
        assert_eq!(o.auth_error, Some(SimulatedError::TokenInvalidToken));
    }

    #[test]
    fn env_output_is_quoted_for_eval() {
        let out = build(&args(&[])).unwrap();
        let env = render(&out, Format::Env);
        assert!(
            env.contains(&format!("LAUNCH_URL='{}'", out.launch_url)),
            "{env}"
        );
        assert_eq!(shell_quote("a'b"), "'a'\\''b'");
    }
}
