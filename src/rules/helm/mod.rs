//! The `HELM` family: what `helm template` output (or any manifest) must not
//! carry into the cluster: unrendered templates, duplicates, unlabelled
//! workloads, floating images and API versions the cluster no longer serves
//! (constitution, article 3). Their data is in `rules/helm.yaml`.

mod helm_001_unrendered_template;
mod helm_002_duplicate_resource;
mod helm_003_recommended_labels;
mod helm_004_floating_image_tag;
mod helm_005_image_without_digest;
mod helm_006_removed_api_version;
pub mod helm_007_render_failure;

use std::sync::OnceLock;

use serde::Deserialize;

use super::Rule;
use crate::resource::Resource;
use crate::workload::Container;

const HELM_DATA: &str = include_str!("../../../rules/helm.yaml");

pub fn rules() -> Vec<Rule> {
    vec![
        helm_001_unrendered_template::rule(),
        helm_002_duplicate_resource::rule(),
        helm_003_recommended_labels::rule(),
        helm_004_floating_image_tag::rule(),
        helm_005_image_without_digest::rule(),
        helm_006_removed_api_version::rule(),
        Rule::engine(&helm_007_render_failure::META),
    ]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmData {
    pub template_exempt: Vec<TemplateExempt>,
    pub placeholders: Vec<String>,
    pub recommended_labels: Vec<String>,
    pub labelled_kinds: Vec<String>,
    pub apis: Vec<ApiVersionEntry>,
}

/// A `templateExempt` entry of HELM-001.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TemplateExempt {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub paths: Vec<String>,
}

/// An `apis` entry of HELM-006.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiVersionEntry {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub deprecated_in: Option<String>,
    pub removed_in: String,
    pub replacement: String,
}

/// The shipped data. The file is compiled in and covered by tests, so a
/// broken one never reaches a user.
pub fn shipped() -> &'static HelmData {
    static DATA: OnceLock<HelmData> = OnceLock::new();
    DATA.get_or_init(|| super::shipped_data("helm.yaml", HELM_DATA))
}

/// An image reference split into its parts.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Splits `registry:port/path/name:tag@digest`. The tag is what follows the
/// last `:` after the last `/`, so a registry port is not taken for a tag.
pub fn parse_image(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    let name = rest.rsplit_once('/').map_or(rest, |(_, name)| name);
    ImageRef {
        tag: name.rsplit_once(':').map(|(_, tag)| tag),
        digest,
    }
}

/// Every container with a literal image worth judging: templated images are
/// HELM-001's business, empty ones the schema's.
pub fn images(resource: &Resource) -> Vec<(Container<'_>, &str)> {
    let Some(pod) = resource.pod_template() else {
        return Vec::new();
    };
    pod.containers()
        .filter_map(|container| {
            let image = container.image()?.trim();
            if image.is_empty() || image.contains("{{") {
                return None;
            }
            Some((container.clone(), image))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        let parts = |image| {
            let parsed = parse_image(image);
            (parsed.tag, parsed.digest)
        };
        assert_eq!(parts("ollama/ollama"), (None, None));
        assert_eq!(parts("ollama/ollama:0.5.4"), (Some("0.5.4"), None));
        assert_eq!(parts("registry.lan:5000/app"), (None, None));
        assert_eq!(
            parts("registry.lan:5000/app:1@sha256:ab"),
            (Some("1"), Some("sha256:ab"))
        );
        assert_eq!(parts("app@sha256:ab"), (None, Some("sha256:ab")));
    }

    #[test]
    fn shipped_data_reads() {
        let data = shipped();
        assert!(!data.apis.is_empty() && !data.recommended_labels.is_empty());
    }
}
