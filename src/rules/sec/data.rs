//! The data of the SEC rules, from `rules/sec.yaml`, and the name matcher
//! SEC-002, SEC-003 and SEC-004 share.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::rules::{Parameters, Severity};

const SEC_DATA: &str = include_str!("../../../rules/sec.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecData {
    pub sensitive_names: Vec<String>,
    pub not_secret_suffixes: Vec<String>,
    pub not_secret_prefixes: Vec<String>,
    pub object_copy_annotations: Vec<String>,
    pub secret_producers: Vec<SecretProducer>,
    pub partial_set_severity: Severity,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretProducer {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub when_annotated: Vec<String>,
}

/// The shipped data. The file is compiled in and covered by tests, so a
/// broken one never reaches a user.
pub fn shipped() -> &'static SecData {
    static DATA: OnceLock<SecData> = OnceLock::new();
    DATA.get_or_init(|| crate::rules::shipped_data("sec.yaml", SEC_DATA))
}

/// Decides whether a setting's name says it holds a secret.
#[derive(Debug, Clone)]
pub struct SensitiveNames {
    entries: Vec<Vec<String>>,
    not_secret_suffixes: Vec<Vec<String>>,
    not_secret_prefixes: Vec<Vec<String>>,
    allowed: Vec<String>,
}

impl Default for SensitiveNames {
    fn default() -> Self {
        let data = shipped();
        SensitiveNames {
            entries: word_lists(&data.sensitive_names),
            not_secret_suffixes: word_lists(&data.not_secret_suffixes),
            not_secret_prefixes: word_lists(&data.not_secret_prefixes),
            allowed: Vec::new(),
        }
    }
}

fn word_lists(names: &[String]) -> Vec<Vec<String>> {
    names.iter().map(|name| words(name)).collect()
}

impl SensitiveNames {
    /// Takes `sensitiveNames` (replacing the shipped words),
    /// `extraSensitiveNames` (adding to them), `notSecretSuffixes`,
    /// `notSecretPrefixes` and `allowedNames` (exact names never reported).
    pub fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            let list: Vec<String> = serde_json::from_value(value.clone())
                .map_err(|_| format!("`{key}` must be a list of strings"))?;
            match key.as_str() {
                "sensitiveNames" => self.entries = word_lists(&list),
                "extraSensitiveNames" => self.entries.extend(word_lists(&list)),
                "notSecretSuffixes" => self.not_secret_suffixes = word_lists(&list),
                "notSecretPrefixes" => self.not_secret_prefixes = word_lists(&list),
                "allowedNames" => self.allowed = list,
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: sensitiveNames, extraSensitiveNames, \
                         notSecretSuffixes, notSecretPrefixes, allowedNames)"
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn is_sensitive(&self, name: &str) -> bool {
        if self.allowed.iter().any(|allowed| allowed == name) {
            return false;
        }
        let words = words(name);
        let matches_entry = |entry: &Vec<String>| match entry.as_slice() {
            [single] => words.iter().any(|word| word.ends_with(single.as_str())),
            run => words.windows(run.len()).any(|window| window == run),
        };
        if !self.entries.iter().any(matches_entry) {
            return false;
        }
        let about_a_secret = self
            .not_secret_suffixes
            .iter()
            .any(|suffix| words.ends_with(suffix))
            || self
                .not_secret_prefixes
                .iter()
                .any(|prefix| words.starts_with(prefix));
        !about_a_secret
    }
}

/// Splits a name into lower-case words at separators and camelCase humps.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a value is clearly a reference, not a literal: `$(VAR)` (which
/// Kubernetes expands), `${VAR}`, LiteLLM's `os.environ/VAR`, or an
/// unrendered template.
pub fn is_reference(value: &str) -> bool {
    let value = value.trim();
    let variable = |inner: &str| {
        !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    };
    let wrapped = |open: &str, close: &str| {
        value
            .strip_prefix(open)
            .and_then(|rest| rest.strip_suffix(close))
            .is_some_and(variable)
    };
    wrapped("$(", ")")
        || wrapped("${", "}")
        || value.strip_prefix("os.environ/").is_some_and(variable)
        || value.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("OPENAI_API_KEY"), ["openai", "api", "key"]);
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(
            words("postgresql.auth.password"),
            ["postgresql", "auth", "password"]
        );
        assert_eq!(words("N8N_ENCRYPTION_KEY"), ["n8n", "encryption", "key"]);
        assert_eq!(words("webhook-secret"), ["webhook", "secret"]);
    }

    #[test]
    fn sensitive_names() {
        let names = SensitiveNames::default();
        for name in [
            "OPENAI_API_KEY",
            "WEBUI_SECRET_KEY",
            "N8N_ENCRYPTION_KEY",
            "LITELLM_MASTER_KEY",
            "PGPASSWORD",
            "GITHUB_TOKEN",
            "dbPassword",
            "SENTRY_DSN",
            "client_secret",
            "password.txt",
            "AWS_SECRET_ACCESS_KEY",
            "DATABASE_CONNECTION_STRING",
            "credentials.json",
        ] {
            assert!(names.is_sensitive(name), "{name}");
        }
        for name in [
            "TOKENIZERS_PARALLELISM",
            "DB_PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "SECRET_NAME",
            "TOKEN_URL",
            "JWT_TOKEN_EXPIRY",
            "OLLAMA_HOST",
            "LOG_LEVEL",
            "secretName",
            "OAUTH_CLIENT_ID",
            "tokenTTL",
            "existingSecret",
            "existingSecretPasswordKey",
            "API_KEY_HEADER",
        ] {
            assert!(!names.is_sensitive(name), "{name}");
        }
    }

    #[test]
    fn names_can_be_configured() {
        let mut names = SensitiveNames::default();
        let params: Parameters = serde_json::from_str(
            r#"{"extraSensitiveNames": ["license"], "allowedNames": ["ENABLE_TOKEN_AUTH_SECRET"]}"#,
        )
        .unwrap();
        names.configure(&params).unwrap();
        assert!(names.is_sensitive("ENTERPRISE_LICENSE"));
        assert!(!names.is_sensitive("ENABLE_TOKEN_AUTH_SECRET"));
        let bad: Parameters = serde_json::from_str(r#"{"names": []}"#).unwrap();
        assert!(
            names
                .configure(&bad)
                .unwrap_err()
                .contains("has no parameter `names`")
        );
        let bad: Parameters = serde_json::from_str(r#"{"allowedNames": "X"}"#).unwrap();
        assert_eq!(
            names.configure(&bad).unwrap_err(),
            "`allowedNames` must be a list of strings"
        );
    }

    #[test]
    fn references_are_not_literals() {
        for value in [
            "$(DB_PASSWORD)",
            "${API_KEY}",
            "os.environ/OPENAI_API_KEY",
            "{{ .Values.password }}",
            " $(X) ",
        ] {
            assert!(is_reference(value), "{value}");
        }
        for value in ["hunter2", "$(", "${}", "pre-$(X)-post", "$HOME"] {
            assert!(!is_reference(value), "{value}");
        }
    }

    #[test]
    fn shipped_data_reads() {
        let data = shipped();
        assert!(data.sensitive_names.contains(&"password".to_owned()));
        assert_eq!(data.partial_set_severity, Severity::Info);
        assert_eq!(data.secret_producers[0].kind, "Certificate");
    }
}
