//! SUPP-001: a `charter.io/ignore` annotation without a reason.

use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::suppress::{REASON_ANNOTATION, inline_ignores};

pub static META: RuleMeta = RuleMeta {
    id: "SUPP-001",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Inline ignore without a reason",
    rationale: "An exemption is a decision, and a decision nobody can read back is one nobody can \
                review or revisit. An ignore annotation without `charter.io/ignore-reason` takes \
                no effect: the findings it names are still reported.",
    fix: "Add `charter.io/ignore-reason: \"<why this is acceptable>\"` next to the \
          `charter.io/ignore` annotation, or remove the ignore.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Secret
metadata:
  name: demo-credentials
  namespace: sandbox
  annotations:
    charter.io/ignore: SEC-001
stringData:
  password: change-me
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: Secret
metadata:
  name: demo-credentials
  namespace: sandbox
  annotations:
    charter.io/ignore: SEC-001
    charter.io/ignore-reason: throwaway credentials of the local demo database, never deployed
stringData:
  password: change-me
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, IgnoreWithoutReason)
}

struct IgnoreWithoutReason;

impl ResourceCheck for IgnoreWithoutReason {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        for ignore in inline_ignores(resource)
            .iter()
            .filter(|ignore| ignore.reason.is_none())
        {
            out.report(
                resource,
                &ignore.pointer,
                format!(
                    "{} ignores {} without `{REASON_ANNOTATION}`; the ignore takes no effect",
                    resource.display(),
                    ignore.names.join(", "),
                ),
            );
        }
    }
}
