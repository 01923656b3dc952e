//! HELM-003: a workload or Service without the recommended
//! `app.kubernetes.io/name` and `app.kubernetes.io/instance` labels.

use super::shipped;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "HELM-003",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Workload or Service without the recommended labels",
    rationale: "`app.kubernetes.io/name` (what it is) and `app.kubernetes.io/instance` (which \
                release) are how Prometheus, Linkerd, ArgoCD and `kubectl get -l` tell the \
                platform's components apart; every chart that follows Helm's conventions sets \
                them. A workload or Service without them is invisible to dashboards and \
                label-based NetworkPolicies written for the others, and two releases of the \
                same chart cannot be told apart. The labels and the kinds that need them are \
                `recommendedLabels` and `labelledKinds` in `rules/helm.yaml`.",
    fix: "Add the labels to `metadata.labels` (in a chart, from the `<chart>.labels` helper): \
          `app.kubernetes.io/name: <component>` and `app.kubernetes.io/instance: <release>`.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: searxng
  namespace: searxng
  labels: {app: searxng}
spec:
  ports: [{port: 8080}]
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: searxng
  namespace: searxng
  labels:
    app.kubernetes.io/name: searxng
    app.kubernetes.io/instance: searxng
spec:
  ports: [{port: 8080}]
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::resource(
        &META,
        RecommendedLabels {
            labels: data.recommended_labels.clone(),
            kinds: data.labelled_kinds.clone(),
        },
    )
}

struct RecommendedLabels {
    labels: Vec<String>,
    /// `group/Kind`, or `Kind` for the core group.
    kinds: Vec<String>,
}

impl ResourceCheck for RecommendedLabels {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            let list = || -> Result<Vec<String>, String> {
                serde_json::from_value(value.clone())
                    .map_err(|_| format!("`{key}` must be a list of strings"))
            };
            match key.as_str() {
                "recommendedLabels" => self.labels = list()?,
                "labelledKinds" => self.kinds = list()?,
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: recommendedLabels, labelledKinds)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let wanted = self.kinds.iter().any(|kind| match kind.rsplit_once('/') {
            Some((group, kind)) => resource.is(group, kind),
            None => resource.is("", kind),
        });
        if !wanted {
            return;
        }
        let labels = resource
            .metadata()
            .and_then(|metadata| metadata.get("labels"))
            .filter(|labels| labels.is_mapping());
        let missing: Vec<&str> = self
            .labels
            .iter()
            .map(String::as_str)
            .filter(|label| {
                labels
                    .and_then(|labels| labels.get(label))
                    .and_then(Node::as_str)
                    .is_none_or(|value| value.trim().is_empty())
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        let pointer = match labels {
            Some(_) => "/metadata/labels",
            None => "/metadata",
        };
        let shown: Vec<String> = missing.iter().map(|label| format!("`{label}`")).collect();
        let hint: Vec<String> = missing
            .iter()
            .map(|label| {
                let value = match *label {
                    "app.kubernetes.io/name" => "<component>",
                    "app.kubernetes.io/instance" => resource.name.as_str(),
                    _ => "<value>",
                };
                format!("{label}: {value}")
            })
            .collect();
        out.report(
            resource,
            pointer,
            format!(
                "{} lacks the recommended label(s) {}",
                resource.display(),
                shown.join(", ")
            ),
        )
        .hint = format!("Add to `metadata.labels`: `{{{}}}`", hint.join(", ")).into();
    }
}
