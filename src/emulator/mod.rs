//! A local, faithful emulator of the Scaleway HTTP API for the resource types scwform manages:
//! account projects, Cockpit tokens, Serverless Containers namespaces, containers and tokens,
//! Serverless Functions namespaces and tokens (plus the bare function objects tokens refer to).
//!
//! It is an axum server over an in-memory [`store`], optionally persisted to a JSON file after
//! every write, with injectable clock and ID generator, deterministic faults, and an admin
//! surface under `/_emulator/`. `docs/emulator.md` lists what it serves and every assumption.
//!
//! Invariants: no lock is held across an `.await`; reads take the store's read lock only
//! (the write lock is taken when a transient status must advance); argon2 runs only on writes.
//!
//! Depends on `api::types` only: never on parsing, the model, planning or applying.

pub mod clock;
mod conn;
mod errors;
pub mod faults;
mod lifecycle;
mod routes;
pub mod secrets;
mod store;
mod validate;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::{Clock, IdGenerator, ManualClock, RandomIds, SequentialIds, SystemClock};
pub use faults::{FaultAction, FaultConfig, FaultCounts, TargetedFault};
pub use secrets::HashParams;

use crate::api::types::{OrganizationId, ProjectId, Secret};
use clock::SplitMix64;
use store::{Pending, Store, Target};

/// The default secret key clients send in `X-Auth-Token`.
pub const DEFAULT_SECRET_KEY: &str = "11111111-1111-1111-1111-111111111111";
/// The access key paired with [`DEFAULT_SECRET_KEY`] (never sent by clients; printed for
/// `SCW_ACCESS_KEY`).
pub const DEFAULT_ACCESS_KEY: &str = "SCWEMULATOR000000000";
/// The default organization (and its default project, same UUID).
pub const DEFAULT_ORGANIZATION_ID: &str = "22222222-2222-2222-2222-222222222222";

/// How long transient statuses (`creating`, `updating`, `pending`, `deleting`) last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settle {
    /// For this long on the emulator's clock.
    Time {
        /// Milliseconds.
        ms: u64,
    },
    /// For this many reads of the object (GET or inclusion in a list), whatever the time:
    /// the answer to the write shows the transient status, then `reads` more reads do, then the
    /// next one shows the final status.
    Reads {
        /// Number of reads.
        reads: u32,
    },
}

impl Default for Settle {
    fn default() -> Self {
        Self::Time { ms: 200 }
    }
}

/// Everything the emulator is started with.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The secret key clients must send.
    pub secret_key: String,
    /// Its access key (only printed).
    pub access_key: String,
    /// The organization the key belongs to.
    pub organization_id: OrganizationId,
    /// Load the store from this file and save it after every write.
    pub data: Option<PathBuf>,
    /// How long transient statuses last.
    pub settle: Settle,
    /// Initial fault switches.
    pub faults: FaultConfig,
    /// Seed of every random choice (faults, salts, generated names, tokens).
    pub seed: u64,
    /// Source of time.
    pub clock: Arc<dyn Clock>,
    /// Source of object IDs.
    pub ids: Arc<dyn IdGenerator>,
    /// argon2id cost of secret hashes.
    pub hash_params: HashParams,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("secret_key", &"<redacted>")
            .field("access_key", &self.access_key)
            .field("organization_id", &self.organization_id)
            .field("data", &self.data)
            .field("settle", &self.settle)
            .field("faults", &self.faults)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            access_key: DEFAULT_ACCESS_KEY.to_owned(),
            organization_id: DEFAULT_ORGANIZATION_ID
                .parse()
                .expect("DEFAULT_ORGANIZATION_ID is a valid UUID literal"),
            data: None,
            settle: Settle::default(),
            faults: FaultConfig::default(),
            seed: 0,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            hash_params: HashParams::default(),
        }
    }
}

impl EmulatorConfig {
    /// A configuration for tests: fixed clock at 2026-01-01T00:00:00Z, sequential IDs,
    /// transient statuses lasting one read.
    #[must_use]
    pub fn deterministic() -> (Self, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(
            "2026-01-01T00:00:00Z"
                .parse()
                .expect("literal timestamp is valid"),
        ));
        let config = Self {
            clock: clock.clone(),
            ids: Arc::new(SequentialIds::new()),
            settle: Settle::Reads { reads: 1 },
            ..Self::default()
        };
        (config, clock)
    }
}

/// Shared state of a running emulator.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: RwLock<Store>,
    pub(crate) settle: RwLock<Settle>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGenerator>,
    pub(crate) rng: Mutex<SplitMix64>,
    pub(crate) faults: faults::Faults,
    pub(crate) hash_params: HashParams,
    pub(crate) data: Option<PathBuf>,
    persist_lock: Mutex<()>,
    initial_key: (Secret, String, OrganizationId),
}

impl AppState {
    pub(crate) fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn rng(&self) -> std::sync::MutexGuard<'_, SplitMix64> {
        self.rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new transient step towards `target`.
    pub(crate) fn pending(&self, target: Target) -> Pending {
        self.pending_reads(target, None)
    }

    /// Like [`AppState::pending`], overriding the number of reads in the deterministic mode.
    pub(crate) fn pending_reads(&self, target: Target, reads: Option<u32>) -> Pending {
        let settle = *self
            .settle
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = self.now();
        match settle {
            Settle::Time { ms } => Pending {
                target,
                reads_left: 0,
                due: now
                    .checked_add(jiff::SignedDuration::from_millis(
                        i64::try_from(ms).unwrap_or(i64::MAX),
                    ))
                    .unwrap_or(jiff::Timestamp::MAX),
            },
            Settle::Reads { reads: n } => Pending {
                target,
                reads_left: reads.unwrap_or(n),
                due: jiff::Timestamp::MAX,
            },
        }
    }

    /// Saves the store if persistence is on. Errors are logged, not returned: the write
    /// already happened in memory, as a cloud API's would.
    pub(crate) fn persist(&self) {
        let Some(path) = &self.data else { return };
        let _guard = self
            .persist_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let snapshot = self.read().clone();
        if let Err(e) = snapshot.save(path) {
            tracing::error!(path = %path.display(), error = %e, "cannot save the emulator store");
        }
    }

    /// Puts the store back to its initial content (the configured key and organization).
    pub(crate) fn reset(&self) {
        let (secret, access, org) = &self.initial_key;
        let mut fresh = Store::default();
        fresh.add_key(secret.expose(), access, *org, self.now());
        *self.write() = fresh;
        self.persist();
    }
}

/// Decides whether a pending step completes on this read. Returns `true` when it does.
pub(crate) fn step_due(p: &mut Pending, now: jiff::Timestamp) -> bool {
    if p.due == jiff::Timestamp::MAX {
        if p.reads_left == 0 {
            true
        } else {
            p.reads_left -= 1;
            false
        }
    } else {
        now >= p.due
    }
}

/// The emulator.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Binds the configured address on the current tokio runtime and starts serving.
    ///
    /// # Errors
    /// When the address cannot be bound, the data file cannot be read, or the argon2
    /// parameters are invalid.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
        secrets::check_params(config.hash_params)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let mut store = match &config.data {
            Some(path) if path.exists() => Store::load(path)?,
            _ => Store::default(),
        };
        store.add_key(
            &config.secret_key,
            &config.access_key,
            config.organization_id,
            config.clock.now(),
        );
        let state = Arc::new(AppState {
            store: RwLock::new(store),
            settle: RwLock::new(config.settle),
            clock: config.clock.clone(),
            ids: config.ids.clone(),
            rng: Mutex::new(SplitMix64::new(config.seed)),
            faults: faults::Faults::new(config.faults.clone(), config.seed),
            hash_params: config.hash_params,
            data: config.data.clone(),
            persist_lock: Mutex::new(()),
            initial_key: (
                Secret::new(config.secret_key.clone()),
                config.access_key.clone(),
                config.organization_id,
            ),
        });
        state.persist();
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let app = routes::router(state.clone());
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve =
                axum::serve(conn::Listener(listener), app).with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        Ok(EmulatorHandle {
            addr,
            secret_key: config.secret_key,
            access_key: config.access_key,
            organization_id: config.organization_id,
            stop: Some(stop_tx),
            task: Some(task),
        })
    }

    /// Starts the emulator on a dedicated background runtime, for callers without one.
    ///
    /// # Errors
    /// As [`Emulator::start`], or when the runtime cannot be built.
    pub fn start_blocking(config: EmulatorConfig) -> std::io::Result<BlockingEmulator> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let handle = runtime.block_on(Self::start(config))?;
        Ok(BlockingEmulator {
            handle: Some(handle),
            runtime: Some(runtime),
        })
    }
}

/// A running emulator.
pub struct EmulatorHandle {
    addr: SocketAddr,
    secret_key: String,
    access_key: String,
    organization_id: OrganizationId,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .field("secret_key", &"<redacted>")
            .field("organization_id", &self.organization_id)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:<port>` (no trailing slash, as SDKs require).
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The secret key to send in `X-Auth-Token`.
    #[must_use]
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The access key paired with it.
    #[must_use]
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The key's organization.
    #[must_use]
    pub fn organization_id(&self) -> OrganizationId {
        self.organization_id
    }

    /// The organization's default project.
    #[must_use]
    pub fn default_project_id(&self) -> ProjectId {
        ProjectId(self.organization_id.0)
    }

    /// Stops accepting connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Graceful shutdown waits for open keep-alive connections; don't let an idle
            // client hold us forever.
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// An emulator running on its own runtime; stops when dropped.
#[derive(Debug)]
pub struct BlockingEmulator {
    handle: Option<EmulatorHandle>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl BlockingEmulator {
    /// The running emulator's handle.
    #[must_use]
    pub fn handle(&self) -> &EmulatorHandle {
        self.handle
            .as_ref()
            .expect("the handle is only taken in Drop")
    }
}

impl Drop for BlockingEmulator {
    fn drop(&mut self) {
        if let (Some(handle), Some(runtime)) = (self.handle.take(), self.runtime.take()) {
            runtime.block_on(handle.shutdown());
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret_key() {
        let config = EmulatorConfig {
            secret_key: "44444444-4444-4444-4444-444444444444".to_owned(),
            ..EmulatorConfig::default()
        };
        assert!(!format!("{config:?}").contains("44444444"));
        let mut store = Store::default();
        store.add_key(
            &config.secret_key,
            "SCWX",
            config.organization_id,
            jiff::Timestamp::UNIX_EPOCH,
        );
        assert!(!format!("{store:?}").contains("44444444"));
    }
}
