//! The real `smart-sandbox` binary as a child process on an ephemeral
//! loopback port, so figures (start-up, resident memory) are the binary's
//! own and not the load driver's.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const SECRET: &str = "load-driver-secret-0123456789abcdef";

pub struct Server {
    child: Child,
    pub port: u16,
    pub base: String,
    /// From spawn to the first 200 of `/health`.
    pub ready_after: Duration,
}

fn signing_key() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-signing-key.pem")
}

impl Server {
    /// Starts the binary with a fixed key and secret (`extra` flags appended)
    /// and waits until `/health` answers. `request_log` keeps the per-request
    /// log lines on (as a deployment would); they are read and discarded.
    pub fn start(extra: &[&str], request_log: bool) -> Server {
        let filter = if request_log {
            "info,actix_server=warn"
        } else {
            "info,actix_server=warn,smart_sandbox::http::observe=warn"
        };
        let t = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_smart-sandbox"))
            .args([
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--secret",
                SECRET,
            ])
            .arg("--signing-key")
            .arg(signing_key())
            .args(extra)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the smart-sandbox binary starts");
        let out = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, rx) = mpsc::channel();
        // Drains stdout for the whole run: a full pipe would block the server.
        std::thread::spawn(move || {
            let mut out = out;
            let mut line = String::new();
            loop {
                line.clear();
                if !matches!(out.read_line(&mut line), Ok(n) if n > 0) {
                    return;
                }
                let v = serde_json::from_str::<serde_json::Value>(&line).unwrap_or_default();
                if let Some(port) = v["port"].as_u64() {
                    let _ = tx.send(port as u16);
                    break;
                }
            }
            // The rest is drained, not parsed: on a small machine the
            // driver's CPU is the server's too.
            let _ = std::io::copy(&mut out, &mut std::io::sink());
        });
        let port = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(p) => p,
            Err(_) => {
                let _ = child.kill();
                panic!("the server logged no port within 30 s");
            }
        };
        wait_healthy(port);
        Server {
            child,
            port,
            base: format!("http://127.0.0.1:{port}"),
            ready_after: t.elapsed(),
        }
    }

    /// Resident memory (`VmRSS`) of the server process in KiB; 0 off Linux.
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.child.id())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then waits for the exit (the graceful path).
    pub fn stop(mut self) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A plain blocking HTTP/1.1 probe: no client library start-up in the
/// measured start-up time.
fn wait_healthy(port: u16) {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut head = [0u8; 12];
            if s.read_exact(&mut head).is_ok() && &head[9..12] == b"200" {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("/health did not answer 200 within 30 s");
}

pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
