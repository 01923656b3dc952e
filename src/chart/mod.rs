//! Helm charts as input. A directory holding `Chart.yaml` is rendered with
//! `helm template` and the output is checked like any manifest: once for
//! every ArgoCD Application in the set that deploys it (with that
//! Application's release name, namespace, value files, values and
//! parameters), or once with the chart's own values when none does.

mod helm;
mod plan;
pub mod sources;

pub use helm::{Failure, Helm};
pub use plan::{Render, plan};

use std::path::PathBuf;
use std::time::Duration;

/// How long one render may take by default. Rendering is computation on
/// local files; a render still running after this is stuck (a template
/// looping over a huge range, a `helm` wrapper waiting on the network), and
/// a check must end.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Rendering settings from the command line and the configuration.
#[derive(Debug, Clone)]
pub struct HelmSettings {
    /// The `helm` to run; `None` looks it up on `PATH`.
    pub bin: Option<PathBuf>,
    /// Value files given to every render, after the Application's own.
    pub values: Vec<PathBuf>,
    /// `--set` expressions given to every render, last.
    pub set: Vec<String>,
    /// How long one render may take.
    pub timeout: Duration,
}

impl Default for HelmSettings {
    fn default() -> Self {
        HelmSettings {
            bin: None,
            values: Vec::new(),
            set: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A chart directory the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartDir {
    /// As users see it (`deploy/charts/ollama`).
    pub name: String,
    /// Absolute and normalised, to match Application paths against.
    pub path: PathBuf,
}
