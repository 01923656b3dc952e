//! HELM-005: an image not pinned by digest.

use super::{images, parse_image};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "HELM-005",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Image not pinned by digest",
    rationale: "A tag is a pointer the registry's owner can move: a re-pushed `0.5.4` (a \
                hotfix, a compromised account, a mirror serving something else) changes what \
                runs without a change in Git. A digest (`@sha256:...`) names the exact image, \
                so what was reviewed is what runs, and Renovate can still propose upgrades. \
                This is a warning by default; make it an error with `severity: error` for \
                HELM-005 in `.charter.yaml`, or turn it off for a repository that does not pin.",
    fix: "Append the digest to the image: `image: ollama/ollama:0.5.4@sha256:<digest>` (`crane \
          digest ollama/ollama:0.5.4` or `docker buildx imagetools inspect` prints it); in a \
          chart, set `image.digest` when the chart supports it.",
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
          image: registry.homelab.lan/n8n:1.72.1
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
    Rule::resource(&META, WithoutDigest)
}

struct WithoutDigest;

impl ResourceCheck for WithoutDigest {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        for (container, image) in images(resource) {
            let digest = parse_image(image).digest;
            if digest.is_some_and(|digest| digest.starts_with("sha256:") && digest.len() > 7) {
                continue;
            }
            out.report(
                resource,
                &format!("{}/image", container.pointer),
                format!(
                    "{} container `{}` image `{image}` is not pinned by digest: the registry \
                     can change what the tag points at",
                    resource.display(),
                    container.name().unwrap_or("?")
                ),
            )
            .hint = format!(
                "Pin it: `image: {}@sha256:<digest>`.",
                image.split('@').next().unwrap_or(image)
            )
            .into();
        }
    }
}
