//! POD-013: a replicated workload without a PodDisruptionBudget.

use std::borrow::Cow;

use super::{hardened, integer};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::hardening::{HardeningData, configure, partial_note, set_severity, shipped};
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::selector::{Selector, pod_labels};

pub static META: RuleMeta = RuleMeta {
    id: "POD-013",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Replicated workload without a PodDisruptionBudget",
    rationale: "Running several replicas is meant to keep a service up while one is gone. A \
                node drain (a k3s upgrade, a reboot of homelab) evicts pods without regard for \
                that unless a PodDisruptionBudget selecting them says how many may go at once. \
                Deployments, StatefulSets, ReplicaSets and ReplicationControllers with at least \
                `pdbMinReplicas` replicas (2 by default, in `rules/hardening.yaml`) need a \
                PodDisruptionBudget in their namespace whose selector matches their pod \
                template's labels. On a partial set the budget may be in a file that was not \
                checked, so the finding is only `info` (`partialSetSeverity`).",
    fix: "Add a PodDisruptionBudget (`policy/v1`) in the workload's namespace with `selector` \
          matching its pod labels and `maxUnavailable: 1`.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: open-webui}
    spec:
      containers:
        - name: open-webui
          image: registry.homelab.lan/chat-ui:1.0
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        DisruptionBudget {
            data: shipped().clone(),
        },
    )
}

struct DisruptionBudget {
    data: HardeningData,
}

const KEYS: &[&str] = &["partialSetSeverity", "pdbMinReplicas"];
const FAMILY_KEYS: &[&str] = &["partialSetSeverity"];

const REPLICATED: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "ReplicaSet"),
    ("", "ReplicationController"),
];

/// The selectors of the set's PodDisruptionBudgets, with their namespaces.
fn budgets(resources: &[Resource]) -> Vec<(Option<&str>, Selector)> {
    resources
        .iter()
        .filter(|resource| resource.kind == "PodDisruptionBudget" && resource.group() == "policy")
        .filter_map(|budget| {
            // policy/v1: a budget without a selector selects no pod.
            let selector = Selector::parse(Some(budget.get("/spec/selector")?))?;
            Some((budget.namespace.as_deref(), selector))
        })
        .collect()
}

impl SetCheck for DisruptionBudget {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure(&mut self.data, params, KEYS)
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        FAMILY_KEYS
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let severity = set_severity(set, out.severity(), self.data.partial_set_severity);
        let budgets = budgets(set.resources);
        for resource in set.resources.iter().filter(|r| set.reported(r)) {
            if !REPLICATED
                .iter()
                .any(|(group, kind)| resource.is(group, kind))
            {
                continue;
            }
            // Without `replicas` a workload runs one.
            let Some(replicas) = resource
                .get("/spec/replicas")
                .and_then(integer)
                .and_then(|replicas| u64::try_from(replicas).ok())
            else {
                continue;
            };
            if replicas == 0 || replicas < self.data.pdb_min_replicas {
                continue;
            }
            let labels = pod_labels(resource);
            let covered = budgets.iter().any(|(namespace, selector)| {
                *namespace == resource.namespace.as_deref() && selector.matches(&labels)
            });
            if covered {
                continue;
            }
            let message = format!(
                "{} runs {replicas} replicas but no PodDisruptionBudget selects its pods: a node \
                 drain may evict them all at once{}",
                resource.display(),
                partial_note(set)
            );
            let selector = labels
                .iter()
                .map(|(key, value)| format!("{key}: {value}"))
                .collect::<Vec<_>>()
                .join(", ");
            let namespace = resource
                .namespace
                .as_deref()
                .map(|namespace| format!("\n    namespace: {namespace}"))
                .unwrap_or_default();
            let finding = out.report(resource, "/spec/replicas", message);
            finding.severity = severity;
            finding.hint = Cow::Owned(format!(
                "Add:\n\n  apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata:\n    name: {}{namespace}\n  spec:\n    maxUnavailable: 1\n    selector:\n      matchLabels: {{{selector}}}",
                resource.name
            ));
        }
    }
}
