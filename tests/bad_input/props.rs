//! Generated requests against one running server: arbitrary paths under
//! the real URL space, arbitrary query strings and header values on real
//! routes, arbitrary bodies and content types on the routes that read
//! them. The property is the suite's promise: an answer always comes, and
//! it is never a 5xx. The server is started once, lazily, on a runtime of
//! its own, and shared by the properties (256 cases each).

use std::sync::OnceLock;

use proptest::prelude::*;
use tokio::runtime::Runtime;

use super::common::fhir::{spawn_fhir, token, PAT_A};
use super::common::flows::SiteUrls;
use super::raw::{self, Request};

struct Server {
    rt: Runtime,
    port: u16,
    token: String,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let (port, token) = rt.block_on(async {
            let (app, _) = spawn_fhir().await;
            let t = token(&SiteUrls::plain(&app), "user/*.cruds", PAT_A).await;
            (app.port, t)
        });
        Server { rt, port, token }
    })
}

/// Sends `req` and checks the promise.
fn never_5xx(req: &Request) -> Result<(), TestCaseError> {
    let s = server();
    let answer = s.rt.block_on(raw::send(s.port, req));
    let r = answer.map_err(|e| TestCaseError::fail(format!("{req:?}: {e}")))?;
    prop_assert!(
        r.status < 500,
        "{:?} answered {}: {}",
        req,
        r.status,
        r.text()
    );
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Percent-encodes every byte that is not unreserved (RFC 3986 §2.3).
fn pct(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const SEGMENTS: &[&str] = &[
    "v",
    "r2",
    "r3",
    "r4",
    "r9",
    "sim",
    "eyJoIjoiMSIsImoiOiIxIn0",
    "WzAsInBh",
    "auth",
    "authorize",
    "token",
    "introspect",
    "revoke",
    "launch",
    "fhir",
    "metadata",
    ".well-known",
    "smart-configuration",
    "Patient",
    "Observation",
    "Binary",
    "pat-priya-raman",
    "_history",
    "_search",
    "$everything",
    "1",
    "static",
    "style.css",
    "ehr",
    "launcher",
    "api",
    "decode",
    "sample-app",
    "keys",
    "health",
    "metrics",
    "..",
    ".",
    "%2e%2e",
    "%2F",
    "%00",
    "%FF",
];

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(SEGMENTS).prop_map(str::to_string),
        2 => prop::collection::vec(any::<u8>(), 0..24).prop_map(|b| pct(&b)),
        1 => "[A-Za-z0-9._~!$&'()*+,;=:@-]{0,16}",
        1 => "(%[0-9A-Fa-f]{0,2}|\\.\\.|\\\\|/){0,6}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 0..8).prop_map(|s| format!("/{}", s.join("/")))
}

const PARAMS: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "aud",
    "launch",
    "code",
    "_format",
    "_count",
    "_sort",
    "_include",
    "_revinclude",
    "_elements",
    "_summary",
    "patient",
    "subject",
    "date",
    "name",
    "_id",
    "_lastUpdated",
    "code:text",
    "value-quantity",
    "app",
    "launch_uri",
    "fhir_ver",
    "input",
    "_getpages",
    "_getpagesoffset",
];

fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        3 => prop::sample::select(PARAMS).prop_map(str::to_string),
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(|b| pct(&b)),
    ];
    let value = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| pct(&b)),
        "[a-z0-9:|,.$*-]{0,30}",
        "(ge|le|eq|ne|gt|lt|sa|eb|ap)?[0-9T:-]{0,25}",
        "[%&=;+]{0,10}",
    ];
    prop::collection::vec((name, value), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// Header value bytes: visible ASCII, space, tab and obs-text.
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![0x20u8..0x7f, Just(b'\t'), 0x80u8..=0xff],
        0..120,
    )
}

const HEADERS: &[&str] = &[
    "authorization",
    "accept",
    "content-type",
    "prefer",
    "if-match",
    "if-none-match",
    "x-security-context",
    "x-request-id",
    "origin",
    "x-forwarded-host",
    "forwarded",
    "x-forwarded-proto",
    "access-control-request-method",
];

const ROUTES: &[&str] = &[
    "/v/r4/auth/authorize",
    "/v/r4/auth/token",
    "/v/r4/auth/introspect",
    "/v/r4/auth/revoke",
    "/v/r4/fhir/metadata",
    "/v/r4/fhir/Patient/pat-priya-raman",
    "/v/r4/fhir/Observation",
    "/v/r4/fhir/Observation/_search",
    "/v/r4/fhir/Patient/pat-priya-raman/_history/1",
    "/v/r4/fhir/Patient/pat-priya-raman/$everything",
    "/v/r4/fhir",
    "/v/r4/launch",
    "/v/r3/fhir/Patient",
    "/v/r4/fhir/.well-known/smart-configuration",
    "/ehr",
    "/launcher",
    "/api/decode",
    "/static/style.css",
    "/",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"];

const CONTENT_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/json",
    "application/fhir+json",
    "text/plain",
    "application/pdf",
    "multipart/form-data; boundary=x",
    "",
];

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..1024),
        "[\\[\\]{}\":,0-9a-zA-Z .-]{0,300}".prop_map(String::into_bytes),
        "([a-z_]{1,12}=[^&]{0,20}&){0,8}".prop_map(String::into_bytes),
        (1usize..3000).prop_map(|d| super::bodies::nested_json(d).into_bytes()),
        Just(br#"{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Observation"},"resource":{"resourceType":"Observation"}}]}"#.to_vec()),
    ]
}

fn with_token(mut req: Request, token: bool) -> Request {
    if token {
        req.set("authorization", format!("Bearer {}", server().token));
    }
    req
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_paths_never_5xx(
        method in prop::sample::select(METHODS),
        path in path(),
        token in any::<bool>(),
    ) {
        never_5xx(&with_token(Request::new(method, path), token))?;
    }

    #[test]
    fn arbitrary_queries_and_headers_never_5xx(
        method in prop::sample::select(METHODS),
        route in prop::sample::select(ROUTES),
        query in query(),
        headers in prop::collection::vec((prop::sample::select(HEADERS), header_value()), 0..4),
        token in any::<bool>(),
    ) {
        let mut req = with_token(Request::new(method, format!("{route}?{query}")), token);
        for (name, value) in headers {
            req.set(name, value);
        }
        never_5xx(&req)?;
    }

    #[test]
    fn arbitrary_bodies_never_5xx(
        method in prop::sample::select(&["POST", "PUT"][..]),
        route in prop::sample::select(ROUTES),
        content_type in prop::sample::select(CONTENT_TYPES),
        body in body(),
        token in any::<bool>(),
    ) {
        let mut req = with_token(Request::new(method, route), token);
        if !content_type.is_empty() {
            req.set("content-type", content_type);
        }
        req.body = body;
        never_5xx(&req)?;
    }
}
