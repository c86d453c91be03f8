//! Ids and references for imported resources, resolved across the whole
//! folder at once, so Synthea's patient bundles can point at the
//! practitioners and organizations of its separate
//! `practitionerInformation*.json` and `hospitalInformation*.json` files.
//!
//! FHIR R4 bundle.html#references: inside a Bundle, a reference equal to an
//! entry's `fullUrl` (often `urn:uuid:…`) means that entry; after import
//! the store knows it only as `Type/id`. FHIR R4 http.html#trules: a
//! conditional reference `Type?identifier=system|value` means the one
//! resource with that identifier.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::import::ImportProblem;

/// FHIR R4 datatypes.html#id.
static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9\-\.]{1,64}$").unwrap());

/// One resource as read, with where it came from and its Bundle entry's
/// `fullUrl`, `request.url` (for a `PUT`) and `request.ifNoneExist`.
#[derive(Debug)]
pub struct Loaded {
    pub resource: Value,
    pub file: PathBuf,
    pub position: String,
    pub full_url: Option<String>,
    pub put_url: Option<String>,
    /// `request.ifNoneExist` of a `POST` entry: a conditional create.
    pub if_none_exist: Option<String>,
}

/// Gives every resource an id, keeps the last of each `Type/id`, and
/// rewrites `fullUrl` and conditional references to `Type/id`.
pub fn resolve(
    mut loaded: Vec<Loaded>,
    root: &Path,
    problems: &mut Vec<ImportProblem>,
) -> Vec<Value> {
    let mut by_full_url: HashMap<String, String> = HashMap::new();
    for l in &mut loaded {
        let id = choose_id(l, root, problems);
        l.resource["id"] = Value::String(id.clone());
        if let Some(url) = &l.full_url {
            by_full_url.insert(url.clone(), format!("{}/{id}", kind(&l.resource)));
        }
    }
    let loaded = conditional_creates(loaded, &mut by_full_url);
    let kept = last_wins(loaded, problems);
    let identifiers = index_identifiers(&kept);
    let mut out = Vec::with_capacity(kept.len());
    for mut l in kept {
        let mut say = |message: String| {
            problems.push(ImportProblem::warning(&l.file, l.position.clone(), message))
        };
        rewrite(&mut l.resource, &by_full_url, &identifiers, &mut say);
        out.push(l.resource);
    }
    out
}

fn kind(resource: &Value) -> &str {
    resource["resourceType"].as_str().unwrap_or("")
}

/// The resource's own id if valid; else the id of a `PUT Type/id`; else the
/// uuid of a `urn:uuid:` fullUrl or the last segment of a RESTful fullUrl;
/// else a stable id from the file and position, so a restart gives the same
/// ids and bookmarked URLs keep working.
fn choose_id(l: &Loaded, root: &Path, problems: &mut Vec<ImportProblem>) -> String {
    let kind = kind(&l.resource);
    if let Some(id) = l.resource["id"].as_str() {
        if ID.is_match(id) {
            return id.to_string();
        }
        problems.push(ImportProblem::warning(
            &l.file,
            l.position.clone(),
            format!("id {id:?} is not a valid FHIR id; replaced"),
        ));
    }
    let from_put = l
        .put_url
        .as_deref()
        .and_then(|u| u.strip_prefix(kind)?.strip_prefix('/'));
    let from_full_url = l
        .full_url
        .as_deref()
        .and_then(|u| match u.strip_prefix("urn:uuid:") {
            Some(uuid) => Some(uuid),
            None => {
                let path = u.split(['?', '#']).next().unwrap_or(u);
                let path = path.split("/_history/").next().unwrap_or(path);
                path.rsplit_once(&format!("/{kind}/")).map(|(_, id)| id)
            }
        });
    if let Some(id) = from_put
        .into_iter()
        .chain(from_full_url)
        .find(|id| ID.is_match(id))
    {
        return id.to_string();
    }
    let relative = l.file.strip_prefix(root).unwrap_or(&l.file);
    format!(
        "imp-{:016x}",
        fnv1a(format!("{}#{}", relative.display(), l.position).as_bytes())
    )
}

/// FNV-1a, 64 bits: stable across runs and platforms, unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One resource per `Type/id`; a later one replaces an earlier one in place.
fn last_wins(loaded: Vec<Loaded>, problems: &mut Vec<ImportProblem>) -> Vec<Loaded> {
    let mut slot: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<Loaded> = Vec::with_capacity(loaded.len());
    for l in loaded {
        let key = format!(
            "{}/{}",
            kind(&l.resource),
            l.resource["id"].as_str().unwrap_or("")
        );
        match slot.get(&key) {
            Some(&i) => {
                let before = &kept[i];
                problems.push(ImportProblem::warning(
                    &l.file,
                    l.position.clone(),
                    format!(
                        "{key} was also read from {}{}{}; this later one wins",
                        before.file.display(),
                        if before.position.is_empty() { "" } else { ":" },
                        before.position
                    ),
                ));
                kept[i] = l;
            }
            None => {
                slot.insert(key, kept.len());
                kept.push(l);
            }
        }
    }
    kept
}

/// `(Type, system, value)` → `Type/id` for every identifier; the system is
/// also indexed as `None` for `identifier=value` searches.
type Identifiers = HashMap<(String, Option<String>, String), Vec<String>>;

fn index_identifiers(kept: &[Loaded]) -> Identifiers {
    let mut index = Identifiers::new();
    kept.iter().for_each(|l| add_identifiers(&mut index, l));
    index
}

fn add_identifiers(index: &mut Identifiers, l: &Loaded) {
    let kind = kind(&l.resource).to_string();
    let target = format!("{kind}/{}", l.resource["id"].as_str().unwrap_or(""));
    for ident in l.resource["identifier"].as_array().into_iter().flatten() {
        let Some(value) = ident["value"].as_str() else {
            continue;
        };
        // No system is indexed as `Some("")`, which `identifier=|value` asks for.
        let system = Some(ident["system"].as_str().unwrap_or("").to_string());
        for key in [
            (kind.clone(), system, value.to_string()),
            (kind.clone(), None, value.to_string()),
        ] {
            let hits = index.entry(key).or_default();
            if !hits.contains(&target) {
                hits.push(target.clone());
            }
        }
    }
}

/// FHIR R4 http.html#ccreate: a `POST` with `ifNoneExist` creates nothing
/// when a resource already matches; its `fullUrl` then means that match.
/// Synthea writes practitioners and hospitals this way, so a folder with
/// several runs holds each of them once.
fn conditional_creates(
    loaded: Vec<Loaded>,
    by_full_url: &mut HashMap<String, String>,
) -> Vec<Loaded> {
    let mut seen = Identifiers::new();
    let mut kept = Vec::with_capacity(loaded.len());
    for l in loaded {
        let query = l
            .if_none_exist
            .as_deref()
            .map(|q| q.trim_start_matches('?'));
        if let Some(Ok(existing)) = query.map(|q| conditional(kind(&l.resource), q, &seen)) {
            if let Some(url) = &l.full_url {
                by_full_url.insert(url.clone(), existing);
            }
            continue;
        }
        add_identifiers(&mut seen, &l);
        kept.push(l);
    }
    kept
}

/// Rewrites every `reference` under `v`.
fn rewrite(
    v: &mut Value,
    full_urls: &HashMap<String, String>,
    identifiers: &Identifiers,
    say: &mut impl FnMut(String),
) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("reference") {
                if let Some(target) = full_urls.get(reference.as_str()) {
                    *reference = target.clone();
                } else if let Some((kind, query)) = reference.split_once('?') {
                    match conditional(kind, query, identifiers) {
                        Ok(target) => *reference = target,
                        Err(why) => say(format!(
                            "conditional reference {reference:?} {why}; left as is"
                        )),
                    }
                }
            }
            for (k, child) in map.iter_mut() {
                if k != "reference" {
                    rewrite(child, full_urls, identifiers, say);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| rewrite(i, full_urls, identifiers, say)),
        _ => {}
    }
}

/// Resolves `Type?identifier=[system|]value` against the imported set.
fn conditional(kind: &str, query: &str, identifiers: &Identifiers) -> Result<String, String> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let [(name, token)] = params.as_slice() else {
        return Err("has other search parameters than one identifier".into());
    };
    if name != "identifier" {
        return Err(format!("searches by {name}, not identifier"));
    }
    let key = match token.split_once('|') {
        Some((system, value)) => (
            kind.to_string(),
            Some(system.to_string()),
            value.to_string(),
        ),
        None => (kind.to_string(), None, token.clone()),
    };
    match identifiers.get(&key).map(Vec::as_slice) {
        Some([one]) => Ok(one.clone()),
        Some(many) => Err(format!("matches {} imported {kind} resources", many.len())),
        None => Err(format!("matches no imported {kind}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditional_identifier_forms() {
        let loaded = |id: &str, identifier: Value| Loaded {
            resource: json!({"resourceType": "Practitioner", "id": id, "identifier": identifier}),
            file: PathBuf::from("f.json"),
            position: String::new(),
            full_url: None,
            put_url: None,
            if_none_exist: None,
        };
        let index = index_identifiers(&[
            loaded("a", json!([{"system": "urn:npi", "value": "1"}])),
            loaded("b", json!([{"value": "1"}])),
            loaded("c", json!([{"system": "urn:npi", "value": "2%7C"}])),
        ]);
        let find = |q: &str| conditional("Practitioner", q, &index);
        assert_eq!(find("identifier=urn:npi|1"), Ok("Practitioner/a".into()));
        assert_eq!(find("identifier=|1"), Ok("Practitioner/b".into()));
        assert_eq!(
            find("identifier=urn%3Anpi%7C2%257C"),
            Ok("Practitioner/c".into())
        );
        assert!(find("identifier=1").unwrap_err().contains("matches 2"));
        assert!(find("name=x").unwrap_err().contains("not identifier"));
        assert!(find("identifier=urn:npi|9")
            .unwrap_err()
            .contains("no imported"));
    }
}
