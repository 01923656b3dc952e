//! The `POD` family: workload hardening (constitution, article 2, defence in
//! depth and least privilege; article 4 for resources, probes and disruption
//! budgets). The coverage of Polaris and kube-score for pod specs, with the
//! lists and thresholds in `rules/hardening.yaml`.
//!
//! Container settings inherit from the pod's `securityContext` where
//! Kubernetes does (`runAsNonRoot`, `runAsUser`, `seccompProfile`); findings
//! point at the container's field, or its nearest ancestor that is written.

mod pod_001_privileged;
mod pod_002_privilege_escalation;
mod pod_003_run_as_root;
mod pod_004_writable_root_filesystem;
mod pod_005_capabilities;
mod pod_006_host_namespaces;
mod pod_007_host_path;
mod pod_008_host_port;
mod pod_009_seccomp;
mod pod_010_service_account_token;
mod pod_011_resources;
mod pod_012_probes;
mod pod_013_disruption_budget;

use super::Rule;
use crate::resource::Resource;
use crate::workload::{Container, ContainerKind, PodTemplate};
use crate::yaml::{Node, Value};

pub fn rules() -> Vec<Rule> {
    vec![
        pod_001_privileged::rule(),
        pod_002_privilege_escalation::rule(),
        pod_003_run_as_root::rule(),
        pod_004_writable_root_filesystem::rule(),
        pod_005_capabilities::rule(),
        pod_006_host_namespaces::rule(),
        pod_007_host_path::rule(),
        pod_008_host_port::rule(),
        pod_009_seccomp::rule(),
        pod_010_service_account_token::rule(),
        pod_011_resources::rule(),
        pod_012_probes::rule(),
        pod_013_disruption_budget::rule(),
    ]
}

/// A Deployment that passes every POD rule, with its PodDisruptionBudget:
/// the passing example of most of them.
macro_rules! hardened {
    () => {
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: litellm
  namespace: ai-backend
spec:
  replicas: 2
  selector:
    matchLabels: {app: litellm}
  template:
    metadata:
      labels: {app: litellm}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: litellm
          image: registry.homelab.lan/litellm:1.55.0
          ports:
            - containerPort: 4000
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          resources:
            requests: {cpu: 250m, memory: 512Mi}
            limits: {memory: 1Gi}
          readinessProbe:
            httpGet: {path: /health/readiness, port: 4000}
          livenessProbe:
            httpGet: {path: /health/liveliness, port: 4000}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: tmp
          emptyDir: {}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: litellm
  namespace: ai-backend
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: litellm}
"
    };
}
pub(crate) use hardened;

/// `Deployment ns/name container `x``, `... init container `x``.
pub fn describe(resource: &Resource, container: &Container<'_>) -> String {
    let kind = match container.kind {
        ContainerKind::Container => "container",
        ContainerKind::InitContainer => "init container",
        ContainerKind::EphemeralContainer => "ephemeral container",
    };
    format!(
        "{} {kind} `{}`",
        resource.display(),
        container.name().unwrap_or("?")
    )
}

/// A setting of a container's `securityContext`, with its pointer.
pub fn container_setting<'a>(container: &Container<'a>, field: &str) -> Option<(&'a Node, String)> {
    let node = container
        .fields
        .get("securityContext")
        .filter(|context| context.is_mapping())?
        .get(field)?;
    Some((
        node,
        format!("{}/securityContext/{field}", container.pointer),
    ))
}

/// A setting of the pod's `securityContext`, with its pointer.
pub fn pod_setting<'a>(pod: &PodTemplate<'a>, field: &str) -> Option<(&'a Node, String)> {
    let node = pod
        .spec
        .get("securityContext")
        .filter(|context| context.is_mapping())?
        .get(field)?;
    Some((
        node,
        format!("{}/securityContext/{field}", pod.spec_pointer()),
    ))
}

/// A setting as it applies to a container: its own, else the pod's
/// (`runAsNonRoot`, `runAsUser`, `seccompProfile` inherit this way).
pub fn effective_setting<'a>(
    pod: &PodTemplate<'a>,
    container: &Container<'a>,
    field: &str,
) -> Option<(&'a Node, String)> {
    container_setting(container, field).or_else(|| pod_setting(pod, field))
}

/// Where to report a container setting that is missing: the field itself,
/// which locates to the nearest ancestor that is written.
pub fn missing_setting_pointer(container: &Container<'_>, field: &str) -> String {
    format!("{}/securityContext/{field}", container.pointer)
}

/// A boolean written as a YAML boolean.
pub fn is_true(node: &Node) -> bool {
    node.as_bool() == Some(true)
}

/// A whole number, as written (`0`, `1000`).
pub fn integer(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Number(number) => number.as_i64(),
        _ => None,
    }
}

/// The exact YAML to add under a container, as a hint.
pub fn add_to_container(container: &Container<'_>, yaml: &str) -> String {
    let name = container.name().unwrap_or("?");
    let indented: String = yaml.lines().map(|line| format!("    {line}\n")).collect();
    format!("Set in container `{name}`:\n\n  securityContext:\n{indented}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    #[test]
    fn container_settings_inherit_from_the_pod() {
        let resources = resources_of(
            "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsUser: 1000, runAsNonRoot: true}
  containers:
    - name: own
      securityContext: {runAsUser: 0}
    - name: inherits
  initContainers:
    - name: init
      securityContext: 5
",
        );
        let pod = resources[0].pod_template().unwrap();
        let found: Vec<(Option<i64>, String)> = pod
            .containers()
            .map(|container| {
                let (node, pointer) = effective_setting(&pod, &container, "runAsUser").unwrap();
                (integer(node), pointer)
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    Some(0),
                    "/spec/containers/0/securityContext/runAsUser".to_owned()
                ),
                (Some(1000), "/spec/securityContext/runAsUser".to_owned()),
                (Some(1000), "/spec/securityContext/runAsUser".to_owned()),
            ]
        );
        let own = pod.containers().next().unwrap();
        assert!(container_setting(&own, "runAsNonRoot").is_none());
        assert_eq!(
            missing_setting_pointer(&own, "runAsNonRoot"),
            "/spec/containers/0/securityContext/runAsNonRoot"
        );
        assert_eq!(describe(&resources[0], &own), "Pod p container `own`");
        assert_eq!(
            add_to_container(&own, "a: 1\nb: 2"),
            "Set in container `own`:\n\n  securityContext:\n    a: 1\n    b: 2\n"
        );
    }
}
