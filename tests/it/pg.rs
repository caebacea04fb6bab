//! A throwaway PostgreSQL server for the tests that need one (the `pg` backend's conformance
//! and interop tests), or the one named by `PG_CONN_STR`.
//!
//! The server is started once per test process, from the PostgreSQL binaries installed under
//! `/usr/lib/postgresql/*/bin`: a temporary data directory, a free port on 127.0.0.1, trust
//! authentication, run as the `postgres` user when the tests run as root. A watchdog shell
//! started with it stops the server and removes its directory as soon as the test process is
//! gone, however it ended (success, failure, panic, kill), so no run leaves a server behind.
//!
//! Without PostgreSQL the tests that need it skip, saying so; under `CI=true` they fail.

#![allow(clippy::print_stderr)]

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// A reachable server.
pub(crate) struct PgServer {
    /// A connection string for its `postgres` database (no TLS: a local test server).
    pub(crate) conn_str: String,
}

impl PgServer {
    /// A connection string for database `db` (created on first use).
    pub(crate) fn database(&self, db: &str) -> String {
        let admin = self.conn_str.clone();
        let name = db.to_owned();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                .await
                .expect("the test server accepts connections");
            tokio::spawn(connection);
            let exists = client
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .await
                .expect("query");
            if exists.is_none() {
                // Two tests may race to create it; the loser sees it exists.
                let _ = client
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .await;
            }
        });
        match self.conn_str.split_once('?') {
            Some((base, query)) => {
                let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
                format!("{base}/{db}?{query}")
            }
            None => format!("{} dbname={db}", self.conn_str),
        }
    }
}

static SERVER: OnceLock<Option<PgServer>> = OnceLock::new();

/// The test server, started on first use; `None` (after saying why) when there is no
/// PostgreSQL here. Under `CI=true` a missing server fails the test instead.
pub(crate) fn server(what: &str) -> Option<&'static PgServer> {
    let server = SERVER.get_or_init(start).as_ref();
    if server.is_none() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "{what} needs PostgreSQL: neither PG_CONN_STR nor the server binaries under /usr/lib/postgresql/*/bin are usable, and CI=true"
        );
        eprintln!(
            "skipping {what}: no PostgreSQL (set PG_CONN_STR, or install the server binaries)"
        );
    }
    server
}

fn binaries() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("postgres").is_file())
        .collect();
    // The newest version (directories are named by major version).
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn start() -> Option<PgServer> {
    if let Ok(conn_str) = std::env::var("PG_CONN_STR")
        && !conn_str.is_empty()
    {
        return Some(PgServer { conn_str });
    }
    let bin = binaries()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    // As root, the server runs as `postgres` (PostgreSQL refuses to run as root).
    let as_postgres = if is_root() {
        "setpriv --reuid=postgres --regid=postgres --init-groups --"
    } else {
        ""
    };
    let chown = if is_root() {
        "chown postgres \"$DIR\""
    } else {
        "true"
    };
    let script = format!(
        r#"set -u
DIR=$(mktemp -d /tmp/scwform-pg.XXXXXX) || exit 1
{chown}
cleanup() {{
  [ -n "${{PG:-}}" ] && kill -QUIT "$PG" 2>/dev/null && wait "$PG" 2>/dev/null
  rm -rf "$DIR"
}}
trap 'cleanup; exit 0' INT TERM HUP
if ! {as_postgres} "{bin}/initdb" -D "$DIR/data" -A trust -U postgres --no-sync >"$DIR/initdb.log" 2>&1; then
  echo "FAILED initdb: $(tail -n 5 "$DIR/initdb.log" | tr '\n' ' ')"; cleanup; exit 1
fi
{as_postgres} "{bin}/postgres" -D "$DIR/data" -p {port} -k "$DIR" -c listen_addresses=127.0.0.1 \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
  >"$DIR/server.log" 2>&1 &
PG=$!
i=0
until "{bin}/pg_isready" -q -h 127.0.0.1 -p {port}; do
  i=$((i+1))
  if [ $i -gt 300 ] || ! kill -0 "$PG" 2>/dev/null; then
    echo "FAILED server: $(tail -n 5 "$DIR/server.log" | tr '\n' ' ')"; cleanup; exit 1
  fi
  sleep 0.1
done
echo READY
exec >/dev/null 2>&1
while [ -d /proc/{test_pid} ]; do sleep 0.5; done
cleanup
"#,
        bin = bin.display(),
        test_pid = std::process::id(),
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).ok()?;
    if line.trim() != "READY" {
        eprintln!("the test PostgreSQL server did not start: {}", line.trim());
        let _ = child.wait();
        return None;
    }
    // The watchdog outlives this handle: it ends with the test process.
    std::mem::forget(child);
    Some(PgServer {
        conn_str: format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"),
    })
}
