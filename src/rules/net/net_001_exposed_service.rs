//! NET-001: a Service exposes pods outside the cluster.

use std::borrow::Cow;

use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::hardening::{HardeningData, configure, shipped};
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "NET-001",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Service exposed outside the cluster (LoadBalancer or NodePort)",
    rationale: "A `NodePort` Service opens a port on every node's address, and a `LoadBalancer` \
                one (k3s's ServiceLB) on the nodes' external interfaces: either reaches the pods \
                directly, past Traefik's TLS, authentication middlewares and access logs. The \
                platform enters through Traefik alone; everything else stays `ClusterIP`. The \
                types that count are `exposedServiceTypes` in `rules/hardening.yaml`.",
    fix: "Make the Service `type: ClusterIP` (the default) and publish it through an Ingress or \
          IngressRoute on Traefik. Traefik's own Service is the one to exempt, with a reason.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ai-backend
spec:
  type: NodePort
  selector: {app: ollama}
  ports:
    - port: 11434
      nodePort: 31434
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ai-backend
spec:
  type: ClusterIP
  selector: {app: ollama}
  ports:
    - port: 11434
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        ExposedService {
            data: shipped().clone(),
        },
    )
}

struct ExposedService {
    data: HardeningData,
}

impl ResourceCheck for ExposedService {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure(&mut self.data, params, &["exposedServiceTypes"])
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !resource.is("", "Service") {
            return;
        }
        let Some(kind) = resource.get("/spec/type").and_then(Node::as_str) else {
            return;
        };
        if !self.data.exposed_service_types.iter().any(|t| t == kind) {
            return;
        }
        let message = format!(
            "{} is `type: {kind}`: its pods are reachable on the nodes' addresses, past \
             Traefik and its TLS and authentication",
            resource.display()
        );
        out.report(resource, "/spec/type", message).hint = Cow::Borrowed(
            "Set `type: ClusterIP` (or remove `type`) and publish the Service through a \
             Traefik Ingress or IngressRoute.",
        );
    }
}
