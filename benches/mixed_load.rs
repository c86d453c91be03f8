//! The mixed load test: many concurrent app sessions (launch, code
//! exchange with id_token, FHIR searches and a read, introspection,
//! refresh) against the release binary on loopback for several minutes.
//! It passes when no request failed and the server's resident memory after
//! the run is within 20 % of its memory after the warm-up: the bounded
//! state (used codes, revocations) and caches must not grow without limit.
//!
//! Run: `cargo bench --bench mixed_load` (defaults: 64 workers, 60 s
//! warm-up, 240 s run; `LOAD_WORKERS`, `LOAD_WARMUP_SECS`, `LOAD_SECS`).
//! Exits 1 when a request failed or memory grew more than 20 %.

#[path = "kit/mod.rs"]
mod kit;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kit::env_num;
use kit::flows::App;
use kit::server::{mib, Server};
use kit::stats::Recorder;

fn print_table(title: &str, rec: &mut Recorder, elapsed: Duration) {
    println!(
        "\n{title} ({:.0} s, {} requests)",
        elapsed.as_secs_f64(),
        rec.requests()
    );
    println!("| operation | requests/s | p50 ms | p99 ms | requests | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    for s in rec.summaries(elapsed) {
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {} |",
            s.name, s.per_sec, s.p50_ms, s.p99_ms, s.requests, s.errors
        );
    }
    for e in &rec.first_errors {
        println!("  error: {e}");
    }
}

fn main() -> ExitCode {
    let workers = env_num("LOAD_WORKERS", 64) as usize;
    let warmup = Duration::from_secs(env_num("LOAD_WARMUP_SECS", 60));
    let run = Duration::from_secs(env_num("LOAD_SECS", 240));
    // Request logs stay on, as in a deployment.
    let server = Server::start(&[], true);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let app = Arc::new(App::new(&server.base));
    let idle = server.rss_kib();
    println!(
        "mixed load on {} ({workers} workers): warm-up {} s, run {} s; idle RSS {:.1} MiB",
        server.base,
        warmup.as_secs(),
        run.as_secs(),
        mib(idle)
    );

    let (mut w, w_elapsed) = rt.block_on(kit::mixed::run(app.clone(), workers, warmup));
    let warm = server.rss_kib();
    print_table("warm-up", &mut w, w_elapsed);

    // Sample memory while the run goes, to show its course, not only its end.
    let samples = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sampler = {
        let (samples, pid) = (samples.clone(), server.pid());
        rt.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                samples.lock().unwrap().push(kit::server::rss_kib(pid));
            }
        })
    };
    let (mut r, r_elapsed) = rt.block_on(kit::mixed::run(app, workers, run));
    sampler.abort();
    let after = server.rss_kib();
    print_table("run", &mut r, r_elapsed);

    let course: Vec<String> = samples
        .lock()
        .unwrap()
        .iter()
        .map(|k| format!("{:.0} MiB", mib(*k)))
        .collect();
    let course = if course.is_empty() {
        "no sample (a run under 10 s)".to_string()
    } else {
        course.join(", ")
    };
    let growth = after as f64 / warm.max(1) as f64 - 1.0;
    println!(
        "\nRSS: idle {:.1} MiB, after warm-up {:.1} MiB, after the run {:.1} MiB ({:+.1} %); every 10 s: {}",
        mib(idle),
        mib(warm),
        mib(after),
        growth * 100.0,
        course
    );
    let errors = w.errors() + r.errors();
    let stopped = server.stop();
    println!("graceful stop: {stopped:?}");
    if errors == 0 && growth <= 0.20 {
        println!(
            "PASS: 0 errors, memory growth {:+.1} % (limit +20 %)",
            growth * 100.0
        );
        ExitCode::SUCCESS
    } else {
        println!(
            "FAIL: {errors} errors, memory growth {:+.1} % (limit +20 %)",
            growth * 100.0
        );
        ExitCode::FAILURE
    }
}
