//! Headless driving of the authorization server over real HTTP: launch
//! values, authorize requests, the login/picker/consent screens (parsed from
//! their HTML forms), and raw token requests.

use std::collections::HashMap;

use openidconnect::reqwest;
use serde_json::{json, Value};
use url::Url;

use super::TestApp;

pub const REDIRECT: &str = "https://app.example/callback";
pub const CLIENT: &str = "test-app";

/// An HTTP client that never follows redirects, so a 302 can be inspected.
pub fn http() -> reqwest::Client {
    reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client builds")
}

/// A launch value in the v2 positional-array form: every slot at its
/// launcher default, then the given `(slot, value)` pairs applied.
pub fn v2(slots: &[(usize, Value)]) -> String {
    let mut arr = vec![
        json!(0),
        json!(""),
        json!(""),
        json!(""),
        json!(0),
        json!(0),
        json!(0),
        json!(""),
        json!(""),
        json!(""),
        json!(""),
        json!(""),
        json!(""),
        json!(""),
        json!(0),
        json!(1),
        json!(""),
    ];
    for (i, v) in slots {
        arr[*i] = v.clone();
    }
    super::launch_value(&Value::Array(arr))
}

/// The URLs of one simulated EHR: `/v/r4` or `/v/r4/sim/{sim}`.
#[derive(Clone, Debug)]
pub struct SiteUrls {
    pub base: String,
    pub prefix: String,
}

impl SiteUrls {
    pub fn plain(app: &TestApp) -> Self {
        SiteUrls {
            base: app.base.clone(),
            prefix: format!("{}/v/r4", app.base),
        }
    }

    pub fn sim(app: &TestApp, sim: &str) -> Self {
        SiteUrls {
            base: app.base.clone(),
            prefix: format!("{}/v/r4/sim/{sim}", app.base),
        }
    }

    /// Any release, with or without a `{sim}` segment.
    pub fn at(app: &TestApp, release: &str, sim: Option<&str>) -> Self {
        let prefix = match sim {
            Some(s) => format!("{}/v/{release}/sim/{s}", app.base),
            None => format!("{}/v/{release}", app.base),
        };
        SiteUrls {
            base: app.base.clone(),
            prefix,
        }
    }

    pub fn fhir(&self) -> String {
        format!("{}/fhir", self.prefix)
    }

    pub fn authorize(&self) -> String {
        format!("{}/auth/authorize", self.prefix)
    }

    pub fn token(&self) -> String {
        format!("{}/auth/token", self.prefix)
    }
}

/// An authorize request under construction; parameters keep their order.
#[derive(Clone, Debug)]
pub struct Authz {
    pub endpoint: String,
    pub params: Vec<(String, String)>,
}

impl Authz {
    /// A complete, valid request: code flow, `CLIENT`, `REDIRECT`, a state,
    /// and `aud` = the site's FHIR base.
    pub fn new(site: &SiteUrls, scope: &str) -> Self {
        Authz {
            endpoint: site.authorize(),
            params: vec![
                ("response_type".into(), "code".into()),
                ("client_id".into(), CLIENT.into()),
                ("redirect_uri".into(), REDIRECT.into()),
                ("scope".into(), scope.into()),
                ("state".into(), "st-123".into()),
                ("aud".into(), site.fhir()),
            ],
        }
    }

    /// Sets `name` (replacing an earlier value).
    pub fn set(mut self, name: &str, value: &str) -> Self {
        match self.params.iter_mut().find(|(k, _)| k == name) {
            Some(p) => p.1 = value.to_string(),
            None => self.params.push((name.to_string(), value.to_string())),
        }
        self
    }

    /// Adds `name` again, even if present (for repeated-parameter tests).
    pub fn add(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_string(), value.to_string()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.params.retain(|(k, _)| k != name);
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn url(&self) -> String {
        let mut u = Url::parse(&self.endpoint).expect("authorize endpoint is a URL");
        u.query_pairs_mut().extend_pairs(self.params.iter());
        u.to_string()
    }

    pub async fn send(&self, http: &reqwest::Client) -> Step {
        get(http, &self.url()).await
    }
}

/// A screen's HTML form: where it posts, and its hidden inputs.
#[derive(Clone, Debug)]
pub struct Form {
    pub action: String,
    pub hidden: Vec<(String, String)>,
}

impl Form {
    pub fn screen(&self) -> &str {
        self.field("_screen").unwrap_or("")
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.hidden
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Posts the hidden inputs plus `choice` back to the form's action.
    pub async fn submit(&self, http: &reqwest::Client, choice: &[(&str, &str)]) -> Step {
        let mut pairs = self.hidden.clone();
        pairs.extend(choice.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        post_form(http, &self.action, &pairs).await
    }
}

/// What an authorize request answered.
#[derive(Debug)]
pub enum Step {
    /// 302 with this `Location`.
    Redirect(Url),
    /// 200 HTML with a screen form (and the page's HTML).
    Screen(Form, String),
    /// Any other answer: status, content type, body.
    Other(u16, String, String),
}

impl Step {
    pub fn redirect(self) -> Url {
        match self {
            Step::Redirect(u) => u,
            other => panic!("expected a redirect, got {other:?}"),
        }
    }

    pub fn form(self) -> Form {
        match self {
            Step::Screen(f, _) => f,
            other => panic!("expected a screen, got {other:?}"),
        }
    }

    pub fn screen_id(&self) -> Option<&str> {
        match self {
            Step::Screen(f, _) => Some(f.screen()),
            _ => None,
        }
    }
}

async fn classify(resp: reqwest::Response) -> Step {
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.text().await.unwrap_or_default();
    if status == 302 {
        let loc = location.expect("a 302 carries a Location");
        return Step::Redirect(Url::parse(&loc).expect("Location is an absolute URL"));
    }
    if status == 200 && ctype.starts_with("text/html") {
        if let Some(form) = parse_form(&body) {
            return Step::Screen(form, body);
        }
    }
    Step::Other(status, ctype, body)
}

pub async fn get(http: &reqwest::Client, url: &str) -> Step {
    classify(http.get(url).send().await.expect("GET succeeds")).await
}

pub async fn post_form(http: &reqwest::Client, url: &str, pairs: &[(String, String)]) -> Step {
    let body = serde_urlencoded::to_string(pairs).expect("form encodes");
    let resp = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST succeeds");
    classify(resp).await
}

/// Reverses the HTML escaping of attribute values.
pub fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `name="value"` attributes of one tag (double-quoted values only, which
/// is how the templates write them).
fn attributes(tag: &str) -> HashMap<String, String> {
    let mut attrs = HashMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        attrs.insert(name, html_unescape(&after[..close]));
        rest = &after[close + 1..];
    }
    attrs
}

/// The first `<form>` of a page with its action and hidden inputs.
pub fn parse_form(html: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form_html = &html[start..end];
    let open_end = form_html.find('>')?;
    let action = attributes(&form_html[..open_end]).remove("action")?;
    let mut hidden = Vec::new();
    let mut rest = form_html;
    while let Some(i) = rest.find("<input") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let attrs = attributes(&rest[i..tag_end]);
        if attrs.get("type").map(String::as_str) == Some("hidden") {
            if let Some(name) = attrs.get("name") {
                hidden.push((
                    name.clone(),
                    attrs.get("value").cloned().unwrap_or_default(),
                ));
            }
        }
        rest = &rest[tag_end..];
    }
    Some(Form { action, hidden })
}

/// The choices a headless user makes on each screen.
#[derive(Clone, Debug, Default)]
pub struct Choices {
    pub patient: Option<String>,
    pub provider: Option<String>,
    pub encounter: Option<String>,
    /// `false`: deny on the consent screen.
    pub deny: bool,
}

impl Choices {
    pub fn patient(p: &str) -> Self {
        Choices {
            patient: Some(p.into()),
            ..Default::default()
        }
    }
}

/// Follows screens with `choices` until the server redirects; returns the
/// redirect and the ids of the screens passed through.
pub async fn drive(http: &reqwest::Client, first: Step, choices: &Choices) -> (Url, Vec<String>) {
    let mut step = first;
    let mut seen = Vec::new();
    for _ in 0..8 {
        let form = match step {
            Step::Redirect(u) => return (u, seen),
            Step::Screen(f, _) => f,
            other => panic!("expected a screen or a redirect, got {other:?}"),
        };
        let screen = form.screen().to_string();
        let pick = |v: &Option<String>, what: &str| {
            v.clone()
                .unwrap_or_else(|| panic!("screen {screen} needs a {what} choice"))
        };
        let choice: Vec<(String, String)> = match screen.as_str() {
            "patient-login" | "patient-picker" => {
                vec![("patient".into(), pick(&choices.patient, "patient"))]
            }
            "provider-login" => vec![
                ("provider".into(), pick(&choices.provider, "provider")),
                ("password".into(), "anything".into()),
            ],
            "encounter-picker" => vec![("encounter".into(), pick(&choices.encounter, "encounter"))],
            "consent" => vec![(
                "decision".into(),
                if choices.deny { "deny" } else { "approve" }.into(),
            )],
            other => panic!("unknown screen {other:?}"),
        };
        seen.push(screen);
        let refs: Vec<(&str, &str)> = choice
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        step = form.submit(http, &refs).await;
    }
    panic!("too many screens: {seen:?}");
}

/// The query parameters of a URL (last value wins).
pub fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Runs an authorize request through the screens and returns the code.
pub async fn code_for(http: &reqwest::Client, authz: &Authz, choices: &Choices) -> String {
    let (url, _) = drive(http, authz.send(http).await, choices).await;
    let q = query(&url);
    assert_eq!(q.get("state").map(String::as_str), authz.get("state"));
    q.get("code")
        .unwrap_or_else(|| panic!("no code in {url}"))
        .clone()
}

/// A token endpoint answer.
#[derive(Debug)]
pub struct TokenReply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl TokenReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    pub fn str(&self, name: &str) -> &str {
        self.json[name]
            .as_str()
            .unwrap_or_else(|| panic!("no string `{name}` in {}", self.json))
    }

    /// Asserts an RFC 6749 §5.2 error with the no-store headers.
    pub fn assert_error(&self, status: u16, error: &str) {
        assert_eq!(
            (self.status, self.error()),
            (status, error),
            "unexpected token reply: {}",
            self.json
        );
        assert!(
            self.json["error_description"].is_string(),
            "error_description: {}",
            self.json
        );
        self.assert_no_store();
    }

    pub fn assert_no_store(&self) {
        assert_eq!(self.header("cache-control"), Some("no-store"));
        assert_eq!(self.header("pragma"), Some("no-cache"));
    }

    pub fn assert_ok(&self) {
        assert_eq!(self.status, 200, "token request failed: {}", self.json);
        self.assert_no_store();
    }
}

async fn reply(resp: reqwest::Response) -> TokenReply {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body reads");
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("token endpoint answered non-JSON ({e}): {text}"));
    TokenReply {
        status,
        headers,
        json,
    }
}

/// A form-encoded token request, with an optional raw `Authorization` value.
pub async fn token_form(
    http: &reqwest::Client,
    url: &str,
    pairs: &[(&str, &str)],
    authorization: Option<&str>,
) -> TokenReply {
    let mut req = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(serde_urlencoded::to_string(pairs).expect("form encodes"));
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    reply(req.send().await.expect("token POST succeeds")).await
}

/// A token request with a JSON object body (seed 002).
pub async fn token_json(http: &reqwest::Client, url: &str, body: &Value) -> TokenReply {
    let req = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_string());
    reply(req.send().await.expect("token POST succeeds")).await
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The JSON payload of a JWT, without checking its signature.
pub fn jwt_payload(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("payload is base64url");
    serde_json::from_slice(&bytes).expect("payload is JSON")
}

/// Exchanges `code` as the public client `CLIENT` with `REDIRECT`.
pub async fn exchange_public(
    http: &reqwest::Client,
    site: &SiteUrls,
    code: &str,
    verifier: Option<&str>,
) -> TokenReply {
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("client_id", CLIENT),
    ];
    if let Some(v) = verifier {
        pairs.push(("code_verifier", v));
    }
    token_form(http, &site.token(), &pairs, None).await
}
