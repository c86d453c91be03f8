//! HTTP helpers for the client-authentication tests: token requests, their
//! answers, and a minimal JWKS server on 127.0.0.1:0.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A token endpoint answer.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }
    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Posts a form to `url`, with HTTP Basic credentials when given.
pub async fn post_form(url: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Answer {
    let client = reqwest::Client::new();
    let mut req = client.post(url).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let resp = req.send().await.expect("token request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        body,
        headers,
    }
}

/// A `client_credentials` request with `assertion`.
pub async fn backend_token(url: &str, scope: &str, assertion: &str) -> Answer {
    post_form(
        url,
        &[
            ("grant_type", "client_credentials"),
            ("scope", scope),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ],
        None,
    )
    .await
}

/// Asserts an RFC 6749 §5.2 `invalid_client` answer with status 401.
#[track_caller]
pub fn assert_invalid_client(a: &Answer, why: &str) {
    assert_eq!(a.status, 401, "{why}: {:?}", a.body);
    assert_eq!(a.error(), "invalid_client", "{why}: {:?}", a.body);
    assert!(!a.description().is_empty(), "{why}: no description");
    assert_eq!(a.header("cache-control"), "no-store", "{why}");
    assert_eq!(a.header("pragma"), "no-cache", "{why}");
}

/// A tiny HTTP/1.1 server answering every request with `body` (JSON) and
/// `cache_control`, counting the requests.
pub struct JwksServer {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
}

pub async fn serve_jwks(body: Value, cache_control: Option<&str>) -> JwksServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let body = body.to_string();
    let cache = cache_control
        .map(|c| format!("Cache-Control: {c}\r\n"))
        .unwrap_or_default();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{cache}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = sock.write_all(response.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    JwksServer {
        url: format!("http://127.0.0.1:{port}/jwks.json"),
        hits,
    }
}
