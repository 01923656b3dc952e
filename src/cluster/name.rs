//! The names findings on live objects are reported under.

/// `cluster:CONTEXT/NAMESPACE/KIND/NAME`, or `cluster:CONTEXT/KIND/NAME` for
/// a cluster-scoped object. KIND is qualified by its group the way kubectl
/// writes it (`Deployment.apps`, `ClusterPolicy.kyverno.io`; core kinds bare:
/// `Secret`), so that two groups' kinds of one name stay apart. Namespaces
/// are DNS labels (lower case, no dots) and kinds start upper case, so the
/// two forms cannot be mistaken for each other.
pub fn object_name(
    context: &str,
    group: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> String {
    let kind = match group {
        "" => kind.to_owned(),
        group => format!("{kind}.{group}"),
    };
    match namespace {
        Some(namespace) => format!("cluster:{context}/{namespace}/{kind}/{name}"),
        None => format!("cluster:{context}/{kind}/{name}"),
    }
}

/// `apiVersion/kind` (`v1/Secret`, `apps/v1/Deployment`), how skipped
/// kinds are named.
pub fn kind_label(api_version: &str, kind: &str) -> String {
    format!("{api_version}/{kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaced_and_cluster_scoped_names() {
        assert_eq!(
            object_name("k3s", "apps", "Deployment", Some("shop"), "web"),
            "cluster:k3s/shop/Deployment.apps/web"
        );
        assert_eq!(
            object_name("k3s", "", "Secret", Some("shop"), "db"),
            "cluster:k3s/shop/Secret/db"
        );
        assert_eq!(
            object_name("k3s", "kyverno.io", "ClusterPolicy", None, "require-limits"),
            "cluster:k3s/ClusterPolicy.kyverno.io/require-limits"
        );
        assert_eq!(
            object_name("k3s", "", "Namespace", None, "shop"),
            "cluster:k3s/Namespace/shop"
        );
    }

    #[test]
    fn kind_labels() {
        assert_eq!(kind_label("v1", "Secret"), "v1/Secret");
        assert_eq!(kind_label("apps/v1", "Deployment"), "apps/v1/Deployment");
    }
}
