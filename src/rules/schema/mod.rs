//! The `SCHEMA` family: every resource against the schema of its kind,
//! offline (constitution, article 3: what ArgoCD would apply must be what
//! the API server accepts). The schemas and where they come from are in
//! `src/schema/`.

mod schema_001_invalid;
mod schema_002_unknown_field;
mod schema_003_unknown_kind;

use std::sync::Arc;

use rayon::prelude::*;

use super::{Parameters, Rule};
use crate::engine::{ResourceSet, SEQUENTIAL_BELOW};
use crate::resource::Resource;
use crate::schema::{Crds, Gvk, KindSchema, Lookup};

pub fn rules() -> Vec<Rule> {
    vec![
        schema_001_invalid::rule(),
        schema_002_unknown_field::rule(),
        schema_003_unknown_kind::rule(),
    ]
}

/// What every SCHEMA rule is configured with: the top-level `strict`,
/// `crdDirs` and `rejectUnknownKinds` of `.charter.yaml`, or `--strict`,
/// `--crd-dir` and `--reject-unknown-kinds`.
#[derive(Debug, Default, Clone)]
pub struct Settings {
    pub strict: bool,
    pub reject_unknown_kinds: bool,
    /// The CRDs of the configured directories.
    pub crds: Arc<Crds>,
}

/// The parameter keys [`Settings`] is read from.
pub const KEYS: [&str; 3] = ["strict", "rejectUnknownKinds", "crdDirs"];

impl Settings {
    /// Reads the settings from a rule's parameters; CRD directories are read
    /// here, once, before any resource is checked.
    pub fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "strict" => {
                    self.strict = value.as_bool().ok_or("`strict` must be true or false")?;
                }
                "rejectUnknownKinds" => {
                    self.reject_unknown_kinds = value
                        .as_bool()
                        .ok_or("`rejectUnknownKinds` must be true or false")?;
                }
                "crdDirs" => {
                    let dirs = value
                        .as_array()
                        .ok_or("`crdDirs` must be a list of directories")?;
                    let mut crds = Crds::default();
                    for dir in dirs {
                        let dir = dir
                            .as_str()
                            .ok_or("`crdDirs` must be a list of directories")?;
                        crds.add_dir(std::path::Path::new(dir))
                            .map_err(|error| error.to_string())?;
                    }
                    self.crds = Arc::new(crds);
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known keys: enabled, severity, {})",
                        KEYS.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Hands the schema settings of the command line and the configuration to
/// the SCHEMA rules.
pub fn apply(rules: &mut [Rule], params: &Parameters) -> Result<(), String> {
    if params.is_empty() {
        return Ok(());
    }
    for rule in rules
        .iter_mut()
        .filter(|rule| rule.meta.family() == "SCHEMA")
    {
        rule.configure(params)?;
    }
    Ok(())
}

/// Where schemas come from, for `charter explain`: the built-in kinds, the
/// configured CRD directories' kinds and the shipped CRDs' kinds.
fn knowledge(settings: &Settings) -> String {
    let list = |crds: &Crds| {
        let mut kinds: Vec<String> = crds
            .kinds
            .iter()
            .map(|(gvk, schema)| match &schema.origin {
                crate::schema::Origin::Crd(origin) => format!("- {} ({origin})", gvk.display()),
                crate::schema::Origin::Builtin => format!("- {}", gvk.display()),
            })
            .collect();
        kinds.sort();
        kinds.join("\n")
    };
    let mut text = format!(
        "{} built-in kinds of Kubernetes 1.31 (k8s-openapi 0.25).",
        crate::schema::builtin::KINDS.len()
    );
    if !settings.crds.kinds.is_empty() {
        text.push_str(&format!(
            "\nCustom resources of the configured CRD directories:\n{}",
            list(&settings.crds)
        ));
    }
    text.push_str(&format!(
        "\nCustom resources of the CRDs shipped in rules/crds/:\n{}",
        list(crate::schema::shipped())
    ));
    text
}

/// Runs `check` over every resource that has a schema, in parallel when the
/// set is large, and returns what it found in resource order.
fn per_resource<T: Send>(
    set: &ResourceSet<'_>,
    settings: &Settings,
    check: impl Fn(&Resource, &KindSchema) -> Vec<T> + Sync,
) -> Vec<(usize, T)> {
    let in_set = Crds::of_set(set.resources, set.files);
    let lookup = Lookup {
        set: &in_set,
        configured: &settings.crds,
    };
    let one = |resource: &Resource| -> Vec<(usize, T)> {
        match lookup.find(&Gvk::of(resource)) {
            Some(schema) => check(resource, schema)
                .into_iter()
                .map(|found| (resource.index, found))
                .collect(),
            None => Vec::new(),
        }
    };
    if set.resources.len() < SEQUENTIAL_BELOW {
        set.resources.iter().flat_map(one).collect()
    } else {
        set.resources.par_iter().flat_map_iter(one).collect()
    }
}

/// A resource by its index in the run's table.
fn resource_at<'a>(set: &ResourceSet<'a>, index: usize) -> Option<&'a Resource> {
    set.resources
        .get(index)
        .filter(|resource| resource.index == index)
        .or_else(|| {
            set.resources
                .iter()
                .find(|resource| resource.index == index)
        })
}

/// `spec.template.spec.containers[0].image` for `/spec/template/spec/containers/0/image`.
fn field_name(pointer: &str) -> String {
    let mut name = String::new();
    for token in crate::yaml::node::pointer_tokens(pointer) {
        if token.parse::<usize>().is_ok() && !name.is_empty() {
            name.push_str(&format!("[{token}]"));
        } else {
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(&token);
        }
    }
    name
}

/// A value for a message: at most 60 characters of it.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_as_written() {
        assert_eq!(
            field_name("/spec/template/spec/containers/0/image"),
            "spec.template.spec.containers[0].image"
        );
        assert_eq!(
            field_name("/metadata/labels/app.kubernetes.io~1name"),
            "metadata.labels.app.kubernetes.io/name"
        );
        assert_eq!(field_name(""), "");
        assert_eq!(shorten("short"), "short");
        assert_eq!(shorten(&"x".repeat(70)).chars().count(), 61);
    }
}
