//! LEAK-002: a user and password inside a URL, anywhere in the repository.

use crate::rules::Example::Prose;
use crate::rules::{Principle, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "LEAK-002",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Password inside a URL",
    rationale: "`postgres://app:password@db:5432/app` and `https://user:token@git.example/` \
                carry the password with the address: it ends up in Git, in logs and in process \
                listings.",
    fix: "Keep the URL without the password and pass the password separately from a \
          SealedSecret (most drivers read `PGPASSWORD`-style variables or a password file), \
          or build the URL at start-up from `$(VAR)` references to secret-backed variables.",
    failing_example: Prose(
        "DATABASE_URL=postgres://litellm:<password>@postgres.ai-backend.svc:5432/litellm\n",
    ),
    passing_example: Prose(
        "DATABASE_URL=postgres://litellm@postgres.ai-backend.svc:5432/litellm\nPGPASSWORD from a secretKeyRef\n",
    ),
};
