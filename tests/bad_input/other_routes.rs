//! The routes outside a simulated EHR (documents, pages, static files),
//! the FHIR routes of upstream mode, and the list of every pattern the
//! embedded server registers.

use super::routes::{route, AuthUse, Family, Route, FHIR_CAP};
use super::site_routes::{fhir_get, fhir_search_post, observation, prefix, with_site_slots, Site};

/// The global documents and the pages people open directly.
pub fn global_routes(launch_value: &str) -> Vec<Route> {
    let doc = |path: &str| route(path.to_string(), Family::Static, "GET", path);
    let page = |path: &str| route(path.to_string(), Family::Page, "GET", path);
    vec![
        doc("/keys"),
        doc("/smart-style.json"),
        doc("/health"),
        doc("/metrics"),
        route(
            "/static/{name}".into(),
            Family::Static,
            "GET",
            "/static/{name}",
        )
        .slot("name", "style.css"),
        page("/"),
        route("/ehr".into(), Family::Page, "GET", "/ehr")
            .query(&[("app", "https://app.example/launch")], Some("app")),
        route("/launcher".into(), Family::Page, "GET", "/launcher").query(
            &[
                ("launch_uri", "https://app.example/launch"),
                ("fhir_ver", "4"),
            ],
            Some("launch_uri"),
        ),
        route("/api/decode".into(), Family::Decode, "GET", "/api/decode")
            .query(&[("input", launch_value)], Some("input")),
        page("/sample-app"),
        page("/sample-app/"),
        page("/sample-app/launch"),
        page("/sample-app/backend"),
    ]
}

/// The FHIR routes of a release in upstream mode (`http::fhir_proxy`),
/// addressing what the fake upstream (`tests/upstream/fake.rs`) serves.
pub fn proxy_routes(site: &Site, patient: &str) -> Vec<Route> {
    let (prefix, label) = prefix(site);
    let base = format!("{prefix}/fhir");
    let t = Some(site.token.as_str());
    let n = |what: &str| format!("{label} upstream: FHIR {what}");
    let get = |what: &str, path: &str| fhir_get(site, &base, n(what), path);
    let obs = observation(patient);
    let mut metadata = get("metadata", "/metadata").auth(AuthUse::None, None);
    // Upstream mode forwards metadata as it is (JSON is asked for upstream).
    metadata.negotiates = false;
    let mut binary = get("Binary read", "/Binary/{id}").slot("id", "pdf1");
    binary.negotiates = false;
    vec![
        metadata,
        get("read", "/{type}/{id}")
            .slot("type", "Observation")
            .slot("id", "obs-a1"),
        get("search", "/{type}")
            .slot("type", "Observation")
            .query(&[("patient", patient)], Some("patient")),
        binary,
        fhir_search_post(site, &base, n("_search"), patient, FHIR_CAP),
        with_site_slots(
            route(
                n("create"),
                Family::Fhir,
                "POST",
                &format!("{base}/{{type}}"),
            )
            .slot("type", "Observation")
            .json("application/fhir+json", obs, FHIR_CAP)
            .auth(AuthUse::Bearer, t)
            .query(&[], None)
            .negotiates()
            .wrong("PATCH"),
            site,
        ),
    ]
}

/// Every route pattern the embedded server registers (`src/http/mod.rs`,
/// `fhir.rs`, `fhir_write.rs`, `pages.rs`), as `/metrics` labels them: the
/// request matrix must reach each one.
pub const REGISTERED: &[&str] = &[
    "/v/{release}/auth/authorize",
    "/v/{release}/auth/token",
    "/v/{release}/auth/introspect",
    "/v/{release}/auth/revoke",
    "/v/{release}/fhir/.well-known/smart-configuration",
    "/v/{release}/fhir/.well-known/openid-configuration",
    "/v/{release}/fhir",
    "/v/{release}/fhir/metadata",
    "/v/{release}/fhir/Binary/{id}",
    "/v/{release}/fhir/{type}",
    "/v/{release}/fhir/{type}/{id}",
    "/v/{release}/fhir/{type}/_search",
    "/v/{release}/fhir/{type}/_history",
    "/v/{release}/fhir/{type}/{id}/_history",
    "/v/{release}/fhir/{type}/{id}/_history/{vid}",
    "/v/{release}/fhir/Patient/{id}/$everything",
    "/v/{release}/sim/{sim}/auth/authorize",
    "/v/{release}/sim/{sim}/auth/token",
    "/v/{release}/sim/{sim}/auth/introspect",
    "/v/{release}/sim/{sim}/auth/revoke",
    "/v/{release}/sim/{sim}/fhir/.well-known/smart-configuration",
    "/v/{release}/sim/{sim}/fhir/.well-known/openid-configuration",
    "/v/{release}/sim/{sim}/fhir",
    "/v/{release}/sim/{sim}/fhir/metadata",
    "/v/{release}/sim/{sim}/fhir/Binary/{id}",
    "/v/{release}/sim/{sim}/fhir/{type}",
    "/v/{release}/sim/{sim}/fhir/{type}/{id}",
    "/v/{release}/sim/{sim}/fhir/{type}/_search",
    "/v/{release}/sim/{sim}/fhir/{type}/_history",
    "/v/{release}/sim/{sim}/fhir/{type}/{id}/_history",
    "/v/{release}/sim/{sim}/fhir/{type}/{id}/_history/{vid}",
    "/v/{release}/sim/{sim}/fhir/Patient/{id}/$everything",
    "/v/{release}/launch",
    "/keys",
    "/smart-style.json",
    "/health",
    "/metrics",
    "/static/{name}",
    "/",
    "/ehr",
    "/launcher",
    "/api/decode",
    "/sample-app",
    "/sample-app/",
    "/sample-app/launch",
    "/sample-app/backend",
];
