//! A resource as the validator's JSON.

use serde_json::{Map, Value as Json};

use crate::yaml::{Node, Value};

/// The JSON the API server would decode from `node`. A mapping entry whose
/// value is null is left out, as the API server treats it (an empty
/// `securityContext:` is an unset one, not a wrong type); nulls in
/// sequences stay.
pub fn to_instance(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(value) => Json::Bool(*value),
        Value::Number(number) => Json::Number(number.clone()),
        Value::String(text) => Json::String(text.to_string()),
        Value::Sequence(items) => Json::Array(items.iter().map(to_instance).collect()),
        Value::Mapping(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for entry in entries.iter().filter(|entry| !entry.node.is_null()) {
                map.insert(entry.key.to_string(), to_instance(&entry.node));
            }
            Json::Object(map)
        }
    }
}
