//! GPU-004: the always-on GPU workloads fit the cluster's GPUs.

use super::{Gpus, shipped, whole};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "GPU-004",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Always-on GPU workloads need more GPUs than the cluster has",
    rationale: "The cluster has one RTX 5080. Every always-on workload (Pod, Deployment, \
                StatefulSet, DaemonSet, ReplicaSet) holds its GPUs for as long as it runs: \
                replicas × GPUs per pod, `maxReplicas` when a HorizontalPodAutoscaler targets \
                it, one pod per GPU node for a DaemonSet. When the sum exceeds the GPUs the \
                device plugin advertises (`capacity` × `timeSlicing` in \
                `rules/cluster.yaml`), some pod stays Pending, and which one depends on who \
                started first: after a node restart the chat model may be the one left \
                without a GPU. Jobs and CronJobs are not counted: they wait for the GPU and \
                give it back. When only single files were checked (a pre-commit run), the \
                competitors may be in other files and the finding is only `info`.",
    fix: "Lower replicas (or the HPA's `maxReplicas`), move a workload to the CPU, turn a \
          periodic one into a Job or CronJob, or configure GPU time-slicing and say so in \
          the family parameter `cluster` (`{gpu: {timeSlicing: 4}}`).",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-gpu
  namespace: ai-backend
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            limits: {nvidia.com/gpu: 1}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-gpu
  namespace: ai-backend
spec:
  replicas: 1
  template:
    spec:
      runtimeClassName: nvidia
      nodeSelector: {nvidia.com/gpu.present: \"true\"}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            requests: {memory: 12Gi}
            limits: {nvidia.com/gpu: 1, memory: 14Gi}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: reindex
  namespace: ai-backend
spec:
  schedule: \"0 3 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          runtimeClassName: nvidia
          nodeSelector: {nvidia.com/gpu.present: \"true\"}
          tolerations:
            - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
          containers:
            - name: reindex
              image: registry.homelab.lan/reindex:1.0.0
              resources:
                requests: {memory: 2Gi}
                limits: {nvidia.com/gpu: 1, memory: 4Gi}
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        GpuCapacity {
            gpus: Gpus::default(),
            partial_severity: shipped().partial_set_severity,
        },
    )
}

struct GpuCapacity {
    gpus: Gpus,
    partial_severity: Severity,
}

/// An always-on workload that holds GPUs.
struct Holder<'a> {
    resource: &'a Resource,
    pointer: String,
    replicas: u64,
    how: String,
    per_pod: u64,
}

impl Holder<'_> {
    fn total(&self) -> u64 {
        self.replicas.saturating_mul(self.per_pod)
    }
}

impl SetCheck for GpuCapacity {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        let mut partial = None;
        self.gpus
            .configure(params, &["partialSetSeverity"], |_, value| {
                partial =
                    Some(serde_json::from_value(value.clone()).map_err(|_| {
                        "`partialSetSeverity` is error, warning or info".to_owned()
                    })?);
                Ok(())
            })?;
        if let Some(severity) = partial {
            self.partial_severity = severity;
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        super::FAMILY_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        Some(self.gpus.knowledge())
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let holders: Vec<Holder<'_>> = set
            .resources
            .iter()
            .filter_map(|resource| self.holder(resource, set.resources))
            .filter(|holder| holder.total() > 0)
            .collect();
        let wanted = holders
            .iter()
            .map(Holder::total)
            .fold(0, u64::saturating_add);
        let facts = &self.gpus.cluster.gpu;
        let available = facts.schedulable();
        if wanted <= available {
            return;
        }
        let severity = match set.partial {
            true => out.severity().min(self.partial_severity),
            false => out.severity(),
        };
        let partial = match set.partial {
            true => " (only some files were checked)",
            false => "",
        };
        for holder in &holders {
            let others: Vec<String> = holders
                .iter()
                .filter(|other| !std::ptr::eq(*other, holder))
                .map(|other| format!("{} ({})", other.resource.display(), other.total()))
                .collect();
            let competing = match others.is_empty() {
                true => String::new(),
                false => format!("; competing: {}", others.join(", ")),
            };
            let finding = out.report(
                holder.resource,
                &holder.pointer,
                format!(
                    "{} holds {} GPU(s) ({}, {} per pod): always-on workloads ask for {wanted} \
                     in total but the cluster advertises {available} ({} GPU(s) × {} \
                     time-slice(s)){competing}{partial}",
                    holder.resource.display(),
                    holder.total(),
                    holder.how,
                    holder.per_pod,
                    facts.capacity,
                    facts.time_slicing.max(1),
                ),
            );
            finding.severity = severity;
        }
    }
}

/// Kinds that run for as long as they exist (Jobs and CronJobs finish).
const ALWAYS_ON: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "ReplicationController"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("extensions", "Deployment"),
    ("extensions", "DaemonSet"),
    ("extensions", "ReplicaSet"),
];

impl GpuCapacity {
    fn holder<'a>(&self, resource: &'a Resource, all: &'a [Resource]) -> Option<Holder<'a>> {
        if !ALWAYS_ON
            .iter()
            .any(|(group, kind)| resource.is(group, kind))
        {
            return None;
        }
        let pod = resource.pod_template()?;
        let per_pod = self.gpus.per_pod(&pod);
        if per_pod == 0 {
            return None;
        }
        let pointer = pod
            .containers()
            .flat_map(|container| self.gpus.container_gpus(&container))
            .find(|gpu| gpu.section == "limits")
            .map_or_else(|| pod.spec_pointer(), |gpu| gpu.pointer);
        let (replicas, how) = if resource.kind == "Pod" {
            (1, "1 pod".to_owned())
        } else if resource.kind == "DaemonSet" {
            let nodes = self.gpus.cluster.gpu.nodes;
            (nodes, format!("{nodes} GPU node(s)"))
        } else if let Some((hpa, max)) = autoscaler(resource, all) {
            (max, format!("{max} replicas at most, by {}", hpa.display()))
        } else {
            let replicas = match resource.get("/spec/replicas") {
                None => Some(1),
                Some(node) => whole(node),
            }?;
            (replicas, format!("{replicas} replica(s)"))
        };
        Some(Holder {
            resource,
            pointer,
            replicas,
            how,
            per_pod,
        })
    }
}

/// The HorizontalPodAutoscaler that scales `resource`, and its `maxReplicas`.
fn autoscaler<'a>(resource: &Resource, all: &'a [Resource]) -> Option<(&'a Resource, u64)> {
    all.iter()
        .filter(|hpa| hpa.group() == "autoscaling" && hpa.kind == "HorizontalPodAutoscaler")
        .filter(|hpa| hpa.namespace == resource.namespace)
        .find_map(|hpa| {
            let target = hpa.get("/spec/scaleTargetRef")?;
            let text = |key: &str| target.get(key).and_then(Node::as_str);
            if text("kind") != Some(resource.kind.as_str())
                || text("name") != Some(resource.name.as_str())
            {
                return None;
            }
            Some((hpa, whole(hpa.get("/spec/maxReplicas")?)?))
        })
}
