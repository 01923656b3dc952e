//! Kyverno's `images` variable: the container images of a resource, parsed
//! as `pkg/utils/image/infos.go` and `pkg/utils/api/image.go` parse them.
//!
//! `images.containers.<container name>` (and `initContainers`,
//! `ephemeralContainers`) holds `registry`, `name`, `path`, `tag`, `digest`,
//! `reference` and `referenceWithTag`. An image without a registry gets
//! `docker.io` (the first part of the name is a registry only when it has a
//! `.` or a `:`, is `localhost`, or has an upper-case letter); one without a
//! tag or digest gets the tag `latest`. `path` is the name after the
//! registry, as written (`nginx`, not `library/nginx`).
//!
//! Resources: Pods (`spec`), CronJobs (`spec.jobTemplate.spec.template.spec`)
//! and the Pod controllers Kyverno knows (`Deployment`, `DaemonSet`, `Job`,
//! `StatefulSet`, `ReplicaSet`, `ReplicationController`: `spec.template.spec`).
//!
//! Not supported: Kyverno's configurable image extractors for custom
//! resources, and its error on an image that does not parse (such an image
//! is left out here).

use serde_json::{Map, Value};

const DEFAULT_REGISTRY: &str = "docker.io";

/// The `images` variable of a resource; `Value::Null` when it has no image,
/// as Kyverno then sets no `images` at all.
pub fn images_of(resource: &Value) -> Value {
    let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("");
    let spec = match kind {
        "Pod" => resource.get("spec"),
        "CronJob" => resource.pointer("/spec/jobTemplate/spec/template/spec"),
        "Deployment"
        | "DaemonSet"
        | "Job"
        | "StatefulSet"
        | "ReplicaSet"
        | "ReplicationController" => resource.pointer("/spec/template/spec"),
        _ => None,
    };
    let Some(spec) = spec else {
        return Value::Null;
    };
    let mut images = Map::new();
    for group in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(containers) = spec.get(group).and_then(Value::as_array) else {
            continue;
        };
        let mut infos = Map::new();
        for container in containers {
            let (Some(name), Some(image)) = (
                container.get("name").and_then(Value::as_str),
                container.get("image").and_then(Value::as_str),
            ) else {
                continue;
            };
            if let Some(info) = image_info(image) {
                infos.insert(name.to_string(), info.to_json());
            }
        }
        if !infos.is_empty() {
            images.insert(group.to_string(), Value::Object(infos));
        }
    }
    if images.is_empty() {
        Value::Null
    } else {
        Value::Object(images)
    }
}

/// One parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub registry: String,
    pub name: String,
    pub path: String,
    pub tag: String,
    pub digest: String,
}

impl ImageInfo {
    /// `registry/path@digest`, else `registry/path:tag`.
    pub fn reference(&self) -> String {
        if self.digest.is_empty() {
            format!("{}:{}", self.repository(), self.tag)
        } else {
            format!("{}@{}", self.repository(), self.digest)
        }
    }

    fn repository(&self) -> String {
        if self.registry.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.registry, self.path)
        }
    }

    fn to_json(&self) -> Value {
        let mut map = Map::new();
        if !self.registry.is_empty() {
            map.insert("registry".into(), Value::String(self.registry.clone()));
        }
        map.insert("name".into(), Value::String(self.name.clone()));
        map.insert("path".into(), Value::String(self.path.clone()));
        if !self.tag.is_empty() {
            map.insert("tag".into(), Value::String(self.tag.clone()));
        }
        if !self.digest.is_empty() {
            map.insert("digest".into(), Value::String(self.digest.clone()));
        }
        map.insert("reference".into(), Value::String(self.reference()));
        if !self.tag.is_empty() {
            map.insert(
                "referenceWithTag".into(),
                Value::String(format!("{}:{}", self.repository(), self.tag)),
            );
        }
        Value::Object(map)
    }
}

/// Parses an image reference as Kyverno does; `None` if it is not one.
pub fn image_info(image: &str) -> Option<ImageInfo> {
    let full = with_default_registry(image);
    let (rest, digest) = match full.split_once('@') {
        Some((rest, digest)) => {
            if !valid_digest(digest) {
                return None;
            }
            (rest, digest.to_string())
        }
        None => (full.as_str(), String::new()),
    };
    let last_slash = rest.rfind('/').unwrap_or(0);
    let (named, tag) = match rest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            let tag = &rest[at + 1..];
            if !valid_tag(tag) {
                return None;
            }
            (&rest[..at], tag.to_string())
        }
        None => (rest, String::new()),
    };
    let (registry, path) = named.split_once('/')?;
    if registry.is_empty() || !valid_path(path) {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let tag = if tag.is_empty() && digest.is_empty() {
        "latest".to_string()
    } else {
        tag
    };
    Some(ImageInfo {
        registry: registry.to_string(),
        name,
        path: path.to_string(),
        tag,
        digest,
    })
}

/// Kyverno's `addDefaultRegistry`.
fn with_default_registry(image: &str) -> String {
    match image.find('/') {
        Some(i) => {
            let first = &image[..i];
            if first.contains(['.', ':']) || first == "localhost" || first.to_lowercase() != first {
                image.to_string()
            } else {
                format!("{DEFAULT_REGISTRY}/{image}")
            }
        }
        None => format!("{DEFAULT_REGISTRY}/{image}"),
    }
}

/// Path components: lower-case alphanumerics with `.`, `_`, `__`, `-`
/// between them (the distribution reference grammar).
fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|component| {
            let bytes = component.as_bytes();
            !bytes.is_empty()
                && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
                && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
                && bytes.iter().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        })
}

fn valid_tag(tag: &str) -> bool {
    tag.len() <= 128
        && tag
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    !algorithm.is_empty() && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn info(image: &str) -> Value {
        image_info(image).map_or(Value::Null, |i| i.to_json())
    }

    // Kyverno's `pkg/utils/image/infos_test.go` table.
    #[test]
    fn parses_image_references_as_kyverno() {
        assert_eq!(
            info("nginx"),
            json!({"registry": "docker.io", "name": "nginx", "path": "nginx", "tag": "latest",
                   "reference": "docker.io/nginx:latest", "referenceWithTag": "docker.io/nginx:latest"})
        );
        assert_eq!(
            info("nginx:v10.3"),
            json!({"registry": "docker.io", "name": "nginx", "path": "nginx", "tag": "v10.3",
                   "reference": "docker.io/nginx:v10.3", "referenceWithTag": "docker.io/nginx:v10.3"})
        );
        assert_eq!(
            info("docker.io/test/nginx:v10.3"),
            json!({"registry": "docker.io", "name": "nginx", "path": "test/nginx", "tag": "v10.3",
                   "reference": "docker.io/test/nginx:v10.3",
                   "referenceWithTag": "docker.io/test/nginx:v10.3"})
        );
        assert_eq!(
            info("test/nginx"),
            json!({"registry": "docker.io", "name": "nginx", "path": "test/nginx", "tag": "latest",
                   "reference": "docker.io/test/nginx:latest",
                   "referenceWithTag": "docker.io/test/nginx:latest"})
        );
        assert_eq!(
            info("localhost:4443/test/nginx"),
            json!({"registry": "localhost:4443", "name": "nginx", "path": "test/nginx",
                   "tag": "latest", "reference": "localhost:4443/test/nginx:latest",
                   "referenceWithTag": "localhost:4443/test/nginx:latest"})
        );
        let digest = "sha256:a4c9ac9bb5e8a9c5e2a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b";
        assert_eq!(
            info(&format!("gcr.io/kyverno/kyverno@{digest}")),
            json!({"registry": "gcr.io", "name": "kyverno", "path": "kyverno/kyverno",
                   "digest": digest, "reference": format!("gcr.io/kyverno/kyverno@{digest}")})
        );
        assert_eq!(
            info(&format!("ghcr.io/app:1.0@{digest}"))["reference"],
            json!(format!("ghcr.io/app@{digest}"))
        );
        assert_eq!(info("Nginx"), Value::Null);
        assert_eq!(info("nginx:"), Value::Null);
        assert_eq!(info("nginx@sha256:xyz"), Value::Null);
    }

    #[test]
    fn builds_the_images_variable_of_pods_and_controllers() {
        let pod = json!({"kind": "Pod", "spec": {
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "containers": [{"name": "app", "image": "ghcr.io/org/app:2"}]}});
        let images = images_of(&pod);
        assert_eq!(images["containers"]["app"]["registry"], json!("ghcr.io"));
        assert_eq!(images["containers"]["app"]["tag"], json!("2"));
        assert_eq!(images["initContainers"]["init"]["name"], json!("busybox"));
        assert_eq!(images.get("ephemeralContainers"), None);

        let cronjob = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {
            "spec": {"containers": [{"name": "c", "image": "alpine"}]}}}}}});
        assert_eq!(
            images_of(&cronjob)["containers"]["c"]["reference"],
            json!("docker.io/alpine:latest")
        );
        let deployment = json!({"kind": "Deployment", "spec": {"template": {"spec": {
            "containers": [{"name": "c", "image": "nginx:1.25"}]}}}});
        assert_eq!(
            images_of(&deployment)["containers"]["c"]["tag"],
            json!("1.25")
        );
        assert_eq!(images_of(&json!({"kind": "ConfigMap"})), Value::Null);
        assert_eq!(images_of(&json!({"kind": "Pod", "spec": {}})), Value::Null);
    }
}
