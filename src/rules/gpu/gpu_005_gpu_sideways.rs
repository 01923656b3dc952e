//! GPU-005: a workload that asks for no GPU does not reach one sideways,
//! through the NVIDIA runtime's variables or the device nodes.

use globset::GlobSet;

use super::{Gpus, shipped};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::suppress::glob_set;
use crate::workload::PodTemplate;
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "GPU-005",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Workload reaches the GPU without asking for one",
    rationale: "The scheduler only accounts for GPUs that a pod asks for in its limits. A pod \
                that sets `NVIDIA_VISIBLE_DEVICES` (to anything but `void` or `none`) or \
                `NVIDIA_DRIVER_CAPABILITIES`, or mounts `/dev/nvidia*` (or another GPU device \
                node listed in `rules/gpu.yaml`) from the host, uses the GPU behind the \
                scheduler's back: it takes VRAM the inference server was promised, so Ollama \
                fails to load a model that fits on paper, and nothing in the cluster shows \
                why. A privileged container sees every device of the node, so privileged mode \
                makes any of these worse and is named in the finding.",
    fix: "Ask for the GPU properly (`resources.limits: {nvidia.com/gpu: 1}`, see GPU-001 and \
          GPU-002), or remove the NVIDIA variables and the device hostPath volume (set \
          `NVIDIA_VISIBLE_DEVICES: void` to hide GPUs from an image that enables them).",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: whisper
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: whisper
          image: registry.homelab.lan/whisper:1.0.0
          env:
            - name: NVIDIA_VISIBLE_DEVICES
              value: all
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: whisper
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: whisper
          image: registry.homelab.lan/whisper:1.0.0
          env:
            - name: NVIDIA_VISIBLE_DEVICES
              value: void
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::resource(
        &META,
        GpuSideways {
            gpus: Gpus::default(),
            device_paths: glob_set(&data.device_paths)
                .unwrap_or_else(|error| panic!("rules/gpu.yaml: devicePaths: {error}")),
            no_device_values: data.no_device_values.clone(),
        },
    )
}

struct GpuSideways {
    gpus: Gpus,
    device_paths: GlobSet,
    no_device_values: Vec<String>,
}

const OWN_PARAMETERS: &[&str] = &["devicePaths", "noDeviceValues"];

impl ResourceCheck for GpuSideways {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        let (mut paths, mut values) = (None, None);
        self.gpus.configure(params, OWN_PARAMETERS, |key, value| {
            let list: Vec<String> = serde_json::from_value(value.clone())
                .map_err(|_| format!("`{key}` must be a list of strings"))?;
            match key {
                "devicePaths" => {
                    paths = Some(glob_set(&list).map_err(|error| format!("`{key}`: {error}"))?)
                }
                _ => values = Some(list),
            }
            Ok(())
        })?;
        if let Some(paths) = paths {
            self.device_paths = paths;
        }
        if let Some(values) = values {
            self.no_device_values = values;
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        super::FAMILY_PARAMETERS
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        if self.gpus.is_gpu_pod(&pod) {
            return;
        }
        let resource = context.resource;
        for container in pod.containers() {
            let name = container.name().unwrap_or("?");
            let privileged = match is_privileged(container.fields) {
                true => " in a privileged container",
                false => "",
            };
            for env in container.env() {
                let (Some(variable), Some(value)) = (env.name, env.value) else {
                    continue;
                };
                let value = value.as_str().unwrap_or_default().trim();
                let reaches = match variable {
                    "NVIDIA_VISIBLE_DEVICES" => !self
                        .no_device_values
                        .iter()
                        .any(|none| none.eq_ignore_ascii_case(value)),
                    "NVIDIA_DRIVER_CAPABILITIES" => !value.is_empty(),
                    _ => false,
                };
                if !reaches {
                    continue;
                }
                out.report(
                    resource,
                    &format!("{}/value", env.pointer),
                    format!(
                        "{} container `{name}` sets `{variable}={value}`{privileged} but the \
                         workload asks for no GPU: the NVIDIA runtime hands it GPUs the \
                         scheduler does not account for",
                        resource.display()
                    ),
                )
                .hint = format!(
                    "Ask for the GPU in `resources.limits` (`nvidia.com/gpu: 1`), or remove \
                     `{variable}` (or set `NVIDIA_VISIBLE_DEVICES: void`)."
                )
                .into();
            }
        }
        self.check_volumes(context, &pod, out);
    }
}

impl GpuSideways {
    fn check_volumes(&self, context: &Context<'_>, pod: &PodTemplate<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let privileged = match pod
            .containers()
            .any(|container| is_privileged(container.fields))
        {
            true => ", and a privileged container runs beside it",
            false => "",
        };
        let volumes = pod
            .spec
            .get("volumes")
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, volume) in volumes.iter().enumerate() {
            let Some(path) = volume.pointer("/hostPath/path").and_then(Node::as_str) else {
                continue;
            };
            if !self.device_paths.is_match(path.trim_end_matches('/')) {
                continue;
            }
            let volume_name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
            out.report(
                resource,
                &format!("{}/volumes/{index}/hostPath/path", pod.spec_pointer()),
                format!(
                    "{} mounts the GPU device `{path}` from the host (volume `{volume_name}`) \
                     but asks for no GPU{privileged}: it uses the GPU behind the scheduler's \
                     back",
                    resource.display()
                ),
            )
            .hint = format!(
                "Remove the hostPath volume `{volume_name}` and ask for the GPU in \
                 `resources.limits` (`nvidia.com/gpu: 1`); the NVIDIA runtime mounts the \
                 devices itself."
            )
            .into();
        }
    }
}

fn is_privileged(container: &Node) -> bool {
    container
        .pointer("/securityContext/privileged")
        .and_then(Node::as_bool)
        == Some(true)
}
