//! SEC-008: an `encryptedData` value that is not sealed-secrets output.

use super::{encrypted_data, is_sealed_secret};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::sealed::{self, SealedValue};
use crate::yaml::node::escape_token;

pub static META: RuleMeta = RuleMeta {
    id: "SEC-008",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "encryptedData value is not sealed output",
    rationale: "kubeseal writes each value as standard base64 of: a 2-byte length, an RSA-OAEP \
                block of 256, 384 or 512 bytes (the controller's key size), then the AES-256-GCM \
                ciphertext with its 16-byte tag. A value that is not strict base64, or decodes to \
                anything shorter or shaped otherwise, was not sealed: often it is the secret itself \
                base64-encoded by hand and pasted into `encryptedData`, which is plaintext in Git.",
    fix: "Re-seal the value with kubeseal against the cluster's certificate and replace the whole \
          value; if it was plaintext, rotate the secret, since it is in Git history.",
    failing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: n8n-encryption-key
  namespace: ai-frontend
spec:
  encryptedData:
    N8N_ENCRYPTION_KEY: Zml4dHVyZS1wbGFpbnRleHQtbm90LXNlYWxlZA==
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: n8n-encryption-key
  namespace: ai-frontend
spec:
  encryptedData:
    N8N_ENCRYPTION_KEY: AgBjt+8YbXGT+Gyo4CSCYlIt47ti8aZ6zthqINzvm2w4qIjKwnXYJ8/WA+1uMLALvbgEhk4R3VyOIU3PufNV/59cAyshELHiPOtHW2bkRylMn6zAIh6z7R1ijqcuj06A7mjZOaN9MI9aBgfK6haseovxZKGrCUSTsLrOzRtwIW5LPUqvPr0M5We6akHqopmagnveaOiYFH0Zr+DgGoloEe4dBtLnjEn5HxKIPizmrSVL8NU3hwN6tm4xdmJQWGLlRhNgdDUGqkH2QTg4FOUujM5EHjuTHzGYk3hUxsJNqhB6nMd78Hxm0E1U/eD5Y4wNYagTcp+HEcBBgr3qhxzomi5aCr72FsQWtR12AcJA+sg1X9fgirxtkctGVPmYdtcXGzYF+pLpvpNFuvV8ReIgxjP2MR/oi7HDVCd31dZYG780BleCUUCTfixiRxpg8z1L9v+cXkdfUf/Z9h5XtyaAWwIDpBNPiHVR0X1lpEurs8Sjc5qWkthQSgXBN99cgGzk/GtANSnUygWbWUHPH7UpWmidAFgbxbpm9012uVgG/e54nuGkI9fgtROy+RQlu7GnIx0p78GZcoxvWWdFkok0SbYOXdSgkL+sStRz3h8Mnb1keKlXJp4pnYtNsQlxexEDk8wq668yzcPGq9QjN4Sd8CXWZU4Kc/pROCtSkGDC7SZSkatQLGaOFF2yHM8QVtcWaEJj9yvHTdhawqkoMg7R
  template:
    metadata:
      name: n8n-encryption-key
      namespace: ai-frontend
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, ValueNotSealed)
}

struct ValueNotSealed;

impl ResourceCheck for ValueNotSealed {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_sealed_secret(resource) {
            return;
        }
        let entries = encrypted_data(resource);
        for entry in entries {
            let why = match entry.node.as_str().map(sealed::inspect) {
                None => "is not a string".to_owned(),
                Some(SealedValue::Sealed { .. }) => continue,
                Some(SealedValue::NotBase64) => {
                    "is not standard base64 with padding, as kubeseal writes it".to_owned()
                }
                Some(SealedValue::NotSealed { decoded_len }) => format!(
                    "decodes to {decoded_len} bytes that are not sealed output (a 2-byte length, an RSA block of 256, 384 or 512 bytes, the ciphertext and a 16-byte tag)"
                ),
            };
            out.report(
                resource,
                &format!("/spec/encryptedData/{}", escape_token(&entry.key)),
                format!("{} value `{}` {why}", resource.display(), entry.key),
            )
            .conceal(&entry.node);
        }
    }
}
