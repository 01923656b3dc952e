//! SCHEMA-001: a resource the API server would refuse for its schema.

use super::{Settings, field_name, per_resource, resource_at, shorten};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::schema::builtin::QUANTITY_PATTERN;
use crate::schema::instance::to_instance;
use crate::schema::{Gvk, KindSchema, Origin};

pub static META: RuleMeta = RuleMeta {
    id: "SCHEMA-001",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Resource does not match its kind's schema",
    rationale: "The API server refuses an object with a field of the wrong type, a missing \
                required field, a value outside its enumeration or a malformed quantity; ArgoCD \
                then shows the application degraded, long after the commit. charter validates \
                every resource offline against its kind's schema: the built-in kinds of \
                Kubernetes 1.31, and custom resources against their CRD (from the checked files, \
                --crd-dir or rules/crds/).",
    fix: "Correct the field at the reported line as the message says: the type it must have \
          (`replicas: 2`, not `\"2\"`), the required field that is missing, one of the allowed \
          values, or a quantity such as `500m`, `0.5`, `128Mi`.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: litellm
  namespace: ai-backend
spec:
  replicas: \"2\"
  selector:
    matchLabels: {app: litellm}
  template:
    metadata:
      labels: {app: litellm}
    spec:
      containers:
        - name: litellm
          image: ghcr.io/berriai/litellm:v1.55.8
          resources:
            limits: {memory: 1Gb}
",
    ),
    passing_example: Manifest(
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
      containers:
        - name: litellm
          image: ghcr.io/berriai/litellm:v1.55.8
          resources:
            limits: {memory: 1Gi, cpu: 1}
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, Invalid::default())
}

#[derive(Default)]
struct Invalid {
    settings: Settings,
}

impl SetCheck for Invalid {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.settings.configure(params)
    }

    fn complete_on_one_object(&self) -> bool {
        true
    }

    fn knowledge(&self) -> Option<String> {
        Some(super::knowledge(&self.settings))
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        for (index, (pointer, message)) in per_resource(set, &self.settings, violations) {
            if let Some(resource) = resource_at(set, index) {
                out.report(resource, &pointer, message);
            }
        }
    }
}

/// `(pointer, message)` of every way `resource` breaks its schema.
fn violations(resource: &Resource, schema: &KindSchema) -> Vec<(String, String)> {
    let validator = match schema.validator() {
        Ok(validator) => validator,
        Err(reason) => {
            let origin = match &schema.origin {
                Origin::Crd(origin) => origin.as_str(),
                Origin::Builtin => "charter's built-in schemas",
            };
            return vec![(
                "/kind".to_owned(),
                format!(
                    "the schema of {} (from {origin}) cannot be used: {}",
                    Gvk::of(resource).display(),
                    shorten(reason)
                ),
            )];
        }
    };
    let instance = to_instance(&resource.object);
    if validator.is_valid(&instance) {
        return Vec::new();
    }
    validator
        .iter_errors(&instance)
        .map(|error| {
            let pointer = error.instance_path().as_str().to_owned();
            let message = describe(&error, &pointer);
            (pointer, message)
        })
        .collect()
}

/// The validator's reason, naming the field and keeping values short.
fn describe(error: &jsonschema::ValidationError<'_>, pointer: &str) -> String {
    let field = match pointer {
        "" => "the resource".to_owned(),
        pointer => format!("`{}`", field_name(pointer)),
    };
    let instance = error.instance().to_string();
    if let jsonschema::error::ValidationErrorKind::Pattern { pattern } = error.kind() {
        if pattern == QUANTITY_PATTERN {
            return format!(
                "{field}: {} is not a quantity (such as 500m, 0.5, 2, 128Mi, 1Gi)",
                shorten(&instance)
            );
        }
    }
    let reason = error.to_string();
    let reason = match reason.strip_prefix(&instance) {
        Some(rest) => format!("{}{rest}", shorten(&instance)),
        None => reason,
    };
    format!("{field}: {reason}")
}
