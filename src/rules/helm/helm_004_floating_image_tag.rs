//! HELM-004: an image with `:latest` or no tag (and no digest).

use super::{images, parse_image};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "HELM-004",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Image with `:latest` or no tag",
    rationale: "An image without a tag means `:latest`, and `:latest` means whatever the \
                registry served at the moment the node pulled it: two nodes can run different \
                code under one manifest, a restart can upgrade Ollama or Open WebUI (and their \
                telemetry defaults) without a commit, and a rollback in Git rolls nothing back. \
                With `:latest` Kubernetes also pulls on every start, which fails when the \
                registry is unreachable. An image pinned by digest (`@sha256:`) is immutable \
                and passes, whatever its tag says.",
    fix: "Pin a version tag (`ollama/ollama:0.5.4`), ideally with its digest \
          (`ollama/ollama:0.5.4@sha256:...`); in a chart, set `image.tag` in values.",
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
          image: registry.homelab.lan/n8n:latest
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: n8n
  namespace: ai-frontend
  labels: {app.kubernetes.io/name: n8n, app.kubernetes.io/instance: n8n}
spec:
  template:
    spec:
      containers:
        - name: n8n
          image: registry.homelab.lan/n8n:1.72.1@sha256:4f2a8c1e9b7d6a5f3e2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, FloatingTag)
}

struct FloatingTag;

impl ResourceCheck for FloatingTag {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        for (container, image) in images(resource) {
            let parsed = parse_image(image);
            if parsed.digest.is_some() {
                continue;
            }
            let problem = match parsed.tag {
                None => "has no tag, so it runs whatever `latest` is when the node pulls it",
                Some("latest") => "uses `:latest`, which changes under the same manifest",
                Some(_) => continue,
            };
            out.report(
                resource,
                &format!("{}/image", container.pointer),
                format!(
                    "{} container `{}` image `{image}` {problem}",
                    resource.display(),
                    container.name().unwrap_or("?")
                ),
            );
        }
    }
}
