//! The servers under test and the route lists with live baselines: tokens
//! from real EHR launches for each site (r4 and r3, with and without a
//! `{sim}` segment), a Binary and a deletable Observation written first.

use serde_json::json;

use super::common::fhir::{spawn_fhir, token, PAT_A};
use super::common::flows::{v2, SiteUrls};
use super::common::writes::send;
use super::common::{launch_value, test_config, TestApp};
use super::fake;
use super::other_routes;
use super::routes::Route;
use super::site_routes::{self, Ids, Site};

pub struct Fixture {
    pub app: TestApp,
    pub routes: Vec<Route>,
    /// A launch that still works after the matrix: (site, FHIR base).
    pub site: SiteUrls,
}

async fn site(
    app: &TestApp,
    release: &'static str,
    sim: Option<&str>,
    scope: &str,
    writes: bool,
) -> Site {
    let urls = SiteUrls::at(app, release, sim);
    Site {
        release,
        sim: sim.map(str::to_string),
        token: token(&urls, scope, PAT_A).await,
        writes,
        label: release,
    }
}

/// Writes what the baselines address, with the r4 token.
async fn seed(app: &TestApp, token: &str) -> Ids {
    let base = format!("{}/v/r4/fhir", app.base);
    let pdf = [("content-type", "application/pdf")];
    let created = send(
        "POST",
        &format!("{base}/Binary"),
        token,
        &pdf,
        b"%PDF".to_vec(),
    )
    .await;
    assert_eq!(created.status, 201, "Binary created");
    let location = created.header("location").expect("Location").to_string();
    let binary = location
        .split("/Binary/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("Binary id in Location")
        .to_string();
    let obs = json!({"resourceType": "Observation", "id": "bad-input-deleted",
        "status": "final", "code": {"text": "x"}, "subject": {"reference": format!("Patient/{PAT_A}")}});
    let url = format!("{base}/Observation/bad-input-deleted");
    let fhir_json = [("content-type", "application/fhir+json")];
    let put = send("PUT", &url, token, &fhir_json, obs.to_string().into_bytes()).await;
    assert_eq!(put.status, 201, "deletable Observation created");
    Ids {
        patient: PAT_A.into(),
        binary,
    }
}

/// The embedded server with every route: auth and discovery and FHIR for
/// r4 and r3 (plain and `{sim}`), the launch-id API, globals and pages.
pub async fn embedded() -> Fixture {
    let (app, _) = spawn_fhir().await;
    let sim = v2(&[]);
    let sites = [
        site(&app, "r4", None, "user/*.cruds", true).await,
        site(&app, "r4", Some(&sim), "user/*.cruds", true).await,
        site(&app, "r3", None, "user/*.read", false).await,
        site(&app, "r3", Some(&sim), "user/*.read", false).await,
    ];
    let ids = seed(&app, &sites[0].token).await;
    let mut all = Vec::new();
    for (i, s) in sites.iter().enumerate() {
        let fhir_base = format!("{}{}/fhir", app.base, prefix_of(s));
        let mut routes = site_routes::auth_routes(s, &fhir_base);
        routes.extend(site_routes::fhir_routes(s, &ids));
        // The r4 site and the r4 `{sim}` site get the costly long paths.
        routes.iter_mut().for_each(|r| r.long = i < 2);
        all.extend(routes);
    }
    all.push(site_routes::launch_api("r4", PAT_A));
    all.push(site_routes::launch_api("r3", PAT_A));
    all.extend(other_routes::global_routes(&launch_value(
        &json!({"h": "1", "j": "1"}),
    )));
    let site = SiteUrls::plain(&app);
    Fixture {
        app,
        routes: all,
        site,
    }
}

fn prefix_of(s: &Site) -> String {
    match &s.sim {
        Some(sim) => format!("/v/{}/sim/{sim}", s.release),
        None => format!("/v/{}", s.release),
    }
}

/// A server whose r4 FHIR API forwards to the fake upstream.
pub async fn proxied() -> (Fixture, fake::Fake) {
    let upstream = fake::start();
    let mut config = test_config();
    config.fhir_server_r4 = Some(url::Url::parse(&upstream.base).unwrap());
    config.upstream_timeout = 5;
    let app = super::common::spawn_with(config).await;
    let sim = v2(&[]);
    let mut all = Vec::new();
    for sim in [None, Some(sim.as_str())] {
        let s = site(&app, "r4", sim, "patient/*.cruds", true).await;
        all.extend(other_routes::proxy_routes(&s, PAT_A));
    }
    let site = SiteUrls::plain(&app);
    (
        Fixture {
            app,
            routes: all,
            site,
        },
        upstream,
    )
}

/// The embedded server and an r4 token that may write anything.
pub struct Writer {
    pub app: TestApp,
    pub token: String,
}

pub async fn embedded_r4() -> Writer {
    let (app, _) = spawn_fhir().await;
    let token = token(&SiteUrls::plain(&app), "user/*.cruds", PAT_A).await;
    Writer { app, token }
}
