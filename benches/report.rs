//! The benchmark report of the README: one run that measures the release
//! binary over loopback and prints a Markdown table. Each figure stands
//! beside a ceiling measured in the same run: the single-core RS256
//! signing rate (what bounds a token response carrying an id_token) and a
//! trivial route (`/health`) on the same server with the same clients
//! (what bounds any route on this machine: HTTP, loopback, the driver).
//!
//! Run: `scripts/bench-report` (or `cargo bench --bench report`);
//! `BENCH_CLIENTS` (default 32) concurrent clients, `BENCH_SECS` (default
//! 5) seconds per row.

#[path = "kit/mod.rs"]
mod kit;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kit::env_num;
use kit::flows::{App, APP_SCOPE, NO_ID_TOKEN_SCOPE, USER_READ_SCOPE};
use kit::server::{mib, Server};
use kit::stats::{run_for, Recorder, Summary};
use smart_sandbox::keys::RsaSigner;

/// RS256 signatures per second on this thread, with the test key and
/// id_token-sized claims.
fn rs256_single_core(for_: Duration) -> f64 {
    let pem = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-signing-key.pem"),
    )
    .expect("test key");
    let signer = RsaSigner::from_pem(&pem).expect("RSA key");
    let claims = serde_json::json!({
        "iss": "http://127.0.0.1:8445/v/r4/fhir", "sub": "Practitioner/prac-1",
        "aud": "load-driver", "exp": 4_000_000_000u64, "iat": 1_700_000_000u64,
        "fhirUser": "http://127.0.0.1:8445/v/r4/fhir/Practitioner/prac-1"
    });
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < for_ {
        std::hint::black_box(signer.sign(&claims).expect("sign"));
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

type Pool = Arc<Mutex<Vec<String>>>;

/// What a row is measured against.
enum Ceiling {
    /// The row is a ceiling.
    Itself,
    /// RS256 signing on every core.
    Signing,
    /// The trivial route.
    Route,
}

/// Launches for `for_`, keeping the codes for a later exchange.
async fn mint(
    app: &Arc<App>,
    clients: usize,
    for_: Duration,
    scope: &'static str,
) -> (Summary, Pool) {
    let pool: Pool = Arc::default();
    let (a, p) = (app.clone(), pool.clone());
    let (mut rec, elapsed) = run_for(clients, for_, move |i, mut rec: Recorder| {
        let (app, pool) = (a.clone(), p.clone());
        async move {
            let patient = app.patient(i).to_string();
            if let Some(code) = rec.time("launch", app.authorize(&patient, scope, i)).await {
                pool.lock().unwrap().push(code);
            }
            rec
        }
    })
    .await;
    (one(&mut rec, elapsed), pool)
}

/// Exchanges the codes of `pool` until they run out or `for_` passes.
async fn exchange(
    app: &Arc<App>,
    clients: usize,
    for_: Duration,
    pool: Pool,
    id_token: bool,
) -> Summary {
    let a = app.clone();
    let (mut rec, elapsed) = run_for(clients, for_, move |_, mut rec: Recorder| {
        let (app, pool) = (a.clone(), pool.clone());
        async move {
            let code = pool.lock().unwrap().pop();
            match code {
                Some(code) => {
                    rec.time("exchange", app.exchange(&code, id_token)).await;
                }
                None => rec.stop = true,
            }
            rec
        }
    })
    .await;
    one(&mut rec, elapsed)
}

/// GETs of `path(i)` (relative to the server base) for `for_`.
async fn gets(
    app: &Arc<App>,
    clients: usize,
    for_: Duration,
    token: Option<String>,
    path: impl Fn(&App, u64) -> String + Clone + Send + Sync + 'static,
) -> Summary {
    let a = app.clone();
    let (mut rec, elapsed) = run_for(clients, for_, move |i, mut rec: Recorder| {
        let (app, token, path) = (a.clone(), token.clone(), path.clone());
        async move {
            let p = path(&app, i);
            match &token {
                Some(t) => rec.time("get", app.fhir(t, &p)).await,
                None => {
                    rec.time("get", app.get_ok(&format!("{}{p}", app.base)))
                        .await
                }
            };
            rec
        }
    })
    .await;
    one(&mut rec, elapsed)
}

fn one(rec: &mut Recorder, elapsed: Duration) -> Summary {
    for e in &rec.first_errors {
        eprintln!("error: {e}");
    }
    rec.summaries(elapsed).pop().expect("requests were made")
}

fn main() {
    let clients = env_num("BENCH_CLIENTS", 32) as usize;
    let secs = Duration::from_secs(env_num("BENCH_SECS", 5));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // Start-up and idle memory: the median of five cold starts.
    let mut starts = Vec::new();
    let mut idle = 0;
    for _ in 0..5 {
        let s = Server::start(&[], true);
        starts.push(s.ready_after);
        std::thread::sleep(Duration::from_secs(1));
        idle = s.rss_kib();
        s.stop();
    }
    starts.sort();
    let startup = starts[starts.len() / 2];

    let sign = rs256_single_core(Duration::from_secs(3));
    let server = Server::start(&[], true);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let app = Arc::new(App::new(&server.base));
    let rows = rt.block_on(async {
        let token = {
            let code = app
                .authorize(app.patient(0), USER_READ_SCOPE, 0)
                .await
                .expect("launch");
            app.exchange(&code, false).await.expect("token")
        };
        let mut rows: Vec<(&str, Summary, Ceiling)> = Vec::new();
        let health = gets(&app, clients, secs, None, |_, _| "/health".into()).await;
        rows.push(("trivial route `/health` (ceiling)", health, Ceiling::Itself));
        let discovery = gets(&app, clients, secs, None, |_, _| {
            "/v/r4/fhir/.well-known/smart-configuration".into()
        })
        .await;
        rows.push(("discovery (smart-configuration)", discovery, Ceiling::Route));
        let (launch, plain) = mint(&app, clients, secs, NO_ID_TOKEN_SCOPE).await;
        rows.push(("EHR launch: authorize, no screens", launch, Ceiling::Route));
        let no_id = exchange(&app, clients, secs, plain, false).await;
        rows.push(("token: code exchange, no id_token", no_id, Ceiling::Route));
        let (_, with_openid) = mint(&app, clients, secs, APP_SCOPE).await;
        let with_id = exchange(&app, clients, secs, with_openid, true).await;
        rows.push((
            "token: code exchange with id_token",
            with_id,
            Ceiling::Signing,
        ));
        let access = token.access;
        let read = gets(&app, clients, secs, Some(access.clone()), |app, i| {
            format!("Patient/{}", app.patient(i))
        })
        .await;
        rows.push(("FHIR read Patient/{id}", read, Ceiling::Route));
        let search = gets(&app, clients, secs, Some(access), |app, i| {
            format!(
                "Observation?patient={}&category=vital-signs&_sort=-date&_count=20",
                app.patient(i)
            )
        })
        .await;
        rows.push((
            "FHIR search Observation (vitals, sorted)",
            search,
            Ceiling::Route,
        ));
        rows
    });
    let loaded = server.rss_kib();
    server.stop();

    let route = rows[0].1.per_sec;
    let sign_all = sign * cores as f64;
    println!(
        "\n{cores} cores; {clients} concurrent clients on the same machine; {} s per row; request logs on\n",
        secs.as_secs()
    );
    println!("| measure | requests/s | p50 ms | p99 ms | errors | ceiling | of ceiling |");
    println!("|---|---:|---:|---:|---:|---|---:|");
    println!(
        "| RS256 sign, one core, in-process (ceiling) | {sign:.0} | {:.2} | | | | |",
        1000.0 / sign
    );
    for (name, s, ceiling) in &rows {
        let (label, of) = match ceiling {
            Ceiling::Itself => (String::new(), String::new()),
            Ceiling::Signing => (
                format!("RS256 × {cores} cores: {sign_all:.0}/s"),
                format!("{:.0} %", 100.0 * s.per_sec / sign_all),
            ),
            Ceiling::Route => (
                format!("`/health`: {route:.0}/s"),
                format!("{:.0} %", 100.0 * s.per_sec / route),
            ),
        };
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} | {label} | {of} |",
            s.per_sec, s.p50_ms, s.p99_ms, s.errors
        );
    }
    println!(
        "\n| binary | |\n|---|---:|\n| start-up: spawn to first 200 of `/health` (median of 5) | {:.0} ms |\n| idle memory (RSS, 1 s after start) | {:.1} MiB |\n| memory after this run (RSS) | {:.1} MiB |",
        startup.as_secs_f64() * 1000.0,
        mib(idle),
        mib(loaded)
    );
}
