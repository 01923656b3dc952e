//! HELM-001: a template marker or a placeholder release name left in a
//! rendered manifest.

use std::fmt::Write;

use globset::GlobMatcher;

use super::{TemplateExempt, shipped};
use crate::engine::{Context, Emitter};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::suppress::glob;
use crate::yaml::node::escape_token;
use crate::yaml::{Node, Value};

pub static META: RuleMeta = RuleMeta {
    id: "HELM-001",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Unrendered template or placeholder release name",
    rationale: "A `{{ ... }}` left in a manifest means it was committed or applied without \
                `helm template` (or with a values key missing, and `tpl` output copied by \
                hand); the cluster gets the braces literally: an image that cannot be pulled, \
                a host that never resolves, a label no selector matches. `RELEASE-NAME` and \
                `release-name` are the names `helm template` uses when none is given, so \
                ArgoCD and the rendered manifests disagree on every name. Resources that are \
                templates themselves (Kyverno policies, ApplicationSets, Argo Workflows, \
                Prometheus alert annotations) are exempt; the list is `templateExempt` in \
                `rules/helm.yaml`.",
    fix: "Render the chart with its real release name (`helm template ollama charts/ollama -f \
          values.yaml`), set the missing value, or exempt a kind that is a template itself \
          (`templateExempt`, a parameter of this rule).",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: release-name-litellm
  namespace: ai-backend
data:
  OLLAMA_BASE_URL: \"http://{{ .Values.ollama.host }}:11434\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: litellm
  namespace: ai-backend
data:
  OLLAMA_BASE_URL: http://ollama.ai-backend.svc:11434
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: add-owner-label
spec:
  rules:
    - name: add-owner
      match:
        any:
          - resources: {kinds: [Pod]}
      mutate:
        patchStrategicMerge:
          metadata:
            labels:
              owner: \"{{ request.userInfo.username }}\"
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::resource(
        &META,
        Unrendered {
            exempt: Exempt::compile(&data.template_exempt)
                .unwrap_or_else(|error| panic!("rules/helm.yaml: templateExempt: {error}")),
            placeholders: data.placeholders.clone(),
        },
    )
}

struct Unrendered {
    exempt: Vec<Exempt>,
    placeholders: Vec<String>,
}

/// A `templateExempt` entry with its globs compiled.
struct Exempt {
    api_version: GlobMatcher,
    kind: GlobMatcher,
    paths: Vec<GlobMatcher>,
}

impl Exempt {
    fn compile(entries: &[TemplateExempt]) -> Result<Vec<Exempt>, String> {
        entries
            .iter()
            .map(|entry| {
                Ok(Exempt {
                    api_version: glob(&entry.api_version, false)?,
                    kind: glob(&entry.kind, false)?,
                    paths: entry
                        .paths
                        .iter()
                        .map(|path| glob(path, true))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect()
    }

    fn applies(&self, resource: &Resource) -> bool {
        self.api_version.is_match(&resource.api_version) && self.kind.is_match(&resource.kind)
    }
}

impl ResourceCheck for Unrendered {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "templateExempt" => {
                    let entries: Vec<TemplateExempt> = serde_json::from_value(value.clone())
                        .map_err(|error| format!("`templateExempt`: {error}"))?;
                    self.exempt = Exempt::compile(&entries)
                        .map_err(|error| format!("`templateExempt`: {error}"))?;
                }
                "placeholders" => {
                    self.placeholders = serde_json::from_value(value.clone())
                        .map_err(|_| "`placeholders` must be a list of strings".to_owned())?;
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: templateExempt, placeholders)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let exemptions: Vec<&Exempt> = self
            .exempt
            .iter()
            .filter(|exempt| exempt.applies(resource))
            .collect();
        if exemptions.iter().any(|exempt| exempt.paths.is_empty()) {
            return;
        }
        let skipped: Vec<&GlobMatcher> =
            exemptions.iter().flat_map(|exempt| &exempt.paths).collect();
        let suspicious = |text: &str| {
            text.contains("{{")
                || self.placeholders.iter().any(|placeholder| {
                    !placeholder.is_empty() && text.contains(placeholder.as_str())
                })
        };
        let mut found = Vec::new();
        walk(
            &resource.object,
            &mut String::new(),
            &skipped,
            &suspicious,
            &mut found,
        );
        for (pointer, text) in found {
            let message = match marker(text) {
                Some(marker) => format!(
                    "{} `{pointer}` holds the unrendered template `{marker}`",
                    resource.display()
                ),
                None => match self.placeholders.iter().find(|placeholder| {
                    !placeholder.is_empty() && text.contains(placeholder.as_str())
                }) {
                    Some(placeholder) => format!(
                        "{} `{pointer}` holds the placeholder release name `{placeholder}`",
                        resource.display()
                    ),
                    None => continue,
                },
            };
            out.report(resource, &pointer, message);
        }
    }
}

/// Every string under `node` that holds a marker or a placeholder (not under
/// a skipped pointer), with its pointer. One pointer buffer serves the whole
/// walk: most strings are clean, and they cost no allocation.
fn walk<'a>(
    node: &'a Node,
    pointer: &mut String,
    skipped: &[&GlobMatcher],
    suspicious: &dyn Fn(&str) -> bool,
    found: &mut Vec<(String, &'a str)>,
) {
    if !pointer.is_empty() && skipped.iter().any(|glob| glob.is_match(pointer.as_str())) {
        return;
    }
    let length = pointer.len();
    match &node.value {
        Value::String(text) if suspicious(text) => found.push((pointer.clone(), text)),
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                // Writing to a String cannot fail.
                let _ = write!(pointer, "/{index}");
                walk(item, pointer, skipped, suspicious, found);
                pointer.truncate(length);
            }
        }
        Value::Mapping(entries) => {
            for entry in entries.iter() {
                pointer.push('/');
                pointer.push_str(&escape_token(&entry.key));
                walk(&entry.node, pointer, skipped, suspicious, found);
                pointer.truncate(length);
            }
        }
        _ => {}
    }
}

/// The first `{{ ... }}` in `text`, shortened for a message.
fn marker(text: &str) -> Option<String> {
    let start = text.find("{{")?;
    let end = text[start..].find("}}")? + start + 2;
    let marker = &text[start..end];
    Some(match marker.chars().count() > 60 {
        true => format!("{}...}}}}", marker.chars().take(55).collect::<String>()),
        false => marker.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::marker;

    #[test]
    fn markers() {
        assert_eq!(
            marker("a {{ .Values.x }} b").as_deref(),
            Some("{{ .Values.x }}")
        );
        assert_eq!(marker("a {{ b"), None);
        assert_eq!(marker("}} {{"), None);
        assert!(
            marker(&format!("{{{{ {} }}}}", "x".repeat(100)))
                .unwrap()
                .len()
                < 70
        );
    }
}
