//! PRIV-006: a namespace runs workloads, but no NetworkPolicy denies their
//! egress by default.

use std::borrow::Cow;
use std::collections::HashSet;

use globset::GlobMatcher;

use super::egress::{is_default_deny_egress, list_resources, shipped};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::suppress::glob;

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-006",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "Namespace runs workloads without a default-deny egress NetworkPolicy",
    rationale: "The platform promises that inference stays local and nothing phones home. \
                Configuration alone cannot keep that promise: an image may ship telemetry that \
                ignores its opt-out variable, a library may fetch a model or a tokenizer from the \
                internet, a prompt may be forwarded to a hosted API by a misconfigured plugin. \
                Without a NetworkPolicy isolating egress, Kubernetes lets every pod connect \
                anywhere, so each of those mistakes quietly sends data off the machine. A \
                default-deny egress policy in every namespace that runs workloads (selecting all \
                pods, `policyTypes: [Egress]`, allowing at most in-cluster peers such as DNS) \
                turns them into connection errors that someone notices, and makes every \
                exception an explicit, reviewable policy. Namespaces are matched as written: \
                resources without `metadata.namespace` need a policy without one too. When only \
                single files were checked (a pre-commit run), the policy may be in a file that \
                was not, and the finding is only `info`.",
    fix: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` to the namespace, \
          then allow what its pods really need in separate policies (DNS to kube-system on port \
          53, in-cluster services). Namespaces that must stay open can be listed in \
          `exemptNamespaces`, a parameter of this rule.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: litellm
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: litellm
          image: ghcr.io/berriai/litellm:v1.55.0
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: litellm
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: litellm
          image: ghcr.io/berriai/litellm:v1.55.0
          envFrom:
            - configMapRef: {name: litellm-offline}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: litellm-offline
  namespace: ai-backend
data:
  LITELLM_LOCAL_MODEL_COST_MAP: \"True\"
  LITELLM_LOCAL_BLOG_POSTS: \"True\"
  LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS: \"True\"
  LITELLM_LOCAL_POLICY_TEMPLATES: \"True\"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: ai-backend
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    # DNS only, to the cluster's resolver.
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: kube-system}
      ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::set(
        &META,
        NoDefaultDeny {
            exempt: compile(&data.exempt_namespaces)
                .unwrap_or_else(|error| panic!("rules/egress.yaml: exemptNamespaces: {error}")),
            partial_severity: data.partial_set_severity,
        },
    )
}

struct NoDefaultDeny {
    exempt: Vec<GlobMatcher>,
    partial_severity: Severity,
}

fn compile(patterns: &[String]) -> Result<Vec<GlobMatcher>, String> {
    patterns
        .iter()
        .map(|pattern| glob(pattern, false))
        .collect()
}

impl SetCheck for NoDefaultDeny {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "exemptNamespaces" => {
                    let patterns: Vec<String> = serde_json::from_value(value.clone())
                        .map_err(|_| "`exemptNamespaces` must be a list of globs".to_owned())?;
                    self.exempt = compile(&patterns)
                        .map_err(|error| format!("`exemptNamespaces`: {error}"))?;
                }
                "partialSetSeverity" => {
                    self.partial_severity = serde_json::from_value(value.clone())
                        .map_err(|_| "`partialSetSeverity` is error, warning or info".to_owned())?;
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: exemptNamespaces, partialSetSeverity)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let severity = match set.partial {
            true => out.severity().min(self.partial_severity),
            false => out.severity(),
        };
        let covered: HashSet<Option<&str>> = set
            .resources
            .iter()
            .filter(|resource| is_default_deny_egress(resource))
            .map(|resource| resource.namespace.as_deref())
            .collect();
        for (namespace, workloads) in workloads_by_namespace(set.resources) {
            if covered.contains(&namespace) {
                continue;
            }
            let name = namespace.unwrap_or("");
            if self.exempt.iter().any(|pattern| pattern.is_match(name)) {
                continue;
            }
            let partial = if set.partial {
                " (only some files were checked)"
            } else {
                ""
            };
            let listed = list_resources(&workloads);
            let message = match namespace {
                Some(namespace) => format!(
                    "namespace `{namespace}` runs workloads ({listed}) but has no default-deny \
                     egress NetworkPolicy: any pod there can send data anywhere on the internet{partial}"
                ),
                None => format!(
                    "workloads without a namespace ({listed}) have no default-deny egress \
                     NetworkPolicy without a namespace beside them: any of their pods can send \
                     data anywhere on the internet{partial}"
                ),
            };
            let declared = set.resources.iter().find(|resource| {
                resource.is("", "Namespace") && namespace == Some(resource.name.as_str())
            });
            let Some((at, pointer)) = declared
                .map(|resource| (resource, "/metadata/name"))
                .or_else(|| {
                    workloads
                        .first()
                        .map(|first| (*first, "/metadata/namespace"))
                })
            else {
                continue;
            };
            let finding = out.report(at, pointer, message);
            finding.severity = severity;
            finding.hint = Cow::Owned(hint(namespace));
        }
    }
}

/// Workloads grouped by namespace, namespaces in the order they first occur.
fn workloads_by_namespace(resources: &[Resource]) -> Vec<(Option<&str>, Vec<&Resource>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Resource>)> = Vec::new();
    for resource in resources
        .iter()
        .filter(|resource| resource.pod_template().is_some())
    {
        let namespace = resource.namespace.as_deref();
        match groups.iter_mut().find(|(name, _)| *name == namespace) {
            Some((_, members)) => members.push(resource),
            None => groups.push((namespace, vec![resource])),
        }
    }
    groups
}

/// The policies to add, written out for the namespace.
fn hint(namespace: Option<&str>) -> String {
    let namespace_line = namespace
        .map(|namespace| format!("\n    namespace: {namespace}"))
        .unwrap_or_default();
    format!(
        "Add a NetworkPolicy that selects every pod and allows no egress:

  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: default-deny-egress{namespace_line}
  spec:
    podSelector: {{}}
    policyTypes: [Egress]

then allow what the pods need in separate policies, typically DNS:

  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: allow-dns{namespace_line}
  spec:
    podSelector: {{}}
    policyTypes: [Egress]
    egress:
      - to:
          - namespaceSelector:
              matchLabels: {{kubernetes.io/metadata.name: kube-system}}
        ports:
          - {{port: 53, protocol: UDP}}
          - {{port: 53, protocol: TCP}}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    const WORKLOAD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ai}
spec: {template: {spec: {containers: [{name: c, image: i}]}}}
";

    /// `(line:column, severity, message)` of each finding for `text`.
    fn run(text: &str, params: &str, partial: bool) -> Vec<(String, Severity, String)> {
        let resources = resources_of(text);
        let mut rule = rule();
        let params: Parameters = serde_json::from_str(params).expect("JSON");
        rule.configure(&params).expect("parameters are valid");
        let crate::rules::Check::Set(check) = &rule.check else {
            unreachable!("PRIV-006 is a set rule")
        };
        let mut findings = Vec::new();
        let set = ResourceSet {
            resources: &resources,
            files: &[],
            partial,
            platform: false,
        };
        check.check(
            &set,
            &mut Emitter::new(&META, Severity::Error, &mut findings),
        );
        findings
            .into_iter()
            .map(|f| (f.mark.to_string(), f.severity, f.message))
            .collect()
    }

    fn with_policy(spec: &str) -> String {
        format!(
            "{WORKLOAD}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: ai}}\nspec: {spec}\n"
        )
    }

    #[test]
    fn a_namespace_without_a_policy_is_reported_at_its_first_workload() {
        let found = run(WORKLOAD, "{}", false);
        assert_eq!(
            found,
            [(
                "3:23".to_owned(),
                Severity::Error,
                "namespace `ai` runs workloads (Deployment web) but has no default-deny egress \
                 NetworkPolicy: any pod there can send data anywhere on the internet"
                    .to_owned()
            )]
        );
        let partial = run(WORKLOAD, "{}", true);
        assert_eq!(partial[0].1, Severity::Info);
        assert!(partial[0].2.ends_with("(only some files were checked)"));
        assert_eq!(
            run(WORKLOAD, r#"{"partialSetSeverity": "warning"}"#, true)[0].1,
            Severity::Warning
        );
    }

    #[test]
    fn policy_types_are_defaulted_before_deciding() {
        // No policyTypes: Egress only because there is an egress rule.
        assert!(
            run(
                &with_policy("{podSelector: {}, egress: [{to: [{podSelector: {}}]}]}"),
                "{}",
                false
            )
            .is_empty()
        );
        // No policyTypes and no egress rule: an ingress policy.
        assert_eq!(run(&with_policy("{podSelector: {}}"), "{}", false).len(), 1);
        // An empty egress list does not add Egress either.
        assert_eq!(
            run(&with_policy("{podSelector: {}, egress: []}"), "{}", false).len(),
            1
        );
        assert!(
            run(
                &with_policy("{podSelector: {}, policyTypes: [Egress]}"),
                "{}",
                false
            )
            .is_empty()
        );
        assert!(
            run(
                &with_policy("{podSelector: null, policyTypes: [Ingress, Egress]}"),
                "{}",
                false
            )
            .is_empty()
        );
        assert_eq!(
            run(
                &with_policy("{podSelector: {}, policyTypes: [Ingress]}"),
                "{}",
                false
            )
            .len(),
            1
        );
    }

    #[test]
    fn only_policies_over_every_pod_that_keep_the_internet_closed_count() {
        for spec in [
            "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}",
            "{podSelector: {matchExpressions: [{key: app, operator: Exists}]}, policyTypes: [Egress]}",
            "{podSelector: {}, policyTypes: [Egress], egress: [{}]}",
            "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}",
            "{podSelector: 5, policyTypes: [Egress]}",
            "x",
        ] {
            assert_eq!(run(&with_policy(spec), "{}", false).len(), 1, "{spec}");
        }
        // Malformed rules are skipped, not counted as open.
        assert!(
            run(
                &with_policy("{podSelector: {}, policyTypes: [Egress], egress: \"x\"}"),
                "{}",
                false
            )
            .is_empty()
        );
        // A policy in another namespace does not count.
        let elsewhere = with_policy("{podSelector: {}, policyTypes: [Egress]}")
            .replace("name: p, namespace: ai", "name: p, namespace: other");
        assert_eq!(run(&elsewhere, "{}", false).len(), 1);
    }

    #[test]
    fn the_namespace_resource_carries_the_finding_and_exemptions_apply() {
        let text = format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: ai}}\n---\n{WORKLOAD}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: loose}}\nspec: {{containers: []}}\n"
        );
        let found = run(&text, "{}", false);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "3:12");
        assert!(
            found[1]
                .2
                .starts_with("workloads without a namespace (Pod loose)"),
            "{}",
            found[1].2
        );
        assert!(run(&text, r#"{"exemptNamespaces": ["a*", ""]}"#, false).is_empty());
    }

    #[test]
    fn parameters_are_checked() {
        let bad = |text: &str| {
            let params: Parameters = serde_json::from_str(text).unwrap();
            rule().configure(&params).unwrap_err()
        };
        assert_eq!(
            bad(r#"{"exempt": []}"#),
            "has no parameter `exempt` (known: exemptNamespaces, partialSetSeverity)"
        );
        assert_eq!(
            bad(r#"{"exemptNamespaces": "x"}"#),
            "`exemptNamespaces` must be a list of globs"
        );
        assert!(
            bad(r#"{"exemptNamespaces": ["a[" ]}"#).starts_with("`exemptNamespaces`: bad glob")
        );
        assert_eq!(
            bad(r#"{"partialSetSeverity": "loud"}"#),
            "`partialSetSeverity` is error, warning or info"
        );
        let fine: Parameters = serde_json::from_str(r#"{"exemptNamespaces": ["kube-*"]}"#).unwrap();
        assert!(rule().configure(&fine).is_ok());
    }
}
