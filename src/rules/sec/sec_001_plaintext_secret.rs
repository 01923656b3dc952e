//! SEC-001: a plaintext `Secret` in a manifest.

use crate::engine::{Context, Emitter};
use crate::leak::decode;
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::{Entry, Node};

pub static META: RuleMeta = RuleMeta {
    id: "SEC-001",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Plaintext Secret in a manifest",
    rationale: "A `kind: Secret` with `data` or `stringData` puts the secret itself in Git: \
                base64 is an encoding, not encryption, and everyone who can read the repository \
                (and every clone, fork and CI log of it) can read the secret. The constitution \
                allows only SealedSecrets in Git: they are encrypted for the cluster's \
                sealed-secrets controller, which alone can turn them back into Secrets.",
    fix: "Seal it and commit the SealedSecret instead: `kubectl create secret generic NAME \
          --from-literal=KEY=VALUE --dry-run=client -o yaml | kubeseal -o yaml > NAME.sealed.yaml`, \
          then delete the plaintext Secret from the repository (and rotate the value: it is in Git \
          history).",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Secret
metadata:
  name: litellm-master-key
  namespace: ai-backend
type: Opaque
stringData:
  master-key: change-me
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: litellm-master-key
  namespace: ai-backend
spec:
  encryptedData:
    master-key: AgBEIII8/ebxwmsw+Q7H3QHkiHU0og8LDQTDbtgOceD9d7B2cOuUC9UzX5c9qthhm5H/yRH1fM7UWLu/LOA3U8m9+g/wFp3JV1Z0BmZ2z7C064kCxEJp2hz2umbT+LbUsQCp6g51WlwughAkKgjnB49/iThesJQjVVGCVouW6KT+8joMn8Wv12CEN4Fr3QpzCctKElLk2nDmcg/KpNoemEBsGJwkJ56YUdWBQgQTb+tXE8FmsTJp3WP8NceX/wimzZAJUGanRa3bbYgxwrD4eCEUK0RWVW2JqoK8ra46lXj6RTWkFNAlwktArjrBJ3IpiLqXOuqNNxeXBgcu0zoUYHrXUjvmVXtRNN7BloH0oTNqohQNBZej5sigzCAgouk5gG7wtoRdap1lfrgpjy3lLq10x50Vp1+im32rMy99cAp8zSWJJCYLBZS3/PBOM6cnWFtMSKOcNpZAaUgQoWlbmd1QGH6BIOTcgODoBcqtV4T4DNUJH7VGQEaEjcvNWC13+ANaouBzeqD99XPTrIxwGCS8UWifmJm+VO0rP8FaT4Dabxr9ybLEVBQugjOIKkcp43vD3ctUpuBA+Ww93NE8l45/wQJh4AoPfIVpWJFLZoufgORWtvvXPmrEaJE3DDwGl0Umv5/ftqUAP+Lms5zMrfw5wcNoAY5l7NGcV+ZluAHH2s+sIvx+lArQT8uKWyUFsofSm03shPhW7xeKMtgjtSLiClRSL80=
  template:
    metadata:
      name: litellm-master-key
      namespace: ai-backend
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, PlaintextSecret)
}

struct PlaintextSecret;

impl ResourceCheck for PlaintextSecret {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !resource.is("", "Secret") {
            return;
        }
        for field in ["data", "stringData"] {
            let Some(entries) = resource.object.get(field).and_then(Node::entries) else {
                continue;
            };
            if entries.is_empty() {
                continue;
            }
            let keys: Vec<String> = entries
                .iter()
                .map(|entry| match registries(field, entry) {
                    registries if registries.is_empty() => entry.key.to_string(),
                    registries => format!(
                        "{}: registry credentials for {}",
                        entry.key,
                        registries.join(", ")
                    ),
                })
                .collect();
            out.report(
                resource,
                &format!("/{field}"),
                format!(
                    "{} holds {} in plaintext `{field}` ({})",
                    resource.display(),
                    plural(keys.len(), "value"),
                    keys.join(", "),
                ),
            );
        }
    }
}

/// For a Docker config (`.dockerconfigjson`, `.dockercfg`), the registries
/// it holds credentials for: base64 in `data`, with `auth` base64 again.
fn registries(field: &str, entry: &Entry) -> Vec<String> {
    if !entry.key.starts_with(".dockerc") {
        return Vec::new();
    }
    let Some(value) = entry.node.as_str() else {
        return Vec::new();
    };
    match field {
        "data" => decode::registries_with_credentials_base64(value),
        _ => decode::registries_with_credentials(value),
    }
}

fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}
