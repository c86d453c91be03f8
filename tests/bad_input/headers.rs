//! Hostile values for every request header the server reads (found with
//! `headers().get(` in `src/http` and the middlewares: `Authorization`,
//! `Content-Type`, `Accept`, `Prefer`, `If-Match`, `X-Security-Context`,
//! `X-Request-Id`, `Host` and the forwarding headers, CORS's `Origin` and
//! preflight headers) plus the `_format` parameter, each applied to every
//! route with the expectation its route implies.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;

use super::raw::Request;
use super::routes::{AuthUse, Family, Route};
use super::variants::{baseline, Case, Expect};

/// The header block cap (`http::limits::MAX_HEADERS_BYTES`).
const MAX_HEADERS: usize = smart_sandbox::http::limits::MAX_HEADERS_BYTES;

/// A JWT with `header` and `claims` and a junk signature.
fn jwt(header: serde_json::Value, claims: serde_json::Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

/// Access-token claims as the server mints them, for forgeries.
fn access_claims() -> serde_json::Value {
    json!({"tt": "access", "jti": "x", "iat": 0, "exp": 4_000_000_000u64,
        "grant": {"gid": "g", "client_id": "test-app", "scope": "user/*.cruds",
            "aud": "http://127.0.0.1/v/r4/fhir", "ctx": {}}})
}

/// Forged tokens: `alg: none`, an RS256 token signed with the real test
/// RSA key (the id_token key: an algorithm swap), an HS256 token keyed
/// with the public key's JSON (the classic confusion attack).
fn forged_tokens() -> Vec<(&'static str, String)> {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let pem = std::fs::read_to_string(super::common::test_key_path()).expect("test key");
    let rsa = smart_sandbox::keys::RsaSigner::from_pem(&pem).expect("RSA test key");
    let rs256 = rsa.sign(&access_claims()).expect("RS256 signs");
    let public = serde_json::to_vec(rsa.public_jwk()).unwrap();
    let hs_pub = encode(
        &Header::new(Algorithm::HS256),
        &access_claims(),
        &EncodingKey::from_secret(&public),
    )
    .unwrap();
    vec![
        (
            "alg none",
            jwt(json!({"alg": "none", "typ": "JWT"}), access_claims(), b""),
        ),
        ("alg None, no signature", {
            let t = jwt(json!({"alg": "None"}), access_claims(), b"");
            t.trim_end_matches('.').to_string() + "."
        }),
        ("RS256 signed with the id_token key", rs256),
        ("HS256 keyed with public key material", hs_pub),
        (
            "RS256 header, HS256-shaped body",
            jwt(json!({"alg": "RS256"}), access_claims(), b"sig"),
        ),
        ("three dots of garbage", "a.b.c.d".into()),
        ("only dots", "...".into()),
        (
            "truncated base64 segments",
            "eyJhbGciOiJIUzI1NiJ9.eyJ0dCI6.".into(),
        ),
        (
            "a huge claims segment",
            jwt(
                json!({"alg": "HS256"}),
                json!({"p": "x".repeat(20_000)}),
                b"s",
            ),
        ),
    ]
}

/// `Authorization` values: each a client mistake wherever the header is read.
fn authorizations() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = forged_tokens()
        .into_iter()
        .map(|(n, t)| (format!("Bearer {n}"), format!("Bearer {t}").into_bytes()))
        .collect();
    let basic = |b: &[u8]| [b"Basic ".as_slice(), STANDARD.encode(b).as_bytes()].concat();
    out.extend([
        ("empty Bearer".into(), b"Bearer ".to_vec()),
        ("Bearer without a space".into(), b"Bearer".to_vec()),
        (
            "non-ASCII (obs-text) bytes".into(),
            b"Bearer \xff\xfe\x80".to_vec(),
        ),
        (
            "Basic with bad base64".into(),
            b"Basic %%%not-base64%%%".to_vec(),
        ),
        ("Basic without a colon".into(), basic(b"no-colon-here")),
        (
            "Basic with invalid UTF-8 inside".into(),
            basic(b"\xff\xfe:\xc0"),
        ),
        ("Basic with an empty client id".into(), basic(b":secret")),
        (
            "Basic with percent-encoded invalid UTF-8".into(),
            basic(b"a%FF:b"),
        ),
        ("unknown scheme".into(), b"Digest username=\"x\"".to_vec()),
    ]);
    out
}

fn with(r: &Route, name: &str, value: &[u8]) -> Request {
    let mut req = r.request();
    req.set(name, value);
    req
}

fn case(r: &Route, what: String, req: Request, expect: Expect) -> Case {
    Case {
        name: format!("{} [{}]: {what}", r.name, r.method),
        family: r.family,
        req,
        expect,
    }
}

pub fn authorization_cases(r: &Route) -> Vec<Case> {
    let expect = if r.auth == AuthUse::None {
        baseline(r)
    } else {
        Expect::Client
    };
    let mut out: Vec<Case> = authorizations()
        .into_iter()
        .map(|(what, v)| {
            let req = with(r, "authorization", &v);
            case(r, format!("Authorization: {what}"), req, expect)
        })
        .collect();
    let huge = [b"Bearer ".as_slice(), &vec![b'a'; MAX_HEADERS + 100]].concat();
    out.push(case(
        r,
        "Authorization over the header cap".into(),
        with(r, "authorization", &huge),
        Expect::Status(431),
    ));
    out
}

/// Every other header the server reads.
pub fn other_cases(r: &Route) -> Vec<Case> {
    let fine = baseline(r);
    let negotiated = if r.negotiates { Expect::Client } else { fine };
    // A write with `If-Match` on a resource that does not match is a 412
    // (on a create too: there is no current version to match).
    let conditional = if r.if_match { Expect::Client } else { fine };
    let mut out = Vec::new();
    let mut add = |what: &str, name: &str, value: &[u8], expect: Expect| {
        out.push(case(
            r,
            format!("{name}: {what}"),
            with(r, name, value),
            expect,
        ));
    };
    add("garbage", "accept", b";;;,,,/*/;q=abc", negotiated);
    add("XML only", "accept", b"application/fhir+xml", negotiated);
    add("non-ASCII", "accept", b"\xff\xfe", fine);
    add("empty", "accept", b"", fine);
    if r.body.is_none() {
        add(
            "charset=bogus on a request without a body",
            "content-type",
            b"text/html; charset=bogus",
            fine,
        );
        add(
            "garbage on a request without a body",
            "content-type",
            b";;;/;=",
            fine,
        );
    }
    add("garbage", "prefer", b"return=;;;handling=, ,=,\"", fine);
    add("non-ASCII", "prefer", b"return=minimal\xff", fine);
    add("huge", "prefer", &vec![b'p'; 8000], fine);
    add("garbage", "if-match", b"W/\"not-a-version", conditional);
    add("non-ASCII", "if-match", b"W/\"1\xff\"", conditional);
    add("garbage", "if-none-match", b"*, W/\"x", fine);
    let binary = r.body.as_ref().is_some_and(|b| b.any_type);
    let labels = if binary { Expect::Client } else { fine };
    add("non-ASCII", "x-security-context", b"Patient/\xff", labels);
    add(
        "HTML",
        "x-security-context",
        b"\"><script>alert(1)</script>",
        fine,
    );
    add("huge", "x-request-id", &vec![b'r'; 8000], fine);
    add("injection", "x-request-id", b"abc\"<>;%0D%0A", fine);
    add("garbage", "host", b"<evil>:-1", fine);
    add("non-ASCII", "host", b"h\xffst", fine);
    add("garbage", "x-forwarded-host", b"evil.example/\\@\"", fine);
    add("garbage", "x-forwarded-proto", b"javascript", fine);
    add(
        "garbage",
        "forwarded",
        b"for=;;;host=\"<x>\";proto=\xff",
        fine,
    );
    add("null", "origin", b"null", fine);
    add("malformed", "origin", b"http://[::1", fine);
    add("non-ASCII", "origin", b"https://\xff.example", fine);
    add(
        "huge",
        "origin",
        format!("https://{}.example", "o".repeat(8000)).as_bytes(),
        fine,
    );
    let format = |value: &str| {
        let mut q = r.query.clone();
        q.push(("_format".into(), value.into()));
        let mut req = r.request();
        req.target = r.target(&r.path_with(None), &q);
        req
    };
    let invalid_utf8 = if r.reads_query { Expect::Client } else { fine };
    for (what, v, expect) in [
        ("xml", "xml", negotiated),
        ("garbage", "%3B%3B%3B%2F", negotiated),
        ("invalid UTF-8", "%FF%FE", invalid_utf8),
    ] {
        out.push(case(r, format!("_format={what}"), format(v), expect));
    }
    out
}

/// CORS preflights with garbage in the preflight headers: a 4xx from the
/// CORS layer (or an ordinary preflight answer), never a 5xx.
pub fn preflight_cases(r: &Route) -> Vec<Case> {
    let pre = |method: &[u8], headers: &[u8]| {
        let mut req = Request::new("OPTIONS", r.target(&r.path_with(None), &r.query));
        req.set("origin", b"https://app.example".as_slice());
        req.set("access-control-request-method", method);
        req.set("access-control-request-headers", headers);
        req
    };
    let case = |r: &Route, what: String, req: Request, expect: Expect| Case {
        family: Family::Cors,
        ..case(r, what, req, expect)
    };
    vec![
        case(
            r,
            "preflight".into(),
            pre(r.method.as_bytes(), b"authorization"),
            Expect::Fine,
        ),
        case(
            r,
            "preflight with a garbage method".into(),
            pre(b"BR EW\xff", b"x"),
            Expect::Client,
        ),
        // Any header is allowed (`allow_any_header`), so garbage names
        // in the list are nobody's business until the real request.
        case(
            r,
            "preflight with garbage headers".into(),
            pre(b"GET", b",,,\xff;;; bad header"),
            Expect::Fine,
        ),
    ]
}

pub fn all(r: &Route) -> Vec<Case> {
    let mut out = authorization_cases(r);
    out.extend(other_cases(r));
    out.extend(preflight_cases(r));
    out
}
