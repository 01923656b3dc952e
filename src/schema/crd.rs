//! A CustomResourceDefinition's `openAPIV3Schema`s as JSON Schemas (draft 7)
//! for its custom resources.
//!
//! A CRD's schema is OpenAPI v3's dialect with Kubernetes extensions; what
//! the API server makes of it is rewritten into plain JSON Schema here:
//! - `x-kubernetes-int-or-string: true`: an integer or a string;
//! - `x-kubernetes-embedded-resource: true`: a whole object, so `apiVersion`,
//!   `kind` and `metadata` are required;
//! - `nullable: true`: null is allowed too;
//! - OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum`: draft 7's
//!   numeric form;
//! - `metadata` of the resource is the API server's ObjectMeta, whatever the
//!   CRD says (the API server ignores a CRD's schema for it).
//!
//! `x-kubernetes-preserve-unknown-fields` needs no rewriting: plain JSON
//! Schema allows unknown fields; strict mode (`strict.rs`) reads it.

use serde_json::{Map, Value, json};

use super::Gvk;
use super::builtin;
use crate::yaml::Node;

/// A schema for each served version of a CRD (`apiextensions.k8s.io/v1`).
/// Anything else yields nothing; a CRD's own mistakes are reported by its
/// own validation, as a built-in kind.
pub fn schemas_of(crd: &Node) -> Vec<(Gvk, Value)> {
    let is_crd = crd["apiVersion"].as_str() == Some("apiextensions.k8s.io/v1")
        && crd["kind"].as_str() == Some("CustomResourceDefinition");
    let spec = &crd["spec"];
    let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str()) else {
        return Vec::new();
    };
    if !is_crd {
        return Vec::new();
    }
    let Some(versions) = spec["versions"].items() else {
        return Vec::new();
    };
    versions
        .iter()
        .filter(|version| version["served"].as_bool() != Some(false))
        .filter_map(|version| {
            let name = version["name"].as_str()?;
            let schema = version["schema"].get("openAPIV3Schema")?;
            Some((
                Gvk {
                    group: group.to_owned(),
                    version: name.to_owned(),
                    kind: kind.to_owned(),
                },
                resource_schema(schema.to_json()),
            ))
        })
        .collect()
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// The JSON Schema of a custom resource, from its `openAPIV3Schema`.
pub fn resource_schema(mut schema: Value) -> Value {
    builtin::strip_descriptions(&mut schema);
    rewrite(&mut schema);
    let mut meta = builtin::object_meta();
    let mut definitions = meta
        .as_object_mut()
        .and_then(|meta| meta.remove("definitions"))
        .and_then(|definitions| match definitions {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    if let Some(meta) = meta.as_object_mut() {
        meta.remove("$schema");
        meta.remove("title");
    }
    definitions.insert(OBJECT_META.to_owned(), meta);
    if let Some(object) = schema.as_object_mut() {
        let properties = object
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(properties) = properties.as_object_mut() {
            properties.insert(
                "metadata".to_owned(),
                json!({"$ref": format!("#/definitions/{OBJECT_META}")}),
            );
            properties
                .entry("apiVersion")
                .or_insert_with(|| json!({"type": "string"}));
            properties
                .entry("kind")
                .or_insert_with(|| json!({"type": "string"}));
        }
        object.insert("definitions".to_owned(), Value::Object(definitions));
        object.insert(
            "$schema".to_owned(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
    }
    schema
}

/// Rewrites the extensions of one schema node and, recursively, of every
/// schema below it.
fn rewrite(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        object.insert("type".to_owned(), json!(["integer", "string"]));
    }
    if object.get("nullable") == Some(&Value::Bool(true)) {
        let with_null = match object.get("type") {
            Some(Value::String(single)) => Some(json!([single, "null"])),
            Some(Value::Array(types)) => {
                let mut types = types.clone();
                types.push(json!("null"));
                Some(Value::Array(types))
            }
            _ => None,
        };
        if let Some(types) = with_null {
            object.insert("type".to_owned(), types);
        }
    }
    if object.get("x-kubernetes-embedded-resource") == Some(&Value::Bool(true)) {
        let required = object
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(required) = required.as_array_mut() {
            for field in ["apiVersion", "kind", "metadata"] {
                if !required.iter().any(|name| name == field) {
                    required.push(json!(field));
                }
            }
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(flag)) = object.get(exclusive) {
            let flag = *flag;
            object.remove(exclusive);
            if flag && let Some(limit) = object.remove(bound) {
                object.insert(exclusive.to_owned(), limit);
            }
        }
    }
    // Below here, only keywords that hold schemas.
    for (keyword, value) in object.iter_mut() {
        match keyword.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                if let Some(map) = value.as_object_mut() {
                    map.values_mut().for_each(rewrite);
                }
            }
            "items" | "additionalProperties" | "not" => match value {
                Value::Array(items) => items.iter_mut().for_each(rewrite),
                other => rewrite(other),
            },
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(items) = value.as_array_mut() {
                    items.iter_mut().for_each(rewrite);
                }
            }
            _ => {}
        }
    }
}
