//! Deletion and the Binary compartment: the parts of [`Data`] that the
//! write interactions added.

use serde_json::Value;

use super::{references, Data, Version};
use crate::fhir::search::eval::reference_target;

impl Data {
    /// FHIR R4 §3.1.0.7 "delete": adds a deletion version (no resource), so
    /// a read answers 410 Gone and `_history` keeps the delete. The entry
    /// keeps its compartment, so a `patient/` token still reaches it (410,
    /// not 404); searches skip it (they look at the current version only).
    /// Returns the new version id, or `None` when the resource is unknown
    /// or already deleted (nothing changes then).
    pub fn delete(&mut self, ty: &str, id: &str, last_updated: &str) -> Option<u32> {
        let t = self.type_slot(ty)?;
        let table = &mut self.types[t as usize].1;
        let i = *table.index.get(id)?;
        let entry = &mut table.entries[i as usize];
        let old = entry.current()?.clone();
        let version_id = entry.latest().version_id + 1;
        entry.versions.push(Version {
            version_id,
            last_updated: last_updated.to_string(),
            resource: None,
        });
        for r in references(&old) {
            if let Some(set) = self.referenced_by.get_mut(&r) {
                set.remove(&(t, i));
            }
        }
        Some(version_id)
    }

    /// FHIR R4 Binary: a Binary is in the compartment of its
    /// `securityContext`: `Patient/p` itself, or the patients of the
    /// resource it names (e.g. a DocumentReference), as stored now.
    pub fn binary_patients(&self, binary: &Value) -> Vec<String> {
        let Some(ctx) = binary.get("securityContext") else {
            return Vec::new();
        };
        match reference_target(ctx) {
            Some((Some(ty), id)) if ty == "Patient" => vec![id],
            Some((Some(ty), id)) => self
                .get(&ty, &id)
                .filter(|e| e.current().is_some())
                .map(|e| e.patients.clone())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn delete_keeps_history_and_compartment() {
        let mut d = Data::default();
        d.put(json!({"resourceType": "Observation", "id": "o", "subject": {"reference": "Patient/a"}}), "2024-01-01T00:00:00Z").unwrap();
        assert_eq!(
            d.delete("Observation", "o", "2024-01-02T00:00:00Z"),
            Some(2)
        );
        assert_eq!(d.delete("Observation", "o", "2024-01-03T00:00:00Z"), None);
        assert_eq!(
            d.delete("Observation", "nope", "2024-01-03T00:00:00Z"),
            None
        );
        let e = d.get("Observation", "o").unwrap();
        assert!(e.current().is_none());
        assert_eq!(e.versions.len(), 2);
        assert_eq!(e.patients, vec!["a"]);
        assert_eq!(d.referencing("Patient/a").count(), 0);
        // Recreating continues the version sequence.
        let v = d
            .put(
                json!({"resourceType": "Observation", "id": "o"}),
                "2024-01-04T00:00:00Z",
            )
            .unwrap();
        assert_eq!(v.version_id, 3);
    }

    #[test]
    fn binary_follows_its_security_context() {
        let mut d = Data::default();
        d.put(json!({"resourceType": "DocumentReference", "id": "dr", "subject": {"reference": "Patient/a"}}), "2024-01-01T00:00:00Z").unwrap();
        for (ctx, want) in [
            ("Patient/b", vec!["b"]),
            ("DocumentReference/dr", vec!["a"]),
            ("DocumentReference/x", vec![]),
        ] {
            let b = json!({"resourceType": "Binary", "id": "b", "contentType": "text/plain", "securityContext": {"reference": ctx}});
            d.put(b, "2024-01-01T00:00:00Z").unwrap();
            assert_eq!(d.get("Binary", "b").unwrap().patients, want, "{ctx}");
        }
    }
}
