//! The embedded FHIR store: every version of every resource in memory,
//! behind one `RwLock` (reads share it; writes, later, take it briefly).
//! Versions are kept so `vread` and `_history` work (FHIR R4 §3.1.0
//! "http": read, vread, history), and the current version is the last one.
//! Resources are `Arc`ed so a search hands out pointers, never JSON copies.
//!
//! Two indexes are computed once per stored version, so searches do not scan
//! whole types: patient compartment membership (see [`super::compartment`])
//! and "who references `Type/id`" (for `_revinclude`).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use serde_json::Value;

use super::compartment::patients_of;
use super::search::eval::reference_target;

mod delete;

/// One version of a resource; `resource` is `None` for a deletion.
#[derive(Debug, Clone)]
pub struct Version {
    pub version_id: u32,
    /// FHIR `instant` (`meta.lastUpdated`).
    pub last_updated: String,
    pub resource: Option<Arc<Value>>,
}

/// A resource id with its history and the compartments its current
/// version belongs to.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub versions: Vec<Version>,
    pub patients: Vec<String>,
}

impl Entry {
    pub fn latest(&self) -> &Version {
        self.versions.last().expect("an entry has a version")
    }

    /// The current resource, unless deleted.
    pub fn current(&self) -> Option<&Arc<Value>> {
        self.latest().resource.as_ref()
    }

    pub fn version(&self, vid: &str) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.version_id.to_string() == vid)
    }
}

/// All resources of one type, in insertion order (the default search order).
#[derive(Debug, Default, Clone)]
pub struct TypeTable {
    pub entries: Vec<Entry>,
    index: HashMap<String, u32>,
}

impl TypeTable {
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.index.get(id).map(|i| &self.entries[*i as usize])
    }
}

/// A resource's address inside [`Data`]: type slot and entry slot.
pub type Slot = (u16, u32);

#[derive(Debug, Default, Clone)]
pub struct Data {
    types: Vec<(String, TypeTable)>,
    type_index: HashMap<String, u16>,
    by_patient: HashMap<String, HashMap<u16, BTreeSet<u32>>>,
    referenced_by: HashMap<String, BTreeSet<Slot>>,
}

impl Data {
    pub fn type_slot(&self, resource_type: &str) -> Option<u16> {
        self.type_index.get(resource_type).copied()
    }

    pub fn table(&self, resource_type: &str) -> Option<&TypeTable> {
        self.type_slot(resource_type)
            .map(|t| &self.types[t as usize].1)
    }

    pub fn type_name(&self, slot: u16) -> &str {
        &self.types[slot as usize].0
    }

    pub fn entry(&self, (t, i): Slot) -> &Entry {
        &self.types[t as usize].1.entries[i as usize]
    }

    pub fn get(&self, resource_type: &str, id: &str) -> Option<&Entry> {
        self.table(resource_type)?.get(id)
    }

    /// The types present, in the order they were first stored.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|(n, _)| n.as_str())
    }

    /// Entry slots of `resource_type` in `patient`'s compartment.
    pub fn compartment(&self, patient: &str, resource_type: &str) -> Vec<u32> {
        let Some(t) = self.type_slot(resource_type) else {
            return Vec::new();
        };
        self.by_patient
            .get(patient)
            .and_then(|m| m.get(&t))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Resources whose current version references `Type/id` anywhere.
    pub fn referencing(&self, target: &str) -> impl Iterator<Item = Slot> + '_ {
        self.referenced_by
            .get(target)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    /// Stores a new version of `resource` (its `resourceType` and `id` must be
    /// valid), setting `meta.versionId` and `meta.lastUpdated`, and moves the
    /// indexes from the previous version to this one.
    pub fn put(&mut self, mut resource: Value, last_updated: &str) -> Result<&Version, String> {
        let (ty, id) = identity(&resource)?;
        let patients = match ty.as_str() {
            "Binary" => self.binary_patients(&resource),
            _ => patients_of(&ty, &resource),
        };
        let t = match self.type_slot(&ty) {
            Some(t) => t,
            None => {
                let t = u16::try_from(self.types.len()).map_err(|_| "too many types")?;
                self.types.push((ty.clone(), TypeTable::default()));
                self.type_index.insert(ty.clone(), t);
                t
            }
        };
        let table = &mut self.types[t as usize].1;
        let i = match table.index.get(&id) {
            Some(i) => *i,
            None => {
                let i = u32::try_from(table.entries.len()).map_err(|_| "too many resources")?;
                table.entries.push(Entry {
                    id: id.clone(),
                    versions: Vec::new(),
                    patients: Vec::new(),
                });
                table.index.insert(id.clone(), i);
                i
            }
        };
        let entry = &mut table.entries[i as usize];
        let version_id = entry.versions.last().map_or(1, |v| v.version_id + 1);
        let meta = resource
            .as_object_mut()
            .expect("identity checked an object")
            .entry("meta")
            .or_insert_with(|| Value::Object(Default::default()));
        if !meta.is_object() {
            *meta = Value::Object(Default::default());
        }
        meta["versionId"] = Value::String(version_id.to_string());
        meta["lastUpdated"] = Value::String(last_updated.to_string());
        let old_refs = entry
            .versions
            .last()
            .and_then(|v| v.resource.as_deref())
            .map(references)
            .unwrap_or_default();
        let old_patients = std::mem::take(&mut entry.patients);
        let new_refs = references(&resource);
        entry.patients = patients;
        let new_patients = entry.patients.clone();
        entry.versions.push(Version {
            version_id,
            last_updated: last_updated.to_string(),
            resource: Some(Arc::new(resource)),
        });
        for p in old_patients {
            if let Some(set) = self.by_patient.get_mut(&p).and_then(|m| m.get_mut(&t)) {
                set.remove(&i);
            }
        }
        for p in new_patients {
            self.by_patient
                .entry(p)
                .or_default()
                .entry(t)
                .or_default()
                .insert(i);
        }
        for r in old_refs {
            if let Some(set) = self.referenced_by.get_mut(&r) {
                set.remove(&(t, i));
            }
        }
        for r in new_refs {
            self.referenced_by.entry(r).or_default().insert((t, i));
        }
        Ok(self.entry((t, i)).latest())
    }
}

/// Validates `resourceType` and `id` (FHIR R4 §2.1.1 "id": 1-64 of
/// `[A-Za-z0-9\-\.]`).
fn identity(resource: &Value) -> Result<(String, String), String> {
    let obj = resource.as_object().ok_or("not a JSON object")?;
    let ty = obj
        .get("resourceType")
        .and_then(Value::as_str)
        .filter(|t| {
            t.len() <= 64
                && t.starts_with(|c: char| c.is_ascii_uppercase())
                && t.bytes().all(|b| b.is_ascii_alphabetic())
        })
        .ok_or("missing or invalid resourceType")?;
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| is_valid_id(id))
        .ok_or_else(|| format!("{ty}: missing or invalid id"))?;
    Ok((ty.to_string(), id.to_string()))
}

pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Every `Type/id` the resource references (any `reference` element).
fn references(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some((Some(ty), id)) = reference_target(v) {
                    out.push(format!("{ty}/{id}"));
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out.sort();
    out.dedup();
    out
}

/// The store shared by all requests.
#[derive(Debug, Default)]
pub struct Store {
    data: RwLock<Data>,
}

impl Store {
    pub fn empty() -> Self {
        Store::default()
    }

    /// Loads resources as version 1 each. `meta.lastUpdated` is kept when it
    /// is a valid instant (fixtures can pin it); otherwise the load time.
    /// Every problem is reported, not just the first.
    pub fn from_resources(resources: Vec<Value>) -> Result<Store, Vec<String>> {
        let now = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let mut data = Data::default();
        let mut errors = Vec::new();
        for (n, r) in resources.into_iter().enumerate() {
            let at = r
                .pointer("/meta/lastUpdated")
                .and_then(Value::as_str)
                .filter(|s| s.contains('T') && super::search::date::parse_range(s).is_some())
                .map_or_else(|| now.clone(), str::to_string);
            match identity(&r) {
                Ok((ty, id)) if data.get(&ty, &id).is_some() => {
                    errors.push(format!("resource #{n}: duplicate {ty}/{id}"))
                }
                Ok(_) => {
                    if let Err(e) = data.put(r, &at) {
                        errors.push(format!("resource #{n}: {e}"));
                    }
                }
                Err(e) => errors.push(format!("resource #{n}: {e}")),
            }
        }
        if errors.is_empty() {
            Ok(Store {
                data: RwLock::new(data),
            })
        } else {
            Err(errors)
        }
    }

    /// Exclusive access, for writes (`fhir::write` and tests).
    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Shared access for reads and searches.
    pub fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    /// An independent copy: resources are shared (`Arc`), tables and indexes
    /// are copied, so later writes to either store do not show in the other.
    pub fn snapshot(&self) -> Store {
        Store {
            data: RwLock::new(self.read().clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loads_indexes_and_versions() {
        let store = Store::from_resources(vec![
            json!({"resourceType": "Patient", "id": "a"}),
            json!({"resourceType": "Observation", "id": "o1", "subject": {"reference": "Patient/a"},
                   "meta": {"lastUpdated": "2024-01-01T00:00:00Z"}}),
            json!({"resourceType": "Observation", "id": "o2", "subject": {"reference": "Patient/b"}}),
        ])
        .unwrap();
        let mut data = store.data.write().unwrap();
        assert_eq!(data.compartment("a", "Observation"), vec![0]);
        assert_eq!(data.compartment("a", "Patient"), vec![0]);
        assert_eq!(data.referencing("Patient/a").count(), 1);
        let o1 = data.get("Observation", "o1").unwrap();
        assert_eq!(o1.latest().last_updated, "2024-01-01T00:00:00Z");
        assert_eq!(o1.current().unwrap()["meta"]["versionId"], "1");
        // A new version moves the indexes.
        data.put(json!({"resourceType": "Observation", "id": "o1", "subject": {"reference": "Patient/b"}}), "2024-02-01T00:00:00Z").unwrap();
        assert!(data.compartment("a", "Observation").is_empty());
        assert_eq!(data.compartment("b", "Observation"), vec![0, 1]);
        assert_eq!(data.referencing("Patient/a").count(), 0);
        let o1 = data.get("Observation", "o1").unwrap();
        assert_eq!(o1.versions.len(), 2);
        assert_eq!(
            o1.version("1").unwrap().resource.as_ref().unwrap()["subject"]["reference"],
            "Patient/a"
        );
    }

    #[test]
    fn reports_every_problem() {
        let errs = Store::from_resources(vec![
            json!({"resourceType": "Patient", "id": "a"}),
            json!({"resourceType": "Patient", "id": "a"}),
            json!({"id": "x"}),
            json!({"resourceType": "Patient", "id": "bad id!"}),
            json!([1]),
        ])
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
    }

    #[test]
    fn snapshots_are_independent() {
        let store =
            Store::from_resources(vec![json!({"resourceType": "Patient", "id": "a"})]).unwrap();
        let copy = store.snapshot();
        copy.write()
            .put(
                json!({"resourceType": "Patient", "id": "b"}),
                "2026-01-01T00:00:00Z",
            )
            .unwrap();
        assert!(copy.read().get("Patient", "b").is_some());
        assert!(store.read().get("Patient", "b").is_none());
        assert!(copy.read().get("Patient", "a").is_some());
    }
}
