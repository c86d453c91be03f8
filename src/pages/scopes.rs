//! Plain-language descriptions of SMART scopes for the consent screen.
//!
//! People approving access should not need to know SMART scope grammar, so
//! each scope becomes one sentence. Anything not understood is shown raw
//! rather than guessed at.

/// Describes a SMART v1 or v2 scope in plain words.
pub fn explain_scope(scope: &str) -> String {
    match scope {
        "openid" | "fhirUser" | "profile" => return "Know who you are".into(),
        "launch" => {
            return "Use the context the EHR opened it with (such as the current patient or encounter)"
                .into()
        }
        "launch/patient" => return "Know which patient record is selected".into(),
        "launch/encounter" => return "Know which encounter (visit) is selected".into(),
        "offline_access" => return "Keep access after you close the app".into(),
        "online_access" => return "Keep access while you are signed in".into(),
        _ => {}
    }
    resource_scope(scope).unwrap_or_else(|| format!("Access: {scope}"))
}

/// `<context>/<resource>.<permissions>[?<query>]`
fn resource_scope(scope: &str) -> Option<String> {
    let (main, query) = match scope.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (scope, None),
    };
    let (context, rest) = main.split_once('/')?;
    let (resource, perms) = rest.split_once('.')?;
    let verbs = permissions(perms)?;
    let valid_resource = resource == "*"
        || (resource.starts_with(|c: char| c.is_ascii_uppercase())
            && resource.chars().all(|c| c.is_ascii_alphanumeric()));
    if !valid_resource {
        return None;
    }
    let (noun, examples) = if resource == "*" {
        (None, None)
    } else {
        let (noun, examples) = describe_resource(resource);
        (Some(noun), examples)
    };
    let target = match (context, noun) {
        ("patient", None) => "all of your data".to_string(),
        ("user", None) => "all data you can access".to_string(),
        ("system", None) => "all data on the server".to_string(),
        ("patient", Some(n)) => format!("your {n}"),
        ("user", Some(n)) => format!("{n} you can access"),
        ("system", Some(n)) => format!("all {n} on the server"),
        _ => return None,
    };
    let mut text = format!("{} {target}", join_words(&verbs));
    match query.map(describe_query) {
        Some(Some(limit)) => {
            text.push_str(", limited to ");
            text.push_str(&limit);
        }
        Some(None) => return None,
        // Examples would contradict a narrowing query, so only show them
        // for the unconstrained scope.
        None => {
            if let Some(ex) = examples {
                text.push_str(&format!(" ({ex})"));
            }
        }
    }
    Some(text)
}

/// Verbs in SMART order; `None` for anything malformed so the caller falls
/// back to showing the raw scope.
fn permissions(perms: &str) -> Option<Vec<&'static str>> {
    const ALL: [&str; 5] = ["Create", "read", "update", "delete", "search"];
    match perms {
        // SMART v1: read covered search, write covered create/update/delete.
        "read" => return Some(vec!["Read", "search"]),
        "write" => return Some(vec!["Create", "update", "delete"]),
        "*" => return Some(ALL.to_vec()),
        _ => {}
    }
    if perms.is_empty() {
        return None;
    }
    let mut verbs = Vec::new();
    let mut next = 0;
    for c in perms.chars() {
        let pos = "cruds".find(c)?;
        if pos < next {
            return None; // out of order or repeated
        }
        verbs.push(ALL[pos]);
        next = pos + 1;
    }
    Some(verbs)
}

/// "Create", "read", "search" -> "Create, read and search" (first word capitalised).
fn join_words(verbs: &[&str]) -> String {
    let words: Vec<String> = verbs
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if i == 0 {
                let mut c = v.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            } else {
                v.to_lowercase()
            }
        })
        .collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Plural noun phrase and optional everyday examples.
fn describe_resource(resource: &str) -> (String, Option<&'static str>) {
    let known: Option<(&str, Option<&'static str>)> = match resource {
        "Patient" => Some((
            "patient details",
            Some("name, birth date, contact information"),
        )),
        "Observation" => Some(("observations", Some("lab results, vital signs"))),
        "Condition" => Some(("conditions", Some("diagnoses, health problems"))),
        "AllergyIntolerance" => Some(("allergies and intolerances", None)),
        "MedicationRequest" => Some(("medication requests", Some("prescriptions"))),
        "MedicationStatement" => Some(("medication statements", Some("medicines taken"))),
        "MedicationDispense" => Some(("medication dispenses", Some("pharmacy fills"))),
        "MedicationAdministration" => Some(("medication administrations", None)),
        "Medication" => Some(("medications", None)),
        "Immunization" => Some(("immunizations", Some("vaccines"))),
        "Procedure" => Some(("procedures", Some("surgeries, treatments"))),
        "Encounter" => Some(("encounters", Some("visits, hospital stays"))),
        "DiagnosticReport" => Some(("diagnostic reports", Some("lab and imaging reports"))),
        "DocumentReference" => Some(("documents", Some("clinical notes, scanned files"))),
        "Binary" => Some(("files", None)),
        "CarePlan" => Some(("care plans", None)),
        "CareTeam" => Some(("care teams", None)),
        "Goal" => Some(("health goals", None)),
        "ServiceRequest" => Some(("orders and referrals", None)),
        "Appointment" => Some(("appointments", None)),
        "Coverage" => Some(("insurance coverage", None)),
        "ExplanationOfBenefit" => Some(("claims and benefits", None)),
        "FamilyMemberHistory" => Some(("family health history", None)),
        "Device" => Some(("devices", Some("implants, equipment"))),
        "QuestionnaireResponse" => Some(("questionnaire answers", None)),
        "Questionnaire" => Some(("questionnaires", None)),
        "Practitioner" => Some(("practitioners", Some("clinicians' names and details"))),
        "PractitionerRole" => Some(("practitioner roles", None)),
        "Organization" => Some(("organizations", None)),
        "Location" => Some(("locations", None)),
        "RelatedPerson" => Some(("related people", Some("family members, caregivers"))),
        "Provenance" => Some(("record history", None)),
        _ => None,
    };
    match known {
        Some((noun, ex)) => (noun.to_string(), ex),
        None => (format!("{} records", split_camel(resource)), None),
    }
}

/// `MolecularSequence` -> `molecular sequence`.
fn split_camel(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// `category=http://...|laboratory&code=x` -> `category "laboratory" and code "x"`.
/// `None` if the query is malformed.
fn describe_query(query: &str) -> Option<String> {
    let mut parts = Vec::new();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=')?;
        let name = percent_decode(name)?;
        let value = percent_decode(value)?;
        if name.is_empty() || value.is_empty() {
            return None;
        }
        let values: Vec<String> = value
            .split(',')
            .map(|v| {
                // Show the code, not the code system URL.
                let code = v.rsplit_once('|').map_or(v, |(_, c)| c);
                format!("\u{201c}{}\u{201d}", code.replace('-', " "))
            })
            .collect();
        let label = match name.as_str() {
            "category" => "category".to_string(),
            other => split_camel(other).replace(['_', '-', ':'], " "),
        };
        parts.push(format!("{label} {}", values.join(" or ")));
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join(" and "))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::explain_scope as e;

    #[test]
    fn identity_and_launch_scopes() {
        assert_eq!(e("openid"), "Know who you are");
        assert_eq!(e("fhirUser"), "Know who you are");
        assert_eq!(e("profile"), "Know who you are");
        assert_eq!(e("offline_access"), "Keep access after you close the app");
        assert_eq!(e("online_access"), "Keep access while you are signed in");
        assert!(e("launch").contains("context"));
        assert_eq!(e("launch/patient"), "Know which patient record is selected");
        assert_eq!(
            e("launch/encounter"),
            "Know which encounter (visit) is selected"
        );
    }

    #[test]
    fn v2_resource_scopes() {
        assert_eq!(
            e("patient/Observation.rs"),
            "Read and search your observations (lab results, vital signs)"
        );
        assert_eq!(
            e("user/*.cruds"),
            "Create, read, update, delete and search all data you can access"
        );
        assert_eq!(e("patient/*.r"), "Read all of your data");
        assert_eq!(
            e("system/Patient.s"),
            "Search all patient details on the server (name, birth date, contact information)"
        );
        assert_eq!(
            e("user/Condition.cu"),
            "Create and update conditions you can access (diagnoses, health problems)"
        );
        assert_eq!(
            e("patient/MolecularSequence.r"),
            "Read your molecular sequence records"
        );
    }

    #[test]
    fn v1_resource_scopes() {
        assert_eq!(
            e("patient/Observation.read"),
            "Read and search your observations (lab results, vital signs)"
        );
        assert_eq!(
            e("user/Encounter.write"),
            "Create, update and delete encounters you can access (visits, hospital stays)"
        );
        assert_eq!(
            e("patient/*.*"),
            "Create, read, update, delete and search all of your data"
        );
    }

    #[test]
    fn query_constraints_are_mentioned() {
        assert_eq!(
            e("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory"),
            "Read and search your observations, limited to category \u{201c}laboratory\u{201d}"
        );
        assert_eq!(
            e("patient/Observation.rs?category=vital-signs"),
            "Read and search your observations, limited to category \u{201c}vital signs\u{201d}"
        );
        assert_eq!(
            e("user/Condition.r?category=problem-list-item%7Cencounter-diagnosis&clinical-status=active"),
            "Read conditions you can access, limited to category \u{201c}encounter diagnosis\u{201d} and clinical status \u{201c}active\u{201d}"
        );
    }

    #[test]
    fn unknown_or_malformed_scopes_are_shown_raw() {
        for s in [
            "smart/orchestrate_launch",
            "patient/Observation.rr",
            "patient/Observation.sr",
            "patient/Observation.x",
            "patient/Observation.",
            "patient/observation.rs",
            "group/Observation.rs",
            "patient/Observation.rs?",
            "patient/Observation.rs?category",
            "patient/Obs<b>.rs",
            "",
        ] {
            assert_eq!(e(s), format!("Access: {s}"), "{s}");
        }
    }
}
