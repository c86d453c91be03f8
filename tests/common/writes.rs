//! HTTP helpers for the FHIR write tests.

use openidconnect::reqwest;
use serde_json::Value;

use super::flows::http;

/// A raw answer: status, headers, bytes (and JSON when it parses).
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    /// Asserts `status`; returns the body JSON (Null when empty).
    pub fn expect(&self, status: u16) -> Value {
        let body = if self.bytes.is_empty() {
            Value::Null
        } else {
            self.json()
        };
        assert_eq!(self.status, status, "unexpected answer: {body}");
        body
    }

    /// Asserts an OperationOutcome with `status`; returns its diagnostics.
    pub fn outcome(&self, status: u16) -> String {
        let body = self.expect(status);
        assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
        body["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// Sends `method url` with a bearer token, headers and a body.
pub async fn send(
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Raw {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = http().request(method, url).bearer_auth(token).body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("FHIR request succeeds");
    Raw {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        bytes: resp.bytes().await.expect("body reads").to_vec(),
    }
}

/// Sends a FHIR JSON body.
pub async fn send_json(
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Raw {
    let mut h = vec![("content-type", "application/fhir+json")];
    h.extend_from_slice(headers);
    send(method, url, token, &h, body.to_string().into_bytes()).await
}
