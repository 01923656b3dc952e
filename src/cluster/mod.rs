//! Live-cluster input for `charter audit --cluster`: the resources of a
//! kubeconfig context, listed through the API and stripped of the fields the
//! server manages, as texts the ordinary checker reads.
//!
//! INTERFACE ONLY (agreed between the audit command and the cluster reader,
//! which are built in parallel): `fetch` is replaced by the real reader
//! before this lands.

use std::path::PathBuf;
use std::sync::Arc;

/// Which cluster and how much of it.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// The kubeconfig context [default: the current context].
    pub context: Option<String>,
    /// Only this namespace (cluster-scoped kinds are then left out).
    pub namespace: Option<String>,
    /// The kubeconfig file [default: $KUBECONFIG, else ~/.kube/config].
    pub kubeconfig: Option<PathBuf>,
}

/// One live resource as a manifest text (YAML), under a name findings are
/// reported against, e.g. `cluster:NAME/apps/v1/Deployment/ns/name`.
#[derive(Debug, Clone)]
pub struct LiveObject {
    pub name: String,
    pub text: Arc<str>,
}

/// Everything listed, plus the kinds that could not be listed and why
/// (forbidden by RBAC, the API failing): reported, never silently dropped.
#[derive(Debug, Default)]
pub struct Listing {
    /// The context the objects came from.
    pub context: String,
    pub objects: Vec<LiveObject>,
    /// `(group/version/kind, reason)`.
    pub skipped: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ClusterError(pub String);

/// Lists every listable kind of the cluster (or of one namespace).
pub fn fetch(_options: &ClusterOptions) -> Result<Listing, ClusterError> {
    Err(ClusterError(
        "the live-cluster reader is not built yet".to_owned(),
    ))
}
