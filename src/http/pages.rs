//! Handlers for the pages people open directly: the launcher, the EHR frame,
//! the remote launcher, the Decode box's JSON endpoint and the sample app.
//! The page models and every decision live in `pages::launcher`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::base_url;
use super::respond::html;
use crate::launch::explain::explain;
use crate::pages::launcher::{
    remote_launch, EhrPage, LauncherPage, PageError, PageErrorPage, RemoteQuery, SampleAppPage,
    SampleBackendPage,
};
use crate::sandbox::Sandbox;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(launcher))
        .route("/ehr", web::get().to(ehr))
        .route("/launcher", web::get().to(remote))
        .route("/api/decode", web::get().to(decode))
        .route("/sample-app", web::get().to(sample_app_slash))
        .route("/sample-app/", web::get().to(sample_app))
        .route("/sample-app/launch", web::get().to(sample_app_launch))
        .route("/sample-app/backend", web::get().to(sample_backend));
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

async fn ehr(query: Option<web::Query<EhrQuery>>, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let app = query.and_then(|q| q.into_inner().app).unwrap_or_default();
    match EhrPage::new(&app, sandbox.directory.as_ref()) {
        Ok(page) => html(StatusCode::OK, page.render()),
        Err(e) => page_error(
            StatusCode::BAD_REQUEST,
            "Cannot open the EHR frame",
            &e,
            "The EHR frame needs ?app= followed by the app's launch URL (URL-encoded).",
        ),
    }
}

/// The SMART Health IT launcher's remote launch: 302 to the app.
async fn remote(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let query = match web::Query::<RemoteQuery>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Invalid launch link",
                &PageError::BadRequest(format!("the query string could not be read: {e}")),
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

#[derive(Deserialize)]
struct DecodeQuery {
    input: Option<String>,
}

/// The Decode box: `{ok: true, lines, options, ...}` or `{ok: false, error}`.
async fn decode(query: Option<web::Query<DecodeQuery>>) -> HttpResponse {
    let input = query.and_then(|q| q.into_inner().input).unwrap_or_default();
    if input.trim().is_empty() {
        return HttpResponse::BadRequest()
            .json(serde_json::json!({"ok": false, "error": "nothing to decode"}));
    }
    match explain(&input) {
        Ok(x) => {
            let mut body = serde_json::to_value(&x).unwrap_or_default();
            body["ok"] = true.into();
            HttpResponse::Ok().json(body)
        }
        Err(e) => HttpResponse::BadRequest()
            .json(serde_json::json!({"ok": false, "error": e.to_string()})),
    }
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
