//! Display helpers called from the templates. They live here rather than in
//! `directory` because they are presentation choices, not data.

use crate::directory::{EncounterSummary, PersonSummary};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2020-06-12` -> `12 Jun 2020`; anything unexpected is shown as given,
/// because a raw date beats a blank.
pub(crate) fn human_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
    if let [y, m, d] = parts.as_slice() {
        if let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>()) {
            if (1..=12).contains(&m) && y.len() == 4 {
                return format!("{d} {} {y}", MONTHS[m - 1]);
            }
        }
    }
    iso.to_string()
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl PersonSummary {
    pub fn gender_display(&self) -> String {
        capitalized(&self.gender)
    }

    pub fn birth_date_display(&self) -> String {
        self.birth_date
            .as_deref()
            .map(human_date)
            .unwrap_or_default()
    }

    /// Lower-cased text the client-side filter matches against. Gender and
    /// age are left out so that typing "ma" finds Marcus, not every male.
    pub fn search_text(&self) -> String {
        [
            self.name.clone(),
            self.mrn.clone().unwrap_or_default(),
            self.birth_date.clone().unwrap_or_default(),
            self.birth_date_display(),
        ]
        .join(" ")
        .to_lowercase()
    }
}

impl EncounterSummary {
    /// `2026-06-15T13:45:00Z` -> `15 Jun 2026, 13:45 UTC`.
    pub fn start_display(&self) -> String {
        let date = human_date(&self.start);
        match self.start.get(11..16) {
            Some(time) if self.start.as_bytes().get(13) == Some(&b':') => {
                let zone = if self.start.ends_with('Z') {
                    " UTC"
                } else {
                    ""
                };
                format!("{date}, {time}{zone}")
            }
            _ => date,
        }
    }

    pub fn status_display(&self) -> String {
        capitalized(&self.status.replace('-', " "))
    }

    /// CSS modifier so an encounter still in progress stands out.
    pub fn status_class(&self) -> &'static str {
        match self.status.as_str() {
            "in-progress" | "arrived" | "triaged" | "onleave" => "status-active",
            "cancelled" | "entered-in-error" => "status-inactive",
            _ => "status-done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(human_date("2020-06-12"), "12 Jun 2020");
        assert_eq!(human_date("2026-11-08T04:12:00Z"), "8 Nov 2026");
        assert_eq!(human_date("garbage"), "garbage");
        assert_eq!(human_date("2020-13-01"), "2020-13-01");
        let e = EncounterSummary {
            id: "e".into(),
            patient_id: "p".into(),
            start: "2026-06-15T13:45:00Z".into(),
            class_display: "Ambulatory".into(),
            type_display: "Visit".into(),
            status: "in-progress".into(),
            reason: String::new(),
        };
        assert_eq!(e.start_display(), "15 Jun 2026, 13:45 UTC");
        assert_eq!(e.status_display(), "In progress");
        assert_eq!(e.status_class(), "status-active");
    }
}
