//! Load generator for the emulator: GET and POST requests per second and latency percentiles on
//! loopback, with no injected latency.
//!
//! The server runs on its own two-worker runtime (as `scwform emulator` would); the client is a
//! minimal keep-alive HTTP/1.1 writer/reader on a single-threaded runtime, so that client
//! overhead stays small on a 2-core machine.
//!
//! Run: `cargo bench --bench emulator -- [SECONDS] [CONNECTIONS]`
//! (defaults: 5 seconds per phase, 16 connections).

#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scwform::emulator::{Emulator, EmulatorConfig, Settle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Phase {
    name: &'static str,
    request: Vec<u8>,
}

fn request(method: &str, path: &str, key: &str, body: &str) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {key}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        r.push_str("Content-Type: application/json\r\n");
    }
    r.push_str("\r\n");
    r.push_str(body);
    r.into_bytes()
}

/// Sends one request and reads one response; returns the status code.
async fn exchange(stream: &mut TcpStream, req: &[u8], buf: &mut Vec<u8>) -> std::io::Result<u16> {
    stream.write_all(req).await?;
    buf.clear();
    let mut chunk = vec![0u8; 16 * 1024];
    let (head_end, content_length) = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..pos]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (pos + 4, len);
        }
    };
    while buf.len() < head_end + content_length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let status = std::str::from_utf8(&buf[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(status)
}

async fn connection(addr: SocketAddr, req: Arc<Vec<u8>>, until: Instant) -> (Vec<u32>, usize) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut latencies = Vec::new();
    let mut errors = 0;
    while Instant::now() < until {
        let t = Instant::now();
        match exchange(&mut stream, &req, &mut buf).await {
            Ok(200) => latencies.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX)),
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                break;
            }
        }
    }
    (latencies, errors)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn main() {
    let nums: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let seconds = nums.first().copied().unwrap_or(5);
    let connections = nums.get(1).copied().unwrap_or(16);

    let config = EmulatorConfig {
        settle: Settle::Time { ms: 0 },
        ..EmulatorConfig::default()
    };
    let server = Emulator::start_blocking(config).expect("emulator starts");
    let handle = server.handle();
    let addr = handle.addr();
    let key = handle.secret_key().to_owned();
    let org = handle.organization_id().to_string();

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    // A settled namespace to read.
    let ns_id = client.block_on(async {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let mut buf = Vec::new();
        let body = format!(r#"{{"project_id":"{org}","name":"bench"}}"#);
        let req = request(
            "POST",
            "/containers/v1/regions/fr-par/namespaces",
            &key,
            &body,
        );
        exchange(&mut s, &req, &mut buf).await.expect("create");
        let text = String::from_utf8_lossy(&buf).into_owned();
        let at = text.find(r#""id":""#).expect("id in answer") + 6;
        text[at..at + 36].to_owned()
    });
    let phases = [
        Phase {
            name: "GET namespace",
            request: request(
                "GET",
                &format!("/containers/v1/regions/fr-par/namespaces/{ns_id}"),
                &key,
                "",
            ),
        },
        Phase {
            name: "POST project",
            request: request(
                "POST",
                "/account/v3/projects",
                &key,
                &format!(r#"{{"name":"bench","organization_id":"{org}","description":""}}"#),
            ),
        },
    ];
    println!(
        "emulator load: {seconds} s per phase, {connections} keep-alive connections, loopback"
    );
    for phase in phases {
        let req = Arc::new(phase.request);
        let (mut latencies, errors) = client.block_on(async {
            // Warm-up.
            let warm = Instant::now() + Duration::from_millis(500);
            let _ = connection(addr, req.clone(), warm).await;
            let until = Instant::now() + Duration::from_secs(seconds);
            let tasks: Vec<_> = (0..connections)
                .map(|_| tokio::spawn(connection(addr, req.clone(), until)))
                .collect();
            let mut all = Vec::new();
            let mut errors = 0;
            for t in tasks {
                let (l, e) = t.await.expect("task");
                all.extend(l);
                errors += e;
            }
            (all, errors)
        });
        latencies.sort_unstable();
        let rate = latencies.len() as f64 / seconds as f64;
        println!(
            "{:<14} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  ({} requests, {} errors)",
            phase.name,
            rate,
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
            latencies.len(),
            errors
        );
    }
}
