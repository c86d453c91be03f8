//! FHIR JSON and format negotiation (R4 §3.1.0.1.9 "Content Types and
//! encodings"; `_format` overrides `Accept`). This server speaks JSON only:
//! anything else a client insists on is a 406.

/// The media types (and the `_format` shorthand `json`) that mean FHIR JSON.
const JSON: &[&str] = &[
    "json",
    "application/json",
    "application/fhir+json",
    "application/json+fhir",
    "text/json",
];

/// One member of a media-type list (`Accept`, `_format`): its type
/// before any parameters, trimmed and lowercased.
fn member(m: &str) -> String {
    m.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A FHIR JSON media type (an essence, as `Content-Type` gives it).
pub fn is_fhir_json(essence: &str) -> bool {
    essence != "json" && JSON.contains(&essence)
}

/// Whether the answer can be FHIR JSON: `_format` when given, else
/// `Accept` (absent, a wildcard, or a JSON type). `Err` is the 406 message.
pub fn negotiate(format: Option<&str>, accept: &str) -> Result<(), String> {
    const ONLY: &str = "this server speaks FHIR JSON only (application/fhir+json)";
    if let Some(f) = format {
        return if JSON.contains(&member(f).as_str()) {
            Ok(())
        } else {
            Err(format!("_format={f} is not supported: {ONLY}"))
        };
    }
    let accept = accept.trim();
    let ok = accept.is_empty()
        || accept
            .split(',')
            .map(member)
            .any(|m| m == "*/*" || m == "application/*" || JSON.contains(&m.as_str()));
    if ok {
        Ok(())
    } else {
        Err(format!("Accept: {accept} cannot be served: {ONLY}"))
    }
}

/// Whether the client named JSON explicitly (`_format` or `Accept`), as a
/// Binary read needs to choose the resource over its native bytes.
pub fn asks_for_json(format: Option<&str>, accept: &str) -> bool {
    format
        .into_iter()
        .chain(accept.split(','))
        .any(|m| JSON.contains(&member(m).as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types() {
        assert!(is_fhir_json("application/fhir+json"));
        assert!(is_fhir_json("text/json"));
        assert!(
            !is_fhir_json("json"),
            "a _format shorthand, not a media type"
        );
        assert!(!is_fhir_json("application/fhir+xml"));
        assert!(!is_fhir_json(""));
    }

    #[test]
    fn format_wins_over_accept() {
        assert_eq!(negotiate(Some("json"), "application/xml"), Ok(()));
        assert_eq!(
            negotiate(Some("Application/FHIR+JSON; fhirVersion=4.0"), ""),
            Ok(())
        );
        let e = negotiate(Some("xml"), "application/fhir+json").unwrap_err();
        assert!(e.starts_with("_format=xml is not supported"), "{e}");
    }

    #[test]
    fn accept_lists() {
        for ok in [
            "",
            "  ",
            "*/*",
            "application/*",
            "text/html, application/json;q=0.5",
        ] {
            assert_eq!(negotiate(None, ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "application/fhir+xml",
            "text/html, image/*",
            ";;;,,,/*/;q=abc",
        ] {
            let e = negotiate(None, bad).unwrap_err();
            assert!(e.starts_with("Accept: "), "{e}");
        }
    }

    #[test]
    fn explicit_json_only() {
        assert!(asks_for_json(Some("json"), ""));
        assert!(asks_for_json(None, "text/plain, application/fhir+json"));
        assert!(!asks_for_json(None, "*/*"));
        assert!(!asks_for_json(None, ""));
        assert!(!asks_for_json(Some("xml"), "application/pdf"));
    }
}
