//! KYV-006: a `{{ }}` variable in a Kyverno policy that does not close.

use super::is_policy;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;
use crate::yaml::Value;
use crate::yaml::node::escape_token;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-006",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Unbalanced `{{ }}` variable in a Kyverno policy",
    rationale: "Kyverno substitutes `{{ ... }}` variables (JMESPath over the request) in \
                messages, patterns and conditions. A `{{` without its `}}` (or the other way \
                round) is not substituted: the policy fails to load, or compares against the \
                literal text and decides wrongly for every request.",
    fix: "Close every `{{` with `}}` (escape a literal brace as `\\{{`).",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-latest-tag
spec:
  validationFailureAction: Enforce
  rules:
    - name: require-image-tag
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: \"Image {{ request.object.spec.containers[0].image } has no tag.\"
        pattern:
          spec:
            containers:
              - image: \"*:*\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-latest-tag
spec:
  validationFailureAction: Enforce
  rules:
    - name: require-image-tag
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: \"Image {{ request.object.spec.containers[0].image }} has no tag.\"
        pattern:
          spec:
            containers:
              - image: \"*:*\"
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, UnbalancedVariables)
}

struct UnbalancedVariables;

/// Whether every `{{` closes, in order. Escaped `\{{` is literal.
fn balanced(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut depth: i64 = 0;
    let mut index = 0;
    while index + 1 < bytes.len() {
        match &bytes[index..index + 2] {
            b"{{" if index == 0 || bytes[index - 1] != b'\\' => {
                depth += 1;
                index += 2;
            }
            b"}}" => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
                index += 2;
            }
            _ => index += 1,
        }
    }
    depth == 0
}

fn walk(node: &Node, pointer: &mut String, found: &mut Vec<String>) {
    match &node.value {
        Value::String(text) if (text.contains("{{") || text.contains("}}")) && !balanced(text) => {
            found.push(pointer.clone());
        }
        Value::Mapping(entries) => {
            for entry in entries.iter() {
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_token(&entry.key));
                walk(&entry.node, pointer, found);
                pointer.truncate(length);
            }
        }
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                walk(item, pointer, found);
                pointer.truncate(length);
            }
        }
        _ => {}
    }
}

impl ResourceCheck for UnbalancedVariables {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) {
            return;
        }
        let Some(spec) = resource.get("/spec") else {
            return;
        };
        let mut found = Vec::new();
        walk(spec, &mut "/spec".to_owned(), &mut found);
        for pointer in found {
            out.report(
                resource,
                &pointer,
                format!(
                    "`{pointer}` of {} has a `{{{{` without its `}}}}` (or the reverse): Kyverno will not substitute it",
                    resource.display()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::balanced;

    #[test]
    fn braces_close_in_order() {
        assert!(balanced("{{ request.object.metadata.name }}"));
        assert!(balanced("{{ a }} and {{ b }}"));
        assert!(balanced("literal \\{{ brace"));
        assert!(!balanced("{{ a }"));
        assert!(!balanced("}} {{"));
        assert!(!balanced("{{ a }} }}"));
    }
}
