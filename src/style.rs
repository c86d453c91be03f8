//! The SMART style document served at `/smart-style.json` and named by
//! `smart_style_url` (SMART App Launch 2.2, "Styling"): colors, fonts and
//! dimensions an embedded app can adopt to look at home in the EHR.

use serde_json::{json, Value};

pub fn smart_style() -> Value {
    json!({
        "color_background": "#f5f7fa",
        "color_error": "#b42318",
        "color_highlight": "#1d6fb8",
        "color_modal_backdrop": "rgba(16, 24, 40, 0.6)",
        "color_success": "#067647",
        "color_text": "#1f2933",
        "dim_border_radius": "6px",
        "dim_font_size": "15px",
        "dim_spacing_size": "16px",
        "font_family_body": "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif",
        "font_family_heading": "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif"
    })
}
