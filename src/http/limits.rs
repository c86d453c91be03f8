//! Request size limits and connection timeouts.
//!
//! Bodies: a default cap for every route ([`DEFAULT_BODY`]) and per-route
//! caps set with `.app_data(web::PayloadConfig::new(..))` on the resource:
//! [`AUTH_BODY`] for the authorization server's form posts, [`FHIR_WRITE_BODY`]
//! for FHIR create/update/transaction and `Binary` (each resource and Binary
//! capped again by `fhir::validate`). A larger body is answered 413.
//!
//! Request head: actix-http refuses a request line plus headers over 128 KiB
//! or more than 96 headers; [`check_head`] answers 414 for a URL over
//! [`MAX_URI`] and 431 for headers over [`MAX_HEADERS_BYTES`] before any
//! handler runs. A launch value is at most 16 KiB (`launch::codec::MAX_LEN`),
//! so sandbox URLs fit.

use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

/// Body cap for routes without their own.
pub const DEFAULT_BODY: usize = 64 * 1024;
/// Authorize, token, introspect, revoke and launch posts.
pub const AUTH_BODY: usize = 64 * 1024;
/// FHIR create, update and batch/transaction bodies, read as a stream by
/// `http::fhir_write` (a transaction carries many resources; each resource
/// and each Binary is capped again by `fhir::validate`).
pub const FHIR_WRITE_BODY: usize = 16 * 1024 * 1024;

/// Longest accepted request target (path and query).
pub const MAX_URI: usize = 32 * 1024;
/// Largest accepted total of header names and values.
pub const MAX_HEADERS_BYTES: usize = 32 * 1024;

/// A client must send its whole request head within this time (slow-client
/// protection); otherwise 408 and the connection is closed.
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Time given to a client to acknowledge the connection's close.
pub const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Idle keep-alive: longer than common load balancers' idle timeout (60 s),
/// so a balancer never reuses a connection the server just closed.
pub const KEEP_ALIVE: Duration = Duration::from_secs(75);
/// In-flight requests get this long to finish after SIGTERM/SIGINT.
pub const SHUTDOWN_TIMEOUT_SECS: u64 = 10;

/// A `PayloadConfig` capping bodies at `limit` bytes, for `.app_data`.
pub fn body(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

/// Refuses over-long URLs (414) and header blocks (431).
pub async fn check_head(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let headers_len: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let refused = if uri_len > MAX_URI {
        Some(HttpResponse::UriTooLong().json(serde_json::json!({
            "error": "invalid_request",
            "error_description": format!("the URL is longer than {MAX_URI} bytes"),
        })))
    } else if headers_len > MAX_HEADERS_BYTES {
        Some(
            HttpResponse::build(actix_web::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).json(
                serde_json::json!({
                    "error": "invalid_request",
                    "error_description": format!("the headers are larger than {MAX_HEADERS_BYTES} bytes"),
                }),
            ),
        )
    } else {
        None
    };
    match refused {
        Some(r) => Ok(req.into_response(r).map_into_right_body()),
        None => next.call(req).await.map(|r| r.map_into_left_body()),
    }
}
