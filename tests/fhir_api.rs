//! The FHIR R4 REST API over HTTP with tokens from real launches:
//! metadata, read/vread/history, every search parameter, paging, sorting,
//! includes, `_summary=count`, `$everything`, strict handling, formats.

mod common;

use common::fhir::{get, post_form, spawn_fhir, token, A_OBS, PAT_A, PAT_B, PAT_C, PRAC};
use common::flows::SiteUrls;
use serde_json::json;

async fn user_setup() -> (String, String, std::sync::Arc<smart_sandbox::Sandbox>) {
    let (app, sandbox) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let t = token(&site, "user/*.rs", PAT_A).await;
    (site.fhir(), t, sandbox)
}

#[tokio::test]
async fn metadata_is_open_and_matches_discovery() {
    let (app, _) = spawn_fhir().await;
    let site = SiteUrls::plain(&app);
    let cs = get(&format!("{}/metadata", site.fhir()), None, &[]).await;
    cs.assert_ok();
    assert_eq!(cs.body["resourceType"], "CapabilityStatement");
    assert_eq!(cs.body["fhirVersion"], "4.0.1");
    assert_eq!(cs.body["format"], json!(["json"]));
    let security = &cs.body["rest"][0]["security"];
    assert_eq!(security["service"][0]["coding"][0]["code"], "SMART-on-FHIR");
    assert_eq!(
        security["service"][0]["coding"][0]["system"],
        "http://terminology.hl7.org/CodeSystem/restful-security-service"
    );
    let ext = &security["extension"][0];
    assert_eq!(
        ext["url"],
        "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    );
    let smart = get(
        &format!("{}/.well-known/smart-configuration", site.fhir()),
        None,
        &[],
    )
    .await;
    let uri = |name: &str| {
        ext["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"] == name)
            .map(|e| e["valueUri"].clone())
    };
    assert_eq!(
        uri("authorize"),
        Some(smart.body["authorization_endpoint"].clone())
    );
    assert_eq!(uri("token"), Some(smart.body["token_endpoint"].clone()));
    let obs = cs.body["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "Observation")
        .cloned()
        .unwrap();
    let names: Vec<&str> = obs["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for n in [
        "_id",
        "_lastUpdated",
        "patient",
        "subject",
        "encounter",
        "category",
        "code",
        "date",
        "status",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    // Under a sim segment too, with that segment in its URLs.
    let sim = SiteUrls::sim(&app, &common::flows::v2(&[(1, json!(PAT_A))]));
    let cs = get(&format!("{}/metadata", sim.fhir()), None, &[]).await;
    cs.assert_ok();
    assert!(
        cs.body["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"]
            .as_str()
            .unwrap()
            .contains("/sim/")
    );
}

#[tokio::test]
async fn read_vread_and_history() {
    let (base, t, sandbox) = user_setup().await;
    let r = get(&format!("{base}/Patient/{PAT_A}"), Some(&t), &[]).await;
    r.assert_ok();
    assert_eq!(r.body["id"], PAT_A);
    assert_eq!(r.header("etag"), Some("W/\"1\""));
    assert_eq!(
        r.header("last-modified"),
        Some("Wed, 01 May 2024 00:00:00 GMT")
    );
    assert_eq!(r.body["meta"]["versionId"], "1");

    let mut v2 = r.body.clone();
    v2["gender"] = json!("other");
    sandbox
        .fhir
        .write()
        .put(v2, "2024-06-01T00:00:00Z")
        .unwrap();
    let r = get(&format!("{base}/Patient/{PAT_A}"), Some(&t), &[]).await;
    assert_eq!(
        (r.body["gender"].as_str(), r.header("etag")),
        (Some("other"), Some("W/\"2\""))
    );
    let old = get(&format!("{base}/Patient/{PAT_A}/_history/1"), Some(&t), &[]).await;
    old.assert_ok();
    assert_eq!(
        (old.body["gender"].as_str(), old.header("etag")),
        (Some("female"), Some("W/\"1\""))
    );
    let h = get(&format!("{base}/Patient/{PAT_A}/_history"), Some(&t), &[]).await;
    h.assert_ok();
    assert_eq!(
        (h.body["type"].as_str(), h.body["total"].as_u64()),
        (Some("history"), Some(2))
    );
    let versions: Vec<&str> = h.body["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["meta"]["versionId"].as_str().unwrap())
        .collect();
    assert_eq!(versions, vec!["2", "1"]);
    let th = get(&format!("{base}/Patient/_history"), Some(&t), &[]).await;
    assert_eq!(th.body["total"], 4);

    get(&format!("{base}/Patient/{PAT_A}/_history/9"), Some(&t), &[])
        .await
        .assert_outcome(404);
    get(&format!("{base}/Patient/nobody"), Some(&t), &[])
        .await
        .assert_outcome(404);
    get(&format!("{base}/Spaceship/1"), Some(&t), &[])
        .await
        .assert_outcome(404);
    let r3 = base.replace("/v/r4/", "/v/r3/");
    assert!(get(&format!("{r3}/Patient/{PAT_A}"), Some(&t), &[])
        .await
        .assert_outcome(401)
        .contains("not this FHIR server (r3)"));
    // PATCH is not supported (PUT/DELETE are: tests/fhir_writes.rs).
    let put = common::flows::http()
        .patch(format!("{base}/Patient/{PAT_A}"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 405);
}

/// `(query, expected match ids in order)`; default order is load order.
#[tokio::test]
async fn each_search_parameter() {
    let (base, t, _) = user_setup().await;
    let a = |r: std::ops::Range<usize>| r.map(|i| format!("obs-a{i:02}")).collect::<Vec<_>>();
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            format!("Observation?patient={PAT_B}"),
            vec!["obs-b0".into(), "obs-b1".into(), "obs-b2".into()],
        ),
        (
            format!("Observation?subject=Patient/{PAT_B}&category=vital-signs"),
            vec!["obs-b2".into()],
        ),
        ("Observation?encounter=enc-a1".into(), a(0..4)),
        (
            format!(
                "Observation?patient={PAT_A}&category={}|vital-signs",
                "http://terminology.hl7.org/CodeSystem/observation-category"
            ),
            a(8..12),
        ),
        (
            format!("Observation?patient={PAT_A}&code=http://loinc.org|718-7"),
            vec![
                "obs-a01".into(),
                "obs-a03".into(),
                "obs-a05".into(),
                "obs-a07".into(),
            ],
        ),
        (
            "Observation?code=http://snomed.info/sct|718-7".into(),
            vec![],
        ),
        (
            format!("Observation?patient={PAT_A}&date=2024-01-03"),
            a(2..3),
        ),
        (
            format!("Observation?patient={PAT_A}&date=ge2024-01-10"),
            a(9..12),
        ),
        (
            format!("Observation?patient={PAT_A}&date=gt2024-01-10&date=lt2024-01-12"),
            a(10..11),
        ),
        (
            format!("Observation?patient={PAT_A}&date=le2024-01-02"),
            a(0..2),
        ),
        (
            format!("Observation?patient={PAT_A}&date=ne2024-01"),
            vec![],
        ),
        (
            format!("Observation?patient={PAT_A}&status=amended"),
            a(11..12),
        ),
        (
            "Observation?_id=obs-a03,obs-b1".into(),
            vec!["obs-a03".into(), "obs-b1".into()],
        ),
        (
            format!("Observation?patient={PAT_A}&_lastUpdated=ge2024-05-11"),
            a(10..12),
        ),
        (
            "Patient?identifier=urn:mrn|MRN-100289".into(),
            vec![PAT_B.into()],
        ),
        ("Patient?identifier=urn:other|MRN-100289".into(), vec![]),
        ("Patient?name=pri".into(), vec![PAT_A.into()]),
        ("Patient?family=NUNEZ".into(), vec![PAT_C.into()]),
        ("Patient?given=jose".into(), vec![PAT_C.into()]),
        ("Patient?birthdate=1973".into(), vec![PAT_B.into()]),
        (
            "Patient?birthdate=lt1980&gender=male".into(),
            vec![PAT_B.into()],
        ),
        ("Patient?gender=female".into(), vec![PAT_A.into()]),
        ("Practitioner?name=carter".into(), vec![PRAC.into()]),
        (
            "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567890".into(),
            vec![PRAC.into()],
        ),
        ("Organization?name=river".into(), vec!["org-clinic".into()]),
        (
            format!("Encounter?patient={PAT_A}&status=finished"),
            vec!["enc-a1".into()],
        ),
        ("Encounter?date=2024-03-05".into(), vec!["enc-a2".into()]),
        ("Encounter?date=2024-01-02".into(), vec![]),
        (
            "Encounter?date=ge2024-01-02&date=le2024-01-03".into(),
            vec!["enc-a1".into()],
        ),
        (
            "Encounter?class=AMB&subject=Patient/pat-marcus-bell".into(),
            vec!["enc-b1".into()],
        ),
        (
            format!("Condition?patient={PAT_A}&clinical-status=active"),
            vec!["cond-a1".into()],
        ),
        (
            "Condition?category=problem-list-item&onset-date=lt2018".into(),
            vec!["cond-b1".into()],
        ),
        (
            "Condition?code=http://snomed.info/sct|38341003".into(),
            vec!["cond-b1".into()],
        ),
        (
            "MedicationRequest?status=active&intent=order&authoredon=2024-02".into(),
            vec!["mr-a1".into()],
        ),
        ("MedicationRequest?code=860975".into(), vec!["mr-a1".into()]),
        (
            "DiagnosticReport?category=LAB&date=2024-01-02&code=24323-8".into(),
            vec!["dr-a1".into()],
        ),
    ];
    for (q, want) in cases {
        let r = get(&format!("{base}/{q}"), Some(&t), &[]).await;
        r.assert_ok();
        assert_eq!(r.body["type"], "searchset");
        assert_eq!(r.ids(), want, "{q}");
        assert_eq!(r.body["total"].as_u64(), Some(want.len() as u64), "{q}");
        for e in r
            .entries()
            .iter()
            .filter(|e| e["search"]["mode"] == "match")
        {
            let url = format!(
                "{base}/{}/{}",
                e["resource"]["resourceType"].as_str().unwrap(),
                e["resource"]["id"].as_str().unwrap()
            );
            assert_eq!(e["fullUrl"].as_str(), Some(url.as_str()));
        }
    }
    get(&format!("{base}/Observation?date=2024-99"), Some(&t), &[])
        .await
        .assert_outcome(400);
}

#[tokio::test]
async fn paging_forward_via_next_and_back_via_previous() {
    let (base, t, _) = user_setup().await;
    let mut url = format!("{base}/Observation?patient={PAT_A}&_count=5");
    let mut pages = Vec::new();
    loop {
        let r = get(&url, Some(&t), &[]).await;
        r.assert_ok();
        assert_eq!(r.body["total"], A_OBS);
        pages.push(r.ids());
        match r.link("next") {
            Some(next) => url = next,
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end");
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![5, 5, 2]
    );
    let all: Vec<String> = pages.concat();
    assert_eq!(
        all,
        (0..A_OBS)
            .map(|i| format!("obs-a{i:02}"))
            .collect::<Vec<_>>()
    );
    let mut back = Vec::new();
    loop {
        let r = get(&url, Some(&t), &[]).await;
        back.push(r.ids());
        match r.link("previous") {
            Some(prev) => url = prev,
            None => break,
        }
    }
    back.reverse();
    assert_eq!(back, pages);
    assert!(
        url.starts_with(&base),
        "links are absolute on the request base: {url}"
    );
    // An exact multiple of _count: the last page has no `next`.
    let r = get(
        &format!("{base}/Observation?patient={PAT_A}&_count=6&_offset=6"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!((r.ids().len(), r.link("next")), (6, None));
    assert!(r.link("previous").unwrap().contains("_offset=0"));
    // POST _search answers the same as GET.
    let post = post_form(
        &format!("{base}/Observation/_search"),
        &t,
        &format!("patient={PAT_A}&_count=5"),
    )
    .await;
    post.assert_ok();
    assert_eq!(post.ids(), pages[0]);
}

#[tokio::test]
async fn sorting() {
    let (base, t, _) = user_setup().await;
    let r = get(
        &format!("{base}/Observation?patient={PAT_A}&_sort=-date&_count=3"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.ids(), vec!["obs-a11", "obs-a10", "obs-a09"]);
    let r = get(
        &format!("{base}/Observation?patient={PAT_A}&_sort=code,-date&_count=3"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.ids(), vec!["obs-a06", "obs-a04", "obs-a02"]);
    let r = get(&format!("{base}/Patient?_sort=family"), Some(&t), &[]).await;
    assert_eq!(r.ids(), vec![PAT_B, PAT_C, PAT_A]);
    let r = get(&format!("{base}/Patient?_sort=-birthdate"), Some(&t), &[]).await;
    assert_eq!(r.ids(), vec![PAT_C, PAT_A, PAT_B]);
    let next = r.link("self").unwrap();
    assert!(next.contains("_sort=-birthdate"), "{next}");
}

#[tokio::test]
async fn include_and_revinclude() {
    let (base, t, _) = user_setup().await;
    let r = get(&format!("{base}/Observation?_id=obs-a00,obs-a01&_include=Observation:patient&_include=Observation:encounter"), Some(&t), &[]).await;
    assert_eq!(r.ids(), vec!["obs-a00", "obs-a01"]);
    assert_eq!(r.mode_ids("include"), vec![PAT_A, "enc-a1"]);
    let r = get(&format!("{base}/Patient?_id={PAT_B}&_revinclude=Condition:patient&_revinclude=Observation:subject"), Some(&t), &[]).await;
    assert_eq!(r.ids(), vec![PAT_B]);
    assert_eq!(
        r.mode_ids("include"),
        vec!["cond-b1", "obs-b0", "obs-b1", "obs-b2"]
    );
    let r = get(
        &format!("{base}/MedicationRequest?_include=MedicationRequest:requester"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.mode_ids("include"), vec![PRAC]);
    let r = get(
        &format!("{base}/DiagnosticReport?_include=DiagnosticReport:result"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.mode_ids("include"), vec!["obs-a00", "obs-a01"]);
    let r = get(
        &format!("{base}/Encounter?_id=enc-a1&_include=Encounter:participant"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.mode_ids("include"), vec![PRAC]);
    assert_eq!(r.body["total"], 1, "includes do not count in total");
}

#[tokio::test]
async fn summary_count_and_everything() {
    let (base, t, _) = user_setup().await;
    let r = get(
        &format!("{base}/Observation?patient={PAT_A}&_summary=count"),
        Some(&t),
        &[],
    )
    .await;
    r.assert_ok();
    assert_eq!(r.body["total"], A_OBS);
    assert!(r.body.get("entry").is_none());

    let url = format!("{base}/Patient?_id={PAT_A}&_elements=gender");
    let r = get(&url, Some(&t), &[]).await;
    let p = &r.entries()[0]["resource"];
    assert_eq!(
        (p["gender"].as_str(), p.get("name")),
        (Some("female"), None)
    );
    assert_eq!(p["meta"]["tag"][0]["code"], "SUBSETTED");

    let all = get(
        &format!("{base}/Patient/{PAT_A}/$everything?_count=100"),
        Some(&t),
        &[],
    )
    .await;
    all.assert_ok();
    let ids = all.ids();
    // Patient, 2 encounters, 12 observations, 2 conditions, 1 med request, 1 report.
    assert_eq!((ids.len(), all.body["total"].as_u64()), (19, Some(19)));
    assert_eq!(ids[0], PAT_A);
    assert!(ids.iter().all(|id| !id.contains("-b")), "{ids:?}");
    assert!(!ids.contains(&PRAC.to_string()));
    let page = get(
        &format!("{base}/Patient/{PAT_A}/$everything?_count=10"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(page.ids(), ids[..10].to_vec());
    let next = get(&page.link("next").unwrap(), Some(&t), &[]).await;
    assert_eq!(next.ids(), ids[10..].to_vec());
    let typed = get(
        &format!("{base}/Patient/{PAT_A}/$everything?_type=Condition"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(typed.ids(), vec!["cond-a1", "cond-a2"]);
}

#[tokio::test]
async fn unknown_parameters_lenient_or_strict() {
    let (base, t, _) = user_setup().await;
    let url = format!("{base}/Observation?patient={PAT_B}&frobnicate=1");
    let r = get(&url, Some(&t), &[]).await;
    r.assert_ok();
    assert_eq!(r.ids().len(), 3, "unknown parameter ignored");
    let outcome = r
        .entries()
        .into_iter()
        .find(|e| e["search"]["mode"] == "outcome")
        .expect("an outcome entry");
    assert!(outcome["resource"]["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("frobnicate"));
    let strict = get(&url, Some(&t), &[("prefer", "handling=strict")]).await;
    assert!(strict.assert_outcome(400).contains("frobnicate"));
    let lenient = get(&url, Some(&t), &[("prefer", "handling=lenient")]).await;
    lenient.assert_ok();
    get(&format!("{base}/Observation?code:frob=1"), Some(&t), &[])
        .await
        .assert_outcome(400);
}

#[tokio::test]
async fn json_only() {
    let (base, t, _) = user_setup().await;
    let url = format!("{base}/Patient/{PAT_A}");
    for xml in ["application/fhir+xml", "application/xml", "text/xml"] {
        get(&url, Some(&t), &[("accept", xml)])
            .await
            .assert_outcome(406);
    }
    for f in ["xml", "application/fhir+xml", "text/xml"] {
        get(&format!("{url}?_format={f}"), Some(&t), &[])
            .await
            .assert_outcome(406);
    }
    get(&format!("{base}/metadata?_format=xml"), None, &[])
        .await
        .assert_outcome(406);
    for ok in [
        "*/*",
        "application/json",
        "application/fhir+json",
        "application/fhir+xml;q=0.9, application/fhir+json",
    ] {
        get(&url, Some(&t), &[("accept", ok)]).await.assert_ok();
    }
    get(&format!("{url}?_format=json"), Some(&t), &[])
        .await
        .assert_ok();
}
