//! Stable identities of findings for CI systems (SARIF
//! `partialFingerprints`, GitLab's `fingerprint`), which match a finding
//! from one run to the next to tell new from fixed.
//!
//! The basis is the baseline's (`crate::baseline::Fingerprint`): rule, file,
//! resource, field and the secret's hash, never a line number, so a finding
//! keeps its identity when lines move above it. It is hashed so that the
//! secret's hash is not repeated in reports, and so that the value has the
//! fixed length CI systems expect.

use std::collections::HashMap;
use std::path::Path;

use crate::baseline;
use crate::check::Outcome;
use crate::leak::sha256_hex;

/// The key of charter's entry in SARIF `partialFingerprints`; the version
/// changes whenever the basis does.
pub const SARIF_KEY: &str = "charterFingerprint/v1";

/// One fingerprint per finding of `outcome`, in order: hex SHA-256 of the
/// finding's baseline fingerprint, with files relative to `root`. Findings
/// that share a basis (the same field reported twice by one rule) are told
/// apart by their order among themselves, so that no two are equal.
pub fn fingerprints(outcome: &Outcome, root: &Path) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    outcome
        .findings
        .iter()
        .map(|finding| {
            let basis = baseline::fingerprint(outcome, finding, root);
            // Field order is the struct's, so the text is canonical.
            let text = serde_json::to_string(&basis).unwrap_or_else(|_| format!("{basis:?}"));
            let occurrence = seen.entry(text.clone()).or_insert(0);
            let text = match *occurrence {
                0 => text,
                n => format!("{text}#{n}"),
            };
            *occurrence += 1;
            let hash = sha256_hex(&text);
            hash.strip_prefix("sha256:").unwrap_or(&hash).to_owned()
        })
        .collect()
}
