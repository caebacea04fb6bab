//! The `pg` backend, compatible with Terraform's: states in a PostgreSQL database, so that
//! Terraform and scwform can share one database and see each other's states and locks.
//!
//! As Terraform (`internal/backend/remote-state/pg`):
//! - settings `conn_str` (else `PG_CONN_STR`, else the libpq variables `PGHOST`, `PGPORT`,
//!   `PGUSER`, `PGPASSWORD`, `PGDATABASE`), `schema_name` (else `PG_SCHEMA_NAME`, else
//!   `terraform_remote_state`), `skip_schema_creation`, `skip_table_creation`,
//!   `skip_index_creation` (else `PG_SKIP_*_CREATION`);
//! - one table `<schema>.states (id bigint, name text unique, data text)`, one row per
//!   workspace named by the workspace (`default` for the default one), ids from the sequence
//!   `public.global_states_id_seq`, unique index `states_by_name`;
//! - session-level advisory locks: a workspace's lock is `pg_try_advisory_lock(id)` of its
//!   row, and `-1` while a workspace without a row is being created. The database releases
//!   them when the session ends, however the holder ends (even `kill -9`).
//!
//! Beside it, compatibly (Terraform ignores other tables): `<schema>.scwform_locks` records who
//! holds a lock (the [`LockInfo`] and the holder's session), readable by `force-unlock`, and
//! `<schema>.scwform_journal` keeps each workspace's intent journal. For a lock held by
//! Terraform, which records nothing, the holder is described from `pg_stat_activity`.
//!
//! Every statement goes through one connection (the session that holds the locks), owned by a
//! small runtime of its own, so the blocking [`Storage`]/[`Locker`] calls work from any thread.
//! Conditional writes run in a transaction that locks the row (`SELECT … FOR UPDATE`) and
//! compares its `xmin` with the version last read or written.
//!
//! The connection string's password never appears in messages ([`PgStorage::location`]
//! leaves it out).

use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex as AsyncMutex;
use tokio_postgres::{Client, NoTls};

use super::Settings;
use crate::state::lock::{Holder, LockGuard, LockInfo, Locker, TryLock};
use crate::state::storage::{DEFAULT_WORKSPACE, JournalLog, Storage, Stored, Version, Written};
use crate::state::{Lineage, State, StateError};

/// Terraform's default schema.
pub const DEFAULT_SCHEMA: &str = "terraform_remote_state";

/// The advisory lock key Terraform takes while creating a workspace.
const CREATION_LOCK: i64 = -1;

/// A transaction-scoped advisory lock key serialising scwform's schema setup (a negative
/// number no state row id can take).
const SETUP_LOCK: i64 = -0x5357_464f;

/// The `pg` backend's settings, resolved.
#[derive(Clone, PartialEq, Eq)]
pub struct PgConfig {
    /// The connection string (may hold a password: never shown).
    conn_str: String,
    /// The schema of the tables.
    pub schema_name: String,
    /// Do not create the schema.
    pub skip_schema_creation: bool,
    /// Do not create the tables.
    pub skip_table_creation: bool,
    /// Do not create the index.
    pub skip_index_creation: bool,
    /// libpq environment variables (`PGHOST`...), used where the connection string says
    /// nothing.
    libpq_env: Vec<(String, String)>,
}

impl std::fmt::Debug for PgConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConfig")
            .field("schema_name", &self.schema_name)
            .finish_non_exhaustive()
    }
}

impl PgConfig {
    pub(super) fn from_settings(
        settings: &mut Settings<'_>,
        env: &std::collections::BTreeMap<String, String>,
    ) -> Self {
        let env_bool = |settings: &mut Settings<'_>, name: &'static str, var: &str| {
            settings.bool(name).or_else(|| {
                let text = env.get(var).filter(|v| !v.is_empty())?;
                let parsed = super::parse_bool(text);
                if parsed.is_none() {
                    settings.problem(
                        name,
                        format!("invalid value for \"{name}\": {var}={text:?} is not a bool"),
                    );
                }
                parsed
            })
        };
        let conn_str = settings
            .string("conn_str")
            .or_else(|| env.get("PG_CONN_STR").cloned())
            .unwrap_or_default();
        let schema_name = settings
            .string("schema_name")
            .or_else(|| env.get("PG_SCHEMA_NAME").cloned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SCHEMA.to_owned());
        let skip_schema_creation =
            env_bool(settings, "skip_schema_creation", "PG_SKIP_SCHEMA_CREATION").unwrap_or(false);
        let skip_table_creation =
            env_bool(settings, "skip_table_creation", "PG_SKIP_TABLE_CREATION").unwrap_or(false);
        let skip_index_creation =
            env_bool(settings, "skip_index_creation", "PG_SKIP_INDEX_CREATION").unwrap_or(false);
        let libpq_env = [
            "PGHOST",
            "PGPORT",
            "PGUSER",
            "PGPASSWORD",
            "PGDATABASE",
            "PGSSLMODE",
            "USER",
        ]
        .iter()
        .filter_map(|k| env.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
        Self {
            conn_str,
            schema_name,
            skip_schema_creation,
            skip_table_creation,
            skip_index_creation,
            libpq_env,
        }
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.libpq_env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The client configuration: the connection string, completed from the libpq variables
    /// as libpq does.
    fn client_config(&self) -> Result<tokio_postgres::Config, String> {
        let (text, sslmode) = ssl_mode_of(&self.conn_str);
        let mut config: tokio_postgres::Config = if text.trim().is_empty() {
            tokio_postgres::Config::new()
        } else {
            text.parse()
                .map_err(|e| format!("invalid connection string: {e}"))?
        };
        if config.get_hosts().is_empty() {
            config.host(self.env("PGHOST").unwrap_or("localhost"));
        }
        if config.get_ports().is_empty()
            && let Some(port) = self.env("PGPORT")
        {
            config.port(
                port.parse()
                    .map_err(|_| format!("invalid PGPORT {port:?}"))?,
            );
        }
        if config.get_user().is_none() {
            let user = self
                .env("PGUSER")
                .or_else(|| self.env("USER"))
                .unwrap_or("postgres");
            config.user(user);
        }
        if config.get_password().is_none()
            && let Some(password) = self.env("PGPASSWORD")
        {
            config.password(password);
        }
        if config.get_dbname().is_none() {
            let db = self
                .env("PGDATABASE")
                .map(str::to_owned)
                .or_else(|| config.get_user().map(str::to_owned));
            if let Some(db) = db {
                config.dbname(db);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(15));
        }
        if config.get_application_name().is_none() {
            config.application_name(concat!("scwform ", env!("CARGO_PKG_VERSION")));
        }
        // libpq (and so Terraform) requires TLS unless told otherwise.
        let sslmode = sslmode
            .or_else(|| self.env("PGSSLMODE").map(str::to_owned))
            .unwrap_or_else(|| "require".to_owned());
        match sslmode.as_str() {
            "disable" | "allow" | "prefer" => {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            }
            other => {
                return Err(format!(
                    "sslmode={other}: scwform connects to PostgreSQL without TLS only; add sslmode=disable to the connection string (libpq and Terraform default to require)"
                ));
            }
        }
        Ok(config)
    }

    /// `postgres://user@host:port/db`, without the password.
    fn describe(&self) -> String {
        match self.client_config() {
            Ok(c) => {
                let host = c.get_hosts().first().map_or_else(String::new, |h| match h {
                    tokio_postgres::config::Host::Tcp(h) => h.clone(),
                    #[cfg(unix)]
                    tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
                });
                let port = c.get_ports().first().copied().unwrap_or(5432);
                format!(
                    "postgres://{}@{host}:{port}/{}",
                    c.get_user().unwrap_or(""),
                    c.get_dbname().unwrap_or("")
                )
            }
            Err(_) => "postgres".to_owned(),
        }
    }
}

/// The connection string without its `sslmode` (which may name modes the client library does
/// not parse), and that mode.
fn ssl_mode_of(conn_str: &str) -> (String, Option<String>) {
    let re = regex::Regex::new(r"(^|[?&\s])sslmode=([A-Za-z-]*)(&?)")
        .expect("a constant, valid pattern");
    let Some(caps) = re.captures(conn_str) else {
        return (conn_str.to_owned(), None);
    };
    let mode = caps[2].to_owned();
    let whole = caps.get(0).expect("the whole match");
    let lead = &caps[1];
    let amp = &caps[3];
    // Keep a `?` when other parameters follow it; drop a dangling `?`.
    let keep = match (lead, amp) {
        ("?", "&") => "?",
        ("&", "&") => "&",
        _ => "",
    };
    let mut text = String::with_capacity(conn_str.len());
    text.push_str(&conn_str[..whole.start()]);
    text.push_str(keep);
    text.push_str(&conn_str[whole.end()..]);
    (text, Some(mode))
}

/// `"name"` with quotes doubled, as Terraform's `pq.QuoteIdentifier`.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\0', "").replace('"', "\"\""))
}

/// What a PostgreSQL error says, without anything from the connection string.
fn describe_error(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// One connection, driven by a runtime of its own.
struct Session {
    runtime: Option<tokio::runtime::Runtime>,
    client: Arc<AsyncMutex<Client>>,
    location: String,
}

impl Drop for Session {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is not allowed inside another runtime: let it go in
        // the background. Its tasks (and the connection) end with it.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Session {
    fn connect(config: &PgConfig, location: String) -> Result<Self, StateError> {
        let remote = |action: &str, message: String| StateError::Remote {
            backend: location.clone(),
            action: action.to_owned(),
            message,
        };
        let client_config = config.client_config().map_err(|m| remote("connect", m))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("scwform-pg")
            .enable_all()
            .build()
            .map_err(|e| remote("start its connection thread", e.to_string()))?;
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let result = client_config
                .connect(NoTls)
                .await
                .map(|(client, connection)| {
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "PostgreSQL connection ended");
                        }
                    });
                    client
                });
            let _ = tx.send(result);
        });
        let client = rx
            .recv()
            .map_err(|_| remote("connect", "the connection thread stopped".into()))?
            .map_err(|e| remote("connect", describe_error(&e)))?;
        Ok(Self {
            runtime: Some(runtime),
            client: Arc::new(AsyncMutex::new(client)),
            location,
        })
    }

    /// Runs `work` with the client (one statement or transaction at a time) and waits for it.
    fn run<T, F, Fut>(&self, action: &str, work: F) -> Result<T, StateError>
    where
        F: FnOnce(Arc<AsyncMutex<Client>>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, tokio_postgres::Error>> + Send + 'static,
        T: Send + 'static,
    {
        let remote = |message: String| StateError::Remote {
            backend: self.location.clone(),
            action: action.to_owned(),
            message,
        };
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| remote("the connection is closed".into()))?;
        let (tx, rx) = std::sync::mpsc::channel();
        let client = Arc::clone(&self.client);
        runtime.spawn(async move {
            let _ = tx.send(work(client).await);
        });
        rx.recv()
            .map_err(|_| remote("the connection thread stopped".into()))?
            .map_err(|e| remote(describe_error(&e)))
    }
}

/// States in PostgreSQL tables, shared with Terraform's `pg` backend.
pub struct PgStorage {
    session: Arc<Session>,
    schema: String,
    where_: String,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage")
            .field("where", &self.where_)
            .finish_non_exhaustive()
    }
}

impl PgStorage {
    /// Connects and prepares the schema, tables and index (unless told to skip them).
    ///
    /// # Errors
    /// [`StateError::Remote`] when the database cannot be reached or the setup fails.
    pub fn open(config: &PgConfig) -> Result<Self, StateError> {
        let where_ = format!("{} (schema {})", config.describe(), config.schema_name);
        let session = Arc::new(Session::connect(config, where_.clone())?);
        let storage = Self {
            session,
            schema: quote(&config.schema_name),
            where_,
        };
        storage.setup(config)?;
        Ok(storage)
    }

    fn setup(&self, config: &PgConfig) -> Result<(), StateError> {
        let schema_name = config.schema_name.clone();
        let q = self.schema.clone();
        let (skip_schema, skip_table, skip_index) = (
            config.skip_schema_creation,
            config.skip_table_creation,
            config.skip_index_creation,
        );
        self.session.run("prepare its tables", move |client| async move {
            let mut client = client.lock().await;
            let tx = client.transaction().await?;
            // Two first runs at once would race on CREATE … IF NOT EXISTS.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK])
                .await?;
            if !skip_schema {
                // As Terraform: avoid CREATE SCHEMA (and its privilege) when it exists.
                let row = tx
                    .query_one(
                        "SELECT count(1) FROM information_schema.schemata WHERE schema_name = $1",
                        &[&schema_name],
                    )
                    .await?;
                if row.get::<_, i64>(0) < 1 {
                    tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {q}"))
                        .await?;
                }
            }
            if !skip_table {
                tx.batch_execute(&format!(
                    "CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq AS bigint;
                     CREATE TABLE IF NOT EXISTS {q}.states (
                         id bigint NOT NULL DEFAULT nextval('public.global_states_id_seq') PRIMARY KEY,
                         name text UNIQUE,
                         data text
                     );
                     CREATE TABLE IF NOT EXISTS {q}.scwform_locks (
                         name text PRIMARY KEY,
                         lock_key bigint NOT NULL,
                         backend_pid integer NOT NULL,
                         info text NOT NULL
                     );
                     CREATE TABLE IF NOT EXISTS {q}.scwform_journal (
                         seq bigserial PRIMARY KEY,
                         name text NOT NULL,
                         entry text NOT NULL
                     );"
                ))
                .await?;
            }
            if !skip_index {
                tx.batch_execute(&format!(
                    "CREATE UNIQUE INDEX IF NOT EXISTS states_by_name ON {q}.states (name)"
                ))
                .await?;
            }
            tx.commit().await
        })
    }

    /// The lock key of `workspace` (its row id), if it has a row.
    fn row_id(&self, workspace: &str) -> Result<Option<i64>, StateError> {
        let sql = format!("SELECT id FROM {}.states WHERE name = $1", self.schema);
        let name = workspace.to_owned();
        self.session
            .run("read the workspace", move |client| async move {
                let client = client.lock().await;
                Ok(client.query_opt(&sql, &[&name]).await?.map(|r| r.get(0)))
            })
    }

    /// Who holds advisory lock `key`, if anyone: scwform's record of it, or what the
    /// database shows of the session.
    fn holder_of(&self, key: i64) -> Result<Option<(Holder, i32)>, StateError> {
        // An advisory lock on one bigint shows in pg_locks as its high and low 32 bits.
        #[allow(
            clippy::cast_sign_loss,
            clippy::cast_possible_wrap,
            clippy::cast_possible_truncation
        )]
        let (high, low) = (((key as u64) >> 32) as i64, i64::from(key as u32));
        let info_sql = format!(
            "SELECT info FROM {}.scwform_locks WHERE backend_pid = $1 AND lock_key = $2",
            self.schema
        );
        self.session.run("read the lock holder", move |client| async move {
            let client = client.lock().await;
            let Some(row) = client
                .query_opt(
                    "SELECT l.pid, a.usename::text, a.application_name, a.client_addr::text,
                            a.backend_start::text
                     FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND l.classid::bigint = $1 AND l.objid::bigint = $2
                     LIMIT 1",
                    &[&high, &low],
                )
                .await?
            else {
                return Ok(None);
            };
            let pid: i32 = row.get(0);
            let recorded = client
                .query_opt(&info_sql, &[&pid, &key])
                .await
                .ok()
                .flatten()
                .and_then(|r| serde_json::from_str::<LockInfo>(&r.get::<_, String>(0)).ok());
            if let Some(info) = recorded {
                return Ok(Some((Holder::Known(Box::new(info)), pid)));
            }
            let user: Option<String> = row.get(1);
            let application: Option<String> = row.get(2);
            let client_addr: Option<String> = row.get(3);
            let since: Option<String> = row.get(4);
            let mut description = format!(
                "PostgreSQL session {pid} of user {}",
                user.as_deref().unwrap_or("?")
            );
            if let Some(app) = application.filter(|a| !a.is_empty()) {
                let _ = write!(description, " ({app})");
            }
            if let Some(addr) = client_addr {
                let _ = write!(description, " from {addr}");
            }
            if let Some(since) = since {
                let _ = write!(description, ", connected since {since}");
            }
            description.push_str(" (a Terraform run, or another client that records nothing about itself)");
            Ok(Some((
                Holder::Seen {
                    description,
                    id: Some(format!("pg-session-{pid}")),
                },
                pid,
            )))
        })
    }

    /// The key `workspace`'s lock uses now: its row id, or the creation lock without a row.
    fn current_holder(&self, workspace: &str) -> Result<Option<(Holder, i32)>, StateError> {
        if let Some(id) = self.row_id(workspace)?
            && let Some(found) = self.holder_of(id)?
        {
            return Ok(Some(found));
        }
        self.holder_of(CREATION_LOCK)
    }
}

/// A held advisory lock; released (and its record removed) on drop.
struct PgLock {
    session: Arc<Session>,
    schema: String,
    key: i64,
}

impl Drop for PgLock {
    fn drop(&mut self) {
        let sql = format!(
            "DELETE FROM {}.scwform_locks WHERE backend_pid = pg_backend_pid() AND lock_key = $1",
            self.schema
        );
        let key = self.key;
        let released = self
            .session
            .run("release the lock", move |client| async move {
                let client = client.lock().await;
                // The record may be missing (tables made by a DBA): releasing still matters.
                let _ = client.execute(&sql, &[&key]).await;
                client
                    .execute("SELECT pg_advisory_unlock($1)", &[&key])
                    .await
                    .map(|_| ())
            });
        if let Err(e) = released {
            tracing::warn!(error = %e, "cannot release the PostgreSQL lock; it goes when the connection closes");
        }
    }
}

impl PgStorage {
    /// Gives `workspace` its row, as Terraform does before locking a workspace: under the
    /// creation lock, an empty state. Returns the holder of the creation lock when it is
    /// taken.
    fn ensure_row(&self, workspace: &str) -> Result<Option<Holder>, StateError> {
        if self.row_id(workspace)?.is_some() {
            return Ok(None);
        }
        let insert = format!(
            "INSERT INTO {}.states (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            self.schema
        );
        let name = workspace.to_owned();
        let empty = State::new(Lineage::generate());
        let mut empty = empty;
        empty.serial = 1;
        let text = empty.to_json();
        let created = self
            .session
            .run("create the workspace", move |client| async move {
                let client = client.lock().await;
                let row = client
                    .query_one("SELECT pg_try_advisory_lock(-1)", &[])
                    .await?;
                if !row.get::<_, bool>(0) {
                    return Ok(false);
                }
                let inserted = client.execute(&insert, &[&name, &text]).await;
                client.execute("SELECT pg_advisory_unlock(-1)", &[]).await?;
                inserted.map(|_| true)
            })?;
        if created {
            Ok(None)
        } else {
            Ok(Some(
                self.holder_of(CREATION_LOCK)?
                    .map_or(Holder::Unknown, |(h, _)| h),
            ))
        }
    }
}

/// The outcome of one lock attempt: the guard, or the busy key and its holder.
enum Attempt {
    Acquired(LockGuard),
    Busy(i64, Holder),
}

impl PgStorage {
    fn try_lock_once(&self, workspace: &str, info: &LockInfo) -> Result<Attempt, StateError> {
        if let Some(holder) = self.ensure_row(workspace)? {
            return Ok(Attempt::Busy(CREATION_LOCK, holder));
        }
        let select = format!(
            "SELECT states.id, pg_try_advisory_lock(states.id), pg_try_advisory_lock(-1)
             FROM {q}.states WHERE states.name = $1",
            q = self.schema
        );
        let name = workspace.to_owned();
        // The same queries as Terraform, so that each sees the other's locks.
        let attempt: Result<i64, i64> = self.session.run("lock", move |client| async move {
            let client = client.lock().await;
            let unlock = async |key: i64| {
                client
                    .execute("SELECT pg_advisory_unlock($1)", &[&key])
                    .await
                    .map(|_| ())
            };
            match client.query_opt(&select, &[&name]).await? {
                None => {
                    let row = client
                        .query_one("SELECT pg_try_advisory_lock(-1)", &[])
                        .await?;
                    if row.get::<_, bool>(0) {
                        Ok(Ok(CREATION_LOCK))
                    } else {
                        Ok(Err(CREATION_LOCK))
                    }
                }
                Some(row) => {
                    let id: i64 = row.get(0);
                    let (row_locked, creation_locked): (bool, bool) = (row.get(1), row.get(2));
                    if creation_locked {
                        unlock(CREATION_LOCK).await?;
                    }
                    match (row_locked, creation_locked) {
                        (true, true) => Ok(Ok(id)),
                        (false, _) => Ok(Err(id)),
                        (true, false) => {
                            unlock(id).await?;
                            Ok(Err(CREATION_LOCK))
                        }
                    }
                }
            }
        })?;
        let key = match attempt {
            Ok(key) => key,
            Err(busy) => {
                let holder = self.holder_of(busy)?.map_or(Holder::Unknown, |(h, _)| h);
                return Ok(Attempt::Busy(busy, holder));
            }
        };
        let guard = PgLock {
            session: Arc::clone(&self.session),
            schema: self.schema.clone(),
            key,
        };
        let record = format!(
            "INSERT INTO {}.scwform_locks (name, lock_key, backend_pid, info)
             VALUES ($1, $2, pg_backend_pid(), $3)
             ON CONFLICT (name) DO UPDATE
             SET lock_key = $2, backend_pid = pg_backend_pid(), info = $3",
            self.schema
        );
        let text = serde_json::to_string(info).expect("lock info is plain data");
        let name = workspace.to_owned();
        let recorded = self
            .session
            .run("record the lock holder", move |client| async move {
                let client = client.lock().await;
                client
                    .execute(&record, &[&name, &key, &text])
                    .await
                    .map(|_| ())
            });
        if let Err(e) = recorded {
            // Without the record others see the session only; the lock itself holds.
            tracing::warn!(error = %e, "cannot record the lock holder");
        }
        Ok(Attempt::Acquired(LockGuard::new(
            info.clone(),
            Box::new(guard),
        )))
    }
}

impl Locker for PgStorage {
    fn try_lock(&self, workspace: &str, info: &LockInfo) -> Result<TryLock, StateError> {
        // The creation lock is one per database, taken for an instant by every lock attempt
        // (Terraform's scheme): a collision with another workspace's attempt is not a holder.
        // Try again for a moment before reporting whoever holds it.
        let mut tries = 0;
        loop {
            match self.try_lock_once(workspace, info)? {
                Attempt::Acquired(guard) => return Ok(TryLock::Acquired(guard)),
                Attempt::Busy(key, holder) => {
                    tries += 1;
                    if key != CREATION_LOCK || tries >= 40 {
                        return Ok(TryLock::Held(holder));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    fn holder(&self, workspace: &str) -> Result<Option<Holder>, StateError> {
        Ok(self.current_holder(workspace)?.map(|(h, _)| h))
    }

    fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let path = self.location(workspace);
        let Some((holder, pid)) = self.current_holder(workspace)? else {
            return Err(StateError::NotLocked { path });
        };
        if holder.id() != Some(id) {
            return Err(StateError::LockIdMismatch { path, holder });
        }
        // The lock belongs to the holder's session: ending the session releases it.
        let ended = self
            .session
            .run("end the holder's session", move |client| async move {
                let client = client.lock().await;
                let row = client
                    .query_one("SELECT pg_terminate_backend($1)", &[&pid])
                    .await?;
                Ok(row.get::<_, bool>(0))
            });
        match ended {
            Ok(true) => {
                // The session ends asynchronously: wait (briefly) until its locks are gone.
                for _ in 0..100 {
                    if self
                        .current_holder(workspace)?
                        .is_none_or(|(_, p)| p != pid)
                    {
                        return Ok(());
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(())
            }
            Ok(false) => Err(StateError::CannotForceUnlock {
                path,
                reason: format!("the holder's session {pid} has already ended"),
            }),
            Err(e) => Err(StateError::CannotForceUnlock {
                path,
                reason: format!(
                    "ending the holder's session {pid} needs the right to signal it (the same database role, or pg_signal_backend): {e}"
                ),
            }),
        }
    }
}

impl Storage for PgStorage {
    fn read(&self, workspace: &str) -> Result<Option<Stored>, StateError> {
        let sql = format!(
            "SELECT data, xmin::text FROM {}.states WHERE name = $1",
            self.schema
        );
        let name = workspace.to_owned();
        let row = self
            .session
            .run("read the state", move |client| async move {
                let client = client.lock().await;
                let row = client.query_opt(&sql, &[&name]).await?;
                Ok(row.map(|r| (r.get::<_, Option<String>>(0), r.get::<_, String>(1))))
            })?;
        Ok(row.map(|(data, xmin)| Stored {
            bytes: data.unwrap_or_default().into_bytes(),
            version: Version::new(xmin),
        }))
    }

    fn write(
        &self,
        workspace: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Written, StateError> {
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| StateError::Remote {
            backend: self.where_.clone(),
            action: "write the state".into(),
            message: format!("the state is not UTF-8 text: {e}"),
        })?;
        let q = self.schema.clone();
        let name = workspace.to_owned();
        let expected = expected.cloned();
        self.session
            .run("write the state", move |client| async move {
                let mut client = client.lock().await;
                let tx = client.transaction().await?;
                let current = tx
                    .query_opt(
                        &format!("SELECT xmin::text FROM {q}.states WHERE name = $1 FOR UPDATE"),
                        &[&name],
                    )
                    .await?
                    .map(|r| Version::new(r.get::<_, String>(0)));
                if current != expected {
                    tx.rollback().await?;
                    return Ok(Written::Conflict);
                }
                let row = if current.is_none() {
                    tx.query_opt(
                        &format!(
                            "INSERT INTO {q}.states (name, data) VALUES ($1, $2)
                         ON CONFLICT (name) DO NOTHING RETURNING xmin::text"
                        ),
                        &[&name, &text],
                    )
                    .await?
                } else {
                    tx.query_opt(
                        &format!(
                            "UPDATE {q}.states SET data = $2 WHERE name = $1 RETURNING xmin::text"
                        ),
                        &[&name, &text],
                    )
                    .await?
                };
                let Some(row) = row else {
                    tx.rollback().await?;
                    return Ok(Written::Conflict);
                };
                let version = Version::new(row.get::<_, String>(0));
                tx.commit().await?;
                Ok(Written::Done(version))
            })
    }

    fn delete(&self, workspace: &str) -> Result<(), StateError> {
        let q = self.schema.clone();
        let name = workspace.to_owned();
        self.session
            .run("delete the workspace", move |client| async move {
                let client = client.lock().await;
                client
                    .execute(&format!("DELETE FROM {q}.states WHERE name = $1"), &[&name])
                    .await?;
                let _ = client
                    .execute(
                        &format!("DELETE FROM {q}.scwform_journal WHERE name = $1"),
                        &[&name],
                    )
                    .await;
                Ok(())
            })
    }

    fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let sql = format!(
            "SELECT name FROM {}.states WHERE name != 'default' ORDER BY name",
            self.schema
        );
        let mut names = self
            .session
            .run("list the workspaces", move |client| async move {
                let client = client.lock().await;
                let rows = client.query(&sql, &[]).await?;
                Ok(rows
                    .iter()
                    .map(|r| r.get::<_, String>(0))
                    .collect::<Vec<_>>())
            })?;
        names.insert(0, DEFAULT_WORKSPACE.to_owned());
        Ok(names)
    }

    fn location(&self, workspace: &str) -> String {
        format!("workspace \"{workspace}\" of {}", self.where_)
    }

    fn journal(&self, workspace: &str) -> Result<Box<dyn JournalLog>, StateError> {
        Ok(Box::new(PgJournal {
            session: Arc::clone(&self.session),
            schema: self.schema.clone(),
            workspace: workspace.to_owned(),
            location: format!(
                "{}.scwform_journal of {}",
                self.schema,
                self.location(workspace)
            ),
        }))
    }
}

/// A workspace's intent journal: rows of `<schema>.scwform_journal`.
struct PgJournal {
    session: Arc<Session>,
    schema: String,
    workspace: String,
    location: String,
}

impl PgJournal {
    fn exec(&self, action: &str, sql: String, entry: Option<String>) -> std::io::Result<()> {
        let name = self.workspace.clone();
        self.session
            .run(action, move |client| async move {
                let client = client.lock().await;
                match entry {
                    Some(entry) => client.execute(&sql, &[&name, &entry]).await,
                    None => client.execute(&sql, &[&name]).await,
                }
                .map(|_| ())
            })
            .map_err(std::io::Error::other)
    }
}

impl JournalLog for PgJournal {
    fn append(&self, line: &str) -> std::io::Result<()> {
        self.exec(
            "append to the journal",
            format!(
                "INSERT INTO {}.scwform_journal (name, entry) VALUES ($1, $2)",
                self.schema
            ),
            Some(line.to_owned()),
        )
    }

    fn entries(&self) -> std::io::Result<Vec<String>> {
        let sql = format!(
            "SELECT entry FROM {}.scwform_journal WHERE name = $1 ORDER BY seq",
            self.schema
        );
        let name = self.workspace.clone();
        self.session
            .run("read the journal", move |client| async move {
                let client = client.lock().await;
                let rows = client.query(&sql, &[&name]).await?;
                Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
            })
            .map_err(std::io::Error::other)
    }

    fn retire(&self) -> std::io::Result<()> {
        self.clear()
    }

    fn clear(&self) -> std::io::Result<()> {
        self.exec(
            "clear the journal",
            format!(
                "DELETE FROM {}.scwform_journal WHERE name = $1",
                self.schema
            ),
            None,
        )
    }

    fn sync(&self) -> std::io::Result<()> {
        // Every entry is committed as it is appended.
        Ok(())
    }

    fn location(&self) -> String {
        self.location.clone()
    }
}

/// Opens a `pg` backend: its storage doubles as its lock.
pub(super) fn storage(config: &PgConfig) -> Result<Arc<PgStorage>, StateError> {
    PgStorage::open(config).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_is_taken_out_of_urls_and_keyword_strings() {
        assert_eq!(
            ssl_mode_of("postgres://u:p@h/db?sslmode=disable"),
            ("postgres://u:p@h/db".to_owned(), Some("disable".to_owned()))
        );
        assert_eq!(
            ssl_mode_of("postgres://h/db?sslmode=verify-full&connect_timeout=3"),
            (
                "postgres://h/db?connect_timeout=3".to_owned(),
                Some("verify-full".to_owned())
            )
        );
        assert_eq!(
            ssl_mode_of("postgres://h/db?a=1&sslmode=require"),
            ("postgres://h/db?a=1".to_owned(), Some("require".to_owned()))
        );
        assert_eq!(
            ssl_mode_of("postgres://h/db?a=1&sslmode=require&b=2").0,
            "postgres://h/db?a=1&b=2"
        );
        assert_eq!(
            ssl_mode_of("host=h sslmode=disable dbname=x"),
            ("host=h dbname=x".to_owned(), Some("disable".to_owned()))
        );
        assert_eq!(ssl_mode_of("host=h"), ("host=h".to_owned(), None));
    }

    #[test]
    fn identifiers_are_quoted_as_terraform_quotes_them() {
        assert_eq!(
            quote("terraform_remote_state"),
            "\"terraform_remote_state\""
        );
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn messages_never_show_the_password() {
        let config = PgConfig {
            conn_str: "postgres://alice:s3cret@db.example:6543/tf?sslmode=disable".into(),
            schema_name: DEFAULT_SCHEMA.into(),
            skip_schema_creation: false,
            skip_table_creation: false,
            skip_index_creation: false,
            libpq_env: Vec::new(),
        };
        let text = config.describe();
        assert_eq!(text, "postgres://alice@db.example:6543/tf");
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
