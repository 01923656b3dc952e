//! `data.inventory`: the other objects of the set, laid out as Gatekeeper
//! syncs them, so that referential templates (a host used by two Ingresses,
//! a Service selecting no Pod) work offline.
//!
//! Cluster-scoped objects are at `inventory.cluster[apiVersion][kind][name]`,
//! namespaced ones at `inventory.namespace[namespace][apiVersion][kind][name]`.

use serde_json::{Map, Value};

use crate::resource::Resource;

/// Whether objects of a kind live in a namespace: the built-in kinds'
/// scope where it is known, else whether the object names a namespace.
fn namespaced(resource: &Resource) -> bool {
    crate::schema::builtin::namespaced(resource.group(), &resource.kind)
        .unwrap_or(resource.namespace.is_some())
}

/// The inventory of `resources`. A namespaced object without a namespace
/// is filed under `default`, where `kubectl apply` would create it.
pub fn inventory<'a>(resources: impl IntoIterator<Item = &'a Resource>) -> Value {
    let mut cluster = Map::new();
    let mut namespaced_objects = Map::new();
    for resource in resources {
        let object = resource.object.to_json();
        let place = match namespaced(resource) {
            true => {
                let namespace = resource.namespace.as_deref().unwrap_or("default");
                entry(&mut namespaced_objects, namespace)
            }
            false => &mut cluster,
        };
        let kinds = entry(place, &resource.api_version);
        entry(kinds, &resource.kind).insert(resource.name.clone(), object);
    }
    serde_json::json!({"inventory": {"cluster": cluster, "namespace": namespaced_objects}})
}

fn entry<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Map<String, Value> {
    let value = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("made an object above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    #[test]
    fn objects_are_filed_by_scope_namespace_version_kind_and_name() {
        let resources = resources_of(
            "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: chat, namespace: ai}}\n  - {apiVersion: v1, kind: Namespace, metadata: {name: ai}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: loose}}\n",
        );
        let inventory = inventory(&resources);
        let ingress =
            &inventory["inventory"]["namespace"]["ai"]["networking.k8s.io/v1"]["Ingress"]["chat"];
        assert_eq!(ingress["metadata"]["name"], "chat");
        assert_eq!(
            inventory["inventory"]["cluster"]["v1"]["Namespace"]["ai"]["kind"],
            "Namespace"
        );
        assert_eq!(
            inventory["inventory"]["namespace"]["default"]["v1"]["ConfigMap"]["loose"]["metadata"]
                ["name"],
            "loose"
        );
    }
}
