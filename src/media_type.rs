//! Media types (RFC 9110 §8.3.1: `type "/" subtype *( OWS ";" OWS
//! parameter )`), read the same way for a request's `Content-Type` and for
//! a Binary's stored `contentType`.

/// RFC 9110 §5.6.2 `token` characters.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The essence `type/subtype` of `value`, lowercased and without
/// parameters; `None` unless both halves are tokens.
pub fn essence(value: &str) -> Option<String> {
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (t, s) = essence.split_once('/')?;
    (is_token(t) && is_token(s)).then_some(essence)
}

/// A media type that can be written back as a header value: visible ASCII
/// (and tabs) throughout, and a valid essence.
pub fn is_header_safe(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        && essence(value).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn essences() {
        assert_eq!(
            essence("Application/JSON; charset=bogus").as_deref(),
            Some("application/json")
        );
        assert_eq!(essence("image/svg+xml").as_deref(), Some("image/svg+xml"));
        for bad in [
            "",
            ";;;/;=",
            "json",
            "/json",
            "application/",
            "a b/c",
            "text/é",
        ] {
            assert_eq!(essence(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn header_safe_media_types() {
        for ok in [
            "application/pdf",
            "text/plain; charset=utf-8",
            "image/svg+xml",
        ] {
            assert!(is_header_safe(ok), "{ok}");
        }
        for bad in [
            "",
            "pdf",
            "/pdf",
            "text/",
            "text/html\r\nX-Evil: 1",
            "a b/c",
            "text/é",
            "text/plain; x=é",
        ] {
            assert!(!is_header_safe(bad), "{bad:?}");
        }
    }

    proptest! {
        /// Whatever passes can be written back as a header value.
        #[test]
        fn accepted_values_are_header_safe(s in any::<String>()) {
            if is_header_safe(&s) {
                prop_assert!(s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));
                prop_assert!(s.contains('/'));
            }
        }

        /// An essence is only ever a lowercase `type/subtype` of tokens.
        #[test]
        fn essences_are_tokens(s in any::<String>()) {
            if let Some(e) = essence(&s) {
                let (ty, sub) = e.split_once('/').unwrap();
                prop_assert!(is_token(ty) && is_token(sub), "{e}");
                prop_assert_eq!(e.to_ascii_lowercase(), e);
            }
        }
    }
}
