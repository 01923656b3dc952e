//! SEC-002: a container env var whose name says "secret" holds a literal.

use super::data::{SensitiveNames, is_reference};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::{Node, Value};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-002",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Secret written as a literal env value",
    rationale: "An env var named like a password, token, API key, private key, credential, DSN or \
                connection string, with its value written into the workload, puts the secret in \
                Git, in `kubectl get -o yaml` output and in every rendered chart. The names that \
                count are listed in `rules/sec.yaml` (words such as `password`, `token`, `api key`; \
                not names that only refer to a secret, such as `*_FILE` or `*_NAME`). References \
                (`$(OTHER_VAR)`, `${VAR}`) and empty values pass.",
    fix: "Read it from a SealedSecret instead: `valueFrom: {secretKeyRef: {name: <sealed secret>, \
          key: <key>}}`, or mount the secret as a file.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: litellm
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: litellm
          image: ghcr.io/berriai/litellm:v1.55.0
          env:
            - name: LITELLM_MASTER_KEY
              value: change-me-master-key
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: litellm
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: litellm
          image: ghcr.io/berriai/litellm:v1.55.0
          envFrom:
            - configMapRef: {name: litellm-settings}
          env:
            - name: LITELLM_MASTER_KEY
              valueFrom:
                secretKeyRef: {name: litellm-master-key, key: master-key}
            - name: DATABASE_PASSWORD_FILE
              value: /run/secrets/postgres/password
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, SecretInEnv::default())
}

#[derive(Default)]
struct SecretInEnv {
    names: SensitiveNames,
}

impl ResourceCheck for SecretInEnv {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.names.configure(params)
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            for env in container.env() {
                let (Some(name), Some(value)) = (env.name, env.value) else {
                    continue;
                };
                if !self.names.is_sensitive(name) || !is_literal_secret(value) {
                    continue;
                }
                let container_name = container.name().unwrap_or("?");
                out.report(
                    context.resource,
                    &format!("{}/value", env.pointer),
                    format!(
                        "{} container `{container_name}` sets `{name}` to a literal value",
                        context.resource.display()
                    ),
                )
                .conceal(value);
            }
        }
    }
}

/// A value that is written out, not a reference or nothing.
pub(super) fn is_literal_secret(value: &Node) -> bool {
    match &value.value {
        Value::String(text) => {
            let text = text.trim();
            !text.is_empty()
                && !is_reference(text)
                && !matches!(text.to_ascii_lowercase().as_str(), "true" | "false")
        }
        Value::Number(_) => true,
        _ => false,
    }
}
