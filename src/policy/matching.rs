//! A Gatekeeper Constraint's `spec.match`: which objects it judges. The
//! semantics are Gatekeeper's (`pkg/mutation/match`): every criterion that
//! is written must hold, and an unwritten one matches everything.

use std::collections::HashMap;

use crate::resource::Resource;
use crate::selector::{Selector, labels};
use crate::yaml::Node;

#[derive(Debug, Clone, Default)]
pub struct Match {
    /// `(apiGroups, kinds)` pairs; empty matches every kind.
    kinds: Vec<(Vec<String>, Vec<String>)>,
    scope: Scope,
    namespaces: Vec<String>,
    excluded_namespaces: Vec<String>,
    /// `None` inside means a malformed selector, which selects nothing.
    label_selector: Option<Option<Selector>>,
    namespace_selector: Option<Option<Selector>>,
    name: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Scope {
    #[default]
    Any,
    Cluster,
    Namespaced,
}

/// The labels of the set's Namespaces, for `namespaceSelector`.
pub type NamespaceLabels = HashMap<String, Vec<(String, String)>>;

impl Match {
    /// Reads `spec.match` (absent: everything).
    pub fn parse(node: Option<&Node>) -> Match {
        let Some(node) = node.filter(|node| node.is_mapping()) else {
            return Match::default();
        };
        let strings = |key: &str| -> Vec<String> {
            node.get(key)
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        };
        let kinds = node
            .get("kinds")
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|entry| {
                let list = |key: &str| -> Vec<String> {
                    entry
                        .get(key)
                        .and_then(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_owned))
                        .collect()
                };
                (list("apiGroups"), list("kinds"))
            })
            .collect();
        let selector = |key: &str| {
            node.get(key)
                .filter(|selector| !selector.is_null())
                .map(|selector| Selector::parse(Some(selector)))
        };
        Match {
            kinds,
            scope: match node.get("scope").and_then(Node::as_str) {
                Some("Cluster") => Scope::Cluster,
                Some("Namespaced") => Scope::Namespaced,
                // `*`, and typos, as Gatekeeper reads them.
                _ => Scope::Any,
            },
            namespaces: strings("namespaces"),
            excluded_namespaces: strings("excludedNamespaces"),
            label_selector: selector("labelSelector"),
            namespace_selector: selector("namespaceSelector"),
            name: node
                .get("name")
                .and_then(Node::as_str)
                .filter(|name| !name.is_empty())
                .map(str::to_owned),
        }
    }

    pub fn matches(&self, resource: &Resource, namespaces: &NamespaceLabels) -> bool {
        let is_namespace = resource.is("", "Namespace");
        let namespace = match is_namespace {
            true => Some(resource.name.as_str()),
            false => resource.namespace.as_deref().filter(|ns| !ns.is_empty()),
        };
        self.kinds_match(resource)
            && match self.scope {
                Scope::Any => true,
                Scope::Cluster => is_namespace || resource.namespace.is_none(),
                Scope::Namespaced => !is_namespace && resource.namespace.is_some(),
            }
            && (self.namespaces.is_empty()
                || namespace.is_none_or(|ns| self.namespaces.iter().any(|w| wildcard(w, ns))))
            && namespace.is_none_or(|ns| !self.excluded_namespaces.iter().any(|w| wildcard(w, ns)))
            && self
                .label_selector
                .as_ref()
                .is_none_or(|selector| selects(selector, &labels(resource)))
            && self.namespace_selector_matches(resource, is_namespace, namespaces)
            && self
                .name
                .as_deref()
                .is_none_or(|pattern| wildcard(pattern, &resource.name))
    }

    fn kinds_match(&self, resource: &Resource) -> bool {
        let has =
            |list: &[String], value: &str| list.iter().any(|item| item == "*" || item == value);
        self.kinds.is_empty()
            || self.kinds.iter().any(|(groups, kinds)| {
                (kinds.is_empty() || has(kinds, &resource.kind))
                    && (groups.is_empty() || has(groups, resource.group()))
            })
    }

    fn namespace_selector_matches(
        &self,
        resource: &Resource,
        is_namespace: bool,
        namespaces: &NamespaceLabels,
    ) -> bool {
        let Some(selector) = &self.namespace_selector else {
            return true;
        };
        if is_namespace {
            return selects(selector, &labels(resource));
        }
        match resource.namespace.as_deref() {
            // Every cluster-scoped object that is not a Namespace.
            None => true,
            // Gatekeeper needs the Namespace to decide; a set without it
            // (a pre-commit run over one file) cannot tell, and says nothing.
            Some(namespace) => namespaces
                .get(namespace)
                .is_some_and(|labels| selects(selector, labels)),
        }
    }
}

fn selects(selector: &Option<Selector>, labels: &[(String, String)]) -> bool {
    selector
        .as_ref()
        .is_some_and(|selector| selector.matches(labels))
}

/// Gatekeeper's wildcards: a `*` at the start or the end of a name.
fn wildcard(pattern: &str, name: &str) -> bool {
    if let Some(suffix) = pattern.strip_prefix('*') {
        name.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        name.starts_with(prefix)
    } else {
        pattern == name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    fn matcher(spec: &str) -> Match {
        let documents = crate::yaml::parse_stream(spec, crate::yaml::Limits::default());
        Match::parse(documents[0].root.as_ref())
    }

    const OBJECTS: &str = "\
apiVersion: v1
kind: List
items:
  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web-a, namespace: kube-system, labels: {tier: web}}}
  - {apiVersion: v1, kind: Pod, metadata: {name: job-b, namespace: ai, labels: {tier: batch}}}
  - {apiVersion: v1, kind: Namespace, metadata: {name: ai, labels: {env: prod}}}
  - {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader}}
";

    fn matched(spec: &str) -> Vec<String> {
        let resources = resources_of(OBJECTS);
        let mut namespaces = NamespaceLabels::new();
        namespaces.insert("ai".into(), vec![("env".into(), "prod".into())]);
        let matcher = matcher(spec);
        resources
            .iter()
            .filter(|resource| matcher.matches(resource, &namespaces))
            .map(|resource| resource.name.clone())
            .collect()
    }

    #[test]
    fn unwritten_criteria_match_everything() {
        assert_eq!(matched("{}"), ["web-a", "job-b", "ai", "reader"]);
    }

    #[test]
    fn kinds_with_groups_and_wildcards() {
        assert_eq!(
            matched("kinds: [{apiGroups: [apps], kinds: [Deployment]}]"),
            ["web-a"]
        );
        assert_eq!(
            matched("kinds: [{apiGroups: ['*'], kinds: [Pod, ClusterRole]}]"),
            ["job-b", "reader"]
        );
        assert_eq!(
            matched("kinds: [{apiGroups: [''], kinds: []}]"),
            ["job-b", "ai"]
        );
    }

    #[test]
    fn namespaces_excluded_namespaces_and_scope() {
        // Cluster-scoped objects are not disqualified by namespace lists.
        assert_eq!(matched("namespaces: [ai]"), ["job-b", "ai", "reader"]);
        assert_eq!(
            matched("excludedNamespaces: ['kube-*']"),
            ["job-b", "ai", "reader"]
        );
        assert_eq!(matched("namespaces: ['*-system']"), ["web-a", "reader"]);
        assert_eq!(matched("scope: Cluster"), ["ai", "reader"]);
        assert_eq!(matched("scope: Namespaced"), ["web-a", "job-b"]);
    }

    #[test]
    fn selectors_and_names() {
        assert_eq!(
            matched("labelSelector: {matchLabels: {tier: web}}"),
            ["web-a"]
        );
        assert_eq!(
            matched(
                "labelSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]}"
            ),
            ["job-b", "ai", "reader"]
        );
        // kube-system is not in the set: its objects cannot be matched.
        assert_eq!(
            matched("namespaceSelector: {matchLabels: {env: prod}}"),
            ["job-b", "ai", "reader"]
        );
        assert_eq!(matched("name: 'web-*'"), ["web-a"]);
        assert_eq!(matched("name: '*-b'"), ["job-b"]);
    }
}
