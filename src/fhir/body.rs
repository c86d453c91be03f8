//! A FHIR reply's JSON body. Stored resources are shared (`Arc<Value>`), so
//! a read and a searchset serialize them where they are instead of first
//! deep-copying each one into a new `Value` and dropping the copy after
//! writing it (in a profile of a 20-entry search, the copy and its drop were
//! the largest cost after serialization itself).

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

/// The body of a [`super::api::Reply`].
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Built for this reply (outcomes, writes, history, capability).
    Json(Value),
    /// A stored resource, served as it is (reads).
    Shared(Arc<Value>),
    /// A searchset Bundle whose entries point at stored resources.
    Searchset(Box<Searchset>),
}

/// A searchset Bundle (R4 §3.1.1.5): `head` holds every member but `entry`.
#[derive(Debug, Clone, PartialEq)]
pub struct Searchset {
    pub head: Map<String, Value>,
    pub entries: Vec<Entry>,
}

/// One `Bundle.entry`: `fullUrl` (absent on an outcome entry), the
/// resource and `search.mode`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub full_url: Option<String>,
    pub resource: Body,
    pub mode: &'static str,
}

static NULL: Value = Value::Null;

impl Body {
    /// The body as one owned `Value`, for callers that rewrite it (the
    /// r2/r3 views) or embed it (transaction responses); copies shared
    /// resources.
    pub fn into_value(self) -> Value {
        match self {
            Body::Json(v) => v,
            Body::Shared(r) => Arc::unwrap_or_clone(r),
            Body::Searchset(s) => {
                let Searchset { head, entries } = *s;
                let mut out = head;
                if !entries.is_empty() {
                    let entries = entries.into_iter().map(Entry::into_value).collect();
                    out.insert("entry".into(), Value::Array(entries));
                }
                Value::Object(out)
            }
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Body::Json(Value::Null))
    }

    /// A top-level member (`Value::Null` when absent), read without a copy.
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Body::Json(v) => v.get(key).unwrap_or(&NULL),
            Body::Shared(r) => r.get(key).unwrap_or(&NULL),
            Body::Searchset(s) => s.head.get(key).unwrap_or(&NULL),
        }
    }
}

impl From<Value> for Body {
    fn from(v: Value) -> Self {
        Body::Json(v)
    }
}

impl std::ops::Index<&str> for Body {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key)
    }
}

impl Entry {
    fn into_value(self) -> Value {
        let mut e = Map::with_capacity(3);
        if let Some(u) = self.full_url {
            e.insert("fullUrl".into(), Value::String(u));
        }
        e.insert("resource".into(), self.resource.into_value());
        e.insert("search".into(), serde_json::json!({ "mode": self.mode }));
        Value::Object(e)
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Body::Json(v) => v.serialize(s),
            Body::Shared(r) => r.serialize(s),
            Body::Searchset(set) => set.serialize(s),
        }
    }
}

/// Members in the order [`Body::into_value`] gives them (sorted, as
/// `serde_json::Map` keeps them), so both forms print the same bytes.
impl Serialize for Searchset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let with_entries = !self.entries.is_empty();
        let mut m = s.serialize_map(Some(self.head.len() + usize::from(with_entries)))?;
        let mut entry_written = !with_entries;
        for (k, v) in &self.head {
            if !entry_written && k.as_str() > "entry" {
                m.serialize_entry("entry", &self.entries)?;
                entry_written = true;
            }
            m.serialize_entry(k, v)?;
        }
        if !entry_written {
            m.serialize_entry("entry", &self.entries)?;
        }
        m.end()
    }
}

impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2 + usize::from(self.full_url.is_some())))?;
        if let Some(u) = &self.full_url {
            m.serialize_entry("fullUrl", u)?;
        }
        m.serialize_entry("resource", &self.resource)?;
        m.serialize_entry("search", &ModeOnly(self.mode))?;
        m.end()
    }
}

struct ModeOnly(&'static str);

impl Serialize for ModeOnly {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("mode", self.0)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(entries: Vec<Entry>) -> Body {
        let head = json!({"resourceType": "Bundle", "type": "searchset", "total": 2, "link": []});
        let Value::Object(head) = head else {
            unreachable!()
        };
        Body::Searchset(Box::new(Searchset { head, entries }))
    }

    fn entries() -> Vec<Entry> {
        vec![
            Entry {
                full_url: Some("http://x/Patient/a".into()),
                resource: Body::Shared(Arc::new(
                    json!({"resourceType": "Patient", "id": "a", "name": [{"family": "Ä\"b"}]}),
                )),
                mode: "match",
            },
            Entry {
                full_url: None,
                resource: Body::Json(json!({"resourceType": "OperationOutcome"})),
                mode: "outcome",
            },
        ]
    }

    #[test]
    fn serializing_in_place_prints_the_bytes_of_the_owned_value() {
        for b in [set(entries()), set(Vec::new())] {
            let direct = serde_json::to_vec(&b).unwrap();
            let owned = serde_json::to_vec(&b.clone().into_value()).unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(owned).unwrap()
            );
        }
    }

    #[test]
    fn an_empty_searchset_has_no_entry_member() {
        let v = set(Vec::new()).into_value();
        assert!(v.get("entry").is_none());
        assert_eq!(v["total"], 2);
    }

    #[test]
    fn members_are_read_without_a_copy() {
        let b = set(entries());
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["missing"], Value::Null);
        let shared = Body::Shared(Arc::new(json!({"contentType": "text/plain"})));
        assert_eq!(shared["contentType"], "text/plain");
        assert!(Body::Json(Value::Null).is_null());
        assert!(!shared.is_null());
    }

    #[test]
    fn into_value_keeps_entries_in_order() {
        let v = set(entries()).into_value();
        assert_eq!(v["entry"][0]["fullUrl"], "http://x/Patient/a");
        assert_eq!(v["entry"][0]["resource"]["name"][0]["family"], "Ä\"b");
        assert_eq!(v["entry"][1]["search"]["mode"], "outcome");
        assert!(v["entry"][1].get("fullUrl").is_none());
    }
}
