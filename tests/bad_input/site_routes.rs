//! The routes of one simulated EHR (`/v/{release}[/sim/{sim}]`): the
//! authorization server, discovery, the FHIR API, and the launch-id API,
//! each as a baseline that works with the site's token.

use serde_json::json;

use super::routes::{route, AuthUse, Family, Route, AUTH_CAP, DEFAULT_CAP, FHIR_CAP};

/// One simulated EHR: `/v/{release}` or `/v/{release}/sim/{sim}`, and an
/// access token for it (scopes for all of its FHIR interactions).
pub struct Site {
    pub release: &'static str,
    pub sim: Option<String>,
    pub token: String,
    /// The FHIR base serves writes (R4, or a proxied release).
    pub writes: bool,
    pub label: &'static str,
}

/// Ids of resources the baselines address.
pub struct Ids {
    pub patient: String,
    pub binary: String,
}

const REDIRECT: &str = "https://app.example/callback";

/// The authorization server routes and discovery of one site.
pub fn auth_routes(site: &Site, fhir_base: &str) -> Vec<Route> {
    let (prefix, label) = prefix(site);
    let t = site.token.as_str();
    let authz = [
        ("response_type", "code"),
        ("client_id", "test-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "launch/patient patient/*.read"),
        ("state", "st-1"),
        ("aud", fhir_base),
    ];
    let n = |what: &str| format!("{label}: {what}");
    let at = |path: &str| format!("{prefix}{path}");
    let with_slots = |r: Route| with_site_slots(r, site);
    vec![
        with_slots(
            route(
                n("authorize GET"),
                Family::Authorize,
                "GET",
                &at("/auth/authorize"),
            )
            .query(&authz, Some("client_id"))
            .wrong("PUT"),
        ),
        with_slots(
            route(
                n("authorize POST"),
                Family::Authorize,
                "POST",
                &at("/auth/authorize"),
            )
            .form(&authz, AUTH_CAP)
            .wrong("PUT"),
        ),
        with_slots(
            route(n("token"), Family::OAuth, "POST", &at("/auth/token"))
                .form(
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", "not-a-code"),
                        ("redirect_uri", REDIRECT),
                        ("client_id", "test-app"),
                    ],
                    AUTH_CAP,
                )
                .auth(AuthUse::Client, None)
                .refused(),
        ),
        with_slots(
            route(
                n("introspect"),
                Family::OAuth,
                "POST",
                &at("/auth/introspect"),
            )
            .form(&[("token", t)], AUTH_CAP)
            // An absent or empty token is `{"active": false}`
            // (tests/introspection.rs), not an error.
            .body_flags(true, true)
            .auth(AuthUse::Client, Some(t)),
        ),
        with_slots(
            route(n("revoke"), Family::OAuth, "POST", &at("/auth/revoke"))
                .form(
                    &[("token", "not-a-token"), ("client_id", "test-app")],
                    AUTH_CAP,
                )
                .auth(AuthUse::Client, None),
        ),
        with_slots(route(
            n("smart-configuration"),
            Family::OAuth,
            "GET",
            &at("/fhir/.well-known/smart-configuration"),
        )),
        with_slots(route(
            n("openid-configuration"),
            Family::OAuth,
            "GET",
            &at("/fhir/.well-known/openid-configuration"),
        )),
    ]
}

pub fn prefix(site: &Site) -> (String, String) {
    match &site.sim {
        Some(_) => (
            "/v/{release}/sim/{sim}".into(),
            format!("{} sim", site.label),
        ),
        None => ("/v/{release}".into(), site.label.to_string()),
    }
}

pub fn with_site_slots(r: Route, site: &Site) -> Route {
    let r = r.slot("release", site.release);
    match &site.sim {
        Some(s) => r.slot("sim", s.clone()),
        None => r,
    }
}

/// A FHIR GET of `site` (`path` under `base`) with the site's token.
pub fn fhir_get(site: &Site, base: &str, name: String, path: &str) -> Route {
    with_site_slots(
        route(name, Family::Fhir, "GET", &format!("{base}{path}"))
            .auth(AuthUse::Bearer, Some(site.token.as_str()))
            .query(&[], None)
            .negotiates()
            .wrong("PATCH"),
        site,
    )
}

/// `POST {base}/Observation/_search` with `patient` in a form body of at
/// most `cap` bytes.
pub fn fhir_search_post(site: &Site, base: &str, name: String, patient: &str, cap: usize) -> Route {
    with_site_slots(
        route(
            name,
            Family::Fhir,
            "POST",
            &format!("{base}/{{type}}/_search"),
        )
        .slot("type", "Observation")
        .form(&[("patient", patient)], cap)
        .body_flags(false, true)
        .auth(AuthUse::Bearer, Some(site.token.as_str()))
        .query(&[], None)
        .negotiates(),
        site,
    )
}

/// A valid Observation of `patient`, for creates.
pub fn observation(patient: &str) -> serde_json::Value {
    json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": format!("Patient/{patient}")}})
}

/// The FHIR routes of one site: reads, searches, operations and writes.
pub fn fhir_routes(site: &Site, ids: &Ids) -> Vec<Route> {
    let (prefix, label) = prefix(site);
    let base = format!("{prefix}/fhir");
    let t = Some(site.token.as_str());
    let n = |what: &str| format!("{label}: FHIR {what}");
    let get = |what: &str, path: &str| fhir_get(site, &base, n(what), path);
    let p = ids.patient.as_str();
    let obs = observation(p);
    let mut put_obs = obs.clone();
    put_obs["id"] = json!("bad-input-obs");
    let writes = |mut r: Route| {
        r.if_match = site.writes && r.template.contains("{type}");
        if site.writes {
            r
        } else {
            r.refused()
        }
    };
    let mut routes = vec![
        get("metadata", "/metadata").auth(AuthUse::None, None),
        get("read", "/{type}/{id}")
            .slot("type", "Patient")
            .slot("id", p),
        get("vread", "/{type}/{id}/_history/{vid}")
            .slot("type", "Patient")
            .slot("id", p)
            .slot("vid", "1"),
        get("history", "/{type}/{id}/_history")
            .slot("type", "Patient")
            .slot("id", p),
        get("type history", "/{type}/_history").slot("type", "Patient"),
        get("search", "/{type}")
            .slot("type", "Observation")
            .query(&[("patient", p)], Some("patient")),
        get("$everything", "/Patient/{id}/$everything").slot("id", p),
        fhir_search_post(site, &base, n("_search"), p, DEFAULT_CAP),
    ];
    if site.writes {
        // Any `Accept` or `_format` that is not JSON gets the native bytes
        // (R4 binary.html): Binary does not negotiate to a 406.
        let mut binary = get("Binary read", "/Binary/{id}").slot("id", ids.binary.clone());
        binary.negotiates = false;
        routes.push(binary);
    }
    let write = |what: &str, method: &'static str, path: &str| {
        writes(with_site_slots(
            route(n(what), Family::Fhir, method, &format!("{base}{path}"))
                .auth(AuthUse::Bearer, t)
                .wrong("PATCH"),
            site,
        ))
    };
    routes.extend([
        write("create", "POST", "/{type}")
            .slot("type", "Observation")
            .json("application/fhir+json", obs.clone(), FHIR_CAP)
            // Minimal answers carry the new URL only in `Location`.
            .header(
                "prefer",
                if site.sim.is_some() {
                    "return=minimal"
                } else {
                    "return=representation"
                },
            ),
        write("Binary create", "POST", "/{type}")
            .slot("type", "Binary")
            .binary("application/pdf", b"%PDF-1.4 bad-input"),
        write("update", "PUT", "/{type}/{id}")
            .slot("type", "Observation")
            .slot("id", "bad-input-obs")
            .json("application/fhir+json", put_obs, FHIR_CAP),
        write("delete", "DELETE", "/{type}/{id}")
            .slot("type", "Observation")
            .slot("id", "bad-input-deleted"),
        write("transaction", "POST", "")
            .json(
                "application/fhir+json",
                json!({"resourceType": "Bundle", "type": "batch", "entry": []}),
                FHIR_CAP,
            )
            .wrong("PUT"),
    ]);
    routes
}

/// The launch-id API of a release.
pub fn launch_api(release: &'static str, patient: &str) -> Route {
    route(
        format!("{release}: launch-id API"),
        Family::OAuth,
        "POST",
        "/v/{release}/launch",
    )
    .slot("release", release)
    .json(
        "application/json",
        json!({"launch_type": "provider-ehr", "patient": patient}),
        AUTH_CAP,
    )
}
