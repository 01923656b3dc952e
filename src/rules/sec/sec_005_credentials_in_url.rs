//! SEC-005: a password inside a URL, in any string of a manifest.

use std::sync::OnceLock;

use crate::engine::{Context, Emitter};
use crate::leak::{Catalogue, Scanner};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity, leak};
use crate::yaml::node::escape_token;
use crate::yaml::{Node, Value};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-005",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Password inside a URL in a manifest",
    rationale: "`postgres://user:password@host/db` in an env value, a ConfigMap or a config file \
                carried in one is a plaintext secret, whatever the field is called. charter looks \
                in every string of every manifest, including multi-line config files, with the \
                URL detectors of the secret scanner (`rules/secrets.toml`, rule LEAK-002); \
                placeholders and `$(VAR)` / `${VAR}` references pass. Secrets themselves are left \
                to SEC-001.",
    fix: "Keep the URL without the password and pass the password from a SealedSecret: as its \
          own variable (`PGPASSWORD` and the like) or composed with a `$(VAR)` reference to a \
          secret-backed variable defined earlier in `env`.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: litellm-config
  namespace: ai-backend
data:
  DATABASE_URL: postgres://litellm:Fixture-Passw0rd-1@postgres.ai-backend.svc:5432/litellm
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
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: postgres-credentials, key: password}
            - name: DATABASE_URL
              value: postgres://litellm:$(DB_PASSWORD)@postgres.ai-backend.svc:5432/litellm
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, CredentialsInUrl::default())
}

#[derive(Default)]
struct CredentialsInUrl {
    scanner: OnceLock<Option<Scanner>>,
}

impl CredentialsInUrl {
    /// The scanner's URL detectors alone (built on first use: most runs
    /// list or explain rules without checking anything).
    fn scanner(&self) -> Option<&Scanner> {
        self.scanner
            .get_or_init(|| {
                let catalogue = Catalogue::builtin_for_rule(leak::URL_CREDENTIALS.id).ok()?;
                Scanner::new(catalogue).ok()
            })
            .as_ref()
    }
}

impl ResourceCheck for CredentialsInUrl {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if resource.is("", "Secret") {
            return;
        }
        let Some(scanner) = self.scanner() else {
            return;
        };
        let mut strings = Vec::new();
        walk(&resource.object, &mut Vec::new(), &mut strings);
        for (pointer, node) in strings {
            let text = node.as_str().unwrap_or_default();
            for found in scanner.scan("", text) {
                let mut written = node.clone();
                written.start = node.mark_within(found.start);
                written.end = node.mark_within(found.end);
                let multi_line = text.trim_end().contains('\n');
                let finding = out.report(
                    resource,
                    &pointer,
                    format!(
                        "{} has a password inside a URL in `{pointer}` ({})",
                        resource.display(),
                        found.redacted
                    ),
                );
                if multi_line {
                    // Inside a config file carried in the manifest: its own line.
                    finding.mark = written.start;
                }
                finding.secret_hash = Some(found.hash.clone());
                finding.conceal.push((written.start, written.end));
            }
        }
    }
}

/// A step of the path from a resource's root to a node.
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// Every string scalar under `node` that holds a URL, with its pointer. The
/// pointer is only written out for those: most strings hold none.
fn walk<'n>(node: &'n Node, path: &mut Vec<Step<'n>>, out: &mut Vec<(String, &'n Node)>) {
    match &node.value {
        Value::String(text) if text.contains("://") => {
            let pointer = path.iter().fold(String::new(), |pointer, step| match step {
                Step::Key(key) => format!("{pointer}/{}", escape_token(key)),
                Step::Index(index) => format!("{pointer}/{index}"),
            });
            out.push((pointer, node));
        }
        Value::Mapping(entries) => {
            for entry in entries.iter() {
                path.push(Step::Key(&entry.key));
                walk(&entry.node, path, out);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                walk(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}
