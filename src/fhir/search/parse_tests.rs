use super::*;
use proptest::prelude::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn tokens_in_all_four_forms() {
    let sys = |s: &str| System::Is(s.into());
    assert_eq!(
        token("http://loinc.org|1234-5"),
        Criterion::Token {
            system: sys("http://loinc.org"),
            code: Some("1234-5".into())
        }
    );
    assert_eq!(
        token("|x"),
        Criterion::Token {
            system: System::Absent,
            code: Some("x".into())
        }
    );
    assert_eq!(
        token("x"),
        Criterion::Token {
            system: System::Any,
            code: Some("x".into())
        }
    );
    assert_eq!(
        token("http://s|"),
        Criterion::Token {
            system: sys("http://s"),
            code: None
        }
    );
    assert_eq!(
        token(r"a\|b"),
        Criterion::Token {
            system: System::Any,
            code: Some("a|b".into())
        }
    );
}

#[test]
fn or_values_and_escapes() {
    assert_eq!(split_escaped(r"a,b\,c,", ','), vec!["a", "b,c", ""]);
    let f = filter("Observation", "category", "laboratory,vital-signs")
        .unwrap()
        .unwrap();
    assert_eq!(f.any_of.len(), 2);
    let f = filter("Observation", "subject:Patient", "123")
        .unwrap()
        .unwrap();
    assert_eq!(
        f.any_of,
        vec![Criterion::Reference {
            ty: Some("Patient".into()),
            id: "123".into()
        }]
    );
    assert_eq!(
        reference("http://h/fhir/Patient/9/_history/2"),
        Some((Some("Patient".into()), "9".into()))
    );
    assert!(filter("Observation", "date", "ge20x").is_err());
    assert!(filter("Observation", "code:exact", "x").is_err());
    assert!(filter("Observation", "nope", "x").unwrap().is_none());
    let f = filter("Patient", "name:missing", "true").unwrap().unwrap();
    assert_eq!(f.modifier, Modifier::Missing(true));
}

#[test]
fn result_parameters() {
    let q = parse_query(
        "Observation",
        &pairs(&[
            ("_count", "900"),
            ("_offset", "10"),
            ("_sort", "-date,code"),
            ("_include", "Observation:patient"),
            ("_summary", "count"),
            ("foo", "1"),
            ("status", "final"),
        ]),
    )
    .unwrap();
    assert_eq!((q.count, q.offset), (MAX_COUNT, 10));
    assert_eq!(q.sort.len(), 2);
    assert!(q.sort[0].desc && !q.sort[1].desc);
    assert_eq!(q.include[0].param.name, "patient");
    assert!(q.summary_count);
    assert_eq!(q.ignored.len(), 1);
    assert_eq!(q.filters.len(), 1);
    assert!(!q
        .echo
        .iter()
        .any(|(k, _)| k == "_count" || k == "_offset" || k == "foo"));
    assert!(parse_query(
        "Observation",
        &pairs(&[("_include", "Patient:general-practitioner")])
    )
    .is_err());
    assert!(parse_query("Observation", &pairs(&[("_sort", "patient")])).is_err());
    assert!(parse_query("Observation", &pairs(&[("_count", "-1")])).is_err());
    let q = parse_query(
        "Patient",
        &pairs(&[("_revinclude", "Observation:subject:Patient")]),
    )
    .unwrap();
    assert_eq!(q.revinclude[0].target.as_deref(), Some("Patient"));
}

proptest! {
    #[test]
    fn never_panics(name in "\\PC{0,20}", value in "\\PC{0,40}", ty in "(Observation|Patient|Binary|Encounter)") {
        let _ = parse_query(&ty, &[(name.clone(), value.clone())]);
        let _ = filter(&ty, &name, &value);
        let _ = parse_range(&value);
        let _ = split_escaped(&value, ',');
    }

    #[test]
    fn known_params_never_panic(value in "[-a-z0-9|,\\\\:/._]{0,30}") {
        for name in ["date", "code", "patient", "_id", "_lastUpdated", "_sort", "_include", "_revinclude", "_count", "name", "status:not", "date:missing"] {
            let _ = parse_query("Observation", &[(name.to_string(), value.clone())]);
        }
    }
}
