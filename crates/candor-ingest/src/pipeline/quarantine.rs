//! The quarantine file: every record an import could not store, as one JSON
//! line with its line number, the reason and the record as read. It sits
//! next to the input, readable by its owner only (it holds what the input
//! holds), and is rewritten by each run, so it always describes the last
//! one; a run with nothing to quarantine leaves none.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::record::Quarantined;

/// Where the quarantine file of `input` goes.
pub fn path_for(input: &Path) -> PathBuf {
    let mut name = input.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".quarantine.jsonl");
    input.with_file_name(name)
}

/// Writes quarantined records, creating the file on the first one.
pub(crate) struct Quarantine {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    count: u64,
}

impl Quarantine {
    /// Remove what an earlier run left at `path`.
    pub(crate) fn new(path: PathBuf) -> std::io::Result<Self> {
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Self { path, out: None, count: 0 })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn push(&mut self, q: &Quarantined) -> std::io::Result<()> {
        if self.out.is_none() {
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            self.out = Some(BufWriter::new(options.open(&self.path)?));
        }
        if let Some(out) = self.out.as_mut() {
            serde_json::to_writer(&mut *out, q)?;
            out.write_all(b"\n")?;
        }
        self.count += 1;
        Ok(())
    }

    pub(crate) fn finish(&mut self) -> std::io::Result<()> {
        if let Some(out) = self.out.as_mut() {
            out.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sits_next_to_the_input() {
        assert_eq!(path_for(Path::new("/data/twcs.csv")), PathBuf::from("/data/twcs.csv.quarantine.jsonl"));
    }

    #[test]
    fn a_run_rewrites_the_file_and_an_empty_run_leaves_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.csv.quarantine.jsonl");
        let mut q = Quarantine::new(path.clone()).unwrap();
        q.push(&Quarantined { line: 3, reason: "`tweet_id` is empty".into(), raw: ",a".into() }).unwrap();
        q.finish().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"line\":3,\"reason\":\"`tweet_id` is empty\",\"raw\":\",a\"}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let mut again = Quarantine::new(path.clone()).unwrap();
        again.finish().unwrap();
        assert!(!path.exists());
    }
}
