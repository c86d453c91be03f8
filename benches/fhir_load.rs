//! FHIR API load over HTTP on loopback: throughput, p50/p99 latency and
//! errors of reads and typical searches, the memory the store holds and
//! start-up time, for the embedded fixtures and a generated set.
//!
//! The real server starts in-process on 127.0.0.1:0 with
//! `Config { fhir_data: FhirData::Resources(..) }`; a headless EHR launch
//! (patient and provider pinned, so no screen) gets a `user/*.read` token;
//! then `FHIR_LOAD_CLIENTS` concurrent reqwest clients (default 8) run each
//! scenario for `FHIR_LOAD_SECS` seconds (default 10). Memory is the
//! process RSS (`VmRSS` in /proc/self/status) before and after loading.
//!
//! Run: `cargo bench --bench fhir_load` (optionally
//! `FHIR_LOAD_PATIENTS=1000 FHIR_LOAD_SECS=5 FHIR_LOAD_CLIENTS=8`).
//! Figures, not assertions (design.md "benchmarks are benchmarks").

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use smart_sandbox::fhir::{FhirData, Store};
use smart_sandbox::Config;

#[path = "kit/mod.rs"]
mod kit;
#[path = "fhir_load/launch.rs"]
mod launch;

use kit::env_num;
use kit::server::mib;
use launch::user_token;

/// `VmRSS` of this process in KiB (Linux), 0 elsewhere.
fn rss_kib() -> u64 {
    kit::server::rss_kib(std::process::id())
}

fn ids(data: &[Value], kind: &str) -> Vec<String> {
    data.iter()
        .filter(|r| r["resourceType"] == kind)
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

struct Outcome {
    requests: u64,
    errors: u64,
    latencies: Vec<Duration>,
}

/// `clients` loops for `secs`, each GETting `url(i)` for its i-th request.
async fn drive(
    clients: u64,
    secs: u64,
    token: &str,
    url: Arc<dyn Fn(u64) -> String + Send + Sync>,
) -> Outcome {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let counter = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, token, counter) = (
            http.clone(),
            url.clone(),
            token.to_string(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let start = Instant::now();
                let ok = match http.get(url(i)).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                    _ => false,
                };
                lat.push(start.elapsed());
                errors += u64::from(!ok);
            }
            (lat, errors)
        }));
    }
    let mut out = Outcome {
        requests: 0,
        errors: 0,
        latencies: Vec::new(),
    };
    for t in tasks {
        let (lat, errors) = t.await.unwrap();
        out.requests += lat.len() as u64;
        out.errors += errors;
        out.latencies.extend(lat);
    }
    out.latencies.sort();
    out
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

async fn run_set(label: &str, data: Vec<Value>, rss_before_data: u64) {
    let (clients, secs) = (
        env_num("FHIR_LOAD_CLIENTS", 8),
        env_num("FHIR_LOAD_SECS", 10),
    );
    let rss_data = rss_kib();
    let patients = Arc::new(ids(&data, "Patient"));
    let provider = ids(&data, "Practitioner")
        .into_iter()
        .next()
        .expect("a practitioner");
    let families: Arc<Vec<String>> = Arc::new(
        data.iter()
            .filter(|r| r["resourceType"] == "Patient")
            .filter_map(|r| r["name"][0]["family"].as_str().map(str::to_string))
            .collect(),
    );
    // The store's memory: RSS across building it, kept alive while measured.
    let t = Instant::now();
    let store = Store::from_resources(data.clone()).expect("valid data");
    let build = t.elapsed();
    let rss_store = rss_kib();
    drop(store);
    let data = Arc::new(data);
    let rss_pre_start = rss_kib();
    let config = Config {
        port: 0,
        host: "127.0.0.1".into(),
        signing_key: Some(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/test-signing-key.pem"),
        ),
        secret: Some("load-driver-secret-0123456789abcdef".into()),
        fhir_data: FhirData::Resources(data.clone()),
        ..Config::default()
    };
    let t = Instant::now();
    let running = smart_sandbox::start(config).expect("server starts");
    let base = format!("http://127.0.0.1:{}", running.port);
    tokio::spawn(running.server);
    let probe = reqwest::Client::new();
    while !matches!(probe.get(format!("{base}/health")).send().await, Ok(r) if r.status() == 200) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let startup = t.elapsed();
    let rss_server = rss_kib();
    let token = user_token(&base, &patients[0], &provider).await;

    println!(
        "\n== {label}: {} resources, {} patients; {clients} clients x {secs} s per scenario",
        data.len(),
        patients.len()
    );
    println!(
        "store build (Store::from_resources): {:.1} ms; start() to first 200 of /health: {:.1} ms",
        build.as_secs_f64() * 1e3,
        startup.as_secs_f64() * 1e3
    );
    println!(
        "RSS: {:.1} MiB before, +{:.1} MiB the parsed JSON, +{:.1} MiB the store built from it; +{:.1} MiB at start() (server, store rebuilt into freed pages)",
        mib(rss_before_data),
        mib(rss_data.saturating_sub(rss_before_data)),
        mib(rss_store.saturating_sub(rss_data)),
        mib(rss_server.saturating_sub(rss_pre_start))
    );
    let fhir = format!("{base}/v/r4/fhir");
    let p = move |i: u64, ps: &Vec<String>| {
        ps[(i.wrapping_mul(2654435761) % ps.len() as u64) as usize].clone()
    };
    type Url = Arc<dyn Fn(u64) -> String + Send + Sync>;
    let scenario = |f: fn(&str, &str) -> String| -> Url {
        let (fhir, ps) = (fhir.clone(), patients.clone());
        Arc::new(move |i| f(&fhir, &p(i, &ps)))
    };
    let fams = families.clone();
    let fhir2 = fhir.clone();
    let scenarios: Vec<(&str, Url)> = vec![
        (
            "read Patient/{id}",
            scenario(|f, p| format!("{f}/Patient/{p}")),
        ),
        (
            "Observation vitals _sort=-date _count=20",
            scenario(|f, p| {
                format!("{f}/Observation?patient={p}&category=vital-signs&_sort=-date&_count=20")
            }),
        ),
        (
            "Condition?patient",
            scenario(|f, p| format!("{f}/Condition?patient={p}")),
        ),
        (
            "Patient?name",
            Arc::new(move |i| {
                format!(
                    "{fhir2}/Patient?name={}",
                    fams[(i as usize * 7) % fams.len()]
                )
            }),
        ),
        (
            "$everything page 1",
            scenario(|f, p| format!("{f}/Patient/{p}/$everything")),
        ),
    ];
    println!("| scenario | requests/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|");
    for (name, url) in scenarios {
        let o = drive(clients, secs, &token, url).await;
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} |",
            o.requests as f64 / secs as f64,
            pct(&o.latencies, 0.50),
            pct(&o.latencies, 0.99),
            o.errors
        );
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let before = rss_kib();
        let embedded = smart_sandbox::fixtures::load::embedded();
        run_set("embedded fixtures", embedded, before).await;
        let n = env_num("FHIR_LOAD_PATIENTS", 1000) as usize;
        let before = rss_kib();
        let generated = smart_sandbox::fixtures::generate(n, 7);
        run_set(
            &format!("generated ({n} patients, seed 7)"),
            generated,
            before,
        )
        .await;
    });
}
