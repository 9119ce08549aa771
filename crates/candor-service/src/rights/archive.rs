//! A served access or portability bundle as one zip file, for the
//! customer to download from the privacy center: the manifest and every
//! file it lists, in a folder named for the request. Each file is checked
//! against the manifest's SHA-256 before it goes in, so a bundle changed
//! on disk after it was written is refused rather than handed out.

use std::io::{Cursor, Write};
use std::path::Path;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::export::ServedBundle;
use super::RightsRequestView;
use crate::{Candor, Result, ServiceError};

/// A bundle zipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleZip {
    /// The file name to offer: `candor-export-<request id>.zip`.
    pub name: String,
    /// The zip's bytes.
    pub bytes: Vec<u8>,
}

impl Candor {
    /// Request `r`'s bundle under `exports_dir` as one zip, for `actor`;
    /// the read is audited under the customer's pseudonym.
    pub async fn bundle_zip(&self, actor: &str, exports_dir: &Path, r: &RightsRequestView) -> Result<BundleZip> {
        let served = ServedBundle::open(exports_dir, r)?;
        let folder = format!("candor-export-{}", r.id);
        let bad = |what: String| ServiceError::BundleIo { what, source: "the zip could not be written".into() };
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).unix_permissions(0o600);
        let mut add = |name: &str, bytes: &[u8]| -> Result<()> {
            zip.start_file(format!("{folder}/{name}"), options).map_err(|e| bad(format!("{name}: {e}")))?;
            zip.write_all(bytes).map_err(|e| bad(format!("{name}: {e}")))
        };
        add("manifest.json", &served.manifest)?;
        for (path, _, sha256) in &served.listed {
            let file = served.file(r, path)?;
            if hex::encode(Sha256::digest(&file.bytes)) != *sha256 {
                return Err(ServiceError::BundleIo {
                    what: format!("the bundle of request `{}`: `{path}` no longer matches its manifest", r.id),
                    source: "checksum mismatch".into(),
                });
            }
            add(path, &file.bytes)?;
        }
        let bytes = zip.finish().map_err(|e| bad(e.to_string()))?.into_inner();
        self.audit_bundle_read(actor, r, "bundle.zip").await?;
        Ok(BundleZip { name: format!("{folder}.zip"), bytes })
    }
}
