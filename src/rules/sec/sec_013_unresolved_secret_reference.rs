//! SEC-013: a reference to a Secret that nothing in the set provides.

use std::collections::HashMap;

use super::data::{SecretProducer, shipped};
use super::secret_name;
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use globset::GlobMatcher;

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
            producers: Producer::compile(&data.secret_producers)
                .unwrap_or_else(|error| panic!("rules/sec.yaml: secretProducers: {error}")),
            partial_severity: data.partial_set_severity,
        },
    )
}

struct UnresolvedReference {
    producers: Vec<Producer>,
    partial_severity: Severity,
}

impl SetCheck for UnresolvedReference {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "secretProducers" => {
                    let producers: Vec<SecretProducer> = serde_json::from_value(value.clone())
                        .map_err(|error| format!("`secretProducers`: {error}"))?;
                    self.producers = Producer::compile(&producers)
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
        for resource in set.resources.iter().filter(|r| set.reported(r)) {
            for reference in references(resource) {
                // A namespace not written on either side matches any.
                let namespaces = provided.get(&reference.name).map_or(&[][..], Vec::as_slice);
                let found = namespaces.iter().any(|namespace| {
                    namespace.is_none()
                        || resource.namespace.is_none()
                        || *namespace == resource.namespace
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
    /// The Secrets the set will have: by name, the namespaces they are in.
    fn provided(&self, resources: &[Resource]) -> HashMap<String, Vec<Option<String>>> {
        let mut provided: HashMap<String, Vec<Option<String>>> = HashMap::new();
        let mut add = |name: &str, namespace: &Option<String>| {
            provided
                .entry(name.to_owned())
                .or_default()
                .push(namespace.clone());
        };
        for resource in resources {
            if let Some(name) = secret_name(resource) {
                add(name, &resource.namespace);
            }
            for producer in self
                .producers
                .iter()
                .filter(|producer| producer.produces(resource))
            {
                for name in values_at(&resource.object, &producer.name) {
                    add(name, &resource.namespace);
                }
            }
        }
        provided
    }
}

/// A `secretProducers` entry with its globs compiled once.
struct Producer {
    api_version: GlobMatcher,
    kind: GlobMatcher,
    name: String,
    when_annotated: Vec<String>,
}

impl Producer {
    fn compile(producers: &[SecretProducer]) -> Result<Vec<Producer>, String> {
        producers
            .iter()
            .map(|producer| {
                Ok(Producer {
                    api_version: glob(&producer.api_version, false)?,
                    kind: glob(&producer.kind, false)?,
                    name: producer.name.clone(),
                    when_annotated: producer.when_annotated.clone(),
                })
            })
            .collect()
    }

    fn produces(&self, resource: &Resource) -> bool {
        let annotated = self.when_annotated.is_empty()
            || resource.annotations().is_some_and(|annotations| {
                self.when_annotated
                    .iter()
                    .any(|name| annotations.get(name).is_some())
            });
        annotated
            && self.api_version.is_match(&resource.api_version)
            && self.kind.is_match(&resource.kind)
    }
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
    // `reference` is the object naming the Secret (a `secretKeyRef`, a
    // `secret` volume...): its `field` holds the name, `optional` may excuse it.
    let mut add = |reference: Option<&Node>, field: &str, pointer: String, how: &'static str| {
        let Some(reference) = reference else {
            return;
        };
        let Some(name) = reference
            .get(field)
            .and_then(Node::as_str)
            .filter(|name| !name.is_empty())
        else {
            return;
        };
        if reference.get("optional").and_then(Node::as_bool) == Some(true) {
            return;
        }
        found.push(Reference {
            name: name.to_owned(),
            pointer: format!("{pointer}/{field}"),
            how,
        });
    };
    if let Some(pod) = resource.pod_template() {
        let spec = pod.spec_pointer();
        for container in pod.containers() {
            for env in container.env() {
                let key_ref = env.value_from.and_then(|from| from.get("secretKeyRef"));
                let pointer = format!("{}/valueFrom/secretKeyRef", env.pointer);
                add(key_ref, "name", pointer, "env secretKeyRef");
            }
            let env_from = container
                .fields
                .get("envFrom")
                .and_then(Node::items)
                .unwrap_or_default();
            for (index, source) in env_from.iter().enumerate() {
                let pointer = format!("{}/envFrom/{index}/secretRef", container.pointer);
                add(
                    source.get("secretRef"),
                    "name",
                    pointer,
                    "envFrom secretRef",
                );
            }
        }
        let volumes = pod
            .spec
            .get("volumes")
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, volume) in volumes.iter().enumerate() {
            let pointer = format!("{spec}/volumes/{index}/secret");
            add(volume.get("secret"), "secretName", pointer, "secret volume");
            let sources = volume["projected"]
                .get("sources")
                .and_then(Node::items)
                .unwrap_or_default();
            for (source_index, source) in sources.iter().enumerate() {
                let pointer =
                    format!("{spec}/volumes/{index}/projected/sources/{source_index}/secret");
                add(source.get("secret"), "name", pointer, "projected volume");
            }
        }
        let pulls = pod
            .spec
            .get("imagePullSecrets")
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, pull) in pulls.iter().enumerate() {
            add(
                Some(pull),
                "name",
                format!("{spec}/imagePullSecrets/{index}"),
                "imagePullSecrets",
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
                    Some(item),
                    "name",
                    format!("/{field}/{index}"),
                    "ServiceAccount",
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
                Some(entry),
                "secretName",
                format!("/spec/tls/{index}"),
                "Ingress TLS",
            );
        }
    }
    found
}
