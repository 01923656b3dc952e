//! Typed access to the pod that every workload kind keeps in a different place.
//!
//! Rules ask "which containers does this workload run, and where is each one
//! written?" for Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
//! ReplicationControllers, Jobs, CronJobs and PodTemplates alike.
//!
//! These views borrow the parsed `Value` rather than deserializing into
//! `k8s-openapi` structs: a finding needs the pointer of every field it looks
//! at (the structs forget where fields were written), and a single wrongly
//! typed field anywhere would make a typed pod spec fail to deserialize, which
//! would silently hide the whole workload from every pod rule. Schema errors
//! are the schema rules' business; pod rules must still see the pod.

use crate::resource::Resource;
use crate::yaml::Node;

/// Where the pod template sits, per (API groups, kind).
const LAYOUTS: &[(&[&str], &str, &str)] = &[
    (&[""], "Pod", ""),
    (&[""], "PodTemplate", "/template"),
    (&[""], "ReplicationController", "/spec/template"),
    (&["apps", "extensions"], "Deployment", "/spec/template"),
    (&["apps", "extensions"], "DaemonSet", "/spec/template"),
    (&["apps", "extensions"], "ReplicaSet", "/spec/template"),
    (&["apps"], "StatefulSet", "/spec/template"),
    (&["batch"], "Job", "/spec/template"),
    (&["batch"], "CronJob", "/spec/jobTemplate/spec/template"),
];

/// The pod a workload runs: its template's metadata and spec.
#[derive(Debug, Clone, Copy)]
pub struct PodTemplate<'a> {
    /// Pointer to the object holding the pod's `metadata` and `spec`.
    pub pointer: &'static str,
    /// The template's `metadata` mapping, when it has one.
    pub metadata: Option<&'a Node>,
    /// The pod spec mapping.
    pub spec: &'a Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    InitContainer,
    EphemeralContainer,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Container,
        ContainerKind::InitContainer,
        ContainerKind::EphemeralContainer,
    ];

    /// The pod spec field that lists containers of this kind.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::InitContainer => "initContainers",
            ContainerKind::EphemeralContainer => "ephemeralContainers",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Container<'a> {
    pub kind: ContainerKind,
    pub index: usize,
    /// The container's mapping.
    pub fields: &'a Node,
    /// Pointer to the container, relative to the resource.
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct EnvVar<'a> {
    pub index: usize,
    pub name: Option<&'a str>,
    /// The literal `value`, when one is written.
    pub value: Option<&'a Node>,
    pub value_from: Option<&'a Node>,
    /// Pointer to the env entry, relative to the resource.
    pub pointer: String,
}

impl Resource {
    /// The pod this resource runs, for every kind that runs one.
    pub fn pod_template(&self) -> Option<PodTemplate<'_>> {
        let group = self.group();
        let (_, _, pointer) = LAYOUTS
            .iter()
            .find(|(groups, kind, _)| *kind == self.kind && groups.contains(&group))?;
        let template = self.object.pointer(pointer)?;
        Some(PodTemplate {
            pointer,
            metadata: template.get("metadata").filter(|node| node.is_mapping()),
            spec: template.get("spec").filter(|node| node.is_mapping())?,
        })
    }
}

impl<'a> PodTemplate<'a> {
    pub fn spec_pointer(&self) -> String {
        format!("{}/spec", self.pointer)
    }

    pub fn metadata_pointer(&self) -> String {
        format!("{}/metadata", self.pointer)
    }

    pub fn annotations(&self) -> Option<&'a Node> {
        self.metadata?
            .get("annotations")
            .filter(|node| node.is_mapping())
    }

    /// Every container of every kind, in spec order: containers, then init
    /// containers, then ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + '_ {
        ContainerKind::ALL.into_iter().flat_map(move |kind| {
            let items = self.spec.get(kind.field()).and_then(Node::items);
            items
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, item)| item.is_mapping())
                .map(move |(index, item)| Container {
                    kind,
                    index,
                    fields: item,
                    pointer: format!("{}/spec/{}/{index}", self.pointer, kind.field()),
                })
        })
    }
}

impl<'a> Container<'a> {
    pub fn name(&self) -> Option<&'a str> {
        self.fields.get("name")?.as_str()
    }

    pub fn image(&self) -> Option<&'a str> {
        self.fields.get("image")?.as_str()
    }

    pub fn env(&self) -> impl Iterator<Item = EnvVar<'a>> + '_ {
        let items = self.fields.get("env").and_then(Node::items);
        items
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, item)| item.is_mapping())
            .map(move |(index, entry)| EnvVar {
                index,
                name: entry.get("name").and_then(Node::as_str),
                value: entry.get("value"),
                value_from: entry.get("valueFrom").filter(|node| node.is_mapping()),
                pointer: format!("{}/env/{index}", self.pointer),
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::loader::tests::resources_of;
    use crate::source::Mark;

    use super::*;

    #[test]
    fn every_workload_kind_exposes_its_pod() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers: [{name: c, image: i}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b}
spec:
  template:
    metadata: {annotations: {x: z}}
    spec:
      initContainers: [{name: init, image: i}]
      containers: [{name: c, image: i}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: c, image: i}]
---
apiVersion: v1
kind: Service
metadata: {name: d}
spec: {}
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: e}
spec: {template: {spec: {containers: []}}}
";
        let resources = resources_of(text);
        let pointers: Vec<Vec<String>> = resources
            .iter()
            .map(|resource| match resource.pod_template() {
                Some(pod) => pod.containers().map(|c| c.pointer).collect(),
                None => vec!["-".to_owned()],
            })
            .collect();
        assert_eq!(
            pointers,
            [
                vec!["/spec/containers/0".to_owned()],
                vec![
                    "/spec/template/spec/containers/0".to_owned(),
                    "/spec/template/spec/initContainers/0".to_owned(),
                ],
                vec!["/spec/jobTemplate/spec/template/spec/containers/0".to_owned()],
                vec!["-".to_owned()],
                vec!["-".to_owned()],
            ]
        );
        let deployment = resources[1].pod_template().unwrap();
        assert_eq!(deployment.annotations().unwrap()["x"].as_str(), Some("z"));
        let init = deployment.containers().nth(1).unwrap();
        assert_eq!(init.kind, ContainerKind::InitContainer);
        assert_eq!(init.name(), Some("init"));
        assert_eq!(resources[1].mark_of(&init.pointer), Mark::new(14, 24));
    }

    #[test]
    fn env_entries_carry_their_pointers() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
    - name: c
      env:
        - name: PLAIN
          value: x
        - name: FROM
          valueFrom: {secretKeyRef: {name: s, key: k}}
";
        let resources = resources_of(text);
        let pod = resources[0].pod_template().unwrap();
        let container = pod.containers().next().unwrap();
        let env: Vec<_> = container.env().collect();
        assert_eq!(env[0].name, Some("PLAIN"));
        assert_eq!(env[0].value.and_then(Node::as_str), Some("x"));
        assert!(env[1].value_from.is_some());
        assert_eq!(env[1].pointer, "/spec/containers/0/env/1");
        assert_eq!(
            resources[0].mark_of(&format!("{}/value", env[0].pointer)),
            Mark::new(9, 11)
        );
    }
}
