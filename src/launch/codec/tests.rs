use super::*;
use proptest::prelude::*;

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

fn dec(json: &str) -> Result<LaunchOptions, LaunchError> {
    decode(&b64(json))
}

// ---- v1 ----

#[test]
fn v1_seed_value_is_provider_standalone_with_skip_auth() {
    assert_eq!(b64(r#"{"h":"1","j":"1"}"#), "eyJoIjoiMSIsImoiOiIxIn0");
    let o = decode("eyJoIjoiMSIsImoiOiIxIn0").unwrap();
    let expected = LaunchOptions {
        launch_type: LaunchType::ProviderStandalone,
        skip_auth: true,
        ..LaunchOptions::default()
    };
    assert_eq!(o, expected);
}

#[test]
fn v1_launch_type_combinations() {
    let lt = |j: &str| dec(j).unwrap().launch_type;
    assert_eq!(lt(r#"{}"#), LaunchType::ProviderEhr);
    assert_eq!(lt(r#"{"a":"1"}"#), LaunchType::ProviderEhr);
    assert_eq!(lt(r#"{"a":"1","k":"1"}"#), LaunchType::PatientPortal);
    assert_eq!(lt(r#"{"k":"1"}"#), LaunchType::PatientStandalone);
    assert_eq!(lt(r#"{"k":1}"#), LaunchType::PatientStandalone);
    assert_eq!(lt(r#"{"k":true,"a":true}"#), LaunchType::PatientPortal);
    assert_eq!(
        lt(r#"{"a":"1","k":"1","h":"1"}"#),
        LaunchType::ProviderStandalone
    );
}

#[test]
fn v1_fields() {
    let o = dec(
        r#"{"b":"p1,p2","c":"enc1","e":"dr1","f":"1","i":"1","d":"2",
            "m":"1","n":"cc-sym","o":["https://a/cb","https://b/cb"],
            "p":"sec","q":"https://app/jwks","r":{"keys":[]},"s":"app","z":"ignored"}"#,
    )
    .unwrap();
    assert_eq!(o.patient, "p1,p2");
    assert_eq!(o.encounter, "enc1");
    assert_eq!(o.provider, "dr1");
    assert!(o.sim_ehr && o.skip_login && !o.skip_auth);
    assert_eq!(o.auth_error, Some(SimulatedError::AuthInvalidScope));
    assert_eq!(o.pkce, PkcePolicy::Always);
    assert_eq!(o.client_type, ClientType::ConfidentialSymmetric);
    assert_eq!(o.redirect_uris, "https://a/cb,https://b/cb");
    assert_eq!(o.client_secret, "sec");
    assert_eq!(o.jwks_url, "https://app/jwks");
    assert_eq!(o.jwks, r#"{"keys":[]}"#);
    assert_eq!(o.client_id, "app");
}

#[test]
fn v1_auth_error_index_forms() {
    let err = |j: &str| dec(j).unwrap().auth_error;
    assert_eq!(err(r#"{"d":2}"#), Some(SimulatedError::AuthInvalidScope));
    assert_eq!(
        err(r#"{"d":"7"}"#),
        Some(SimulatedError::RequestExpiredToken)
    );
    assert_eq!(err(r#"{"d":""}"#), None);
    assert_eq!(
        err(r#"{"d":"token_invalid_jti"}"#),
        Some(SimulatedError::TokenInvalidJti)
    );
    assert_eq!(SimulatedError::V1_ORDER.len(), 8, "message says 0-7");
    for bad in [r#"{"d":"8"}"#, r#"{"d":-1}"#, r#"{"d":true}"#] {
        assert!(
            matches!(dec(bad), Err(LaunchError::BadKey { ref key, .. }) if key == "d"),
            "{bad}"
        );
    }
    assert_eq!(
        dec(r#"{"d":"nope"}"#),
        Err(LaunchError::UnknownSimulatedError("nope".into()))
    );
}

#[test]
fn v1_client_types_and_encounter_picker() {
    let ct = |j: &str| dec(j).unwrap().client_type;
    assert_eq!(ct(r#"{"n":"public"}"#), ClientType::Public);
    assert_eq!(ct(r#"{"n":"cc-asym"}"#), ClientType::ConfidentialAsymmetric);
    assert_eq!(ct(r#"{"n":"backend-service"}"#), ClientType::BackendService);
    assert_eq!(
        dec(r#"{"n":"cc-x"}"#),
        Err(LaunchError::UnknownClientType("cc-x".into()))
    );
    assert_eq!(dec(r#"{"g":"1"}"#).unwrap().encounter, "MANUAL");
    assert_eq!(dec(r#"{"g":"1","c":"e9"}"#).unwrap().encounter, "e9");
    assert_eq!(dec(r#"{"c":""}"#).unwrap().encounter, "");
    assert_eq!(
        dec(r#"{"o":"https://x/cb"}"#).unwrap().redirect_uris,
        "https://x/cb"
    );
}

#[test]
fn v1_cds_hooks_and_bad_flag() {
    assert_eq!(dec(r#"{"l":"1"}"#), Err(LaunchError::CdsHooksUnsupported));
    assert_eq!(dec(r#"{"l":"0"}"#).unwrap(), LaunchOptions::default());
    let e = dec(r#"{"j":"yes"}"#).unwrap_err();
    assert_eq!(e.to_string(), r#"launch option "j" must be 0 or 1"#);
}

// ---- v2 ----

#[test]
fn v2_real_value() {
    let json = r#"[0,"p1","dr1","AUTO",1,0,1,"patient/*.read","https://app/cb","my-app","s3cret","","","",1,2,""]"#;
    let o = dec(json).unwrap();
    assert_eq!(o.launch_type, LaunchType::ProviderEhr);
    assert_eq!(o.patient, "p1");
    assert_eq!(o.provider, "dr1");
    assert_eq!(o.encounter, "AUTO");
    assert!(o.skip_login && !o.skip_auth && o.sim_ehr);
    assert_eq!(o.scope, "patient/*.read");
    assert_eq!(o.redirect_uris, "https://app/cb");
    assert_eq!(o.client_id, "my-app");
    assert_eq!(o.client_secret, "s3cret");
    assert_eq!(o.auth_error, None);
    assert_eq!(o.jwks_url, "");
    assert_eq!(o.jwks, "");
    assert_eq!(o.client_type, ClientType::ConfidentialSymmetric);
    assert_eq!(o.pkce, PkcePolicy::Always);
    assert_eq!(o.fhir_context, "");
    // Encoding writes the same 17 slots back.
    assert_eq!(encode(&o), b64(json));
}

#[test]
fn v2_short_null_extra_and_named_slots() {
    let o = dec(r#"[3,"p1"]"#).unwrap();
    assert_eq!(o.launch_type, LaunchType::PatientStandalone);
    assert_eq!(o.patient, "p1");
    assert_eq!(o.pkce, PkcePolicy::Auto);
    assert_eq!(dec("[null]").unwrap(), LaunchOptions::default());
    let o = dec(
        r#"["backend-service",null,null,null,true,"1","",null,["https://a","https://b"],
           null,null,"token_invalid_scope",null,{"keys":[]},"confidential-asymmetric","none",
           [{"reference":"Observation/1","role":"launch"}],"order-review","t1",{"future":1}]"#,
    )
    .unwrap();
    assert_eq!(o.launch_type, LaunchType::BackendService);
    assert!(o.skip_login && o.skip_auth && !o.sim_ehr);
    assert_eq!(o.redirect_uris, "https://a,https://b");
    assert_eq!(o.auth_error, Some(SimulatedError::TokenInvalidScope));
    assert_eq!(o.jwks, r#"{"keys":[]}"#);
    assert_eq!(o.client_type, ClientType::ConfidentialAsymmetric);
    assert_eq!(o.pkce, PkcePolicy::None);
    assert_eq!(
        o.fhir_context,
        r#"[{"reference":"Observation/1","role":"launch"}]"#
    );
    assert_eq!(o.intent, "order-review");
    assert_eq!(o.tenant, "t1");
}

#[test]
fn v2_errors() {
    assert_eq!(dec("[]"), Err(LaunchError::EmptyArray));
    assert_eq!(dec("[9]"), Err(LaunchError::UnknownLaunchType("9".into())));
    assert_eq!(
        dec("[-1]"),
        Err(LaunchError::UnknownLaunchType("-1".into()))
    );
    assert_eq!(
        dec(r#"["provider"]"#),
        Err(LaunchError::UnknownLaunchType("provider".into()))
    );
    let e = dec(r#"[0,"","","",2]"#).unwrap_err();
    assert_eq!(
        e,
        LaunchError::BadSlot {
            index: 4,
            name: "skip_login",
            expected: "0 or 1"
        }
    );
    assert_eq!(e.to_string(), "launch slot 4 (skip_login) must be 0 or 1");
    assert!(matches!(
        dec(r#"[0,5]"#),
        Err(LaunchError::BadSlot {
            index: 1,
            name: "patient",
            ..
        })
    ));
    assert!(matches!(
        dec(r#"[{}]"#),
        Err(LaunchError::BadSlot { index: 0, .. })
    ));
    assert!(matches!(
        dec(r#"[0,"","","",0,0,0,"",[1]]"#),
        Err(LaunchError::BadSlot { index: 8, .. })
    ));
    assert!(matches!(
        dec(r#"[0,"","","",0,0,0,"","","","","","",[]]"#),
        Err(LaunchError::BadSlot {
            index: 13,
            name: "jwks",
            ..
        })
    ));
    assert_eq!(
        dec(r#"[0,"","","",0,0,0,"","","","","bogus"]"#),
        Err(LaunchError::UnknownSimulatedError("bogus".into()))
    );
    assert_eq!(
        dec(r#"[0,"","","",0,0,0,"","","","","","","",4]"#),
        Err(LaunchError::UnknownClientType("4".into()))
    );
    assert_eq!(
        dec(r#"[0,"","","",0,0,0,"","","","","","","",0,3]"#),
        Err(LaunchError::UnknownPkcePolicy("3".into()))
    );
}

// ---- readable object ----

#[test]
fn readable_object() {
    let o = dec(
        r#"{"launch_type":"patient-standalone","patient":["p1","p2"],"skip_login":true,
            "skip_auth":1,"scope":"openid fhirUser patient/*.rs","client_id":"ci",
            "redirect_uris":"http://localhost/cb","auth_error":null,
            "client_type":"confidential-symmetric","pkce":"always",
            "fhir_context":[{"reference":"Observation/1"}],"jwks":{"keys":[]}}"#,
    )
    .unwrap();
    assert_eq!(o.launch_type, LaunchType::PatientStandalone);
    assert_eq!(o.patient, "p1,p2");
    assert!(o.skip_login && o.skip_auth && !o.sim_ehr);
    assert_eq!(o.scope, "openid fhirUser patient/*.rs");
    assert_eq!(o.client_id, "ci");
    assert_eq!(o.redirect_uris, "http://localhost/cb");
    assert_eq!(o.auth_error, None);
    assert_eq!(o.client_type, ClientType::ConfidentialSymmetric);
    assert_eq!(o.pkce, PkcePolicy::Always);
    assert_eq!(o.fhir_context, r#"[{"reference":"Observation/1"}]"#);
    assert_eq!(o.jwks, r#"{"keys":[]}"#);
    assert_eq!(
        dec(r#"{"auth_error":"auth_invalid_client_id","encounter":"NONE"}"#).unwrap(),
        LaunchOptions {
            auth_error: Some(SimulatedError::AuthInvalidClientId),
            encounter: "NONE".into(),
            ..LaunchOptions::default()
        }
    );
}

#[test]
fn readable_object_errors() {
    let e = dec(r#"{"launch_type":"provider-ehr","skip_logn":true}"#).unwrap_err();
    assert_eq!(e, LaunchError::UnknownKey("skip_logn".into()));
    assert!(e.to_string().contains("\"skip_logn\""));
    assert!(e.to_string().contains("skip_login"));
    // Mixing v1 letters with names is the readable form, so the letter is unknown.
    assert_eq!(
        dec(r#"{"a":"1","patient":"p"}"#),
        Err(LaunchError::UnknownKey("a".into()))
    );
    assert_eq!(
        dec(r#"{"pkce":"sometimes"}"#),
        Err(LaunchError::UnknownPkcePolicy("sometimes".into()))
    );
    assert_eq!(
        dec(r#"{"sim_ehr":"maybe"}"#),
        Err(LaunchError::BadKey {
            key: "sim_ehr".into(),
            expected: "0 or 1"
        })
    );
}

// ---- transport ----

#[test]
fn base64_tolerance() {
    let json = r#"{"s":"a?b>c~"}"#;
    let std = base64::engine::general_purpose::STANDARD.encode(json);
    assert!(std.contains('+') || std.contains('/') || std.ends_with('='));
    let expected = dec(json).unwrap();
    assert_eq!(expected.client_id, "a?b>c~");
    assert_eq!(decode(&std).unwrap(), expected);
    assert_eq!(decode(&format!("  {}==\n", b64(json))).unwrap(), expected);
}

#[test]
fn transport_errors() {
    assert!(matches!(decode("not base64!"), Err(LaunchError::Base64(_))));
    assert!(matches!(decode("a"), Err(LaunchError::Base64(_))));
    assert_eq!(
        decode(&URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x80])),
        Err(LaunchError::Utf8)
    );
    assert!(matches!(dec("[0,"), Err(LaunchError::Json(_))));
    assert!(matches!(decode(""), Err(LaunchError::Json(_))));
    assert_eq!(dec("42"), Err(LaunchError::NotArrayOrObject));
    assert_eq!(dec(r#""x""#), Err(LaunchError::NotArrayOrObject));
    let long = "A".repeat(MAX_LEN + 1);
    assert_eq!(
        decode(&long),
        Err(LaunchError::TooLong {
            len: MAX_LEN + 1,
            max: MAX_LEN
        })
    );
    assert_eq!(
        decode("!").unwrap_err().to_string(),
        "launch value is not valid base64url: Invalid symbol 33, offset 0."
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert!(matches!(dec(&deep), Err(LaunchError::Json(_))));
}

#[test]
fn messages_are_plain() {
    let e = LaunchError::UnknownLaunchType("9".into()).to_string();
    assert_eq!(
        e,
        "unknown launch type \"9\"; expected one of provider-ehr, patient-portal, \
         provider-standalone, patient-standalone, backend-service (or its index 0-4)"
    );
    assert!(LaunchError::UnknownSimulatedError("x".into())
        .to_string()
        .contains("request_expired_token"));
    assert!(LaunchError::UnknownPkcePolicy("x".into())
        .to_string()
        .contains("none, auto, always"));
}

#[test]
fn encode_keeps_empty_encounter() {
    let o = LaunchOptions::default();
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(encode(&o)).unwrap()).unwrap();
    assert_eq!(text, r#"[0,"","","",0,0,0,"","","","","","","",0,1,""]"#);
    assert!(!encode(&o).contains('='));
}

// ---- properties ----

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ,:/._\\-]{0,20}",
        1 => any::<String>(),
    ]
}

/// Valid `fhir_context` values in each accepted form (invalid ones are
/// refused by `decode`, see `fhir_context_is_validated`).
fn fhir_context_text() -> impl Strategy<Value = String> {
    let reference = "(Observation|DiagnosticReport|ServiceRequest)/[a-z0-9.-]{1,8}";
    prop_oneof![
        Just(String::new()),
        prop::collection::vec(reference, 1..3).prop_map(|v| v.join(",")),
        prop::collection::vec(reference, 1..3).prop_map(|v| Value::from(v).to_string()),
        (reference, "[a-z:/.]{1,12}").prop_map(|(r, role)| {
            serde_json::json!([{ "reference": r, "role": role }]).to_string()
        }),
    ]
}

#[test]
fn fhir_context_is_validated() {
    let e = dec(r#"{"fhir_context":[{"role":"launch"}]}"#).unwrap_err();
    assert!(matches!(e, LaunchError::FhirContext(_)));
    assert!(e.to_string().contains("reference, canonical or identifier"));
    let e = dec(r#"[0,"","","",0,0,0,"","","","","","","",0,1,"Observation"]"#).unwrap_err();
    assert!(e.to_string().contains("relative reference"), "{e}");
    let o = dec(r#"{"fhir_context":"Observation/1","intent":"i","tenant":"t"}"#).unwrap();
    assert_eq!((o.intent.as_str(), o.tenant.as_str()), ("i", "t"));
    assert_eq!(decode(&encode(&o)), Ok(o));
}

prop_compose! {
    fn options()(
        lt in prop::sample::select(LaunchType::ALL.to_vec()),
        strings in prop::collection::vec(text(), 13),
        fhir_context in fhir_context_text(),
        flags in any::<[bool; 3]>(),
        err in prop::option::of(prop::sample::select(SimulatedError::ALL.to_vec())),
        ct in prop::sample::select(ClientType::ALL.to_vec()),
        pk in prop::sample::select(PkcePolicy::ALL.to_vec()),
    ) -> LaunchOptions {
        let mut s = strings.into_iter();
        let mut next = || s.next().unwrap_or_default();
        LaunchOptions {
            launch_type: lt,
            patient: next(),
            provider: next(),
            encounter: next(),
            skip_login: flags[0],
            skip_auth: flags[1],
            sim_ehr: flags[2],
            scope: next(),
            redirect_uris: next(),
            client_id: next(),
            client_secret: next(),
            auth_error: err,
            jwks_url: next(),
            jwks: next(),
            client_type: ct,
            pkce: pk,
            fhir_context,
            intent: next(),
            tenant: next(),
        }
    }
}

fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        "[a-z]",
        prop::sample::select(FIELD_NAMES.to_vec()).prop_map(String::from),
        any::<String>(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..20).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![Just("1".to_owned()), Just(String::new()), text()].prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 20, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..20).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..20)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn roundtrip(o in options()) {
        prop_assert_eq!(decode(&encode(&o)), Ok(o));
    }

    #[test]
    fn never_panics_on_strings(s in any::<String>()) {
        let _ = decode(&s);
        let _ = decode_segment(&s);
    }

    /// A `{sim}` segment is exactly what `encode` writes: the whitespace a
    /// pasted value is forgiven is an error in a URL.
    #[test]
    fn segments_are_strict(o in options(), pad in "[ \t\r\n]{1,3}") {
        let v = encode(&o);
        prop_assert_eq!(decode_segment(&v), Ok(o.clone()));
        let (after, before) = (format!("{v}{pad}"), format!("{pad}{v}"));
        prop_assert!(decode_segment(&after).is_err());
        prop_assert!(decode_segment(&before).is_err());
        prop_assert_eq!(decode(&format!("{pad}{v}{pad}")), Ok(o));
    }

    #[test]
    fn never_panics_on_base64_alphabet(s in "[A-Za-z0-9_+/=\\- ]{0,200}") {
        let _ = decode(&s);
    }

    #[test]
    fn never_panics_on_json(v in json()) {
        let _ = decode(&URL_SAFE_NO_PAD.encode(v.to_string()));
    }

    #[test]
    fn never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode(&URL_SAFE_NO_PAD.encode(b));
    }
}
