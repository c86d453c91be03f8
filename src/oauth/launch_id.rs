//! The launch-id API for CDS Hooks style callers: `POST /v/{release}/launch`
//! turns launch context into a `launch` value.
//!
//! SMART App Launch 2.2 ("EHR launch") has the EHR open the app with `iss`
//! and an opaque `launch`; CDS Hooks SMART app links carry the same pair and
//! want arbitrary context (`fhirContext`, `intent`, ...) behind it. The
//! sandbox is stateless, so the `launch` value is the encoded launch options
//! themselves ([`crate::launch::encode`]): nothing is stored, and the value
//! works as long as the server does.

use serde_json::{json, Map, Value};
use url::Url;

use super::site::Site;
use crate::launch::{self, LaunchType};

/// Builds the launch for a JSON body: the launch options in the readable
/// object form, with `fhirContext` accepted as the SMART name of
/// `fhir_context`, and an optional `launch_url` (the app's launch URL) to get
/// a ready-made app link back. `Err` is a message for a 400 answer.
pub fn create_launch(site: &Site, body: &[u8]) -> Result<Value, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Value::Object(mut map) = value else {
        return Err("the body must be a JSON object of launch options".into());
    };
    if let Some(ctx) = map.remove("fhirContext") {
        if map.contains_key("fhir_context") {
            return Err("send fhirContext or fhir_context, not both".into());
        }
        map.insert("fhir_context".into(), ctx);
    }
    let app_url = match map.remove("launch_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            Url::parse(&s)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| format!("launch_url `{s}` is not an absolute http(s) URL"))?,
        ),
        Some(_) => return Err("launch_url must be a string".into()),
    };
    if map.keys().all(|k| k.len() == 1) && !map.is_empty() {
        return Err(
            "use the readable option names (launch_type, patient, ...), not v1 letters".into(),
        );
    }
    let opts = launch::decode(&encode_object(map)).map_err(|e| e.to_string())?;
    if opts.launch_type == LaunchType::BackendService {
        return Err("a backend-service client is not launched; it uses client_credentials".into());
    }
    let value = launch::encode(&opts);
    let iss = site.fhir_base();
    let mut out = Map::new();
    out.insert("launch".into(), json!(value));
    out.insert("iss".into(), json!(iss));
    out.insert("authorization_endpoint".into(), json!(site.authorize_url()));
    out.insert("token_endpoint".into(), json!(site.token_url()));
    out.insert("launch_type".into(), json!(opts.launch_type.as_str()));
    let context = [
        ("patient", opts.patient.as_str()),
        ("provider", opts.provider.as_str()),
        ("encounter", opts.encounter.as_str()),
        ("intent", opts.intent.as_str()),
        ("tenant", opts.tenant.as_str()),
    ];
    for (k, v) in context.into_iter().filter(|(_, v)| !v.is_empty()) {
        out.insert(k.into(), json!(v));
    }
    if let Ok(Some(ctx)) = launch::fhir_context::parse(&opts.fhir_context) {
        out.insert("fhirContext".into(), ctx);
    }
    if let Some(mut url) = app_url {
        url.query_pairs_mut()
            .append_pair("iss", &iss)
            .append_pair("launch", &value);
        out.insert("url".into(), json!(url.to_string()));
    }
    Ok(Value::Object(out))
}

fn encode_object(map: Map<String, Value>) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Value::Object(map).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::site::Release;

    #[test]
    fn round_trip() {
        let site = Site::new("http://h", Release::R4, None);
        let body = br#"{"patient":"p1","intent":"order-sign","tenant":"t9",
            "fhirContext":["ServiceRequest/sr1"],"launch_url":"https://app/launch?x=1"}"#;
        let v = create_launch(&site, body).unwrap();
        assert_eq!(v["iss"], "http://h/v/r4/fhir");
        assert_eq!(
            v["fhirContext"],
            json!([{"reference": "ServiceRequest/sr1"}])
        );
        let opts = launch::decode(v["launch"].as_str().unwrap()).unwrap();
        assert_eq!(
            (opts.patient.as_str(), opts.intent.as_str()),
            ("p1", "order-sign")
        );
        assert_eq!(opts.tenant, "t9");
        assert_eq!(opts.launch_type, LaunchType::ProviderEhr);
        let url = Url::parse(v["url"].as_str().unwrap()).unwrap();
        assert_eq!(url.query_pairs().count(), 3);
    }

    #[test]
    fn refusals() {
        let site = Site::new("http://h", Release::R4, None);
        for bad in [
            &b"nope"[..],
            b"[1]",
            br#"{"fhirContext":[{"role":"launch"}]}"#,
            br#"{"fhirContext":[],"fhir_context":[]}"#,
            br#"{"launch_type":"backend-service"}"#,
            br#"{"launch_url":"ftp://x"}"#,
            br#"{"a":"1"}"#,
            br#"{"pateint":"p1"}"#,
        ] {
            assert!(
                create_launch(&site, bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(create_launch(&site, b"{}").is_ok());
    }
}
