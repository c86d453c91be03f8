//! Reading the parts of a request the same strict way in every handler: the
//! media type, headers whose value matters, the query string, and why a
//! body could not be read. A part that is present but unreadable is a
//! client mistake to report, never the same as an absent one (a garbled
//! `Content-Type` must not read as "none, so the default type").

use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;

/// The `Content-Type` of a request (RFC 9110 §8.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    Absent,
    /// The essence `type/subtype`, lowercased, without parameters.
    Type(String),
    /// Present, but not visible ASCII or not `type/subtype`.
    Malformed,
}

pub const FORM: &str = "application/x-www-form-urlencoded";

impl Media {
    /// The essence, or `None` when absent or malformed.
    pub fn essence(&self) -> Option<&str> {
        match self {
            Media::Type(t) => Some(t),
            _ => None,
        }
    }

    /// Absent (the route's default type), or a type `accepted` takes;
    /// never a malformed one.
    pub fn absent_or(&self, accepted: impl Fn(&str) -> bool) -> bool {
        match self {
            Media::Absent => true,
            Media::Type(t) => accepted(t),
            Media::Malformed => false,
        }
    }
}

pub fn media_type(req: &HttpRequest) -> Media {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Media::Absent;
    };
    value
        .to_str()
        .ok()
        .and_then(crate::media_type::essence)
        .map_or(Media::Malformed, Media::Type)
}

/// A form body, or no content type (read as a form).
pub fn is_form(req: &HttpRequest) -> bool {
    media_type(req).absent_or(|t| t == FORM)
}

/// A header's value: `Ok(None)` when absent, `Err` (a message) when present
/// but not visible ASCII, which no header this server reads may contain.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, String> {
    match req.headers().get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| format!("the {name} header cannot be read: it must be visible ASCII")),
    }
}

/// The query string's pairs, refused when not UTF-8 (`crate::form`).
pub fn query(req: &HttpRequest) -> Result<Vec<(String, String)>, String> {
    crate::form::parse(req.query_string().as_bytes())
        .map_err(|e| format!("the query string cannot be read: {e}"))
}

/// The query string as `T` (unknown parameters ignored; a repeated field
/// is an error), refused when not UTF-8.
pub fn typed_query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, String> {
    query(req)?;
    serde_urlencoded::from_str(req.query_string())
        .map_err(|e| format!("the query string cannot be read: {e}"))
}

/// A form body's pairs, refused when not UTF-8 (`crate::form`).
pub fn form(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    crate::form::parse(body).map_err(|e| format!("the form body cannot be read: {e}"))
}

/// A form body as OAuth parameters (RFC 6749 §3.1: none repeated).
pub fn form_params(body: &[u8]) -> Result<crate::oauth::Params, String> {
    crate::oauth::Params::from_pairs(form(body)?)
        .map_err(|r| format!("parameter `{}` is repeated", r.0))
}

/// Why a body extractor failed: 413 over the route's `limit`, else 400.
pub fn body_refused(e: &actix_web::Error, limit: usize) -> (StatusCode, String) {
    let status = e.as_response_error().status_code();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let msg = format!(
            "the request body is larger than this endpoint accepts ({} KiB)",
            limit / 1024
        );
        (status, msg)
    } else {
        let msg = format!("the request body cannot be read: {e}");
        (StatusCode::BAD_REQUEST, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn media(value: &[u8]) -> Media {
        let v = header::HeaderValue::from_bytes(value).unwrap();
        media_type(
            &TestRequest::default()
                .insert_header(("content-type", v))
                .to_http_request(),
        )
    }

    #[test]
    fn media_types() {
        assert_eq!(
            media_type(&TestRequest::default().to_http_request()),
            Media::Absent
        );
        assert_eq!(
            media(b"Application/JSON; charset=bogus"),
            Media::Type("application/json".into())
        );
        assert_eq!(
            media(b"application/fhir+json"),
            Media::Type("application/fhir+json".into())
        );
        for bad in [
            &b""[..],
            b";;;/;=",
            b"json",
            b"/json",
            b"application/",
            b"a b/c",
            b"text/\xff",
        ] {
            assert_eq!(media(bad), Media::Malformed, "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Any header bytes: never a panic, and a media type is only ever
        /// a lowercase `type/subtype` of token characters.
        #[test]
        fn media_types_are_tokens(value in proptest::collection::vec(
            proptest::prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, proptest::strategy::Just(b'\t')], 0..40)) {
            if let Media::Type(t) = media(&value) {
                proptest::prop_assert_eq!(crate::media_type::essence(&t), Some(t.clone()));
            }
        }
    }
}
