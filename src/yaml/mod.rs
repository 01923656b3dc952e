//! Reads YAML (and JSON, which is YAML's flow style) into [`Node`] trees with
//! a position for every node.
//!
//! Why saphyr-parser's event stream rather than `yaml_serde` or saphyr's own
//! tree: `yaml_serde` only knows positions for its error messages, and saphyr's
//! marked tree is one more representation to convert. Building our tree
//! straight from events costs one pass (the floor is the parser itself), keeps
//! every node's line and column, and puts the limits untrusted input needs
//! (duplicate keys, alias expansion, nesting depth) where they belong: in the
//! one loop that builds the tree.

pub mod node;
pub mod scalar;

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::source::Mark;
pub use node::{Entry, Location, Node, Value};

/// Bounds that keep hostile input from exhausting memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest allowed nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes that aliases may add to one document ("billion laughs").
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Real manifests nest a few dozen levels (CRD schemas are the deepest)
        // and use aliases sparingly; these leave room for both while bounding
        // the memory and stack a hostile document can take.
        Limits {
            max_depth: 200,
            max_alias_nodes: 100_000,
        }
    }
}

/// What went wrong in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Syntax,
    DuplicateKey,
    AliasExpansion,
    TooDeep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub mark: Mark,
    pub message: String,
}

/// One document of a stream. `root` is `None` when a problem made the document
/// unusable; `problems` then says why.
#[derive(Debug)]
pub struct Document {
    /// 1-based position of the document in its stream.
    pub index: usize,
    pub start: Mark,
    pub root: Option<Node>,
    pub problems: Vec<Problem>,
}

/// Parses every document of a stream. A syntax error costs only the document
/// it is in: from that document on, the stream is split at `---` lines and
/// each piece is read on its own, so later documents are still checked.
pub fn parse_stream(text: &str, limits: Limits) -> Vec<Document> {
    let mut documents = Vec::new();
    let Err(failure) = parse_piece(text, 0, limits, &mut documents) else {
        return documents;
    };
    // The parser looks ahead, so the document it was building when it failed
    // may be a healthy one followed by the broken one: read both again.
    documents.truncate(failure.document_index - 1);
    let mut start = failure.resume_line;
    loop {
        let end = next_document_line(text, start);
        let piece = lines_slice(text, start, end.unwrap_or(u32::MAX));
        let _ = parse_piece(piece, start - 1, limits, &mut documents);
        match end {
            Some(next) => start = next,
            None => return documents,
        }
    }
}

/// Where a piece stopped on a syntax error: the document it was building and
/// the line that document began on.
struct Failure {
    document_index: usize,
    resume_line: u32,
}

fn parse_piece(
    text: &str,
    line_base: u32,
    limits: Limits,
    documents: &mut Vec<Document>,
) -> Result<(), Failure> {
    let mut parser = Parser::new_from_str(text);
    let mut current: Option<DocumentBuilder> = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => return Ok(()),
            Some(Ok(next)) => next,
            Some(Err(error)) => {
                let mark = to_mark(error.marker().line(), error.marker().col(), line_base);
                let kind = match error.info() {
                    "recursion limit exceeded" => ProblemKind::TooDeep,
                    _ => ProblemKind::Syntax,
                };
                let message = match kind {
                    ProblemKind::TooDeep => "flow collections nested too deeply".to_owned(),
                    _ => error.info().to_owned(),
                };
                let problem = Problem {
                    kind,
                    mark,
                    message,
                };
                let index = documents.len() + 1;
                let mut document = match current.take() {
                    Some(builder) => builder.abandon(),
                    None => Document {
                        index,
                        start: mark,
                        root: None,
                        problems: Vec::new(),
                    },
                };
                let failure = Failure {
                    document_index: document.index,
                    resume_line: document.start.line,
                };
                document.problems.push(problem);
                documents.push(document);
                return Err(failure);
            }
        };
        let start = to_mark(span.start.line(), span.start.col(), line_base);
        match event {
            Event::DocumentStart(_) => {
                current = Some(DocumentBuilder::new(documents.len() + 1, start, limits));
            }
            Event::DocumentEnd => {
                if let Some(builder) = current.take() {
                    documents.push(builder.finish());
                }
            }
            Event::StreamEnd => return Ok(()),
            Event::StreamStart | Event::Nothing => {}
            event => {
                if let Some(builder) = current.as_mut() {
                    builder.handle(event, span, line_base);
                }
            }
        }
    }
}

fn to_mark(line: usize, zero_based_column: usize, line_base: u32) -> Mark {
    Mark::new(line as u32 + line_base, zero_based_column as u32 + 1)
}

/// The first line after `after` that starts a document with `---`.
fn next_document_line(text: &str, after: u32) -> Option<u32> {
    text.lines()
        .enumerate()
        .skip(after as usize)
        .find(|(_, line)| {
            line.strip_prefix("---")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
        })
        .map(|(index, _)| index as u32 + 1)
}

/// Lines `first..before` (1-based) of `text`.
fn lines_slice(text: &str, first: u32, before: u32) -> &str {
    let mut offset = 0;
    let mut start = None;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index as u32 + 1;
        if number == first {
            start = Some(offset);
        }
        if number == before {
            return &text[start.unwrap_or(offset)..offset];
        }
        offset += line.len();
    }
    &text[start.unwrap_or(text.len())..]
}

enum Frame {
    Sequence {
        anchor: usize,
        start: Mark,
        items: Vec<Node>,
        nodes: usize,
    },
    Mapping {
        anchor: usize,
        start: Mark,
        entries: Vec<Entry>,
        /// Key positions, built once a mapping is large enough for linear
        /// duplicate checks to matter.
        index: Option<HashMap<Box<str>, usize>>,
        nodes: usize,
        key: Option<PendingKey>,
        merges: Vec<Vec<Entry>>,
    },
}

/// Above this many entries a mapping keeps a hash index of its keys.
const INDEXED_MAPPING: usize = 16;

struct PendingKey {
    text: Box<str>,
    mark: Mark,
    is_merge: bool,
}

struct Anchored {
    node: Node,
    nodes: usize,
}

struct DocumentBuilder {
    index: usize,
    start: Mark,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    alias_nodes: usize,
    root: Option<Node>,
    problems: Vec<Problem>,
    failed: bool,
    /// Emptied buffers of finished containers, reused by the next ones:
    /// building a container then costs one exact-size allocation instead of
    /// a growing Vec's reallocations and a final shrink.
    spare_items: Vec<Vec<Node>>,
    spare_entries: Vec<Vec<Entry>>,
}

impl DocumentBuilder {
    fn new(index: usize, start: Mark, limits: Limits) -> Self {
        DocumentBuilder {
            index,
            start,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            root: None,
            problems: Vec::new(),
            failed: false,
            spare_items: Vec::new(),
            spare_entries: Vec::new(),
        }
    }

    fn finish(self) -> Document {
        Document {
            index: self.index,
            start: self.start,
            root: if self.failed { None } else { self.root },
            problems: self.problems,
        }
    }

    fn abandon(mut self) -> Document {
        self.failed = true;
        self.finish()
    }

    /// Gives the document up: the problem is recorded and the remaining events
    /// of the document are ignored.
    fn fail(&mut self, kind: ProblemKind, mark: Mark, message: String) {
        self.problems.push(Problem {
            kind,
            mark,
            message,
        });
        self.failed = true;
        self.stack.clear();
        self.anchors.clear();
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    fn handle(&mut self, event: Event<'_>, span: Span, line_base: u32) {
        if self.failed {
            return;
        }
        let start = to_mark(span.start.line(), span.start.col(), line_base);
        let end = to_mark(span.end.line(), span.end.col(), line_base);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if self.expecting_key() {
                    self.set_key(text.into(), start, style == ScalarStyle::Plain);
                    return;
                }
                let value = scalar_value(text, style, tag.as_deref());
                self.complete(Node::new(value, start, end), 1, anchor);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.expecting_key() {
                    let message = "a sequence or mapping used as a mapping key (Kubernetes only accepts scalar keys)";
                    return self.fail(ProblemKind::Syntax, start, message.to_owned());
                }
                if self.stack.len() >= self.limits.max_depth {
                    let message = format!(
                        "nesting deeper than {} levels; no Kubernetes object needs this",
                        self.limits.max_depth
                    );
                    return self.fail(ProblemKind::TooDeep, start, message);
                }
                self.stack.push(match event {
                    Event::SequenceStart(..) => Frame::Sequence {
                        anchor,
                        start,
                        items: self.spare_items.pop().unwrap_or_default(),
                        nodes: 1,
                    },
                    _ => Frame::Mapping {
                        anchor,
                        start,
                        entries: self.spare_entries.pop().unwrap_or_default(),
                        index: None,
                        nodes: 1,
                        key: None,
                        merges: Vec::new(),
                    },
                });
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(end),
            Event::Alias(id) => self.alias(id, start, end),
            _ => {}
        }
    }

    fn set_key(&mut self, text: Box<str>, mark: Mark, plain: bool) {
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
            let is_merge = plain && &*text == "<<";
            *key = Some(PendingKey {
                text,
                mark,
                is_merge,
            });
        }
    }

    fn close(&mut self, end: Mark) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Sequence {
                anchor,
                start,
                mut items,
                nodes,
            } => {
                let node = Node::new(Value::Sequence(exact(&mut items)), start, end);
                self.spare_items.push(items);
                self.complete(node, nodes, anchor);
            }
            Frame::Mapping {
                anchor,
                start,
                mut entries,
                nodes,
                merges,
                ..
            } => {
                // Explicit keys win over merged ones, and earlier merge sources
                // over later ones (YAML's merge-key rules).
                for merged in merges {
                    for entry in merged {
                        if !entries.iter().any(|existing| existing.key == entry.key) {
                            entries.push(entry);
                        }
                    }
                }
                let node = Node::new(Value::Mapping(exact(&mut entries)), start, end);
                self.spare_entries.push(entries);
                self.complete(node, nodes, anchor);
            }
        }
    }

    fn alias(&mut self, id: usize, start: Mark, end: Mark) {
        let Some(anchored) = self.anchors.get(&id) else {
            let message =
                "alias to an anchor this document does not define (anchors do not cross `---`)";
            return self.fail(ProblemKind::Syntax, start, message.to_owned());
        };
        if self.expecting_key() {
            match anchored.node.as_str() {
                Some(text) => {
                    let text = text.into();
                    return self.set_key(text, start, false);
                }
                None => {
                    let message = "an alias to a non-string used as a mapping key";
                    return self.fail(ProblemKind::Syntax, start, message.to_owned());
                }
            }
        }
        let nodes = anchored.nodes;
        if self.alias_nodes + nodes > self.limits.max_alias_nodes {
            let message = format!(
                "aliases expand this document past {} nodes (a YAML \"billion laughs\" bomb?); the document is not read",
                self.limits.max_alias_nodes
            );
            return self.fail(ProblemKind::AliasExpansion, start, message);
        }
        self.alias_nodes += nodes;
        // The alias stands where it is written; what it expands to keeps the
        // positions of the anchored text.
        let node = Node::new(anchored.node.value.clone(), start, end);
        self.complete(node, nodes, 0);
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, nodes: usize, anchor: usize) {
        if anchor != 0 {
            let anchored = Anchored {
                node: node.clone(),
                nodes,
            };
            self.anchors.insert(anchor, anchored);
        }
        let problem = match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                None
            }
            Some(Frame::Sequence {
                items,
                nodes: count,
                ..
            }) => {
                items.push(node);
                *count += nodes;
                None
            }
            Some(Frame::Mapping {
                entries,
                index,
                nodes: count,
                key,
                merges,
                ..
            }) => {
                let Some(key) = key.take() else {
                    return;
                };
                *count += nodes;
                if key.is_merge {
                    match merge_sources(node) {
                        Some(sources) => {
                            merges.extend(sources);
                            None
                        }
                        None => Some(Problem {
                            kind: ProblemKind::Syntax,
                            mark: key.mark,
                            message: "a merge key `<<` needs a mapping or a sequence of mappings"
                                .to_owned(),
                        }),
                    }
                } else {
                    insert_entry(entries, index, key, node)
                }
            }
        };
        self.problems.extend(problem);
    }
}

/// Adds an entry to a mapping being built. A duplicate key replaces the
/// earlier value in place (as JSON decoders do) and is reported.
fn insert_entry(
    entries: &mut Vec<Entry>,
    index: &mut Option<HashMap<Box<str>, usize>>,
    key: PendingKey,
    node: Node,
) -> Option<Problem> {
    let existing = match index {
        Some(index) => index.get(&key.text).copied(),
        None => entries.iter().position(|entry| entry.key == key.text),
    };
    if let Some(position) = existing {
        let first = entries[position].key_mark;
        let message = format!(
            "duplicate key `{}` (first at line {}); kubectl rejects the document, other tools silently keep one of the values",
            key.text, first.line
        );
        entries[position] = Entry {
            key: key.text,
            key_mark: key.mark,
            node,
        };
        return Some(Problem {
            kind: ProblemKind::DuplicateKey,
            mark: key.mark,
            message,
        });
    }
    if let Some(index) = index {
        index.insert(key.text.clone(), entries.len());
    }
    entries.push(Entry {
        key: key.text,
        key_mark: key.mark,
        node,
    });
    if index.is_none() && entries.len() > INDEXED_MAPPING {
        *index = Some(
            entries
                .iter()
                .enumerate()
                .map(|(position, entry)| (entry.key.clone(), position))
                .collect(),
        );
    }
    None
}

/// Moves a buffer's contents into an exact-size slice, leaving the buffer
/// empty with its capacity for reuse.
fn exact<T>(buffer: &mut Vec<T>) -> Box<[T]> {
    buffer.drain(..).collect()
}

fn merge_sources(node: Node) -> Option<Vec<Vec<Entry>>> {
    match node.value {
        Value::Mapping(entries) => Some(vec![entries.into_vec()]),
        Value::Sequence(items) => items
            .into_vec()
            .into_iter()
            .map(|item| match item.value {
                Value::Mapping(entries) => Some(entries.into_vec()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn scalar_value(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    match tag {
        Some(tag) if tag.handle == "!!" || tag.is_yaml_core_schema() => {
            scalar::resolve_tagged(&text, &tag.suffix)
        }
        Some(_) => Value::String(text.into()),
        None if style == ScalarStyle::Plain => scalar::resolve_plain(&text),
        None => Value::String(text.into()),
    }
}

#[cfg(test)]
mod tests;
