//! The request matrix: every route × hostile path segments, query strings,
//! methods and bodies. Each case carries its expectation, derived from what
//! the route reads (`routes::Route`), so a harmless variant (an unknown
//! parameter where nobody reads the query) must keep the baseline's answer
//! and a client mistake must be a 4xx, never the other way round.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::raw::Request;
use super::routes::{Family, Route};

/// The longest accepted request target (`http::limits::MAX_URI`).
pub const MAX_URI: usize = smart_sandbox::http::limits::MAX_URI;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// 2xx or 3xx: the variant is harmless for this route.
    Fine,
    /// A 4xx with a message in the route family's shape.
    Client,
    /// Exactly this status, with a message.
    Status(u16),
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub family: Family,
    pub req: Request,
    pub expect: Expect,
}

/// What the untouched route answers.
pub fn baseline(r: &Route) -> Expect {
    if r.baseline_ok {
        Expect::Fine
    } else {
        Expect::Client
    }
}

/// `harmless` when the variant does not matter to this route.
pub fn unless(r: &Route, harmful: bool) -> Expect {
    if harmful {
        Expect::Client
    } else {
        baseline(r)
    }
}

pub fn case(r: &Route, what: &str, req: Request, expect: Expect) -> Case {
    Case {
        name: format!("{} [{}]: {what}", r.name, r.method),
        family: r.family,
        req,
        expect,
    }
}

/// Hostile values for any path segment (raw, as they go on the wire).
pub const SEGMENTS: &[(&str, &str)] = &[
    ("invalid UTF-8", "%FF%FE"),
    ("overlong UTF-8 slash", "%C0%AF"),
    ("encoded traversal", "..%2F..%2Fetc%2Fpasswd"),
    ("encoded dot-dot", "%2e%2e"),
    ("encoded backslash traversal", "..%5C..%5Cwin.ini"),
    ("raw backslash traversal", "..\\..\\win.ini"),
    ("NUL byte", "a%00b"),
    ("CRLF header injection", "a%0D%0ASet-Cookie:%20x=1"),
    ("HTML", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
];

/// Hostile `{sim}` values: launch options that do not decode, and a valid
/// value with whitespace around it (which would end up in `Location`).
fn sim_values(valid: &str) -> Vec<(&'static str, String)> {
    let b = |s: &str| URL_SAFE_NO_PAD.encode(s);
    vec![
        ("valid value, then CRLF", format!("{valid}%0D%0A")),
        ("valid value, then a tab", format!("%09{valid}%09")),
        ("truncated base64", "WzAsInBh".into()),
        ("not base64", "%40%40%40".into()),
        ("base64 of a JSON string", b("\"provider-ehr\"")),
        ("base64 of truncated JSON", b("[0,\"pat")),
        (
            "base64 of binary",
            URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00, 0x80]),
        ),
        ("deeply nested launch JSON", b(&"[".repeat(3000))),
    ]
}

pub fn path_cases(r: &Route) -> Vec<Case> {
    let mut out = Vec::new();
    let last = r.slots.last().map(|(name, _)| *name);
    for (slot, valid) in &r.slots {
        let mut values: Vec<(String, String)> = SEGMENTS
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        values.push(("oversized (4 KiB)".into(), "x".repeat(4096)));
        if *slot == "sim" {
            values.extend(
                sim_values(valid)
                    .into_iter()
                    .map(|(n, v)| (n.to_string(), v)),
            );
        }
        if r.long && *slot == "sim" {
            // One over `launch::codec::MAX_LEN`.
            let over = "A".repeat(16 * 1024 + 1);
            values.push(("launch value over its cap".into(), over));
        }
        // One costly path per route: a `{sim}` route has the long sim.
        let has_sim = r.slots.iter().any(|(n, _)| *n == "sim");
        if r.long && !has_sim && Some(*slot) == last {
            let short = r.target(&r.path_with(Some((slot, ""))), &r.query).len();
            let fill = MAX_URI.saturating_sub(short + 1);
            values.push(("just under the URL cap".into(), "y".repeat(fill)));
        }
        for (what, raw) in values {
            let mut req = r.request();
            req.target = r.target(&r.path_with(Some((slot, &raw))), &r.query);
            out.push(case(
                r,
                &format!("{{{slot}}} = {what}"),
                req,
                Expect::Client,
            ));
        }
    }
    out
}

pub fn query_cases(r: &Route) -> Vec<Case> {
    let path = r.path_with(None);
    let with = |extra: &[(&str, &str)]| {
        let mut q = r.query.clone();
        q.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut req = r.request();
        req.target = r.target(&path, &q);
        req
    };
    let base_len = r.target(&path, &r.query).len();
    let under = "u".repeat(MAX_URI.saturating_sub(base_len + 20));
    let over = "o".repeat(MAX_URI + 10);
    let mut out = vec![
        case(
            r,
            "unknown parameter",
            with(&[("zz_unknown", "1")]),
            baseline(r),
        ),
        case(
            r,
            "invalid UTF-8 in an unknown parameter",
            with(&[("zz_unknown", "%FF%FE")]),
            unless(r, r.reads_query),
        ),
        case(
            r,
            "invalid UTF-8 in a parameter name",
            with(&[("zz%FF", "1")]),
            unless(r, r.reads_query),
        ),
        case(
            r,
            "malformed percent-encoding",
            with(&[("zz", "%ZZ%G1%")]),
            baseline(r),
        ),
        // `=&==` sends the empty name twice: authorize refuses a repeated
        // parameter (RFC 6749 §3.1); FHIR and pages ignore unknown ones.
        case(
            r,
            "empty pairs and separators",
            with(&[("", ""), ("", "=")]),
            unless(r, r.family == Family::Authorize && r.reads_query),
        ),
        case(
            r,
            "a value just under the URL cap",
            with(&[("zz", &under)]),
            baseline(r),
        ),
        case(
            r,
            "a value over the URL cap",
            with(&[("zz", &over)]),
            Expect::Status(414),
        ),
    ];
    if r.family == Family::Authorize && r.reads_query {
        // The `launch` parameter carries the same options as `{sim}`.
        for (what, v) in [("truncated base64", "WzAsInBh"), ("not base64", "%40%40")] {
            let req = with(&[("launch", v)]);
            out.push(case(r, &format!("{what} `launch`"), req, Expect::Client));
        }
    }
    if let Some(key) = r.key_param {
        let replaced = |value: &str| {
            let q: Vec<(String, String)> = r
                .query
                .iter()
                .map(|(k, v)| {
                    let v = if k == key {
                        value.to_string()
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect();
            let mut req = r.request();
            req.target = r.target(&path, &q);
            req
        };
        out.push(case(
            r,
            &format!("invalid UTF-8 in `{key}`"),
            replaced("%FF%FE"),
            Expect::Client,
        ));
        out.push(case(
            r,
            &format!("truncated UTF-8 in `{key}`"),
            replaced("abc%E2%82"),
            Expect::Client,
        ));
        let value = r
            .query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone());
        let repeated = with(&[(key, value.as_deref().unwrap_or(""))]);
        // FHIR search repeats a parameter to AND it; elsewhere a repeated
        // parameter is ambiguous (RFC 6749 §3.1) and refused.
        let expect = unless(r, r.family != Family::Fhir);
        out.push(case(r, &format!("`{key}` repeated"), repeated, expect));
    }
    out
}

pub fn method_cases(r: &Route) -> Vec<Case> {
    let mut out = Vec::new();
    for m in [r.wrong_method, "BREW"] {
        let mut req = r.request();
        req.method = m.to_string();
        out.push(case(r, &format!("method {m}"), req, Expect::Client));
    }
    out
}

/// Every case of the request matrix for `r`.
pub fn all(r: &Route) -> Vec<Case> {
    let mut out = path_cases(r);
    out.extend(query_cases(r));
    out.extend(method_cases(r));
    out.extend(super::bodies::body_cases(r));
    out
}
