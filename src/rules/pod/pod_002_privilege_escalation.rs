//! POD-002: a container may gain more privileges than it started with.

use std::borrow::Cow;

use super::{add_to_container, container_setting, describe, hardened, missing_setting_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "POD-002",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Container allows privilege escalation",
    rationale: "Unless `allowPrivilegeEscalation` is `false`, a process in the container can gain \
                privileges its parent did not have (setuid binaries such as `su` or `sudo`, file \
                capabilities): the kernel's `no_new_privs` flag is off. Kubernetes defaults it to \
                true, so it must be written. Every container kind is checked; the field has no \
                pod-level equivalent.",
    fix: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  template:
    spec:
      containers:
        - name: open-webui
          image: registry.homelab.lan/chat-ui:1.0
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, PrivilegeEscalation)
}

struct PrivilegeEscalation;

impl ResourceCheck for PrivilegeEscalation {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            let (message, pointer) = match container_setting(&container, "allowPrivilegeEscalation")
            {
                Some((node, _)) if node.as_bool() == Some(false) => continue,
                Some((_, pointer)) => (
                    "sets `allowPrivilegeEscalation` to something other than `false`",
                    pointer,
                ),
                None => (
                    "does not set `allowPrivilegeEscalation: false` (Kubernetes defaults it to true)",
                    missing_setting_pointer(&container, "allowPrivilegeEscalation"),
                ),
            };
            let message = format!(
                "{} {message}: setuid binaries and file capabilities can make its processes more \
                 powerful",
                describe(context.resource, &container)
            );
            out.report(context.resource, &pointer, message).hint = Cow::Owned(add_to_container(
                &container,
                "allowPrivilegeEscalation: false",
            ));
        }
    }
}
