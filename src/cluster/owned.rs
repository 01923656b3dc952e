//! Objects a listed controller made from its own template (the ReplicaSets
//! and Pods of a Deployment, the Jobs of a CronJob): checking them would
//! repeat the owner's findings once per copy.

use std::collections::HashSet;

use serde_json::Value;

/// The uids of the listed objects, read before they are stripped.
pub fn uids<'a>(items: impl Iterator<Item = &'a Value>) -> HashSet<String> {
    items
        .filter_map(|item| item.pointer("/metadata/uid").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// Whether `item`'s managing controller (the owner reference with
/// `controller: true`) is one of the `listed` objects. An object whose
/// controller was not listed (its kind forbidden or skipped) is kept: it is
/// then the only place its template is seen.
pub fn by_listed_controller(item: &Value, listed: &HashSet<String>) -> bool {
    let Some(owners) = item
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
    else {
        return false;
    };
    owners.iter().any(|owner| {
        owner.get("controller").and_then(Value::as_bool) == Some(true)
            && owner
                .get("uid")
                .and_then(Value::as_str)
                .is_some_and(|uid| listed.contains(uid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn owned_by(uid: &str, controller: bool) -> Value {
        json!({"metadata": {"name": "web-5d8f", "uid": "rs-1", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
             "uid": uid, "controller": controller}
        ]}})
    }

    #[test]
    fn only_a_listed_controller_hides_an_object() {
        let deployment = json!({"metadata": {"name": "web", "uid": "dep-1"}});
        let listed = uids([&deployment, &owned_by("dep-1", true)].into_iter());
        assert_eq!(listed.len(), 2);
        assert!(by_listed_controller(&owned_by("dep-1", true), &listed));
        // An owner that is not the controller (garbage collection only).
        assert!(!by_listed_controller(&owned_by("dep-1", false), &listed));
        // A controller that was not listed.
        assert!(!by_listed_controller(&owned_by("dep-2", true), &listed));
        assert!(!by_listed_controller(&deployment, &listed));
    }
}
