//! What a SMART app does over HTTP, one request per function, each
//! checking the answer as an app would (status, the fields it needs) and
//! returning a one-line reason when it is wrong.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

pub const REDIRECT: &str = "https://load.example/callback";
pub const CLIENT: &str = "load-driver";
/// An EHR launch asking for everything a typical app does: an id_token and
/// a refresh token beside patient data access.
pub const APP_SCOPE: &str = "launch openid fhirUser offline_access patient/*.read";
/// A practitioner's read access to every patient, for FHIR figures that
/// should not depend on one patient's compartment.
pub const USER_READ_SCOPE: &str = "launch offline_access user/*.read";
/// The same launch without `openid`: no id_token, so no RS256 signature.
pub const NO_ID_TOKEN_SCOPE: &str = "launch offline_access patient/*.read";

pub struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
    pub id_token: Option<String>,
}

/// The app's view of one sandbox: a client, its base URLs and the ids of
/// the embedded patients and a practitioner to launch with.
pub struct App {
    pub http: reqwest::Client,
    pub base: String,
    pub fhir: String,
    pub patients: Arc<Vec<String>>,
    provider: String,
}

impl App {
    pub fn new(base: &str) -> App {
        let data = smart_sandbox::fixtures::load::embedded();
        let ids = |kind: &str| -> Vec<String> {
            data.iter()
                .filter(|r| r["resourceType"] == kind)
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect()
        };
        let provider = ids("Practitioner")
            .into_iter()
            .next()
            .expect("a practitioner");
        App {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(256)
                .build()
                .expect("HTTP client"),
            base: base.to_string(),
            fhir: format!("{base}/v/r4/fhir"),
            patients: Arc::new(ids("Patient")),
            provider,
        }
    }

    /// The `i`-th patient, spread over all of them.
    pub fn patient(&self, i: u64) -> &str {
        &self.patients[(i.wrapping_mul(2_654_435_761) % self.patients.len() as u64) as usize]
    }

    /// A v2 launch value: provider EHR launch with patient and practitioner
    /// pinned, login and consent skipped, PKCE `auto`: no screen at all.
    fn launch_value(&self, patient: &str) -> String {
        let mut slots = vec![json!(0), json!(patient), json!(self.provider), json!("")];
        slots.extend([json!(1), json!(1), json!(0)]);
        slots.extend(std::iter::repeat_n(json!(""), 7));
        slots.extend([json!(0), json!(1), json!("")]);
        URL_SAFE_NO_PAD.encode(Value::Array(slots).to_string())
    }

    /// The authorization request of an EHR launch; the code from the
    /// redirect (state checked).
    pub async fn authorize(
        &self,
        patient: &str,
        scope: &str,
        state: u64,
    ) -> Result<String, String> {
        let state = state.to_string();
        let url = reqwest::Url::parse_with_params(
            &format!("{}/v/r4/auth/authorize", self.base),
            &[
                ("response_type", "code"),
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("scope", scope),
                ("state", &state),
                ("aud", &self.fhir),
                ("launch", &self.launch_value(patient)),
            ],
        )
        .map_err(|e| e.to_string())?;
        let r = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        if r.status() != 302 {
            return Err(format!("authorize: {}", r.status()));
        }
        let location = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or("authorize: no Location")?;
        let to = reqwest::Url::parse(location).map_err(|e| e.to_string())?;
        let param = |k: &str| {
            to.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        if param("state").as_deref() != Some(state.as_str()) {
            return Err(format!("authorize: state not echoed in {location:.200}"));
        }
        param("code").ok_or_else(|| format!("authorize: no code in {location:.200}"))
    }

    pub async fn exchange(&self, code: &str, want_id_token: bool) -> Result<Tokens, String> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
        ];
        self.token(&form, want_id_token).await
    }

    pub async fn refresh(&self, refresh: &str, want_id_token: bool) -> Result<Tokens, String> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CLIENT),
        ];
        self.token(&form, want_id_token).await
    }

    async fn token(&self, form: &[(&str, &str)], want_id_token: bool) -> Result<Tokens, String> {
        let v = self
            .json(
                self.http
                    .post(format!("{}/v/r4/auth/token", self.base))
                    .form(form),
            )
            .await?;
        let field = |k: &str| v[k].as_str().map(str::to_string);
        let tokens = Tokens {
            access: field("access_token").ok_or("token: no access_token")?,
            refresh: field("refresh_token"),
            id_token: field("id_token"),
        };
        if tokens.refresh.is_none() {
            return Err("token: no refresh_token for offline_access".into());
        }
        if tokens.id_token.is_some() != want_id_token {
            return Err(format!(
                "token: id_token present: {}",
                tokens.id_token.is_some()
            ));
        }
        Ok(tokens)
    }

    /// RFC 7662 introspection by the app itself (its access token as the
    /// caller's credential): the token must be active.
    pub async fn introspect(&self, access: &str) -> Result<(), String> {
        let v = self
            .json(
                self.http
                    .post(format!("{}/v/r4/auth/introspect", self.base))
                    .bearer_auth(access)
                    .form(&[("token", access)]),
            )
            .await?;
        match v["active"].as_bool() {
            Some(true) => Ok(()),
            _ => Err(format!("introspect: not active: {v}")),
        }
    }

    /// A FHIR GET relative to the R4 base; the answer must be the resource
    /// or Bundle asked for.
    pub async fn fhir(&self, token: &str, path: &str) -> Result<(), String> {
        let v = self
            .json(
                self.http
                    .get(format!("{}/{path}", self.fhir))
                    .bearer_auth(token),
            )
            .await?;
        let want = path.split(['/', '?']).next().unwrap_or_default();
        let is_search = path.contains('?') || !path.contains('/');
        let got = v["resourceType"].as_str().unwrap_or_default();
        match (is_search, got) {
            (true, "Bundle") => Ok(()),
            (false, t) if t == want => Ok(()),
            _ => Err(format!("FHIR {path}: got {got:?}")),
        }
    }

    /// A GET that needs no token and must answer 200.
    pub async fn get_ok(&self, url: &str) -> Result<(), String> {
        self.ok_body(self.http.get(url)).await.map(drop)
    }

    async fn json(&self, req: reqwest::RequestBuilder) -> Result<Value, String> {
        let body = self.ok_body(req).await?;
        serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))
    }

    /// The whole body of a 200; any other status is an error quoting it.
    async fn ok_body(&self, req: reqwest::RequestBuilder) -> Result<actix_web::web::Bytes, String> {
        let r = req.send().await.map_err(|e| e.to_string())?;
        let status = r.status();
        let body = r.bytes().await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("{status}: {:.200}", String::from_utf8_lossy(&body)));
        }
        Ok(body)
    }
}
