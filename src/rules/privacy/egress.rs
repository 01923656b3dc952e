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
pub use crate::selector::Selector;
use crate::selector::scalar_text;
use crate::yaml::Node;

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

/// The workloads of the set a policy's pod selector selects: same namespace
/// (both absent counts as the same), pod template labels matching.
pub fn selected_workloads<'a>(
    resources: &'a [Resource],
    policy: &Resource,
    selector: &Selector,
) -> Vec<&'a Resource> {
    crate::selector::selected_workloads(resources, policy.namespace.as_deref(), selector)
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
