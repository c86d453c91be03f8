//! `smart-sandbox decode VALUE`: explains a launch value or sandbox URL.

use clap::Args;

use crate::launch::explain::{explain, Explanation};

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// A launch value, a sandbox URL (`.../v/r4/sim/{value}/fhir`) or an app
    /// launch URL with a `launch=` parameter.
    pub value: String,
    /// Print the decoded options as JSON instead of sentences.
    #[arg(long)]
    pub json: bool,
}

/// What to print on stdout, or the error for stderr.
pub fn run(args: &DecodeArgs) -> Result<String, String> {
    let e = explain(&args.value).map_err(|e| format!("not a launch value: {e}"))?;
    Ok(if args.json {
        serde_json::to_string_pretty(&e).unwrap_or_default()
    } else {
        text(&e)
    })
}

fn text(e: &Explanation) -> String {
    let mut out = String::new();
    if let Some(r) = &e.release {
        out.push_str(&format!("FHIR release: {r}\n"));
    }
    out.push_str(&format!("launch value: {}\n", e.value));
    for line in &e.lines {
        out.push_str(&format!("- {line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_value_and_errors() {
        let ok = run(&DecodeArgs {
            value: "eyJoIjoiMSIsImoiOiIxIn0".into(),
            json: true,
        })
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
        assert_eq!(v["options"]["launch_type"], "provider-standalone");
        assert!(run(&DecodeArgs {
            value: "!!".into(),
            json: false
        })
        .is_err());
    }
}
