//! The `SEC` family: zero plaintext secrets (constitution, article 2).
//! Their data (sensitive names, tool annotations, Secret producers) is in
//! `rules/sec.yaml`.

mod data;
mod sec_001_plaintext_secret;
mod sec_002_secret_in_env;
mod sec_003_secret_in_configmap;
mod sec_004_secret_in_argocd_values;
mod sec_005_credentials_in_url;
mod sec_006_secret_in_tool_annotation;
mod sec_007_sealed_secret_without_data;
mod sec_008_value_not_sealed;
mod sec_009_deprecated_sealed_data;
mod sec_010_sealed_scope_mismatch;
mod sec_011_plaintext_in_sealed_template;
mod sec_012_empty_sealed_value;
mod sec_013_unresolved_secret_reference;

use super::Rule;
use crate::resource::Resource;
use crate::yaml::{Entry, Node};

pub fn rules() -> Vec<Rule> {
    vec![
        sec_001_plaintext_secret::rule(),
        sec_002_secret_in_env::rule(),
        sec_003_secret_in_configmap::rule(),
        sec_004_secret_in_argocd_values::rule(),
        sec_005_credentials_in_url::rule(),
        sec_006_secret_in_tool_annotation::rule(),
        sec_007_sealed_secret_without_data::rule(),
        sec_008_value_not_sealed::rule(),
        sec_009_deprecated_sealed_data::rule(),
        sec_010_sealed_scope_mismatch::rule(),
        sec_011_plaintext_in_sealed_template::rule(),
        sec_012_empty_sealed_value::rule(),
        sec_013_unresolved_secret_reference::rule(),
    ]
}

/// A Bitnami SealedSecret.
fn is_sealed_secret(resource: &Resource) -> bool {
    resource.is("bitnami.com", "SealedSecret")
}

/// The name of the Secret a resource is or makes: a Secret's own, a
/// SealedSecret's template name (its own when the template has none).
fn secret_name(resource: &Resource) -> Option<&str> {
    if is_sealed_secret(resource) {
        let templated = resource
            .get("/spec/template/metadata/name")
            .and_then(Node::as_str);
        return Some(templated.unwrap_or(&resource.name));
    }
    resource.is("", "Secret").then_some(resource.name.as_str())
}

/// The sealed values of a SealedSecret (`spec.encryptedData`), if any.
fn encrypted_data(resource: &Resource) -> &[Entry] {
    resource
        .get("/spec/encryptedData")
        .and_then(Node::entries)
        .unwrap_or_default()
}
