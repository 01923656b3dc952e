//! The `LEAK` family: secrets in any text file, found by the scanner
//! (`src/leak/`) with the detectors of `rules/secrets.toml`. Each detector
//! names the rule its findings belong to.

mod leak_001_known_format;
mod leak_002_url_credentials;
mod leak_003_generic_assignment;

use super::{Rule, RuleMeta};

pub use leak_001_known_format::META as KNOWN_FORMAT;
pub use leak_002_url_credentials::META as URL_CREDENTIALS;
pub use leak_003_generic_assignment::META as GENERIC_ASSIGNMENT;

pub fn rules() -> Vec<Rule> {
    [&KNOWN_FORMAT, &URL_CREDENTIALS, &GENERIC_ASSIGNMENT]
        .into_iter()
        .map(Rule::engine)
        .collect()
}

/// The rule a detector's `rule` field names.
pub fn rule_for(id: &str) -> Option<&'static RuleMeta> {
    [&KNOWN_FORMAT, &URL_CREDENTIALS, &GENERIC_ASSIGNMENT]
        .into_iter()
        .find(|meta| meta.id.eq_ignore_ascii_case(id))
}
