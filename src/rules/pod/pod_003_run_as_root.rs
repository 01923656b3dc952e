//! POD-003: a container may run as root.

use std::borrow::Cow;

use super::{describe, effective_setting, hardened, integer, is_true, missing_setting_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "POD-003",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Container may run as root",
    rationale: "Most images run as root unless told otherwise. Root in a container is one \
                kernel bug or one mounted socket away from root on the node. A container passes \
                when `runAsNonRoot: true` (the kubelet then refuses to start an image whose user \
                is root) or a non-zero `runAsUser` applies to it, written on the container or \
                inherited from the pod's `securityContext`, as Kubernetes resolves them. \
                `runAsUser: 0` always fails. Every container kind is checked.",
    fix: "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's `securityContext` (or \
          the container's), and use an image that runs as that user.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
  namespace: data
spec:
  template:
    spec:
      securityContext:
        runAsUser: 0
      containers:
        - name: postgres
          image: registry.homelab.lan/postgres:16.4
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, RunAsRoot)
}

struct RunAsRoot;

const HINT: &str = "Set in the pod's securityContext (spec.securityContext), or the container's:\n\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001";

impl ResourceCheck for RunAsRoot {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            let user = effective_setting(&pod, &container, "runAsUser");
            let non_root = effective_setting(&pod, &container, "runAsNonRoot");
            let uid = user.as_ref().and_then(|(node, _)| integer(node));
            let (message, pointer) = match (uid, &non_root) {
                (Some(0), _) => (
                    "runs as root: `runAsUser: 0` applies to it".to_owned(),
                    user.map(|(_, pointer)| pointer).unwrap_or_default(),
                ),
                (_, Some((node, _))) if is_true(node) => continue,
                (Some(_), _) => continue,
                (None, Some((_, pointer))) => (
                    "may run as root: the `runAsNonRoot` that applies to it is not `true` and no \
                     non-zero `runAsUser` is set"
                        .to_owned(),
                    pointer.clone(),
                ),
                (None, None) => (
                    "may run as root: neither it nor its pod sets `runAsNonRoot: true` or a \
                     non-zero `runAsUser`"
                        .to_owned(),
                    missing_setting_pointer(&container, "runAsNonRoot"),
                ),
            };
            let message = format!("{} {message}", describe(context.resource, &container));
            out.report(context.resource, &pointer, message).hint = Cow::Borrowed(HINT);
        }
    }
}
