//! The people and visits the simulated EHR knows about.
//!
//! Login and picker screens need someone to choose, and the FHIR fixtures
//! will later be generated from the same records, so the data lives behind a
//! trait: tests and alternative data sources can swap it out without touching
//! the authorize flow.

use serde::Serialize;

mod fhir;
pub use fhir::FhirDirectory;

/// Just enough about a person to pick them from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonSummary {
    pub id: String,
    /// `"Patient"` or `"Practitioner"`, so the value can become a FHIR reference.
    pub resource_type: &'static str,
    pub name: String,
    /// FHIR administrative gender code (`female`, `male`, `other`, `unknown`).
    pub gender: String,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub mrn: Option<String>,
    /// One short phrase that tells similar entries apart: a specialty for
    /// practitioners, an age for patients.
    pub detail: String,
}

/// Just enough about a visit to pick it from a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncounterSummary {
    pub id: String,
    pub patient_id: String,
    /// RFC 3339 date-time in UTC (`...Z`), so string order is time order.
    pub start: String,
    pub class_display: String,
    pub type_display: String,
    /// FHIR encounter status code, e.g. `finished`, `in-progress`.
    pub status: String,
    pub reason: String,
}

pub trait Directory: Send + Sync {
    fn patients(&self) -> Vec<PersonSummary>;
    fn patient(&self, id: &str) -> Option<PersonSummary>;
    fn practitioners(&self) -> Vec<PersonSummary>;
    fn practitioner(&self, id: &str) -> Option<PersonSummary>;
    /// Most recent first.
    fn encounters(&self, patient_id: &str) -> Vec<EncounterSummary>;
    fn encounter(&self, id: &str) -> Option<EncounterSummary>;

    /// Patients whose name, MRN or id contains `query` (case-insensitive),
    /// one page of them and the total, for the searchable pickers.
    fn search_patients(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> (Vec<PersonSummary>, usize) {
        page(self.patients(), query, offset, limit)
    }

    /// As [`Directory::search_patients`], for practitioners.
    fn search_practitioners(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> (Vec<PersonSummary>, usize) {
        page(self.practitioners(), query, offset, limit)
    }
}

fn page(
    all: Vec<PersonSummary>,
    query: &str,
    offset: usize,
    limit: usize,
) -> (Vec<PersonSummary>, usize) {
    let q = query.trim().to_lowercase();
    let matching: Vec<PersonSummary> = all
        .into_iter()
        .filter(|p| {
            q.is_empty()
                || p.name.to_lowercase().contains(&q)
                || p.id.to_lowercase().contains(&q)
                || p.mrn
                    .as_deref()
                    .is_some_and(|m| m.to_lowercase().contains(&q))
        })
        .collect();
    let total = matching.len();
    (
        matching.into_iter().skip(offset).take(limit).collect(),
        total,
    )
}

/// Synthetic records compiled into the binary, so the sandbox works with no
/// setup. All names and numbers are invented.
#[derive(Debug, Clone)]
pub struct BuiltinDirectory {
    patients: Vec<PersonSummary>,
    practitioners: Vec<PersonSummary>,
    /// Kept sorted most recent first so `encounters` can filter without sorting.
    encounters: Vec<EncounterSummary>,
}

// (id, name, gender, birth date, MRN)
#[rustfmt::skip]
const PATIENTS: &[(&str, &str, &str, &str, &str)] = &[
    ("pat-amara-nwosu", "Amara Nwosu", "female", "2026-11-08", "MRN-100231"),
    ("pat-leo-marchetti", "Leo Marchetti", "male", "2020-06-12", "MRN-100234"),
    ("pat-sofia-reyes", "Sofia Reyes", "female", "2011-03-04", "MRN-100247"),
    ("pat-hannah-lindqvist", "Hannah Lindqvist", "female", "1997-01-09", "MRN-100252"),
    ("pat-daniel-kowalski", "Daniel Kowalski", "male", "1991-02-17", "MRN-100268"),
    ("pat-priya-raman", "Priya Raman", "female", "1984-06-05", "MRN-100273"),
    ("pat-marcus-bell", "Marcus Bell", "male", "1973-11-30", "MRN-100289"),
    ("pat-kenji-watanabe", "Kenji Watanabe", "male", "1958-05-21", "MRN-100295"),
    ("pat-george-abernathy", "George Abernathy", "male", "1944-03-14", "MRN-100306"),
    ("pat-ruth-adeyemi", "Ruth Adeyemi", "female", "1937-09-02", "MRN-100311"),
];

// (id, name, gender, specialty)
#[rustfmt::skip]
const PRACTITIONERS: &[(&str, &str, &str, &str)] = &[
    ("prac-helen-carter", "Dr. Helen Carter", "female", "Family medicine"),
    ("prac-samuel-osei", "Dr. Samuel Osei", "male", "Pediatrics"),
    ("prac-ines-duarte", "Dr. Inês Duarte", "female", "Cardiology"),
    ("prac-rajesh-menon", "Dr. Rajesh Menon", "male", "Emergency medicine"),
];

// (id, patient id, start, class, type, status, reason)
#[rustfmt::skip]
const ENCOUNTERS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("enc-amara-birth", "pat-amara-nwosu", "2026-11-08T04:12:00Z", "Inpatient", "Newborn delivery admission", "finished", "Term birth, single live newborn"),
    ("enc-amara-newborn-check", "pat-amara-nwosu", "2026-11-13T15:00:00Z", "Ambulatory", "Newborn follow-up visit", "finished", "Weight check and jaundice screening"),
    ("enc-leo-well-5y", "pat-leo-marchetti", "2025-06-16T14:30:00Z", "Ambulatory", "Well child visit", "finished", "5-year well child check and vaccinations"),
    ("enc-leo-otitis", "pat-leo-marchetti", "2026-02-03T16:10:00Z", "Ambulatory", "Sick visit", "finished", "Ear pain and fever"),
    ("enc-leo-well-6y", "pat-leo-marchetti", "2026-06-15T13:45:00Z", "Ambulatory", "Well child visit", "finished", "6-year well child check"),
    ("enc-sofia-sports", "pat-sofia-reyes", "2025-08-11T15:20:00Z", "Ambulatory", "Sports physical", "finished", "Pre-participation exam for soccer"),
    ("enc-sofia-ankle", "pat-sofia-reyes", "2026-04-18T19:05:00Z", "Emergency", "Emergency department visit", "finished", "Ankle sprain during practice"),
    ("enc-hannah-prenatal-1", "pat-hannah-lindqvist", "2026-05-06T10:00:00Z", "Ambulatory", "Prenatal visit", "finished", "First prenatal visit, 10 weeks"),
    ("enc-hannah-prenatal-2", "pat-hannah-lindqvist", "2026-08-12T10:30:00Z", "Ambulatory", "Prenatal visit", "finished", "Anatomy ultrasound, 24 weeks"),
    ("enc-hannah-prenatal-3", "pat-hannah-lindqvist", "2026-11-18T09:15:00Z", "Ambulatory", "Prenatal visit", "in-progress", "Routine prenatal check, 38 weeks"),
    ("enc-daniel-annual-2024", "pat-daniel-kowalski", "2024-09-23T08:45:00Z", "Ambulatory", "Annual wellness visit", "finished", "Routine physical examination"),
    ("enc-daniel-telehealth", "pat-daniel-kowalski", "2026-01-14T17:30:00Z", "Virtual", "Telehealth visit", "finished", "Persistent cough for two weeks"),
    ("enc-priya-diabetes-2025", "pat-priya-raman", "2025-03-10T09:00:00Z", "Ambulatory", "Office visit", "finished", "Type 2 diabetes follow-up"),
    ("enc-priya-diabetes-2025b", "pat-priya-raman", "2025-09-08T09:00:00Z", "Ambulatory", "Office visit", "finished", "Type 2 diabetes follow-up, HbA1c review"),
    ("enc-priya-migraine", "pat-priya-raman", "2026-03-02T13:20:00Z", "Virtual", "Telehealth visit", "finished", "Recurrent migraine"),
    ("enc-priya-diabetes-2026", "pat-priya-raman", "2026-09-14T09:00:00Z", "Ambulatory", "Office visit", "finished", "Type 2 diabetes follow-up"),
    ("enc-marcus-chest-pain", "pat-marcus-bell", "2024-07-19T02:40:00Z", "Emergency", "Emergency department visit", "finished", "Chest pain, ruled out myocardial infarction"),
    ("enc-marcus-cardiology", "pat-marcus-bell", "2024-08-06T11:00:00Z", "Ambulatory", "Specialist consultation", "finished", "Hypertension and stress test review"),
    ("enc-marcus-bp-check", "pat-marcus-bell", "2026-07-22T11:15:00Z", "Ambulatory", "Office visit", "finished", "Blood pressure follow-up"),
    ("enc-kenji-colonoscopy", "pat-kenji-watanabe", "2023-10-05T07:30:00Z", "Ambulatory", "Outpatient procedure", "finished", "Screening colonoscopy"),
    ("enc-kenji-annual", "pat-kenji-watanabe", "2025-05-27T10:15:00Z", "Ambulatory", "Annual wellness visit", "finished", "Routine physical, hyperlipidemia review"),
    ("enc-george-pneumonia", "pat-george-abernathy", "2024-01-22T21:10:00Z", "Inpatient", "Hospital admission", "finished", "Community-acquired pneumonia"),
    ("enc-george-post-discharge", "pat-george-abernathy", "2024-02-05T14:00:00Z", "Ambulatory", "Office visit", "finished", "Post-discharge follow-up"),
    ("enc-george-heart-failure", "pat-george-abernathy", "2025-11-04T10:45:00Z", "Ambulatory", "Specialist consultation", "finished", "Chronic heart failure management"),
    ("enc-george-home-health", "pat-george-abernathy", "2026-10-28T15:30:00Z", "Home health", "Home visit", "finished", "Medication reconciliation"),
    ("enc-ruth-hip-fracture", "pat-ruth-adeyemi", "2025-12-09T18:25:00Z", "Inpatient", "Hospital admission", "finished", "Hip fracture after a fall"),
    ("enc-ruth-rehab", "pat-ruth-adeyemi", "2026-01-20T13:00:00Z", "Ambulatory", "Physical therapy", "finished", "Post-operative hip rehabilitation"),
];

impl Default for BuiltinDirectory {
    fn default() -> Self {
        Self::as_of(today())
    }
}

impl BuiltinDirectory {
    /// Ages are relative to `today` (`(year, month, day)`) so tests can pin
    /// them; `Default` uses the real date.
    fn as_of(today: (i64, u32, u32)) -> Self {
        let patients = PATIENTS
            .iter()
            .map(|&(id, name, gender, birth, mrn)| PersonSummary {
                id: id.into(),
                resource_type: "Patient",
                name: name.into(),
                gender: gender.into(),
                birth_date: Some(birth.into()),
                mrn: Some(mrn.into()),
                detail: parse_date(birth)
                    .map(|b| age_label(b, today))
                    .unwrap_or_default(),
            })
            .collect();
        let practitioners = PRACTITIONERS
            .iter()
            .map(|&(id, name, gender, specialty)| PersonSummary {
                id: id.into(),
                resource_type: "Practitioner",
                name: name.into(),
                gender: gender.into(),
                birth_date: None,
                mrn: None,
                detail: specialty.into(),
            })
            .collect();
        let mut encounters: Vec<EncounterSummary> = ENCOUNTERS
            .iter()
            .map(
                |&(id, patient_id, start, class, kind, status, reason)| EncounterSummary {
                    id: id.into(),
                    patient_id: patient_id.into(),
                    start: start.into(),
                    class_display: class.into(),
                    type_display: kind.into(),
                    status: status.into(),
                    reason: reason.into(),
                },
            )
            .collect();
        encounters.sort_by(|a, b| b.start.cmp(&a.start));
        Self {
            patients,
            practitioners,
            encounters,
        }
    }
}

impl Directory for BuiltinDirectory {
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
        self.encounters
            .iter()
            .filter(|e| e.patient_id == patient_id)
            .cloned()
            .collect()
    }

    fn encounter(&self, id: &str) -> Option<EncounterSummary> {
        self.encounters.iter().find(|e| e.id == id).cloned()
    }
}

pub(crate) fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut parts = s.splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.get(..2)?.parse().ok()?;
    Some((y, m, d))
}

fn naive((y, m, d): (i64, u32, u32)) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Infants are described in weeks or months because "Age 0" tells a
/// clinician nothing.
pub(crate) fn age_label(birth: (i64, u32, u32), today: (i64, u32, u32)) -> String {
    let (Some(b), Some(t)) = (naive(birth), naive(today)) else {
        return String::new();
    };
    let days = (t - b).num_days();
    let mut months = (today.0 - birth.0) * 12 + i64::from(today.1) - i64::from(birth.1);
    if today.2 < birth.2 {
        months -= 1;
    }
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if days < 0 {
        String::new()
    } else if days < 28 {
        if days < 14 {
            format!("{} old", plural(days, "day"))
        } else {
            format!("{} old", plural(days / 7, "week"))
        }
    } else if months < 24 {
        format!("{} old", plural(months.max(1), "month"))
    } else {
        format!("Age {}", months / 12)
    }
}

pub(crate) fn today() -> (i64, u32, u32) {
    use chrono::Datelike;
    let d = chrono::Utc::now().date_naive();
    (i64::from(d.year()), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> BuiltinDirectory {
        BuiltinDirectory::as_of((2026, 11, 22))
    }

    #[test]
    fn lookups_find_known_ids_and_reject_unknown() {
        let d = dir();
        assert_eq!(d.patients().len(), 10);
        assert_eq!(d.practitioners().len(), 4);
        let p = d.patient("pat-leo-marchetti").unwrap();
        assert_eq!(p.name, "Leo Marchetti");
        assert_eq!(p.resource_type, "Patient");
        assert_eq!(p.mrn.as_deref(), Some("MRN-100234"));
        let dr = d.practitioner("prac-samuel-osei").unwrap();
        assert_eq!(dr.resource_type, "Practitioner");
        assert_eq!(dr.detail, "Pediatrics");
        assert!(d.patient("prac-samuel-osei").is_none());
        assert!(d.practitioner("pat-leo-marchetti").is_none());
        assert!(d.patient("").is_none());
        let e = d.encounter("enc-sofia-ankle").unwrap();
        assert_eq!(e.patient_id, "pat-sofia-reyes");
        assert!(d.encounter("nope").is_none());
        assert!(d.encounters("nope").is_empty());
    }

    #[test]
    fn ids_are_unique_and_url_safe() {
        let d = dir();
        let mut ids: Vec<String> = d
            .patients()
            .into_iter()
            .chain(d.practitioners())
            .map(|p| p.id)
            .chain(ENCOUNTERS.iter().map(|e| e.0.to_string()))
            .collect();
        for id in &ids {
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id}"
            );
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn every_encounter_belongs_to_a_patient_and_every_patient_has_one() {
        let d = dir();
        for e in &d.encounters {
            assert!(d.patient(&e.patient_id).is_some(), "{}", e.id);
        }
        for p in d.patients() {
            let n = d.encounters(&p.id).len();
            assert!((1..=4).contains(&n), "{} has {n} encounters", p.id);
        }
    }

    #[test]
    fn encounters_are_most_recent_first_and_not_before_birth() {
        let d = dir();
        for p in d.patients() {
            let list = d.encounters(&p.id);
            assert!(list.windows(2).all(|w| w[0].start > w[1].start), "{}", p.id);
            let birth = p.birth_date.unwrap();
            assert!(list.iter().all(|e| e.start[..10] >= birth[..]));
            assert!(list
                .iter()
                .all(|e| e.start.ends_with('Z') && e.start.len() == 20));
        }
    }

    #[test]
    fn population_covers_all_ages_and_both_genders() {
        let d = dir();
        let details: Vec<String> = d.patients().into_iter().map(|p| p.detail).collect();
        assert_eq!(details[0], "2 weeks old");
        assert_eq!(details[1], "Age 6");
        assert_eq!(details[2], "Age 15");
        assert_eq!(details[9], "Age 89");
        let genders: Vec<String> = d.patients().into_iter().map(|p| p.gender).collect();
        assert!(genders.iter().any(|g| g == "female") && genders.iter().any(|g| g == "male"));
    }

    #[test]
    fn age_labels() {
        assert_eq!(age_label((2026, 11, 20), (2026, 11, 22)), "2 days old");
        assert_eq!(age_label((2026, 11, 21), (2026, 11, 22)), "1 day old");
        assert_eq!(age_label((2026, 5, 22), (2026, 11, 21)), "5 months old");
        assert_eq!(age_label((2020, 11, 23), (2026, 11, 22)), "Age 5");
        assert_eq!(age_label((2020, 11, 22), (2026, 11, 22)), "Age 6");
        assert_eq!(age_label((2027, 1, 1), (2026, 11, 22)), "");
    }
}
