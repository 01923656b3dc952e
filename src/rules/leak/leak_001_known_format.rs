//! LEAK-001: a credential in a known format, anywhere in the repository.

use crate::rules::Example::Prose;
use crate::rules::{Principle, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "LEAK-001",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Credential in a known format",
    rationale: "Cloud keys, provider API tokens (OpenAI, Anthropic, Hugging Face, GitHub, \
                GitLab, Slack, Stripe...), private keys and signed tokens have recognisable \
                shapes. One committed to Git is readable by everyone with the repository and \
                stays in its history after deletion. charter scans every text file, not only \
                manifests: scripts, `.env` files, Helm values, docs. The detectors are listed in \
                `rules/secrets.toml`.",
    fix: "Revoke the credential at its issuer (it is compromised once pushed), remove it from the \
          file and from Git history, and deliver it to the workload as a SealedSecret. If the \
          match is a test fixture, add `charter:allow` in a comment on its line, or a baseline.",
    failing_example: Prose(
        "A line in scripts/deploy.sh:\n\nexport HF_TOKEN=hf_<34 random letters>\n",
    ),
    passing_example: Prose(
        "The token read from a mounted SealedSecret instead:\n\nexport HF_TOKEN=\"$(cat /run/secrets/hf/token)\"\n",
    ),
};
