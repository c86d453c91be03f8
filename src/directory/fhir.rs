//! The directory read from the sandbox's FHIR data (the fixtures, or the
//! user's own with `--data`), so the login and picker screens list exactly
//! the patients, practitioners and encounters the FHIR API serves.

use std::collections::HashMap;

use serde_json::Value;

use super::{age_label, parse_date, today, Directory, EncounterSummary, PersonSummary};

#[derive(Debug, Clone, Default)]
pub struct FhirDirectory {
    patients: Vec<PersonSummary>,
    practitioners: Vec<PersonSummary>,
    /// Per patient id, most recent first.
    encounters: HashMap<String, Vec<EncounterSummary>>,
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = match key.parse::<usize>() {
            Ok(i) => cur.get(i)?,
            Err(_) => cur.get(key)?,
        };
    }
    cur.as_str().filter(|s| !s.is_empty())
}

/// FHIR R4 HumanName: `text`, else given names and family.
fn name(resource: &Value) -> Option<String> {
    let names = resource.get("name")?.as_array()?;
    let chosen = names
        .iter()
        .find(|n| n.get("use").and_then(Value::as_str) == Some("official"))
        .or_else(|| names.first())?;
    if let Some(text) = str_at(chosen, &["text"]) {
        return Some(text.to_string());
    }
    let mut parts: Vec<&str> = chosen
        .get("given")
        .and_then(Value::as_array)
        .map(|g| g.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(family) = str_at(chosen, &["family"]) {
        parts.push(family);
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The identifier typed `MR` (HL7 v2 table 0203), as a medical record number.
fn mrn(resource: &Value) -> Option<String> {
    resource
        .get("identifier")?
        .as_array()?
        .iter()
        .find(|id| {
            id.pointer("/type/coding")
                .and_then(Value::as_array)
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.get("code").and_then(Value::as_str) == Some("MR"))
                })
        })
        .and_then(|id| str_at(id, &["value"]))
        .map(str::to_string)
}

fn concept_text(v: Option<&Value>) -> String {
    let Some(v) = v else { return String::new() };
    str_at(v, &["text"])
        .or_else(|| str_at(v, &["coding", "0", "display"]))
        .or_else(|| str_at(v, &["display"]))
        .or_else(|| str_at(v, &["coding", "0", "code"]))
        .or_else(|| str_at(v, &["code"]))
        .unwrap_or_default()
        .to_string()
}

fn patient(r: &Value, today: (i64, u32, u32)) -> Option<PersonSummary> {
    let id = str_at(r, &["id"])?.to_string();
    let birth_date = str_at(r, &["birthDate"]).map(str::to_string);
    Some(PersonSummary {
        name: name(r).unwrap_or_else(|| id.clone()),
        detail: birth_date
            .as_deref()
            .and_then(parse_date)
            .map(|b| age_label(b, today))
            .unwrap_or_default(),
        id,
        resource_type: "Patient",
        gender: str_at(r, &["gender"]).unwrap_or("unknown").to_string(),
        birth_date,
        mrn: mrn(r),
    })
}

fn practitioner(r: &Value) -> Option<PersonSummary> {
    let id = str_at(r, &["id"])?.to_string();
    Some(PersonSummary {
        name: name(r).unwrap_or_else(|| id.clone()),
        detail: concept_text(r.pointer("/qualification/0/code")),
        id,
        resource_type: "Practitioner",
        gender: str_at(r, &["gender"]).unwrap_or("unknown").to_string(),
        birth_date: None,
        mrn: None,
    })
}

fn encounter(r: &Value) -> Option<EncounterSummary> {
    let patient_id = str_at(r, &["subject", "reference"])?
        .strip_prefix("Patient/")?
        .to_string();
    Some(EncounterSummary {
        id: str_at(r, &["id"])?.to_string(),
        patient_id,
        start: str_at(r, &["period", "start"])
            .unwrap_or_default()
            .to_string(),
        class_display: concept_text(r.get("class")),
        type_display: concept_text(r.pointer("/type/0")),
        status: str_at(r, &["status"]).unwrap_or_default().to_string(),
        reason: concept_text(r.pointer("/reasonCode/0")),
    })
}

impl FhirDirectory {
    /// Summaries of every Patient, Practitioner and Encounter in `resources`.
    pub fn from_resources<'a>(resources: impl IntoIterator<Item = &'a Value>) -> Self {
        let today = today();
        let mut dir = FhirDirectory::default();
        for r in resources {
            match r.get("resourceType").and_then(Value::as_str) {
                Some("Patient") => dir.patients.extend(patient(r, today)),
                Some("Practitioner") => dir.practitioners.extend(practitioner(r)),
                Some("Encounter") => {
                    if let Some(e) = encounter(r) {
                        dir.encounters
                            .entry(e.patient_id.clone())
                            .or_default()
                            .push(e);
                    }
                }
                _ => {}
            }
        }
        for list in dir.encounters.values_mut() {
            // RFC 3339 instants in UTC sort as strings; most recent first.
            list.sort_by(|a, b| b.start.cmp(&a.start));
        }
        dir
    }
}

impl Directory for FhirDirectory {
    fn patients(&self) -> Vec<PersonSummary> {
        self.patients.clone()
    }

    fn patient(&self, id: &str) -> Option<PersonSummary> {
        self.patients.iter().find(|p| p.id == id).cloned()
    }

    fn practitioners(&self) -> Vec<PersonSummary> {
        self.practitioners.clone()
    }

    fn practitioner(&self, id: &str) -> Option<PersonSummary> {
        self.practitioners.iter().find(|p| p.id == id).cloned()
    }

    fn encounters(&self, patient_id: &str) -> Vec<EncounterSummary> {
        self.encounters.get(patient_id).cloned().unwrap_or_default()
    }

    fn encounter(&self, id: &str) -> Option<EncounterSummary> {
        self.encounters
            .values()
            .flatten()
            .find(|e| e.id == id)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::BuiltinDirectory;

    #[test]
    fn reads_the_fixtures() {
        let data = crate::fixtures::load::embedded();
        let dir = FhirDirectory::from_resources(&data);
        assert_eq!(dir.patients().len(), crate::fixtures::COMMITTED_PATIENTS);
        let builtin = BuiltinDirectory::default();
        for p in builtin.patients() {
            let f = dir.patient(&p.id).expect("built-in patient in fixtures");
            assert_eq!((f.name, f.mrn, f.birth_date), (p.name, p.mrn, p.birth_date));
        }
        let leo = dir.encounters("pat-leo-marchetti");
        assert!(!leo.is_empty());
        assert!(leo.windows(2).all(|w| w[0].start >= w[1].start));
        let first = &leo[0];
        assert_eq!(
            dir.encounter(&first.id).unwrap().patient_id,
            "pat-leo-marchetti"
        );
        assert!(!first.class_display.is_empty() && !first.type_display.is_empty());
        let helen = dir.practitioner("prac-helen-carter").unwrap();
        assert_eq!(helen.detail, "Family medicine");
    }

    #[test]
    fn search_and_page() {
        let data = crate::fixtures::load::embedded();
        let dir = FhirDirectory::from_resources(&data);
        let (page, total) = dir.search_patients("", 10, 20);
        assert_eq!(total, dir.patients().len());
        assert_eq!(page.len(), 20);
        let (hits, total) = dir.search_patients("marchetti", 0, 20);
        assert_eq!(total, 1);
        assert_eq!(hits[0].id, "pat-leo-marchetti");
        let (hits, _) = dir.search_patients("MRN-100234", 0, 20);
        assert_eq!(hits[0].id, "pat-leo-marchetti");
        assert_eq!(dir.search_practitioners("carter", 0, 5).1, 1);
    }

    #[test]
    fn tolerates_sparse_resources() {
        let data = vec![
            serde_json::json!({"resourceType": "Patient", "id": "p"}),
            serde_json::json!({"resourceType": "Patient"}),
            serde_json::json!({"resourceType": "Encounter", "id": "e", "subject": {"reference": "Group/g"}}),
        ];
        let dir = FhirDirectory::from_resources(&data);
        assert_eq!(dir.patients().len(), 1);
        assert_eq!(dir.patient("p").unwrap().name, "p");
        assert!(dir.encounter("e").is_none());
    }
}
