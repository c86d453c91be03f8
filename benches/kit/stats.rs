//! Per-operation counts, errors and latencies, and the loop that runs
//! concurrent workers for a while and merges what they recorded.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Error messages kept for the report; the count is always exact.
const KEPT_ERRORS: usize = 8;

#[derive(Default)]
pub struct Op {
    pub ok: u64,
    pub errors: u64,
    /// Latency of every request, in microseconds.
    pub micros: Vec<u32>,
}

#[derive(Default)]
pub struct Recorder {
    pub ops: BTreeMap<&'static str, Op>,
    pub first_errors: Vec<String>,
    /// Set by a round when there is nothing left to do (e.g. no codes).
    pub stop: bool,
}

impl Recorder {
    /// Awaits `fut`, recording its latency and outcome under `op`.
    pub async fn time<T>(
        &mut self,
        op: &'static str,
        fut: impl Future<Output = Result<T, String>>,
    ) -> Option<T> {
        let start = Instant::now();
        let result = fut.await;
        let us = start.elapsed().as_micros().min(u32::MAX as u128) as u32;
        let entry = self.ops.entry(op).or_default();
        entry.micros.push(us);
        match result {
            Ok(v) => {
                entry.ok += 1;
                Some(v)
            }
            Err(e) => {
                entry.errors += 1;
                if self.first_errors.len() < KEPT_ERRORS {
                    self.first_errors.push(format!("{op}: {e}"));
                }
                None
            }
        }
    }

    pub fn merge(&mut self, other: Recorder) {
        for (name, op) in other.ops {
            let e = self.ops.entry(name).or_default();
            e.ok += op.ok;
            e.errors += op.errors;
            e.micros.extend(op.micros);
        }
        for e in other.first_errors {
            if self.first_errors.len() < KEPT_ERRORS {
                self.first_errors.push(e);
            }
        }
    }

    pub fn errors(&self) -> u64 {
        self.ops.values().map(|o| o.errors).sum()
    }

    pub fn requests(&self) -> u64 {
        self.ops.values().map(|o| o.ok + o.errors).sum()
    }

    /// One summary per operation, over `elapsed`.
    pub fn summaries(&mut self, elapsed: Duration) -> Vec<Summary> {
        self.ops
            .iter_mut()
            .map(|(name, op)| {
                op.micros.sort_unstable();
                Summary {
                    name,
                    per_sec: (op.ok + op.errors) as f64 / elapsed.as_secs_f64(),
                    p50_ms: percentile_ms(&op.micros, 0.50),
                    p99_ms: percentile_ms(&op.micros, 0.99),
                    requests: op.ok + op.errors,
                    errors: op.errors,
                }
            })
            .collect()
    }
}

pub struct Summary {
    pub name: &'static str,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    pub errors: u64,
}

/// Nearest-rank percentile of sorted microsecond latencies, in ms.
pub fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

/// Runs `workers` concurrent loops of `round(i, recorder)` until `for_`
/// has passed or a round sets `stop`; each round gets a distinct `i`.
/// Returns the merged record and the wall time the loops took.
pub async fn run_for<F, Fut>(workers: usize, for_: Duration, round: F) -> (Recorder, Duration)
where
    F: Fn(u64, Recorder) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Recorder> + Send + 'static,
{
    let start = Instant::now();
    let deadline = start + for_;
    let counter = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (round, counter) = (round.clone(), counter.clone());
            tokio::spawn(async move {
                let mut rec = Recorder::default();
                while Instant::now() < deadline && !rec.stop {
                    rec = round(counter.fetch_add(1, Ordering::Relaxed), rec).await;
                }
                rec
            })
        })
        .collect();
    let mut all = Recorder::default();
    for t in tasks {
        all.merge(t.await.expect("a load worker panicked"));
    }
    (all, start.elapsed())
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank() {
        use super::percentile_ms;
        let v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&v, 0.5), 50.0);
        assert_eq!(percentile_ms(&v, 0.99), 99.0);
        assert_eq!(percentile_ms(&[], 0.5), 0.0);
    }
}
