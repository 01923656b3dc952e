//! SEC-003: a ConfigMap key whose name says "secret" holds a value.

use super::data::SensitiveNames;
use super::sec_002_secret_in_env::is_literal_secret;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::node::escape_token;
use crate::yaml::{Node, Value};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-003",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Secret stored in a ConfigMap",
    rationale: "ConfigMaps are not secret: they are readable with ordinary RBAC, shown in \
                dashboards and committed in plain text. A `data` or `binaryData` key named like a \
                password, token, key or credential (the words in `rules/sec.yaml`) holds a secret \
                in the wrong kind of object.",
    fix: "Move the value to a SealedSecret and reference it from the workload (`secretKeyRef`, \
          `envFrom.secretRef`, or a `secret` volume); keep only non-secret settings in the \
          ConfigMap.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: n8n-settings
  namespace: ai-frontend
data:
  N8N_ENCRYPTION_KEY: change-me-please
  N8N_DIAGNOSTICS_ENABLED: \"false\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: n8n-settings
  namespace: ai-frontend
data:
  N8N_DIAGNOSTICS_ENABLED: \"false\"
  N8N_ENCRYPTION_KEY_FILE: /run/secrets/n8n/encryption-key
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, SecretInConfigMap::default())
}

#[derive(Default)]
struct SecretInConfigMap {
    names: SensitiveNames,
}

impl ResourceCheck for SecretInConfigMap {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.names.configure(params)
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !resource.is("", "ConfigMap") {
            return;
        }
        for field in ["data", "binaryData"] {
            let entries = resource
                .object
                .get(field)
                .and_then(Node::entries)
                .unwrap_or_default();
            for entry in entries {
                let binary = matches!(&entry.node.value, Value::String(text) if !text.is_empty())
                    && field == "binaryData";
                if !self.names.is_sensitive(&entry.key)
                    || !(binary || is_literal_secret(&entry.node))
                {
                    continue;
                }
                out.report(
                    resource,
                    &format!("/{field}/{}", escape_token(&entry.key)),
                    format!(
                        "{} keeps `{}` in plain `{field}`",
                        resource.display(),
                        entry.key
                    ),
                )
                .conceal(&entry.node);
            }
        }
    }
}
