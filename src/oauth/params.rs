//! Request parameters of the OAuth endpoints. RFC 6749 §3.1 and §3.2: a
//! parameter sent more than once is an error, and parameters without a value
//! are treated as omitted.

use std::collections::HashMap;

/// Parameters of one request, each name at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    map: HashMap<String, String>,
    order: Vec<String>,
}

/// A parameter was repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated(pub String);

impl Params {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, Repeated> {
        let mut p = Params::default();
        for (k, v) in pairs {
            if p.map.contains_key(&k) {
                return Err(Repeated(k));
            }
            p.order.push(k.clone());
            p.map.insert(k, v);
        }
        Ok(p)
    }

    /// A JSON object body (seed 002 posts JSON to the token endpoint): string
    /// values are taken as they are, numbers and booleans as their text;
    /// anything else is refused.
    pub fn from_json(body: &[u8]) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| format!("the JSON body does not parse: {e}"))?;
        let obj = value
            .as_object()
            .ok_or("the JSON body must be an object of parameters")?;
        let mut pairs = Vec::with_capacity(obj.len());
        for (k, v) in obj {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => return Err(format!("parameter `{k}` must be a string")),
            };
            pairs.push((k.clone(), text));
        }
        Params::from_pairs(pairs).map_err(|r| format!("parameter `{}` is repeated", r.0))
    }

    /// The value, with empty values read as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// All parameters in request order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.order
            .iter()
            .map(move |k| (k.as_str(), self.map[k].as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_empty() {
        let p =
            Params::from_pairs(vec![("a".into(), "1".into()), ("b".into(), "".into())]).unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert!(
            Params::from_pairs(vec![("a".into(), "1".into()), ("a".into(), "2".into())]).is_err()
        );
    }

    #[test]
    fn json() {
        let p =
            Params::from_json(br#"{"grant_type":"authorization_code","n":1,"x":null}"#).unwrap();
        assert_eq!(p.get("grant_type"), Some("authorization_code"));
        assert_eq!(p.get("n"), Some("1"));
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(br#"{"a":{"b":1}}"#).is_err());
        assert!(Params::from_json(b"{").is_err());
    }
}
