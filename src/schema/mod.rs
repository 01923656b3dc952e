//! Offline schema validation: the JSON Schema of every kind a manifest may
//! hold, from the built-in kinds' generated schemas and from
//! CustomResourceDefinitions, each compiled once per run (once per process
//! in `serve`) on first use.
//!
//! Where a kind's schema comes from, first match wins: a CRD in the checked
//! set, a CRD in a `--crd-dir`, a CRD shipped in `rules/crds/`, the built-in
//! kinds. Nothing is fetched.

pub mod builtin;
pub mod crd;
pub mod instance;
pub mod strict;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::resource::Resource;

/// A kind as the API server names it: `(group, version, kind)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn of(resource: &Resource) -> Gvk {
        let (group, version) = match resource.api_version.rsplit_once('/') {
            Some((group, version)) => (group, version),
            None => ("", resource.api_version.as_str()),
        };
        Gvk {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: resource.kind.clone(),
        }
    }

    /// `apps/v1 Deployment`, as a manifest writes it.
    pub fn display(&self) -> String {
        match self.group.as_str() {
            "" => format!("{} {}", self.version, self.kind),
            group => format!("{group}/{} {}", self.version, self.kind),
        }
    }
}

/// Where a kind's schema came from, for messages and `explain`.
#[derive(Debug, Clone)]
pub enum Origin {
    Builtin,
    /// A CRD, and where it was read (a file of the set, a CRD directory, or
    /// `rules/crds/NAME`).
    Crd(String),
}

/// One kind's schema: the JSON Schema, and its validator, compiled on first
/// use and shared by every thread.
pub struct KindSchema {
    pub origin: Origin,
    pub schema: Value,
    validator: OnceLock<Result<jsonschema::Validator, String>>,
}

impl std::fmt::Debug for KindSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindSchema")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl KindSchema {
    pub fn new(origin: Origin, schema: Value) -> Self {
        KindSchema {
            origin,
            schema,
            validator: OnceLock::new(),
        }
    }

    /// The compiled validator; the message says why a schema (a user's CRD)
    /// does not compile.
    pub fn validator(&self) -> Result<&jsonschema::Validator, &str> {
        self.validator
            .get_or_init(|| {
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft7)
                    .build(&self.schema)
                    .map_err(|error| error.to_string())
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

/// The built-in kinds' schemas, generated on first use.
fn builtin_schema(gvk: &Gvk) -> Option<&'static KindSchema> {
    static SCHEMAS: OnceLock<Vec<OnceLock<KindSchema>>> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| builtin::KINDS.iter().map(|_| OnceLock::new()).collect());
    let index = builtin::KINDS.iter().position(|kind| {
        kind.kind == gvk.kind && kind.version == gvk.version && kind.group == gvk.group
    })?;
    let kind = &builtin::KINDS[index];
    Some(schemas[index].get_or_init(|| KindSchema::new(Origin::Builtin, (kind.schema)())))
}

/// The CRDs shipped in `rules/crds/`, read on first use.
const SHIPPED_CRDS: [(&str, &str); 10] = [
    (
        "argocd-application.yaml",
        include_str!("../../rules/crds/argocd-application.yaml"),
    ),
    (
        "argocd-applicationset.yaml",
        include_str!("../../rules/crds/argocd-applicationset.yaml"),
    ),
    (
        "argocd-appproject.yaml",
        include_str!("../../rules/crds/argocd-appproject.yaml"),
    ),
    (
        "sealed-secrets.yaml",
        include_str!("../../rules/crds/sealed-secrets.yaml"),
    ),
    (
        "kyverno-clusterpolicy.yaml",
        include_str!("../../rules/crds/kyverno-clusterpolicy.yaml"),
    ),
    (
        "kyverno-policy.yaml",
        include_str!("../../rules/crds/kyverno-policy.yaml"),
    ),
    (
        "cert-manager-certificate.yaml",
        include_str!("../../rules/crds/cert-manager-certificate.yaml"),
    ),
    (
        "cert-manager-issuer.yaml",
        include_str!("../../rules/crds/cert-manager-issuer.yaml"),
    ),
    (
        "traefik-ingressroute.yaml",
        include_str!("../../rules/crds/traefik-ingressroute.yaml"),
    ),
    (
        "prometheus-servicemonitor.yaml",
        include_str!("../../rules/crds/prometheus-servicemonitor.yaml"),
    ),
];

/// The shipped CRDs' schemas. Tests read every file, so a broken one never
/// reaches a user; a broken one here would only be left out.
pub fn shipped() -> &'static Crds {
    static SHIPPED: OnceLock<Crds> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let mut crds = Crds::default();
        for (name, text) in SHIPPED_CRDS {
            // Errors are the tests' business (`shipped_crds_read`).
            let _ = crds.add_text(text, &format!("rules/crds/{name}"));
        }
        crds
    })
}

/// Schemas of custom resources, by kind.
#[derive(Debug, Default)]
pub struct Crds {
    pub kinds: HashMap<Gvk, Arc<KindSchema>>,
}

#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    #[error("cannot read CRD directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read CRD file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Crds {
    /// Adds every CRD of a manifest stream; an earlier CRD of a kind wins.
    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<usize, CrdError> {
        let mut added = 0;
        for document in crate::yaml::parse_stream(text, crate::yaml::Limits::default()) {
            if let Some(problem) = document.problems.first() {
                return Err(CrdError::Invalid {
                    origin: format!("{origin}:{}", problem.mark),
                    message: problem.message.clone(),
                });
            }
            let Some(root) = document.root else { continue };
            for (gvk, schema) in crd::schemas_of(&root) {
                if let std::collections::hash_map::Entry::Vacant(slot) = self.kinds.entry(gvk) {
                    slot.insert(Arc::new(KindSchema::new(
                        Origin::Crd(origin.to_owned()),
                        schema,
                    )));
                    added += 1;
                }
            }
        }
        Ok(added)
    }

    /// Adds the CRDs of every `*.yaml`, `*.yml` and `*.json` file in `dir`
    /// (not its subdirectories), in name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize, CrdError> {
        let entries = std::fs::read_dir(dir).map_err(|source| CrdError::Directory {
            path: dir.to_owned(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.is_file()
                    && path
                        .extension()
                        .and_then(|ext| ext.to_str())
                        .is_some_and(|ext| matches!(ext, "yaml" | "yml" | "json"))
            })
            .collect();
        files.sort();
        let mut added = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| CrdError::File {
                path: path.clone(),
                source,
            })?;
            added += self.add_text(&text, &path.display().to_string())?;
        }
        Ok(added)
    }

    /// The CRDs among a run's resources.
    pub fn of_set(resources: &[Resource], files: &[crate::source::SourceFile]) -> Crds {
        let mut crds = Crds::default();
        for resource in resources
            .iter()
            .filter(|resource| resource.is("apiextensions.k8s.io", "CustomResourceDefinition"))
        {
            let origin = files
                .get(resource.file)
                .map_or_else(|| resource.display(), |file| file.name.to_string());
            for (gvk, schema) in crd::schemas_of(&resource.object) {
                crds.kinds.entry(gvk).or_insert_with(|| {
                    Arc::new(KindSchema::new(Origin::Crd(origin.clone()), schema))
                });
            }
        }
        crds
    }

    pub fn get(&self, gvk: &Gvk) -> Option<&KindSchema> {
        self.kinds.get(gvk).map(Arc::as_ref)
    }
}

/// Where a run finds schemas: the set's CRDs, then the configured CRD
/// directories', then the shipped ones, then the built-in kinds.
pub struct Lookup<'a> {
    pub set: &'a Crds,
    pub configured: &'a Crds,
}

impl Lookup<'_> {
    /// Whether a schema exists for the kind, without generating it.
    pub fn has(&self, gvk: &Gvk) -> bool {
        self.set.get(gvk).is_some()
            || self.configured.get(gvk).is_some()
            || shipped().get(gvk).is_some()
            || builtin::KINDS.iter().any(|kind| {
                kind.kind == gvk.kind && kind.version == gvk.version && kind.group == gvk.group
            })
    }

    pub fn find(&self, gvk: &Gvk) -> Option<&KindSchema> {
        self.set
            .get(gvk)
            .or_else(|| self.configured.get(gvk))
            .or_else(|| shipped().get(gvk))
            .or_else(|| builtin_schema(gvk))
    }
}

#[cfg(test)]
mod tests;
