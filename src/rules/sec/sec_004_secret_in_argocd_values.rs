//! SEC-004: a secret written into the Helm values of an ArgoCD Application.

use super::data::SensitiveNames;
use super::sec_002_secret_in_env::is_literal_secret;
use crate::engine::{Context, Emitter};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::source::Mark;
use crate::yaml::node::escape_token;
use crate::yaml::{self, Node, Value};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-004",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Secret in the Helm values of an ArgoCD Application",
    rationale: "ArgoCD Applications carry Helm values inline (`helm.values`, `helm.valuesObject`, \
                `helm.parameters`). A chart value named like a password, token or key with its \
                value written there is a plaintext secret in the app-of-apps repository, and ArgoCD \
                shows it in its UI. Names are judged as in SEC-002 (`rules/sec.yaml`).",
    fix: "Point the chart at a SealedSecret instead: most charts take an `existingSecret` (or \
          `*.existingSecret` / `secretKeyRef`) value naming a Secret that holds the key; seal \
          that Secret and set only its name in the values.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: open-webui
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://helm.openwebui.com
    chart: open-webui
    targetRevision: 5.4.0
    helm:
      values: |
        postgresql:
          auth:
            password: change-me-in-production
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-frontend
",
    ),
    passing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: open-webui
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://helm.openwebui.com
    chart: open-webui
    targetRevision: 5.4.0
    helm:
      values: |
        postgresql:
          auth:
            existingSecret: open-webui-postgres
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-frontend
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, SecretInArgoValues::default())
}

#[derive(Default)]
struct SecretInArgoValues {
    names: SensitiveNames,
}

impl ResourceCheck for SecretInArgoValues {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.names.configure(params)
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let spec = match (resource.group(), resource.kind.as_str()) {
            ("argoproj.io", "Application") => "/spec",
            ("argoproj.io", "ApplicationSet") => "/spec/template/spec",
            _ => return,
        };
        let namespace = resource
            .get(&format!("{spec}/destination/namespace"))
            .and_then(Node::as_str);
        let known = secrets_named_in(context.set.resources, namespace);
        for helm in helm_sections(resource, spec) {
            self.check_helm(resource, &helm, &known, out);
        }
    }
}

impl SecretInArgoValues {
    fn check_helm(&self, resource: &Resource, helm: &str, known: &[&str], out: &mut Emitter<'_>) {
        let names_a_secret = |node: &Node| node.as_str().is_some_and(|text| known.contains(&text));
        let Some(section) = resource.get(helm) else {
            return;
        };
        if let Some(values) = section.get("valuesObject") {
            for found in self.secrets_in(values, String::new(), String::new()) {
                if names_a_secret(found.node) {
                    continue;
                }
                let (key_path, pointer, node) = (found.key_path, found.pointer, found.node);
                out.report(
                    resource,
                    &format!("{helm}/valuesObject{pointer}"),
                    format!(
                        "{} sets Helm value `{key_path}` to a literal secret",
                        resource.display()
                    ),
                )
                .conceal(node);
            }
        }
        if let Some(values) = section
            .get("values")
            .filter(|values| values.as_str().is_some())
        {
            self.check_values_text(resource, helm, values, known, out);
        }
        for (index, parameter) in section
            .get("parameters")
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let (Some(name), Some(value)) = (parameter["name"].as_str(), parameter.get("value"))
            else {
                continue;
            };
            let last = name.rsplit('.').next().unwrap_or(name);
            if self.names.is_sensitive(last) && is_literal_secret(value) && !names_a_secret(value) {
                out.report(
                    resource,
                    &format!("{helm}/parameters/{index}/value"),
                    format!(
                        "{} sets Helm parameter `{name}` to a literal secret",
                        resource.display()
                    ),
                )
                .conceal(value);
            }
        }
    }

    /// `helm.values` is YAML inside a string: parse it, and place findings
    /// at the lines of the string where the secrets are written.
    fn check_values_text(
        &self,
        resource: &Resource,
        helm: &str,
        values: &Node,
        known: &[&str],
        out: &mut Emitter<'_>,
    ) {
        let text = values.as_str().unwrap_or_default();
        for document in yaml::parse_stream(text, yaml::Limits::default()) {
            let Some(root) = document.root else {
                continue;
            };
            for found in self.secrets_in(&root, String::new(), String::new()) {
                if found
                    .node
                    .as_str()
                    .is_some_and(|text| known.contains(&text))
                {
                    continue;
                }
                // Positions inside the string, moved to where the string is written.
                let mut written = found.node.clone();
                written.start = values.mark_within(found.node.start);
                written.end = values.mark_within(found.node.end);
                let finding = out.report(
                    resource,
                    &format!("{helm}/values"),
                    format!(
                        "{} sets Helm value `{}` to a literal secret",
                        resource.display(),
                        found.key_path
                    ),
                );
                finding.mark = values.mark_within(found.key_mark);
                finding.conceal(&written);
            }
        }
    }

    /// Scalars under sensitive keys.
    fn secrets_in<'n>(&self, node: &'n Node, key_path: String, pointer: String) -> Vec<Found<'n>> {
        let mut found = Vec::new();
        match &node.value {
            Value::Mapping(entries) => {
                for entry in entries.iter() {
                    let path = match key_path.is_empty() {
                        true => entry.key.to_string(),
                        false => format!("{key_path}.{}", entry.key),
                    };
                    let pointer = format!("{pointer}/{}", escape_token(&entry.key));
                    if self.names.is_sensitive(&entry.key) && is_literal_secret(&entry.node) {
                        found.push(Found {
                            key_path: path,
                            pointer,
                            key_mark: entry.key_mark,
                            node: &entry.node,
                        });
                    } else {
                        found.extend(self.secrets_in(&entry.node, path, pointer));
                    }
                }
            }
            Value::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    found.extend(self.secrets_in(
                        item,
                        format!("{key_path}[{index}]"),
                        format!("{pointer}/{index}"),
                    ));
                }
            }
            _ => {}
        }
        found
    }
}

/// The Secrets the set holds (as Secrets or SealedSecrets) in the
/// Application's destination namespace: a chart value such as gitlab-runner's
/// `runners.secret: gitlab-runner` that names one of them is a reference to
/// it, not a secret.
fn secrets_named_in<'r>(resources: &'r [Resource], namespace: Option<&str>) -> Vec<&'r str> {
    let Some(namespace) = namespace else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|resource| resource.namespace.as_deref() == Some(namespace))
        .filter_map(super::secret_name)
        .collect()
}

/// A secret in Helm values: its dotted key path (`postgresql.auth.password`),
/// pointer, key position and value.
struct Found<'n> {
    key_path: String,
    pointer: String,
    key_mark: Mark,
    node: &'n Node,
}

/// Pointers to every `helm` section of an Application spec: `source.helm`
/// and each `sources[].helm`.
fn helm_sections(resource: &Resource, spec: &str) -> Vec<String> {
    let mut sections = vec![format!("{spec}/source/helm")];
    let sources = resource
        .get(&format!("{spec}/sources"))
        .and_then(Node::items)
        .unwrap_or_default();
    sections.extend((0..sources.len()).map(|index| format!("{spec}/sources/{index}/helm")));
    sections
}
