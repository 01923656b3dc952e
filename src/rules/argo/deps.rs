//! What an application's resources provide to others and need from them
//! (ARGO-003, ARGO-004): kinds defined by CRDs, Secrets, ServiceAccounts,
//! Services and StorageClasses.

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

use super::app::PlanEntry;
use crate::resource::Resource;
use crate::yaml::Node;

/// Something one resource provides and another uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dep {
    /// A custom resource kind (`group`, `Kind`).
    Kind(String, String),
    Secret(Option<String>, String),
    ServiceAccount(Option<String>, String),
    Service(Option<String>, String),
    StorageClass(String),
}

impl Dep {
    /// Whether `self`, provided, satisfies `needed`. A namespace not written
    /// on either side matches any.
    pub fn satisfies(&self, needed: &Dep) -> bool {
        let same_namespace =
            |a: &Option<String>, b: &Option<String>| a.is_none() || b.is_none() || a == b;
        match (self, needed) {
            (Dep::Kind(g1, k1), Dep::Kind(g2, k2)) => g1 == g2 && k1 == k2,
            (Dep::Secret(n1, a), Dep::Secret(n2, b))
            | (Dep::ServiceAccount(n1, a), Dep::ServiceAccount(n2, b))
            | (Dep::Service(n1, a), Dep::Service(n2, b)) => a == b && same_namespace(n1, n2),
            (Dep::StorageClass(a), Dep::StorageClass(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Dep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let qualified = |namespace: &Option<String>, name: &str| match namespace {
            Some(namespace) => format!("{namespace}/{name}"),
            None => name.to_owned(),
        };
        match self {
            Dep::Kind(group, kind) => write!(f, "kind `{kind}` ({group})"),
            Dep::Secret(ns, name) => write!(f, "Secret `{}`", qualified(ns, name)),
            Dep::ServiceAccount(ns, name) => write!(f, "ServiceAccount `{}`", qualified(ns, name)),
            Dep::Service(ns, name) => write!(f, "Service `{}`", qualified(ns, name)),
            Dep::StorageClass(name) => write!(f, "StorageClass `{name}`"),
        }
    }
}

pub fn is_crd(resource: &Resource) -> bool {
    resource.is("apiextensions.k8s.io", "CustomResourceDefinition")
}

pub fn is_sealed_secret(resource: &Resource) -> bool {
    resource.is("bitnami.com", "SealedSecret")
}

/// The kind a CRD defines.
pub fn crd_kind(resource: &Resource) -> Option<Dep> {
    let group = resource.get("/spec/group")?.as_str()?;
    let kind = resource.get("/spec/names/kind")?.as_str()?;
    Some(Dep::Kind(group.to_owned(), kind.to_owned()))
}

/// The Secret a SealedSecret makes: its template's name, or its own.
pub fn sealed_secret_name(resource: &Resource) -> &str {
    resource
        .get("/spec/template/metadata/name")
        .and_then(Node::as_str)
        .unwrap_or(&resource.name)
}

/// What an application provides: from its resources, and what the plan
/// says its chart installs.
pub fn provided(resources: &[&Resource], entry: Option<&PlanEntry>) -> Vec<Dep> {
    let mut found = Vec::new();
    for resource in resources {
        let namespace = resource.namespace.clone();
        let name = resource.name.clone();
        if is_crd(resource) {
            found.extend(crd_kind(resource));
        } else if is_sealed_secret(resource) {
            found.push(Dep::Secret(
                namespace,
                sealed_secret_name(resource).to_owned(),
            ));
        } else if resource.is("", "Secret") {
            found.push(Dep::Secret(namespace, name));
        } else if resource.is("", "ServiceAccount") {
            found.push(Dep::ServiceAccount(namespace, name));
        } else if resource.is("", "Service") {
            found.push(Dep::Service(namespace, name));
        } else if resource.is("storage.k8s.io", "StorageClass") {
            found.push(Dep::StorageClass(name));
        }
    }
    if let Some(entry) = entry {
        for kind in &entry.provides.kinds {
            if let Some((group, kind)) = kind.rsplit_once('/') {
                found.push(Dep::Kind(group.to_owned(), kind.to_owned()));
            }
        }
        for class in &entry.provides.storage_classes {
            found.push(Dep::StorageClass(class.clone()));
        }
    }
    found
}

/// The Secrets a resource's pod reads (env, envFrom, volumes), by name.
pub fn secret_refs(resource: &Resource) -> Vec<&str> {
    let mut names = Vec::new();
    let Some(pod) = resource.pod_template() else {
        return names;
    };
    for container in pod.containers() {
        for env in container.env() {
            names.extend(
                env.value_from
                    .and_then(|from| from.pointer("/secretKeyRef/name"))
                    .and_then(Node::as_str),
            );
        }
        for source in container
            .fields
            .get("envFrom")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            names.extend(source.pointer("/secretRef/name").and_then(Node::as_str));
        }
    }
    for volume in pod
        .spec
        .get("volumes")
        .and_then(Node::items)
        .unwrap_or_default()
    {
        names.extend(volume.pointer("/secret/secretName").and_then(Node::as_str));
        for source in volume
            .pointer("/projected/sources")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            names.extend(source.pointer("/secret/name").and_then(Node::as_str));
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

/// `name.namespace.svc` host names.
fn service_host() -> &'static Regex {
    static HOST: OnceLock<Regex> = OnceLock::new();
    HOST.get_or_init(|| {
        Regex::new(r"(?:^|[^a-z0-9.-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc\b")
            .expect("the pattern is valid")
    })
}

/// What a resource needs from others.
pub fn needed(resource: &Resource) -> Vec<Dep> {
    let namespace = &resource.namespace;
    let mut found = Vec::new();
    let group = resource.group();
    if !group.is_empty() && !resource.kind.is_empty() {
        found.push(Dep::Kind(group.to_owned(), resource.kind.clone()));
    }
    for name in secret_refs(resource) {
        found.push(Dep::Secret(namespace.clone(), name.to_owned()));
    }
    if let Some(pod) = resource.pod_template() {
        if let Some(account) = pod
            .spec
            .get("serviceAccountName")
            .and_then(Node::as_str)
            .filter(|name| !name.is_empty() && *name != "default")
        {
            found.push(Dep::ServiceAccount(namespace.clone(), account.to_owned()));
        }
        for container in pod.containers() {
            for env in container.env() {
                let Some(value) = env.value.and_then(Node::as_str) else {
                    continue;
                };
                for host in service_host().captures_iter(value) {
                    found.push(Dep::Service(Some(host[2].to_owned()), host[1].to_owned()));
                }
            }
        }
    }
    let mut classes: Vec<&str> = Vec::new();
    if resource.is("", "PersistentVolumeClaim") {
        classes.extend(
            resource
                .get("/spec/storageClassName")
                .and_then(Node::as_str),
        );
    }
    if resource.is("apps", "StatefulSet") {
        for template in resource
            .get("/spec/volumeClaimTemplates")
            .and_then(Node::items)
            .unwrap_or_default()
        {
            classes.extend(
                template
                    .pointer("/spec/storageClassName")
                    .and_then(Node::as_str),
            );
        }
    }
    found.extend(
        classes
            .into_iter()
            .filter(|class| !class.is_empty())
            .map(|class| Dep::StorageClass(class.to_owned())),
    );
    found
}
