//! The data the FHIR API serves, apart from the store itself: the user's
//! own FHIR R4 files imported from a folder ([`import`]) and the DSTU2 and
//! STU3 renditions of the core resource types ([`release`]).
//!
//! Plain functions over `serde_json::Value`; the server wires them in at
//! startup ([`dataset`]) and per request ([`release::to_release`]).

pub mod import;
mod parse;
pub mod release;
mod resolve;
pub mod served;

use std::collections::HashMap;

use serde_json::Value;

use crate::config::Config;
use crate::fixtures;

pub use import::{import_dir, import_dir_with, ImportProblem, ImportReport, Limits, Severity};

/// Everything the server should load at start: the built-in fixtures when
/// `config.fixtures` is on, then the resources imported from
/// `config.data_dir`; an imported resource replaces a fixture with the same
/// `Type/id` in place. Never fails: what cannot be imported is in the
/// problems, and the server starts with the rest.
pub fn dataset(config: &Config) -> (Vec<Value>, Vec<ImportProblem>) {
    let mut resources = if config.fixtures {
        fixtures::load::embedded()
    } else {
        Vec::new()
    };
    let Some(dir) = &config.data_dir else {
        return (resources, Vec::new());
    };
    let report = import_dir(dir);
    let mut problems = report.problems;
    let slot: HashMap<String, usize> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (key(r), i))
        .collect();
    let mut replaced = Vec::new();
    for r in report.resources {
        match slot.get(&key(&r)) {
            Some(&i) => {
                replaced.push(key(&r));
                resources[i] = r;
            }
            None => resources.push(r),
        }
    }
    if let Some(first) = replaced.first() {
        problems.push(ImportProblem {
            file: dir.clone(),
            position: String::new(),
            message: format!(
                "{} imported resources replace built-in fixtures with the same Type/id (first: {first})",
                replaced.len()
            ),
            severity: Severity::Warning,
        });
    }
    (resources, problems)
}

/// [`dataset`], with each problem logged as a warning and one summary line,
/// as the server's startup path wants it.
pub fn load_logged(config: &Config) -> Vec<Value> {
    let (resources, problems) = dataset(config);
    for p in &problems {
        tracing::warn!("{p}");
    }
    match &config.data_dir {
        Some(dir) => tracing::info!(
            "loaded {} resources from {} (fixtures {}), skipped {} problems",
            resources.len(),
            dir.display(),
            if config.fixtures { "included" } else { "off" },
            problems.len()
        ),
        None => tracing::info!("loaded {} resources", resources.len()),
    }
    resources
}

fn key(r: &Value) -> String {
    format!(
        "{}/{}",
        r["resourceType"].as_str().unwrap_or(""),
        r["id"].as_str().unwrap_or("")
    )
}

#[cfg(test)]
mod import_synthea_tests;
#[cfg(test)]
mod import_tests;
