//! Strict mode: fields no schema declares.
//!
//! JSON Schema's `additionalProperties: false` would say the same, but the
//! generated schemas do not carry it, and a second compiled schema per kind
//! would double the validation. Walking the document beside its schema
//! finds each unknown key at its own line, and can say what was meant.

use serde_json::Value;

use crate::yaml::Node;
use crate::yaml::node::escape_token;

/// A field no schema declares.
#[derive(Debug, PartialEq, Eq)]
pub struct Unknown {
    /// JSON pointer of the field (relative to the resource).
    pub pointer: String,
    pub key: String,
    /// JSON pointer of the mapping that holds it.
    pub parent: String,
    /// A declared field it probably meant, or where the field belongs.
    pub hint: Option<String>,
}

/// Every unknown field of `node` under `schema`, a root schema whose
/// `$ref`s point into its `definitions`.
pub fn unknown_fields(schema: &Value, node: &Node) -> Vec<Unknown> {
    let mut found = Vec::new();
    walk(schema, schema, node, &mut String::new(), &mut found);
    found
}

/// Follows `$ref`s (`#/definitions/NAME`) to the schema they name, and an
/// `allOf` of a single schema to it.
fn resolve<'s>(root: &'s Value, mut schema: &'s Value) -> &'s Value {
    // Bounded: a reference cycle with no schema between is not followed forever.
    for _ in 0..16 {
        let Some(object) = schema.as_object() else {
            break;
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            match reference
                .strip_prefix("#/definitions/")
                .and_then(|name| root.get("definitions")?.get(name))
            {
                Some(target) => schema = target,
                None => break,
            }
            continue;
        }
        match object
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) if !object.contains_key("properties") => schema = only,
            _ => break,
        }
    }
    schema
}

fn is_true(schema: &Value, keyword: &str) -> bool {
    schema.get(keyword) == Some(&Value::Bool(true))
}

/// Whether a node can hold fields: scalars are the validator's business.
fn is_container(node: &Node) -> bool {
    node.entries().is_some() || node.items().is_some()
}

// Most nodes are scalars and most keys are declared: the schema's other
// keywords are read only when a key is not among `properties`.
fn walk(root: &Value, schema: &Value, node: &Node, pointer: &mut String, found: &mut Vec<Unknown>) {
    if !is_container(node) {
        return;
    }
    let schema = resolve(root, schema);
    let length = pointer.len();
    if let Some(entries) = node.entries() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for entry in entries.iter() {
            let declared = properties.and_then(|declared| declared.get(&*entry.key));
            let field = declared.or_else(|| {
                schema
                    .get("additionalProperties")
                    .filter(|value| value.is_object())
            });
            match field {
                Some(field) => {
                    if is_container(&entry.node) {
                        pointer.push('/');
                        pointer.push_str(&escape_token(&entry.key));
                        walk(root, field, &entry.node, pointer, found);
                        pointer.truncate(length);
                    }
                }
                None => {
                    // Under `x-kubernetes-preserve-unknown-fields` unknown
                    // fields are kept by the API server; an embedded
                    // resource always has its type and metadata.
                    let open = is_true(schema, "x-kubernetes-preserve-unknown-fields")
                        || schema.get("additionalProperties") == Some(&Value::Bool(true));
                    let implied = is_true(schema, "x-kubernetes-embedded-resource")
                        && matches!(&*entry.key, "apiVersion" | "kind" | "metadata");
                    if let Some(declared) = properties.filter(|_| !open && !implied) {
                        found.push(Unknown {
                            pointer: format!("{pointer}/{}", escape_token(&entry.key)),
                            key: entry.key.to_string(),
                            parent: pointer.clone(),
                            hint: hint(root, declared, &entry.key),
                        });
                    }
                }
            }
        }
    } else if let (Some(items), Some(schema_items)) = (node.items(), schema.get("items")) {
        for (index, item) in items
            .iter()
            .enumerate()
            .filter(|(_, item)| is_container(item))
        {
            pointer.push('/');
            pointer.push_str(&index.to_string());
            walk(root, schema_items, item, pointer, found);
            pointer.truncate(length);
        }
    }
}

/// What an unknown key probably meant: a declared field one or two edits
/// away (`replica` for `replicas`), or a field of a child that declares it
/// (`containerPort` belongs under `ports`).
fn hint(root: &Value, declared: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let near = declared
        .keys()
        .map(|name| (distance(&lower, &name.to_ascii_lowercase()), name))
        .filter(|(distance, _)| *distance <= 2.min(key.len() / 3 + 1))
        .min_by_key(|(distance, _)| *distance);
    if let Some((_, name)) = near {
        return Some(format!("did you mean `{name}`?"));
    }
    declared.iter().find_map(|(name, field)| {
        let field = resolve(root, field);
        let inner = field
            .get("items")
            .map_or(field, |items| resolve(root, items));
        inner
            .get("properties")
            .and_then(Value::as_object)
            .filter(|properties| properties.contains_key(key))
            .map(|_| format!("`{key}` belongs under `{name}`"))
    })
}

/// Levenshtein distance, for short keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("replica", "replicas"), 1);
        assert_eq!(distance("image", "image"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("imagepullpolicy", "imagepolicy"), 4);
    }
}
