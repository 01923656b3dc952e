//! SEC-013: a reference to a Secret that nothing in the set provides.

use std::collections::HashSet;

use super::data::{SecretProducer, shipped};
use super::is_sealed_secret;
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::suppress::glob;
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "SEC-013",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Secret reference that no SealedSecret provides",
    rationale: "Every Secret a workload uses (`secretKeyRef`, `envFrom.secretRef`, `secret` and \
                projected volumes, `imagePullSecrets`, Ingress TLS) must come from Git, sealed: \
                a SealedSecret in the set, or a resource declared to produce Secrets (cert-manager \
                Certificates and annotated Ingresses; `secretProducers` in `rules/sec.yaml`). A \
                reference to anything else depends on a Secret someone created by hand, which the \
                repository cannot rebuild. References marked `optional: true` are exempt. When \
                only single files were checked (a pre-commit run), the set is partial and the \
                finding is only `info`.",
    fix: "Add a SealedSecret with that name in the same namespace (kubeseal), declare the \
          resource that creates the Secret (`secretProducers`, a parameter of this rule), or fix \
          the name.",
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
          image: ghcr.io/open-webui/open-webui:v0.5.4
          envFrom:
            - secretRef: {name: open-webui-secret}
",
    ),
    passing_example: Manifest(
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
          image: ghcr.io/open-webui/open-webui:v0.5.4
          envFrom:
            - secretRef: {name: open-webui-tls}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  secretName: open-webui-tls
  issuerRef: {name: homelab-ca, kind: ClusterIssuer}
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::set(
        &META,
        UnresolvedReference {
            producers: data.secret_producers.clone(),
            partial_severity: data.partial_set_severity,
        },
    )
}

struct UnresolvedReference {
    producers: Vec<SecretProducer>,
    partial_severity: Severity,
}

/// A Secret that will exist: its namespace (`None` when not written, which
/// matches any) and name.
type Provided = (Option<String>, String);

impl SetCheck for UnresolvedReference {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "secretProducers" => {
                    self.producers = serde_json::from_value(value.clone())
                        .map_err(|error| format!("`secretProducers`: {error}"))?;
                }
                "partialSetSeverity" => {
                    self.partial_severity = serde_json::from_value(value.clone())
                        .map_err(|_| "`partialSetSeverity` is error, warning or info".to_owned())?;
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: secretProducers, partialSetSeverity)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let provided = self.provided(set.resources);
        let severity = match set.partial {
            true => out.severity().min(self.partial_severity),
            false => out.severity(),
        };
        for resource in set.resources {
            for reference in references(resource) {
                let found = provided.iter().any(|(namespace, name)| {
                    *name == reference.name
                        && (namespace.is_none()
                            || resource.namespace.is_none()
                            || *namespace == resource.namespace)
                });
                if found {
                    continue;
                }
                let partial = if set.partial {
                    " (only some files were checked)"
                } else {
                    ""
                };
                let finding = out.report(
                    resource,
                    &reference.pointer,
                    format!(
                        "{} uses Secret `{}` ({}), which no SealedSecret or declared producer in the set provides{partial}",
                        resource.display(),
                        reference.name,
                        reference.how
                    ),
                );
                finding.severity = severity;
            }
        }
    }
}

impl UnresolvedReference {
    fn provided(&self, resources: &[Resource]) -> HashSet<Provided> {
        let mut provided = HashSet::new();
        for resource in resources {
            let namespace = || resource.namespace.clone();
            if is_sealed_secret(resource) {
                let name = resource
                    .get("/spec/template/metadata/name")
                    .and_then(Node::as_str);
                provided.insert((namespace(), name.unwrap_or(&resource.name).to_owned()));
            } else if resource.is("", "Secret") {
                provided.insert((namespace(), resource.name.clone()));
            }
            for producer in self
                .producers
                .iter()
                .filter(|producer| produces(producer, resource))
            {
                for name in values_at(&resource.object, &producer.name) {
                    provided.insert((namespace(), name.to_owned()));
                }
            }
        }
        provided
    }
}

fn produces(producer: &SecretProducer, resource: &Resource) -> bool {
    let matches =
        |pattern: &str, value: &str| glob(pattern, false).is_ok_and(|glob| glob.is_match(value));
    let annotated = producer.when_annotated.is_empty()
        || resource.annotations().is_some_and(|annotations| {
            producer
                .when_annotated
                .iter()
                .any(|name| annotations.get(name).is_some())
        });
    annotated
        && matches(&producer.api_version, &resource.api_version)
        && matches(&producer.kind, &resource.kind)
}

/// The strings at a pointer where `*` stands for every item of a list.
fn values_at<'n>(node: &'n Node, pointer: &str) -> Vec<&'n str> {
    let mut current = vec![node];
    for token in crate::yaml::node::pointer_tokens(pointer) {
        current = current
            .into_iter()
            .flat_map(|node| match token.as_ref() {
                "*" => node.items().unwrap_or_default().iter().collect::<Vec<_>>(),
                key => node
                    .get(key)
                    .or_else(|| {
                        node.items()
                            .and_then(|items| items.get(key.parse::<usize>().ok()?))
                    })
                    .into_iter()
                    .collect(),
            })
            .collect();
    }
    current.into_iter().filter_map(Node::as_str).collect()
}

struct Reference {
    name: String,
    pointer: String,
    how: &'static str,
}

/// Every non-optional Secret reference a resource makes.
fn references(resource: &Resource) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut add =
        |node: Option<&Node>, pointer: String, how: &'static str, optional: Option<&Node>| {
            let Some(name) = node.and_then(Node::as_str).filter(|name| !name.is_empty()) else {
                return;
            };
            if optional.and_then(Node::as_bool) == Some(true) {
                return;
            }
            found.push(Reference {
                name: name.to_owned(),
                pointer,
                how,
            });
        };
    if let Some(pod) = resource.pod_template() {
        let spec = pod.spec_pointer();
        for container in pod.containers() {
            for env in container.env() {
                let key_ref = env.value_from.and_then(|from| from.get("secretKeyRef"));
                let pointer = format!("{}/valueFrom/secretKeyRef/name", env.pointer);
                add(
                    key_ref.and_then(|r| r.get("name")),
                    pointer,
                    "env secretKeyRef",
                    key_ref.and_then(|r| r.get("optional")),
                );
            }
            let env_from = container
                .fields
                .get("envFrom")
                .and_then(Node::items)
                .unwrap_or_default();
            for (index, source) in env_from.iter().enumerate() {
                let secret_ref = source.get("secretRef");
                let pointer = format!("{}/envFrom/{index}/secretRef/name", container.pointer);
                add(
                    secret_ref.and_then(|r| r.get("name")),
                    pointer,
                    "envFrom secretRef",
                    secret_ref.and_then(|r| r.get("optional")),
                );
            }
        }
        let volumes = pod
            .spec
            .get("volumes")
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, volume) in volumes.iter().enumerate() {
            let secret = volume.get("secret");
            let pointer = format!("{spec}/volumes/{index}/secret/secretName");
            add(
                secret.and_then(|s| s.get("secretName")),
                pointer,
                "secret volume",
                secret.and_then(|s| s.get("optional")),
            );
            let sources = volume["projected"]
                .get("sources")
                .and_then(Node::items)
                .unwrap_or_default();
            for (source_index, source) in sources.iter().enumerate() {
                let secret = source.get("secret");
                let pointer =
                    format!("{spec}/volumes/{index}/projected/sources/{source_index}/secret/name");
                add(
                    secret.and_then(|s| s.get("name")),
                    pointer,
                    "projected volume",
                    secret.and_then(|s| s.get("optional")),
                );
            }
        }
        let pulls = pod
            .spec
            .get("imagePullSecrets")
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, pull) in pulls.iter().enumerate() {
            add(
                pull.get("name"),
                format!("{spec}/imagePullSecrets/{index}/name"),
                "imagePullSecrets",
                None,
            );
        }
    }
    if resource.is("", "ServiceAccount") {
        for field in ["imagePullSecrets", "secrets"] {
            let items = resource
                .object
                .get(field)
                .and_then(Node::items)
                .unwrap_or_default();
            for (index, item) in items.iter().enumerate() {
                add(
                    item.get("name"),
                    format!("/{field}/{index}/name"),
                    "ServiceAccount",
                    None,
                );
            }
        }
    }
    if resource.kind == "Ingress" && matches!(resource.group(), "networking.k8s.io" | "extensions")
    {
        let tls = resource
            .get("/spec/tls")
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, entry) in tls.iter().enumerate() {
            add(
                entry.get("secretName"),
                format!("/spec/tls/{index}/secretName"),
                "Ingress TLS",
                None,
            );
        }
    }
    found
}
