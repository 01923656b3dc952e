//! Every kind the cluster can list, at its group's preferred version.
//!
//! Not `kube::Discovery::run`: that asks for every version of every group
//! and fails whole when one group does (an aggregated API such as
//! metrics.k8s.io answering 503 is common), where a group that cannot be
//! discovered is one more skipped entry here.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;

use super::name::kind_label;
use super::settings::Settings;

/// A kind to list.
#[derive(Debug, Clone)]
pub struct Kind {
    pub group: String,
    pub api_version: String,
    pub kind: String,
    /// The resource name in URLs (`deployments`).
    pub plural: String,
    pub namespaced: bool,
}

impl Kind {
    pub fn label(&self) -> String {
        kind_label(&self.api_version, &self.kind)
    }

    /// The list URL, in `namespace` when given.
    pub fn url_path(&self, namespace: Option<&str>) -> String {
        let base = match self.group.as_str() {
            "" => format!("/api/{}", self.api_version),
            _ => format!("/apis/{}", self.api_version),
        };
        match namespace {
            Some(namespace) => format!("{base}/namespaces/{namespace}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub kinds: Vec<Kind>,
    /// Group versions whose resources could not be read, and why.
    pub failed: Vec<(String, String)>,
    /// Kinds left out by `rules/cluster-audit.yaml`, and why.
    pub ignored: Vec<(String, String)>,
}

/// The listable kinds; with `namespaced_only`, those that live in a
/// namespace. The root documents (`/api`, `/apis`) must answer: without
/// them nothing can be listed.
pub async fn discover(
    client: &kube::Client,
    namespaced_only: bool,
    settings: &Settings,
) -> Result<Discovered, kube::Error> {
    let mut group_versions: Vec<String> = Vec::new();
    let core = client.list_core_api_versions().await?;
    if let Some(version) = core
        .versions
        .iter()
        .find(|version| *version == "v1")
        .or(core.versions.first())
    {
        group_versions.push(version.clone());
    }
    for group in client.list_api_groups().await?.groups {
        let preferred = group
            .preferred_version
            .or_else(|| group.versions.into_iter().next());
        if let Some(preferred) = preferred {
            group_versions.push(preferred.group_version);
        }
    }
    let mut discovered = Discovered::default();
    for group_version in group_versions {
        let list = match group_version.contains('/') {
            true => client.list_api_group_resources(&group_version).await,
            false => client.list_core_api_resources(&group_version).await,
        };
        match list {
            Ok(list) => add_kinds(&list, namespaced_only, settings, &mut discovered),
            Err(kube::Error::Api(response)) => discovered
                .failed
                .push((group_version, super::error::describe_status(&response))),
            Err(other) => return Err(other),
        }
    }
    Ok(discovered)
}

fn add_kinds(
    list: &APIResourceList,
    namespaced_only: bool,
    settings: &Settings,
    discovered: &mut Discovered,
) {
    let (group, _) = list
        .group_version
        .rsplit_once('/')
        .unwrap_or(("", list.group_version.as_str()));
    for resource in &list.resources {
        // `deployments/status`, `pods/log`: parts of a kind, not kinds.
        let subresource = resource.name.contains('/');
        let listable = resource.verbs.iter().any(|verb| verb == "list");
        if subresource || !listable || (namespaced_only && !resource.namespaced) {
            continue;
        }
        let kind = Kind {
            group: group.to_owned(),
            api_version: list.group_version.clone(),
            kind: resource.kind.clone(),
            plural: resource.name.clone(),
            namespaced: resource.namespaced,
        };
        match settings.skip_reason(group, &kind.kind) {
            Some(reason) => discovered.ignored.push((kind.label(), reason.to_owned())),
            None => discovered.kinds.push(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources(group_version: &str, json: serde_json::Value) -> APIResourceList {
        serde_json::from_value(serde_json::json!({
            "groupVersion": group_version,
            "resources": json,
        }))
        .expect("an APIResourceList")
    }

    #[test]
    fn listable_kinds_without_subresources_or_noise() {
        let settings = Settings::builtin().expect("rules/cluster-audit.yaml is valid");
        let list = resources(
            "v1",
            serde_json::json!([
                {"name": "secrets", "singularName": "secret", "namespaced": true, "kind": "Secret",
                 "verbs": ["create", "get", "list", "watch"]},
                {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod",
                 "verbs": ["get"]},
                {"name": "events", "singularName": "event", "namespaced": true, "kind": "Event",
                 "verbs": ["get", "list"]},
                {"name": "bindings", "singularName": "binding", "namespaced": true,
                 "kind": "Binding", "verbs": ["create"]},
                {"name": "namespaces", "singularName": "namespace", "namespaced": false,
                 "kind": "Namespace", "verbs": ["get", "list"]}
            ]),
        );
        let mut all = Discovered::default();
        add_kinds(&list, false, &settings, &mut all);
        let labels: Vec<String> = all.kinds.iter().map(Kind::label).collect();
        assert_eq!(labels, ["v1/Secret", "v1/Namespace"]);
        assert_eq!(all.ignored.len(), 1);
        assert_eq!(all.ignored[0].0, "v1/Event");
        assert_eq!(
            all.kinds[0].url_path(Some("shop")),
            "/api/v1/namespaces/shop/secrets"
        );
        assert_eq!(all.kinds[1].url_path(None), "/api/v1/namespaces");

        let mut namespaced = Discovered::default();
        add_kinds(&list, true, &settings, &mut namespaced);
        let labels: Vec<String> = namespaced.kinds.iter().map(Kind::label).collect();
        assert_eq!(labels, ["v1/Secret"]);
    }

    #[test]
    fn group_kinds_have_their_group_in_the_path() {
        let settings = Settings::builtin().expect("rules/cluster-audit.yaml is valid");
        let list = resources(
            "apps/v1",
            serde_json::json!([
                {"name": "deployments", "singularName": "deployment", "namespaced": true,
                 "kind": "Deployment", "verbs": ["list"]},
                {"name": "controllerrevisions", "singularName": "controllerrevision",
                 "namespaced": true, "kind": "ControllerRevision", "verbs": ["list"]}
            ]),
        );
        let mut all = Discovered::default();
        add_kinds(&list, false, &settings, &mut all);
        assert_eq!(all.kinds.len(), 1);
        assert_eq!(all.kinds[0].group, "apps");
        assert_eq!(all.kinds[0].url_path(None), "/apis/apps/v1/deployments");
        assert_eq!(all.ignored[0].0, "apps/v1/ControllerRevision");
    }
}
