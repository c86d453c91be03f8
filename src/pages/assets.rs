//! Static files compiled into the binary, so the sandbox is a single file
//! and pages never depend on the network.

/// Looks up a static file by exact name. Only the names listed here exist,
/// which rules out path traversal by construction.
pub fn static_asset(name: &str) -> Option<(&'static str, &'static [u8])> {
    match name {
        "style.css" => Some((
            "text/css; charset=utf-8",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/style.css")),
        )),
        "picker.js" => Some((
            "text/javascript; charset=utf-8",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/picker.js")),
        )),
        "favicon.svg" => Some((
            "image/svg+xml",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/favicon.svg")),
        )),
        "pages.css" => Some((
            "text/css; charset=utf-8",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/pages.css")),
        )),
        "launch-codec.js" => Some((
            "text/javascript; charset=utf-8",
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/static/launch-codec.js"
            )),
        )),
        "launcher.js" => Some((
            "text/javascript; charset=utf-8",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/launcher.js")),
        )),
        "keygen.js" => Some((
            "text/javascript; charset=utf-8",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/keygen.js")),
        )),
        "sample-app.js" => Some((
            "text/javascript; charset=utf-8",
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/sample-app.js")),
        )),
        "sample-backend.js" => Some((
            "text/javascript; charset=utf-8",
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/static/sample-backend.js"
            )),
        )),
        _ => None,
    }
}
