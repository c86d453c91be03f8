//! The little state a correct stateless server still needs: ids that may be
//! used once (authorization codes, strictly rotated refresh tokens). Bounded
//! and expiring: an entry is forgotten when the token it guards has expired
//! anyway, and the set never grows past its capacity.

use std::collections::{HashMap, VecDeque};
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

/// An id is held as a 128-bit keyed fingerprint, not as its text: an entry
/// costs about 100 bytes with the tables (97 MiB for a million) whatever
/// the id's length (a client's `jti` may be long), so the capacity bounds
/// the memory, and with per-process random keys nobody can craft two ids
/// that collide.
type Fingerprint = u128;

#[derive(Debug)]
pub struct ExpiringSet {
    capacity: usize,
    keys: (RandomState, RandomState),
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Fingerprint, UnixTime>,
    /// Insertion order with expiry; expiry is not monotonic in general, so
    /// purging pops while the front has expired and relies on the capacity
    /// check to purge fully when needed.
    order: VecDeque<(UnixTime, Fingerprint)>,
}

impl ExpiringSet {
    pub fn new(capacity: usize) -> Self {
        ExpiringSet {
            capacity: capacity.max(1),
            keys: (RandomState::new(), RandomState::new()),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn fingerprint(&self, id: &str) -> Fingerprint {
        (u128::from(self.keys.0.hash_one(id)) << 64) | u128::from(self.keys.1.hash_one(id))
    }

    /// Records `id` as used until `expires`. Fails if it was already used.
    pub fn use_once(&self, id: &str, expires: UnixTime, now: UnixTime) -> Result<(), Spent> {
        let id = self.fingerprint(id);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.purge_front(now);
        if let Some(exp) = inner.entries.get(&id) {
            if *exp > now {
                return Err(Spent::AlreadyUsed);
            }
        }
        if inner.entries.len() >= self.capacity {
            inner.purge_all(now);
            if inner.entries.len() >= self.capacity {
                return Err(Spent::Full);
            }
        }
        inner.entries.insert(id, expires);
        inner.order.push_back((expires, id));
        Ok(())
    }

    /// Whether `id` is recorded and not yet expired.
    pub fn contains(&self, id: &str, now: UnixTime) -> bool {
        let id = self.fingerprint(id);
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.entries.get(&id).is_some_and(|exp| *exp > now)
    }

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
    fn purge_front(&mut self, now: UnixTime) {
        while let Some((exp, _)) = self.order.front() {
            if *exp > now {
                break;
            }
            let (exp, id) = self.order.pop_front().expect("front exists");
            if self.entries.get(&id) == Some(&exp) {
                self.entries.remove(&id);
            }
        }
    }

    fn purge_all(&mut self, now: UnixTime) {
        self.entries.retain(|_, exp| *exp > now);
        self.order.retain(|(exp, _)| *exp > now);
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
