//! The `NET` family: how Services and NetworkPolicies expose and reach pods
//! (constitution, article 2, defence in depth; article 4 for references that
//! point nowhere). Data in `rules/hardening.yaml`.

mod net_001_exposed_service;
mod net_002_dangling_service;
mod net_003_dangling_network_policy;

use super::Rule;

pub fn rules() -> Vec<Rule> {
    vec![
        net_001_exposed_service::rule(),
        net_002_dangling_service::rule(),
        net_003_dangling_network_policy::rule(),
    ]
}
