//! The `SUPP` family: exemptions that do not hold up.

mod supp_001_ignore_without_reason;
mod supp_002_ignore_names_no_rule;
pub mod supp_003_expired_exemption;

use super::Rule;

pub fn rules() -> Vec<Rule> {
    vec![
        supp_001_ignore_without_reason::rule(),
        supp_002_ignore_names_no_rule::rule(),
        Rule::engine(&supp_003_expired_exemption::META),
    ]
}
