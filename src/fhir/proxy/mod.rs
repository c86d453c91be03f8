//! Upstream mode: the sandbox's token and scope enforcement in front of a
//! real FHIR server (`--fhir-server-r4 URL`, named as the SMART Health IT
//! launcher names it). The sandbox stays the authorization server and the
//! resource server's gatekeeper (SMART App Launch 2.2: the EHR's FHIR
//! server enforces the scopes it granted); the upstream server is trusted
//! and reached without credentials, so it must not be reachable by apps
//! directly. Plain functions; `crate::http::fhir_proxy` does the I/O.

pub mod enforce;
pub mod rewrite;
pub mod route;

use std::time::Duration;

use serde_json::Value;

use super::access::Denied;
use super::api::{unauthorized, Reply};
use crate::config::Config;
use crate::oauth::Release;

/// Time to open a connection to the upstream server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request body forwarded (create, update, `_search` form).
pub const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;
/// Largest FHIR JSON response read for checking and rewriting; other
/// bodies (Binary) are streamed and not capped.
pub const MAX_JSON_RESPONSE: usize = 32 * 1024 * 1024;
/// Request headers passed on (R4 http.html: conditional requests §3.1.0.8
/// and §3.1.0.5, `Prefer` §3.1.0.1.6). Never `Authorization`: the token is
/// the sandbox's, meaningless upstream.
pub const REQUEST_HEADERS: &[&str] = &[
    "content-type",
    "if-match",
    "if-none-match",
    "if-none-exist",
    "if-modified-since",
    "prefer",
];
/// Response headers passed back; `Location` and `Content-Location` are
/// rewritten to the sandbox's base.
pub const RESPONSE_HEADERS: &[&str] = &[
    "etag",
    "last-modified",
    "location",
    "content-location",
    "cache-control",
];

/// The upstream servers and the HTTP client that reaches them.
pub struct Upstream {
    client: reqwest::Client,
    bases: Vec<(Release, String)>,
    pub timeout: Duration,
}

impl Upstream {
    /// `None` when no `--fhir-server-*` is configured.
    pub fn from_config(config: &Config) -> Result<Option<Self>, String> {
        let bases: Vec<(Release, String)> = [
            (Release::R2, &config.fhir_server_r2),
            (Release::R3, &config.fhir_server_r3),
            (Release::R4, &config.fhir_server_r4),
        ]
        .into_iter()
        .filter_map(|(r, u)| Some((r, u.as_ref()?.as_str().trim_end_matches('/').to_string())))
        .collect();
        if bases.is_empty() {
            return Ok(None);
        }
        let timeout = Duration::from_secs(config.upstream_timeout);
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            .user_agent(concat!("smart-sandbox/", env!("CARGO_PKG_VERSION")))
            // 3xx are the client's business; their Location is rewritten.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the upstream FHIR HTTP client: {e}"))?;
        Ok(Some(Upstream {
            client,
            bases,
            timeout,
        }))
    }

    /// The upstream base of `release` (no trailing slash), if proxied.
    pub fn base(&self, release: Release) -> Option<&str> {
        self.bases
            .iter()
            .find(|(r, _)| *r == release)
            .map(|(_, b)| b.as_str())
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// RFC 9110 §15.6.3 (502 Bad Gateway) and §15.6.5 (504 Gateway Timeout),
/// with an OperationOutcome as R4 http.html asks of every error.
pub fn failure(e: &reqwest::Error, timeout: Duration) -> Reply {
    if e.is_timeout() {
        Reply::error(
            504,
            "timeout",
            &format!(
                "the upstream FHIR server did not answer within {} s (--upstream-timeout)",
                timeout.as_secs()
            ),
        )
    } else {
        let why = if e.is_connect() {
            "cannot connect to"
        } else {
            "failed talking to"
        };
        Reply::error(
            502,
            "transient",
            &format!("{why} the upstream FHIR server: {}", describe(e)),
        )
    }
}

/// The causes of `e`, without reqwest's own line (it names the upstream
/// URL, which apps need not learn).
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut causes = Vec::new();
    let mut src = e.source();
    while let Some(s) = src {
        causes.push(s.to_string());
        src = s.source();
    }
    if causes.is_empty() {
        "the request failed".into()
    } else {
        causes.join(": ")
    }
}

/// 502 for an upstream answer the sandbox cannot check or rewrite.
pub fn bad_gateway(why: &str) -> Reply {
    Reply::error(502, "processing", why)
}

/// 401 or 403, as the embedded API answers them (RFC 6750 §3.1).
pub fn denied(d: Denied) -> Reply {
    match d {
        Denied::Token(p) => unauthorized(&p),
        Denied::Forbidden(msg) => forbidden(&msg),
    }
}

pub fn forbidden(msg: &str) -> Reply {
    Reply {
        challenge: Some("Bearer realm=\"smart-sandbox\", error=\"insufficient_scope\"".into()),
        ..Reply::error(403, "forbidden", msg)
    }
}

/// The upstream's CapabilityStatement as this server's: its `rest.security`
/// replaced by the sandbox's SMART one (SMART App Launch 2.2, "Declaring
/// support": the `oauth-uris` extension and the SMART-on-FHIR service),
/// since the sandbox, not the upstream, authorizes. URLs are rewritten by
/// the caller like any other body.
pub fn capability(mut statement: Value, security: &Value) -> Value {
    if let Some(rest) = statement.get_mut("rest").and_then(Value::as_array_mut) {
        for r in rest.iter_mut().filter(|r| r["mode"] == "server") {
            r["security"] = security.clone();
        }
    }
    statement
}
