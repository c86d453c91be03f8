//! Handlers for the pages people open directly: the launcher, the EHR frame,
//! the remote launcher, the Decode box's JSON endpoint and the sample app.
//! The page models and every decision live in `pages::launcher`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::base_url;
use super::request;
use super::respond::html;
use crate::launch::explain::explain;
use crate::pages::launcher::{
    remote_launch, EhrPage, LauncherPage, PageError, PageErrorPage, RemoteQuery, SampleAppPage,
    SampleBackendPage,
};
use crate::sandbox::Sandbox;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let page = |path: &str, route: actix_web::Route| {
        web::resource(path)
            .route(route)
            .default_service(super::refuse_page("GET"))
    };
    cfg.service(page("/", web::get().to(launcher)))
        .service(page("/ehr", web::get().to(ehr)))
        .service(page("/launcher", web::get().to(remote)))
        .service(
            web::resource("/api/decode")
                .route(web::get().to(decode))
                .default_service(web::to(decode_not_allowed)),
        )
        .service(page("/sample-app", web::get().to(sample_app_slash)))
        .service(page("/sample-app/", web::get().to(sample_app)))
        .service(page("/sample-app/launch", web::get().to(sample_app_launch)))
        .service(page("/sample-app/backend", web::get().to(sample_backend)));
}

fn base(req: &HttpRequest, sandbox: &Sandbox) -> String {
    let local = format!("http://{}", req.app_config().local_addr());
    base_url(req, sandbox, &local)
}

fn page_error(status: StatusCode, title: &str, e: &PageError, help: &str) -> HttpResponse {
    let PageError::BadRequest(message) = e;
    html(
        status,
        PageErrorPage {
            status: status.as_u16(),
            title: title.into(),
            message: message.clone(),
            help: help.into(),
        }
        .render(),
    )
}

async fn launcher(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let page = LauncherPage::new(&base(&req, &sandbox), sandbox.directory.as_ref());
    html(StatusCode::OK, page.render())
}

#[derive(Deserialize)]
struct EhrQuery {
    app: Option<String>,
}

const EHR_HELP: &str = "The EHR frame needs ?app= followed by the app's launch URL (URL-encoded).";

async fn ehr(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let failed = |e: &PageError| {
        page_error(
            StatusCode::BAD_REQUEST,
            "Cannot open the EHR frame",
            e,
            EHR_HELP,
        )
    };
    let app = match request::typed_query::<EhrQuery>(&req) {
        Ok(q) => q.app.unwrap_or_default(),
        Err(e) => return failed(&PageError::BadRequest(e)),
    };
    match EhrPage::new(&app, sandbox.directory.as_ref()) {
        Ok(page) => html(StatusCode::OK, page.render()),
        Err(e) => failed(&e),
    }
}

/// The SMART Health IT launcher's remote launch: 302 to the app.
async fn remote(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let query = match request::typed_query::<RemoteQuery>(&req) {
        Ok(q) => q,
        Err(e) => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Invalid launch link",
                &PageError::BadRequest(e),
                REMOTE_HELP,
            )
        }
    };
    match remote_launch(&base(&req, &sandbox), &query) {
        Ok(location) => HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(e) => page_error(
            StatusCode::BAD_REQUEST,
            "Invalid launch link",
            &e,
            REMOTE_HELP,
        ),
    }
}

const REMOTE_HELP: &str = "Use /launcher?launch_uri=<the app's launch URL>&fhir_ver=4, \
     optionally with patient, provider, encounter and sim_ehr=1.";

fn decode_error(status: StatusCode, error: String) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({"ok": false, "error": error}))
}

/// The Decode box: `{ok: true, lines, options, ...}` or `{ok: false, error}`.
async fn decode(req: HttpRequest) -> HttpResponse {
    let pairs = match request::query(&req) {
        Ok(p) => p,
        Err(e) => return decode_error(StatusCode::BAD_REQUEST, e),
    };
    let mut inputs = pairs.into_iter().filter(|(k, _)| k == "input");
    let input = match (inputs.next(), inputs.next()) {
        (Some((_, v)), None) => v,
        (Some(_), Some(_)) => {
            return decode_error(StatusCode::BAD_REQUEST, "send `input` once".into())
        }
        (None, _) => String::new(),
    };
    if input.trim().is_empty() {
        return decode_error(StatusCode::BAD_REQUEST, "nothing to decode".into());
    }
    match explain(&input) {
        Ok(x) => {
            let mut body = serde_json::to_value(&x).unwrap_or_default();
            body["ok"] = true.into();
            HttpResponse::Ok().json(body)
        }
        Err(e) => decode_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn decode_not_allowed(req: HttpRequest) -> HttpResponse {
    let mut resp = decode_error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed here; use GET", req.method()),
    );
    resp.headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET"));
    resp
}

async fn sample_app_slash() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, "/sample-app/"))
        .finish()
}

async fn sample_app() -> HttpResponse {
    html(StatusCode::OK, SampleAppPage { mode: "callback" }.render())
}

async fn sample_app_launch() -> HttpResponse {
    html(StatusCode::OK, SampleAppPage { mode: "launch" }.render())
}

async fn sample_backend(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let page = SampleBackendPage {
        base_url: base(&req, &sandbox),
    };
    html(StatusCode::OK, page.render())
}
