//! Upstream mode over HTTP: every FHIR request of a release with a
//! `--fhir-server-*` is checked here (token, scopes, compartment) and then
//! forwarded; see `fhir::proxy` for the rules. Registered before the
//! embedded routes, behind a guard, so releases without an upstream server
//! keep the embedded store.

use actix_web::{guard, web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::fhir::{claims, fhir_site, query_params};
use super::request;
use crate::fhir::access::{authorize_request, AccessFilter, Interaction};
use crate::fhir::capability::capability_statement;
use crate::fhir::format::is_fhir_json;
use crate::fhir::proxy::enforce::{check, confined, filter_bundle, plan_search, Verdict};
use crate::fhir::proxy::route::{parse, Op};
use crate::fhir::proxy::{self, bad_gateway, denied, forbidden, MAX_REQUEST_BODY};
use crate::oauth::Release;
use crate::sandbox::Sandbox;

#[path = "fhir_proxy_io.rs"]
mod io;
use io::{buffered, check_format, fail, forward, reply, Body, Forward};

pub fn routes(cfg: &mut web::ServiceConfig) {
    for prefix in ["/v/{release}/fhir", "/v/{release}/sim/{sim}/fhir"] {
        cfg.service(
            web::resource([prefix.to_string(), format!("{prefix}/{{tail:.*}}")])
                .guard(guard::fn_guard(proxied))
                .to(handle),
        );
    }
}

/// Whether the request's `/v/{release}` has an upstream server.
fn proxied(ctx: &guard::GuardContext<'_>) -> bool {
    let path = ctx.head().uri.path();
    let release = path.strip_prefix("/v/").and_then(|r| r.split('/').next());
    let Some(release) = release.and_then(Release::parse) else {
        return false;
    };
    ctx.app_data::<web::Data<Sandbox>>()
        .and_then(|s| s.upstream.as_ref())
        .is_some_and(|u| u.base(release).is_some())
}

async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    run(&req, payload, &sandbox).await.unwrap_or_else(|r| r)
}

fn encode(params: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

async fn run(
    req: &HttpRequest,
    payload: web::Payload,
    sandbox: &Sandbox,
) -> Result<HttpResponse, HttpResponse> {
    let site = fhir_site(req, sandbox).map_err(reply)?;
    let upstream = sandbox
        .upstream
        .as_ref()
        .ok_or_else(|| fail(404, "not-found", "no upstream"))?;
    let up_base = upstream.base(site.release).unwrap_or_default();
    let tail = req.match_info().get("tail").unwrap_or("");
    let op = parse(req.method().as_str(), tail).map_err(|(status, msg)| {
        fail(
            status,
            if status == 404 {
                "not-found"
            } else {
                "not-supported"
            },
            &msg,
        )
    })?;
    let mut params = query_params(req).map_err(reply)?;
    let mut fwd = Forward {
        upstream,
        from: up_base,
        to: site.fhir_base(),
        method: req.method().clone(),
        path: tail.to_string(),
        query: req.query_string().to_string(),
        body: Body::None,
        binary: op.is_binary(),
        client_headers: true,
    };
    if op == Op::Metadata {
        let (status, headers, body) = forward(req, &mut fwd).await?.json().await?;
        let security =
            capability_statement(&site, &sandbox.fhir.read())["rest"][0]["security"].clone();
        let body = if status.is_success() {
            proxy::capability(body, &security)
        } else {
            body
        };
        return Ok(fwd.respond(status, headers, body));
    }
    if !fwd.binary {
        check_format(req, &params).map_err(reply)?;
    }
    let claims = claims(req, sandbox).map_err(reply)?;
    let filter = match op.needs() {
        Some((ty, interaction)) => Some(
            authorize_request(&claims, interaction, ty, site.release)
                .map_err(|d| reply(denied(d)))?,
        ),
        None => {
            // Paging: no type to check yet, but the token must be for this
            // server (aud, simulated errors); entries are checked below.
            let probe = authorize_request(&claims, Interaction::Search, "Patient", site.release);
            if let Err(d @ crate::fhir::access::Denied::Token(_)) = probe {
                return Err(reply(denied(d)));
            }
            None
        }
    };
    let mut pinned = false;
    match (&op, &filter) {
        (Op::Search { ty, post }, Some(f)) => {
            let mut body_params = Vec::new();
            if *post {
                let form = buffered(payload, MAX_REQUEST_BODY).await?;
                let is_form = request::media_type(req).essence() == Some(request::FORM);
                if !form.is_empty() && !is_form {
                    return Err(fail(
                        415,
                        "not-supported",
                        "POST _search takes an application/x-www-form-urlencoded body",
                    ));
                }
                body_params = request::form(&form).map_err(|e| fail(400, "invalid", &e))?;
                params.extend(body_params.iter().cloned());
            }
            let plan = plan_search(f, ty, &params).map_err(|m| reply(forbidden(&m)))?;
            pinned = plan.pinned;
            if *post {
                // The query string stays as sent; the forced parameters go
                // into the form body (R4 search.html §3.1.1.1: both count).
                let added = &plan.params[params.len()..];
                body_params.extend(added.iter().cloned());
                fwd.body = Body::Bytes(encode(&body_params).into_bytes());
            } else {
                fwd.query = encode(&plan.params);
            }
        }
        (Op::Patch { ty, .. }, Some(f)) if confined(f, ty) => {
            return Err(reply(forbidden(&format!(
                "PATCH of {ty} cannot be checked against this token's patient/ or constrained scopes ({}); use PUT",
                f.scopes().join(" ")
            ))));
        }
        (Op::Create { ty } | Op::Update { ty, .. }, Some(f)) if confined(f, ty) => {
            // The body must be read to be checked: FHIR JSON only.
            if !request::media_type(req).absent_or(is_fhir_json) {
                return Err(fail(
                    415,
                    "not-supported",
                    &format!("this token's scopes need the {ty} checked before it is forwarded: send application/fhir+json"),
                ));
            }
            let bytes = buffered(payload, MAX_REQUEST_BODY).await?;
            let resource: Value = serde_json::from_slice(&bytes)
                .map_err(|e| fail(400, "invalid", &format!("the body is not FHIR JSON: {e}")))?;
            if check(f, ty, &resource) != Verdict::Allow {
                return Err(reply(forbidden(&format!(
                    "this {ty} is outside what this token's scopes grant ({})",
                    f.scopes().join(" ")
                ))));
            }
            fwd.body = Body::Bytes(bytes.to_vec());
        }
        (Op::Create { .. } | Op::Update { .. } | Op::Patch { .. }, _) => {
            fwd.body = Body::Stream(payload);
        }
        _ => {}
    }
    if let (Op::Update { ty, id } | Op::Delete { ty, id }, Some(f)) = (&op, &filter) {
        if confined(f, ty) {
            check_current(req, &fwd, f, ty, id).await?;
        }
    }
    let answer = forward(req, &mut fwd).await?;
    let writes = matches!(
        op,
        Op::Create { .. } | Op::Update { .. } | Op::Patch { .. } | Op::Delete { .. }
    );
    if fwd.binary || writes || !answer.resp.status().is_success() {
        return answer.pass_through(&fwd).await;
    }
    if !answer.is_json() {
        return Err(reply(bad_gateway(&format!(
            "the upstream FHIR server answered `{}`, not FHIR JSON: it cannot be checked against the token's scopes",
            answer.content_type()
        ))));
    }
    let (status, headers, mut body) = answer.json().await?;
    let interaction = op.needs().map_or(Interaction::Search, |(_, i)| i);
    let resource_type = body["resourceType"].as_str().unwrap_or("").to_string();
    match (&op, &filter) {
        (Op::Read { ty, id } | Op::Vread { ty, id, .. }, Some(f)) => match check(f, ty, &body) {
            Verdict::Allow => {}
            Verdict::Hidden => {
                return Err(fail(404, "not-found", &format!("{ty}/{id} is not known")))
            }
            Verdict::Forbidden => {
                return Err(reply(forbidden(&format!(
                    "{ty}/{id} is outside what this token's scopes grant ({})",
                    f.scopes().join(" ")
                ))))
            }
        },
        _ if resource_type == "Bundle" => {
            filter_bundle(&mut body, &claims, site.release, interaction, pinned);
        }
        _ => {
            let allowed =
                authorize_request(&claims, Interaction::Read, &resource_type, site.release)
                    .is_ok_and(|f| check(&f, &resource_type, &body) == Verdict::Allow);
            if !allowed && resource_type != "OperationOutcome" {
                return Err(reply(forbidden(&format!(
                    "the upstream answered a {resource_type} this token's scopes do not grant"
                ))));
            }
        }
    }
    Ok(fwd.respond(status, headers, body))
}

/// Before an update or delete under confined scopes: the current version
/// must be one the token may see (404 otherwise, as for a read), so a
/// patient app cannot overwrite another patient's data by id.
pub async fn check_current(
    req: &HttpRequest,
    fwd: &Forward<'_>,
    filter: &AccessFilter,
    ty: &str,
    id: &str,
) -> Result<(), HttpResponse> {
    let mut probe = Forward {
        upstream: fwd.upstream,
        from: fwd.from,
        to: fwd.to.clone(),
        method: actix_web::http::Method::GET,
        path: format!("{ty}/{id}"),
        query: String::new(),
        body: Body::None,
        binary: false,
        client_headers: false,
    };
    let answer = forward(req, &mut probe).await?;
    if !answer.resp.status().is_success() || !answer.is_json() {
        return Ok(());
    }
    let (_, _, current) = answer.json().await?;
    match check(filter, ty, &current) {
        Verdict::Allow => Ok(()),
        Verdict::Hidden => Err(fail(404, "not-found", &format!("{ty}/{id} is not known"))),
        Verdict::Forbidden => Err(reply(forbidden(&format!(
            "{ty}/{id} is outside what this token's scopes grant ({})",
            filter.scopes().join(" ")
        )))),
    }
}
