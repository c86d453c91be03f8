//! Parsing search requests (FHIR R4 §3.1.1 "search"): parameter names with
//! modifiers, comma-separated OR values with `\` escapes (§3.1.1.5.x
//! "escaping search parameters"), and the result parameters (§3.1.1.5:
//! `_sort`, `_count`, `_include`, `_revinclude`, `_summary`, `_elements`).
//! Policy-free: unknown parameters are collected in `Query::ignored`, and the
//! caller decides between lenient and strict handling (§3.1.1.3.1). Never
//! panics on any input (proptest below).

use super::date::{parse_range, Prefix, Range};
use super::params::{self, Kind, Param};
use super::text::fold;

/// `_count` when the client sends none, and its ceiling.
pub const DEFAULT_COUNT: usize = 50;
pub const MAX_COUNT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum System {
    /// `code`: any system.
    Any,
    /// `|code`: no system.
    Absent,
    Is(String),
}

/// One OR-alternative of a parameter value, typed by the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criterion {
    /// `system|code`, `|code`, `code`, `system|` (code `None`).
    Token {
        system: System,
        code: Option<String>,
    },
    /// `Type/id` or bare `id`.
    Reference {
        ty: Option<String>,
        id: String,
    },
    Date {
        prefix: Prefix,
        range: Range,
    },
    /// The folded text (case- and accent-insensitive) and the raw text.
    String {
        folded: String,
        raw: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    None,
    Exact,
    Contains,
    Not,
    Missing(bool),
}

/// One search parameter occurrence: the values are ORed, occurrences ANDed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub param: &'static Param,
    pub modifier: Modifier,
    pub any_of: Vec<Criterion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub param: &'static Param,
    pub desc: bool,
}

/// `_include=Source:param[:Target]` or `_revinclude=Source:param[:Target]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub source: String,
    pub param: &'static Param,
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub filters: Vec<Filter>,
    pub sort: Vec<SortKey>,
    pub count: usize,
    pub offset: usize,
    pub include: Vec<Include>,
    pub revinclude: Vec<Include>,
    pub summary_count: bool,
    pub elements: Option<Vec<String>>,
    /// Parameters not understood, with the reason (lenient: reported in an
    /// OperationOutcome entry; strict: 400).
    pub ignored: Vec<String>,
    /// The understood parameters, to rebuild paging links (without
    /// `_count`/`_offset`, which the links set themselves).
    pub echo: Vec<(String, String)>,
}

/// Splits on unescaped `sep` (FHIR R4 §3.1.1.5.7 "escaping search
/// parameters"); `\sep` becomes `sep`, other escapes stay for [`unescape`].
pub fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        let last = out.last_mut().expect("never empty");
        if c == '\\' {
            match chars.next() {
                Some(n) if n == sep => last.push(n),
                Some(n) => {
                    last.push('\\');
                    last.push(n);
                }
                None => last.push('\\'),
            }
        } else if c == sep {
            out.push(String::new());
        } else {
            last.push(c);
        }
    }
    out
}

/// Removes the escapes of `\,`, `\|`, `\$` and `\\`.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ (',' | '|' | '$' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits `system|code` at the first unescaped `|`.
fn token(value: &str) -> Criterion {
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => {
                let (sys, code) = (&value[..i], &value[i + 1..]);
                let system = if sys.is_empty() {
                    System::Absent
                } else {
                    System::Is(unescape(sys))
                };
                let code = (!code.is_empty()).then(|| unescape(code));
                return Criterion::Token { system, code };
            }
            _ => escaped = false,
        }
    }
    Criterion::Token {
        system: System::Any,
        code: Some(unescape(value)),
    }
}

/// `Patient/123`, `123`, or an absolute URL ending in `Type/id`
/// (`/_history/n` ignored).
pub fn reference(value: &str) -> Option<(Option<String>, String)> {
    let v = value.split("/_history/").next()?.trim_end_matches('/');
    let mut parts = v.rsplit('/');
    let id = parts.next().filter(|id| !id.is_empty())?.to_string();
    let ty = parts.next().map(str::to_string);
    Some((ty, id))
}

fn criterion(param: &Param, escaped: &str) -> Result<Criterion, String> {
    if param.kind == Kind::Token {
        return Ok(token(escaped));
    }
    let value = &unescape(escaped);
    Ok(match param.kind {
        Kind::Token => token(escaped),
        Kind::Date => {
            let (prefix, rest) = Prefix::split(value);
            let range = parse_range(rest)
                .ok_or_else(|| format!("`{}`: `{value}` is not a FHIR date", param.name))?;
            Criterion::Date { prefix, range }
        }
        Kind::String => Criterion::String {
            folded: fold(value),
            raw: value.to_string(),
        },
        Kind::Reference => {
            let (ty, id) = reference(value)
                .ok_or_else(|| format!("`{}`: `{value}` is not a reference", param.name))?;
            Criterion::Reference { ty, id }
        }
    })
}

fn modifier(param: &Param, m: Option<&str>) -> Result<(Modifier, Option<String>), String> {
    let found = match (m, param.kind) {
        (None, _) => (Modifier::None, None),
        (Some("missing"), _) => (Modifier::Missing(false), None),
        (Some("exact"), Kind::String) => (Modifier::Exact, None),
        (Some("contains"), Kind::String) => (Modifier::Contains, None),
        (Some("not"), Kind::Token) => (Modifier::Not, None),
        (Some(t), Kind::Reference) if param.targets.contains(&t) || param.targets.is_empty() => {
            (Modifier::None, Some(t.to_string()))
        }
        (Some(other), _) => {
            return Err(format!(
                "modifier `:{other}` is not supported on `{}` ({})",
                param.name,
                param.kind.as_str()
            ))
        }
    };
    Ok(found)
}

/// Parses a filter parameter `name[:modifier]=value[,value]`.
pub fn filter(resource_type: &str, name: &str, value: &str) -> Result<Option<Filter>, String> {
    let (base, m) = match name.split_once(':') {
        Some((b, m)) => (b, Some(m)),
        None => (name, None),
    };
    let Some(param) = params::lookup(resource_type, base) else {
        return Ok(None);
    };
    let (mut modifier, type_modifier) = modifier(param, m)?;
    if let Modifier::Missing(_) = modifier {
        modifier = match value {
            "true" => Modifier::Missing(true),
            "false" => Modifier::Missing(false),
            _ => return Err(format!("`{name}` takes true or false")),
        };
        return Ok(Some(Filter {
            param,
            modifier,
            any_of: Vec::new(),
        }));
    }
    let mut any_of = Vec::new();
    for v in split_escaped(value, ',') {
        if v.is_empty() {
            continue;
        }
        let mut c = criterion(param, &v)?;
        if let (Criterion::Reference { ty, .. }, Some(t)) = (&mut c, &type_modifier) {
            *ty = Some(t.clone());
        }
        any_of.push(c);
    }
    if any_of.is_empty() {
        return Err(format!("`{name}` has no value"));
    }
    Ok(Some(Filter {
        param,
        modifier,
        any_of,
    }))
}

fn include(value: &str, searched: Option<&str>) -> Result<Include, String> {
    let mut parts = value.split(':');
    let (Some(source), Some(name)) = (parts.next(), parts.next()) else {
        return Err(format!("`{value}` is not `Type:parameter`"));
    };
    let target = parts.next().map(str::to_string);
    let param = params::lookup(source, name)
        .filter(|p| p.kind == Kind::Reference)
        .ok_or_else(|| format!("`{value}`: {source} has no reference parameter `{name}`"))?;
    if searched.is_some_and(|s| s != source) {
        return Err(format!("`{value}` does not start with the searched type"));
    }
    Ok(Include {
        source: source.to_string(),
        param,
        target,
    })
}

/// Parses all parameters of a search on `resource_type`. `Err` is a 400:
/// a known parameter with a malformed value.
pub fn parse_query(resource_type: &str, pairs: &[(String, String)]) -> Result<Query, String> {
    let mut q = Query {
        filters: Vec::new(),
        sort: Vec::new(),
        count: DEFAULT_COUNT,
        offset: 0,
        include: Vec::new(),
        revinclude: Vec::new(),
        summary_count: false,
        elements: None,
        ignored: Vec::new(),
        echo: Vec::new(),
    };
    for (name, value) in pairs {
        let echo = match name.as_str() {
            "_count" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("_count `{value}` is not a number"))?;
                q.count = n.min(MAX_COUNT);
                false
            }
            "_offset" => {
                q.offset = value
                    .parse()
                    .map_err(|_| format!("_offset `{value}` is not a number"))?;
                false
            }
            "_format" | "_pretty" | "_total" => false,
            "_summary" => match value.as_str() {
                "count" => {
                    q.summary_count = true;
                    true
                }
                "false" => true,
                other => {
                    q.ignored.push(format!("_summary={other} is not supported"));
                    false
                }
            },
            "_elements" => {
                let list: Vec<String> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_string)
                    .collect();
                q.elements = Some(list);
                true
            }
            "_sort" => {
                for key in value.split(',').filter(|k| !k.is_empty()) {
                    let (desc, pname) = match key.strip_prefix('-') {
                        Some(k) => (true, k),
                        None => (false, key),
                    };
                    let param = params::lookup(resource_type, pname)
                        .filter(|p| p.kind != Kind::Reference)
                        .ok_or_else(|| format!("cannot sort {resource_type} by `{pname}`"))?;
                    q.sort.push(SortKey { param, desc });
                }
                true
            }
            "_include" => {
                q.include.push(include(value, Some(resource_type))?);
                true
            }
            "_revinclude" => {
                q.revinclude.push(include(value, None)?);
                true
            }
            _ => match filter(resource_type, name, value)? {
                Some(f) => {
                    q.filters.push(f);
                    true
                }
                None => {
                    q.ignored.push(format!(
                        "unknown search parameter `{name}` on {resource_type}"
                    ));
                    false
                }
            },
        };
        if echo {
            q.echo.push((name.clone(), value.clone()));
        }
    }
    Ok(q)
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
