//! Fetching a client's registered JWKS URL, safely: SMART App Launch 2.2,
//! "Client Authentication: Asymmetric" (the server GETs the URL with
//! `Accept: application/json`, SHOULD cache the set as its `Cache-Control`
//! allows and SHALL NOT cache it longer).
//!
//! The URL comes from a launch anyone can write, so a fetch is a request the
//! server makes on a stranger's behalf: only `http(s)`, short timeouts, a
//! size cap, no redirect to elsewhere than an allowed host, and an optional
//! list of allowed hosts, which a public deployment should set (README,
//! "Security notes for public deployments"). This is the only I/O of the
//! token endpoint; the HTTP layer calls it before the protocol function.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CACHE_CONTROL};
use reqwest::redirect::Policy;
use serde_json::Value;

use super::jwks::{parse_jwks, MAX_JWKS_BYTES};

/// Connect and total time allowed for one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest a fetched set is kept (shorter when `Cache-Control` says so).
pub const CACHE_TTL: Duration = Duration::from_secs(300);
/// Most URLs cached at once.
pub const CACHE_CAPACITY: usize = 1000;

pub struct JwksFetcher {
    client: reqwest::Client,
    allowed_hosts: Arc<Vec<String>>,
    cache: Mutex<HashMap<String, (Instant, Arc<Value>)>>,
}

impl JwksFetcher {
    /// `allowed_hosts`: host names (or `host:port`) JWKS URLs may point at;
    /// empty allows any host.
    pub fn new(allowed_hosts: &[String]) -> Result<Self, String> {
        let allowed: Arc<Vec<String>> = Arc::new(
            allowed_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        );
        let for_redirects = allowed.clone();
        let client = reqwest::Client::builder()
            .connect_timeout(FETCH_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("smart-sandbox/", env!("CARGO_PKG_VERSION")))
            .redirect(Policy::custom(move |attempt| {
                if attempt.previous().len() >= 3 {
                    attempt.error("too many redirects")
                } else if let Err(why) = check_url(attempt.url(), &for_redirects) {
                    attempt.error(why)
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| format!("cannot build the JWKS HTTP client: {e}"))?;
        Ok(JwksFetcher {
            client,
            allowed_hosts: allowed,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The key set at `url`, from the cache or fetched now. Failures are
    /// not cached, and are messages for the client developer.
    pub async fn get(&self, url: &str) -> Result<Arc<Value>, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("not a valid URL: {e}"))?;
        check_url(&parsed, &self.allowed_hosts)?;
        if let Some(keys) = self.cached(url) {
            return Ok(keys);
        }
        let (keys, ttl) = self.fetch(parsed).await?;
        let keys = Arc::new(keys);
        if !ttl.is_zero() {
            self.store(url, Instant::now() + ttl, keys.clone());
        }
        Ok(keys)
    }

    fn cached(&self, url: &str) -> Option<Arc<Value>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(url)
            .filter(|(until, _)| *until > Instant::now())
            .map(|(_, keys)| keys.clone())
    }

    fn store(&self, url: &str, until: Instant, keys: Arc<Value>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_CAPACITY && !cache.contains_key(url) {
            let now = Instant::now();
            cache.retain(|_, (t, _)| *t > now);
            if cache.len() >= CACHE_CAPACITY {
                let soonest = cache.iter().min_by_key(|(_, (t, _))| *t);
                if let Some(k) = soonest.map(|(k, _)| k.clone()) {
                    cache.remove(&k);
                }
            }
        }
        cache.insert(url.to_string(), (until, keys));
    }

    async fn fetch(&self, url: url::Url) -> Result<(Value, Duration), String> {
        let mut resp = self
            .client
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(describe)?;
        if !resp.status().is_success() {
            return Err(format!("the JWKS URL answered HTTP {}", resp.status()));
        }
        let ttl = resp
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map_or(CACHE_TTL, cache_ttl);
        let too_big = || format!("the JWKS is larger than {MAX_JWKS_BYTES} bytes");
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(describe)? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| "the JWKS is not UTF-8 text")?;
        Ok((parse_jwks(&text)?, ttl))
    }
}

fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    if e.is_timeout() {
        format!("no answer within {} s", FETCH_TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else if e.is_redirect() {
        format!("refused redirect: {e}")
    } else {
        format!("fetch failed: {e}")
    }
}

/// Only `http(s)` URLs without credentials, to an allowed host.
fn check_url(url: &url::Url, allowed: &[String]) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https JWKS URLs are fetched, not `{}`",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("JWKS URLs must not carry credentials".into());
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    if host.is_empty() {
        return Err("the JWKS URL has no host".into());
    }
    let with_port = format!("{host}:{}", url.port_or_known_default().unwrap_or(0));
    if !allowed.is_empty() && !allowed.iter().any(|a| *a == host || *a == with_port) {
        return Err(format!(
            "this server fetches JWKS only from its allowed hosts (--jwks-allowed-host), and `{host}` is not one"
        ));
    }
    Ok(())
}

/// RFC 9111 §5.2.2: `no-store`/`no-cache` forbid reuse; `max-age` bounds it.
fn cache_ttl(value: &str) -> Duration {
    let mut ttl = CACHE_TTL;
    for directive in value.split(',').map(|d| d.trim().to_ascii_lowercase()) {
        if directive == "no-store" || directive == "no-cache" {
            return Duration::ZERO;
        }
        if let Some(secs) = directive.strip_prefix("max-age=") {
            let secs = secs.trim_matches('"').parse::<u64>().unwrap_or(0);
            ttl = ttl.min(Duration::from_secs(secs));
        }
    }
    ttl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, allowed: &[&str]) -> Result<(), String> {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        check_url(&url::Url::parse(url).unwrap(), &allowed)
    }

    #[test]
    fn urls_and_allowed_hosts() {
        assert!(check("https://app.example/jwks", &[]).is_ok());
        assert!(check("http://127.0.0.1:9/jwks", &[]).is_ok());
        assert!(check("file:///etc/passwd", &[]).is_err());
        assert!(check("ftp://app.example/jwks", &[]).is_err());
        assert!(check("https://u:p@app.example/jwks", &[]).is_err());
        assert!(check("https://APP.example/jwks", &["app.example"]).is_ok());
        assert!(check("https://app.example/jwks", &["app.example:443"]).is_ok());
        assert!(check("https://app.example:8443/jwks", &["app.example:443"]).is_err());
        assert!(check("https://evil.example/jwks", &["app.example"]).is_err());
    }

    #[test]
    fn cache_control() {
        assert_eq!(cache_ttl("max-age=60"), Duration::from_secs(60));
        assert_eq!(cache_ttl("public, max-age=86400"), CACHE_TTL);
        assert_eq!(cache_ttl("no-store"), Duration::ZERO);
        assert_eq!(cache_ttl("max-age=600, no-cache"), Duration::ZERO);
        assert_eq!(cache_ttl("private"), CACHE_TTL);
        assert_eq!(cache_ttl("max-age=x"), Duration::ZERO);
    }
}
