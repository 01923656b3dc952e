//! POD-008: a container binds a port of the node.

use std::borrow::Cow;

use super::{describe, hardened};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "POD-008",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Container binds a hostPort",
    rationale: "A `hostPort` opens the port on the node's own address, outside the Service, \
                Ingress and NetworkPolicy that are meant to guard it; it also pins the pod to \
                nodes where the port is free, so two replicas cannot share a node. The platform \
                enters through Traefik.",
    fix: "Remove `hostPort` and expose the port through a ClusterIP Service (and Traefik for \
          outside access).",
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
          ports:
            - containerPort: 8080
              hostPort: 8080
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, HostPort)
}

struct HostPort;

impl ResourceCheck for HostPort {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            let ports = container.fields.get("ports").and_then(Node::items);
            for (index, port) in ports.into_iter().flatten().enumerate() {
                let Some(host_port) = port.get("hostPort") else {
                    continue;
                };
                let number = host_port.as_number().and_then(|number| number.as_i64());
                if number.is_none_or(|number| number <= 0) {
                    continue;
                }
                let shown = host_port
                    .as_number()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let message = format!(
                    "{} binds port {shown} of the node (hostPort), outside any Service or \
                     NetworkPolicy",
                    describe(context.resource, &container)
                );
                out.report(
                    context.resource,
                    &format!("{}/ports/{index}/hostPort", container.pointer),
                    message,
                )
                .hint = Cow::Borrowed(
                    "Remove `hostPort` and reach the container through a ClusterIP Service.",
                );
            }
        }
    }
}
