//! Real headless Chromium driven through WebDriver (chromedriver) with
//! fantoccini. Each test starts its own chromedriver on a free port and its
//! own browser profile, so tests never share cookies or storage.
//!
//! When Chromium or chromedriver is missing, a test is skipped with a loud
//! message, unless `REQUIRE_BROWSER=1` (CI sets it): then it fails, so a CI
//! machine without a browser cannot silently pass.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Browser tests run one at a time: a 2-core CI machine with several
/// Chromiums at once makes timeouts, not findings.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub const TIMEOUT: Duration = Duration::from_secs(20);

fn find_binary(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    let from_env = std::env::var(env).ok().map(PathBuf::from);
    from_env
        .into_iter()
        .chain(candidates.iter().map(PathBuf::from))
        .find(|p| p.exists())
}

/// `Some(reason)` when the browser tests cannot run here.
fn missing() -> Option<String> {
    let chromium = find_binary(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    let driver = find_binary("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    match (chromium, driver) {
        (Some(_), Some(_)) => None,
        _ => Some(
            "Chromium or chromedriver not found (apt-get install -y chromium chromium-driver, \
             or set CHROMIUM / CHROMEDRIVER)"
                .into(),
        ),
    }
}

/// Returns false (after printing why) when the test should be skipped;
/// panics instead when `REQUIRE_BROWSER=1`.
pub fn available(extra_requirement: Option<String>) -> bool {
    let Some(reason) = missing().or(extra_requirement) else {
        return true;
    };
    if std::env::var("REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("REQUIRE_BROWSER=1 but the browser test cannot run: {reason}");
    }
    eprintln!("\n**************************************************************");
    eprintln!("*** SKIPPING BROWSER TEST: {reason}");
    eprintln!("*** Set REQUIRE_BROWSER=1 to make this a failure.");
    eprintln!("**************************************************************\n");
    false
}

/// A chromedriver process and a browser session; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    pub async fn start() -> Browser {
        let chromium = find_binary(
            "CHROMIUM",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        )
        .expect("chromium");
        let driver_bin = find_binary("CHROMEDRIVER", &["/usr/bin/chromedriver"]).expect("driver");
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = std::env::temp_dir().join(format!(
            "smart-sandbox-chrome-{}-{port}",
            std::process::id()
        ));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + TIMEOUT;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("chromedriver session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            client,
            driver,
            profile,
        }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Waits until the element's text satisfies `ok`; returns the text.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        let mut last = String::new();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = el.text().await {
                    if ok(&t) {
                        return t;
                    }
                    last = t;
                }
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.map(|u| u.to_string());
                panic!("{css}: text never matched; last {last:?} at {url:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Waits until the URL satisfies `ok` (navigations are asynchronous).
    pub async fn wait_url(&self, ok: impl Fn(&url::Url) -> bool) -> url::Url {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let url = self.client.current_url().await.expect("current url");
            if ok(&url) {
                return url;
            }
            if Instant::now() > deadline {
                panic!("URL never matched; at {url}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Saves a PNG to `docs/screenshots/{name}.png` (committed, shown in the README).
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Layout must fit the viewport: no sideways scrolling at phone width.
    pub async fn assert_no_horizontal_scroll(&self) {
        let v = self
            .js(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await;
        let (scroll, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
        assert!(
            scroll <= inner,
            "page is {scroll}px wide in a {inner}px viewport"
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A tiny static file server on 127.0.0.1:0 for the fhirclient test app:
/// exact paths only, mapped to files.
pub async fn serve_files(files: Vec<(&'static str, PathBuf)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let files = files.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut n = 0;
                while n < buf.len() {
                    match sock.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(k) => n += k,
                    }
                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let head = String::from_utf8_lossy(&buf[..n]);
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .to_string();
                let found = files.iter().find(|(p, _)| *p == path);
                let (status, ctype, body) = match found.and_then(|(_, f)| std::fs::read(f).ok()) {
                    Some(body) => {
                        let ctype = if path.ends_with(".js") {
                            "text/javascript"
                        } else {
                            "text/html; charset=utf-8"
                        };
                        ("200 OK", ctype, body)
                    }
                    None => ("404 Not Found", "text/plain", b"not found".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\
                     Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}
