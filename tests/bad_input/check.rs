//! Judging one answer: never a 5xx, never a dropped connection or a hang;
//! the expected status class; and for a 4xx a message in the route
//! family's shape (RFC 6749 error JSON, FHIR OperationOutcome, HTML page).

use super::raw::{self, Response};
use super::routes::Family;
use super::variants::{Case, Expect};

/// Runs `cases` one after the other against `port`; returns every failure
/// (all of them, so one run shows the whole picture).
pub async fn run(port: u16, cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for c in cases {
        let answer = raw::send(port, &c.req).await;
        if let Err(why) = judge(c, answer) {
            failures.push(format!("{}: {why}", c.name));
        }
    }
    failures
}

/// Panics with every failure, if any.
pub fn report(what: &str, total: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

pub fn judge(c: &Case, answer: Result<Response, String>) -> Result<(), String> {
    let r = answer?;
    let status = r.status;
    let excerpt = || {
        let t = r.text();
        let cut: String = t.chars().take(300).collect();
        format!(
            "{status} {:?}: {cut}",
            r.header("content-type").unwrap_or("")
        )
    };
    if status >= 500 {
        return Err(format!("server error {}", excerpt()));
    }
    request_id(&r)?;
    let class_ok = match c.expect {
        Expect::Fine => (200..400).contains(&status),
        Expect::Client => (400..500).contains(&status),
        Expect::Status(s) => status == s,
    };
    if !class_ok {
        return Err(format!("expected {:?}, got {}", c.expect, excerpt()));
    }
    if (400..500).contains(&status) {
        message(c.family, &r).map_err(|why| format!("{why}; got {}", excerpt()))?;
    }
    Ok(())
}

/// Every answer carries a plain request id (never an echoed hostile one).
fn request_id(r: &Response) -> Result<(), String> {
    let id = r.header("x-request-id").unwrap_or("");
    let plain = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if plain {
        Ok(())
    } else {
        Err(format!("bad x-request-id {id:?}"))
    }
}

fn is_json(r: &Response) -> bool {
    r.header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("json"))
}

fn non_empty(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| !s.trim().is_empty())
}

/// `{error, error_description}` (RFC 6749 §5.2; also the limits layer's and
/// the 404 fallback's shape).
fn oauth_json(r: &Response) -> Result<(), String> {
    let v = r.json().filter(|_| is_json(r)).ok_or("not a JSON body")?;
    if non_empty(&v["error"]) && non_empty(&v["error_description"]) {
        Ok(())
    } else {
        Err("JSON without error and error_description".into())
    }
}

fn outcome(r: &Response) -> Result<(), String> {
    let ctype = r.header("content-type").unwrap_or("");
    if !ctype.starts_with("application/fhir+json") {
        return Err("not application/fhir+json".into());
    }
    let v = r.json().ok_or("not JSON")?;
    if v["resourceType"] != "OperationOutcome" {
        return Err("not an OperationOutcome".into());
    }
    if !non_empty(&v["issue"][0]["diagnostics"]) {
        return Err("an OperationOutcome without diagnostics".into());
    }
    Ok(())
}

fn html_page(r: &Response) -> Result<(), String> {
    let ctype = r.header("content-type").unwrap_or("");
    let text = r.text();
    if ctype.starts_with("text/html") && text.contains("<html") && text.contains("</html>") {
        Ok(())
    } else {
        Err("not an HTML error page".into())
    }
}

fn decode_json(r: &Response) -> Result<(), String> {
    let v = r.json().ok_or("not JSON")?;
    if v["ok"] == false && non_empty(&v["error"]) {
        Ok(())
    } else {
        Err("not {ok: false, error}".into())
    }
}

/// The message of a 4xx, in the family's shape. Limits refused before
/// routing (413 from the body cap, 414, 431) and unmatched paths use the
/// generic `{error, error_description}` JSON of the limits layer.
fn message(family: Family, r: &Response) -> Result<(), String> {
    if matches!(r.status, 413 | 414 | 431) && oauth_json(r).is_ok() {
        return Ok(());
    }
    match family {
        Family::OAuth | Family::Static => oauth_json(r),
        Family::Fhir => outcome(r),
        Family::Authorize | Family::Page => html_page(r),
        Family::Decode => decode_json(r),
        Family::Cors => {
            if r.text().trim().is_empty() {
                Err("an empty body".into())
            } else {
                Ok(())
            }
        }
    }
}
