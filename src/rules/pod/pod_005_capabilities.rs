//! POD-005: a container keeps the default capabilities or adds dangerous ones.

use std::borrow::Cow;

use super::{add_to_container, container_setting, describe, hardened, missing_setting_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::hardening::{HardeningData, configure, shipped};
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "POD-005",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Container adds dangerous capabilities or does not drop ALL",
    rationale: "Container runtimes hand every container a default set of Linux capabilities \
                (`NET_RAW` to forge packets, `CHOWN`, `SETUID`, ...) that almost no application \
                needs. Dropping `ALL` and adding back only what is needed is least privilege. \
                Adding a capability from `dangerousCapabilities` in `rules/hardening.yaml` \
                (`SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`, `SYS_PTRACE`, `SYS_MODULE`, \
                `DAC_READ_SEARCH`, `BPF`, `PERFMON`, `ALL`...) hands the container a way out of \
                its isolation and is an error; not dropping `ALL` is a warning (at most the \
                configured severity). Every container kind is checked.",
    fix: "Set `capabilities: {drop: [ALL]}` in every container's `securityContext`, add back only \
          harmless capabilities the application needs (`NET_BIND_SERVICE`), and never the \
          dangerous ones. The list is the `dangerousCapabilities` parameter of this rule.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: monitoring
spec:
  template:
    spec:
      containers:
        - name: agent
          image: registry.homelab.lan/agent:1.0
          securityContext:
            capabilities:
              add: [SYS_ADMIN]
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        Capabilities {
            data: shipped().clone(),
        },
    )
}

struct Capabilities {
    data: HardeningData,
}

/// `cap_sys_admin` → `SYS_ADMIN`.
fn normalize(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_owned)
        .unwrap_or(upper)
}

impl ResourceCheck for Capabilities {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure(&mut self.data, params, &["dangerousCapabilities"])
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        let dangerous: Vec<String> = self
            .data
            .dangerous_capabilities
            .iter()
            .map(|name| normalize(name))
            .collect();
        for container in pod.containers() {
            let capabilities =
                container_setting(&container, "capabilities").filter(|(node, _)| node.is_mapping());
            let list = |field: &str| {
                capabilities.as_ref().and_then(|(node, pointer)| {
                    let items = node.get(field)?.items()?;
                    Some((items, format!("{pointer}/{field}")))
                })
            };
            if let Some((added, pointer)) = list("add") {
                for (index, item) in added.iter().enumerate() {
                    let Some(name) = item.as_str() else {
                        continue;
                    };
                    if !dangerous.contains(&normalize(name)) {
                        continue;
                    }
                    let message = format!(
                        "{} adds capability `{name}`, which lets it escape or weaken its \
                         isolation",
                        describe(context.resource, &container)
                    );
                    out.report(context.resource, &format!("{pointer}/{index}"), message)
                        .hint = Cow::Owned(format!(
                        "Remove `{name}` from `capabilities.add` in container `{}`; grant a \
                             narrower capability if the application needs one.",
                        container.name().unwrap_or("?")
                    ));
                }
            }
            let drops_all = list("drop").is_some_and(|(dropped, _)| {
                dropped
                    .iter()
                    .filter_map(Node::as_str)
                    .any(|name| normalize(name) == "ALL")
            });
            if drops_all {
                continue;
            }
            let pointer = match (list("drop"), &capabilities) {
                (Some((_, pointer)), _) => pointer,
                (None, Some((_, pointer))) => format!("{pointer}/drop"),
                (None, None) => missing_setting_pointer(&container, "capabilities"),
            };
            let message = format!(
                "{} does not drop `ALL` capabilities: it keeps the runtime's defaults, such as \
                 NET_RAW",
                describe(context.resource, &container)
            );
            let severity = out.severity().min(Severity::Warning);
            let finding = out.report(context.resource, &pointer, message);
            finding.severity = severity;
            finding.hint = Cow::Owned(add_to_container(&container, "capabilities:\n  drop: [ALL]"));
        }
    }
}
