//! Keys at rest: the key-encryption keys (KEKs) that wrap every subject's data
//! key, the blind-index and pseudonym keys, and the Ed25519 signing key for
//! consent receipts and audit checkpoints.
//!
//! The key directory holds one hex-encoded file per key, mode 0600:
//!
//! ```text
//! keys/kek/<id>.key   key-encryption keys; keys/kek/current names the one in use
//! keys/index.key      blind index (HMAC-SHA256)
//! keys/pseudonym.key  pseudonymous subject ids for the audit log
//! keys/signing.key    Ed25519 seed for receipts and audit checkpoints
//! keys/audit-witness  not a key: the audit log's signed heads, one a line
//!                     (the default place; see `candor_store::audit::witness`)
//! ```
//!
//! `CANDOR_KEK` (64 hex digits) may hold the key-encryption key instead of the
//! directory, for deployments that inject secrets through the environment.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::{RngCore, TryRngCore};
use secrecy::{ExposeSecret, SecretBox};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The environment variable that may carry the key-encryption key.
pub const KEK_ENV: &str = "CANDOR_KEK";
const NONCE_LEN: usize = 24;

/// Problems with keys. Messages name files, never key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A key file is missing.
    #[error("key file `{path}` is missing; run `candor init` to create keys, or restore the key directory from backup")]
    Missing {
        /// the file
        path: PathBuf,
    },
    /// A key file is unreadable or malformed.
    #[error("key file `{path}` is corrupt: {reason}")]
    Corrupt {
        /// the file
        path: PathBuf,
        /// what is wrong (never the key itself)
        reason: String,
    },
    /// `CANDOR_KEK` is malformed.
    #[error("`{KEK_ENV}` must be 64 hex digits (a 256-bit key)")]
    BadEnvKek,
    /// A wrapped key names a KEK we do not have.
    #[error("data key is wrapped under key-encryption key `{0}`, which is not in the key directory")]
    UnknownKek(String),
    /// Authenticated decryption failed.
    #[error("decryption failed: the key does not match the data (wrong key or altered ciphertext)")]
    Decrypt,
    /// Writing a key file failed.
    #[error("could not write key file `{path}`")]
    Write {
        /// the file
        path: PathBuf,
        /// the cause
        source: std::io::Error,
    },
    /// Rotation is impossible with an environment KEK.
    #[error("the key-encryption key comes from `{KEK_ENV}`; rotate it by setting a new value and re-wrapping with a key directory")]
    EnvKekRotation,
}

type Key32 = SecretBox<[u8; 32]>;

fn new_key() -> Key32 {
    let mut k = Box::new([0u8; 32]);
    OsRng.unwrap_err().fill_bytes(k.as_mut());
    SecretBox::new(k)
}

fn parse_hex_key(text: &str) -> Option<Key32> {
    let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
    let arr: [u8; 32] = bytes.as_slice().try_into().ok()?;
    Some(SecretBox::new(Box::new(arr)))
}

fn read_key(path: &Path) -> Result<Key32, KeyError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => Zeroizing::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyError::Missing { path: path.to_owned() }),
        Err(e) => return Err(KeyError::Corrupt { path: path.to_owned(), reason: e.kind().to_string() }),
    };
    parse_hex_key(&text).ok_or_else(|| KeyError::Corrupt { path: path.to_owned(), reason: "expected 64 hex digits (a 256-bit key)".into() })
}

/// A temporary file beside `path`, named so that no other writer (another
/// process rotating at the same time) picks the same one, written whole and
/// readable by its owner only.
fn write_temp(path: &Path, contents: &str) -> Result<PathBuf, KeyError> {
    let err = |source| KeyError::Write { path: path.to_owned(), source };
    let name = path.file_name().map_or_else(|| "key".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{:016x}.tmp", OsRng.unwrap_err().next_u64()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(contents.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(tmp)
}

/// Write a file readable by its owner only, atomically (temp file + rename).
fn write_private(path: &Path, contents: &str) -> Result<(), KeyError> {
    let tmp = write_temp(path, contents)?;
    fs::rename(&tmp, path).map_err(|source| {
        let _ = fs::remove_file(&tmp);
        KeyError::Write { path: path.to_owned(), source }
    })
}

/// Create a file readable by its owner only, whole, unless it exists:
/// `false` when another writer made it first, which is then left as it
/// is (a key file must never be replaced: data may be wrapped under it).
fn create_private(path: &Path, contents: &str) -> Result<bool, KeyError> {
    let tmp = write_temp(path, contents)?;
    // A hard link is made only where no file is, atomically, and the
    // file it names is already complete.
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(source) => Err(KeyError::Write { path: path.to_owned(), source }),
    }
}

fn create_dir_private(dir: &Path) -> Result<(), KeyError> {
    fs::create_dir_all(dir).map_err(|source| KeyError::Write { path: dir.to_owned(), source })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|source| KeyError::Write { path: dir.to_owned(), source })?;
    }
    Ok(())
}

/// A subject's data key, only ever held in memory unwrapped.
pub struct DataKey(Key32);

impl DataKey {
    /// A fresh random data key.
    pub fn generate() -> Self {
        Self(new_key())
    }

    /// Encrypt `plaintext`, bound to `context` (the row and field it belongs
    /// to, so ciphertexts cannot be swapped between rows unnoticed).
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        seal(self.0.expose_secret(), context, plaintext)
    }

    /// Decrypt what [`DataKey::seal`] produced for the same `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
        open(self.0.expose_secret(), context, sealed)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

fn seal(key: &[u8; 32], aad: &[u8], msg: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.unwrap_err().fill_bytes(&mut nonce);
    let mut out = nonce.to_vec();
    // Encryption with a valid key and nonce length cannot fail; an empty
    // result would be caught by `open` as a decryption failure.
    if let Ok(ct) = cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg, aad }) {
        out.extend_from_slice(&ct);
    }
    out
}

fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(KeyError::Decrypt);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    XChaCha20Poly1305::new(key.into()).decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad }).map_err(|_| KeyError::Decrypt)
}

/// A data key wrapped under a KEK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which KEK wrapped it.
    pub kek_id: String,
    /// nonce || ciphertext || tag
    pub blob: Vec<u8>,
}

/// The key-encryption keys as last loaded, and what the key directory
/// looked like then.
struct Keks {
    map: BTreeMap<String, Key32>,
    current: String,
    stamp: Option<DirStamp>,
}

/// What tells that another process changed the KEKs: the `kek` directory's
/// modification time (a KEK added or retired) and the identity of
/// `kek/current` (rewritten by a rename at each rotation, so its inode
/// changes even where modification times are coarse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct DirStamp {
    dir: Option<std::time::SystemTime>,
    current: Option<(u64, Option<std::time::SystemTime>, u64)>,
}

impl DirStamp {
    fn of(kek_dir: &Path) -> Self {
        let dir = fs::metadata(kek_dir).and_then(|m| m.modified()).ok();
        let current = fs::metadata(kek_dir.join("current")).ok().map(|m| {
            #[cfg(unix)]
            let ino = std::os::unix::fs::MetadataExt::ino(&m);
            #[cfg(not(unix))]
            let ino = 0;
            (ino, m.modified().ok(), m.len())
        });
        Self { dir, current }
    }
}

/// Every key candor holds, loaded from the key directory.
///
/// The key-encryption keys may change under a running process: `candor
/// keys rotate` in another process adds one, makes it current and retires
/// the old one. So before wrapping, the ring checks (one `stat`) whether
/// the directory changed and reloads its KEKs if so, and a data key wrapped
/// under a KEK it does not hold makes it check too. Reloads are
/// single-flight: callers who find the directory changed wait for one
/// reload instead of each doing their own, and nothing is reloaded while
/// the directory is as it was (a KEK id that exists nowhere costs a `stat`,
/// not a reload).
pub struct KeyRing {
    dir: PathBuf,
    keks: RwLock<Keks>,
    reload: Mutex<()>,
    from_env: bool,
    index: Key32,
    pseudonym: Key32,
    signing: SigningKey,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing").field("dir", &self.dir).field("current_kek", &self.current_kek()).finish_non_exhaustive()
    }
}

/// Read the KEKs of `kek_dir` and the id of the current one.
fn load_keks(kek_dir: &Path) -> Result<(BTreeMap<String, Key32>, String), KeyError> {
    let current_path = kek_dir.join("current");
    let current = match fs::read_to_string(&current_path) {
        Ok(s) => s.trim().to_owned(),
        Err(_) => return Err(KeyError::Missing { path: current_path }),
    };
    let mut keks = BTreeMap::new();
    let entries = fs::read_dir(kek_dir).map_err(|_| KeyError::Missing { path: kek_dir.to_owned() })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some("key") {
            if let Some(id) = path.file_stem().and_then(|s| s.to_str()) {
                keks.insert(id.to_owned(), read_key(&path)?);
            }
        }
    }
    if !keks.contains_key(&current) {
        return Err(KeyError::Missing { path: kek_dir.join(format!("{current}.key")) });
    }
    Ok((keks, current))
}

impl KeyRing {
    /// Create a new key directory with fresh keys. Refuses to overwrite an
    /// existing one: losing keys loses every customer's data.
    pub fn create(dir: &Path) -> Result<(), KeyError> {
        create_dir_private(dir)?;
        create_dir_private(&dir.join("kek"))?;
        let new_hex = || hex::encode(new_key().expose_secret());
        for name in ["index.key", "pseudonym.key", "signing.key"] {
            let path = dir.join(name);
            if !path.exists() {
                write_private(&path, &new_hex())?;
            }
        }
        if !dir.join("kek").join("current").exists() {
            write_private(&dir.join("kek").join("k1.key"), &new_hex())?;
            write_private(&dir.join("kek").join("current"), "k1")?;
        }
        Ok(())
    }

    /// Load the key directory (and `CANDOR_KEK` when set).
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let env = std::env::var(KEK_ENV).ok().map(Zeroizing::new);
        Self::load_with(dir, env.as_deref().map(String::as_str))
    }

    /// Load, taking the environment KEK as an argument (tests).
    pub fn load_with(dir: &Path, env_kek: Option<&str>) -> Result<Self, KeyError> {
        let index = read_key(&dir.join("index.key"))?;
        let pseudonym = read_key(&dir.join("pseudonym.key"))?;
        let seed = read_key(&dir.join("signing.key"))?;
        let signing = SigningKey::from_bytes(seed.expose_secret());
        let (keks, from_env) = if let Some(env) = env_kek {
            // The environment does not change under a running process:
            // nothing to reload, and rotation is refused.
            let map = BTreeMap::from([("env".to_owned(), parse_hex_key(env).ok_or(KeyError::BadEnvKek)?)]);
            (Keks { map, current: "env".to_owned(), stamp: None }, true)
        } else {
            let kek_dir = dir.join("kek");
            let stamp = DirStamp::of(&kek_dir);
            let (map, current) = load_keks(&kek_dir)?;
            (Keks { map, current, stamp: Some(stamp) }, false)
        };
        Ok(Self { dir: dir.to_owned(), keks: RwLock::new(keks), reload: Mutex::new(()), from_env, index, pseudonym, signing })
    }

    /// The key directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keks> {
        // A writer that panicked left whole maps behind (each is replaced
        // in one assignment), so a poisoned lock still holds a valid set.
        self.keks.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Keks> {
        self.keks.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reload the KEKs if the key directory changed since they were
    /// loaded. Returns whether it did.
    pub fn refresh(&self) -> Result<bool, KeyError> {
        if self.from_env {
            return Ok(false);
        }
        let kek_dir = self.dir.join("kek");
        if self.read().stamp == Some(DirStamp::of(&kek_dir)) {
            return Ok(false);
        }
        let _one = self.reload.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Someone else may have reloaded while we waited.
        let stamp = DirStamp::of(&kek_dir);
        if self.read().stamp == Some(stamp) {
            return Ok(true);
        }
        let (map, current) = load_keks(&kek_dir)?;
        *self.write() = Keks { map, current, stamp: Some(stamp) };
        Ok(true)
    }

    /// The id of the KEK new data keys are wrapped under, as last loaded.
    pub fn current_kek(&self) -> String {
        self.read().current.clone()
    }

    /// Wrap a data key for `subject` under the current KEK, after checking
    /// that no rotation made another one current meanwhile.
    pub fn wrap(&self, subject: &[u8], key: &DataKey) -> Result<WrappedKey, KeyError> {
        self.refresh()?;
        let keks = self.read();
        let kek = keks.map.get(&keks.current).ok_or_else(|| KeyError::UnknownKek(keks.current.clone()))?;
        Ok(WrappedKey { kek_id: keks.current.clone(), blob: seal(kek.expose_secret(), &wrap_aad(subject), key.0.expose_secret()) })
    }

    /// Unwrap a subject's data key. A KEK not held is looked for in the key
    /// directory once more, in case a rotation added it.
    pub fn unwrap(&self, subject: &[u8], wrapped: &WrappedKey) -> Result<DataKey, KeyError> {
        match self.unwrap_held(subject, wrapped) {
            Err(KeyError::UnknownKek(_)) if self.refresh()? => self.unwrap_held(subject, wrapped),
            r => r,
        }
    }

    fn unwrap_held(&self, subject: &[u8], wrapped: &WrappedKey) -> Result<DataKey, KeyError> {
        let keks = self.read();
        let kek = keks.map.get(&wrapped.kek_id).ok_or_else(|| KeyError::UnknownKek(wrapped.kek_id.clone()))?;
        let bytes = Zeroizing::new(open(kek.expose_secret(), &wrap_aad(subject), &wrapped.blob)?);
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::Decrypt)?;
        Ok(DataKey(SecretBox::new(Box::new(arr))))
    }

    /// Add a fresh KEK and make it current. Returns its id.
    pub fn add_kek(&self) -> Result<String, KeyError> {
        if self.from_env {
            return Err(KeyError::EnvKekRotation);
        }
        self.refresh()?;
        let _one = self.reload.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let kek_dir = self.dir.join("kek");
        let key = new_key();
        // The key file first: a process that sees the new `current` must
        // find its file. An id another process took meanwhile (two
        // rotations at once) is skipped, never overwritten.
        let mut n = 1u32;
        let next = loop {
            let id = format!("k{n}");
            n += 1;
            let taken = self.read().map.contains_key(&id) || kek_dir.join(format!("{id}.key.retired")).exists();
            if !taken && create_private(&kek_dir.join(format!("{id}.key")), &hex::encode(key.expose_secret()))? {
                break id;
            }
        };
        write_private(&kek_dir.join("current"), &next)?;
        let mut keks = self.write();
        keks.map.insert(next.clone(), key);
        keks.current = next.clone();
        keks.stamp = Some(DirStamp::of(&kek_dir));
        Ok(next)
    }

    /// Retire a KEK nothing is wrapped under any more: its file is renamed
    /// to `<id>.key.retired` so it is no longer loaded.
    pub fn retire_kek(&self, id: &str) -> Result<(), KeyError> {
        if self.from_env || id == self.current_kek() {
            return Ok(());
        }
        let _one = self.reload.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let path = self.dir.join("kek").join(format!("{id}.key"));
        fs::rename(&path, path.with_extension("key.retired")).map_err(|source| KeyError::Write { path, source })?;
        let mut keks = self.write();
        keks.map.remove(id);
        keks.stamp = Some(DirStamp::of(&self.dir.join("kek")));
        Ok(())
    }

    /// KEK ids present.
    pub fn kek_ids(&self) -> Vec<String> {
        self.read().map.keys().cloned().collect()
    }

    /// Keyed hash of an identifier for lookups (the blind index).
    /// `kind` separates namespaces (`email`, `handle:x`, …); `value` is
    /// normalized by the caller.
    pub fn blind_index(&self, kind: &str, value: &str) -> Vec<u8> {
        hmac(self.index.expose_secret(), kind, value).to_vec()
    }

    /// The pseudonymous id of a subject, used in the audit log.
    pub fn pseudonym(&self, subject: &uuid::Uuid) -> String {
        let h = hmac(self.pseudonym.expose_secret(), "subject", &subject.to_string());
        format!("ps_{}", hex::encode(&h[..16]))
    }

    /// Sign `msg` with the Ed25519 key.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }

    /// The key the audit chain's entry hashes are computed under, derived
    /// from the signing seed so the key directory needs no extra file.
    pub fn audit_chain_key(&self) -> crate::audit::ChainKey {
        let derived = Zeroizing::new(hmac(&self.signing.to_bytes(), "candor-audit-chain", "v1"));
        crate::audit::ChainKey::new(&derived)
    }

    /// The key that seals messages owed to a customer whose own data key
    /// is about to be destroyed (the confirmation of their erasure): it
    /// lets the transport read the message and nothing else, and the
    /// sealed part is wiped once the message is sent. Derived from the
    /// signing key, which no rotation replaces, so a queued message stays
    /// deliverable across key-encryption-key rotations.
    pub fn delivery_key(&self) -> DataKey {
        let derived = Zeroizing::new(hmac(&self.signing.to_bytes(), "candor-outbox-delivery", "v1"));
        DataKey(SecretBox::new(Box::new(*derived)))
    }

    /// The public half of the signing key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// A value that tells these keys apart from any other installation's
    /// without revealing them: a hash over keyed hashes of a fixed label
    /// under the blind-index and pseudonym keys, and the public signing key
    /// (from which the audit chain key is derived). The database records it
    /// and refuses keys whose value differs. The KEKs are left out: they
    /// change at each rotation, and a wrong one already fails to unwrap.
    pub fn key_check(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"candor-key-check-v1");
        h.update(hmac(self.index.expose_secret(), "candor-key-check", "index"));
        h.update(hmac(self.pseudonym.expose_secret(), "candor-key-check", "pseudonym"));
        h.update(self.verifying_key().as_bytes());
        h.finalize().into()
    }
}

/// A short id for a verifying key: the first 8 bytes of its SHA-256, hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

fn wrap_aad(subject: &[u8]) -> Vec<u8> {
    [b"candor-dek-v1:".as_slice(), subject].concat()
}

fn hmac(key: &[u8; 32], kind: &str, value: &str) -> [u8; 32] {
    #[expect(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("hmac key");
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> (tempfile::TempDir, KeyRing) {
        let dir = tempfile::tempdir().unwrap();
        KeyRing::create(dir.path()).unwrap();
        let ring = KeyRing::load_with(dir.path(), None).unwrap();
        (dir, ring)
    }

    #[test]
    fn a_wrapped_key_unwraps_only_for_its_subject_and_kek() {
        let (_d, ring) = ring();
        let dk = DataKey::generate();
        let w = ring.wrap(b"subject-a", &dk).unwrap();
        let back = ring.unwrap(b"subject-a", &w).unwrap();
        assert_eq!(back.open(b"ctx", &dk.seal(b"ctx", b"hello")).unwrap(), b"hello");
        assert!(matches!(ring.unwrap(b"subject-b", &w), Err(KeyError::Decrypt)));
        let (_d2, other) = self::ring();
        assert!(matches!(other.unwrap(b"subject-a", &w), Err(KeyError::Decrypt)));
    }

    #[test]
    fn sealed_fields_are_bound_to_their_context_and_detect_tampering() {
        let dk = DataKey::generate();
        let mut sealed = dk.seal(b"row-1:text", b"my email is a@b.c");
        assert!(dk.open(b"row-2:text", &sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(dk.open(b"row-1:text", &sealed).is_err());
        assert!(dk.open(b"row-1:text", b"short").is_err());
    }

    #[test]
    fn key_files_are_private_and_corruption_is_named() {
        let (dir, _ring) = ring();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("index.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(dir.path().join("index.key"), "not hex").unwrap();
        let err = KeyRing::load_with(dir.path(), None).unwrap_err();
        assert!(matches!(err, KeyError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("index.key"));
        fs::remove_file(dir.path().join("signing.key")).unwrap();
        fs::write(dir.path().join("index.key"), "00".repeat(32)).unwrap();
        assert!(matches!(KeyRing::load_with(dir.path(), None), Err(KeyError::Missing { .. })));
    }

    #[test]
    fn blind_indexes_are_stable_and_namespaced() {
        let (_d, ring) = ring();
        assert_eq!(ring.blind_index("email", "a@b.c"), ring.blind_index("email", "a@b.c"));
        assert_ne!(ring.blind_index("email", "a@b.c"), ring.blind_index("handle:x", "a@b.c"));
    }

    #[test]
    fn an_added_kek_becomes_current_and_old_wraps_still_open() {
        let (dir, ring) = ring();
        let dk = DataKey::generate();
        let old = ring.wrap(b"s", &dk).unwrap();
        let id = ring.add_kek().unwrap();
        assert_eq!(id, "k2");
        let reloaded = KeyRing::load_with(dir.path(), None).unwrap();
        assert_eq!(reloaded.current_kek(), "k2");
        assert!(reloaded.unwrap(b"s", &old).is_ok());
        assert_eq!(reloaded.wrap(b"s", &dk).unwrap().kek_id, "k2");
    }

    #[test]
    fn a_key_file_is_created_once_and_never_replaced() {
        // Two rotations at once may reach for the same KEK id: the second
        // must move on, not overwrite a key data may already be wrapped
        // under.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k2.key");
        assert!(create_private(&path, "first").unwrap());
        assert!(!create_private(&path, "second").unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_ring_picks_up_a_rotation_made_by_another_process() {
        let (dir, running) = ring();
        let dk = DataKey::generate();
        let before = running.wrap(b"s", &dk).unwrap();
        let rotating = KeyRing::load_with(dir.path(), None).unwrap();
        rotating.add_kek().unwrap();
        let rewrapped = rotating.wrap(b"s", &rotating.unwrap(b"s", &before).unwrap()).unwrap();
        rotating.retire_kek("k1").unwrap();
        // The running ring reads what is wrapped under the new KEK, and
        // never wraps under the retired one.
        assert!(running.unwrap(b"s", &rewrapped).is_ok());
        assert_eq!(running.wrap(b"t", &dk).unwrap().kek_id, "k2");
        assert_eq!(running.current_kek(), "k2");
        // Nothing changed since: a KEK that exists nowhere costs no reload.
        assert!(!running.refresh().unwrap());
        let nowhere = WrappedKey { kek_id: "k9".into(), blob: rewrapped.blob };
        assert!(matches!(running.unwrap(b"s", &nowhere), Err(KeyError::UnknownKek(id)) if id == "k9"));
    }

    #[test]
    fn the_key_check_value_tells_installations_apart() {
        let (dir, a) = ring();
        let (_d, b) = ring();
        assert_eq!(a.key_check(), KeyRing::load_with(dir.path(), None).unwrap().key_check());
        assert_eq!(a.key_check(), KeyRing::load_with(dir.path(), Some(&"11".repeat(32))).unwrap().key_check(), "KEKs are not part of it");
        assert_ne!(a.key_check(), b.key_check());
    }

    #[test]
    fn an_env_kek_must_be_well_formed() {
        let (dir, _ring) = ring();
        assert!(matches!(KeyRing::load_with(dir.path(), Some("abc")), Err(KeyError::BadEnvKek)));
        let r = KeyRing::load_with(dir.path(), Some(&"11".repeat(32))).unwrap();
        assert_eq!(r.current_kek(), "env");
    }
}
