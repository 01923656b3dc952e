//! The server's certificate, reloaded from disk when cert-manager rotates it.
//!
//! cert-manager updates the mounted Secret in place (the kubelet swaps a
//! symbolic link), so the files are compared by modification time, size and
//! inode before each new connection: a `stat` of two files costs microseconds,
//! and the first connection after a rotation already gets the new pair.
//! A pair that does not load (unreadable, not PEM, key not matching the
//! certificate) keeps the old one in service and is logged.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::log;

/// What identifies one version of a file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode: meta.ino(),
    })
}

/// The certificate in service, and where it comes from.
pub struct CertStore {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
    /// The stamps of the files last tried, loaded or not: a bad pair is
    /// reported once, not on every connection until it is fixed.
    tried: Mutex<(Option<Stamp>, Option<Stamp>)>,
    pub reloads_ok: AtomicU64,
    pub reloads_failed: AtomicU64,
}

impl std::fmt::Debug for CertStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertStore")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl CertStore {
    /// Loads the pair; at start a bad pair is an error (there is no old one).
    pub fn load(
        cert_path: &Path,
        key_path: &Path,
        provider: Arc<CryptoProvider>,
    ) -> Result<CertStore, String> {
        let stamps = (stamp(cert_path), stamp(key_path));
        let key = load_pair(cert_path, key_path, &provider)?;
        Ok(CertStore {
            cert_path: cert_path.to_owned(),
            key_path: key_path.to_owned(),
            provider,
            current: RwLock::new(Arc::new(key)),
            tried: Mutex::new(stamps),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
        })
    }

    /// Reloads the pair when either file changed since it was last tried.
    pub fn refresh(&self) {
        let stamps = (stamp(&self.cert_path), stamp(&self.key_path));
        let mut tried = match self.tried.lock() {
            Ok(tried) => tried,
            Err(poisoned) => poisoned.into_inner(),
        };
        if *tried == stamps {
            return;
        }
        *tried = stamps;
        match load_pair(&self.cert_path, &self.key_path, &self.provider) {
            Ok(key) => {
                let mut current = match self.current.write() {
                    Ok(current) => current,
                    Err(poisoned) => poisoned.into_inner(),
                };
                *current = Arc::new(key);
                self.reloads_ok.fetch_add(1, Ordering::Relaxed);
                log::event(
                    "info",
                    "tls certificate reloaded",
                    &[("cert", self.cert_path.display().to_string().into())],
                );
            }
            Err(reason) => {
                self.reloads_failed.fetch_add(1, Ordering::Relaxed);
                log::event(
                    "error",
                    "tls certificate not reloaded; the previous one stays in service",
                    &[("reason", reason.into())],
                );
            }
        }
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let current = match self.current.read() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        Some(Arc::clone(&current))
    }
}

/// Reads and checks a certificate chain and its private key.
fn load_pair(cert: &Path, key: &Path, provider: &CryptoProvider) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|error| format!("{}: {error}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|error| format!("{}: {error}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{}: no PEM certificate in it", cert.display()));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|error| format!("{}: no usable PEM private key ({error})", key.display()))?;
    CertifiedKey::from_der(chain, private, provider).map_err(|error| {
        format!(
            "{} and {} do not make a usable pair: {error}",
            cert.display(),
            key.display()
        )
    })
}
