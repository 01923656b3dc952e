//! Makes a listed object read like the manifest it was applied from.

use serde_json::{Map, Value};

use crate::yaml::node::pointer_tokens;

/// Sets `apiVersion` and `kind` (list items lack them) first, as manifests
/// are written, and removes the `stripped` fields (JSON pointers). A mapping
/// left empty by a removal goes too, unless it is `metadata`.
pub fn strip(item: Value, api_version: &str, kind: &str, stripped: &[String]) -> Value {
    let Value::Object(fields) = item else {
        return item;
    };
    let mut object = Map::with_capacity(fields.len() + 2);
    object.insert("apiVersion".to_owned(), Value::from(api_version));
    object.insert("kind".to_owned(), Value::from(kind));
    for (key, value) in fields {
        if key != "apiVersion" && key != "kind" {
            object.insert(key, value);
        }
    }
    for pointer in stripped {
        let tokens: Vec<String> = pointer_tokens(pointer).map(|t| t.into_owned()).collect();
        remove(&mut object, &tokens);
    }
    Value::Object(object)
}

/// Removes `path` from `object`, and the mappings on the way that it leaves
/// empty (below the object's top level).
fn remove(object: &mut Map<String, Value>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        object.shift_remove(first);
        return;
    }
    let Some(Value::Object(inner)) = object.get_mut(first) else {
        return;
    };
    remove(inner, rest);
    if inner.is_empty() && rest.len() == 1 && first != "metadata" {
        object.shift_remove(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stripped() -> Vec<String> {
        crate::cluster::settings::Settings::builtin()
            .expect("rules/cluster-audit.yaml is valid")
            .stripped_fields
    }

    #[test]
    fn server_fields_go_and_the_manifest_stays_in_order() {
        let item = json!({
            "metadata": {
                "name": "web",
                "namespace": "shop",
                "uid": "6f1c0d3e-0000-4000-8000-000000000001",
                "resourceVersion": "4711",
                "generation": 3,
                "creationTimestamp": "2026-11-30T10:00:00Z",
                "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
                "labels": {"app": "web"},
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"Deployment\"}",
                    "deployment.kubernetes.io/revision": "3",
                    "team": "shop"
                }
            },
            "spec": {"replicas": 2, "status": "a field of the spec, kept"},
            "status": {"readyReplicas": 2}
        });
        let out = strip(item, "apps/v1", "Deployment", &stripped());
        assert_eq!(
            out,
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "web",
                    "namespace": "shop",
                    "labels": {"app": "web"},
                    "annotations": {"team": "shop"}
                },
                "spec": {"replicas": 2, "status": "a field of the spec, kept"}
            })
        );
        let keys: Vec<&String> = out.as_object().expect("an object").keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
    }

    #[test]
    fn annotations_left_empty_are_removed_and_metadata_is_kept() {
        let item = json!({
            "metadata": {
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{}"
                },
                "uid": "u"
            },
            "data": {"password": "c2VjcmV0"}
        });
        let out = strip(item, "v1", "Secret", &stripped());
        assert_eq!(
            out,
            json!({
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {},
                "data": {"password": "c2VjcmV0"}
            })
        );
    }

    #[test]
    fn a_wrong_api_version_in_the_item_is_replaced() {
        let item = json!({"kind": "Other", "apiVersion": "x/v9", "metadata": {"name": "a"}});
        let out = strip(item, "v1", "ConfigMap", &[]);
        assert_eq!(
            out,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
        );
    }
}
