//! The `RBAC` family: least privilege for API access (constitution,
//! article 2). Data in `rules/hardening.yaml`.

mod rbac_001_wildcard;
mod rbac_002_secret_access;
mod rbac_003_cluster_admin;

use super::Rule;
use crate::resource::Resource;

const GROUP: &str = "rbac.authorization.k8s.io";

pub fn rules() -> Vec<Rule> {
    vec![
        rbac_001_wildcard::rule(),
        rbac_002_secret_access::rule(),
        rbac_003_cluster_admin::rule(),
    ]
}

fn is_role(resource: &Resource) -> bool {
    resource.is(GROUP, "Role") || resource.is(GROUP, "ClusterRole")
}

fn is_binding(resource: &Resource) -> bool {
    resource.is(GROUP, "RoleBinding") || resource.is(GROUP, "ClusterRoleBinding")
}
