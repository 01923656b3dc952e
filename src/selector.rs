//! Kubernetes label selectors and the labels they match, shared by every
//! rule that asks which pods a Service, NetworkPolicy or
//! PodDisruptionBudget selects.
//!
//! Selectors are read as written; a malformed one selects nothing (the API
//! server would refuse it), and the schema rules report it.

use crate::resource::Resource;
use crate::yaml::{Node, Value};

/// The text of a scalar (labels written as numbers or booleans included).
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(text) => Some(text.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(value) => Some(value.to_string()),
        _ => None,
    }
}

/// The labels of a workload's pods (its template's `metadata.labels`).
pub fn pod_labels(resource: &Resource) -> Vec<(String, String)> {
    match resource.pod_template() {
        Some(pod) => labels_in(pod.metadata),
        None => Vec::new(),
    }
}

/// The labels of a resource itself (`metadata.labels`).
pub fn labels(resource: &Resource) -> Vec<(String, String)> {
    labels_in(resource.metadata())
}

fn labels_in(metadata: Option<&Node>) -> Vec<(String, String)> {
    metadata
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
        self.matches_by(|key| {
            labels
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| std::borrow::Cow::Borrowed(value.as_str()))
        })
    }

    /// Whether a `labels:` mapping as written matches, without copying it:
    /// a set's selectors are matched against every workload of their
    /// namespace.
    pub fn matches_node(&self, labels: Option<&Node>) -> bool {
        let entries = labels.and_then(Node::entries).unwrap_or_default();
        self.matches_by(|key| {
            let entry = entries.iter().find(|entry| &*entry.key == key)?;
            match &entry.node.value {
                Value::String(text) => Some(std::borrow::Cow::Borrowed(&**text)),
                _ => scalar_text(&entry.node).map(std::borrow::Cow::Owned),
            }
        })
    }

    fn matches_by<'l>(&self, value: impl Fn(&str) -> Option<std::borrow::Cow<'l, str>>) -> bool {
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::Equals(key, expected) => {
                    value(key).is_some_and(|v| v == expected.as_str())
                }
                Requirement::In(key, values) => {
                    value(key).is_some_and(|v| values.iter().any(|x| *x == v))
                }
                Requirement::NotIn(key, values) => {
                    value(key).is_none_or(|v| !values.iter().any(|x| *x == v))
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

impl Selector {
    /// Reads a plain label map (a Service's `spec.selector`); `None` when it
    /// is malformed.
    pub fn from_labels(node: &Node) -> Option<Selector> {
        let mut requirements = Vec::new();
        for entry in node.entries()? {
            requirements.push(Requirement::Equals(
                entry.key.to_string(),
                scalar_text(&entry.node)?,
            ));
        }
        Some(Selector { requirements })
    }
}

/// The workloads of the set (every resource that runs a pod) in `namespace`
/// (both absent counts as the same) whose pod template labels `selector`
/// matches.
pub fn selected_workloads<'a>(
    resources: &'a [Resource],
    namespace: Option<&str>,
    selector: &Selector,
) -> Vec<&'a Resource> {
    resources
        .iter()
        .filter(|resource| resource.namespace.as_deref() == namespace)
        .filter(|resource| {
            resource.pod_template().is_some_and(|pod| {
                selector.matches_node(pod.metadata.and_then(|metadata| metadata.get("labels")))
            })
        })
        .collect()
}

/// Whether any workload of the set in `namespace` is selected: the
/// question of rules about selectors that select nothing, answered at the
/// first match.
pub fn selects_any_workload(
    resources: &[Resource],
    namespace: Option<&str>,
    selector: &Selector,
) -> bool {
    resources.iter().any(|resource| {
        resource.namespace.as_deref() == namespace
            && resource.pod_template().is_some_and(|pod| {
                selector.matches_node(pod.metadata.and_then(|metadata| metadata.get("labels")))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn plain_label_maps() {
        let selector = Selector::from_labels(&node("{app: ollama, tier: 1}")).unwrap();
        assert!(selector.matches(&labels(&[("app", "ollama"), ("tier", "1"), ("x", "y")])));
        assert!(!selector.matches(&labels(&[("app", "ollama")])));
        assert_eq!(selector.describe(), "app=ollama,tier=1");
        assert_eq!(Selector::from_labels(&node("[a]")), None);
        assert_eq!(Selector::from_labels(&node("{app: {x: y}}")), None);
    }
}
