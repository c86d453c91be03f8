//! The `smart-sandbox` binary's subcommands, through the real executable.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::flows::{code_for, http, Authz, Choices, SiteUrls};
use common::{test_key_path, TEST_SECRET};

const BIN: &str = env!("CARGO_BIN_EXE_smart-sandbox");

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// The binary with none of the settings' environment variables inherited.
fn bin() -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "HOST",
        "PORT",
        "BASE_URL",
        "SIGNING_KEY",
        "SECRET",
        "CONFIG_FILE",
        "LOG_FORMAT",
        "DATA_DIR",
        "RUST_LOG",
    ] {
        c.env_remove(var);
    }
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["launch-url", "--help"],
        vec!["decode", "--help"],
        vec!["keys", "--help"],
        vec!["keys", "generate", "--help"],
        vec!["fixtures", "generate", "--help"],
    ] {
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage:"), "{args:?}");
    }
    let top = stdout(&run(&["--help"]));
    for sub in ["serve", "launch-url", "decode", "keys", "--config"] {
        assert!(top.contains(sub), "{sub} missing from --help");
    }
}

#[test]
fn decode_explains_the_v1_seed_and_refuses_garbage() {
    let o = run(&["decode", "eyJoIjoiMSIsImoiOiIxIn0"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).to_lowercase().contains("provider standalone"),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "decode",
        "--json",
        "http://x/v/r4/sim/eyJoIjoiMSIsImoiOiIxIn0/fhir",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["options"]["skip_auth"], true);
    assert_eq!(v["release"], "r4");
    let bad = run(&["decode", "not*a*launch"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    assert!(stderr(&bad).contains("error"), "{}", stderr(&bad));
}

#[test]
fn keys_generate_writes_a_private_pem_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    let p = path.to_str().unwrap();
    let o = run(&["keys", "generate", "--out", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let signer = smart_sandbox::keys::RsaSigner::from_pem(&pem).unwrap();
    assert_eq!(stdout(&o).trim(), signer.kid());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = run(&["keys", "generate", "--out", p]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
    let forced = run(&["keys", "generate", "--out", p, "--force"]);
    assert!(forced.status.success());
    assert_ne!(std::fs::read_to_string(&path).unwrap(), pem);
}

#[test]
fn launch_url_env_output_evaluates_in_a_shell() {
    let o = run(&["launch-url", "--patient", "p1", "--format", "env"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = format!(
        "{}\nprintf '%s\\n%s\\n%s' \"$ISS\" \"$LAUNCH\" \"$LAUNCH_URL\"",
        stdout(&o)
    );
    let sh = Command::new("sh").arg("-c").arg(script).output().unwrap();
    let text = stdout(&sh);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "http://127.0.0.1:8445/v/r4/fhir");
    assert_eq!(
        smart_sandbox::launch::decode(lines[1]).unwrap().patient,
        "p1"
    );
    assert!(lines[2].starts_with("http://127.0.0.1:8445/sample-app/launch?iss="));
    assert!(lines[2].ends_with(&format!("&launch={}", lines[1])));
    let bad = run(&["launch-url", "--pkce", "sometimes"]);
    assert!(!bad.status.success());
}

#[tokio::test]
async fn a_printed_standalone_iss_launches_headless() {
    let app = common::spawn_app().await;
    let o = run(&[
        "launch-url",
        "--launch-type",
        "provider-standalone",
        "--patient",
        "pat-kenji-watanabe",
        "--provider",
        "prac-ines-duarte",
        "--skip-login",
        "--skip-auth",
        "--base-url",
        &app.base,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let iss = out["iss"].as_str().unwrap();
    let launch = out["launch"].as_str().unwrap();
    assert_eq!(iss, format!("{}/v/r4/sim/{launch}/fhir", app.base));
    let conf: serde_json::Value = http()
        .get(format!("{iss}/.well-known/smart-configuration"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    assert_eq!(
        conf["authorization_endpoint"],
        format!("{}/v/r4/sim/{launch}/auth/authorize", app.base)
    );
    let site = SiteUrls::sim(&app, launch);
    let code = code_for(
        &http(),
        &Authz::new(&site, "launch/patient openid fhirUser patient/*.read"),
        &Choices::default(),
    )
    .await;
    assert!(!code.is_empty());
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Starts `serve` with JSON logs and returns the child and its port.
fn serve(cmd: &mut Command) -> (Child, u16) {
    let mut child = cmd
        .env("LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let out = BufReader::new(child.stdout.take().unwrap());
    for line in out.lines() {
        let line = line.unwrap();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if let Some(port) = v["port"].as_u64() {
            return (child, port as u16);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    panic!("no port logged; stderr: {err}");
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(start.elapsed() < within, "no exit within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn smart_config(port: u16) -> serde_json::Value {
    http()
        .get(format!(
            "http://127.0.0.1:{port}/v/r4/fhir/.well-known/smart-configuration"
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap()
}

#[tokio::test]
async fn config_file_env_and_flags_apply_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "sandbox.toml",
        &format!(
            "port = 0\nsigning-key = {:?}\nsecret = {TEST_SECRET:?}\nbase_url = \"http://from-file.test\"\naccess-token-lifetime = 120\n",
            test_key_path().to_str().unwrap()
        ),
    );
    // The file alone.
    let (mut child, port) = serve(bin().args(["--config", &file]));
    assert_eq!(
        smart_config(port).await["issuer"],
        "http://from-file.test/v/r4/fhir"
    );
    sigterm(&child);
    assert!(wait_exit(&mut child, Duration::from_secs(10)).success());
    // The environment beats the file.
    let (mut child, port) = serve(
        bin()
            .args(["serve", "--config", &file])
            .env("BASE_URL", "http://from-env.test"),
    );
    assert_eq!(
        smart_config(port).await["issuer"],
        "http://from-env.test/v/r4/fhir"
    );
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(10));
    // A flag beats both.
    let (mut child, port) = serve(
        bin()
            .args(["--config", &file, "--base-url", "http://from-flag.test"])
            .env("BASE_URL", "http://from-env.test"),
    );
    assert_eq!(
        smart_config(port).await["issuer"],
        "http://from-flag.test/v/r4/fhir"
    );
    sigterm(&child);
    wait_exit(&mut child, Duration::from_secs(10));
}

#[test]
fn config_file_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = write(dir.path(), "a.toml", "port = 0\nsecrett = \"x\"\n");
    let o = run(&["--config", &unknown]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown key `secrett`"),
        "{}",
        stderr(&o)
    );
    let invalid = write(dir.path(), "b.toml", "port = 70000\n");
    let o = run(&["serve", "--config", &invalid]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("key `port`") && stderr(&o).contains("70000"),
        "{}",
        stderr(&o)
    );
    let enum_value = write(dir.path(), "c.toml", "log-format = \"xml\"\n");
    let o = run(&["--config", &enum_value]);
    assert!(stderr(&o).contains("key `log-format`"), "{}", stderr(&o));
    let missing = run(&["--config", "/nonexistent/sandbox.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/nonexistent/sandbox.toml"));
}

#[tokio::test]
async fn sigterm_stops_the_server_and_exits_zero() {
    let key = test_key_path();
    let (mut child, port) = serve(bin().args([
        "--port",
        "0",
        "--signing-key",
        key.to_str().unwrap(),
        "--secret",
        TEST_SECRET,
    ]));
    assert_eq!(
        smart_config(port).await["issuer"],
        format!("http://127.0.0.1:{port}/v/r4/fhir")
    );
    sigterm(&child);
    let status = wait_exit(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(0));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn human_logs_written_to_a_pipe_are_plain_text() {
    let key = test_key_path();
    let mut child = bin()
        .args(["--port", "0", "--signing-key", key.to_str().unwrap()])
        .args(["--secret", TEST_SECRET])
        .env("LOG_FORMAT", "human")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    // Lines come through a channel so that a start message that never
    // arrives fails the test after a while instead of hanging it.
    let out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        let listening = line.contains("port");
        seen.push(line);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter()
            .any(|l| l.contains("INFO") && l.contains("port")),
        "the human start line: {seen:?}"
    );
    assert!(
        seen.iter().all(|l| !l.contains('\u{1b}')),
        "no terminal colour codes in a piped log: {seen:?}"
    );
}
