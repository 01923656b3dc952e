//! PRIV-007: a NetworkPolicy egress rule that lets pods reach the internet.

use globset::GlobMatcher;

use super::egress::{
    InternetEgress, InternetRule, Opening, Selector, describe_ports, internet_rules,
    is_network_policy, list_resources, policy_types, selected_workloads, shipped,
};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::suppress::glob;

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-007",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "NetworkPolicy egress rule opens the internet",
    rationale: "A default-deny egress policy is what stops a telemetry client that ignores its \
                opt-out, or a prompt forwarded to a hosted model, from leaving the machine; one \
                allow rule that reaches the internet undoes it for every pod the policy selects. \
                An egress rule without `to` (or with an empty one) allows every destination, and \
                an `ipBlock` of `0.0.0.0/0` or `::/0` allows every address (an `except` list of \
                private ranges only keeps it off the local network, which is the opposite of \
                what matters here). Inference is local, so a workload's traffic should go to \
                in-cluster peers and named addresses. The few workloads whose job is the \
                internet (a metasearch engine querying search engines) are declared once in the \
                `internetEgress` parameter, with the reason, where review sees them.",
    fix: "Restrict `to` to in-cluster peers (`namespaceSelector`/`podSelector`) or to the \
          specific CIDRs the workload needs. For DNS, allow `to: [{namespaceSelector: \
          {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]` on port 53 (UDP and TCP). \
          If reaching the internet is the workload's purpose, declare it in `internetEgress` \
          (a parameter of this rule): `{namespace, workload or policy, reason}`.",
    failing_example: Manifest(
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: open-webui-egress
  namespace: ai-frontend
spec:
  podSelector:
    matchLabels: {app: open-webui}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
      ports:
        - {port: 443, protocol: TCP}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: open-webui-egress
  namespace: ai-frontend
spec:
  podSelector:
    matchLabels: {app: open-webui}
  policyTypes: [Egress]
  egress:
    # The model gateway, in the cluster.
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: ai-backend}
          podSelector:
            matchLabels: {app: litellm}
      ports:
        - {port: 4000, protocol: TCP}
    # DNS, to the cluster's resolver.
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
    Rule::set(
        &META,
        EgressToInternet {
            allowed: Allowance::compile(&shipped().internet_egress)
                .unwrap_or_else(|error| panic!("rules/egress.yaml: {error}")),
        },
    )
}

struct EgressToInternet {
    allowed: Vec<Allowance>,
}

/// An `internetEgress` entry with its globs compiled.
struct Allowance {
    namespace: GlobMatcher,
    workload: Option<GlobMatcher>,
    policy: Option<GlobMatcher>,
}

impl Allowance {
    fn compile(entries: &[InternetEgress]) -> Result<Vec<Allowance>, String> {
        entries
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let reasoned = entry
                    .reason
                    .as_deref()
                    .is_some_and(|reason| !reason.trim().is_empty());
                if !reasoned {
                    return Err(format!("`internetEgress[{index}]` needs a `reason`"));
                }
                let compile = |pattern: &str| {
                    glob(pattern, false)
                        .map_err(|error| format!("`internetEgress[{index}]`: {error}"))
                };
                Ok(Allowance {
                    namespace: compile(&entry.namespace)?,
                    workload: entry.workload.as_deref().map(compile).transpose()?,
                    policy: entry.policy.as_deref().map(compile).transpose()?,
                })
            })
            .collect()
    }

    /// Whether this entry allows `policy`, which selects `selected`.
    fn allows(&self, policy: &Resource, selected: &[&Resource]) -> bool {
        if !self
            .namespace
            .is_match(policy.namespace.as_deref().unwrap_or(""))
        {
            return false;
        }
        if self.policy.is_none() && self.workload.is_none() {
            return true;
        }
        let by_name = self
            .policy
            .as_ref()
            .is_some_and(|pattern| pattern.is_match(&policy.name));
        let by_workload = self.workload.as_ref().is_some_and(|pattern| {
            !selected.is_empty()
                && selected
                    .iter()
                    .all(|workload| pattern.is_match(&workload.name))
        });
        by_name || by_workload
    }
}

impl SetCheck for EgressToInternet {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "internetEgress" => {
                    let items = value.as_array().ok_or_else(|| {
                        "`internetEgress` must be a list of {namespace, workload, policy, reason}"
                            .to_owned()
                    })?;
                    let entries = items
                        .iter()
                        .enumerate()
                        .map(|(index, item)| {
                            serde_json::from_value::<InternetEgress>(item.clone())
                                .map_err(|error| format!("`internetEgress[{index}]`: {error}"))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    self.allowed = Allowance::compile(&entries)?;
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: internetEgress)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        for policy in set.resources.iter().filter(|r| is_network_policy(r)) {
            let Some(spec) = policy.get("/spec").filter(|spec| spec.is_mapping()) else {
                continue;
            };
            // Egress rules of a policy that does not isolate egress do nothing.
            if !policy_types(spec).egress {
                continue;
            }
            let openings = internet_rules(spec);
            if openings.is_empty() {
                continue;
            }
            let selector = Selector::parse(spec.get("podSelector"));
            let selected = selector
                .as_ref()
                .map(|selector| selected_workloads(set.resources, policy, selector))
                .unwrap_or_default();
            if self
                .allowed
                .iter()
                .any(|entry| entry.allows(policy, &selected))
            {
                continue;
            }
            let pods = pods(policy, selector.as_ref(), &selected);
            for opening in &openings {
                out.report(policy, &opening.pointer(), message(policy, &pods, opening));
            }
        }
    }
}

/// Which pods a policy applies to, in words.
fn pods(policy: &Resource, selector: Option<&Selector>, selected: &[&Resource]) -> String {
    let mut text = match (selector, &policy.namespace) {
        (None, _) => "the pods its malformed `podSelector` selects".to_owned(),
        (Some(selector), Some(namespace)) if selector.selects_all() => {
            format!("every pod in namespace `{namespace}`")
        }
        (Some(selector), None) if selector.selects_all() => "every pod in its namespace".to_owned(),
        (Some(selector), _) => format!("pods matching `{}`", selector.describe()),
    };
    if !selected.is_empty() {
        text.push_str(&format!(" ({})", list_resources(selected)));
    }
    text
}

fn message(policy: &Resource, pods: &str, rule: &InternetRule<'_>) -> String {
    let ports = describe_ports(rule.rule);
    let how = match &rule.opening {
        Opening::AnyDestination => format!(
            "egress rule {} has no `to`, so it allows every destination {ports}",
            rule.index
        ),
        Opening::WholeAddressSpace { cidr, except, .. } => {
            let except = if *except {
                " (its `except` list only keeps the excepted ranges out)"
            } else {
                ""
            };
            format!("egress rule {} allows `{cidr}`{except} {ports}", rule.index)
        }
    };
    format!(
        "{} lets {pods} send data to any host on the internet: {how}",
        policy.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    const SET: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: searxng, namespace: search}
spec: {template: {metadata: {labels: {app: searxng}}, spec: {containers: []}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, namespace: search}
spec: {template: {metadata: {labels: {app: redis, tier: cache}}, spec: {containers: []}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: searxng-internet, namespace: search}
spec:
  podSelector: {matchLabels: {app: searxng}}
  policyTypes: [Egress]
  egress:
    - ports: [{port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-internet, namespace: search}
spec:
  podSelector:
    matchExpressions: [{key: tier, operator: In, values: [cache]}]
  egress:
    - to:
        - ipBlock: {cidr: '::/0'}
";

    /// `(line:column, message)` of each finding for `text`.
    fn run(text: &str, params: &str) -> Vec<(String, String)> {
        let resources = resources_of(text);
        let mut rule = rule();
        let params: Parameters = serde_json::from_str(params).expect("JSON");
        rule.configure(&params).expect("parameters are valid");
        let crate::rules::Check::Set(check) = &rule.check else {
            unreachable!("PRIV-007 is a set rule")
        };
        let mut findings = Vec::new();
        let set = ResourceSet {
            resources: &resources,
            files: &[],
            partial: false,
            platform: false,
        };
        check.check(
            &set,
            &mut Emitter::new(&META, Severity::Error, &mut findings),
        );
        findings
            .into_iter()
            .map(|f| (f.mark.to_string(), f.message))
            .collect()
    }

    #[test]
    fn open_rules_are_reported_with_the_pods_they_free() {
        assert_eq!(
            run(SET, "{}"),
            [
                (
                    "18:7".to_owned(),
                    "NetworkPolicy search/searxng-internet lets pods matching `app=searxng` \
                     (Deployment searxng) send data to any host on the internet: egress rule 0 \
                     has no `to`, so it allows every destination on port 443/TCP"
                        .to_owned()
                ),
                (
                    "28:21".to_owned(),
                    "NetworkPolicy search/cache-internet lets pods matching `tier in (cache)` \
                     (StatefulSet redis) send data to any host on the internet: egress rule 0 \
                     allows `::/0` on any port"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn the_allow_list_matches_selected_workloads_or_policy_names() {
        let only_cache = run(
            SET,
            r#"{"internetEgress": [{"namespace": "search", "workload": "searxng", "reason": "metasearch"}]}"#,
        );
        assert_eq!(only_cache.len(), 1);
        assert!(only_cache[0].1.contains("cache-internet"));
        // Every selected workload must match the entry.
        let by_policy = run(
            SET,
            r#"{"internetEgress": [{"namespace": "s*", "policy": "cache-*", "workload": "nope", "reason": "r"}]}"#,
        );
        assert_eq!(by_policy.len(), 1);
        assert!(by_policy[0].1.contains("searxng-internet"));
        // A namespace-wide entry, and entries for other namespaces.
        assert!(
            run(
                SET,
                r#"{"internetEgress": [{"namespace": "search", "reason": "r"}]}"#
            )
            .is_empty()
        );
        assert_eq!(
            run(
                SET,
                r#"{"internetEgress": [{"namespace": "other", "reason": "r"}]}"#
            )
            .len(),
            2
        );
        // A workload entry does not allow a policy that selects nothing.
        let nothing = SET.replace("labels: {app: searxng}}", "labels: {app: other}}");
        assert_eq!(
            run(
                &nothing,
                r#"{"internetEgress": [{"namespace": "search", "workload": "*", "reason": "r"}]}"#
            )
            .len(),
            1
        );
    }

    #[test]
    fn policies_that_do_not_isolate_egress_and_odd_input_are_skipped() {
        let text = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ingress-only, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress], egress: [{}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odd, namespace: a}
spec: {podSelector: 5, policyTypes: [Egress], egress: [x, {to: 3}, {}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odder, namespace: a}
spec: {podSelector: {}, egress: \"x\"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: whole, namespace: a}
spec: {egress: [{to: []}]}
";
        let found = run(text, "{}");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .1
                .contains("the pods its malformed `podSelector` selects")
        );
        assert!(found[0].1.contains("egress rule 2 has no `to`"));
        assert!(
            found[1]
                .1
                .contains("lets every pod in namespace `a` send data")
        );
    }

    #[test]
    fn allow_list_entries_need_a_reason_and_known_keys() {
        let bad = |text: &str| {
            let params: Parameters = serde_json::from_str(text).unwrap();
            rule().configure(&params).unwrap_err()
        };
        assert_eq!(
            bad(r#"{"internetEgress": [{"namespace": "a", "reason": "r"}, {"namespace": "b"}]}"#),
            "`internetEgress[1]` needs a `reason`"
        );
        assert_eq!(
            bad(r#"{"internetEgress": [{"namespace": "a", "reason": " "}]}"#),
            "`internetEgress[0]` needs a `reason`"
        );
        assert!(
            bad(r#"{"internetEgress": [{"reason": "r"}]}"#)
                .starts_with("`internetEgress[0]`: missing field `namespace`")
        );
        assert!(
            bad(r#"{"internetEgress": [{"namespace": "a", "reason": "r", "pod": "x"}]}"#)
                .starts_with("`internetEgress[0]`: unknown field `pod`")
        );
        assert!(bad(r#"{"internetEgress": {}}"#).starts_with("`internetEgress` must be a list"));
        assert_eq!(
            bad(r#"{"allow": []}"#),
            "has no parameter `allow` (known: internetEgress)"
        );
    }
}
