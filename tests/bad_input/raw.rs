//! A raw HTTP/1.1 client over TCP. reqwest (through the `url` crate)
//! normalizes `%2e%2e` segments and backslashes and refuses some header
//! bytes; a hostile-input suite must send exactly what it means to, so the
//! request line, headers and body go out byte for byte here. Every request
//! has its own connection with `Connection: close`, which also tells a
//! dropped connection (no complete answer) apart from an answer.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest a single request may take before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent: path and query, already percent-encoded.
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &str, target: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Sets `name` (replacing any earlier value) to raw bytes.
    pub fn set(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.remove(name);
        self.headers.push((name.to_ascii_lowercase(), value.into()));
    }

    pub fn remove(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    fn head(&self, port: u16) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        if self.header("host").is_none() {
            out.extend_from_slice(format!("host: 127.0.0.1:{port}\r\n").as_bytes());
        }
        for (k, v) in &self.headers {
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(
            format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                self.body.len()
            )
            .as_bytes(),
        );
        out
    }
}

#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Sends `req` to `127.0.0.1:port`. `Err` is a dropped connection, a
/// malformed answer or a hang, each with what was seen.
pub async fn send(port: u16, req: &Request) -> Result<Response, String> {
    match tokio::time::timeout(TIMEOUT, exchange(port, req)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {TIMEOUT:?}")),
    }
}

async fn exchange(port: u16, req: &Request) -> Result<Response, String> {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (mut rd, mut wr) = stream.into_split();
    let mut bytes = req.head(port);
    bytes.extend_from_slice(&req.body);
    // Write and read at once: a server may answer (413, 431) before it has
    // read a large request, and that answer is what counts.
    let write = async move {
        let _ = wr.write_all(&bytes).await;
        wr
    };
    let read = async {
        let mut buf = Vec::new();
        let r = rd.read_to_end(&mut buf).await;
        (buf, r)
    };
    let (_wr, (buf, result)) = tokio::join!(write, read);
    if buf.is_empty() {
        return Err(match result {
            Ok(_) => "connection closed without an answer".into(),
            Err(e) => format!("connection dropped: {e}"),
        });
    }
    parse(&buf)
}

fn parse(buf: &[u8]) -> Result<Response, String> {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("truncated answer: {:?}", String::from_utf8_lossy(buf)))?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let raw = &buf[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(raw)?
    } else {
        match headers.iter().find(|(k, _)| k == "content-length") {
            Some((_, n)) => {
                let n: usize = n.parse().map_err(|_| format!("bad content-length {n}"))?;
                if raw.len() < n {
                    return Err(format!("body cut short: {} of {n} bytes", raw.len()));
                }
                raw[..n].to_vec()
            }
            None => raw.to_vec(),
        }
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// RFC 9112 §7.1 chunked transfer coding (extensions and trailers ignored).
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunked body cut short")?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if raw.len() < size + 2 {
            return Err("chunk cut short".into());
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}
