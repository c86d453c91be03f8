//! The `smart-sandbox` binary: a thin CLI over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use smart_sandbox::Config;

/// A SMART on FHIR launch simulator and sandbox.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Interface to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free port.
    #[arg(long, env = "PORT", default_value_t = 8445)]
    port: u16,
    /// Public base URL (goes into `iss`, discovery, smart_style_url). Default:
    /// taken from each request's Host header.
    #[arg(long, env = "BASE_URL")]
    base_url: Option<String>,
    /// PEM RSA private key that signs id_tokens (generated when absent).
    #[arg(long, env = "SIGNING_KEY")]
    signing_key: Option<PathBuf>,
    /// HS256 secret for codes and tokens (generated when absent).
    #[arg(long, env = "SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// A rotated refresh token works once; its reuse is refused.
    #[arg(long, env = "STRICT_REFRESH_ROTATION")]
    strict_refresh_rotation: bool,
    /// Access token lifetime in seconds.
    #[arg(long, env = "ACCESS_TOKEN_LIFETIME", default_value_t = 3600)]
    access_token_lifetime: i64,
    /// Backend services (client_credentials) token lifetime in seconds.
    #[arg(long, env = "BACKEND_TOKEN_LIFETIME", default_value_t = 300)]
    backend_token_lifetime: i64,
    /// Host (or host:port) whose client JWKS URLs may be fetched; repeat for
    /// more. Default: any host. Set it on a public deployment.
    #[arg(
        long = "jwks-allowed-host",
        env = "JWKS_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    jwks_allowed_hosts: Vec<String>,
}

#[actix_web::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = Config {
        host: cli.host,
        port: cli.port,
        base_url: cli.base_url,
        signing_key: cli.signing_key,
        secret: cli.secret,
        strict_refresh_rotation: cli.strict_refresh_rotation,
        access_token_lifetime: cli.access_token_lifetime,
        backend_token_lifetime: cli.backend_token_lifetime,
        jwks_allowed_hosts: cli.jwks_allowed_hosts,
        ..Config::default()
    };
    let running = match smart_sandbox::start(config) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for what in &running.sandbox.generated_keys {
        tracing::warn!("no {what} configured: generated one; tokens will not survive a restart");
    }
    let shown = running
        .sandbox
        .config
        .base_url
        .clone()
        .unwrap_or_else(|| running.local_url.clone());
    tracing::info!(
        port = running.port,
        "smart-sandbox listening on {shown} (FHIR base {shown}/v/r4/fhir)"
    );
    match running.server.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
