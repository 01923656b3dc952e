//! The `SEC` family: zero plaintext secrets (constitution, article 2).

mod sec_001_plaintext_secret;

use super::Rule;

pub fn rules() -> Vec<Rule> {
    vec![sec_001_plaintext_secret::rule()]
}
