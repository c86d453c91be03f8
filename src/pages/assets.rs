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
        _ => None,
    }
}
