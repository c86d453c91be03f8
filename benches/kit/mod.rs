//! Load-driving kit shared by the `mixed_load` and `report` benchmarks and
//! the short `tests/mixed_load.rs` run: the real binary as a child process,
//! the SMART flows an app performs over HTTP, and latency statistics.
#![allow(dead_code)]

pub mod flows;
pub mod mixed;
pub mod server;
pub mod stats;

/// A number from the environment, or `default` when unset or not a number.
pub fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
