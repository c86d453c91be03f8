use super::*;
use serde_json::json;

fn op(kind: Kind, ty: &str, id: &str, r: Option<Value>) -> WriteOp {
    WriteOp {
        kind,
        ty: ty.into(),
        id: id.into(),
        resource: r,
        if_match: None,
    }
}

fn status(data: &Data, mut o: WriteOp) -> u16 {
    validate(data, &mut o).err().map_or(0, |r| r.status)
}

#[test]
fn validation_errors() {
    let d = Data::default();
    let obs = |body: Value| op(Kind::Update, "Observation", "o1", Some(body));
    assert_eq!(
        status(&d, obs(json!({"resourceType": "Observation", "id": "o1"}))),
        0
    );
    assert_eq!(
        status(&d, obs(json!({"resourceType": "Patient", "id": "o1"}))),
        400
    );
    assert_eq!(
        status(&d, obs(json!({"resourceType": "Observation", "id": "o2"}))),
        400
    );
    assert_eq!(status(&d, obs(json!({"resourceType": "Observation"}))), 400);
    assert_eq!(status(&d, obs(json!([1, 2]))), 400);
    assert_eq!(
        status(
            &d,
            op(
                Kind::Update,
                "Observation",
                "bad id!",
                Some(json!({"resourceType": "Observation", "id": "bad id!"}))
            )
        ),
        400
    );
    assert_eq!(
        status(
            &d,
            op(
                Kind::Create,
                "Frobnicator",
                "x",
                Some(json!({"resourceType": "Frobnicator"}))
            )
        ),
        404
    );
    let big = "x".repeat(MAX_RESOURCE + 1);
    assert_eq!(
        status(
            &d,
            obs(json!({"resourceType": "Observation", "id": "o1", "note": [{"text": big}]}))
        ),
        413
    );
    let bin = |b: Value| op(Kind::Create, "Binary", "b", Some(b));
    assert_eq!(
        status(
            &d,
            bin(json!({"resourceType": "Binary", "contentType": "text/plain", "data": "aGk="}))
        ),
        0
    );
    assert_eq!(
        status(&d, bin(json!({"resourceType": "Binary", "data": "aGk="}))),
        400
    );
    assert_eq!(
        status(
            &d,
            bin(json!({"resourceType": "Binary", "contentType": "text/plain", "data": "%%%"}))
        ),
        400
    );
}

#[test]
fn create_ignores_the_body_id() {
    let d = Data::default();
    let mut o = op(
        Kind::Create,
        "Patient",
        "server-id",
        Some(json!({"resourceType": "Patient", "id": "mine"})),
    );
    validate(&d, &mut o).unwrap();
    assert_eq!(o.resource.unwrap()["id"], "server-id");
}

#[test]
fn plan_checks_if_match_and_numbers_versions() {
    let mut d = Data::default();
    d.put(
        json!({"resourceType": "Patient", "id": "p"}),
        "2024-01-01T00:00:00Z",
    )
    .unwrap();
    let all = AccessFilter::unrestricted("Patient");
    let mut o = op(
        Kind::Update,
        "Patient",
        "p",
        Some(json!({"resourceType": "Patient", "id": "p"})),
    );
    o.if_match = Some("W/\"1\"".into());
    let (c, s) = plan(&d, &all, &o, "2024-01-02T00:00:00Z").unwrap();
    assert_eq!(s, 200);
    assert!(matches!(c, Some(Change::Put { version_id: 2, .. })));
    o.if_match = Some("W/\"2\"".into());
    assert_eq!(plan(&d, &all, &o, "t").unwrap_err().status, 412);
    let del = op(Kind::Delete, "Patient", "p", None);
    let (c, s) = plan(&d, &all, &del, "t").unwrap();
    assert_eq!((s, c.is_some()), (204, true));
    assert_eq!(
        plan(&d, &all, &op(Kind::Delete, "Patient", "q", None), "t")
            .unwrap_err()
            .status,
        404
    );
    let (_, s) = plan(
        &d,
        &all,
        &op(Kind::Update, "Patient", "new", Some(json!({}))),
        "t",
    )
    .unwrap();
    assert_eq!(s, 201);
}

#[test]
fn commit_without_journal_applies() {
    let mut d = Data::default();
    let c = Change::Put {
        resource: json!({"resourceType": "Patient", "id": "p"}),
        version_id: 1,
        last_updated: "2024-01-01T00:00:00Z".into(),
    };
    commit(&mut d, None, &[c]).unwrap();
    assert!(d.get("Patient", "p").is_some());
}
