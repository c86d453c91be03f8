//! The only module that knows actix-web: routes, extractors, and the mapping
//! of protocol results to HTTP responses. Handlers extract, call one plain
//! function with `now`, and write what it returns.

mod auth;
mod discovery;
mod fhir;
mod fhir_proxy;
mod fhir_write;
pub mod headers;
mod lifecycle;
pub mod limits;
mod observe;
mod pages;
mod request;
mod respond;

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::http::{header, KeepAlive};
use actix_web::{middleware, web, App, HttpRequest, HttpResponse, HttpServer};

use crate::config::{Config, ConfigError};
use crate::oauth::{Release, Site};
use crate::sandbox::Sandbox;

/// A started server: where it listens and the future that runs it.
pub struct Running {
    pub port: u16,
    /// The base URL derived from the bound address (what `--base-url`
    /// defaults to when requests carry no usable `Host`).
    pub local_url: String,
    pub sandbox: Arc<Sandbox>,
    pub server: actix_web::dev::Server,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// Validates the configuration, loads keys, binds the listener and builds
/// the server. The caller runs (awaits or spawns) `Running::server`.
pub fn start(config: Config) -> Result<Running, StartError> {
    let config = config.validate()?;
    let addr = format!("{}:{}", config.host, config.port);
    let listener = TcpListener::bind(&addr).map_err(|source| StartError::Bind {
        addr: addr.clone(),
        source,
    })?;
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(config.port);
    let host = match config.host.as_str() {
        "0.0.0.0" | "::" | "[::]" => "localhost".to_string(),
        h if h.contains(':') => format!("[{h}]"),
        h => h.to_string(),
    };
    let local_url = format!("http://{host}:{port}");
    let sandbox = Arc::new(Sandbox::new(config)?);
    let data = web::Data::from(sandbox.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(limits::body(limits::DEFAULT_BODY))
            .wrap(middleware::from_fn(headers::security_headers))
            .wrap(middleware::from_fn(limits::check_head))
            // Browser apps on any origin call discovery, token and FHIR:
            // preflights allow any header (`Authorization` included), and
            // the FHIR headers an app reads are exposed.
            .wrap(
                Cors::default()
                    .allow_any_origin()
                    .allow_any_method()
                    .allow_any_header()
                    .expose_headers([
                        header::ETAG,
                        header::LOCATION,
                        header::CONTENT_LOCATION,
                        header::LAST_MODIFIED,
                        header::WWW_AUTHENTICATE,
                    ])
                    .max_age(86_400),
            )
            .wrap(middleware::from_fn(observe::observe))
            .configure(routes)
    })
    .client_request_timeout(limits::CLIENT_REQUEST_TIMEOUT)
    .client_disconnect_timeout(limits::CLIENT_DISCONNECT_TIMEOUT)
    .keep_alive(KeepAlive::Timeout(limits::KEEP_ALIVE))
    .shutdown_timeout(limits::SHUTDOWN_TIMEOUT_SECS)
    .listen(listener)
    .map_err(|source| StartError::Bind { addr, source })?
    .run();
    Ok(Running {
        port,
        local_url,
        sandbox,
        server,
    })
}

/// Every other method on a resource: 405 with `Allow`, as error JSON.
fn refuse_json(allow: &'static str) -> actix_web::Route {
    web::to(
        move |req: HttpRequest| async move { respond::method_not_allowed_json(req.method(), allow) },
    )
}

/// Every other method on a page: 405 with `Allow`, as an HTML error page.
fn refuse_page(allow: &'static str) -> actix_web::Route {
    web::to(
        move |req: HttpRequest| async move { respond::method_not_allowed_page(req.method(), allow) },
    )
}

/// A resource that serves only `GET` (405 JSON otherwise).
fn get_json(path: &str, route: actix_web::Route) -> actix_web::Resource {
    web::resource(path)
        .route(route)
        .default_service(refuse_json("GET"))
}

fn routes(cfg: &mut web::ServiceConfig) {
    let auth_body = || limits::body(limits::AUTH_BODY);
    for prefix in ["/v/{release}", "/v/{release}/sim/{sim}"] {
        cfg.service(
            web::resource(format!("{prefix}/auth/authorize"))
                .app_data(auth_body())
                .route(web::get().to(auth::authorize_get))
                .route(web::post().to(auth::authorize_post))
                .default_service(refuse_page("GET, POST")),
        )
        .service(
            web::resource(format!("{prefix}/auth/token"))
                .app_data(auth_body())
                .route(web::post().to(auth::token))
                .default_service(refuse_json("POST")),
        )
        .service(
            web::resource(format!("{prefix}/auth/introspect"))
                .app_data(auth_body())
                .route(web::post().to(lifecycle::introspect))
                .default_service(refuse_json("POST")),
        )
        .service(
            web::resource(format!("{prefix}/auth/revoke"))
                .app_data(auth_body())
                .route(web::post().to(lifecycle::revoke))
                .default_service(refuse_json("POST")),
        )
        .service(get_json(
            &format!("{prefix}/fhir/.well-known/smart-configuration"),
            web::get().to(discovery::smart_configuration),
        ))
        .service(get_json(
            &format!("{prefix}/fhir/.well-known/openid-configuration"),
            web::get().to(discovery::openid_configuration),
        ));
    }
    cfg.service(
        web::resource("/v/{release}/launch")
            .app_data(auth_body())
            .route(web::post().to(lifecycle::create))
            .default_service(refuse_json("POST")),
    );
    fhir_proxy::routes(cfg);
    fhir::routes(cfg);
    cfg.service(get_json("/keys", web::get().to(discovery::keys)))
        .service(get_json(
            "/smart-style.json",
            web::get().to(discovery::smart_style),
        ))
        .service(get_json("/health", web::get().to(health)))
        .service(get_json("/metrics", web::get().to(metrics)))
        .service(get_json("/static/{name}", web::get().to(static_asset)))
        .configure(pages::routes)
        .default_service(web::to(not_found));
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Prometheus text exposition.
async fn metrics(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(sandbox.metrics.render())
}

async fn static_asset(name: web::Path<String>) -> HttpResponse {
    match crate::pages::static_asset(&name) {
        Some((content_type, body)) => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header(("Cache-Control", "public, max-age=3600"))
            .body(body),
        None => not_found_response(),
    }
}

async fn not_found() -> HttpResponse {
    not_found_response()
}

fn not_found_response() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({
        "error": "not_found",
        "error_description": "no such route; see the README for the URL space",
    }))
}

/// The public base URL: configured, or derived from the request's `Host`
/// (so both `localhost` and `127.0.0.1` work locally).
fn base_url(req: &HttpRequest, sandbox: &Sandbox, fallback: &str) -> String {
    if let Some(base) = &sandbox.config.base_url {
        return base.clone();
    }
    let info = req.connection_info();
    let host = info.host();
    let host_ok = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if host_ok {
        let scheme = if info.scheme() == "https" {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    } else {
        fallback.to_string()
    }
}

/// The simulated EHR a request addresses, from `{release}` and `{sim}`.
/// Why a request's `{release}` or `{sim}` segment cannot be served; each
/// route answers it in its own error shape.
enum SiteProblem {
    UnknownRelease,
    BadLaunch(String),
}

impl std::fmt::Display for SiteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SiteProblem::UnknownRelease => f.write_str("unknown FHIR release; use r2, r3 or r4"),
            SiteProblem::BadLaunch(e) => write!(f, "invalid launch options in the URL: {e}"),
        }
    }
}

/// The request's site, with its launch options (`{sim}`) known to decode.
fn checked_site(req: &HttpRequest, sandbox: &Sandbox) -> Result<Site, SiteProblem> {
    let site = site(req, sandbox).ok_or(SiteProblem::UnknownRelease)?;
    if let Some(sim) = &site.sim {
        crate::launch::decode_segment(sim).map_err(|e| SiteProblem::BadLaunch(e.to_string()))?;
    }
    Ok(site)
}

fn site(req: &HttpRequest, sandbox: &Sandbox) -> Option<Site> {
    let release = Release::parse(req.match_info().get("release")?)?;
    let local = format!("http://{}", req.app_config().local_addr());
    Some(Site::new(
        &base_url(req, sandbox, &local),
        release,
        req.match_info().get("sim"),
    ))
}
