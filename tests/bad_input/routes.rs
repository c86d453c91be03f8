//! Every registered route as a valid baseline request, with what the
//! baseline answers and which parts of the request the handler reads. The
//! hostile variants (`variants.rs`, `headers.rs`) are mutations of these
//! baselines, so each one reaches the parser it targets instead of stopping
//! at a missing token or parameter.

use super::raw::Request;

/// Which error body a route answers with (`check.rs` checks the shape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Authorize: an HTML error page until the client is validated.
    Authorize,
    /// Token, introspect, revoke, launch-id API, discovery, 404s:
    /// `{error, error_description}` JSON.
    OAuth,
    /// FHIR: an `OperationOutcome`.
    Fhir,
    /// The EHR frame and the remote launcher: an HTML error page.
    Page,
    /// The Decode box API: `{ok: false, error}`.
    Decode,
    /// Documents with no input to get wrong (keys, style, health, metrics,
    /// static files, the launcher and sample-app pages).
    Static,
    /// CORS preflights, answered by the CORS layer before any route: a
    /// plain-text reason.
    Cors,
}

/// How the route authenticates its caller, i.e. what it does with an
/// `Authorization` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthUse {
    /// Ignored.
    None,
    /// RFC 6750 bearer token (FHIR data).
    Bearer,
    /// Client authentication: Basic (or Bearer at introspect/revoke).
    Client,
}

#[derive(Clone, Debug)]
pub struct Route {
    pub name: String,
    pub family: Family,
    pub method: &'static str,
    /// A method the path does not serve.
    pub wrong_method: &'static str,
    /// The path with `{slot}` placeholders, and the slots' valid values.
    pub template: String,
    pub slots: Vec<(&'static str, String)>,
    /// Percent-encoded query pairs.
    pub query: Vec<(String, String)>,
    /// The query parameter whose value the handler really uses.
    pub key_param: Option<&'static str>,
    /// The handler parses its query string (others never look at it).
    pub reads_query: bool,
    pub body: Option<Body>,
    pub token: Option<String>,
    /// Further headers of the baseline.
    pub headers: Vec<(&'static str, &'static str)>,
    pub auth: AuthUse,
    /// FHIR `_format`/`Accept` negotiation applies.
    pub negotiates: bool,
    /// `If-Match` is checked (embedded FHIR writes of one resource).
    pub if_match: bool,
    /// Run the path cases that cost most in a debug build (a path near the
    /// URL cap is matched against every route pattern): on by default, off
    /// for sites that repeat the same handlers (`{sim}` and r3 twins).
    pub long: bool,
    /// The untouched request succeeds (2xx/3xx); otherwise it is already a
    /// client error (a fake code at the token endpoint, a write to a
    /// read-only release), and every variant must stay one.
    pub baseline_ok: bool,
}

#[derive(Clone, Debug)]
pub struct Body {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// JSON rather than a form.
    pub json: bool,
    /// Sending it without a `Content-Type` still works (the handler
    /// assumes its usual type).
    pub untyped_ok: bool,
    /// An empty body is a valid request too (`POST _search`).
    pub empty_ok: bool,
    /// The route's body cap (413 above it).
    pub cap: usize,
    /// Any media type is content (`Binary`'s native form).
    pub any_type: bool,
}

impl Route {
    /// The path with `slot` set to `raw` (already encoded), others valid.
    pub fn path_with(&self, slot: Option<(&str, &str)>) -> String {
        let mut path = self.template.clone();
        for (name, value) in &self.slots {
            let v = match slot {
                Some((s, raw)) if s == *name => raw,
                _ => value.as_str(),
            };
            path = path.replace(&format!("{{{name}}}"), v);
        }
        path
    }

    pub fn target(&self, path: &str, query: &[(String, String)]) -> String {
        if query.is_empty() {
            return path.to_string();
        }
        let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{path}?{}", q.join("&"))
    }

    /// The untouched request.
    pub fn request(&self) -> Request {
        let mut r = Request::new(self.method, self.target(&self.path_with(None), &self.query));
        if let Some(t) = &self.token {
            r.set("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = &self.body {
            r.set("content-type", b.content_type);
            r.body = b.bytes.clone();
        }
        for (k, v) in &self.headers {
            r.set(k, *v);
        }
        r
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

pub fn route(name: String, family: Family, method: &'static str, template: &str) -> Route {
    Route {
        name,
        family,
        method,
        wrong_method: if method == "GET" { "DELETE" } else { "GET" },
        template: template.to_string(),
        slots: Vec::new(),
        query: Vec::new(),
        key_param: None,
        reads_query: false,
        body: None,
        token: None,
        headers: Vec::new(),
        auth: AuthUse::None,
        negotiates: false,
        if_match: false,
        long: true,
        baseline_ok: true,
    }
}

impl Route {
    pub fn slot(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.slots.push((name, value.into()));
        self
    }

    pub fn query(mut self, pairs: &[(&str, &str)], key: Option<&'static str>) -> Self {
        self.query = pairs.iter().map(|(k, v)| (enc(k), enc(v))).collect();
        self.key_param = key;
        self.reads_query = true;
        self
    }

    pub fn form(mut self, pairs: &[(&str, &str)], cap: usize) -> Self {
        self.body = Some(Body {
            content_type: "application/x-www-form-urlencoded",
            bytes: form(pairs),
            json: false,
            untyped_ok: true,
            empty_ok: false,
            cap,
            any_type: false,
        });
        self
    }

    pub fn json(mut self, content_type: &'static str, v: serde_json::Value, cap: usize) -> Self {
        self.body = Some(Body {
            content_type,
            bytes: v.to_string().into_bytes(),
            json: true,
            untyped_ok: true,
            empty_ok: false,
            cap,
            any_type: false,
        });
        self
    }

    /// A `Binary` in its native form: any media type is content.
    pub fn binary(mut self, content_type: &'static str, bytes: &[u8]) -> Self {
        self.body = Some(Body {
            content_type,
            bytes: bytes.to_vec(),
            json: false,
            untyped_ok: false,
            empty_ok: true,
            cap: FHIR_CAP,
            any_type: true,
        });
        self
    }

    pub fn body_flags(mut self, untyped_ok: bool, empty_ok: bool) -> Self {
        if let Some(b) = self.body.as_mut() {
            b.untyped_ok = untyped_ok;
            b.empty_ok = empty_ok;
        }
        self
    }

    pub fn auth(mut self, auth: AuthUse, token: Option<&str>) -> Self {
        self.auth = auth;
        self.token = token.map(str::to_string);
        self
    }

    pub fn wrong(mut self, method: &'static str) -> Self {
        self.wrong_method = method;
        self
    }

    pub fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn refused(mut self) -> Self {
        self.baseline_ok = false;
        self
    }

    pub fn negotiates(mut self) -> Self {
        self.negotiates = true;
        self
    }
}

/// Body caps (`http::limits`): auth posts, FHIR writes, and routes without
/// their own (`POST _search`).
pub const AUTH_CAP: usize = 64 * 1024;
pub const FHIR_CAP: usize = 16 * 1024 * 1024;
pub const DEFAULT_CAP: usize = 64 * 1024;
