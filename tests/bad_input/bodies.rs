//! Hostile bodies for the routes that read one: missing, wrong, garbled
//! and non-ASCII content types, bodies that are not UTF-8, deeply nested
//! or wrongly shaped JSON, empty bodies and bodies over the route's cap.

use super::routes::{Family, Route};
use super::variants::{baseline, case, unless, Case, Expect};

/// JSON nested `depth` arrays deep.
pub fn nested_json(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

pub fn body_cases(r: &Route) -> Vec<Case> {
    let Some(b) = &r.body else {
        return Vec::new();
    };
    let with = |ctype: Option<&[u8]>, body: Vec<u8>| {
        let mut req = r.request();
        match ctype {
            Some(c) => req.set("content-type", c),
            None => req.remove("content-type"),
        }
        req.body = body;
        req
    };
    let same = b.content_type.as_bytes();
    let json_type: &[u8] = if r.family == Family::Fhir {
        b"application/fhir+json"
    } else {
        b"application/json"
    };
    let mut bad_utf8 = b.bytes.clone();
    if b.json {
        bad_utf8 = b"{\"a\": \"\xff\xfe\"}".to_vec();
    } else {
        bad_utf8.extend_from_slice(b"&zz=%FF%FE");
    }
    let mut raw_bad = b.bytes.clone();
    if !b.json {
        raw_bad.extend_from_slice(b"&zz=\xff\xfe");
    }
    // For a Binary in its native form, any bytes of any type are content.
    let content = unless(r, !b.any_type);
    let mut out = vec![
        case(
            r,
            "no content type",
            with(None, b.bytes.clone()),
            unless(r, !b.untyped_ok),
        ),
        case(
            r,
            "text/plain",
            with(Some(b"text/plain"), b.bytes.clone()),
            content,
        ),
        case(
            r,
            "garbage content type",
            with(Some(b";;;/;=;"), b.bytes.clone()),
            Expect::Client,
        ),
        case(
            r,
            "non-ASCII content type",
            with(Some(b"application/json\xff"), b.bytes.clone()),
            Expect::Client,
        ),
        case(
            r,
            "charset=bogus",
            with(Some(&[same, b"; charset=bogus"].concat()), b.bytes.clone()),
            baseline(r),
        ),
        case(
            r,
            "garbage content-type parameters",
            with(
                Some(&[same, b"; ;;=;x=\"unterminated"].concat()),
                b.bytes.clone(),
            ),
            baseline(r),
        ),
        case(
            r,
            "invalid UTF-8 (encoded) in the body",
            with(Some(same), bad_utf8),
            content,
        ),
        case(
            r,
            "deeply nested JSON",
            with(Some(json_type), nested_json(5000).into_bytes()),
            Expect::Client,
        ),
        case(
            r,
            "truncated JSON",
            with(Some(json_type), b"{\"resourceType\":".to_vec()),
            Expect::Client,
        ),
        case(
            r,
            "empty body",
            with(Some(same), Vec::new()),
            unless(r, !b.empty_ok),
        ),
        case(
            r,
            "body over the cap",
            with(Some(same), vec![b'a'; b.cap + 1024]),
            if r.baseline_ok {
                Expect::Status(413)
            } else {
                Expect::Client
            },
        ),
    ];
    if !b.json {
        out.push(case(
            r,
            "raw invalid UTF-8 in the body",
            with(Some(same), raw_bad),
            content,
        ));
    }
    for (what, json) in [
        ("array", "[1,2]"),
        ("string", "\"x\""),
        ("number", "42"),
        ("null", "null"),
    ] {
        out.push(case(
            r,
            &format!("JSON {what} body"),
            with(Some(json_type), json.as_bytes().to_vec()),
            Expect::Client,
        ));
    }
    out
}
