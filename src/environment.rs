//! The environment a container runs with, as Kubernetes assembles it:
//! `envFrom` sources in order, then `env` entries, later ones winning, with
//! values resolved through the ConfigMaps and Secrets of the set.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::resource::Resource;
use crate::workload::Container;
use crate::yaml::node::escape_token;
use crate::yaml::{Node, Value};

/// ConfigMaps, Secrets and SealedSecrets of a set, by name.
pub struct Objects<'a> {
    by_name: HashMap<(&'static str, &'a str), Vec<&'a Resource>>,
}

/// What kind of object holds configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    ConfigMap,
    Secret,
    SealedSecret,
}

impl<'a> Objects<'a> {
    pub fn new(resources: &'a [Resource]) -> Self {
        let mut by_name: HashMap<(&'static str, &'a str), Vec<&'a Resource>> = HashMap::new();
        for resource in resources {
            let (kind, name) = if resource.is("", "ConfigMap") {
                ("ConfigMap", resource.name.as_str())
            } else if resource.is("", "Secret") {
                ("Secret", resource.name.as_str())
            } else if resource.is("bitnami.com", "SealedSecret") {
                // The Secret it becomes may be renamed by its template.
                let name = resource
                    .get("/spec/template/metadata/name")
                    .and_then(Node::as_str)
                    .unwrap_or(&resource.name);
                ("SealedSecret", name)
            } else {
                continue;
            };
            by_name.entry((kind, name)).or_default().push(resource);
        }
        Objects { by_name }
    }

    /// The ConfigMap `name` as seen from `namespace`. A namespace not
    /// written on either side matches any.
    pub fn config_map(&self, namespace: Option<&str>, name: &str) -> Option<&'a Resource> {
        self.find("ConfigMap", namespace, name)
    }

    /// The Secret `name` becomes: a plain Secret or a SealedSecret.
    pub fn secret(&self, namespace: Option<&str>, name: &str) -> Option<(&'a Resource, Holder)> {
        self.find("Secret", namespace, name)
            .map(|found| (found, Holder::Secret))
            .or_else(|| {
                self.find("SealedSecret", namespace, name)
                    .map(|found| (found, Holder::SealedSecret))
            })
    }

    fn find(
        &self,
        kind: &'static str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&'a Resource> {
        let candidates = self.by_name.get(&(kind, name))?;
        candidates
            .iter()
            .find(|candidate| candidate.namespace.as_deref() == namespace)
            .or_else(|| {
                candidates
                    .iter()
                    .find(|candidate| candidate.namespace.is_none() || namespace.is_none())
            })
            .copied()
    }
}

/// A variable's value, when charter can know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue<'a> {
    Known(Cow<'a, str>),
    /// Set, from somewhere charter cannot read (a Secret, a field reference).
    Unknown,
}

/// Where a variable was set.
#[derive(Debug, Clone)]
pub enum Origin<'a> {
    /// Written in the workload, at this pointer.
    Workload { pointer: String },
    /// A key of a ConfigMap or Secret, at this pointer of that object.
    Object {
        resource: &'a Resource,
        holder: Holder,
        pointer: String,
    },
    /// Set by the image (catalogue `imageEnv`).
    Image,
}

#[derive(Debug, Clone)]
pub struct EnvVar<'a> {
    pub name: Cow<'a, str>,
    pub value: EnvValue<'a>,
    pub origin: Origin<'a>,
}

/// A container's environment, with where each variable came from.
#[derive(Debug, Default)]
pub struct Environment<'a> {
    vars: Vec<EnvVar<'a>>,
    /// Whether some source could not be read (an `envFrom` ConfigMap that is
    /// not in the set): any variable might be set there.
    pub incomplete: bool,
}

impl<'a> Environment<'a> {
    /// Assembles the environment of `container` of `workload`, over `base`
    /// (what the image sets).
    pub fn of(
        workload: &'a Resource,
        container: &Container<'a>,
        objects: &Objects<'a>,
        base: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut environment = Environment::default();
        for (name, value) in base {
            environment.set(EnvVar {
                name: Cow::Borrowed(name),
                value: EnvValue::Known(Cow::Borrowed(value)),
                origin: Origin::Image,
            });
        }
        let namespace = workload.namespace.as_deref();
        let sources = container.fields.get("envFrom").and_then(Node::items);
        for source in sources.unwrap_or_default() {
            environment.add_source(source, namespace, objects);
        }
        for variable in container.env() {
            let Some(name) = variable.name else { continue };
            let value = match (variable.value, variable.value_from) {
                (Some(value), _) => match scalar(value) {
                    Some(text) => (
                        EnvValue::Known(text),
                        Origin::Workload {
                            pointer: format!("{}/value", variable.pointer),
                        },
                    ),
                    None => continue,
                },
                (None, Some(from)) => {
                    environment.value_from(from, &variable.pointer, namespace, objects)
                }
                (None, None) => (
                    EnvValue::Known(Cow::Borrowed("")),
                    Origin::Workload {
                        pointer: variable.pointer.clone(),
                    },
                ),
            };
            environment.set(EnvVar {
                name: Cow::Borrowed(name),
                value: value.0,
                origin: value.1,
            });
        }
        environment
    }

    pub fn get(&self, name: &str) -> Option<&EnvVar<'a>> {
        self.vars.iter().find(|var| var.name == name)
    }

    pub fn vars(&self) -> impl Iterator<Item = &EnvVar<'a>> {
        self.vars.iter()
    }

    fn set(&mut self, var: EnvVar<'a>) {
        match self
            .vars
            .iter_mut()
            .find(|existing| existing.name == var.name)
        {
            Some(existing) => *existing = var,
            None => self.vars.push(var),
        }
    }

    fn add_source(&mut self, source: &'a Node, namespace: Option<&str>, objects: &Objects<'a>) {
        let prefix = source.get("prefix").and_then(Node::as_str).unwrap_or("");
        if let Some(name) = source.pointer("/configMapRef/name").and_then(Node::as_str) {
            match objects.config_map(namespace, name) {
                Some(config_map) => {
                    for (field, known) in [("data", true), ("binaryData", false)] {
                        for entry in config_map
                            .object
                            .get(field)
                            .and_then(Node::entries)
                            .unwrap_or_default()
                        {
                            let value = match known {
                                true => {
                                    scalar(&entry.node).map_or(EnvValue::Unknown, EnvValue::Known)
                                }
                                false => EnvValue::Unknown,
                            };
                            self.set(EnvVar {
                                name: Cow::Owned(format!("{prefix}{}", entry.key)),
                                value,
                                origin: Origin::Object {
                                    resource: config_map,
                                    holder: Holder::ConfigMap,
                                    pointer: format!("/{field}/{}", escape_token(&entry.key)),
                                },
                            });
                        }
                    }
                }
                None => self.incomplete = true,
            }
        }
        if let Some(name) = source.pointer("/secretRef/name").and_then(Node::as_str) {
            match objects.secret(namespace, name) {
                Some((secret, holder)) => {
                    let fields: &[&str] = match holder {
                        Holder::SealedSecret => &["/spec/encryptedData"],
                        _ => &["/data", "/stringData"],
                    };
                    for field in fields {
                        for entry in secret
                            .get(field)
                            .and_then(Node::entries)
                            .unwrap_or_default()
                        {
                            // Secret values are never shown, and sealed ones cannot be read.
                            self.set(EnvVar {
                                name: Cow::Owned(format!("{prefix}{}", entry.key)),
                                value: EnvValue::Unknown,
                                origin: Origin::Object {
                                    resource: secret,
                                    holder,
                                    pointer: format!("{field}/{}", escape_token(&entry.key)),
                                },
                            });
                        }
                    }
                }
                None => self.incomplete = true,
            }
        }
    }

    fn value_from(
        &self,
        from: &'a Node,
        pointer: &str,
        namespace: Option<&str>,
        objects: &Objects<'a>,
    ) -> (EnvValue<'a>, Origin<'a>) {
        let unknown = (
            EnvValue::Unknown,
            Origin::Workload {
                pointer: pointer.to_owned(),
            },
        );
        let Some(reference) = from.get("configMapKeyRef") else {
            return unknown;
        };
        let (Some(name), Some(key)) = (
            reference.get("name").and_then(Node::as_str),
            reference.get("key").and_then(Node::as_str),
        ) else {
            return unknown;
        };
        let Some(config_map) = objects.config_map(namespace, name) else {
            return unknown;
        };
        match config_map
            .object
            .pointer(&format!("/data/{}", escape_token(key)))
            .and_then(scalar)
        {
            Some(text) => (
                EnvValue::Known(text),
                Origin::Object {
                    resource: config_map,
                    holder: Holder::ConfigMap,
                    pointer: format!("/data/{}", escape_token(key)),
                },
            ),
            None => unknown,
        }
    }
}

/// A scalar's text as a program would receive it.
pub fn scalar(node: &Node) -> Option<Cow<'_, str>> {
    match &node.value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Bool(flag) => Some(Cow::Owned(flag.to_string())),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Null => Some(Cow::Borrowed("")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    #[test]
    fn env_from_then_env_with_later_entries_winning() {
        let text = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ai}
data:
  DO_NOT_TRACK: 'false'
  MODE: cm
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: sealed, namespace: ai}
spec:
  encryptedData: {API_KEY: AgB}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ai}
spec:
  template:
    spec:
      containers:
        - name: app
          image: example/app
          envFrom:
            - configMapRef: {name: settings}
            - secretRef: {name: sealed}
              prefix: APP_
          env:
            - {name: MODE, value: literal}
            - name: FROM_KEY
              valueFrom: {configMapKeyRef: {name: settings, key: MODE}}
            - name: FIELD
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
";
        let resources = resources_of(text);
        let objects = Objects::new(&resources);
        let pod = resources[2].pod_template().unwrap();
        let container = pod.containers().next().unwrap();
        let environment = Environment::of(
            &resources[2],
            &container,
            &objects,
            [("DO_NOT_TRACK", "true")],
        );
        let summary: Vec<(String, EnvValue<'_>)> = environment
            .vars()
            .map(|var| (var.name.to_string(), var.value.clone()))
            .collect();
        let known = |text: &'static str| EnvValue::Known(Cow::Borrowed(text));
        assert_eq!(
            summary,
            [
                ("DO_NOT_TRACK".to_owned(), known("false")),
                ("MODE".to_owned(), known("literal")),
                ("APP_API_KEY".to_owned(), EnvValue::Unknown),
                ("FROM_KEY".to_owned(), known("cm")),
                ("FIELD".to_owned(), EnvValue::Unknown),
            ]
        );
        assert!(!environment.incomplete);
        match &environment.get("DO_NOT_TRACK").unwrap().origin {
            Origin::Object {
                resource, pointer, ..
            } => {
                assert_eq!(
                    (resource.kind.as_str(), pointer.as_str()),
                    ("ConfigMap", "/data/DO_NOT_TRACK")
                );
            }
            other => panic!("unexpected origin {other:?}"),
        }
    }
}
