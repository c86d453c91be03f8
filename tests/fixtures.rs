//! The committed `fixtures/` are exactly the generator's output, valid, and
//! reproducible through the CLI.

use std::fs;
use std::path::Path;
use std::process::Command;

use smart_sandbox::fixtures::{self, load, validate::validate};

fn committed() -> Vec<serde_json::Value> {
    fixtures::generate(fixtures::COMMITTED_PATIENTS, fixtures::COMMITTED_SEED)
}

#[test]
fn embedded_fixtures_equal_the_generator_output_and_validate() {
    let embedded = load::embedded();
    let generated = committed();
    assert_eq!(
        embedded.len(),
        generated.len(),
        "regenerate: see fixtures/README.md"
    );
    assert!(
        embedded == generated,
        "fixtures/ is stale: see fixtures/README.md"
    );
    let problems = validate(&embedded);
    assert!(
        problems.is_empty(),
        "{:?}",
        &problems[..problems.len().min(10)]
    );
}

#[test]
fn write_dir_reproduces_the_committed_files_byte_for_byte() {
    let dir = std::env::temp_dir().join(format!("smart-sandbox-fixtures-{}", std::process::id()));
    load::write_dir(&committed(), &dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for entry in fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        let written = fs::read(dir.join(&name)).unwrap();
        let committed = fs::read(root.join(&name)).unwrap();
        assert!(written == committed, "{name:?} differs");
    }
    fs::remove_dir_all(&dir).unwrap();
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_smart-sandbox"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_generates_a_small_set_and_every_subcommand_has_help() {
    let dir = std::env::temp_dir().join(format!("smart-sandbox-cli-{}", std::process::id()));
    let out = cli(&[
        "fixtures",
        "generate",
        "--patients",
        "12",
        "--seed",
        "5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let patients = fs::read_to_string(dir.join("Patient.ndjson")).unwrap();
    assert_eq!(patients.lines().count(), 12);
    let all: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .flat_map(|e| load::parse_ndjson(&fs::read_to_string(e.unwrap().path()).unwrap()).unwrap())
        .collect();
    assert!(validate(&all).is_empty());
    fs::remove_dir_all(&dir).unwrap();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["fixtures", "--help"],
        &["fixtures", "generate", "--help"],
    ] {
        let out = cli(args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    let serve_help = String::from_utf8_lossy(&cli(&["--help"]).stdout).to_string();
    assert!(serve_help.contains("--port") && serve_help.contains("fixtures"));
}
