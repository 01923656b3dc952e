//! Turns a file's text into Kubernetes resources, reporting (never dropping)
//! what cannot be one.

use std::ops::AddAssign;

use globset::GlobMatcher;
use serde::Deserialize;

use crate::finding::Finding;
use crate::redact::{self, Span};
use crate::resource::Resource;
use crate::rules::{RuleMeta, parse};
use crate::source::FileId;
use crate::suppress::glob;
use crate::yaml::{self, Document, Node, ProblemKind, Value};

/// What a run read, for the summary.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Files read as text (including ones with syntax errors).
    pub files_read: usize,
    /// Files not read: unreadable, too large, or not text.
    pub files_unreadable: usize,
    pub documents: usize,
    pub resources: usize,
    /// Empty and comment-only documents.
    pub empty_documents: usize,
    /// YAML that is not a Kubernetes object: Helm values, CI configs...
    pub non_kubernetes_documents: usize,
    /// Tool configuration with `apiVersion` and `kind` (see
    /// `rules/documents.yaml`).
    pub tool_configurations: usize,
    /// Files the secret scanner read (manifests and other text).
    pub files_scanned: usize,
    /// Files not scanned because they are binary or not UTF-8.
    pub binary_files: usize,
    /// Files not scanned because they are over the size limit.
    pub large_files: usize,
}

impl AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.files_read += other.files_read;
        self.files_unreadable += other.files_unreadable;
        self.documents += other.documents;
        self.resources += other.resources;
        self.empty_documents += other.empty_documents;
        self.non_kubernetes_documents += other.non_kubernetes_documents;
        self.tool_configurations += other.tool_configurations;
        self.files_scanned += other.files_scanned;
        self.binary_files += other.binary_files;
        self.large_files += other.large_files;
    }
}

/// Documents that are tool configuration, from `rules/documents.yaml`.
pub struct DocumentKinds {
    tool_configurations: Vec<ToolConfiguration>,
}

struct ToolConfiguration {
    api_version: GlobMatcher,
    kind: KindMatch,
    fields: Vec<String>,
}

enum KindMatch {
    Any,
    Glob(GlobMatcher),
    Absent,
}

const DOCUMENT_KINDS: &str = include_str!("../rules/documents.yaml");

impl DocumentKinds {
    pub fn builtin() -> Result<DocumentKinds, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Raw {
            tool_configurations: Vec<RawToolConfiguration>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct RawToolConfiguration {
            #[allow(dead_code, reason = "documents the entry")]
            tool: String,
            api_version: String,
            kind: Option<String>,
            #[serde(default)]
            no_kind: bool,
            #[serde(default)]
            fields: Vec<String>,
        }
        let broken = |why: String| format!("rules/documents.yaml: {why}");
        let document = yaml::parse_stream(DOCUMENT_KINDS, yaml::Limits::default())
            .pop()
            .and_then(|document| document.root)
            .ok_or_else(|| broken("not readable".into()))?;
        let raw: Raw = serde_json::from_value(document.to_json())
            .map_err(|error| broken(error.to_string()))?;
        let tool_configurations = raw
            .tool_configurations
            .into_iter()
            .map(|entry| {
                let kind = match (entry.kind, entry.no_kind) {
                    (Some(_), true) => {
                        return Err("an entry has both `kind` and `noKind`".to_owned());
                    }
                    (Some(kind), false) => KindMatch::Glob(glob(&kind, false)?),
                    (None, true) => KindMatch::Absent,
                    (None, false) => KindMatch::Any,
                };
                Ok(ToolConfiguration {
                    api_version: glob(&entry.api_version, false)?,
                    kind,
                    fields: entry.fields,
                })
            })
            .collect::<Result<_, String>>()
            .map_err(broken)?;
        Ok(DocumentKinds {
            tool_configurations,
        })
    }

    fn is_tool_configuration(&self, document: &Node) -> bool {
        let Some(api_version) = document.get("apiVersion").and_then(Node::as_str) else {
            return false;
        };
        let kind = document.get("kind");
        self.tool_configurations.iter().any(|tool| {
            let kind_matches = match (&tool.kind, kind) {
                (KindMatch::Any, _) | (KindMatch::Absent, None) => true,
                (KindMatch::Glob(glob), Some(kind)) => {
                    kind.as_str().is_some_and(|kind| glob.is_match(kind))
                }
                _ => false,
            };
            kind_matches
                && tool.api_version.is_match(api_version)
                && tool
                    .fields
                    .iter()
                    .all(|field| document.get(field).is_some())
        })
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub resources: Vec<Resource>,
    pub findings: Vec<Finding>,
    pub tally: Tally,
    /// Where the file holds secret values (see `redact`).
    pub secrets: Vec<Span>,
}

/// Reads every document of a file's text.
pub fn load(file: FileId, text: &str, kinds: &DocumentKinds, limits: yaml::Limits) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.tally.files_read = 1;
    let documents = yaml::parse_stream(text, limits);
    if documents.is_empty() {
        loaded.tally.empty_documents = 1;
    }
    let starts: Vec<u32> = documents
        .iter()
        .map(|document| document.start.line)
        .collect();
    for (position, document) in documents.into_iter().enumerate() {
        if document.root.is_none() {
            let end = starts.get(position + 1).copied().unwrap_or(u32::MAX);
            let spans = redact::unparsed_secret_spans(text, document.start.line, end);
            loaded.secrets.extend(spans);
        }
        load_document(file, document, kinds, &mut loaded);
    }
    loaded
}

fn load_document(file: FileId, document: Document, kinds: &DocumentKinds, loaded: &mut Loaded) {
    loaded.tally.documents += 1;
    let index = document.index;
    for problem in &document.problems {
        let rule = match problem.kind {
            ProblemKind::Syntax => &parse::SYNTAX,
            ProblemKind::DuplicateKey => &parse::DUPLICATE_KEY,
            ProblemKind::AliasExpansion => &parse::ALIAS_BOMB,
            ProblemKind::TooDeep => &parse::TOO_DEEP,
        };
        let finding = Finding::at(rule, file, problem.mark, problem.message.clone());
        loaded.findings.push(finding.in_document(index));
    }
    let Some(node) = document.root else {
        return;
    };
    let object = Object {
        file,
        document: index,
        prefix: String::new(),
        node,
    };
    loaded.secrets.extend(redact::secret_spans(&object.node));
    match object.classify(kinds) {
        Class::Empty => loaded.tally.empty_documents += 1,
        Class::NotKubernetes => loaded.tally.non_kubernetes_documents += 1,
        Class::ToolConfiguration => loaded.tally.tool_configurations += 1,
        Class::Broken(finding) => loaded.findings.push(finding),
        Class::Resource(identity) => push_resource(object, identity, loaded),
        Class::List => expand_list(object, kinds, loaded),
    }
}

/// A node that may be a Kubernetes object, with where it sits.
struct Object {
    file: FileId,
    document: usize,
    prefix: String,
    node: Node,
}

struct Identity {
    api_version: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

enum Class {
    Empty,
    NotKubernetes,
    ToolConfiguration,
    List,
    Resource(Identity),
    Broken(Finding),
}

impl Object {
    fn finding(&self, rule: &'static RuleMeta, pointer: &str, message: String) -> Finding {
        let mark = self.node.locate(pointer).0.mark;
        let mut finding = Finding::at(rule, self.file, mark, message).in_document(self.document);
        finding.path = Some(format!("{}{pointer}", self.prefix));
        finding
    }

    fn broken(&self, rule: &'static RuleMeta, pointer: &str, message: String) -> Class {
        Class::Broken(self.finding(rule, pointer, message))
    }

    fn classify(&self, kinds: &DocumentKinds) -> Class {
        let node = &self.node;
        match node.value {
            Value::Null => return Class::Empty,
            Value::Mapping(_) => {}
            _ => return Class::NotKubernetes,
        }
        if kinds.is_tool_configuration(node) {
            return Class::ToolConfiguration;
        }
        let (api_version, kind) = match (node.get("apiVersion"), node.get("kind")) {
            (None, None) => return Class::NotKubernetes,
            (Some(api_version), None) => {
                let message = format!("has `apiVersion: {api_version}` but no `kind`");
                return self.broken(&parse::INCOMPLETE_TYPE, "/apiVersion", message);
            }
            (None, Some(kind)) => {
                let message = format!("has `kind: {kind}` but no `apiVersion`");
                return self.broken(&parse::INCOMPLETE_TYPE, "/kind", message);
            }
            (Some(api_version), Some(kind)) => match (api_version.as_str(), kind.as_str()) {
                (Some(api_version), Some(kind)) => (api_version, kind),
                (Some(_), None) => {
                    let message = format!("`kind` must be a string, not {}", type_name(kind));
                    return self.broken(&parse::INCOMPLETE_TYPE, "/kind", message);
                }
                (None, _) => {
                    let message = format!(
                        "`apiVersion` must be a string, not {}",
                        type_name(api_version)
                    );
                    return self.broken(&parse::INCOMPLETE_TYPE, "/apiVersion", message);
                }
            },
        };
        let items = node.get("items");
        if kind.ends_with("List")
            && items.is_some_and(|items| items.items().is_some() || items.is_null())
        {
            return Class::List;
        }
        let metadata = node
            .get("metadata")
            .filter(|metadata| metadata.is_mapping());
        let text = |field: &str| {
            metadata
                .and_then(|metadata| metadata.get(field))
                .and_then(Node::as_str)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let Some(name) = text("name").or_else(|| text("generateName")) else {
            let at = if metadata.is_some() {
                "/metadata"
            } else {
                "/kind"
            };
            let message = format!("{kind} has neither `metadata.name` nor `metadata.generateName`");
            return self.broken(&parse::UNNAMED, at, message);
        };
        Class::Resource(Identity {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            namespace: text("namespace"),
            name,
        })
    }
}

fn push_resource(object: Object, identity: Identity, loaded: &mut Loaded) {
    loaded.tally.resources += 1;
    loaded.resources.push(Resource {
        index: 0,
        file: object.file,
        document: object.document,
        prefix: object.prefix,
        object: object.node,
        api_version: identity.api_version,
        kind: identity.kind,
        namespace: identity.namespace,
        name: identity.name,
    });
}

/// `kind: List` (and `DeploymentList` and friends, as `kubectl get -o yaml`
/// writes them): each item is a resource of its own.
fn expand_list(list: Object, kinds: &DocumentKinds, loaded: &mut Loaded) {
    let list_kind = list.node["kind"].to_string();
    let Value::Mapping(entries) = list.node.value else {
        return;
    };
    let items = entries
        .into_vec()
        .into_iter()
        .find(|entry| &*entry.key == "items");
    let Some(Value::Sequence(items)) = items.map(|entry| entry.node.value) else {
        return;
    };
    for (index, node) in items.into_vec().into_iter().enumerate() {
        let item = Object {
            file: list.file,
            document: list.document,
            prefix: format!("{}/items/{index}", list.prefix),
            node,
        };
        loaded.secrets.extend(redact::secret_spans(&item.node));
        match item.classify(kinds) {
            Class::Resource(identity) => push_resource(item, identity, loaded),
            Class::Broken(finding) => loaded.findings.push(finding),
            Class::List => expand_list(item, kinds, loaded),
            Class::Empty | Class::NotKubernetes | Class::ToolConfiguration => {
                let message = format!("item {index} of the {list_kind} is not a Kubernetes object");
                loaded
                    .findings
                    .push(item.finding(&parse::INCOMPLETE_TYPE, "", message));
            }
        }
    }
}

fn type_name(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a sequence",
        Value::Mapping(_) => "a mapping",
    }
}

#[cfg(test)]
pub(crate) mod tests;
