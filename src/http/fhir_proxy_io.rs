//! The I/O of upstream mode: building the forwarded request (bodies
//! streamed, size-capped), reading or streaming the answer, and writing
//! responses with the upstream's URLs rewritten to the sandbox's base.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde_json::Value;

use crate::fhir::api::Reply;
use crate::fhir::proxy::rewrite::{rewrite_url, rewrite_value};
use crate::fhir::proxy::{
    bad_gateway, failure, Upstream, MAX_JSON_RESPONSE, MAX_REQUEST_BODY, REQUEST_HEADERS,
    RESPONSE_HEADERS,
};

pub(super) use super::super::fhir::{check_format, fhir_response as reply};

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

pub fn fail(status: u16, code: &str, msg: &str) -> HttpResponse {
    reply(Reply::error(status, code, msg))
}

fn too_large(what: &str, limit: usize) -> HttpResponse {
    fail(
        413,
        "too-costly",
        &format!("the {what} is larger than {} MiB", limit >> 20),
    )
}

/// The request body to forward.
pub enum Body {
    None,
    /// Already read (and checked, or rewritten for `_search`).
    Bytes(Vec<u8>),
    /// Streamed as it arrives, up to [`MAX_REQUEST_BODY`].
    Stream(web::Payload),
}

pub struct Forward<'a> {
    pub upstream: &'a Upstream,
    /// The upstream base and the sandbox's FHIR base (for rewriting).
    pub from: &'a str,
    pub to: String,
    pub method: actix_web::http::Method,
    /// Below the base, and the query string as forwarded.
    pub path: String,
    pub query: String,
    pub body: Body,
    pub binary: bool,
    /// Pass the client's conditional and content headers (not for probes).
    pub client_headers: bool,
}

impl Forward<'_> {
    fn url(&self, path: &str, query: &str) -> String {
        let mut url = self.from.to_string();
        if !path.is_empty() {
            url.push('/');
            url.push_str(path);
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        url
    }

    /// A FHIR JSON response with every upstream URL rewritten.
    pub fn respond(
        &self,
        status: StatusCode,
        headers: Vec<(String, String)>,
        mut body: Value,
    ) -> HttpResponse {
        rewrite_value(&mut body, self.from, &self.to);
        let mut b = HttpResponse::build(status);
        for (k, v) in headers {
            b.insert_header((k, v));
        }
        b.content_type(FHIR_JSON)
            .body(serde_json::to_vec(&body).unwrap_or_default())
    }
}

/// Reads a request body whole, refusing more than `limit` bytes (413).
pub async fn buffered(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, HttpResponse> {
    let mut out = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| fail(400, "invalid", &format!("cannot read the body: {e}")))?;
        if out.len() + chunk.len() > limit {
            return Err(too_large("request body", limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// Sends the request upstream; a body to stream is pumped through a
/// channel while the request is in flight (the actix payload is not `Send`).
pub async fn forward(req: &HttpRequest, fwd: &mut Forward<'_>) -> Result<Answer, HttpResponse> {
    let method = reqwest::Method::from_bytes(fwd.method.as_str().as_bytes())
        .map_err(|_| fail(405, "not-supported", "unsupported method"))?;
    let mut rb = fwd
        .upstream
        .client()
        .request(method, fwd.url(&fwd.path, &fwd.query));
    for name in REQUEST_HEADERS.iter().filter(|_| fwd.client_headers) {
        for v in req.headers().get_all(*name) {
            rb = rb.header(*name, v.as_bytes());
        }
    }
    let accept = req
        .headers()
        .get("accept")
        .map(|v| v.as_bytes())
        .unwrap_or(b"*/*");
    let fhir_json: &[u8] = b"application/fhir+json";
    rb = rb.header("accept", if fwd.binary { accept } else { fhir_json });
    let timeout = fwd.upstream.timeout;
    let sent = match std::mem::replace(&mut fwd.body, Body::None) {
        Body::None => rb.send().await,
        Body::Bytes(b) => {
            if fwd.path.ends_with("/_search") {
                rb = rb.header("content-type", "application/x-www-form-urlencoded");
            }
            rb.body(b).send().await
        }
        Body::Stream(mut payload) => {
            let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(8);
            let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|c| (c, rx))
            });
            let pump = async move {
                let mut total = 0usize;
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(std::io::Error::other);
                    total += chunk.as_ref().map_or(0, |c| c.len());
                    let over = total > MAX_REQUEST_BODY;
                    let item = if over {
                        Err(std::io::Error::other("too large"))
                    } else {
                        chunk
                    };
                    let failed = item.is_err();
                    if tx.send(item).await.is_err() || failed {
                        return over;
                    }
                }
                false
            };
            let (over, sent) =
                tokio::join!(pump, rb.body(reqwest::Body::wrap_stream(stream)).send());
            if over {
                return Err(too_large("request body", MAX_REQUEST_BODY));
            }
            sent
        }
    };
    let resp = sent.map_err(|e| reply(failure(&e, timeout)))?;
    let headers = RESPONSE_HEADERS
        .iter()
        .filter_map(|name| {
            let v = resp.headers().get(*name)?.to_str().ok()?;
            let v = rewrite_url(v, fwd.from, &fwd.to).unwrap_or_else(|| v.to_string());
            Some((name.to_string(), v))
        })
        .collect();
    Ok(Answer {
        resp,
        headers,
        timeout,
    })
}

/// An upstream answer, not yet read.
pub struct Answer {
    pub resp: reqwest::Response,
    headers: Vec<(String, String)>,
    timeout: std::time::Duration,
}

impl Answer {
    pub fn content_type(&self) -> String {
        self.resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    pub fn is_json(&self) -> bool {
        self.content_type().to_ascii_lowercase().contains("json")
    }

    fn actix_status(&self) -> StatusCode {
        StatusCode::from_u16(self.resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY)
    }

    async fn bytes(self) -> Result<(StatusCode, Vec<(String, String)>, Vec<u8>), HttpResponse> {
        let status = self.actix_status();
        let Answer {
            mut resp,
            headers,
            timeout,
        } = self;
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_JSON_RESPONSE as u64)
        {
            return Err(reply(bad_gateway(&oversized())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| reply(failure(&e, timeout)))?
        {
            if body.len() + chunk.len() > MAX_JSON_RESPONSE {
                return Err(reply(bad_gateway(&oversized())));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, body))
    }

    /// The body as JSON (502 when it is not).
    pub async fn json(self) -> Result<(StatusCode, Vec<(String, String)>, Value), HttpResponse> {
        let (status, headers, body) = self.bytes().await?;
        let v = serde_json::from_slice(&body).map_err(|e| {
            reply(bad_gateway(&format!(
                "the upstream FHIR server answered invalid JSON: {e}"
            )))
        })?;
        Ok((status, headers, v))
    }

    /// As the upstream answered: FHIR JSON rewritten, anything else (Binary
    /// content, non-JSON errors) streamed byte for byte with its type.
    pub async fn pass_through(self, fwd: &Forward<'_>) -> Result<HttpResponse, HttpResponse> {
        let ctype = self.content_type();
        if self.is_json() && !fwd.binary {
            let (status, headers, bytes) = self.bytes().await?;
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                return Ok(fwd.respond(status, headers, v));
            }
            let mut b = HttpResponse::build(status);
            for h in headers {
                b.insert_header(h);
            }
            return Ok(b.content_type(ctype).body(bytes));
        }
        let mut b = HttpResponse::build(self.actix_status());
        for h in &self.headers {
            b.insert_header(h.clone());
        }
        if !ctype.is_empty() {
            b.content_type(ctype);
        }
        Ok(b.streaming(self.resp.bytes_stream()))
    }
}

fn oversized() -> String {
    format!(
        "the upstream FHIR answer is larger than {} MiB, the most this server checks and rewrites; page the search with _count",
        MAX_JSON_RESPONSE >> 20
    )
}
