//! The `PRIV` family: privacy first (constitution, article 1). All inference
//! is local, nothing sends telemetry, and the platform runs self-contained.
//! The egress rules' defaults are in `rules/egress.yaml`.

mod egress;
mod priv_006_no_default_deny_egress;
mod priv_007_egress_to_internet;

use super::Rule;

pub fn rules() -> Vec<Rule> {
    vec![
        priv_006_no_default_deny_egress::rule(),
        priv_007_egress_to_internet::rule(),
    ]
}
