//! POD-001: a privileged container.

use std::borrow::Cow;

use super::{add_to_container, container_setting, describe, hardened, is_true};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "POD-001",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Privileged container",
    rationale: "`privileged: true` gives a container every capability and every device of the \
                node, without seccomp or AppArmor: root in it is root on the node, which here \
                also runs the GPU, the models and every other workload. Even the GPU does not \
                need it: the NVIDIA device plugin hands the device to an unprivileged container. \
                Containers, init containers and ephemeral containers are checked.",
    fix: "Remove `privileged: true` (or set `privileged: false`); grant the one capability the \
          container really needs instead.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: ai-backend
spec:
  containers:
    - name: shell
      image: registry.homelab.lan/toolbox:1.0
      securityContext:
        privileged: true
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, Privileged)
}

struct Privileged;

impl ResourceCheck for Privileged {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            let Some((node, pointer)) = container_setting(&container, "privileged") else {
                continue;
            };
            if !is_true(node) {
                continue;
            }
            let message = format!(
                "{} runs privileged (`securityContext.privileged: true`): root in it is root on \
                 the node",
                describe(context.resource, &container)
            );
            out.report(context.resource, &pointer, message).hint =
                Cow::Owned(add_to_container(&container, "privileged: false"));
        }
    }
}
