//! The `Prefer` request header (RFC 7240) as FHIR R4 uses it:
//! `return=minimal|representation|OperationOutcome` for writes (R4
//! §3.1.0.8.1) and `handling=strict|lenient` for searches (R4 §3.1.1.3.1).
//! Preferences are advisory: anything unknown or malformed is ignored, never
//! an error. Both `,` and `;` separate preferences, as clients commonly
//! send `return=minimal; handling=strict`.

use super::write::Return;

/// What the client prefers; `None`/`false` when it did not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prefer {
    pub ret: Option<Return>,
    pub strict: bool,
}

/// Reads every `Prefer` header value; a later preference wins.
pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Prefer {
    let mut out = Prefer::default();
    for pref in values.into_iter().flat_map(|v| v.split([',', ';'])) {
        let (name, value) = pref.split_once('=').unwrap_or((pref, ""));
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "return" => {
                let ret = match value {
                    "minimal" => Some(Return::Minimal),
                    "representation" => Some(Return::Representation),
                    "OperationOutcome" => Some(Return::OperationOutcome),
                    _ => None,
                };
                out.ret = ret.or(out.ret);
            }
            "handling" => match value {
                "strict" => out.strict = true,
                "lenient" => out.strict = false,
                _ => {}
            },
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fhir_preferences() {
        let p = parse(["return=minimal; handling=strict"]);
        assert_eq!(p.ret, Some(Return::Minimal));
        assert!(p.strict);
        let p = parse(["respond-async", "return = \"OperationOutcome\""]);
        assert_eq!(p.ret, Some(Return::OperationOutcome));
        assert!(!p.strict);
        assert_eq!(
            parse(["return=minimalist, handling=strictly"]),
            Prefer::default()
        );
        assert_eq!(
            parse(["handling=strict, handling=lenient"]),
            Prefer::default()
        );
    }

    fn preference() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("return=minimal".to_string()),
            Just("return=representation".to_string()),
            Just("return=OperationOutcome".to_string()),
            Just("handling=strict".to_string()),
            Just("handling=lenient".to_string()),
            "[a-z-]{1,8}(=[a-z\"]{0,8})?",
        ]
    }

    proptest! {
        #[test]
        fn never_panics(v in any::<String>()) {
            let _ = parse([v.as_str()]);
        }

        /// The last `return` and `handling` sent win, however spaced,
        /// separated or mixed with unknown preferences.
        #[test]
        fn last_known_preference_wins(
            prefs in prop::collection::vec(preference(), 0..6),
            sep in prop_oneof![Just(","), Just(";"), Just(" , "), Just(";  ")],
        ) {
            let header = prefs.join(sep);
            let p = parse([header.as_str()]);
            let last = |name: &str, known: &[&str]| {
                prefs.iter().rev().find_map(|x| {
                    x.strip_prefix(name).filter(|v| known.contains(v)).map(str::to_string)
                })
            };
            let ret = last("return=", &["minimal", "representation", "OperationOutcome"])
                .map(|v| match v.as_str() {
                    "minimal" => Return::Minimal,
                    "representation" => Return::Representation,
                    _ => Return::OperationOutcome,
                });
            prop_assert_eq!(p.ret, ret);
            let handling = last("handling=", &["strict", "lenient"]);
            prop_assert_eq!(p.strict, handling.as_deref() == Some("strict"));
        }
    }
}
