//! GPU-002: a GPU workload can land on a GPU node: it selects a GPU node
//! label, tolerates the GPU nodes' taints and names the NVIDIA RuntimeClass.

use super::Gpus;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::cluster::Taint;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "GPU-002",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "GPU workload cannot land on the GPU node",
    rationale: "The platform has one GPU node (akula-prime). It is tainted so that CPU-only \
                workloads stay off it, and k3s runs GPU containers only through the `nvidia` \
                RuntimeClass. A pod that asks for a GPU but does not tolerate the taint stays \
                Pending forever; one without the RuntimeClass starts without the NVIDIA \
                libraries and silently falls back to the CPU (Ollama then answers, slowly); one \
                that selects no GPU node label depends on the scheduler's guess. The labels, \
                taints and RuntimeClass come from `rules/cluster.yaml` (family parameter \
                `cluster`). One finding per missing piece.",
    fix: "In the pod spec, select a GPU node label (`nodeSelector: {nvidia.com/gpu.present: \
          \"true\"}` or a required node affinity), tolerate the GPU taint (`tolerations: [{key: \
          nvidia.com/gpu, operator: Exists, effect: NoSchedule}]`) and set `runtimeClassName: \
          nvidia`.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-gpu
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            requests: {memory: 12Gi}
            limits: {nvidia.com/gpu: 1, memory: 14Gi}
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
  template:
    spec:
      runtimeClassName: nvidia
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: kubernetes.io/hostname, operator: In, values: [akula-prime]}
      tolerations:
        - {key: nvidia.com/gpu, operator: Equal, value: present, effect: NoSchedule}
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            requests: {memory: 12Gi}
            limits: {nvidia.com/gpu: 1, memory: 14Gi}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, GpuPlacement::default())
}

#[derive(Default)]
struct GpuPlacement {
    gpus: Gpus,
}

impl ResourceCheck for GpuPlacement {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.gpus.configure(params, &[], |_, _| Ok(()))
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        super::FAMILY_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        Some(self.gpus.knowledge())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        if !self.gpus.is_gpu_pod(&pod) {
            return;
        }
        let facts = &self.gpus.cluster.gpu;
        let resource = context.resource;
        let spec = pod.spec;
        let spec_pointer = pod.spec_pointer();

        if !facts.node_labels.is_empty() && !self.selects_gpu_node(spec) {
            let pointer = match spec.get("nodeSelector") {
                Some(_) => format!("{spec_pointer}/nodeSelector"),
                None => spec_pointer.clone(),
            };
            let labels: Vec<String> = facts
                .node_labels
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            out.report(
                resource,
                &pointer,
                format!(
                    "{} asks for a GPU but selects no GPU node label ({}) by nodeSelector or \
                     required node affinity",
                    resource.display(),
                    labels.join(", ")
                ),
            )
            .hint = format!(
                "Add to the pod spec: `nodeSelector: {{{}}}`",
                self.label_hint()
            )
            .into();
        }

        let tolerations = spec
            .get("tolerations")
            .and_then(Node::items)
            .unwrap_or_default();
        for taint in &facts.taints {
            if tolerations
                .iter()
                .any(|toleration| tolerates(toleration, taint))
            {
                continue;
            }
            let pointer = match spec.get("tolerations") {
                Some(_) => format!("{spec_pointer}/tolerations"),
                None => spec_pointer.clone(),
            };
            let shown = match &taint.value {
                Some(value) => format!("{}={value}:{}", taint.key, taint.effect),
                None => format!("{}:{}", taint.key, taint.effect),
            };
            out.report(
                resource,
                &pointer,
                format!(
                    "{} asks for a GPU but does not tolerate the GPU node's taint `{shown}`, so \
                     it stays Pending",
                    resource.display()
                ),
            )
            .hint = format!(
                "Add to the pod spec: `tolerations: [{{key: {}, operator: Exists, effect: {}}}]`",
                taint.key, taint.effect
            )
            .into();
        }

        if facts.runtime_class_required {
            let wanted = &facts.runtime_class_name;
            let written = spec.get("runtimeClassName");
            if written.and_then(Node::as_str) != Some(wanted.as_str()) {
                let (pointer, what) = match written {
                    Some(node) => (
                        format!("{spec_pointer}/runtimeClassName"),
                        format!(
                            "runs with RuntimeClass `{}`",
                            node.as_str().unwrap_or("(not a string)")
                        ),
                    ),
                    None => (spec_pointer.clone(), "names no RuntimeClass".to_owned()),
                };
                out.report(
                    resource,
                    &pointer,
                    format!(
                        "{} asks for a GPU but {what}: without `{wanted}` the container gets no \
                         NVIDIA runtime and falls back to the CPU",
                        resource.display()
                    ),
                )
                .hint = format!("Set in the pod spec: `runtimeClassName: {wanted}`").into();
            }
        }
    }
}

impl GpuPlacement {
    /// Whether a nodeSelector entry or a required node affinity term selects
    /// a GPU node label.
    fn selects_gpu_node(&self, spec: &Node) -> bool {
        let labels = &self.gpus.cluster.gpu.node_labels;
        let by_selector = spec
            .get("nodeSelector")
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .any(|entry| {
                labels.get(&*entry.key).map(String::as_str) == entry.node.as_str()
                    && entry.node.as_str().is_some()
            });
        let terms = spec
            .pointer(
                "/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms",
            )
            .and_then(Node::items)
            .unwrap_or_default();
        let by_affinity = !terms.is_empty()
            && terms.iter().all(|term| {
                term.get("matchExpressions")
                    .and_then(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .any(|expression| {
                        let Some(wanted) = expression
                            .get("key")
                            .and_then(Node::as_str)
                            .and_then(|key| labels.get(key))
                        else {
                            return false;
                        };
                        match expression.get("operator").and_then(Node::as_str) {
                            Some("Exists") => true,
                            Some("In") => expression
                                .get("values")
                                .and_then(Node::items)
                                .unwrap_or_default()
                                .iter()
                                .any(|value| value.as_str() == Some(wanted.as_str())),
                            _ => false,
                        }
                    })
            });
        by_selector || by_affinity
    }

    /// `key: "value"` of the label to suggest: the first that is not the
    /// node's hostname, which would pin the workload to one node by name.
    fn label_hint(&self) -> String {
        let labels = &self.gpus.cluster.gpu.node_labels;
        labels
            .iter()
            .find(|(key, _)| key.as_str() != "kubernetes.io/hostname")
            .or_else(|| labels.iter().next())
            .map(|(key, value)| format!("{key}: \"{value}\""))
            .unwrap_or_default()
    }
}

/// Whether a toleration tolerates the taint, as the scheduler decides it.
fn tolerates(toleration: &Node, taint: &Taint) -> bool {
    let text = |key: &str| toleration.get(key).and_then(Node::as_str).unwrap_or("");
    let effect_matches = text("effect").is_empty() || text("effect") == taint.effect;
    let key = text("key");
    let exists = text("operator") == "Exists";
    let key_matches = match key.is_empty() {
        true => exists,
        false => key == taint.key,
    };
    let value_matches = exists
        || (matches!(text("operator"), "" | "Equal")
            && text("value") == taint.value.as_deref().unwrap_or(""));
    effect_matches && key_matches && value_matches
}
