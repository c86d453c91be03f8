//! The little state a correct stateless server still needs: ids that may be
//! used once (authorization codes, strictly rotated refresh tokens). Bounded
//! and expiring: an entry is forgotten when the token it guards has expired
//! anyway, and the set never grows past its capacity.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use crate::clock::UnixTime;

/// Why an id could not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The id was used before.
    AlreadyUsed,
    /// The set is full of live entries; refusing keeps memory bounded
    /// without forgetting a live id (which would re-enable a replay).
    Full,
}

/// An id is held as a 64-bit keyed fingerprint with a 32-bit expiry, not as
/// its text: an entry costs 16 bytes plus the table's control byte and
/// slack (measured: 4.4 MiB for 195,000 ids, 42 MiB for a million; the
/// 128-bit form with an expiry queue took 97 MiB) whatever the id's length
/// (a client's `jti` may be long), so the capacity bounds the memory. The keys
/// are random per process, so nobody can craft ids that collide; a chance
/// collision (about 1 in 10^7 over a full million-id set) could only make a
/// fresh id look used, never let a used one through.
type Fingerprint = u64;

/// Expired entries are swept out at most this often (seconds), so a
/// sweep's cost is spread over many requests.
const SWEEP_EVERY: UnixTime = 5;

#[derive(Debug)]
pub struct ExpiringSet {
    capacity: usize,
    key: RandomState,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Fingerprint to expiry (Unix seconds; `u32` lasts until 2106).
    entries: HashMap<Fingerprint, u32>,
    next_sweep: UnixTime,
}

fn stamp(t: UnixTime) -> u32 {
    t.clamp(0, i64::from(u32::MAX)) as u32
}

impl ExpiringSet {
    pub fn new(capacity: usize) -> Self {
        ExpiringSet {
            capacity: capacity.max(1),
            key: RandomState::new(),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn fingerprint(&self, id: &str) -> Fingerprint {
        self.key.hash_one(id)
    }

    /// Records `id` as used until `expires`. Fails if it was already used.
    pub fn use_once(&self, id: &str, expires: UnixTime, now: UnixTime) -> Result<(), Spent> {
        let id = self.fingerprint(id);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if now >= inner.next_sweep {
            inner.sweep(now);
        }
        if inner
            .entries
            .get(&id)
            .is_some_and(|exp| i64::from(*exp) > now)
        {
            return Err(Spent::AlreadyUsed);
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&id) {
            inner.sweep(now);
            if inner.entries.len() >= self.capacity {
                return Err(Spent::Full);
            }
        }
        inner.entries.insert(id, stamp(expires));
        Ok(())
    }

    /// Whether `id` is recorded and not yet expired.
    pub fn contains(&self, id: &str, now: UnixTime) -> bool {
        let id = self.fingerprint(id);
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .entries
            .get(&id)
            .is_some_and(|exp| i64::from(*exp) > now)
    }

    /// Entries held, expired ones not yet swept included.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inner {
    fn sweep(&mut self, now: UnixTime) {
        self.entries.retain(|_, exp| i64::from(*exp) > now);
        self.next_sweep = now.saturating_add(SWEEP_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_only_until_expiry() {
        let s = ExpiringSet::new(10);
        assert_eq!(s.use_once("a", 100, 0), Ok(()));
        assert_eq!(s.use_once("a", 100, 50), Err(Spent::AlreadyUsed));
        assert!(s.contains("a", 99));
        assert!(!s.contains("a", 100));
        assert_eq!(s.use_once("a", 300, 150), Ok(()));
    }

    #[test]
    fn bounded() {
        let s = ExpiringSet::new(2);
        s.use_once("a", 10, 0).unwrap();
        s.use_once("b", 20, 0).unwrap();
        assert_eq!(s.use_once("c", 30, 5), Err(Spent::Full));
        assert_eq!(s.use_once("c", 30, 15), Ok(()));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn expired_entries_are_swept_out() {
        let s = ExpiringSet::new(100);
        s.use_once("a", 10, 0).unwrap();
        s.use_once("b", 100, 1).unwrap();
        s.use_once("c", 100, 4).unwrap();
        assert_eq!(s.len(), 3, "no sweep before one is due");
        s.use_once("d", 100, 11).unwrap();
        assert_eq!(s.len(), 3, "`a` expired at 10 and is gone");
        assert!(!s.contains("a", 11));
        assert!(s.contains("b", 11));
    }

    #[test]
    fn an_expired_id_is_reused_even_when_full() {
        let s = ExpiringSet::new(1);
        s.use_once("a", 10, 0).unwrap();
        assert_eq!(s.use_once("a", 30, 12), Ok(()));
        assert_eq!(s.use_once("a", 30, 13), Err(Spent::AlreadyUsed));
        assert_eq!(s.use_once("b", 30, 13), Err(Spent::Full));
    }

    #[test]
    fn expiry_past_2106_is_held_as_the_largest_stamp() {
        let s = ExpiringSet::new(10);
        s.use_once("a", i64::MAX, 0).unwrap();
        assert!(s.contains("a", i64::from(u32::MAX) - 1));
        s.use_once("b", -5, 0).unwrap();
        assert!(!s.contains("b", 0));
    }

    #[test]
    fn ids_of_any_length_are_told_apart() {
        let s = ExpiringSet::new(100_000);
        let long = "j".repeat(1_000);
        let ids: Vec<String> = (0..5_000).map(|i| format!("{long}{i}")).collect();
        for id in &ids {
            assert_eq!(s.use_once(id, 100, 0), Ok(()));
        }
        for id in &ids {
            assert_eq!(s.use_once(id, 100, 1), Err(Spent::AlreadyUsed));
        }
        assert_eq!(s.len(), ids.len());
    }
}
