//! SEC-010: a SealedSecret whose scope does not fit where it is applied.

use super::is_sealed_secret;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::node::escape_token;

pub static META: RuleMeta = RuleMeta {
    id: "SEC-010",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "SealedSecret scope does not fit its name or namespace",
    rationale: "Sealed values are bound to a scope: by default (strict) to the Secret's namespace \
                and name, with `sealedsecrets.bitnami.com/namespace-wide: \"true\"` to the \
                namespace, with `cluster-wide` to nothing. The controller reads the scope from the \
                SealedSecret's own annotations. A strict SealedSecret without `metadata.namespace`, \
                a `spec.template` naming another Secret or namespace than the scope allows, or a \
                scope annotation only on the template all end the same way: the controller cannot \
                decrypt, and the Secret never appears.",
    fix: "Seal for the namespace and name the Secret will have (`kubeseal --namespace NS --name \
          NAME`, or `--scope namespace-wide`), keep `metadata` and `spec.template.metadata` \
          consistent, and put scope annotations on the SealedSecret's own metadata.",
    failing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: litellm-master-key
  namespace: ai-backend
spec:
  encryptedData:
    master-key: AgAKZXTIqQNACFU1SzwnqLwfZ4PIpVeZ0RTu5HyEXBQzEz9TgdSvJLNmMBTs9ENwTFtdFMEQSuxSbOIrH04kBUJ8PyXx1fRg3J4NDPgJDoELZfjnPy9ifCycNFUlBdVsU8epW3orX2x1fypmG8V1efVk+QQklCzKcyQQ/RzJb8LijSREthRQ6wVZitoPhrLoE1tUVfk/nR+eBiDgqjx9+je8eyKMMKWg8eHaandNvlE2pEnYm3BqfjO5Skh6EKlBbgCR7V1rI5JYA5cSStU/fS3VvX1SZjyl8IbfpPAd54oYy6JUxzaog0MSnAf7G2OMPBONOv4pKKnTTminuA64tT17hAIqPeZ1LssUMpFbJmW6Pm91DW4WXcqgdzykeDVfW/z9KBVzgF3xRRXMc00DZZaxZUoxTXht2P7HJWXjIGQrnfcUns13X4r+kbczCkHKqz/dqxQmK5y4ujsr1/H5jbTskBRIP0YMp2gkxr3ZsAdRfCl5+IL2EgVhmiCD5yByHsojuGhFI/Xq1ROIVsLehyIW/zYmfbaKs/kF8TyuT+9bw/+0+D6A87o3K31oLnL2e7wzxK6ssocJU7bkJ0pay1FFS8gA9DewS41Qz/aOjEW0BXD24lke+k1Mooet5Qg0gmo0HaO9VmzbdOjD+tVD2/R2EFmZo0j2HC31V+SfT+qC47uQR10T8D1UY+Nwa5WY2uOhe2htgckgDIHQCifVrZCx
  template:
    metadata:
      name: litellm-master-key
      namespace: ai-frontend
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: litellm-master-key
  namespace: ai-backend
spec:
  encryptedData:
    master-key: AgCyNwGfq5VTslRLM8qzVtzF6/50XZ+AH6c7t1/I+8GTP9a3lIZBOPbItgdhaB1fo9nnVRAmJ7adiXu605oqOTf7Vd+uLH0Wkm94PbpfbIqOPPnxBFRJaxnhpHiysrkHYafGrTZ2fYYrjyFtEhAtsi6g4uPw9FjzAQ1EmuZaX34kD7lrwRHVL+fmJ8IctOwxXgY0IQz0+9mBj+2iMP1ahmrAt5arDKxq8YPRy+rWpaQmB38hmtnC9fKD3rasFSb0BvHA80LlX4yn2mA0gF2Odc0bUBfOPhHuGxWh7PAfm1mrW1wB6eKUbKeBuepVwt7zsaBttZYx96zsx1VeQq9CyaA8M8Rdx86R12AdQKppNiiTvT8rKaQXYmr4YTRU6QHFUlSOKXFiQ2WUCmLi7WjeeWGqy44DJNoN/RktOrMEO8uuTU+Z/EpTnHZvIZxCu/RXacnCTtTciHlmHrwGcOHlRnQLynw8Ra5SiZ8vh2NZckCEcRrTcW3jkcySKN4o1oYKyHFgrdGN9+eUde6v2qdgkIWzSGfwwi6Rh1GPwMZNU9qXHXmzqi04mDfGXyHsVkvc0eu4Q3Wq30USI6aXnYmWrFmDpHG4RFTk0dVMy1pZo5FY0e26jgHLYsoJsidGN9lgYZ5AEYWW55Qt5WPh2D4J7ZM5A0uupfs/sWARZ0+QoT1WjXJAE/P4vZm+Y+EsJEVSjAwu3GKcfbhI027G05aqq6LMqg==
  template:
    metadata:
      name: litellm-master-key
      namespace: ai-backend
",
    ),
};

const NAMESPACE_WIDE: &str = "sealedsecrets.bitnami.com/namespace-wide";
const CLUSTER_WIDE: &str = "sealedsecrets.bitnami.com/cluster-wide";

pub fn rule() -> Rule {
    Rule::resource(&META, ScopeMismatch)
}

struct ScopeMismatch;

impl ResourceCheck for ScopeMismatch {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_sealed_secret(resource) {
            return;
        }
        let on = |pointer: &str, annotation: &str| {
            let path = format!("{pointer}/annotations/{}", escape_token(annotation));
            resource.get(&path).and_then(|value| value.as_str()) == Some("true")
        };
        let (namespace_wide, cluster_wide) = (
            on("/metadata", NAMESPACE_WIDE),
            on("/metadata", CLUSTER_WIDE),
        );
        for annotation in [NAMESPACE_WIDE, CLUSTER_WIDE] {
            if on("/spec/template/metadata", annotation) && !on("/metadata", annotation) {
                out.report(
                    resource,
                    &format!("/spec/template/metadata/annotations/{}", escape_token(annotation)),
                    format!(
                        "{} has `{annotation}` only on spec.template; the controller reads the scope from the SealedSecret's own metadata",
                        resource.display()
                    ),
                );
            }
        }
        if cluster_wide {
            return;
        }
        let scope = if namespace_wide {
            "namespace-wide"
        } else {
            "strict"
        };
        let namespace = resource.namespace.as_deref();
        if namespace.is_none() {
            out.report(
                resource,
                "/metadata",
                format!(
                    "{} is {scope}-scoped (its values are bound to a namespace) but has no metadata.namespace",
                    resource.display()
                ),
            );
        }
        let template = |field: &str| {
            resource
                .get(&format!("/spec/template/metadata/{field}"))
                .and_then(|value| value.as_str())
        };
        if let (Some(own), Some(other)) = (namespace, template("namespace")) {
            if own != other {
                out.report(
                    resource,
                    "/spec/template/metadata/namespace",
                    format!(
                        "{} is {scope}-scoped to namespace `{own}` but its template says `{other}`",
                        resource.display()
                    ),
                );
            }
        }
        if let Some(other) =
            template("name").filter(|other| !namespace_wide && *other != resource.name)
        {
            out.report(
                resource,
                "/spec/template/metadata/name",
                format!(
                    "{} is strict-scoped to the name `{}` but its template names the Secret `{other}`",
                    resource.display(),
                    resource.name
                ),
            );
        }
    }
}
