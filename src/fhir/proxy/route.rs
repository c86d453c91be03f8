//! What an upstream-mode request addresses: the method and the path below
//! the FHIR base mapped to one FHIR R4 RESTful interaction (R4 http.html
//! §3.1.0, "RESTful API" summary table). Only these shapes are forwarded,
//! and type names and ids are checked against the R4 grammar (http.html
//! §3.1.0.1.2 "Resource type" / datatypes.html#id), so a path such as
//! `Patient/../admin` never reaches the upstream server.

use crate::fhir::access::Interaction;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `GET [base]/metadata` (capabilities; no token needed).
    Metadata,
    Read {
        ty: String,
        id: String,
    },
    Vread {
        ty: String,
        id: String,
        vid: String,
    },
    HistoryInstance {
        ty: String,
        id: String,
    },
    HistoryType {
        ty: String,
    },
    /// `GET [type]` or `POST [type]/_search`.
    Search {
        ty: String,
        post: bool,
    },
    /// `GET [base]?...`: the paging links a server such as HAPI writes
    /// (`?_getpages=...`); each returned resource is checked by its type.
    Page,
    /// `GET [type]/$op` or `GET [type]/[id]/$op` (e.g. `$everything`).
    Operation {
        ty: String,
    },
    Create {
        ty: String,
    },
    Update {
        ty: String,
        id: String,
    },
    Patch {
        ty: String,
        id: String,
    },
    Delete {
        ty: String,
        id: String,
    },
}

impl Op {
    /// The resource type and the interaction the token must grant (`None`
    /// for metadata and paging, checked per returned resource).
    pub fn needs(&self) -> Option<(&str, Interaction)> {
        Some(match self {
            Op::Metadata | Op::Page => return None,
            Op::Read { ty, .. } | Op::Operation { ty } => (ty, Interaction::Read),
            Op::Vread { ty, .. } => (ty, Interaction::Vread),
            Op::HistoryInstance { ty, .. } => (ty, Interaction::HistoryInstance),
            Op::HistoryType { ty } => (ty, Interaction::HistoryType),
            Op::Search { ty, .. } => (ty, Interaction::Search),
            Op::Create { ty } => (ty, Interaction::Create),
            Op::Update { ty, .. } | Op::Patch { ty, .. } => (ty, Interaction::Update),
            Op::Delete { ty, .. } => (ty, Interaction::Delete),
        })
    }

    /// `Binary` reads are streamed byte for byte in whatever content type
    /// the client asked for (R4 binary.html, "Serving Binary Resources").
    pub fn is_binary(&self) -> bool {
        self.needs().is_some_and(|(ty, _)| ty == "Binary")
    }
}

fn is_type(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// R4 datatypes.html#id: `[A-Za-z0-9\-\.]{1,64}`.
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn is_op(s: &str) -> bool {
    s.strip_prefix('$').is_some_and(|n| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Maps `method` and `tail` (the path after the FHIR base, without the
/// leading slash) to an [`Op`]; `Err((status, message))` otherwise.
pub fn parse(method: &str, tail: &str) -> Result<Op, (u16, String)> {
    let segs: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let s = |i: usize| segs[i].to_string();
    let unknown = || {
        (
            404,
            format!("`{tail}` is not a FHIR REST path this server forwards"),
        )
    };
    let method_not = || {
        (
            405,
            format!("{method} is not supported on `{tail}` in upstream mode"),
        )
    };
    let ok_type = !segs
        .first()
        .is_some_and(|t| *t != "metadata" && !is_type(t));
    let ok_rest = segs
        .iter()
        .skip(1)
        .all(|s| is_id(s) || is_op(s) || matches!(*s, "_history" | "_search"));
    if !ok_type || !ok_rest {
        return Err(unknown());
    }
    let op = match (method, segs.as_slice()) {
        ("GET", []) => Op::Page,
        ("GET", ["metadata"]) => Op::Metadata,
        (_, ["metadata"]) => return Err(method_not()),
        (_, ["metadata", ..]) => return Err(unknown()),
        ("GET", [_]) => Op::Search {
            ty: s(0),
            post: false,
        },
        ("POST", [_, "_search"]) => Op::Search {
            ty: s(0),
            post: true,
        },
        ("GET", [_, "_history"]) => Op::HistoryType { ty: s(0) },
        ("GET", [_, op]) if is_op(op) => Op::Operation { ty: s(0) },
        ("GET", [_, id, op]) if is_id(id) && is_op(op) => Op::Operation { ty: s(0) },
        ("GET", [_, id]) if is_id(id) => Op::Read { ty: s(0), id: s(1) },
        ("GET", [_, id, "_history"]) if is_id(id) => Op::HistoryInstance { ty: s(0), id: s(1) },
        ("GET", [_, id, "_history", vid]) if is_id(id) && is_id(vid) => Op::Vread {
            ty: s(0),
            id: s(1),
            vid: s(3),
        },
        ("POST", [_]) => Op::Create { ty: s(0) },
        ("PUT", [_, id]) if is_id(id) => Op::Update { ty: s(0), id: s(1) },
        ("PATCH", [_, id]) if is_id(id) => Op::Patch { ty: s(0), id: s(1) },
        ("DELETE", [_, id]) if is_id(id) => Op::Delete { ty: s(0), id: s(1) },
        (_, [] | [_] | [_, _] | [_, _, "_history"] | [_, _, "_history", _]) => {
            return Err(method_not())
        }
        _ => return Err(unknown()),
    };
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let read = Op::Read {
            ty: "Patient".into(),
            id: "a".into(),
        };
        assert_eq!(parse("GET", "Patient/a"), Ok(read));
        assert_eq!(parse("GET", "metadata"), Ok(Op::Metadata));
        assert_eq!(parse("GET", ""), Ok(Op::Page));
        assert!(matches!(
            parse("POST", "Observation/_search"),
            Ok(Op::Search { post: true, .. })
        ));
        assert!(matches!(
            parse("GET", "Patient/a/$everything"),
            Ok(Op::Operation { .. })
        ));
        assert!(matches!(
            parse("GET", "Observation/o/_history/2"),
            Ok(Op::Vread { .. })
        ));
        assert!(matches!(
            parse("DELETE", "Observation/o"),
            Ok(Op::Delete { .. })
        ));
        assert_eq!(parse("GET", "Patient/..").unwrap_err().0, 404);
        assert_eq!(parse("PUT", "Patient/a%2Fb").unwrap_err().0, 404);
        assert_eq!(parse("GET", "patient/a").unwrap_err().0, 404);
        assert_eq!(parse("GET", "Patient/a/b/c/d").unwrap_err().0, 404);
        assert_eq!(parse("DELETE", "Patient").unwrap_err().0, 405);
        assert_eq!(parse("POST", "metadata").unwrap_err().0, 405);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn segment() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("Patient".to_string()),
                Just("_history".to_string()),
                Just("_search".to_string()),
                Just("$everything".to_string()),
                Just("..".to_string()),
                Just("metadata".to_string()),
                "[A-Za-z0-9.$_-]{0,8}",
                any::<String>(),
            ]
        }

        proptest! {
            /// What is forwarded upstream is only ever made of FHIR
            /// types, ids, `$operations` and `_history`/`_search`: never
            /// `..`, a slash, an escape or a control character.
            #[test]
            fn forwards_only_plain_segments(
                method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("PATCH"), Just("DELETE"), Just("BREW")],
                segs in prop::collection::vec(segment(), 0..6),
            ) {
                let tail = segs.join("/");
                match parse(method, &tail) {
                    Ok(_) => {
                        for s in tail.split('/').filter(|s| !s.is_empty()) {
                            prop_assert!(s != "." && s != "..", "{tail}");
                            prop_assert!(
                                s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._$".contains(&b)),
                                "{tail}"
                            );
                        }
                    }
                    Err((status, msg)) => {
                        prop_assert!(status == 404 || status == 405);
                        prop_assert!(!msg.is_empty());
                    }
                }
            }
        }
    }
}
