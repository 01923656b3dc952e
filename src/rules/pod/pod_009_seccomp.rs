//! POD-009: a container runs without a seccomp profile.

use std::borrow::Cow;

use super::{describe, effective_setting, hardened, missing_setting_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "POD-009",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Container runs without a seccomp profile",
    rationale: "Without a seccomp profile a container may make every system call the kernel \
                offers, including the rarely used ones most kernel exploits go through. The \
                runtime's default profile (`RuntimeDefault`) blocks those and breaks almost \
                nothing. The profile type that applies to a container, its own \
                `securityContext.seccompProfile` or else the pod's, must be `RuntimeDefault` or \
                `Localhost`; `Unconfined` or none fails. Every container kind is checked.",
    fix: "Set `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext`.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: searxng
spec:
  template:
    spec:
      containers:
        - name: searxng
          image: registry.homelab.lan/search:1.0
          securityContext:
            seccompProfile: {type: Unconfined}
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, Seccomp)
}

struct Seccomp;

const HINT: &str = "Set in the pod's securityContext (spec.securityContext):\n\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault";

impl ResourceCheck for Seccomp {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            let (message, pointer) = match effective_setting(&pod, &container, "seccompProfile") {
                Some((profile, pointer)) => {
                    let kind = profile.get("type").and_then(|node| node.as_str());
                    match kind {
                        Some("RuntimeDefault" | "Localhost") => continue,
                        Some(other) => (
                            format!("runs with seccomp profile `{other}`"),
                            format!("{pointer}/type"),
                        ),
                        None if profile.is_mapping() => {
                            ("has a seccomp profile without a type".to_owned(), pointer)
                        }
                        // Malformed: the schema rules' business.
                        None => continue,
                    }
                }
                None => (
                    "runs without a seccomp profile (neither it nor its pod sets one)".to_owned(),
                    missing_setting_pointer(&container, "seccompProfile"),
                ),
            };
            let message = format!(
                "{} {message}: every system call of the kernel is open to it",
                describe(context.resource, &container)
            );
            out.report(context.resource, &pointer, message).hint = Cow::Borrowed(HINT);
        }
    }
}
