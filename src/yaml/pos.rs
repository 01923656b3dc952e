//! Where each node of a parsed document came from.
//!
//! The document's data lives in a `serde_json::Value` (the common currency of
//! everything downstream: rules, schema validation, Rego input). Positions live
//! beside it in a tree of the same shape, so the data stays a plain `Value` and
//! positions cost nothing until a finding asks for one.

use serde_json::Value;

use crate::source::Mark;

/// Position of one node. For a mapping entry `key` is where the key starts
/// (the "field" a finding points at); for anything else it equals `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosNode {
    pub key: Mark,
    pub start: Mark,
    pub end: Mark,
    /// One entry per child, in the order of the `Value`'s sequence items or
    /// mapping entries (serde_json keeps insertion order with `preserve_order`).
    pub children: Box<[PosNode]>,
}

impl PosNode {
    pub fn leaf(key: Mark, start: Mark, end: Mark) -> Self {
        PosNode {
            key,
            start,
            end,
            children: Box::default(),
        }
    }

    /// The node a JSON pointer names, or the deepest existing ancestor when the
    /// pointer names something absent (a missing field is reported where it
    /// should have been written). The second value tells whether the whole
    /// pointer resolved.
    pub fn locate<'a>(&'a self, value: &Value, pointer: &str) -> (&'a PosNode, bool) {
        let mut node = self;
        let mut current = value;
        for token in pointer_tokens(pointer) {
            let next = match current {
                Value::Object(map) => map
                    .iter()
                    .position(|(key, _)| *key == token)
                    .and_then(|index| Some((index, map.get(token.as_ref())?))),
                Value::Array(items) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| Some((index, items.get(index)?))),
                _ => None,
            };
            match next.and_then(|(index, child)| Some((node.children.get(index)?, child))) {
                Some((child_pos, child)) => {
                    node = child_pos;
                    current = child;
                }
                None => return (node, false),
            }
        }
        (node, true)
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
}
