//! FHIR R4 search (§3.1.1): parameter table, parsing, evaluation, and
//! running a parsed query against the store with an access filter.
//!
//! Running a search collects matching slots under the read lock (no JSON is
//! copied: results are `Arc` clones), sorts them with keys computed once per
//! match, and materializes only the requested page plus its includes.

pub mod date;
pub mod eval;
pub mod params;
pub mod parse;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::access::AccessFilter;
use super::compartment::is_compartment_type;
use super::store::{Data, Entry};
use eval::{any_value, matches, matches_all, reference_target, sort_value, SortValue};
use parse::{Criterion, Filter, Include, Modifier, Query};

/// One page of results.
#[derive(Debug, Default)]
pub struct Page {
    pub total: usize,
    pub matches: Vec<Arc<Value>>,
    pub included: Vec<Arc<Value>>,
}

/// The access filter for another resource type (includes), or `None` when
/// the token may not see that type at all.
pub type AccessFor<'a> = dyn FnMut(&str) -> Option<AccessFilter> + 'a;

/// Slots worth evaluating: the patient's compartment when the access filter
/// or a `patient` parameter pins one (the index is a superset of what the
/// parameter selects, so every filter is still evaluated), else the type.
fn candidates(data: &Data, ty: &str, q: &Query, access: &AccessFilter) -> Vec<u32> {
    if is_compartment_type(ty) {
        if let Some(p) = access.patient() {
            return data.compartment(p, ty);
        }
        let pinned = q
            .filters
            .iter()
            .find(|f| f.param.name == "patient" && f.modifier == Modifier::None);
        if let Some(f) = pinned {
            let mut out: Vec<u32> = f
                .any_of
                .iter()
                .filter_map(|c| match c {
                    Criterion::Reference { id, .. } => Some(data.compartment(id, ty)),
                    _ => None,
                })
                .flatten()
                .collect();
            out.sort_unstable();
            out.dedup();
            return out;
        }
    }
    let n = data.table(ty).map_or(0, |t| t.entries.len() as u32);
    (0..n).collect()
}

/// Runs `q` on `ty`: filters, access, sort, page, includes.
pub fn run(
    data: &Data,
    ty: &str,
    q: &Query,
    access: &AccessFilter,
    access_for: &mut AccessFor<'_>,
) -> Page {
    let Some(table) = data.table(ty) else {
        return Page::default();
    };
    let mut hits: Vec<&Arc<Value>> = candidates(data, ty, q, access)
        .into_iter()
        .filter_map(|i| {
            let e = &table.entries[i as usize];
            let r = e.current()?;
            (matches_all(r, &q.filters) && access.allows(e, r)).then_some(r)
        })
        .collect();
    if !q.sort.is_empty() {
        let mut keyed: Vec<(Vec<Option<SortValue>>, &Arc<Value>)> = hits
            .into_iter()
            .map(|r| (q.sort.iter().map(|k| sort_value(r, k.param)).collect(), r))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), key) in a.iter().zip(b).zip(&q.sort) {
                let ord = match (x, y) {
                    (Some(x), Some(y)) if key.desc => y.cmp(x),
                    (Some(x), Some(y)) => x.cmp(y),
                    // Resources without a value sort last either way.
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                };
                if ord.is_ne() {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
        hits = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let total = hits.len();
    let matches: Vec<Arc<Value>> = if q.summary_count {
        Vec::new()
    } else {
        hits.into_iter()
            .skip(q.offset)
            .take(q.count)
            .cloned()
            .collect()
    };
    let included = includes(data, ty, &matches, &q.include, &q.revinclude, access_for);
    Page {
        total,
        matches,
        included,
    }
}

fn key(r: &Value) -> String {
    format!(
        "{}/{}",
        r.get("resourceType").and_then(Value::as_str).unwrap_or(""),
        r.get("id").and_then(Value::as_str).unwrap_or("")
    )
}

/// R4 §3.1.1.5.5 `_include` and `_revinclude` (one level, no `:iterate`).
/// Included resources pass the token's access filter of their own type, and
/// appear once.
fn includes(
    data: &Data,
    ty: &str,
    page: &[Arc<Value>],
    include: &[Include],
    revinclude: &[Include],
    access_for: &mut AccessFor<'_>,
) -> Vec<Arc<Value>> {
    if include.is_empty() && revinclude.is_empty() {
        return Vec::new();
    }
    let mut seen: HashSet<String> = page.iter().map(|r| key(r)).collect();
    let mut filters: HashMap<String, Option<AccessFilter>> = HashMap::new();
    let mut out = Vec::new();
    let mut admit = |t: &str, e: &Entry, out: &mut Vec<Arc<Value>>| {
        let Some(r) = e.current() else { return };
        let f = filters
            .entry(t.to_string())
            .or_insert_with(|| access_for(t));
        if f.as_ref().is_some_and(|f| f.allows(e, r)) && seen.insert(format!("{t}/{}", e.id)) {
            out.push(r.clone());
        }
    };
    for inc in include.iter().filter(|i| i.source == ty) {
        for r in page {
            let mut targets = Vec::new();
            any_value(r, inc.param, &mut |v| {
                if let Some((Some(t), id)) = reference_target(v) {
                    targets.push((t, id));
                }
                false
            });
            for (t, id) in targets {
                let wanted = inc.target.as_deref().is_none_or(|w| w == t)
                    && (inc.param.targets.is_empty() || inc.param.targets.contains(&t.as_str()));
                if let (true, Some(e)) = (wanted, data.get(&t, &id)) {
                    admit(&t, e, &mut out);
                }
            }
        }
    }
    for inc in revinclude {
        if inc.target.as_deref().is_some_and(|t| t != ty) {
            continue;
        }
        for r in page {
            let target = key(r);
            let id = target.rsplit('/').next().unwrap_or("").to_string();
            let points_here = Filter {
                param: inc.param,
                modifier: Modifier::None,
                any_of: vec![Criterion::Reference {
                    ty: Some(ty.to_string()),
                    id,
                }],
            };
            for slot in data.referencing(&target) {
                if data.type_name(slot.0) != inc.source {
                    continue;
                }
                let e = data.entry(slot);
                if e.current().is_some_and(|s| matches(s, &points_here)) {
                    admit(&inc.source, e, &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
