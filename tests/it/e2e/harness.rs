//! The end-to-end harness: the `scwform` binary run in a temporary directory against either
//! `--sandbox` or an emulator started by the test (reached through `SCW_API_URL`), behind a
//! small proxy that records every request (method and path) so tests can count API calls.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use scwform::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Settle};
use serde_json::Value;

use crate::common;

/// One finished run of the binary.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Both streams, for searching.
    pub(crate) fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub(crate) fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A temporary configuration directory.
pub(crate) struct Workdir {
    pub(crate) dir: tempfile::TempDir,
}

impl Workdir {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces `main.tf`.
    pub(crate) fn write(&self, text: &str) {
        std::fs::write(self.path().join("main.tf"), text).expect("write main.tf");
    }

    /// A copy of a directory of the repository.
    pub(crate) fn copy_of(src: &Path) -> Self {
        fn copy_tree(from: &Path, to: &Path) {
            for entry in std::fs::read_dir(from).expect("read example dir") {
                let entry = entry.expect("dir entry");
                let target = to.join(entry.file_name());
                if entry.path().is_dir() {
                    std::fs::create_dir(&target).expect("create dir");
                    copy_tree(&entry.path(), &target);
                } else if entry.path().is_file() {
                    std::fs::copy(entry.path(), target).expect("copy");
                }
            }
        }
        let w = Self::new();
        copy_tree(src, w.path());
        w
    }

    /// A command for the binary in this directory, with a clean environment (no real
    /// credentials or config file can leak in).
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(common::scwform_bin());
        cmd.args(args)
            .current_dir(self.path())
            .env_clear()
            .env("HOME", self.path())
            .env("SCW_CONFIG_PATH", self.path().join("no-scw-config.yaml"))
            .stdin(Stdio::null());
        cmd
    }

    pub(crate) fn run_with(&self, mut cmd: Command) -> Run {
        // Commands come from `command`, so they already run in this directory.
        let _ = self;
        let out = cmd.output().expect("the binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs with `--sandbox` appended.
    pub(crate) fn sandbox(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.push("--sandbox");
        self.run_with(self.command(&all))
    }

    /// The state file, parsed.
    pub(crate) fn state(&self, file: &str) -> Value {
        let text = std::fs::read_to_string(self.path().join(file)).expect("state file");
        serde_json::from_str(&text).expect("valid state JSON")
    }
}

/// The attributes of `TYPE.NAME` (first instance) in a parsed state.
pub(crate) fn attributes(state: &Value, type_name: &str, name: &str) -> Option<Value> {
    state["resources"]
        .as_array()?
        .iter()
        .find(|r| r["type"] == type_name && r["name"] == name)
        .and_then(|r| r["instances"][0].get("attributes").cloned())
}

/// Every string value in the state that is a secret: attributes the schema marks sensitive and
/// sensitive outputs.
pub(crate) fn secrets(state: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in state["resources"].as_array().into_iter().flatten() {
        for i in r["instances"].as_array().into_iter().flatten() {
            for key in ["secret_key", "token"] {
                if let Some(s) = i["attributes"][key].as_str()
                    && s.len() > 8
                    && s != "<hidden>"
                {
                    out.push(s.to_owned());
                }
            }
        }
    }
    for (_, o) in state["outputs"].as_object().into_iter().flatten() {
        if o["sensitive"] == true
            && let Some(s) = o["value"].as_str()
        {
            out.push(s.to_owned());
        }
    }
    out
}

/// An emulator started by the test, behind a recording proxy.
pub(crate) struct Api {
    emulator: Option<EmulatorHandle>,
    proxy: String,
    log: Arc<Mutex<Vec<String>>>,
    in_flight: Arc<AtomicUsize>,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct ProxyState {
    target: String,
    log: Arc<Mutex<Vec<String>>>,
    in_flight: Arc<AtomicUsize>,
    http: reqwest::Client,
}

/// Forwards one request. The call to the emulator runs on its own task, so a client that goes
/// away mid-call (a killed or interrupted `scwform`) does not cancel it: like the real API, the
/// emulator carries out a request it has received. `in_flight` counts those calls.
async fn forward(State(st): State<ProxyState>, req: Request) -> Response {
    st.in_flight.fetch_add(1, Ordering::SeqCst);
    let counter = Arc::clone(&st.in_flight);
    let call = tokio::spawn(async move {
        let answer = forward_call(st, req).await;
        counter.fetch_sub(1, Ordering::SeqCst);
        answer
    });
    call.await.unwrap_or_else(|_| {
        Response::builder()
            .status(502)
            .body(Body::empty())
            .expect("valid response")
    })
}

async fn forward_call(st: ProxyState, req: Request) -> Response {
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), ToString::to_string);
    st.log
        .lock()
        .expect("no poison")
        .push(format!("{method} {}", req.uri().path()));
    let headers = req.headers().clone();
    let body: Bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let mut out = st
        .http
        .request(method, format!("{}{path}", st.target))
        .body(body);
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            out = out.header(k, v);
        }
    }
    match out.send().await {
        Ok(answer) => {
            let mut res = Response::builder().status(answer.status());
            for (k, v) in answer.headers() {
                if k != "content-length" && k != "transfer-encoding" {
                    res = res.header(k, v);
                }
            }
            let bytes = answer.bytes().await.unwrap_or_default();
            res.body(Body::from(bytes)).expect("valid response")
        }
        // The emulator dropped the connection (injected fault): do the same.
        Err(_) => Response::builder()
            .status(502)
            .body(Body::empty())
            .expect("valid response"),
    }
}

impl Api {
    /// Transient statuses lasting one read.
    pub(crate) fn start() -> Self {
        Self::start_with(EmulatorConfig {
            settle: Settle::Reads { reads: 1 },
            ..EmulatorConfig::default()
        })
    }

    pub(crate) fn start_with(config: EmulatorConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let log = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        let (emulator, proxy) = rt.block_on(async {
            let emulator = Emulator::start(config).await.expect("emulator starts");
            let state = ProxyState {
                target: emulator.base_url(),
                log: Arc::clone(&log),
                in_flight: Arc::clone(&in_flight),
                http: http.clone(),
            };
            let app = axum::Router::new().fallback(forward).with_state(state);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind proxy");
            let proxy = format!("http://{}", listener.local_addr().expect("address"));
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            (emulator, proxy)
        });
        Self {
            emulator: Some(emulator),
            proxy,
            log,
            in_flight,
            http,
            rt,
        }
    }

    fn emulator(&self) -> &EmulatorHandle {
        self.emulator.as_ref().expect("running")
    }

    /// The URL the binary reaches the API at (the recording proxy).
    pub(crate) fn url(&self) -> &str {
        &self.proxy
    }

    /// The secret key the binary authenticates with.
    pub(crate) fn secret_key(&self) -> String {
        self.emulator().secret_key().to_string()
    }

    /// The organization the secret key belongs to.
    pub(crate) fn organization_id(&self) -> String {
        self.emulator().organization_id().to_string()
    }

    /// Runs the binary in `dir` against this API.
    pub(crate) fn run(&self, dir: &Workdir, args: &[&str]) -> Run {
        dir.run_with(self.command(dir, args))
    }

    pub(crate) fn command(&self, dir: &Workdir, args: &[&str]) -> Command {
        let emu = self.emulator();
        let mut cmd = dir.command(args);
        cmd.env("SCW_API_URL", &self.proxy)
            .env("SCW_SECRET_KEY", emu.secret_key())
            .env(
                "SCW_DEFAULT_ORGANIZATION_ID",
                emu.organization_id().to_string(),
            )
            .env(
                "SCW_DEFAULT_PROJECT_ID",
                emu.default_project_id().to_string(),
            )
            .env("SCW_DEFAULT_REGION", "fr-par");
        cmd
    }

    /// Starts the binary in `dir` against this API without waiting for it.
    pub(crate) fn spawn(&self, dir: &Workdir, args: &[&str]) -> Running {
        Running::start(self.command(dir, args))
    }

    /// Waits (up to 30 s) until the emulator has answered every request the proxy passed on,
    /// including those whose client went away.
    pub(crate) fn wait_idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.in_flight.load(Ordering::SeqCst) > 0 {
            assert!(Instant::now() < deadline, "the emulator never went idle");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The requests seen since the last call, as `METHOD /path`.
    pub(crate) fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().expect("no poison"))
    }

    /// Calls the emulator directly (not recorded), as someone else would: returns the status
    /// and the JSON answer (`null` when empty).
    pub(crate) fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let emu = self.emulator();
        let url = format!("{}{path}", emu.base_url());
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        self.rt.block_on(async {
            let mut req = self
                .http
                .request(method, url)
                .header("X-Auth-Token", emu.secret_key());
            if let Some(b) = body {
                req = req.json(&b);
            }
            let res = req.send().await.expect("emulator answers");
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// Adds a one-shot fault (`POST /_emulator/faults/targeted`).
    pub(crate) fn fault(&self, fault: Value) {
        let (status, _) = self.call("POST", "/_emulator/faults/targeted", Some(fault));
        assert_eq!(status, 200);
    }

    /// Replaces the fault configuration (`PUT /_emulator/faults`).
    pub(crate) fn faults(&self, config: Value) {
        let (status, _) = self.call("PUT", "/_emulator/faults", Some(config));
        assert_eq!(status, 200);
    }

    /// The emulator's (redacted) store.
    pub(crate) fn store(&self) -> Value {
        self.call("GET", "/_emulator/store", None).1
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.rt.block_on(emulator.shutdown());
        }
    }
}

/// The binary running in the background, its stderr read line by line as it comes.
pub(crate) struct Running {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    /// Every stderr line received so far.
    seen: Vec<String>,
    stdout: std::thread::JoinHandle<String>,
}

impl Running {
    fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
            stdout,
        }
    }

    /// The process ID.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (up to 30 s) for the `n`th stderr line (counting from 1) that satisfies `pred`,
    /// and returns its index among the lines seen.
    #[track_caller]
    pub(crate) fn wait_for_nth(&mut self, n: usize, pred: impl Fn(&str) -> bool) -> usize {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut found = 0;
        let mut checked = 0;
        loop {
            while checked < self.seen.len() {
                if pred(&self.seen[checked]) {
                    found += 1;
                    if found == n {
                        return checked;
                    }
                }
                checked += 1;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(e) => panic!(
                    "no line #{n} as expected on stderr ({e:?}); got:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    #[cfg(unix)]
    pub(crate) fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT {}", self.pid());
    }

    /// Waits (up to 60 s) for the process to end and returns the whole run.
    pub(crate) fn finish(mut self) -> Run {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the binary did not end; stderr:\n{}", self.seen.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        // The reader thread ends at EOF, which comes when the process has ended.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            self.seen.push(line);
        }
        let stdout = self.stdout.join().unwrap_or_default();
        let mut stderr = self.seen.join("\n");
        stderr.push('\n');
        Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }
}

/// The directories under `examples/` that hold `.tf` files.
pub(crate) fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut has_tf = false;
        let mut subdirs = Vec::new();
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                subdirs.push(p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir.to_path_buf());
        }
        subdirs.sort();
        // `modules/` holds the modules an example calls, not examples.
        for s in subdirs.into_iter().filter(|s| !s.ends_with("modules")) {
            walk(&s, out);
        }
    }
    let mut out = Vec::new();
    walk(&common::repo_root().join("examples"), &mut out);
    out
}
