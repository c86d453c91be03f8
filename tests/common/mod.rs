//! Starts the real server on an ephemeral port for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use smart_sandbox::Config;

pub const TEST_SECRET: &str = "test-secret-0123456789abcdef";

pub struct TestApp {
    pub base: String,
    pub port: u16,
}

pub fn test_key_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-signing-key.pem")
}

pub fn test_config() -> Config {
    Config {
        port: 0,
        signing_key: Some(test_key_path()),
        secret: Some(TEST_SECRET.into()),
        ..Config::default()
    }
}

/// Starts the server with `config` (port forced to 0) on the current tokio
/// runtime and returns its base URL.
pub async fn spawn_with(mut config: Config) -> TestApp {
    config.port = 0;
    let running = smart_sandbox::start(config).expect("server starts");
    let port = running.port;
    tokio::spawn(running.server);
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        port,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(test_config()).await
}

/// base64url (no padding) of a JSON value: a launch value for `{sim}`.
pub fn launch_value(json: &serde_json::Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}

pub mod browser;
pub mod fhir;
pub mod flows;
pub mod oidc;
pub mod writes;
