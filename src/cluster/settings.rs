//! What the reader leaves out, from `rules/cluster-audit.yaml`: kinds not
//! worth listing, and fields the server writes.

use serde::Deserialize;

use crate::yaml;

const DATA: &str = include_str!("../../rules/cluster-audit.yaml");

#[derive(Debug)]
pub struct Settings {
    skipped_kinds: Vec<SkippedKind>,
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

impl Settings {
    pub fn builtin() -> Result<Settings, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Raw {
            skipped_kinds: Vec<SkippedKind>,
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
        Ok(Settings {
            skipped_kinds: raw.skipped_kinds,
            stripped_fields: raw.stripped_fields,
        })
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
}
