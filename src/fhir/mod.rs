//! The embedded FHIR R4 server: an in-memory versioned store, search, the
//! CapabilityStatement, and access control by SMART scopes. Plain functions
//! over plain data; only `crate::http::fhir` knows actix-web.

pub mod access;
pub mod api;
pub mod bundle;
pub mod capability;
pub mod compartment;
mod listing;
pub mod outcome;
pub mod search;
pub mod store;

pub use store::Store;

/// Where the server's FHIR data comes from.
#[derive(Debug, Clone, Default)]
pub enum FhirData {
    /// The fixtures compiled into the binary (for now: none, an empty store).
    #[default]
    Embedded,
    /// No data at all.
    None,
    /// These resources (tests, `--data` later).
    Resources(std::sync::Arc<Vec<serde_json::Value>>),
}

impl FhirData {
    /// Builds the store; every invalid resource is reported.
    pub fn load(&self) -> Result<Store, Vec<String>> {
        match self {
            FhirData::Embedded | FhirData::None => Ok(Store::empty()),
            FhirData::Resources(r) => Store::from_resources(r.as_ref().clone()),
        }
    }
}
