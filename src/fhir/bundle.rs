//! Bundles for search results and history (FHIR R4 §3.1.1.2 "searchset",
//! §3.1.0.4 "history"), and the paging links.
//!
//! Paging is stateless: `next`/`previous`/`first`/`last` re-run the search
//! with `_offset` (and `_count`) on the request's own base URL. A sandbox's
//! data barely changes, so a page boundary moving after a write is an
//! acceptable trade for keeping no server-side cursor (R4 §3.1.1.6 leaves
//! the link format to the server).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::body::{Body, Entry, Searchset};
use super::search::parse::Query;
use super::search::Page;

/// Offsets of the neighbouring pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub previous: Option<usize>,
    pub next: Option<usize>,
    pub last: usize,
}

pub fn paging(offset: usize, count: usize, total: usize) -> Paging {
    if count == 0 {
        return Paging {
            previous: None,
            next: None,
            last: 0,
        };
    }
    Paging {
        previous: (offset > 0).then(|| offset.saturating_sub(count)),
        next: (offset.saturating_add(count) < total).then(|| offset + count),
        last: total.saturating_sub(1) / count * count,
    }
}

/// `{path}?{params}&_count=..&_offset=..`, `path` absolute.
pub fn link(path: &str, echo: &[(String, String)], count: usize, offset: usize) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    ser.extend_pairs(echo.iter());
    ser.append_pair("_count", &count.to_string());
    ser.append_pair("_offset", &offset.to_string());
    format!("{path}?{}", ser.finish())
}

fn links(
    path: &str,
    echo: &[(String, String)],
    count: usize,
    offset: usize,
    total: usize,
) -> Vec<Value> {
    let p = paging(offset, count, total);
    let mut out = vec![
        json!({"relation": "self", "url": link(path, echo, count, offset)}),
        json!({"relation": "first", "url": link(path, echo, count, 0)}),
    ];
    if let Some(prev) = p.previous {
        out.push(json!({"relation": "previous", "url": link(path, echo, count, prev)}));
    }
    if let Some(next) = p.next {
        out.push(json!({"relation": "next", "url": link(path, echo, count, next)}));
    }
    out.push(json!({"relation": "last", "url": link(path, echo, count, p.last)}));
    out
}

pub fn full_url(base: &str, r: &Value) -> String {
    format!(
        "{base}/{}/{}",
        r["resourceType"].as_str().unwrap_or(""),
        r["id"].as_str().unwrap_or("")
    )
}

/// R4 §3.1.1.5.9 `_elements`: the listed top-level elements plus the
/// mandatory ones, tagged SUBSETTED (copies only when asked for).
fn subset(r: &Value, elements: &[String]) -> Value {
    let mut out = Map::new();
    if let Value::Object(o) = r {
        for (k, v) in o {
            if matches!(k.as_str(), "resourceType" | "id" | "meta")
                || elements.iter().any(|e| e == k)
            {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let meta = out.entry("meta").or_insert_with(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        let tags = m.entry("tag").or_insert_with(|| json!([]));
        if let Some(t) = tags.as_array_mut() {
            t.push(json!({"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}));
        }
    }
    Value::Object(out)
}

/// A searchset Bundle. `path` is the absolute URL the links re-run;
/// `warnings` become an OperationOutcome entry (`search.mode: outcome`).
/// Matches and includes stay shared with the store ([`Body::Searchset`]).
pub fn searchset(base: &str, path: &str, q: &Query, page: &Page, warnings: &[String]) -> Body {
    let mut entries = Vec::with_capacity(page.matches.len() + page.included.len() + 1);
    let entry = |r: &Arc<Value>, mode: &'static str| Entry {
        full_url: Some(full_url(base, r)),
        resource: match (&q.elements, mode) {
            (Some(el), "match") => Body::Json(subset(r, el)),
            _ => Body::Shared(r.clone()),
        },
        mode,
    };
    entries.extend(page.matches.iter().map(|r| entry(r, "match")));
    entries.extend(page.included.iter().map(|r| entry(r, "include")));
    if !warnings.is_empty() {
        entries.push(Entry {
            full_url: None,
            resource: Body::Json(super::outcome::outcome_list(
                "warning",
                "not-supported",
                warnings,
            )),
            mode: "outcome",
        });
    }
    let head = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": page.total,
        "link": links(path, &q.echo, q.count, q.offset, if q.summary_count { 0 } else { page.total }),
    });
    let Value::Object(head) = head else {
        unreachable!("a json! object")
    };
    Body::Searchset(Box::new(Searchset { head, entries }))
}

/// One entry of a history Bundle.
pub struct HistoryItem {
    pub resource_type: String,
    pub id: String,
    pub version_id: u32,
    pub last_updated: String,
    pub resource: Option<Arc<Value>>,
    pub first: bool,
}

/// A history Bundle, newest first (R4 §3.1.0.4.1).
pub fn history(
    base: &str,
    path: &str,
    items: &[HistoryItem],
    total: usize,
    count: usize,
    offset: usize,
) -> Value {
    let entries: Vec<Value> = items
        .iter()
        .map(|it| {
            let url = format!("{}/{}", it.resource_type, it.id);
            let (method, status) = match (&it.resource, it.first) {
                (None, _) => ("DELETE", "204"),
                (Some(_), true) => ("POST", "201"),
                (Some(_), false) => ("PUT", "200"),
            };
            let mut e = json!({
                "fullUrl": format!("{base}/{url}"),
                "request": {"method": method, "url": if method == "POST" { it.resource_type.clone() } else { url.clone() }},
                "response": {"status": status, "etag": format!("W/\"{}\"", it.version_id), "lastModified": it.last_updated},
            });
            if let Some(r) = &it.resource {
                e["resource"] = Value::clone(r);
            }
            e
        })
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "history",
        "total": total,
        "link": links(path, &[], count, offset, total),
    });
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_math() {
        assert_eq!(
            paging(0, 10, 25),
            Paging {
                previous: None,
                next: Some(10),
                last: 20
            }
        );
        assert_eq!(
            paging(10, 10, 25),
            Paging {
                previous: Some(0),
                next: Some(20),
                last: 20
            }
        );
        assert_eq!(
            paging(20, 10, 25),
            Paging {
                previous: Some(10),
                next: None,
                last: 20
            }
        );
        assert_eq!(
            paging(5, 10, 25),
            Paging {
                previous: Some(0),
                next: Some(15),
                last: 20
            }
        );
        assert_eq!(
            paging(0, 10, 10),
            Paging {
                previous: None,
                next: None,
                last: 0
            }
        );
        assert_eq!(
            paging(0, 10, 0),
            Paging {
                previous: None,
                next: None,
                last: 0
            }
        );
        assert_eq!(paging(30, 10, 25).next, None);
        assert_eq!(
            paging(0, 0, 25),
            Paging {
                previous: None,
                next: None,
                last: 0
            }
        );
        assert_eq!(paging(usize::MAX, 10, 25).next, None);
    }

    #[test]
    fn links_keep_parameters_and_set_offset() {
        let echo = vec![("code".to_string(), "http://loinc.org|1 2".to_string())];
        let l = link("http://h/v/r4/fhir/Observation", &echo, 5, 10);
        assert_eq!(
            l,
            "http://h/v/r4/fhir/Observation?code=http%3A%2F%2Floinc.org%7C1+2&_count=5&_offset=10"
        );
    }

    #[test]
    fn elements_subset_is_tagged() {
        let r = json!({"resourceType": "Patient", "id": "a", "gender": "female", "name": []});
        let s = subset(&r, &["gender".into()]);
        assert_eq!(s["gender"], "female");
        assert!(s.get("name").is_none());
        assert_eq!(s["meta"]["tag"][0]["code"], "SUBSETTED");
    }
}
