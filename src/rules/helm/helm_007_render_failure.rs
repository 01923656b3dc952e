//! HELM-007: a Helm chart in the checked paths that `helm template` cannot
//! render. Reported by the renderer (`src/chart/`), not by a check.

use crate::rules::Example::Prose;
use crate::rules::{Principle, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "HELM-007",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Helm chart fails to render",
    rationale: "charter renders every chart it finds (a directory with `Chart.yaml`) with \
                `helm template`, the way the ArgoCD Application that deploys it would: its \
                release name, destination namespace, value files, values and parameters. A chart \
                that does not render is a sync that fails in ArgoCD (`ComparisonError`), and \
                nothing in it can be checked. The finding carries Helm's own message, which names \
                the template and line.",
    fix: "Fix the template or values at the place Helm names (`helm template NAME CHART` shows \
          the same error), or the Application's `helm` settings that feed it.",
    failing_example: Prose(
        "A chart whose `templates/deployment.yaml` has `{{ .Values.image.tag }` (an unclosed \
         action): Helm stops with `parse error at (chart/templates/deployment.yaml:12): \
         unexpected \"}\" in operand`.",
    ),
    passing_example: Prose("The same template with `{{ .Values.image.tag }}`."),
};
