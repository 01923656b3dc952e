//! GPU-001: GPUs are asked for in `limits`, in whole numbers, and a request,
//! when written, equals the limit.

use super::{Gpus, whole, written};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "GPU-001",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "GPU resource not set as a whole-number limit",
    rationale: "GPUs are extended resources: Kubernetes cannot overcommit or share them, so \
                the device plugin only honours `limits`, a request without a limit is \
                rejected by the API server, a request must equal the limit, and fractions \
                (`0.5`, `500m`) are refused. A manifest that gets this wrong fails at apply \
                time in ArgoCD, or (with a request only, templated by a chart) never gets the \
                GPU it was meant to have. The resources that count as GPUs are listed in \
                `rules/gpu.yaml` (`nvidia.com/gpu`, `amd.com/gpu`, `gpu.intel.com/*`...).",
    fix: "Set the GPU in `resources.limits` as a whole number (`nvidia.com/gpu: 1`); drop it \
          from `requests` or make the request equal the limit. To share the GPU, configure \
          time-slicing in the GPU operator instead of asking for a fraction.",
    failing_example: Manifest(
        "\
apiVersion: batch/v1
kind: Job
metadata:
  name: embed-batch
  namespace: ai-backend
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: embed
          image: registry.homelab.lan/embed:1.2.3
          resources:
            requests:
              nvidia.com/gpu: \"0.5\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: batch/v1
kind: Job
metadata:
  name: embed-batch
  namespace: ai-backend
spec:
  template:
    spec:
      restartPolicy: Never
      runtimeClassName: nvidia
      nodeSelector:
        nvidia.com/gpu.present: \"true\"
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: embed
          image: registry.homelab.lan/embed:1.2.3
          resources:
            requests: {nvidia.com/gpu: 1, memory: 4Gi}
            limits: {nvidia.com/gpu: 1, memory: 4Gi}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, GpuLimits::default())
}

#[derive(Default)]
struct GpuLimits {
    gpus: Gpus,
}

impl ResourceCheck for GpuLimits {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.gpus.configure(params, &[], |_, _| Ok(()))
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        super::FAMILY_PARAMETERS
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        let resource = context.resource;
        for container in pod.containers() {
            let name = container.name().unwrap_or("?");
            let gpus = self.gpus.container_gpus(&container);
            for gpu in &gpus {
                let key = &*gpu.entry.key;
                let value = &gpu.entry.node;
                if whole(value).is_none() {
                    out.report(
                        resource,
                        &gpu.pointer,
                        format!(
                            "{} container `{name}` asks for {} `{key}` in {}: GPUs are whole \
                             devices, so only whole numbers are accepted",
                            resource.display(),
                            written(value),
                            gpu.section
                        ),
                    )
                    .hint = format!(
                        "Write a whole number: `{key}: 1` (share a GPU through time-slicing, \
                         not fractions)."
                    )
                    .into();
                    continue;
                }
                if gpu.section != "requests" {
                    continue;
                }
                let limit = gpus
                    .iter()
                    .find(|other| other.section == "limits" && other.entry.key == gpu.entry.key);
                match limit {
                    None => {
                        out.report(
                            resource,
                            &gpu.pointer,
                            format!(
                                "{} container `{name}` requests `{key}` without a limit: \
                                 extended resources such as GPUs are only granted through \
                                 `resources.limits`",
                                resource.display()
                            ),
                        )
                        .hint = format!(
                            "Move it to limits: `resources: {{limits: {{{key}: {}}}}}`.",
                            written(value)
                        )
                        .into();
                    }
                    Some(limit) => {
                        let (request, limit_value) = (whole(value), whole(&limit.entry.node));
                        if limit_value.is_some() && request != limit_value {
                            out.report(
                                resource,
                                &gpu.pointer,
                                format!(
                                    "{} container `{name}` requests {} `{key}` but limits it \
                                     to {}: a GPU request must equal its limit",
                                    resource.display(),
                                    written(value),
                                    written(&limit.entry.node)
                                ),
                            )
                            .hint = format!(
                                "Make the request equal the limit ({}), or drop the request.",
                                written(&limit.entry.node)
                            )
                            .into();
                        }
                    }
                }
            }
        }
    }
}
