//! Facts about the cluster the manifests are deployed to, from
//! `rules/cluster.yaml`: its Kubernetes version (HELM-006) and its GPUs (the
//! GPU family). A `.charter.yaml` override is merged key by key over the
//! shipped file, so `{gpu: {capacity: 2}}` changes only the capacity.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const CLUSTER_DATA: &str = include_str!("../../rules/cluster.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    pub kubernetes_version: String,
    pub gpu: GpuFacts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GpuFacts {
    pub capacity: u64,
    pub nodes: u64,
    pub time_slicing: u64,
    pub node_labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub runtime_class_name: String,
    pub runtime_class_required: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taint {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    pub effect: String,
}

impl GpuFacts {
    /// GPUs the device plugin advertises in the whole cluster.
    pub fn schedulable(&self) -> u64 {
        self.capacity.saturating_mul(self.time_slicing.max(1))
    }
}

/// The shipped file as JSON, the base every override is merged over.
fn shipped_json() -> &'static serde_json::Value {
    static DATA: OnceLock<serde_json::Value> = OnceLock::new();
    DATA.get_or_init(|| crate::rules::shipped_data("cluster.yaml", CLUSTER_DATA))
}

/// The shipped facts. The file is compiled in and covered by tests, so a
/// broken one never reaches a user.
pub fn shipped() -> &'static Cluster {
    static DATA: OnceLock<Cluster> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_value(shipped_json().clone())
            .unwrap_or_else(|error| panic!("rules/cluster.yaml: {error}"))
    })
}

/// The shipped facts with `value` (the `cluster` parameter) merged over them.
pub fn with_override(value: &serde_json::Value) -> Result<Cluster, String> {
    if !value.is_object() {
        return Err("`cluster` must be a mapping (the shape of rules/cluster.yaml)".to_owned());
    }
    let mut merged = shipped_json().clone();
    merge(&mut merged, value);
    serde_path_to_error::deserialize(merged)
        .map_err(|error| format!("`cluster.{}`: {}", error.path(), error.inner()))
}

/// Merges mappings key by key; anything else replaces (as Helm merges values).
pub(crate) fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(base), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// `MAJOR.MINOR` of a version such as `1.31`, `v1.31.4` or `1.31.4+k3s1`.
pub fn minor_version(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().trim_start_matches('v');
    let mut parts = text.split(['.', '+', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_facts_read_and_overrides_merge() {
        let cluster = shipped();
        assert_eq!(minor_version(&cluster.kubernetes_version), Some((1, 31)));
        assert_eq!(cluster.gpu.schedulable(), 1);
        assert_eq!(cluster.gpu.runtime_class_name, "nvidia");
        let merged = with_override(&serde_json::json!({"gpu": {"capacity": 2}})).unwrap();
        assert_eq!(merged.gpu.capacity, 2);
        assert_eq!(merged.gpu.node_labels, cluster.gpu.node_labels);
        let error = with_override(&serde_json::json!({"gpu": {"capacity": "two"}})).unwrap_err();
        assert!(error.contains("cluster.gpu.capacity"), "{error}");
        assert!(with_override(&serde_json::json!({"gpus": {}})).is_err());
        assert!(with_override(&serde_json::json!([1])).is_err());
    }

    #[test]
    fn versions() {
        assert_eq!(minor_version("v1.31.4+k3s1"), Some((1, 31)));
        assert_eq!(minor_version("1.9"), Some((1, 9)));
        assert_eq!(minor_version("one"), None);
    }
}
