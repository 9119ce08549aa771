//! The witness: after each committed append, the signed head is appended as
//! one line to a file outside the database (by default `audit-witness` in
//! the key directory; better on another volume, or a file the operating
//! system only lets candor append to). `audit verify` compares the chain
//! with every head the witness holds, so a database rolled back to an
//! earlier state, even one whose head was really signed, is caught; and so
//! is a log rolled back and written on since, whose new heads the witness
//! holds too: the chain disagrees with the old ones.
//!
//! A line:
//!
//! ```text
//! candor-audit-head-v1 KEY-ID SEQ HASH AT CHECKPOINT SIGNATURE
//! ```
//!
//! with the signing key's id, the head's sequence number, its hash (hex),
//! the time (RFC 3339), the last checkpoint and the head's signature (hex).
//!
//! Lines need not be in order: several processes append (`candor serve`
//! and an import, say), each after its own commit, so one may write an
//! older head after another's newer one. Every head a witness holds was
//! committed, so each must lie on the chain. A crash between a commit and
//! its line leaves the witness behind the chain, never ahead of it: `audit
//! verify` accepts a chain that reaches beyond the witness, and reports one
//! that ends before a witnessed head or has another hash there.
//!
//! Each line is written with one `write` on a file opened for appending, so
//! concurrent writers do not interleave within a line; a line torn by a
//! power failure can only be the last one, and is skipped.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use time::format_description::well_known::Rfc3339;

use super::sign::SignedHead;
use super::verify::Tamper;
use super::{from_micros, micros};

/// The witness's file name in the key directory, by default.
pub const DEFAULT_FILE: &str = "audit-witness";

const TAG: &str = "candor-audit-head-v1";

/// A witness file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    path: PathBuf,
}

/// One head a witness holds, as verification compares it: its entry, the
/// first 16 bytes of that entry's hash (enough to tell two chains apart;
/// half the memory of the whole hash for witnesses of millions of lines),
/// and its line, to read it whole when it disagrees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Witnessed {
    /// The entry.
    pub seq: i64,
    /// The first 16 bytes of its hash.
    pub hash: [u8; 16],
    /// The line, from 1.
    pub line: u64,
}

/// Why a witness could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The file exists but cannot be read.
    #[error("could not read the audit witness `{path}`")]
    Io {
        /// the file
        path: PathBuf,
        /// the cause
        source: std::io::Error,
    },
    /// The file holds what candor never writes.
    #[error(transparent)]
    Tampered(Tamper),
}

impl Witness {
    /// The witness at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The line a head is written as; a time RFC 3339 cannot write (a year
    /// past 9999) is an error, not a line with an empty time.
    pub fn line(key_id: &str, head: &SignedHead) -> std::io::Result<String> {
        let at = from_micros(head.at).format(&Rfc3339).map_err(std::io::Error::other)?;
        let signature = head.signature.map(hex::encode).unwrap_or_default();
        Ok(format!("{TAG} {key_id} {} {} {at} {} {signature}\n", head.seq, hex::encode(head.hash), head.checkpoint))
    }

    /// Append a head. The file is created (mode 0600) when missing; its
    /// directory must exist, since a missing one usually means a volume is
    /// not mounted.
    pub fn append(&self, key_id: &str, head: &SignedHead) -> std::io::Result<()> {
        let mut opts = fs::OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        // One write of the whole line: with O_APPEND, lines of concurrent
        // writers do not interleave.
        let line = Self::line(key_id, head)?;
        opts.open(&self.path)?.write_all(line.as_bytes())
    }

    /// Every head of the installation whose signing key is `key`, ordered
    /// by entry (lines of other keys, from a witness shared by several
    /// installations, are skipped). Signatures are not checked here: only
    /// a head that disagrees with the chain needs to be, with
    /// [`Witness::head_at`]. A line that is not a head at all is tampering.
    pub fn read(&self, key: &VerifyingKey) -> Result<Vec<Witnessed>, WitnessError> {
        let key_id = crate::keys::key_id(key);
        let mut out = Vec::new();
        self.scan(|n, text| {
            let unreadable = |reason: &str| WitnessError::Tampered(Tamper::WitnessUnreadable { line: n, reason: reason.to_owned() });
            let mut fields = text.split(' ');
            if fields.next() != Some(TAG) {
                return Err(unreadable("it is not a signed head"));
            }
            if fields.next() != Some(key_id.as_str()) {
                return Ok(true);
            }
            let seq: i64 = fields.next().and_then(|s| s.parse().ok()).ok_or_else(|| unreadable("no sequence number"))?;
            let mut hash = [0u8; 16];
            fields
                .next()
                .and_then(|h| h.get(..32))
                .and_then(|h| hex::decode_to_slice(h, &mut hash).ok())
                .ok_or_else(|| unreadable("no hash"))?;
            out.push(Witnessed { seq, hash, line: n });
            Ok(true)
        })?;
        out.sort_unstable_by_key(|w| (w.seq, w.line));
        Ok(out)
    }

    /// The head on line `line`, whole.
    pub fn head_at(&self, line: u64) -> Result<Option<SignedHead>, WitnessError> {
        let mut found = None;
        self.scan(|n, text| {
            if n == line {
                found = parse(text);
                return Ok(false);
            }
            Ok(true)
        })?;
        Ok(found)
    }

    /// Call `f` with each whole line and its number until it returns
    /// `false`; a missing file has no lines.
    fn scan(&self, mut f: impl FnMut(u64, &str) -> Result<bool, WitnessError>) -> Result<(), WitnessError> {
        let io = |source| WitnessError::Io { path: self.path.clone(), source };
        let file = match fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(e)),
        };
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut buf = Vec::with_capacity(512);
        let mut n = 0u64;
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf).map_err(io)? == 0 {
                return Ok(());
            }
            n += 1;
            let Some(text) = buf.strip_suffix(b"\n") else {
                // The last line, torn by a crash while it was written.
                return Ok(());
            };
            let text = std::str::from_utf8(text)
                .map_err(|_| WitnessError::Tampered(Tamper::WitnessUnreadable { line: n, reason: "it is not text".into() }))?;
            if text.trim().is_empty() {
                continue;
            }
            if !f(n, text)? {
                return Ok(());
            }
        }
    }
}

fn parse(text: &str) -> Option<SignedHead> {
    let f: Vec<&str> = text.split(' ').collect();
    let [_tag, _key, seq, hash, at, checkpoint, signature] = f.as_slice() else { return None };
    let mut h = [0u8; 32];
    hex::decode_to_slice(hash, &mut h).ok()?;
    let mut s = [0u8; 64];
    hex::decode_to_slice(signature, &mut s).ok()?;
    Some(SignedHead {
        seq: seq.parse().ok()?,
        hash: h,
        at: micros(time::OffsetDateTime::parse(at, &Rfc3339).ok()?),
        checkpoint: checkpoint.parse().ok()?,
        signature: Some(s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn head(key: &SigningKey, seq: i64) -> SignedHead {
        let mut h = SignedHead { seq, hash: [seq as u8; 32], at: 1_767_225_600_123_456 + seq, checkpoint: seq / 4 * 4, signature: None };
        h.signature = Some(key.sign(&h.message()).to_bytes());
        h
    }

    #[test]
    fn every_head_is_read_in_entry_order_whatever_order_writers_appended_in() {
        let dir = tempfile::tempdir().unwrap();
        let w = Witness::new(dir.path().join("w"));
        let key = SigningKey::from_bytes(&[7; 32]);
        assert_eq!(w.read(&key.verifying_key()).unwrap(), vec![]);
        let id = crate::keys::key_id(&key.verifying_key());
        for seq in [3, 9, 5] {
            w.append(&id, &head(&key, seq)).unwrap();
        }
        // Another installation sharing the file, and a line torn by a crash.
        let other = SigningKey::from_bytes(&[8; 32]);
        w.append(&crate::keys::key_id(&other.verifying_key()), &head(&other, 50)).unwrap();
        fs::OpenOptions::new().append(true).open(w.path()).unwrap().write_all(b"candor-audit-head-v1 ab").unwrap();
        let got = w.read(&key.verifying_key()).unwrap();
        assert_eq!(got.iter().map(|h| (h.seq, h.line)).collect::<Vec<_>>(), vec![(3, 1), (5, 3), (9, 2)]);
        assert_eq!(got[2].hash, [9; 16]);
        assert_eq!(w.head_at(2).unwrap(), Some(head(&key, 9)));
        assert!(w.head_at(2).unwrap().unwrap().is_signed_by(&key.verifying_key()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(w.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_line_that_is_not_a_head_is_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let w = Witness::new(dir.path().join("w"));
        let key = SigningKey::from_bytes(&[7; 32]);
        w.append(&crate::keys::key_id(&key.verifying_key()), &head(&key, 3)).unwrap();
        fs::OpenOptions::new().append(true).open(w.path()).unwrap().write_all(b"hello\n").unwrap();
        let err = w.read(&key.verifying_key()).unwrap_err();
        assert!(matches!(err, WitnessError::Tampered(Tamper::WitnessUnreadable { line: 2, .. })), "{err}");
    }
}
