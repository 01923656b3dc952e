//! SEC-011: a literal value in a SealedSecret's `spec.template.data`.

use super::is_sealed_secret;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;
use crate::yaml::node::escape_token;

pub static META: RuleMeta = RuleMeta {
    id: "SEC-011",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Plaintext in a SealedSecret template",
    rationale: "`spec.template.data` lets a SealedSecret compose Secret keys from its decrypted \
                values with Go templates (`{{ index . \"password\" }}`). An entry without a \
                template expression is copied into the Secret as written: a plaintext value in \
                Git beside the sealed ones.",
    fix: "Seal the value into `spec.encryptedData` and, if the Secret needs it under another key \
          or inside a larger value, refer to it from the template with `{{ index . \"KEY\" }}`.",
    failing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: postgres-credentials
  namespace: ai-backend
spec:
  encryptedData:
    password: AgD1CPMdhCBg/Lrf5pBy7473RlyMuvuzJpOyqVtH3SsTL6QzXb/inoD+5Nl6Tkj7aE99YKRtQ6GJQ7bnxG3XerzHxUdSEbEhMPX9cAZuMNY6vnOWbEALIp2ONKnsAdtnN5qLFZQA+W2SVRGmAlCspj4RiBE8Yb/UGbCjZux4obbHA9SqzB2UTPPQgjqOZqyHFJhSu04r6uPiYUrmPg4s5e8tLbfMaW49cQuC1QcbrY/9EhsjLc6IsOpU6ZZxYwNFW7bxGxF0OqmMns0LGwoy+gmqsMYyKvvf51HvSFrZ+rex+xQ9NHz8WNhxnEoRK9Kw62Uws2F7zgXpTCnlRHv4nWkBFz5N46oiEXN3WKici1UxfOoidLd+Z0/O5lKkl4hZtSjDIOPhmRF2syBrwIjr3It2+7Ti149nLHPVI1HHcAZ7BQO/NPph0WD3IRuFuHFSIXinjKfV/8ogH/6mfzgRm37SXyCYZfpy4yz1mxLAEaiFGFRCynJCS1QHKfnef6fUb2ng1c3bSX3w6DWGRauO5rUnjESC+TjVLMebKD11CPIqaU/VA9fBawH019trI3/vg+mS0CgsE74jSR9SDEnKGTe4baGJpLDimsllY7FteGQ45ACkfRYl4cJo2PMvB8f6tpcwlUZCPRK8qXMjb9mi5Xv9+VA3j6/z7E1e9GPh+DLBEzobt3lWyAvEI3Mk+3CQM08znD9Yv5sgq5LjRTP3QtcsLWI=
  template:
    metadata:
      name: postgres-credentials
      namespace: ai-backend
    data:
      username: litellm
      url: postgres://litellm:{{ index . \"password\" }}@postgres:5432/litellm
",
    ),
    passing_example: Manifest(
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: postgres-credentials
  namespace: ai-backend
spec:
  encryptedData:
    password: AgB+2feeRtk/gJcRj6BhX2NOR32+OidSIPxgTuqKLXyL2N54JJ7MlZgXyJhUd3Aw4GtvlvX+4a8DwxL9xzqtgAZ2zZGDwsW9e8/f00bQ5NLbKZVDTSJMAMx+nKZO/i8OrHrLkKo0RE7iS9NpHz4jmFHo2QZaYLaCppwGDepFVkxde84htkAe4+Snu7ZObWNnysR0HcDdMh4UO/FvjGwzhB3pjog38d9HY3DARawcFL7vT5qhp9GMwdwkZdXt9dDMpUtxm5g8ESQ9Axa0OvKzCHvN5Ida1BZMy6PV04w0+hXe3FZry0Gg4ezM8xctBF1TClaDk6rVk8Y1jfCnt88l64WNT/1zqtZBUQW8L24bslJckpg3BrNbr6zvB7G2E5XOMnNQ4kR0AMOGcxdJ84vdpEDFR9Suyq38bMOExRRjnrxOdHabi6cKGhhfYXKOnOL4ZAjp4y2KTMW3B9/j0gRBSxqgE294/fgb0OlzAvhKT/vzN/ZxoA5hyDg82jkfSvjmQh/GSMt301yajBi+r3rCYahIIB4B4GIQAADK9g9tRdO70dUvdUAhaNrHuMaYBpNXWx7kLJV9qFTu+0hl5xNDL8YwzldFE4TwfAUJM8a8rxl8UW0zMl5lc++OM80yODqKfLFcQKiDU2GDL9lHAe9D+/3hHjv2xVC7Uqg1tZ36JgXA9fuNR7Cs1zrpgMUDqY6/HxVWHK4mGkUd9biZsKnNJhXL5Cj8
  template:
    metadata:
      name: postgres-credentials
      namespace: ai-backend
    data:
      url: postgres://litellm:{{ index . \"password\" }}@postgres:5432/litellm
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, PlaintextInTemplate)
}

struct PlaintextInTemplate;

impl ResourceCheck for PlaintextInTemplate {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_sealed_secret(resource) {
            return;
        }
        let entries = resource
            .get("/spec/template/data")
            .and_then(Node::entries)
            .unwrap_or_default();
        for entry in entries {
            let templated = entry.node.as_str().is_some_and(|text| text.contains("{{"));
            if templated || entry.node.is_null() {
                continue;
            }
            out.report(
                resource,
                &format!("/spec/template/data/{}", escape_token(&entry.key)),
                format!(
                    "{} writes `{}` in plaintext in spec.template.data",
                    resource.display(),
                    entry.key
                ),
            )
            .conceal(&entry.node);
        }
    }
}
