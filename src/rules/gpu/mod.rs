//! The `GPU` family: the one GPU of the platform (akula-prime, RTX 5080,
//! 16 GB) is scheduled on purpose, by workloads that can land on it, and
//! nothing reaches it sideways (constitution, article 4). The cluster's GPU
//! facts are in `rules/cluster.yaml`, the rules' own data in `rules/gpu.yaml`.

mod gpu_001_gpu_limits;
mod gpu_002_gpu_placement;
mod gpu_003_gpu_memory;
mod gpu_004_gpu_capacity;
mod gpu_005_gpu_sideways;

use std::sync::OnceLock;

use globset::GlobSet;
use serde::Deserialize;

use super::cluster::{self, Cluster};
use super::{Parameters, Rule, Severity};
use crate::suppress::glob_set;
use crate::workload::{Container, PodTemplate};
use crate::yaml::node::escape_token;
use crate::yaml::{Entry, Node, Value};

const GPU_DATA: &str = include_str!("../../../rules/gpu.yaml");

pub fn rules() -> Vec<Rule> {
    vec![
        gpu_001_gpu_limits::rule(),
        gpu_002_gpu_placement::rule(),
        gpu_003_gpu_memory::rule(),
        gpu_004_gpu_capacity::rule(),
        gpu_005_gpu_sideways::rule(),
    ]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GpuData {
    pub resources: Vec<String>,
    pub device_paths: Vec<String>,
    pub no_device_values: Vec<String>,
    pub partial_set_severity: Severity,
}

/// The shipped data. The file is compiled in and covered by tests, so a
/// broken one never reaches a user.
pub fn shipped() -> &'static GpuData {
    static DATA: OnceLock<GpuData> = OnceLock::new();
    DATA.get_or_init(|| super::shipped_data("gpu.yaml", GPU_DATA))
}

/// The parameters every GPU rule takes from the family.
const FAMILY_PARAMETERS: &[&str] = &["cluster", "resources"];

/// What every GPU rule knows: the cluster's facts and which resources are GPUs.
pub struct Gpus {
    pub cluster: Cluster,
    resources: GlobSet,
}

impl Default for Gpus {
    fn default() -> Self {
        Gpus {
            cluster: cluster::shipped().clone(),
            resources: glob_set(&shipped().resources)
                .unwrap_or_else(|error| panic!("rules/gpu.yaml: resources: {error}")),
        }
    }
}

impl Gpus {
    /// Takes `cluster` and `resources`; hands every other key to `own`,
    /// which says whether it took it.
    pub fn configure(
        &mut self,
        params: &Parameters,
        own_keys: &[&str],
        mut own: impl FnMut(&str, &serde_json::Value) -> Result<(), String>,
    ) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "cluster" => self.cluster = cluster::with_override(value)?,
                "resources" => {
                    let patterns: Vec<String> = serde_json::from_value(value.clone())
                        .map_err(|_| "`resources` must be a list of globs".to_owned())?;
                    self.resources =
                        glob_set(&patterns).map_err(|error| format!("`resources`: {error}"))?;
                }
                other if own_keys.contains(&other) => own(other, value)?,
                other => {
                    let mut known = FAMILY_PARAMETERS.to_vec();
                    known.extend(own_keys);
                    return Err(format!(
                        "has no parameter `{other}` (known: {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    /// The cluster's GPU facts, for `charter explain`.
    pub fn knowledge(&self) -> String {
        let gpu = &self.cluster.gpu;
        let labels: Vec<String> = gpu
            .node_labels
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        let taints: Vec<String> = gpu
            .taints
            .iter()
            .map(|taint| match &taint.value {
                Some(value) => format!("{}={value}:{}", taint.key, taint.effect),
                None => format!("{}:{}", taint.key, taint.effect),
            })
            .collect();
        format!(
            "The cluster, from rules/cluster.yaml:\n\
             - {} GPU(s) on {} node(s), {} time-slice(s) each: {} schedulable\n\
             - GPU node labels: {}\n\
             - GPU node taints: {}\n\
             - RuntimeClass: {} ({})",
            gpu.capacity,
            gpu.nodes,
            gpu.time_slicing.max(1),
            gpu.schedulable(),
            or_none(&labels),
            or_none(&taints),
            gpu.runtime_class_name,
            match gpu.runtime_class_required {
                true => "required",
                false => "not required",
            }
        )
    }

    pub fn is_gpu(&self, resource_name: &str) -> bool {
        self.resources.is_match(resource_name)
    }

    /// The GPU entries of a container's `resources.limits` and
    /// `resources.requests`.
    pub fn container_gpus<'a>(&self, container: &Container<'a>) -> Vec<GpuEntry<'a>> {
        let mut found = Vec::new();
        for section in ["limits", "requests"] {
            let entries = container
                .fields
                .get("resources")
                .and_then(|resources| resources.get(section))
                .and_then(Node::entries)
                .unwrap_or_default();
            for entry in entries.iter().filter(|entry| self.is_gpu(&entry.key)) {
                found.push(GpuEntry {
                    section,
                    entry,
                    pointer: format!(
                        "{}/resources/{section}/{}",
                        container.pointer,
                        escape_token(&entry.key)
                    ),
                });
            }
        }
        found
    }

    /// Whether any container of the pod asks for a GPU (a quantity other
    /// than a whole zero).
    pub fn is_gpu_pod(&self, pod: &PodTemplate<'_>) -> bool {
        pod.containers().any(|container| {
            self.container_gpus(&container)
                .iter()
                .any(|gpu| whole(&gpu.entry.node) != Some(0))
        })
    }

    /// GPUs one pod holds: the sum over its containers, or the largest init
    /// container when that is more (init containers run one at a time).
    /// Quantities that are not whole numbers count as nothing (GPU-001
    /// reports them).
    pub fn per_pod(&self, pod: &PodTemplate<'_>) -> u64 {
        let mut containers = 0u64;
        let mut init = 0u64;
        for container in pod.containers() {
            let gpus = self.container_gpus(&container);
            let count: u64 = gpus
                .iter()
                .filter(|gpu| gpu.section == "limits")
                .chain(gpus.iter().filter(|gpu| {
                    gpu.section == "requests"
                        && !gpus.iter().any(|other| {
                            other.section == "limits" && other.entry.key == gpu.entry.key
                        })
                }))
                .filter_map(|gpu| whole(&gpu.entry.node))
                .fold(0, u64::saturating_add);
            match container.kind {
                crate::workload::ContainerKind::Container => {
                    containers = containers.saturating_add(count)
                }
                crate::workload::ContainerKind::InitContainer => init = init.max(count),
                crate::workload::ContainerKind::EphemeralContainer => {}
            }
        }
        containers.max(init)
    }
}

fn or_none(items: &[String]) -> String {
    match items.is_empty() {
        true => "none".to_owned(),
        false => items.join(", "),
    }
}

/// A GPU resource written in a container's limits or requests.
pub struct GpuEntry<'a> {
    /// `limits` or `requests`.
    pub section: &'static str,
    pub entry: &'a Entry,
    /// Pointer to the entry, relative to the resource.
    pub pointer: String,
}

/// A quantity that is a whole, non-negative number (`1`, `"2"`), as GPUs
/// must be.
pub fn whole(node: &Node) -> Option<u64> {
    match &node.value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => {
            let text = text.trim();
            match !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
                true => text.parse().ok(),
                false => None,
            }
        }
        _ => None,
    }
}

/// A quantity as written, for messages.
pub fn written(node: &Node) -> String {
    match &node.value {
        Value::String(text) => format!("\"{text}\""),
        Value::Number(number) => number.to_string(),
        Value::Null => "null".to_owned(),
        _ => "a non-scalar".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    #[test]
    fn quantities_are_whole_or_not() {
        let resources = resources_of(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: q}\ndata: {a: 1, b: \"2\", c: \"0.5\", d: 1.5, e: 500m, f: -1, g: \"\"}\n",
        );
        let data = resources[0].get("/data").expect("data");
        let wholes: Vec<Option<u64>> = ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .map(|key| whole(&data[*key]))
            .collect();
        assert_eq!(wholes, [Some(1), Some(2), None, None, None, None, None]);
    }

    #[test]
    fn gpus_per_pod_count_limits_requests_and_init_containers() {
        let resources = resources_of(
            "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: warm
      resources: {limits: {nvidia.com/gpu: 3}}
  containers:
    - name: a
      resources: {limits: {nvidia.com/gpu: 1}, requests: {nvidia.com/gpu: 1}}
    - name: b
      resources: {requests: {amd.com/gpu: \"1\"}}
    - name: c
      resources: {limits: {cpu: 2, example.com/gpu: 4}}
---
apiVersion: v1
kind: Pod
metadata: {name: q}
spec:
  containers:
    - name: a
      resources: {limits: {gpu.intel.com/i915: 2, nvidia.com/gpu: 0}}
---
apiVersion: v1
kind: Pod
metadata: {name: r}
spec:
  containers:
    - name: a
      resources: {limits: {nvidia.com/gpu: \"0\"}}
",
        );
        let gpus = Gpus::default();
        let pods: Vec<_> = resources
            .iter()
            .map(|resource| resource.pod_template().expect("a pod"))
            .collect();
        // 1 + 1 from the containers, 3 from the init container: 3.
        assert_eq!(gpus.per_pod(&pods[0]), 3);
        assert_eq!(gpus.per_pod(&pods[1]), 2);
        assert!(gpus.is_gpu_pod(&pods[0]) && gpus.is_gpu_pod(&pods[1]));
        assert!(!gpus.is_gpu_pod(&pods[2]));
        assert_eq!(gpus.per_pod(&pods[2]), 0);
    }
}
