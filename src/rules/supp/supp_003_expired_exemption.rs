//! SUPP-003: a configured exemption past its `expires` date.
//!
//! Reported by the run itself (`src/check.rs`) at the exemption's line in
//! `.charter.yaml`.

use crate::rules::Example::Prose;
use crate::rules::{Principle, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "SUPP-003",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Exemption has expired",
    rationale: "An exemption with `expires` is a promise to fix something by a date. After that \
                date it stops working, so the findings it covered come back; this warning says \
                which exemption lapsed, so the promise is either kept or renewed on purpose.",
    fix: "Fix what the exemption covered and delete it, or move `expires` to a new date with a \
          reason that still holds.",
    failing_example: Prose(
        "In .charter.yaml:\n\nexemptions:\n  - rules: [SEC-001]\n    namespace: sandbox\n    reason: demo credentials until the sealed demo lands\n    expires: 2025-01-31\n",
    ),
    passing_example: Prose(
        "In .charter.yaml:\n\nexemptions:\n  - rules: [SEC-001]\n    namespace: sandbox\n    reason: demo credentials until the sealed demo lands\n    expires: 2099-01-31\n",
    ),
};
