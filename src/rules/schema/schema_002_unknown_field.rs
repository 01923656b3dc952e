//! SCHEMA-002 (strict mode): a field the kind's schema does not declare.

use super::{Settings, field_name, per_resource, resource_at};
use crate::engine::{Emitter, ResourceSet};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::schema::Gvk;
use crate::schema::strict::{Unknown, unknown_fields};

pub static META: RuleMeta = RuleMeta {
    id: "SCHEMA-002",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Field unknown to the kind's schema (strict mode)",
    rationale: "The API server drops a field it does not know, with at most a warning nobody \
                reads in ArgoCD's sync: `replica: 3` instead of `replicas: 3`, or a \
                `containerPort` written on the container instead of under `ports`, silently does \
                nothing. In strict mode (`--strict`, `strict: true` in .charter.yaml) every field \
                must be declared by the kind's schema, except under a CRD's \
                `x-kubernetes-preserve-unknown-fields`. Duplicate keys are PARSE-005, in every \
                mode.",
    fix: "Correct the field's name (the message suggests the declared field it is closest to) or \
          move it where it belongs; delete it if it has no meaning for this kind.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: search
spec:
  replica: 2
  selector:
    matchLabels: {app: searxng}
  template:
    metadata:
      labels: {app: searxng}
    spec:
      containers:
        - name: searxng
          image: docker.io/searxng/searxng:2025.1.10
          containerPort: 8080
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: search
spec:
  replicas: 2
  selector:
    matchLabels: {app: searxng}
  template:
    metadata:
      labels: {app: searxng}
    spec:
      containers:
        - name: searxng
          image: docker.io/searxng/searxng:2025.1.10
          ports:
            - containerPort: 8080
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, UnknownField::default())
}

#[derive(Default)]
struct UnknownField {
    settings: Settings,
}

impl SetCheck for UnknownField {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.settings.configure(params)
    }

    fn complete_on_one_object(&self) -> bool {
        true
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        if !self.settings.strict {
            return;
        }
        let found = per_resource(set, &self.settings, |resource, schema| {
            unknown_fields(&schema.schema, &resource.object)
                .into_iter()
                .map(|unknown| (Gvk::of(resource).display(), unknown))
                .collect()
        });
        for (index, (kind, unknown)) in found {
            let Some(resource) = resource_at(set, index) else {
                continue;
            };
            let Unknown {
                pointer,
                key,
                parent,
                hint,
            } = unknown;
            let place = match parent.as_str() {
                "" => String::new(),
                parent => format!(" in `{}`", field_name(parent)),
            };
            let hint = hint.map(|hint| format!(": {hint}")).unwrap_or_default();
            out.report(
                resource,
                &pointer,
                format!("unknown field `{key}`{place} of {kind}{hint}"),
            );
        }
    }
}
