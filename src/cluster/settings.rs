//! What the reader leaves out, from `rules/cluster-audit.yaml`: kinds not
//! worth listing, and fields the server writes.

use serde::Deserialize;

use crate::yaml;

const DATA: &str = include_str!("../../rules/cluster-audit.yaml");

#[derive(Debug)]
pub struct Settings {
    skipped_kinds: Vec<SkippedKind>,
    generated_secrets: Vec<GeneratedSecret>,
    /// JSON pointers.
    pub stripped_fields: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkippedKind {
    group: String,
    kind: String,
    reason: String,
}

/// A Secret written at run time, told by its type or an annotation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GeneratedSecret {
    #[serde(rename = "type")]
    secret_type: Option<String>,
    annotation: Option<String>,
    reason: String,
}

impl Settings {
    pub fn builtin() -> Result<Settings, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Raw {
            skipped_kinds: Vec<SkippedKind>,
            generated_secrets: Vec<GeneratedSecret>,
            stripped_fields: Vec<String>,
        }
        let broken = |why: String| format!("rules/cluster-audit.yaml: {why}");
        let document = yaml::parse_stream(DATA, yaml::Limits::default())
            .pop()
            .and_then(|document| document.root)
            .ok_or_else(|| broken("not readable".into()))?;
        let raw: Raw = serde_json::from_value(document.to_json())
            .map_err(|error| broken(error.to_string()))?;
        if let Some(bad) = raw
            .stripped_fields
            .iter()
            .find(|pointer| !pointer.starts_with('/'))
        {
            return Err(broken(format!("`{bad}` is not a JSON pointer")));
        }
        if let Some(bad) = raw
            .generated_secrets
            .iter()
            .find(|entry| entry.secret_type.is_some() == entry.annotation.is_some())
        {
            return Err(broken(format!(
                "generatedSecrets entry `{}`: give either `type` or `annotation`",
                bad.reason
            )));
        }
        Ok(Settings {
            skipped_kinds: raw.skipped_kinds,
            generated_secrets: raw.generated_secrets,
            stripped_fields: raw.stripped_fields,
        })
    }

    /// Why the Secret `item` is one the cluster or a controller wrote, or
    /// `None` when it may have been applied from a manifest.
    pub fn generated_secret(&self, item: &serde_json::Value) -> Option<&str> {
        let secret_type = item.get("type").and_then(serde_json::Value::as_str);
        let annotations = item
            .pointer("/metadata/annotations")
            .and_then(serde_json::Value::as_object);
        self.generated_secrets
            .iter()
            .find(|entry| match (&entry.secret_type, &entry.annotation) {
                (Some(wanted), _) => secret_type == Some(wanted.as_str()),
                (None, Some(annotation)) => {
                    annotations.is_some_and(|map| map.contains_key(annotation))
                }
                (None, None) => false,
            })
            .map(|entry| entry.reason.as_str())
    }

    /// Why `group`/`kind` is not listed, or `None` when it is.
    pub fn skip_reason(&self, group: &str, kind: &str) -> Option<&str> {
        self.skipped_kinds
            .iter()
            .find(|entry| entry.group == group && entry.kind == kind)
            .map(|entry| entry.reason.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_reads_and_matches_by_group_and_kind() {
        let settings = Settings::builtin().expect("rules/cluster-audit.yaml is valid");
        assert_eq!(
            settings.skip_reason("coordination.k8s.io", "Lease"),
            Some("leader election and node heartbeats, renewed every few seconds")
        );
        assert!(settings.skip_reason("", "Event").is_some());
        assert!(settings.skip_reason("events.k8s.io", "Event").is_some());
        // A kind of the same name in another group is listed.
        assert_eq!(settings.skip_reason("example.com", "Event"), None);
        assert_eq!(settings.skip_reason("apps", "Deployment"), None);
        assert_eq!(settings.skip_reason("", "Secret"), None);
        assert!(settings.stripped_fields.contains(&"/status".to_owned()));
    }

    #[test]
    fn secrets_the_cluster_wrote_are_told_by_type_or_annotation() {
        let settings = Settings::builtin().expect("rules/cluster-audit.yaml is valid");
        let token =
            serde_json::json!({"kind": "Secret", "type": "kubernetes.io/service-account-token"});
        assert_eq!(
            settings.generated_secret(&token),
            Some("a token the cluster issued for a ServiceAccount")
        );
        let issued = serde_json::json!({"kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"annotations": {"cert-manager.io/certificate-name": "web"}}});
        assert_eq!(
            settings.generated_secret(&issued),
            Some("a certificate and key cert-manager issued for a Certificate")
        );
        let applied = serde_json::json!({"kind": "Secret", "type": "Opaque",
            "metadata": {"annotations": {"team": "shop"}}});
        assert_eq!(settings.generated_secret(&applied), None);
    }
}
