//! What the egress rules (PRIV-006, PRIV-007) share: their defaults from
//! `rules/egress.yaml`, the NetworkPolicy semantics they rely on (effective
//! policy types, egress rules that open the internet) and label selectors.
//!
//! Everything here reads manifests as written and skips what is malformed
//! (`egress: "x"`, `podSelector: 5`): the schema rules report those.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::resource::Resource;
use crate::rules::Severity;
use crate::yaml::{Node, Value};

const EGRESS_DATA: &str = include_str!("../../../rules/egress.yaml");

/// The defaults of the egress rules' parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressData {
    pub partial_set_severity: Severity,
    pub exempt_namespaces: Vec<String>,
    pub internet_egress: Vec<InternetEgress>,
}

/// An `internetEgress` entry of PRIV-007: policies allowed to open the
/// internet. `reason` is optional here only so that its absence gets a
/// message of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternetEgress {
    pub namespace: String,
    #[serde(default)]
    pub workload: Option<String>,
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The shipped defaults. The file is compiled in and covered by tests, so a
/// broken one never reaches a user.
pub fn shipped() -> &'static EgressData {
    static DATA: OnceLock<EgressData> = OnceLock::new();
    DATA.get_or_init(|| crate::rules::shipped_data("egress.yaml", EGRESS_DATA))
}

pub fn is_network_policy(resource: &Resource) -> bool {
    resource.is("networking.k8s.io", "NetworkPolicy")
}

/// The policy types of a NetworkPolicy once the API server has defaulted
/// them: as written when `policyTypes` is a non-empty list; otherwise
/// `Ingress`, plus `Egress` when the policy has at least one egress rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyTypes {
    pub ingress: bool,
    pub egress: bool,
}

pub fn policy_types(spec: &Node) -> PolicyTypes {
    let written = spec
        .get("policyTypes")
        .and_then(Node::items)
        .filter(|types| !types.is_empty());
    match written {
        Some(types) => {
            let has = |name: &str| types.iter().any(|kind| kind.as_str() == Some(name));
            PolicyTypes {
                ingress: has("Ingress"),
                egress: has("Egress"),
            }
        }
        None => PolicyTypes {
            ingress: true,
            egress: spec
                .get("egress")
                .and_then(Node::items)
                .is_some_and(|rules| !rules.is_empty()),
        },
    }
}

/// How an egress rule opens the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening<'a> {
    /// `to` is absent, null or empty: every destination.
    AnyDestination,
    /// The `to` peer at this index has an `ipBlock` covering every address.
    WholeAddressSpace {
        peer: usize,
        cidr: &'a str,
        /// Whether the block carves out ranges with `except`.
        except: bool,
    },
}

/// An egress rule that opens the internet, and how.
#[derive(Debug, Clone)]
pub struct InternetRule<'a> {
    /// Index in `spec.egress`.
    pub index: usize,
    pub rule: &'a Node,
    pub opening: Opening<'a>,
}

impl InternetRule<'_> {
    /// Where a finding about it points, relative to the policy.
    pub fn pointer(&self) -> String {
        match &self.opening {
            Opening::AnyDestination => format!("/spec/egress/{}", self.index),
            Opening::WholeAddressSpace { peer, .. } => {
                format!("/spec/egress/{}/to/{peer}/ipBlock/cidr", self.index)
            }
        }
    }
}

/// The egress rules of a NetworkPolicy spec that open the internet, in
/// order; a rule with several such peers is listed once per peer.
pub fn internet_rules(spec: &Node) -> Vec<InternetRule<'_>> {
    let rules = spec.get("egress").and_then(Node::items).unwrap_or_default();
    let mut found = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        if !rule.is_mapping() {
            continue;
        }
        let peers = match rule.get("to") {
            None => None,
            Some(to) if to.is_null() => None,
            Some(to) => match to.items() {
                Some([]) => None,
                Some(peers) => Some(peers),
                // Malformed: not a list of peers.
                None => continue,
            },
        };
        let Some(peers) = peers else {
            found.push(InternetRule {
                index,
                rule,
                opening: Opening::AnyDestination,
            });
            continue;
        };
        for (peer, node) in peers.iter().enumerate() {
            let block = node.get("ipBlock");
            let cidr = block
                .and_then(|block| block.get("cidr"))
                .and_then(Node::as_str);
            if let Some(cidr) = cidr.filter(|cidr| covers_every_address(cidr)) {
                let except = block
                    .and_then(|block| block.get("except"))
                    .and_then(Node::items)
                    .is_some_and(|except| !except.is_empty());
                found.push(InternetRule {
                    index,
                    rule,
                    opening: Opening::WholeAddressSpace { peer, cidr, except },
                });
            }
        }
    }
    found
}

/// Whether a CIDR has prefix length 0 (`0.0.0.0/0`, `::/0`).
pub fn covers_every_address(cidr: &str) -> bool {
    cidr.trim()
        .rsplit_once('/')
        .filter(|(address, _)| !address.trim().is_empty())
        .and_then(|(_, length)| length.trim().parse::<u8>().ok())
        == Some(0)
}

/// Whether an egress policy is a default-deny baseline: it selects every pod
/// of its namespace, isolates egress, and none of its rules opens the
/// internet (allowing DNS or in-cluster peers keeps it a baseline).
pub fn is_default_deny_egress(resource: &Resource) -> bool {
    if !is_network_policy(resource) {
        return false;
    }
    let Some(spec) = resource.get("/spec").filter(|spec| spec.is_mapping()) else {
        return false;
    };
    let selects_all = Selector::parse(spec.get("podSelector")).is_some_and(|s| s.selects_all());
    selects_all && policy_types(spec).egress && internet_rules(spec).is_empty()
}

/// The ports of an egress rule, for messages: `on any port`,
/// `on port 443/TCP`, `on ports 53/UDP, 53/TCP`, `on port 53/UDP, any TCP
/// port`.
pub fn describe_ports(rule: &Node) -> String {
    // `(number or range, protocol)` of each port entry.
    let ports: Vec<(Option<String>, &str)> = rule
        .get("ports")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|port| port.is_mapping())
        .map(|port| {
            let protocol = port.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
            let number = port.get("port").and_then(scalar_text);
            let end = port.get("endPort").and_then(scalar_text);
            let numbers = match (number, end) {
                (Some(number), Some(end)) => Some(format!("{number}-{end}")),
                (number, _) => number,
            };
            (numbers, protocol)
        })
        .collect();
    if ports.is_empty() {
        return "on any port".to_owned();
    }
    if ports.iter().all(|(number, _)| number.is_some()) {
        let listed: Vec<String> = ports
            .iter()
            .map(|(number, protocol)| format!("{}/{protocol}", number.as_deref().unwrap_or("")))
            .collect();
        let noun = if listed.len() == 1 { "port" } else { "ports" };
        return format!("on {noun} {}", listed.join(", "));
    }
    let listed: Vec<String> = ports
        .iter()
        .map(|(number, protocol)| match number {
            Some(number) => format!("port {number}/{protocol}"),
            None => format!("any {protocol} port"),
        })
        .collect();
    format!("on {}", listed.join(", "))
}

/// `Kind name` of a few resources: `Deployment a, CronJob b, Job c and 2 more`.
pub fn list_resources(resources: &[&Resource]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<String> = resources
        .iter()
        .take(SHOWN)
        .map(|resource| format!("{} {}", resource.kind, resource.name))
        .collect();
    let mut text = names.join(", ");
    if resources.len() > SHOWN {
        text.push_str(&format!(" and {} more", resources.len() - SHOWN));
    }
    text
}

/// The text of a scalar (labels written as numbers or booleans included).
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(text) => Some(text.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(value) => Some(value.to_string()),
        _ => None,
    }
}

/// The labels of a workload's pods (its template's `metadata.labels`).
pub fn pod_labels(resource: &Resource) -> Vec<(String, String)> {
    let Some(pod) = resource.pod_template() else {
        return Vec::new();
    };
    pod.metadata
        .and_then(|metadata| metadata.get("labels"))
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| Some((entry.key.to_string(), scalar_text(&entry.node)?)))
        .collect()
}

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    /// Reads a selector; absent or null selects everything. `None` when it
    /// is malformed (the API server would refuse it), which selects nothing.
    pub fn parse(node: Option<&Node>) -> Option<Selector> {
        let Some(node) = node.filter(|node| !node.is_null()) else {
            return Some(Selector::default());
        };
        node.entries()?;
        let mut requirements = Vec::new();
        if let Some(labels) = node.get("matchLabels").filter(|n| !n.is_null()) {
            for entry in labels.entries()? {
                requirements.push(Requirement::Equals(
                    entry.key.to_string(),
                    scalar_text(&entry.node)?,
                ));
            }
        }
        if let Some(expressions) = node.get("matchExpressions").filter(|n| !n.is_null()) {
            for expression in expressions.items()? {
                requirements.push(Requirement::parse(expression)?);
            }
        }
        Some(Selector { requirements })
    }

    /// Whether it selects every pod (`{}`).
    pub fn selects_all(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let value = |key: &str| {
            labels
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.as_str())
        };
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::Equals(key, expected) => value(key) == Some(expected.as_str()),
                Requirement::In(key, values) => {
                    value(key).is_some_and(|v| values.iter().any(|x| x == v))
                }
                Requirement::NotIn(key, values) => {
                    value(key).is_none_or(|v| !values.iter().any(|x| x == v))
                }
                Requirement::Exists(key) => value(key).is_some(),
                Requirement::DoesNotExist(key) => value(key).is_none(),
            })
    }

    /// The selector as `kubectl -l` writes it: `app=searxng,tier in (a, b),!canary`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|requirement| match requirement {
                Requirement::Equals(key, value) => format!("{key}={value}"),
                Requirement::In(key, values) => format!("{key} in ({})", values.join(", ")),
                Requirement::NotIn(key, values) => format!("{key} notin ({})", values.join(", ")),
                Requirement::Exists(key) => key.clone(),
                Requirement::DoesNotExist(key) => format!("!{key}"),
            })
            .collect();
        parts.join(",")
    }
}

impl Requirement {
    fn parse(expression: &Node) -> Option<Requirement> {
        let key = expression.get("key")?.as_str()?.to_owned();
        let operator = expression.get("operator")?.as_str()?;
        let values = match expression.get("values").filter(|n| !n.is_null()) {
            None => Vec::new(),
            Some(values) => values
                .items()?
                .iter()
                .map(scalar_text)
                .collect::<Option<Vec<_>>>()?,
        };
        match operator {
            "In" if !values.is_empty() => Some(Requirement::In(key, values)),
            "NotIn" if !values.is_empty() => Some(Requirement::NotIn(key, values)),
            "Exists" => Some(Requirement::Exists(key)),
            "DoesNotExist" => Some(Requirement::DoesNotExist(key)),
            _ => None,
        }
    }
}

/// The workloads of the set a policy's pod selector selects: same namespace
/// (both absent counts as the same), pod template labels matching.
pub fn selected_workloads<'a>(
    resources: &'a [Resource],
    policy: &Resource,
    selector: &Selector,
) -> Vec<&'a Resource> {
    resources
        .iter()
        .filter(|resource| resource.namespace == policy.namespace)
        .filter(|resource| resource.pod_template().is_some())
        .filter(|resource| selector.matches(&pod_labels(resource)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;
    use crate::yaml::{Limits, parse_stream};

    fn node(text: &str) -> Node {
        parse_stream(text, Limits::default())
            .pop()
            .and_then(|document| document.root)
            .expect("a document")
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let selector = Selector::parse(Some(&node(
            "matchLabels: {app: searxng}\nmatchExpressions:\n  - {key: tier, operator: In, values: [web, api]}\n  - {key: canary, operator: DoesNotExist}\n  - {key: track, operator: NotIn, values: [beta]}\n  - {key: team, operator: Exists}\n",
        )))
        .expect("well formed");
        assert!(!selector.selects_all());
        let base = [("app", "searxng"), ("tier", "web"), ("team", "x")];
        assert!(selector.matches(&labels(&base)));
        assert!(selector.matches(&labels(&[
            ("app", "searxng"),
            ("tier", "api"),
            ("team", "x"),
            ("track", "stable")
        ])));
        assert!(!selector.matches(&labels(&[("app", "other"), ("tier", "web"), ("team", "x")])));
        assert!(!selector.matches(&labels(&[
            ("app", "searxng"),
            ("tier", "db"),
            ("team", "x")
        ])));
        assert!(!selector.matches(&labels(&[
            ("app", "searxng"),
            ("tier", "web"),
            ("team", "x"),
            ("canary", "1")
        ])));
        assert!(!selector.matches(&labels(&[
            ("app", "searxng"),
            ("tier", "web"),
            ("team", "x"),
            ("track", "beta")
        ])));
        assert!(!selector.matches(&labels(&[("app", "searxng"), ("tier", "web")])));
        assert_eq!(
            selector.describe(),
            "app=searxng,tier in (web, api),!canary,track notin (beta),team"
        );
    }

    #[test]
    fn empty_and_malformed_selectors() {
        for text in [
            "{}",
            "matchLabels: {}",
            "matchLabels: {}\nmatchExpressions: []",
            "~",
        ] {
            let selector = Selector::parse(Some(&node(text))).expect(text);
            assert!(selector.selects_all(), "{text}");
            assert!(selector.matches(&[]), "{text}");
        }
        assert_eq!(Selector::parse(None), Some(Selector::default()));
        for text in [
            "5",
            "[a]",
            "matchLabels: [a]",
            "matchLabels: {app: {x: y}}",
            "matchExpressions: {key: a}",
            "matchExpressions: [{key: a, operator: In, values: []}]",
            "matchExpressions: [{key: a, operator: Near, values: [b]}]",
            "matchExpressions: [{operator: Exists}]",
            "matchExpressions: [7]",
        ] {
            assert_eq!(Selector::parse(Some(&node(text))), None, "{text}");
        }
        // Labels written as numbers compare as their text.
        let selector = Selector::parse(Some(&node("matchLabels: {version: 2}"))).unwrap();
        assert!(selector.matches(&labels(&[("version", "2")])));
    }

    #[test]
    fn policy_types_default_like_the_api_server() {
        let types = |text: &str| policy_types(&node(text));
        let both = PolicyTypes {
            ingress: true,
            egress: true,
        };
        let ingress = PolicyTypes {
            ingress: true,
            egress: false,
        };
        let egress = PolicyTypes {
            ingress: false,
            egress: true,
        };
        assert_eq!(types("podSelector: {}"), ingress);
        assert_eq!(types("podSelector: {}\negress: [{}]"), both);
        // An empty egress list adds nothing; neither does a malformed one.
        assert_eq!(types("podSelector: {}\negress: []"), ingress);
        assert_eq!(types("egress: x"), ingress);
        assert_eq!(types("policyTypes: [Egress]"), egress);
        assert_eq!(types("policyTypes: [Ingress]\negress: [{}]"), ingress);
        assert_eq!(types("policyTypes: []\negress: [{}]"), both);
        assert_eq!(types("policyTypes: Egress"), ingress);
    }

    #[test]
    fn rules_that_open_the_internet() {
        let spec = node(
            "\
egress:
  - ports: [{port: 443}]
  - to: []
  - to: ~
  - to:
      - ipBlock: {cidr: 10.0.0.0/8}
      - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
      - ipBlock: {cidr: '::/0'}
  - to: [{namespaceSelector: {}}]
  - to: x
  - 5
  - to: [7, {ipBlock: 3}, {ipBlock: {cidr: 4}}]
",
        );
        let found: Vec<(String, Opening<'_>)> = internet_rules(&spec)
            .into_iter()
            .map(|rule| (rule.pointer(), rule.opening))
            .collect();
        assert_eq!(
            found,
            [
                ("/spec/egress/0".to_owned(), Opening::AnyDestination),
                ("/spec/egress/1".to_owned(), Opening::AnyDestination),
                ("/spec/egress/2".to_owned(), Opening::AnyDestination),
                (
                    "/spec/egress/3/to/1/ipBlock/cidr".to_owned(),
                    Opening::WholeAddressSpace {
                        peer: 1,
                        cidr: "0.0.0.0/0",
                        except: true
                    }
                ),
                (
                    "/spec/egress/3/to/2/ipBlock/cidr".to_owned(),
                    Opening::WholeAddressSpace {
                        peer: 2,
                        cidr: "::/0",
                        except: false
                    }
                ),
            ]
        );
        assert!(internet_rules(&node("egress: x")).is_empty());
        assert!(covers_every_address("10.1.0.0/0"));
        assert!(!covers_every_address("0.0.0.0/1"));
        assert!(!covers_every_address("0.0.0.0"));
        assert!(!covers_every_address("/0"));
        assert_eq!(
            describe_ports(&node("ports: [{port: 53, protocol: UDP}, {port: 53}]")),
            "on ports 53/UDP, 53/TCP"
        );
        assert_eq!(describe_ports(&node("{}")), "on any port");
        assert_eq!(
            describe_ports(&node(
                "ports: [{port: 53, protocol: UDP}, {port: 8000, endPort: 8100}, {protocol: TCP}]"
            )),
            "on port 53/UDP, port 8000-8100/TCP, any TCP port"
        );
    }

    #[test]
    fn workloads_a_policy_selects() {
        let resources = resources_of(
            "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: searxng, namespace: search}
spec: {template: {metadata: {labels: {app: searxng}}, spec: {containers: []}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis, namespace: search}
spec: {template: {metadata: {labels: {app: redis}}, spec: {containers: []}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: searxng, namespace: elsewhere}
spec: {template: {metadata: {labels: {app: searxng}}, spec: {containers: []}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: search}
spec: {podSelector: {matchLabels: {app: searxng}}}
",
        );
        let policy = &resources[3];
        let selector = Selector::parse(policy.get("/spec/podSelector")).unwrap();
        let names: Vec<_> = selected_workloads(&resources, policy, &selector)
            .iter()
            .map(|r| r.display())
            .collect();
        assert_eq!(names, ["Deployment search/searxng"]);
        let all: Vec<&Resource> = resources.iter().collect();
        assert_eq!(
            list_resources(&all),
            "Deployment searxng, Deployment redis, Deployment searxng and 1 more"
        );
    }

    #[test]
    fn shipped_data_reads() {
        let data = shipped();
        assert_eq!(data.partial_set_severity, Severity::Info);
        assert!(data.exempt_namespaces.is_empty());
        assert!(data.internet_egress.is_empty());
    }
}
