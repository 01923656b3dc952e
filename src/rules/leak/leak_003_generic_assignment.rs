//! LEAK-003: a high-entropy value assigned to a secret-sounding name.

use crate::rules::Example::Prose;
use crate::rules::{Principle, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "LEAK-003",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Secret assigned to a password, secret, token or key setting",
    rationale: "Most secrets have no recognisable format: a database password, a signing key, an \
                internal token. Assigned to a name that says what it is (`password = ...`, \
                `api_key: ...`) with a value random enough to be one, it is almost certainly \
                real. Template expressions, variable references, placeholders, digests, UUIDs and \
                sealed values are not reported.",
    fix: "Move the value into a SealedSecret and reference it (`valueFrom.secretKeyRef`, a \
          mounted file, `${VAR}`); rotate it, since it is in Git history.",
    failing_example: Prose("settings.ini:\n\n[database]\npassword = \"<24 random characters>\"\n"),
    passing_example: Prose("settings.ini:\n\n[database]\npassword = ${DATABASE_PASSWORD}\n"),
};
