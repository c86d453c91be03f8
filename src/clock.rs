//! Time is passed into the protocol functions as `now` (Unix seconds) so that
//! expiry logic is testable with a fixed clock.

/// Seconds since the Unix epoch.
pub type UnixTime = i64;

/// The wall clock, read once per request by the HTTP layer.
pub fn now() -> UnixTime {
    chrono::Utc::now().timestamp()
}
