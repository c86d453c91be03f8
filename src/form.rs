//! `application/x-www-form-urlencoded` parsing (URL Standard §5.1, used for
//! query strings and form bodies), strictly: a name or value that is not
//! UTF-8 once percent-decoded is refused. The lenient parsers replace such
//! bytes with U+FFFD, which silently changes a `client_id`, a `state` that
//! must come back byte-equal, or a search value; a client that sent
//! Latin-1 or truncated UTF-8 should be told instead.

use std::fmt;

/// Where a form stopped being UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// The pair's position, from 1.
    pub pair: usize,
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "parameter #{} is not UTF-8 once percent-decoded; encode text as UTF-8",
            self.pair
        )
    }
}

impl std::error::Error for NotUtf8 {}

/// The name/value pairs of `input`, in order. As in the URL Standard,
/// empty sequences between `&` are skipped, a pair without `=` has an empty
/// value, `+` is a space, and a `%` not followed by two hex digits stays
/// as it is.
pub fn parse(input: &[u8]) -> Result<Vec<(String, String)>, NotUtf8> {
    input
        .split(|&b| b == b'&')
        .filter(|seq| !seq.is_empty())
        .enumerate()
        .map(|(i, seq)| {
            let (name, value) = match seq.iter().position(|&b| b == b'=') {
                Some(eq) => (&seq[..eq], &seq[eq + 1..]),
                None => (seq, &[][..]),
            };
            let not_utf8 = || NotUtf8 { pair: i + 1 };
            Ok((
                decode(name).ok_or_else(not_utf8)?,
                decode(value).ok_or_else(not_utf8)?,
            ))
        })
        .collect()
}

/// Percent-decodes one name or value (`+` is a space); `None` unless the
/// result is UTF-8.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn url_standard_cases() {
        assert_eq!(parse(b"").unwrap(), pairs(&[]));
        assert_eq!(
            parse(b"a=1&&b&c=x+y%2Bz&=v&d=%zz%4").unwrap(),
            pairs(&[
                ("a", "1"),
                ("b", ""),
                ("c", "x y+z"),
                ("", "v"),
                ("d", "%zz%4")
            ])
        );
        assert_eq!(parse(b"k=a=b").unwrap(), pairs(&[("k", "a=b")]));
        assert_eq!(parse("é=ü".as_bytes()).unwrap(), pairs(&[("é", "ü")]));
    }

    #[test]
    fn refuses_what_is_not_utf8() {
        assert_eq!(parse(b"a=1&b=%FF%FE"), Err(NotUtf8 { pair: 2 }));
        assert_eq!(parse(b"%C0%AF=x"), Err(NotUtf8 { pair: 1 }));
        assert_eq!(parse(b"a=abc%E2%82"), Err(NotUtf8 { pair: 1 }));
        assert_eq!(parse(b"a=\xff"), Err(NotUtf8 { pair: 1 }));
        assert!(parse(b"a=%FF").unwrap_err().to_string().contains("#1"));
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let b = prop_oneof![
            Just(b'%'),
            Just(b'F'),
            Just(b'E'),
            Just(b'C'),
            Just(b'8'),
            Just(b'a'),
            Just(b'='),
            Just(b'&'),
            Just(b'+'),
            any::<u8>()
        ];
        prop::collection::vec(b, 0..40)
    }

    proptest! {
        #[test]
        fn never_panics(input in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&input);
        }

        /// Whatever the `url` crate serializes comes back exactly.
        #[test]
        fn round_trips(v in prop::collection::vec((any::<String>(), any::<String>()), 0..6)) {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&v)
                .finish();
            prop_assert_eq!(parse(encoded.as_bytes()).unwrap(), v);
        }

        /// The lenient parser's pairs, or an error exactly where it would
        /// have put U+FFFD in place of bytes.
        #[test]
        fn is_the_lenient_parser_without_replacement(input in bytes()) {
            let lenient: Vec<(String, String)> =
                url::form_urlencoded::parse(&input).into_owned().collect();
            match parse(&input) {
                Ok(strict) => prop_assert_eq!(strict, lenient),
                Err(_) => {
                    let replaced = lenient
                        .iter()
                        .any(|(k, v)| k.contains('\u{FFFD}') || v.contains('\u{FFFD}'));
                    prop_assert!(replaced, "refused without a replacement: {:?}", input);
                }
            }
        }
    }
}
