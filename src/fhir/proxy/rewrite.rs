//! Rewriting the upstream server's absolute URLs to the sandbox's FHIR
//! base. R4 http.html §3.1.0.1.1 ("Service Base URL") and bundle.html
//! (`Bundle.entry.fullUrl`, `Bundle.link.url`) make every absolute URL a
//! client sees relative to the base it called; an app that followed the
//! upstream's own URLs would bypass the token check (or fail to connect).

use serde_json::Value;

/// `s` with the `from` base replaced by `to`, when `s` is `from` itself or
/// starts with `from` followed by `/`, `?` or `#` (so `http://h/fhir2` is
/// not taken for `http://h/fhir`).
pub fn rewrite_url(s: &str, from: &str, to: &str) -> Option<String> {
    let rest = s.strip_prefix(from)?;
    (rest.is_empty() || rest.starts_with(['/', '?', '#'])).then(|| format!("{to}{rest}"))
}

/// Rewrites every string in a FHIR JSON document: `fullUrl`, `link.url`,
/// absolute `reference`s, `Attachment.url`, and any other element holding
/// an upstream URL. Returns how many were rewritten.
pub fn rewrite_value(v: &mut Value, from: &str, to: &str) -> usize {
    match v {
        Value::String(s) => match rewrite_url(s, from, to) {
            Some(new) => {
                *s = new;
                1
            }
            None => 0,
        },
        Value::Array(items) => items.iter_mut().map(|i| rewrite_value(i, from, to)).sum(),
        Value::Object(map) => map.values_mut().map(|i| rewrite_value(i, from, to)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_upstream_base_is_rewritten() {
        let (from, to) = ("http://up:9/fhir", "http://sb/v/r4/fhir");
        assert_eq!(
            rewrite_url("http://up:9/fhir/Patient/a", from, to).as_deref(),
            Some("http://sb/v/r4/fhir/Patient/a")
        );
        assert_eq!(
            rewrite_url("http://up:9/fhir?_getpages=x", from, to).as_deref(),
            Some("http://sb/v/r4/fhir?_getpages=x")
        );
        assert_eq!(rewrite_url("http://up:9/fhir2/Patient/a", from, to), None);
        assert_eq!(rewrite_url("Patient/a", from, to), None);
        let mut b = json!({"link": [{"url": "http://up:9/fhir/Observation?patient=a"}],
            "entry": [{"fullUrl": "http://up:9/fhir/Observation/1",
                "resource": {"subject": {"reference": "http://up:9/fhir/Patient/a"}, "note": [{"text": "see http://up:9/fhir"}]}}]});
        assert_eq!(rewrite_value(&mut b, from, to), 3);
        assert_eq!(
            b["entry"][0]["resource"]["subject"]["reference"],
            "http://sb/v/r4/fhir/Patient/a"
        );
        assert_eq!(
            b["entry"][0]["resource"]["note"][0]["text"],
            "see http://up:9/fhir"
        );
    }
}
