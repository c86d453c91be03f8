//! The token for the load driver: a headless SMART EHR launch.

use base64::Engine;
use serde_json::{json, Value};

const REDIRECT: &str = "https://app.example/callback";

/// A headless EHR launch at `/v/r4` (launch v2 array: EHR launch, patient
/// and provider pinned), then the code exchange: the access token.
pub async fn user_token(base: &str, patient: &str, provider: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut slots = vec![json!(0), json!(patient), json!(provider)];
    slots.extend([json!(""), json!(0), json!(0), json!(0)]);
    slots.extend(std::iter::repeat_n(json!(""), 7));
    slots.extend([json!(0), json!(1), json!("")]);
    let launch =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Value::Array(slots).to_string());
    let fhir = format!("{base}/v/r4/fhir");
    let authorize = reqwest::Url::parse_with_params(
        &format!("{base}/v/r4/auth/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "load-driver"),
            ("redirect_uri", REDIRECT),
            ("scope", "launch user/*.read"),
            ("state", "s"),
            ("aud", &fhir),
            ("launch", &launch),
        ],
    )
    .unwrap();
    let r = http.get(authorize).send().await.expect("authorize answers");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let url = reqwest::Url::parse(&location).expect("redirect with a code");
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap_or_else(|| panic!("no code in {location}"))
        .1
        .into_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("client_id", "load-driver"),
    ];
    let t: Value = http
        .post(format!("{base}/v/r4/auth/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).expect("token JSON"))
        .unwrap();
    t["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}
