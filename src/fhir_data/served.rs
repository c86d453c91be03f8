//! What the FHIR API and the pickers serve, built once at start: the store
//! and the directory of people, from the configured data. The parsed
//! resource list is consumed by the store, not kept beside it, so the
//! process holds each resource once.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::config::Config;
use crate::directory::FhirDirectory;
use crate::fhir::{FhirData, Store};
use crate::fixtures;

pub struct Served {
    pub store: Store,
    pub directory: Arc<FhirDirectory>,
}

/// The store and directory for `config.fhir_data`, `config.data_dir` and
/// `config.fixtures`; the errors are the store's (e.g. duplicate ids).
pub fn build(config: &Config) -> Result<Served, Vec<String>> {
    match &config.fhir_data {
        FhirData::Embedded if config.data_dir.is_none() && config.fixtures => embedded_fixtures(),
        FhirData::Embedded => from_resources(super::load_logged(config)),
        FhirData::None => from_resources(Vec::new()),
        FhirData::Resources(r) => from_resources((**r).clone()),
    }
}

fn from_resources(data: Vec<Value>) -> Result<Served, Vec<String>> {
    let directory = Arc::new(FhirDirectory::from_resources(data.iter()));
    Ok(Served {
        store: Store::from_resources(data)?,
        directory,
    })
}

/// The embedded fixtures, parsed and indexed once per process; each server
/// gets a snapshot (resources shared, tables and indexes copied): indexing
/// ~9,000 resources costs far more than copying the indexes, and test
/// binaries start hundreds of servers.
fn embedded_fixtures() -> Result<Served, Vec<String>> {
    static BUILT: OnceLock<Result<Served, Vec<String>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let data = fixtures::load::embedded();
        tracing::info!("loaded {} resources", data.len());
        from_resources(data)
    });
    match built {
        Ok(s) => Ok(Served {
            store: s.store.snapshot(),
            directory: s.directory.clone(),
        }),
        Err(e) => Err(e.clone()),
    }
}
