//! POD-007: a pod mounts a directory of the node.

use std::borrow::Cow;

use super::hardened;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::hardening::{Globs, configure, shipped};
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "POD-007",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Pod mounts a hostPath volume",
    rationale: "A `hostPath` volume gives the pod a directory of the node: the container runtime \
                socket, the kubelet's credentials, other pods' volumes and secrets, or `/` \
                itself. Write access to most of them is node takeover; read access leaks data \
                that never belongs to the pod. The platform keeps its models on the NFS \
                PersistentVolume `shared-models` and its state on Longhorn, so no workload \
                needs one. Paths listed (as globs) in `allowedHostPaths` in \
                `rules/hardening.yaml` pass.",
    fix: "Use a PersistentVolumeClaim (Longhorn, or the `shared-models` NFS volume for models), \
          a ConfigMap, or an `emptyDir` instead. If a node agent really needs the path, add it \
          to `allowedHostPaths`, a parameter of this rule.",
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
          image: registry.homelab.lan/inference:0.5.7
          volumeMounts:
            - {name: models, mountPath: /root/.ollama}
      volumes:
        - name: models
          hostPath:
            path: /data/models
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        HostPath {
            allowed: Globs::new(&shipped().allowed_host_paths)
                .unwrap_or_else(|error| panic!("rules/hardening.yaml: allowedHostPaths: {error}")),
        },
    )
}

struct HostPath {
    allowed: Globs,
}

impl ResourceCheck for HostPath {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        let mut data = shipped().clone();
        configure(&mut data, params, &["allowedHostPaths"])?;
        self.allowed = Globs::new(&data.allowed_host_paths)
            .map_err(|error| format!("`allowedHostPaths`: {error}"))?;
        Ok(())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        let volumes = pod.spec.get("volumes").and_then(Node::items);
        for (index, volume) in volumes.into_iter().flatten().enumerate() {
            let Some(host_path) = volume.get("hostPath").filter(|node| node.is_mapping()) else {
                continue;
            };
            // `path` is required: without a string one the volume is malformed.
            let Some(path) = host_path.get("path").and_then(Node::as_str) else {
                continue;
            };
            if self.allowed.is_match(path) {
                continue;
            }
            let name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
            let pointer = format!("{}/volumes/{index}/hostPath/path", pod.spec_pointer());
            let message = format!(
                "{} mounts `{path}` of the node as volume `{name}` (hostPath): the pod can \
                 reach the node's files",
                context.resource.display()
            );
            out.report(context.resource, &pointer, message).hint = Cow::Owned(format!(
                "Replace volume `{name}` with a persistentVolumeClaim, configMap or emptyDir; \
                 if a node agent really needs the path, add it to `allowedHostPaths` of POD-007."
            ));
        }
    }
}
