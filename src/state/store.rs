//! [`StateStore`]: one workspace's state in one backend, and the one place that decides whether
//! a save may happen, for every backend.
//!
//! Invariants, checked on every save (not only the first of a run):
//! - a state of another lineage is never written over ([`StateError::LineageMismatch`]);
//! - a state whose serial is higher than the one this run started from is never written over
//!   ([`StateError::StaleSerial`]): someone else wrote meanwhile;
//! - saving content equal to what is stored writes nothing; otherwise the serial goes up by one.
//!
//! The store remembers the version of what it last read or wrote and writes only if the
//! storage still holds that version (compare-and-swap). When someone else wrote meanwhile, the
//! storage answers with a conflict, the store reads what is there now, applies the rules above
//! to it, and tries again. So a state replaced mid-run by another lineage or a newer serial is
//! refused, while the common case (nobody else wrote) costs no extra read.
//!
//! Reading refuses documents that would lose data if written back (another format version, the
//! same resource or instance twice) and migrates what older scwform releases wrote: objects at
//! an older schema version are upgraded as the provider's upgraders do, and the next save
//! writes them so (with the next serial) even when nothing else changed.
//!
//! Encryption at rest happens here too, for every backend: with an [`Encryption`] whose `state`
//! target is set, every stored document is decrypted on read and encrypted on write
//! ([`crypto`](super::crypto)); without one, an encrypted document is refused, never taken
//! for an empty state. A state read with a fallback method (or read plain while the method
//! encrypts) is rewritten by the next save even if its content did not change, so a key
//! rotation completes.
//!
//! Depends on [`storage`](super::storage), [`crypto`](super::crypto) and the document types;
//! no I/O of its own.

use std::sync::{Arc, Mutex, PoisonError};

use super::crypto::{self, CryptoError, Encryption};
use super::storage::{Storage, Version, Written};
use super::{
    SCWFORM_VERSION, SCWFORM_VERSION_FIELD, SaveOutcome, State, StateError, TERRAFORM_VERSION,
};

/// How many times a save tries again after conflicting writes before giving up.
const MAX_CONFLICTS: usize = 5;

/// What the store knows of the stored state.
#[derive(Default)]
struct Known {
    /// Whether the storage was read (or written) by this store yet.
    read: bool,
    /// The state as stored (normalised), `None` when nothing is stored.
    state: Option<State>,
    /// The stored version, `None` when nothing is stored.
    version: Option<Version>,
    /// The stored bytes were read with a fallback method (or plain while the method
    /// encrypts): the next save rewrites them with the primary method.
    migrating: bool,
    /// Objects were upgraded to their type's current schema version when read: the next save
    /// writes them (with the next serial) even if nothing else changed.
    upgraded: bool,
}

/// One workspace's state in a backend: loading, and saving under the lineage and serial rules.
pub struct StateStore {
    storage: Arc<dyn Storage>,
    workspace: String,
    location: String,
    encryption: Option<Arc<Encryption>>,
    known: Mutex<Known>,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateStore")
            .field("workspace", &self.workspace)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl StateStore {
    /// The store of `workspace` in `storage`.
    #[must_use]
    pub fn new(storage: Arc<dyn Storage>, workspace: impl Into<String>) -> Self {
        let workspace = workspace.into();
        let location = storage.location(&workspace);
        Self {
            storage,
            workspace,
            location,
            encryption: None,
            known: Mutex::new(Known::default()),
        }
    }

    /// The same store, encrypting and decrypting with `encryption`'s state target (when it
    /// has one).
    #[must_use]
    pub fn with_encryption(mut self, encryption: Option<Arc<Encryption>>) -> Self {
        self.encryption = encryption;
        self
    }

    /// The workspace name.
    #[must_use]
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    /// Where the state is, for messages.
    #[must_use]
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Reads the stored state; `None` when there is none yet.
    ///
    /// # Errors
    /// Storage errors; [`StateError::Parse`], [`StateError::UnsupportedVersion`] and
    /// [`StateError::Duplicate`] for documents that cannot be used as they are.
    pub fn load(&self) -> Result<Option<State>, StateError> {
        let mut known = self.known();
        self.refresh(&mut known)?;
        Ok(known.state.clone())
    }

    /// Stores `state` if its content differs from what is stored, with the serial one above
    /// the one it was read with (written back into `state`).
    ///
    /// # Errors
    /// [`StateError::LineageMismatch`] and [`StateError::StaleSerial`] refuse unsafe writes;
    /// storage errors leave the stored state and `state` as they were.
    pub fn save(&self, state: &mut State) -> Result<SaveOutcome, StateError> {
        let mut known = self.known();
        let outcome = self.save_locked(&mut known, state)?;
        if let SaveOutcome::Written { .. } = outcome {
            known.state = Some(state.clone());
        }
        Ok(outcome)
    }

    /// [`StateStore::save`] for a state the caller no longer needs (a snapshot): the store
    /// keeps it instead of a copy. Returns the outcome and the state's serial after the save.
    ///
    /// # Errors
    /// As [`StateStore::save`].
    pub fn save_owned(&self, mut state: State) -> Result<(SaveOutcome, u64), StateError> {
        let mut known = self.known();
        let outcome = self.save_locked(&mut known, &mut state)?;
        let serial = state.serial;
        if let SaveOutcome::Written { .. } = outcome {
            known.state = Some(state);
        }
        Ok((outcome, serial))
    }

    /// `state push`: replaces the stored state with `state`, kept as it is (its lineage, and its
    /// serial when that is above the stored one). Without `force`, a state of another lineage
    /// or an older serial is refused, as Terraform does. With `force` anything goes, but the
    /// stored serial never goes down (the state is written with the next serial instead), so
    /// runs that started from the replaced state still notice. The new serial is written back
    /// into `state`.
    ///
    /// # Errors
    /// [`StateError::LineageMismatch`] and [`StateError::StaleSerial`] without `force`; storage
    /// errors.
    pub fn push(&self, state: &mut State, force: bool) -> Result<SaveOutcome, StateError> {
        state.normalize();
        let mut known = self.known();
        self.refresh(&mut known)?;
        for _ in 0..MAX_CONFLICTS {
            let serial = match &known.state {
                Some(stored) => {
                    if !force && stored.lineage != state.lineage {
                        return Err(StateError::LineageMismatch {
                            path: self.location.clone(),
                            on_disk: stored.lineage.clone(),
                            ours: state.lineage.clone(),
                        });
                    }
                    if !force && stored.serial > state.serial {
                        return Err(StateError::StaleSerial {
                            path: self.location.clone(),
                            on_disk: stored.serial,
                            ours: state.serial,
                        });
                    }
                    if stored.lineage == state.lineage
                        && stored.serial == state.serial
                        && stored.same_content(state)
                    {
                        return Ok(SaveOutcome::Unchanged);
                    }
                    state.serial.max(stored.serial + 1)
                }
                None => state.serial,
            };
            match self.write(&mut known, state, serial)? {
                Some(outcome) => {
                    known.state = Some(state.clone());
                    return Ok(outcome);
                }
                None => self.refresh(&mut known)?,
            }
        }
        Err(StateError::KeepsChanging {
            path: self.location.clone(),
        })
    }

    /// Writes `state` with `serial` if the stored version is still the known one: the outcome,
    /// or `None` on a conflict (`state` is then as it was).
    fn write(
        &self,
        known: &mut Known,
        state: &mut State,
        serial: u64,
    ) -> Result<Option<SaveOutcome>, StateError> {
        let previous = (
            state.serial,
            std::mem::take(&mut state.terraform_version),
            state.extra.insert(
                SCWFORM_VERSION_FIELD.to_owned(),
                serde_json::Value::String(SCWFORM_VERSION.to_owned()),
            ),
        );
        state.serial = serial;
        TERRAFORM_VERSION.clone_into(&mut state.terraform_version);
        let json = state.to_json();
        let restore = |state: &mut State| {
            let (serial, version, field) = previous;
            state.serial = serial;
            state.terraform_version = version;
            match field {
                Some(v) => state.extra.insert(SCWFORM_VERSION_FIELD.to_owned(), v),
                None => state.extra.remove(SCWFORM_VERSION_FIELD),
            };
        };
        let bytes = match self.encryptor() {
            Some(encryptor) => match encryptor.encrypt(json.as_bytes()) {
                Ok(sealed) => sealed,
                Err(e) => {
                    restore(state);
                    return Err(self.crypto_error(e));
                }
            },
            None => json.into_bytes(),
        };
        match self
            .storage
            .write(&self.workspace, &bytes, known.version.as_ref())
        {
            Ok(Written::Done(version)) => {
                known.version = Some(version);
                known.migrating = false;
                known.upgraded = false;
                Ok(Some(SaveOutcome::Written { serial }))
            }
            Ok(Written::Conflict) => {
                restore(state);
                Ok(None)
            }
            Err(e) => {
                // Nothing was written: the caller's state stays as it was.
                restore(state);
                Err(e)
            }
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads what is stored now into `known`.
    fn refresh(&self, known: &mut Known) -> Result<(), StateError> {
        let stored = self.storage.read(&self.workspace)?;
        *known = match stored {
            None => Known {
                read: true,
                state: None,
                version: None,
                migrating: false,
                upgraded: false,
            },
            Some(stored) => {
                let (state, migrating, upgraded) = self.decode(&stored.bytes)?;
                Known {
                    read: true,
                    state,
                    version: Some(stored.version),
                    migrating,
                    upgraded,
                }
            }
        };
        Ok(())
    }

    /// The state encryptor, when states are encrypted.
    fn encryptor(&self) -> Option<&crypto::Encryptor> {
        self.encryption.as_deref().and_then(Encryption::state)
    }

    fn crypto_error(&self, source: CryptoError) -> StateError {
        StateError::Crypto {
            path: self.location.clone(),
            source,
        }
    }

    /// The state a stored document holds (`None` for an empty document), whether it must
    /// be rewritten with the primary encryption method, and whether objects in it were
    /// upgraded to their current schema version.
    fn decode(&self, bytes: &[u8]) -> Result<(Option<State>, bool, bool), StateError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok((None, false, false));
        }
        let (plain, migrating) = match self.encryptor() {
            Some(encryptor) => match encryptor.decrypt(bytes) {
                Ok(opened) => (std::borrow::Cow::Owned(opened.bytes), opened.migrating),
                // A plain state that records nothing is no state: a pg backend gives a new
                // workspace its row, an empty state, before locking it (as Terraform does),
                // and an encrypted backend must be able to take it over.
                Err(e @ CryptoError::Unencrypted { .. }) => {
                    return match std::str::from_utf8(bytes)
                        .ok()
                        .and_then(|text| State::read(text, &self.location).ok())
                    {
                        Some((state, _)) if state.is_empty() => Ok((None, false, false)),
                        _ => Err(self.crypto_error(e)),
                    };
                }
                Err(e) => return Err(self.crypto_error(e)),
            },
            None if crypto::is_encrypted(bytes) => {
                return Err(self.crypto_error(CryptoError::Encrypted { target: "state" }));
            }
            None => (std::borrow::Cow::Borrowed(bytes), false),
        };
        let text = std::str::from_utf8(&plain).map_err(|e| StateError::Parse {
            path: self.location.clone(),
            message: format!("not UTF-8 text: {e}"),
        })?;
        if text.trim().is_empty() {
            return Ok((None, migrating, false));
        }
        State::read(text, &self.location).map(|(s, upgraded)| (Some(s), migrating, upgraded))
    }

    fn save_locked(&self, known: &mut Known, state: &mut State) -> Result<SaveOutcome, StateError> {
        // Sorted once here, so that comparing and serialising below copy nothing.
        state.normalize();
        // Whether `known` was read during this call (so a refusal is based on what is stored
        // now, not on what an earlier save saw).
        let mut fresh = !known.read;
        if fresh {
            self.refresh(known)?;
        }
        for _ in 0..MAX_CONFLICTS {
            if let Some(stored) = &known.state {
                let refusal = if stored.lineage != state.lineage {
                    Some(StateError::LineageMismatch {
                        path: self.location.clone(),
                        on_disk: stored.lineage.clone(),
                        ours: state.lineage.clone(),
                    })
                } else if stored.serial > state.serial {
                    Some(StateError::StaleSerial {
                        path: self.location.clone(),
                        on_disk: stored.serial,
                        ours: state.serial,
                    })
                } else {
                    None
                };
                if let Some(refusal) = refusal {
                    if fresh {
                        return Err(refusal);
                    }
                    self.refresh(known)?;
                    fresh = true;
                    continue;
                }
                // An upgraded state differs from the stored bytes even when its content is
                // what was read: it is written like any change.
                if stored.same_content(state) && !known.upgraded {
                    if !known.migrating {
                        return Ok(SaveOutcome::Unchanged);
                    }
                    // Same content, rewritten with the primary encryption method: the serial
                    // stays, as nothing in the state changed.
                    let serial = state.serial;
                    if let Some(outcome) = self.write(known, state, serial)? {
                        return Ok(outcome);
                    }
                    self.refresh(known)?;
                    fresh = true;
                    continue;
                }
            }
            let serial = state.serial + 1;
            if let Some(outcome) = self.write(known, state, serial)? {
                return Ok(outcome);
            }
            // Someone else wrote: judge what is there now by the rules above.
            self.refresh(known)?;
            fresh = true;
        }
        Err(StateError::KeepsChanging {
            path: self.location.clone(),
        })
    }
}
