//! SEC-006: a tool annotation that keeps a copy of a Secret, data included.

use super::data::shipped;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::node::escape_token;

pub static META: RuleMeta = RuleMeta {
    id: "SEC-006",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Secret data copied into a tool annotation",
    rationale: "`kubectl apply` stores the whole applied object in the \
                `kubectl.kubernetes.io/last-applied-configuration` annotation, and kapp in \
                `kapp.k14s.io/original`: for a Secret that copy holds its data. A manifest \
                exported from a cluster (`kubectl get -o yaml`) carries the copy along even when \
                the data itself was removed. The annotations are listed in `rules/sec.yaml`.",
    fix: "Delete the annotation from the manifest (it is state the tool keeps in the cluster, \
          not configuration), and seal the Secret.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Secret
metadata:
  name: searxng-secret
  namespace: ai-frontend
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"searxng-secret\"},\"data\":{\"secret_key\":\"Zml4dHVyZS1zZWNyZXQ=\"}}
type: Opaque
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: searxng-settings
  namespace: ai-frontend
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"searxng-settings\"},\"data\":{\"SEARXNG_BIND\":\"0.0.0.0\"}}
data:
  SEARXNG_BIND: 0.0.0.0
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        SecretInToolAnnotation {
            annotations: shipped().object_copy_annotations.clone(),
        },
    )
}

struct SecretInToolAnnotation {
    annotations: Vec<String>,
}

impl ResourceCheck for SecretInToolAnnotation {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "objectCopyAnnotations" => {
                    self.annotations = serde_json::from_value(value.clone())
                        .map_err(|_| format!("`{key}` must be a list of strings"))?;
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: objectCopyAnnotations)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let Some(annotations) = resource.annotations() else {
            return;
        };
        for name in &self.annotations {
            let Some(node) = annotations.get(name) else {
                continue;
            };
            let Some(copy) = node
                .as_str()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            else {
                continue;
            };
            let has_data = |field: &str| {
                copy.get(field)
                    .and_then(|data| data.as_object())
                    .is_some_and(|data| !data.is_empty())
            };
            if copy.get("kind").and_then(|kind| kind.as_str()) != Some("Secret")
                || !(has_data("data") || has_data("stringData"))
            {
                continue;
            }
            out.report(
                resource,
                &format!("/metadata/annotations/{}", escape_token(name)),
                format!(
                    "{} keeps a copy of a Secret with its data in annotation `{name}`",
                    resource.display()
                ),
            )
            .conceal(node);
        }
    }
}
