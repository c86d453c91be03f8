//! The `smart-sandbox` binary: a thin CLI over the library.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use smart_sandbox::cli::{decode, keys, launch_url, EXIT_BAD_INPUT};
use smart_sandbox::{fixtures, Config};

/// A third of a FHIR search's server CPU was glibc malloc and free (the
/// Bundle and its JSON are many small allocations); mimalloc is cheaper.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A SMART on FHIR launch simulator and sandbox. Without a subcommand it
/// runs the server, so `smart-sandbox --port 9000` keeps working.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

// Parsed once at start; the size of `ServeArgs` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the sandbox server (the default).
    Serve(ServeArgs),
    /// Synthetic FHIR R4 patient data.
    Fixtures {
        #[command(subcommand)]
        command: FixturesCommand,
    },
    /// Print the app launch URL, `iss` and launch value for launch options
    /// (no server needed), e.g. `eval "$(smart-sandbox launch-url --format env)"`.
    LaunchUrl(Box<launch_url::LaunchUrlArgs>),
    /// Explain a launch value, sandbox URL or app launch URL in plain words
    /// (exit code 2 when it does not decode).
    Decode(decode::DecodeArgs),
    /// Signing keys for `--signing-key`.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
enum FixturesCommand {
    /// Write deterministic synthetic FHIR R4 resources as NDJSON, one file
    /// per resource type. The committed `fixtures/` is `--patients 60 --seed 42`.
    Generate {
        /// Number of patients; the directory's ten built-in patients come first.
        #[arg(long, default_value_t = fixtures::COMMITTED_PATIENTS)]
        patients: usize,
        /// Random seed: the same patients and seed give byte-identical files.
        #[arg(long, default_value_t = fixtures::COMMITTED_SEED)]
        seed: u64,
        /// Output directory.
        #[arg(long, default_value = "fixtures")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// TOML file of settings: each key is a flag's long name (`port = 9000`,
    /// `signing-key = "key.pem"`). Precedence: defaults < file < environment < flags.
    #[arg(long, env = "CONFIG_FILE", value_name = "FILE")]
    config: Option<PathBuf>,
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
    /// Folder of FHIR R4 Bundles (transaction or collection) and NDJSON
    /// files to serve, such as Synthea's output/fhir; bad files are
    /// reported and skipped.
    #[arg(long = "data", env = "DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Do not serve the built-in synthetic patients (use with --data).
    #[arg(long)]
    no_fixtures: bool,
    /// Keep FHIR writes across restarts: journal each accepted write to
    /// DIR/journal.ndjson (synced before the answer) and replay it at start.
    #[arg(long = "persist", env = "PERSIST_DIR", value_name = "DIR")]
    persist_dir: Option<PathBuf>,
    /// Upstream mode: check tokens and scopes here, then forward FHIR R4
    /// requests to this real FHIR server (e.g. HAPI) instead of the
    /// embedded store. Same for --fhir-server-r2 and --fhir-server-r3.
    #[arg(long, env = "FHIR_SERVER_R4", value_name = "URL")]
    fhir_server_r4: Option<String>,
    /// Upstream FHIR DSTU3 server (see --fhir-server-r4).
    #[arg(long, env = "FHIR_SERVER_R3", value_name = "URL")]
    fhir_server_r3: Option<String>,
    /// Upstream FHIR DSTU2 server (see --fhir-server-r4).
    #[arg(long, env = "FHIR_SERVER_R2", value_name = "URL")]
    fhir_server_r2: Option<String>,
    /// Seconds one upstream FHIR request may take in all (connect: 5 s).
    #[arg(
        long,
        env = "UPSTREAM_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 30
    )]
    upstream_timeout: u64,
    /// Log format: `human` lines or one `json` object per line.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    // Colour only on a terminal: a log redirected to a file or collected
    // by a CI job stays plain text (and `NO_COLOR` is honoured).
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Parses the command line, folding in the `--config` file for `serve`.
fn parse_cli() -> Result<Cli, String> {
    let mut argv: Vec<OsString> = std::env::args_os().collect();
    let matches = Cli::command().get_matches_from(&argv);
    let serve = match matches.subcommand() {
        None => Some(&matches),
        Some(("serve", m)) => Some(m),
        Some(_) => None,
    };
    if let Some(path) = serve.and_then(|m| m.get_one::<PathBuf>("config")) {
        let cmd = ServeArgs::augment_args(clap::Command::new("serve"));
        let extra =
            smart_sandbox::config::file::args_from_file(path, &cmd, serve.unwrap_or(&matches))
                .map_err(|e| e.to_string())?;
        argv.extend(extra);
        let matches = Cli::command().get_matches_from(&argv);
        return Cli::from_arg_matches(&matches).map_err(|e| e.to_string());
    }
    Cli::from_arg_matches(&matches).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = match parse_cli() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Fixtures {
            command:
                FixturesCommand::Generate {
                    patients,
                    seed,
                    out,
                },
        }) => generate_fixtures(patients, seed, &out),
        Some(Command::LaunchUrl(args)) => match launch_url::build(&args) {
            Ok(out) => {
                print!("{}", launch_url::render(&out, args.format));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_BAD_INPUT)
            }
        },
        Some(Command::Decode(args)) => match decode::run(&args) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_BAD_INPUT)
            }
        },
        Some(Command::Keys {
            command: keys::KeysCommand::Generate(args),
        }) => match keys::generate(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn generate_fixtures(patients: usize, seed: u64, out: &std::path::Path) -> ExitCode {
    let resources = fixtures::generate(patients, seed);
    let problems = fixtures::validate::validate(&resources);
    if !problems.is_empty() {
        for p in problems.iter().take(20) {
            eprintln!("invalid: {p}");
        }
        eprintln!("{} problems; nothing written", problems.len());
        return ExitCode::FAILURE;
    }
    if let Err(e) = fixtures::load::write_dir(&resources, out) {
        eprintln!("cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    for (kind, n) in fixtures::counts(&resources) {
        println!("{n:>7} {kind}");
    }
    println!(
        "{:>7} resources written to {}",
        resources.len(),
        out.display()
    );
    ExitCode::SUCCESS
}

/// `--fhir-server-{release}`, parsed (validated further by `Config`).
fn upstream_url(release: &str, value: &Option<String>) -> Result<Option<url::Url>, String> {
    value
        .as_deref()
        .map(|v| url::Url::parse(v).map_err(|e| format!("--fhir-server-{release} `{v}`: {e}")))
        .transpose()
}

#[actix_web::main]
async fn serve(cli: ServeArgs) -> ExitCode {
    init_logging(cli.log_format);
    if let Some(file) = &cli.config {
        tracing::info!("settings from {}", file.display());
    }
    let upstream = (
        upstream_url("r2", &cli.fhir_server_r2),
        upstream_url("r3", &cli.fhir_server_r3),
        upstream_url("r4", &cli.fhir_server_r4),
    );
    let (fhir_server_r2, fhir_server_r3, fhir_server_r4) = match upstream {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            tracing::error!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
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
        data_dir: cli.data_dir,
        fixtures: !cli.no_fixtures,
        persist_dir: cli.persist_dir,
        fhir_server_r2,
        fhir_server_r3,
        fhir_server_r4,
        upstream_timeout: cli.upstream_timeout,
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
    // actix-web stops on SIGTERM/SIGINT: it stops accepting, lets in-flight
    // requests finish (up to the shutdown timeout), and the future resolves.
    match running.server.await {
        Ok(()) => {
            tracing::info!("smart-sandbox stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
