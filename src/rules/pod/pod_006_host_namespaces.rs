//! POD-006: a pod shares the node's network, process or IPC namespace.

use std::borrow::Cow;

use super::{hardened, is_true};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "POD-006",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Pod shares the node's network, process or IPC namespace",
    rationale: "`hostNetwork: true` puts the pod on the node's network stack: it can listen on \
                and sniff the node's interfaces and bypasses every NetworkPolicy, so the \
                default-deny egress that keeps data local no longer applies to it. `hostPID: \
                true` shows it every process of the node (and their environments, secrets \
                included); `hostIPC: true` shares the node's shared memory. No workload of the \
                platform needs them.",
    fix: "Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to \
          `false`); expose ports through a Service instead.",
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
      hostNetwork: true
      containers:
        - name: ollama
          image: registry.homelab.lan/inference:0.5.7
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, HostNamespaces)
}

struct HostNamespaces;

const FIELDS: [(&str, &str); 3] = [
    (
        "hostNetwork",
        "use the node's network stack, outside every NetworkPolicy",
    ),
    ("hostPID", "see every process of the node"),
    ("hostIPC", "share the node's IPC namespace"),
];

impl ResourceCheck for HostNamespaces {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for (field, effect) in FIELDS {
            if !pod.spec.get(field).is_some_and(is_true) {
                continue;
            }
            let message = format!(
                "{} sets `{field}: true`: its pods {effect}",
                context.resource.display()
            );
            out.report(
                context.resource,
                &format!("{}/{field}", pod.spec_pointer()),
                message,
            )
            .hint = Cow::Owned(format!("Remove `{field}: true` from the pod spec."));
        }
    }
}
