//! The parsed form of a document: a compact tree that knows where every node
//! was written.
//!
//! Why not `serde_json::Value`: with key order preserved, every mapping in it
//! is a hashed `IndexMap` (several allocations, a SipHash per key, spare
//! capacity), which made a 6 MiB manifest corpus take 185 MiB and a third of
//! the run in the allocator. Kubernetes mappings are small, so an exact-size
//! slice of entries searched linearly is both smaller and faster, and the
//! positions findings need live in the same node instead of a parallel tree.
//! `to_json` converts a tree for the features that want `serde_json`.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;

use crate::source::Mark;

/// A node and where it was written: `start` and `end` (exclusive) of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub start: Mark,
    pub end: Mark,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Sequence(Box<[Node]>),
    /// Entries in the order they were written.
    Mapping(Box<[Entry]>),
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Box<str>,
    /// Where the key starts: the position of "the field".
    pub key_mark: Mark,
    pub node: Node,
}

/// What `node["missing"]` gives.
pub static NULL: Node = Node {
    value: Value::Null,
    start: Mark { line: 0, column: 0 },
    end: Mark { line: 0, column: 0 },
};

impl Node {
    pub fn new(value: Value, start: Mark, end: Mark) -> Self {
        Node { value, start, end }
    }

    /// The value of `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.node)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|entry| &*entry.key == key)
    }

    /// Entries, when this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// Items, when this is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(value) => Some(value),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match &self.value {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.value, Value::Mapping(_))
    }

    /// The node a JSON pointer (RFC 6901) names.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        match self.locate(pointer) {
            (Location { node, .. }, true) => Some(node),
            _ => None,
        }
    }

    /// Where a JSON pointer points: the node it names, or the deepest
    /// existing ancestor when it names something absent (a missing field is
    /// reported where it should have been written). The flag tells whether
    /// the whole pointer resolved.
    pub fn locate(&self, pointer: &str) -> (Location<'_>, bool) {
        let mut location = Location {
            node: self,
            mark: self.start,
        };
        for token in pointer_tokens(pointer) {
            let next = match &location.node.value {
                Value::Mapping(entries) => entries
                    .iter()
                    .find(|entry| *entry.key == *token)
                    .map(|entry| (&entry.node, entry.key_mark)),
                Value::Sequence(items) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| items.get(index))
                    .map(|item| (item, item.start)),
                _ => None,
            };
            match next {
                Some((node, mark)) => location = Location { node, mark },
                None => return (location, false),
            }
        }
        (location, true)
    }

    /// Where `inner` (a position within this string's value, 1-based) was
    /// written. Exact for block scalars (`|`), whose lines are the file's
    /// lines less a common indentation, and for single-line plain scalars;
    /// a quoted or folded string may be a column or a line off.
    pub fn mark_within(&self, inner: Mark) -> Mark {
        match inner.line {
            0 | 1 => Mark::new(
                self.start.line,
                self.start.column + inner.column.saturating_sub(1),
            ),
            line => Mark::new(
                self.start.line + line - 1,
                self.start.column + inner.column.saturating_sub(1),
            ),
        }
    }

    /// The same tree as a `serde_json::Value`, for code that needs one.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(value) => serde_json::Value::Bool(*value),
            Value::Number(number) => serde_json::Value::Number(number.clone()),
            Value::String(text) => serde_json::Value::String(text.to_string()),
            Value::Sequence(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Mapping(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|entry| (entry.key.to_string(), entry.node.to_json()))
                    .collect(),
            ),
        }
    }
}

/// A resolved pointer: the node, and the mark a finding about it points at
/// (its key for a mapping entry, its start otherwise).
#[derive(Debug, Clone, Copy)]
pub struct Location<'a> {
    pub node: &'a Node,
    pub mark: Mark,
}

impl std::ops::Index<&str> for Node {
    type Output = Node;

    /// `node["key"]`: the value of `key`, or a null node.
    fn index(&self, key: &str) -> &Node {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Node {
    type Output = Node;

    /// `node[3]`: the fourth item, or a null node.
    fn index(&self, index: usize) -> &Node {
        self.items()
            .and_then(|items| items.get(index))
            .unwrap_or(&NULL)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.value {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(value) => serializer.serialize_bool(*value),
            Value::Number(number) => number.serialize(serializer),
            Value::String(text) => serializer.serialize_str(text),
            Value::Sequence(items) => {
                let mut sequence = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    sequence.serialize_element(item)?;
                }
                sequence.end()
            }
            Value::Mapping(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for entry in entries {
                    map.serialize_entry(&*entry.key, &entry.node)?;
                }
                map.end()
            }
        }
    }
}

impl fmt::Display for Node {
    /// Scalars as written (strings unquoted), collections as JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Value::String(text) => f.write_str(text),
            _ => f.write_str(&self.to_json().to_string()),
        }
    }
}

/// Splits a JSON pointer (RFC 6901) into unescaped reference tokens.
pub fn pointer_tokens(pointer: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    pointer
        .split('/')
        .skip(1)
        .map(|token| match token.contains('~') {
            true => token.replace("~1", "/").replace("~0", "~").into(),
            false => token.into(),
        })
}

/// Escapes one reference token for use in a JSON pointer.
pub fn escape_token(token: &str) -> std::borrow::Cow<'_, str> {
    match token.contains(['~', '/']) {
        true => token.replace('~', "~0").replace('/', "~1").into(),
        false => token.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_unescape() {
        let tokens: Vec<_> =
            pointer_tokens("/metadata/annotations/charter.io~1ignore/a~0b").collect();
        assert_eq!(
            tokens,
            ["metadata", "annotations", "charter.io/ignore", "a~b"]
        );
        assert_eq!(pointer_tokens("").count(), 0);
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn positions_inside_block_scalars() {
        let text = "values: |\n  a: 1\n  db:\n    password: x\n";
        let root = crate::yaml::parse_stream(text, crate::yaml::Limits::default())
            .pop()
            .and_then(|document| document.root)
            .unwrap();
        let values = &root["values"];
        assert_eq!(values.as_str(), Some("a: 1\ndb:\n  password: x\n"));
        // `password` is on line 3, column 3 of the value: line 4, column 5 of the file.
        assert_eq!(values.mark_within(Mark::new(3, 3)), Mark::new(4, 5));
        assert_eq!(values.mark_within(Mark::new(1, 1)), Mark::new(2, 3));
    }

    #[test]
    fn nodes_stay_small() {
        // The point of this type: see the module comment.
        assert!(std::mem::size_of::<Value>() <= 24);
        assert!(std::mem::size_of::<Node>() <= 40);
    }
}
