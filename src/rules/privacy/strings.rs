//! Every string a resource carries, with where it is written: plain
//! fields, configuration files inside ConfigMap values and ArgoCD Helm
//! values (walked as YAML, with positions inside the string), and
//! `name`/`value` pairs however they are spelled.

use crate::resource::Resource;
use crate::source::Mark;
use crate::yaml::node::escape_token;
use crate::yaml::{self, Node, Value};

/// Where a string was seen.
#[derive(Debug, Clone)]
pub struct Spot<'a> {
    pub resource: &'a Resource,
    /// The field of the resource (for a string inside a string, the outer one).
    pub pointer: String,
    pub mark: Mark,
}

/// What the walk shows a rule.
pub enum Seen<'n> {
    /// A string value.
    Text(&'n str),
    /// A setting: an env entry, a mapping key with a scalar value, a
    /// `--flag=value` argument.
    Pair { name: &'n str, value: &'n str },
    /// A mapping, for rules that look for a structure (`model_list`).
    /// `outer` is the string it was parsed from, if any: positions inside
    /// it are `outer.mark_within(node.start)`.
    Mapping {
        node: &'n Node,
        outer: Option<&'n Node>,
    },
}

/// Where a node seen in a walk is written.
pub fn mark_of(node: &Node, outer: Option<&Node>) -> Mark {
    match outer {
        Some(outer) => outer.mark_within(node.start),
        None => node.start,
    }
}

/// Walks every string of `resource`. Secrets are skipped (their values
/// are the SEC rules' business and are never shown), and so is the copy
/// of the object kubectl keeps in an annotation.
pub fn walk<'a>(resource: &'a Resource, visit: &mut dyn FnMut(&Seen<'_>, &Spot<'a>)) {
    if resource.is("", "Secret") || resource.is("bitnami.com", "SealedSecret") {
        return;
    }
    let walker = Walker { resource, visit };
    walker.node(&resource.object, String::new());
}

struct Walker<'a, 'v> {
    resource: &'a Resource,
    visit: &'v mut dyn FnMut(&Seen<'_>, &Spot<'a>),
}

impl<'a> Walker<'a, '_> {
    fn spot(&self, pointer: &str, mark: Mark) -> Spot<'a> {
        Spot {
            resource: self.resource,
            pointer: pointer.to_owned(),
            mark,
        }
    }

    fn node(mut self, node: &Node, pointer: String) -> Self {
        self = self.tree(node, &pointer, None);
        self
    }

    /// Visits `node`; `outer` is the string node holding it when `node`
    /// was parsed out of a string (positions are moved there).
    fn tree(mut self, node: &Node, pointer: &str, outer: Option<&Node>) -> Self {
        let mark_of = |node: &Node| mark_of(node, outer);
        match &node.value {
            Value::String(text) => {
                if outer.is_none() && self.holds_files(pointer) && text.contains('\n') {
                    let documents = yaml::parse_stream(text, yaml::Limits::default());
                    let clean = documents
                        .iter()
                        .all(|document| document.problems.is_empty());
                    let parsed = documents
                        .into_iter()
                        .find_map(|document| document.root)
                        .filter(|root| {
                            clean && matches!(root.value, Value::Mapping(_) | Value::Sequence(_))
                        });
                    match parsed {
                        Some(root) => return self.tree(&root, pointer, Some(node)),
                        None => return self.lines(text, pointer, node),
                    }
                }
                let spot = self.spot(pointer, mark_of(node));
                (self.visit)(&Seen::Text(text), &spot);
                if let Some((name, value)) = text
                    .strip_prefix('-')
                    .map(|rest| rest.trim_start_matches('-'))
                    .and_then(|flag| flag.split_once('='))
                {
                    (self.visit)(&Seen::Pair { name, value }, &spot);
                }
            }
            Value::Mapping(entries) => {
                let spot = self.spot(pointer, mark_of(node));
                (self.visit)(&Seen::Mapping { node, outer }, &spot);
                // `{name: X, value: Y}`: env entries, Helm parameters, extraEnv.
                if let (Some(name), Some(value)) = (
                    node.get("name").and_then(Node::as_str),
                    node.get("value").and_then(Node::as_str),
                ) {
                    let inner = self.inner_pointer(pointer, outer, "value");
                    let spot = self.spot(&inner, mark_of(&node["value"]));
                    (self.visit)(&Seen::Pair { name, value }, &spot);
                }
                for entry in entries.iter() {
                    if entry.key.as_ref() == "kubectl.kubernetes.io/last-applied-configuration" {
                        continue;
                    }
                    let inner = self.inner_pointer(pointer, outer, &entry.key);
                    if let Some(value) = entry.node.as_str() {
                        let spot = self.spot(&inner, mark_of(&entry.node));
                        (self.visit)(
                            &Seen::Pair {
                                name: &entry.key,
                                value,
                            },
                            &spot,
                        );
                    }
                    self = self.tree(&entry.node, &inner, outer);
                }
            }
            Value::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    let inner = self.inner_pointer(pointer, outer, &index.to_string());
                    self = self.tree(item, &inner, outer);
                }
            }
            _ => {}
        }
        self
    }

    /// Pointers go into the resource's own fields only; inside a string
    /// they stay at the string.
    fn inner_pointer(&self, pointer: &str, outer: Option<&Node>, token: &str) -> String {
        match outer {
            Some(_) => pointer.to_owned(),
            None => format!("{pointer}/{}", escape_token(token)),
        }
    }

    /// A file that is not YAML (`grafana.ini`, a `.env`): each line is a
    /// text, and `key = value` / `key: value` lines are pairs.
    fn lines(self, text: &str, pointer: &str, outer: &Node) -> Self {
        for (index, line) in text.lines().enumerate() {
            let indent = line.len() - line.trim_start().len();
            let at = Mark::new(
                u32::try_from(index + 1).unwrap_or(u32::MAX),
                u32::try_from(indent + 1).unwrap_or(u32::MAX),
            );
            let spot = self.spot(pointer, outer.mark_within(at));
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            (self.visit)(&Seen::Text(trimmed), &spot);
            if let Some((name, value)) =
                trimmed.split_once('=').or_else(|| trimmed.split_once(": "))
            {
                let value = value.trim().trim_matches(['"', '\'']);
                (self.visit)(
                    &Seen::Pair {
                        name: name.trim().trim_start_matches("export "),
                        value,
                    },
                    &spot,
                );
            }
        }
        self
    }

    /// Strings that hold files: ConfigMap values and ArgoCD `helm.values`.
    fn holds_files(&self, pointer: &str) -> bool {
        (self.resource.is("", "ConfigMap") && pointer.starts_with("/data/"))
            || (self.resource.group() == "argoproj.io" && pointer.ends_with("/helm/values"))
    }
}
