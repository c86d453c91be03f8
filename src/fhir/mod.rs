//! The embedded FHIR R4 server: an in-memory versioned store, search, the
//! CapabilityStatement, and access control by SMART scopes. Plain functions
//! over plain data; only `crate::http::fhir` knows actix-web.

pub mod access;
pub mod api;
pub mod body;
pub mod bundle;
pub mod capability;
pub mod compartment;
pub mod format;
pub mod journal;
mod listing;
pub mod outcome;
pub mod prefer;
pub mod proxy;
pub mod release_capability;
pub mod release_view;
pub mod search;
pub mod store;
pub mod transaction;
pub mod validate;
pub mod write;

pub use store::Store;

/// Where the server's FHIR data comes from.
#[derive(Debug, Clone, Default)]
pub enum FhirData {
    /// What the configuration says: the fixtures compiled into the binary
    /// (unless `--no-fixtures`) and the files of `--data`.
    #[default]
    Embedded,
    /// No data at all.
    None,
    /// These resources (tests).
    Resources(std::sync::Arc<Vec<serde_json::Value>>),
}
