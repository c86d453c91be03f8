//! Bundle entries, paging links and token systems between R4 and the
//! DSTU2/STU3 views (see `release_view`).

use serde_json::Value;

use super::{release_param, release_type};
use crate::fhir_data::release::to_release;
use crate::oauth::Release;

/// One Bundle entry rendered in `release`; `false` when the release does
/// not serve its resource. Bundle.entry.fullUrl, search, request and
/// response exist with these names in DSTU2 bundle.html and STU3
/// bundle.html, so only the resource and the type names change. Search
/// outcome entries (an OperationOutcome, same shape in all three releases)
/// stay as they are.
pub(super) fn render_entry(e: &mut Value, release: Release, base: &str) -> bool {
    match e.get("resource") {
        Some(r) if r["resourceType"] == "OperationOutcome" => true,
        Some(r) => match to_release(r, release) {
            Some(out) => {
                if e.get("fullUrl").is_some() {
                    e["fullUrl"] = Value::String(super::super::bundle::full_url(base, &out));
                }
                rename_request(e, release);
                e["resource"] = out;
                true
            }
            None => false,
        },
        None => {
            // A deletion in a history Bundle: no resource, only names.
            let url = e["fullUrl"].as_str().unwrap_or("").to_string();
            if let Some(rest) = url.strip_prefix(base).and_then(|r| r.strip_prefix('/')) {
                e["fullUrl"] = Value::String(format!("{base}/{}", rename_path(rest, release)));
            }
            rename_request(e, release);
            true
        }
    }
}

fn rename_request(e: &mut Value, release: Release) {
    if let Some(Value::String(url)) = e.get_mut("request").and_then(|r| r.get_mut("url")) {
        *url = rename_path(url, release);
    }
}

/// `Type/...` with the release's type name.
fn rename_path(path: &str, release: Release) -> String {
    let (ty, rest) = path.split_once('/').map_or((path, ""), |(t, r)| (t, r));
    let ty = release_type(ty, release);
    if rest.is_empty() && !path.contains('/') {
        ty.to_string()
    } else {
        format!("{ty}/{rest}")
    }
}

/// A paging link in the release's names: the type in the path, renamed
/// parameters, and without the `_type` the view added to `$everything`.
pub(super) fn release_link(url: &str, release: Release, base: &str, injected: bool) -> String {
    let Some(rest) = url.strip_prefix(base).and_then(|r| r.strip_prefix('/')) else {
        return url.to_string();
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = rename_path(path, release);
    let ty = path.split('/').next().unwrap_or("").to_string();
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if injected && k == "_type" {
            continue;
        }
        let (name, modifier) = k.split_once(':').map_or((&*k, None), |(n, m)| (n, Some(m)));
        let name = release_param(release, &ty, name);
        let k = modifier.map_or(name.to_string(), |m| format!("{name}:{m}"));
        ser.append_pair(&k, &v);
    }
    let q = ser.finish();
    if q.is_empty() {
        format!("{base}/{path}")
    } else {
        format!("{base}/{path}?{q}")
    }
}

const TERMINOLOGY: &str = "http://terminology.hl7.org/CodeSystem/";

/// A token `system|code` with a pre-R4 code system URI (which the release
/// renders, see `release::old_systems`) moved to its R4 URI, so searching
/// with the system a DSTU2/STU3 resource shows finds it. Per R4
/// terminology.html, `http://hl7.org/fhir/v2/{n}` became
/// `.../CodeSystem/v2-{n}`, `v3/{cs}` `.../v3-{cs}`, `http://hl7.org/fhir/{cs}`
/// `.../{cs}`. Other values, and lists (`a|b,c|d`), item by item.
pub(super) fn r4_token_system(v: &str) -> String {
    if !v.contains("http://hl7.org/fhir/") {
        return v.to_string();
    }
    v.split(',')
        .map(|item| {
            let Some((system, code)) = item.split_once('|') else {
                return item.to_string();
            };
            let Some(name) = system.strip_prefix("http://hl7.org/fhir/") else {
                return item.to_string();
            };
            let new = if let Some(t) = name.strip_prefix("v2/") {
                format!("{TERMINOLOGY}v2-{t}")
            } else if let Some(cs) = name.strip_prefix("v3/") {
                format!("{TERMINOLOGY}v3-{cs}")
            } else if name.contains('/') || name == "sid" {
                system.to_string()
            } else {
                format!("{TERMINOLOGY}{name}")
            };
            format!("{new}|{code}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_systems_move_to_r4() {
        assert_eq!(
            r4_token_system("http://hl7.org/fhir/observation-category|vital-signs"),
            "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"
        );
        assert_eq!(
            r4_token_system("http://hl7.org/fhir/v2/0203|MR,x"),
            "http://terminology.hl7.org/CodeSystem/v2-0203|MR,x"
        );
        assert_eq!(
            r4_token_system("http://loinc.org|1-8"),
            "http://loinc.org|1-8"
        );
    }

    #[test]
    fn links_use_release_names() {
        let l = release_link(
            "http://h/v/r2/fhir/MedicationRequest?authoredon=ge2020&_count=5&_offset=5",
            Release::R2,
            "http://h/v/r2/fhir",
            false,
        );
        assert_eq!(
            l,
            "http://h/v/r2/fhir/MedicationOrder?datewritten=ge2020&_count=5&_offset=5"
        );
        let l = release_link(
            "http://h/v/r3/fhir/Patient/a/$everything?_type=Patient&_count=5&_offset=0",
            Release::R3,
            "http://h/v/r3/fhir",
            true,
        );
        assert_eq!(
            l,
            "http://h/v/r3/fhir/Patient/a/$everything?_count=5&_offset=0"
        );
        assert_eq!(
            rename_path("MedicationRequest", Release::R2),
            "MedicationOrder"
        );
        assert_eq!(
            rename_path("MedicationRequest/1", Release::R2),
            "MedicationOrder/1"
        );
    }
}
