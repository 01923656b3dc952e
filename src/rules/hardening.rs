//! The data the workload hardening families (`POD`, `RBAC`, `NET`) share,
//! from `rules/hardening.yaml`, and how a rule takes its share of it from
//! `.charter.yaml`.

use std::sync::OnceLock;

use globset::GlobMatcher;
use serde::{Deserialize, Serialize};

use crate::engine::ResourceSet;
use crate::rules::{Parameters, Severity};
use crate::suppress::glob;

const HARDENING_DATA: &str = include_str!("../../rules/hardening.yaml");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HardeningData {
    pub partial_set_severity: Severity,
    pub dangerous_capabilities: Vec<String>,
    pub allowed_host_paths: Vec<String>,
    pub pdb_min_replicas: u64,
    pub exposed_service_types: Vec<String>,
    pub secret_readers: Vec<String>,
    pub secret_reading_cluster_roles: Vec<String>,
}

/// The shipped data. The file is compiled in and covered by tests, so a
/// broken one never reaches a user.
pub fn shipped() -> &'static HardeningData {
    static DATA: OnceLock<HardeningData> = OnceLock::new();
    DATA.get_or_init(|| crate::rules::shipped_data("hardening.yaml", HARDENING_DATA))
}

/// Replaces the keys `keys` of `data` with the parameters given for them;
/// any other parameter is an error.
pub fn configure(
    data: &mut HardeningData,
    params: &Parameters,
    keys: &[&str],
) -> Result<(), String> {
    for (key, value) in params {
        if !keys.contains(&key.as_str()) {
            return Err(format!(
                "has no parameter `{key}` (known: {})",
                keys.join(", ")
            ));
        }
        let mut json = serde_json::to_value(&*data).map_err(|error| error.to_string())?;
        if let Some(object) = json.as_object_mut() {
            object.insert(key.clone(), value.clone());
        }
        *data = serde_json::from_value(json).map_err(|error| format!("`{key}`: {error}"))?;
    }
    Ok(())
}

/// The severity of a whole-set finding: softer when the set is partial.
pub fn set_severity(set: &ResourceSet<'_>, configured: Severity, partial: Severity) -> Severity {
    match set.partial {
        true => configured.min(partial),
        false => configured,
    }
}

/// What a whole-set message adds when only some files were checked.
pub fn partial_note(set: &ResourceSet<'_>) -> &'static str {
    match set.partial {
        true => " (only some files were checked)",
        false => "",
    }
}

/// Compiled globs (a `*` crosses `/`).
#[derive(Debug, Clone, Default)]
pub struct Globs(Vec<GlobMatcher>);

impl Globs {
    pub fn new(patterns: &[String]) -> Result<Globs, String> {
        patterns
            .iter()
            .map(|pattern| glob(pattern, false))
            .collect::<Result<_, _>>()
            .map(Globs)
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.iter().any(|pattern| pattern.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_reads() {
        let data = shipped();
        assert_eq!(data.partial_set_severity, Severity::Info);
        assert!(
            data.dangerous_capabilities
                .contains(&"SYS_ADMIN".to_owned())
        );
        assert!(data.allowed_host_paths.is_empty());
        assert_eq!(data.pdb_min_replicas, 2);
        assert!(Globs::new(&data.secret_readers).is_ok());
    }

    #[test]
    fn parameters_replace_their_keys_only() {
        let mut data = shipped().clone();
        let params: Parameters =
            serde_json::from_str(r#"{"allowedHostPaths": ["/var/log/**"]}"#).unwrap();
        configure(&mut data, &params, &["allowedHostPaths"]).unwrap();
        assert_eq!(data.allowed_host_paths, ["/var/log/**"]);
        assert_eq!(
            configure(&mut data, &params, &["pdbMinReplicas"]).unwrap_err(),
            "has no parameter `allowedHostPaths` (known: pdbMinReplicas)"
        );
        let bad: Parameters = serde_json::from_str(r#"{"pdbMinReplicas": "x"}"#).unwrap();
        assert!(
            configure(&mut data, &bad, &["pdbMinReplicas"])
                .unwrap_err()
                .starts_with("`pdbMinReplicas`: invalid type")
        );
        let globs = Globs::new(&["kyverno-*".to_owned()]).unwrap();
        assert!(globs.is_match("kyverno-admission-controller") && !globs.is_match("kyverno"));
        assert!(Globs::new(&["[".to_owned()]).is_err());
    }
}
