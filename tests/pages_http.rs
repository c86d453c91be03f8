//! The pages over real HTTP: status codes, redirects and content types,
//! without a browser (the browser tests cover behaviour).

mod common;

use common::flows::http;
use smart_sandbox::launch::{decode, LaunchType};
use url::Url;

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn remote_launcher_redirects_to_the_app_with_iss_and_launch() {
    let app = common::spawn_app().await;
    let res = http()
        .get(format!(
            "{}/launcher?launch_uri=https%3A%2F%2Fapp.example%2Flaunch&fhir_ver=4\
             &patient=pat-sofia-reyes&provider=prac-helen-carter",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("app.example"));
    assert_eq!(
        param(&location, "iss"),
        Some(format!("{}/v/r4/fhir", app.base))
    );
    let opts = decode(&param(&location, "launch").unwrap()).unwrap();
    assert_eq!(opts.launch_type, LaunchType::ProviderEhr);
    assert_eq!(opts.patient, "pat-sofia-reyes");
}

#[tokio::test]
async fn remote_launcher_explains_a_bad_launch_uri_in_an_html_page() {
    let app = common::spawn_app().await;
    for query in [
        "",
        "launch_uri=nope&fhir_ver=4",
        "launch_uri=javascript%3Aalert(1)",
        "launch_uri=https%3A%2F%2Fa.example%2F&fhir_ver=9",
    ] {
        let res = http()
            .get(format!("{}/launcher?{query}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{query}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = res.text().await.unwrap();
        assert!(body.contains("Invalid launch link"), "{query}: {body}");
        assert!(!body.contains("<script>alert"), "{query}");
    }
}

#[tokio::test]
async fn ehr_frame_needs_a_web_url() {
    let app = common::spawn_app().await;
    let ok = http()
        .get(format!(
            "{}/ehr?app=https%3A%2F%2Fapp.example%2Flaunch",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("<iframe"));
    for query in ["", "?app=javascript%3Aalert(1)"] {
        let res = http()
            .get(format!("{}/ehr{query}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{query}");
    }
}

#[tokio::test]
async fn decode_endpoint_explains_values_and_reports_errors() {
    let app = common::spawn_app().await;
    let res = http()
        .get(format!(
            "{}/api/decode?input=eyJoIjoiMSIsImoiOiIxIn0",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["options"]["launch_type"], "provider-standalone");
    assert!(body["lines"].as_array().unwrap().len() >= 2);

    let res = http()
        .get(format!("{}/api/decode?input=%25%25%25", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["ok"], false);
    assert!(body["error"].as_str().unwrap().contains("base64"));
}

#[tokio::test]
async fn pages_and_their_static_files_are_served() {
    let app = common::spawn_app().await;
    for (path, ctype) in [
        ("/", "text/html"),
        ("/sample-app/", "text/html"),
        ("/sample-app/launch", "text/html"),
        ("/sample-app/backend", "text/html"),
        ("/static/pages.css", "text/css"),
        ("/static/launch-codec.js", "text/javascript"),
        ("/static/launcher.js", "text/javascript"),
        ("/static/keygen.js", "text/javascript"),
        ("/static/sample-app.js", "text/javascript"),
        ("/static/sample-backend.js", "text/javascript"),
    ] {
        let res = http()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ctype),
            "{path}"
        );
    }
    let res = http()
        .get(format!("{}/sample-app", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 301);
    assert_eq!(res.headers()["location"], "/sample-app/");
    let res = http()
        .get(format!("{}/static/..%2FCargo.toml", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

/// SMART App Launch 2.2 "Styling": every field of the style document.
#[tokio::test]
async fn smart_style_has_every_field_of_the_spec() {
    let app = common::spawn_app().await;
    let res = http()
        .get(format!("{}/smart-style.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    for field in [
        "color_background",
        "color_error",
        "color_highlight",
        "color_modal_backdrop",
        "color_success",
        "color_text",
        "dim_border_radius",
        "dim_font_size",
        "dim_spacing_size",
        "font_family_body",
        "font_family_heading",
    ] {
        assert!(
            body[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} missing in {body}"
        );
    }
}
