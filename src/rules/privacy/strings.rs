//! Every string a resource carries, with where it is written: plain
//! fields, configuration files inside ConfigMap values and ArgoCD Helm
//! values (walked as YAML, with positions inside the string), and
//! `name`/`value` pairs however they are spelled.

use std::cell::RefCell;
use std::rc::Rc;

use crate::resource::Resource;
use crate::source::Mark;
use crate::yaml::node::escape_token;
use crate::yaml::{self, Node, Value};

/// Where a string was seen.
#[derive(Debug, Clone, Copy)]
pub struct Spot<'a, 'p> {
    pub resource: &'a Resource,
    /// The field of the resource (for a string inside a string, the outer one).
    pub pointer: &'p str,
    pub mark: Mark,
}

/// What the walk shows a rule.
pub enum Seen<'n> {
    /// A string value.
    Text(&'n str),
    /// A setting: an env entry, a mapping key with a scalar value, a
    /// `--flag=value` argument, a `key = value` line of a file.
    Pair { name: &'n str, value: &'n str },
    /// A mapping, for rules that look for a structure (`model_list`).
    /// `outer` is the string it was parsed from, if any: positions inside
    /// it are `outer.mark_within(mark)`.
    Mapping {
        node: &'n Node,
        outer: Option<&'n Node>,
    },
    /// A variable set from a reference (`valueFrom`): its value is unknown
    /// but it is set.
    Reference { name: &'n str },
}

/// Where a position inside the walked tree is in the file.
pub fn within(mark: Mark, outer: Option<&Node>) -> Mark {
    match outer {
        Some(outer) => outer.mark_within(mark),
        None => mark,
    }
}

thread_local! {
    /// Files parsed out of the strings of the resource being checked, so
    /// that the rules walking it one after the other (on this thread) parse
    /// each file once. Keyed by the text itself, so an entry can never be
    /// wrong, only unused; emptied when the next resource comes.
    static EMBEDDED: RefCell<ParsedFiles> = const {
        RefCell::new(ParsedFiles {
            owner: 0,
            files: Vec::new(),
        })
    };
}

/// The files parsed out of one resource's strings: the text, and its tree
/// when it is YAML.
struct ParsedFiles {
    owner: usize,
    files: Vec<(Rc<str>, Option<Rc<Node>>)>,
}

/// `text` read as a YAML file (a mapping or sequence without problems), or
/// `None` when it is some other file.
fn embedded_yaml(resource: &Resource, text: &str) -> Option<Rc<Node>> {
    EMBEDDED.with(|cell| {
        let mut cache = cell.borrow_mut();
        let owner = std::ptr::from_ref(resource) as usize;
        if cache.owner != owner {
            cache.owner = owner;
            cache.files.clear();
        }
        if let Some((_, parsed)) = cache.files.iter().find(|(seen, _)| seen.as_ref() == text) {
            return parsed.clone();
        }
        let documents = yaml::parse_stream(text, yaml::Limits::default());
        let clean = documents
            .iter()
            .all(|document| document.problems.is_empty());
        let parsed = documents
            .into_iter()
            .find_map(|document| document.root)
            .filter(|root| clean && matches!(root.value, Value::Mapping(_) | Value::Sequence(_)))
            .map(Rc::new);
        cache.files.push((Rc::from(text), parsed.clone()));
        parsed
    })
}

type Visit<'v, 'a> = dyn FnMut(&Seen<'_>, Spot<'a, '_>) + 'v;

/// Walks every string of `resource`. Secrets are skipped (their values
/// are the SEC rules' business and are never shown), and so is the copy
/// of the object kubectl keeps in an annotation.
pub fn walk<'a>(resource: &'a Resource, visit: &mut Visit<'_, 'a>) {
    if resource.is("", "Secret") || resource.is("bitnami.com", "SealedSecret") {
        return;
    }
    let mut walker = Walker {
        resource,
        visit,
        // One buffer for every pointer of the walk: pushed and truncated,
        // allocated once.
        pointer: String::new(),
    };
    walker.tree(&resource.object, resource.object.start, None);
}

struct Walker<'a, 'v, 'w> {
    resource: &'a Resource,
    visit: &'w mut Visit<'v, 'a>,
    pointer: String,
}

impl<'a> Walker<'a, '_, '_> {
    fn emit(&mut self, seen: &Seen<'_>, mark: Mark) {
        let spot = Spot {
            resource: self.resource,
            pointer: &self.pointer,
            mark,
        };
        (self.visit)(seen, spot);
    }

    /// Visits `node`, written at `at` (a mapping value is where its key is,
    /// as everywhere in charter); `outer` is the string node holding it when
    /// `node` was parsed out of a string (positions are moved there, and
    /// pointers stay at the string).
    fn tree(&mut self, node: &Node, at: Mark, outer: Option<&Node>) {
        match &node.value {
            Value::String(text) => {
                if outer.is_none() && self.holds_files() && text.contains('\n') {
                    match embedded_yaml(self.resource, text) {
                        Some(root) => {
                            let start = root.start;
                            self.tree(&root, start, Some(node));
                        }
                        None => self.lines(text, node),
                    }
                    return;
                }
                let mark = within(at, outer);
                self.emit(&Seen::Text(text), mark);
                if let Some((name, value)) = text
                    .strip_prefix('-')
                    .map(|rest| rest.trim_start_matches('-'))
                    .and_then(|flag| flag.split_once('='))
                {
                    self.emit(&Seen::Pair { name, value }, mark);
                }
            }
            Value::Mapping(entries) => {
                self.emit(&Seen::Mapping { node, outer }, within(at, outer));
                // `{name: X, value: Y}`: env entries, Helm parameters, extraEnv.
                if let Some(name) = node.get("name").and_then(Node::as_str) {
                    if let Some(entry) = node.entry("value")
                        && let Some(value) = entry.node.as_str()
                    {
                        let length = self.enter(outer, "value");
                        self.emit(&Seen::Pair { name, value }, within(entry.key_mark, outer));
                        self.pointer.truncate(length);
                    } else if let Some(entry) = node.entry("valueFrom") {
                        let length = self.enter(outer, "valueFrom");
                        self.emit(&Seen::Reference { name }, within(entry.key_mark, outer));
                        self.pointer.truncate(length);
                    }
                }
                for entry in entries.iter() {
                    if entry.key.as_ref() == "kubectl.kubernetes.io/last-applied-configuration" {
                        continue;
                    }
                    let length = self.enter(outer, &entry.key);
                    if let Some(value) = entry.node.as_str() {
                        let pair = Seen::Pair {
                            name: &entry.key,
                            value,
                        };
                        self.emit(&pair, within(entry.key_mark, outer));
                    }
                    self.tree(&entry.node, entry.key_mark, outer);
                    self.pointer.truncate(length);
                }
            }
            Value::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    let length = self.enter(outer, &index.to_string());
                    self.tree(item, item.start, outer);
                    self.pointer.truncate(length);
                }
            }
            _ => {}
        }
    }

    /// Extends the pointer by `token` (not inside a string) and returns the
    /// length to truncate back to.
    fn enter(&mut self, outer: Option<&Node>, token: &str) -> usize {
        let length = self.pointer.len();
        if outer.is_none() {
            self.pointer.push('/');
            self.pointer.push_str(&escape_token(token));
        }
        length
    }

    /// A file that is not YAML (`grafana.ini`, a `.env`): each line is a
    /// text, and `key = value` / `key: value` lines are pairs.
    fn lines(&mut self, text: &str, outer: &Node) {
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let at = Mark::new(
                u32::try_from(index + 1).unwrap_or(u32::MAX),
                u32::try_from(indent + 1).unwrap_or(u32::MAX),
            );
            let mark = outer.mark_within(at);
            self.emit(&Seen::Text(trimmed), mark);
            if let Some((name, value)) =
                trimmed.split_once('=').or_else(|| trimmed.split_once(": "))
            {
                let value = value.trim().trim_matches(['"', '\'']);
                let name = name.trim().trim_start_matches("export ");
                self.emit(&Seen::Pair { name, value }, mark);
            }
        }
    }

    /// Strings that hold files: ConfigMap values and ArgoCD `helm.values`.
    fn holds_files(&self) -> bool {
        (self.resource.is("", "ConfigMap") && self.pointer.starts_with("/data/"))
            || (self.resource.group() == "argoproj.io" && self.pointer.ends_with("/helm/values"))
    }
}
