//! POD-004: a container's root file system is writable.

use std::borrow::Cow;

use super::{
    add_to_container, container_setting, describe, hardened, is_true, missing_setting_pointer,
};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "POD-004",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Container root file system is writable",
    rationale: "A writable root file system lets an intruder drop tools and binaries into the \
                container and change its code or configuration until the pod restarts. With \
                `readOnlyRootFilesystem: true`, writes go only where an `emptyDir` or a volume is \
                mounted on purpose (`/tmp`, a cache). Every container kind is checked.",
    fix: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the \
          application must write (`/tmp`, its cache directory).",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: n8n
  namespace: ai-frontend
spec:
  template:
    spec:
      containers:
        - name: n8n
          image: registry.homelab.lan/workflows:1.0
          securityContext:
            readOnlyRootFilesystem: false
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, WritableRoot)
}

struct WritableRoot;

impl ResourceCheck for WritableRoot {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            let (message, pointer) = match container_setting(&container, "readOnlyRootFilesystem") {
                Some((node, _)) if is_true(node) => continue,
                Some((_, pointer)) => (
                    "sets `readOnlyRootFilesystem` to something other than `true`",
                    pointer,
                ),
                None => (
                    "does not set `readOnlyRootFilesystem: true`",
                    missing_setting_pointer(&container, "readOnlyRootFilesystem"),
                ),
            };
            let message = format!(
                "{} {message}: anything that gets in can rewrite the container's files",
                describe(context.resource, &container)
            );
            out.report(context.resource, &pointer, message).hint = Cow::Owned(format!(
                "{}\nand mount an emptyDir where it must write (/tmp, caches).",
                add_to_container(&container, "readOnlyRootFilesystem: true")
            ));
        }
    }
}
