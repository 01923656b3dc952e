//! Gatekeeper: ConstraintTemplates (Rego in `targets[].rego` and `libs`, or
//! in `code[]` with `engine: Rego`) and the Constraints that instantiate
//! them, judged as Gatekeeper's admission target judges them.

use regorus::{Engine, Value};

use super::matching::Match;
use super::rego::{self, Dialect, RegoError};
use crate::resource::Resource;
use crate::rules::Severity;
use crate::yaml::Node;

pub const TEMPLATE_GROUP: &str = "templates.gatekeeper.sh";
pub const CONSTRAINT_GROUP: &str = "constraints.gatekeeper.sh";
/// The one target Gatekeeper's templates are written for.
const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";

/// A compiled ConstraintTemplate (its engine is kept apart: engines are
/// shared between threads through an `EngineSet`).
pub struct Template {
    pub name: String,
    /// The kind of its Constraints (`spec.crd.spec.names.kind`).
    pub kind: String,
    /// `data.<package>.violation`.
    pub violation: String,
    /// Whether its Rego reads `data.inventory`: only then is the inventory
    /// built and handed to it.
    pub uses_inventory: bool,
    /// `spec.crd.spec.validation.openAPIV3Schema`, for the Constraints'
    /// `parameters`.
    pub parameters_schema: Option<jsonschema::Validator>,
}

/// Why a ConstraintTemplate cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateProblem {
    /// Not a usable template: the pointer names the field at fault.
    Invalid { pointer: String, message: String },
    /// Its Rego does not compile. `line` counts from the file's start.
    Compile {
        pointer: String,
        line: u32,
        column: u32,
        error: RegoError,
    },
    /// Its only code is for an engine charter does not run (CEL).
    Unsupported { pointer: String, message: String },
}

/// Whether `resource` is a ConstraintTemplate.
pub fn is_template(resource: &Resource) -> bool {
    resource.is(TEMPLATE_GROUP, "ConstraintTemplate")
}

/// Whether `resource` is a Constraint (any kind of the constraints group).
pub fn is_constraint(resource: &Resource) -> bool {
    resource.group() == CONSTRAINT_GROUP
}

/// Compiles the template in `object`, read from the file named `file`.
pub fn read_template(object: &Node, file: &str) -> Result<(Template, Engine), TemplateProblem> {
    let invalid = |pointer: &str, message: &str| TemplateProblem::Invalid {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    };
    let name = object
        .pointer("/metadata/name")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_owned();
    let kind = object
        .pointer("/spec/crd/spec/names/kind")
        .and_then(Node::as_str)
        .ok_or_else(|| invalid("/spec/crd/spec/names", "has no `spec.crd.spec.names.kind`"))?
        .to_owned();
    let targets = object
        .pointer("/spec/targets")
        .and_then(Node::items)
        .unwrap_or_default();
    let Some((index, target)) = targets
        .iter()
        .enumerate()
        .find(|(_, target)| target.get("target").and_then(Node::as_str) == Some(ADMISSION_TARGET))
    else {
        return Err(invalid(
            "/spec/targets",
            "has no target `admission.k8s.gatekeeper.sh`",
        ));
    };
    let at = format!("/spec/targets/{index}");
    let code = code_of(target, &at)?;
    let mut engine = Engine::new();
    let module = format!("{file} (ConstraintTemplate {name})");
    let compile = |engine: &mut Engine, node: &Node, pointer: String| {
        let text = node.as_str().unwrap_or_default();
        rego::add_module(engine, &module, text, code.dialect).map_err(|error| {
            TemplateProblem::Compile {
                line: line_in_file(node, error.line),
                column: column_in_file(node, error.column),
                pointer,
                error,
            }
        })
    };
    let package = compile(&mut engine, code.rego, code.rego_pointer.clone())?;
    for (number, lib) in code.libs.iter().enumerate() {
        compile(&mut engine, lib, format!("{}/{number}", code.libs_pointer))?;
    }
    rego::prepare(&mut engine, &module).map_err(|error| TemplateProblem::Compile {
        line: line_in_file(code.rego, error.line),
        column: column_in_file(code.rego, error.column),
        pointer: code.rego_pointer.clone(),
        error,
    })?;
    let uses_inventory = std::iter::once(code.rego)
        .chain(code.libs.iter().copied())
        .filter_map(Node::as_str)
        .any(|text| text.contains("inventory"));
    let parameters_schema = object
        .pointer("/spec/crd/spec/validation/openAPIV3Schema")
        .filter(|schema| schema.is_mapping())
        .and_then(|schema| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .build(&schema.to_json())
                .ok()
        });
    let template = Template {
        name,
        kind,
        violation: format!("{package}.violation"),
        uses_inventory,
        parameters_schema,
    };
    Ok((template, engine))
}

/// The Rego of one target.
struct Code<'a> {
    rego: &'a Node,
    rego_pointer: String,
    libs: Vec<&'a Node>,
    libs_pointer: String,
    dialect: Dialect,
}

/// `rego` and `libs`, or the first `code` entry with `engine: Rego`
/// (`source.version: v1` for Rego v1; Gatekeeper's default is v0).
fn code_of<'a>(target: &'a Node, at: &str) -> Result<Code<'a>, TemplateProblem> {
    let libs = |node: Option<&'a Node>| -> Vec<&'a Node> {
        node.and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .filter(|lib| lib.as_str().is_some())
            .collect()
    };
    if let Some(rego) = target.get("rego").filter(|rego| rego.as_str().is_some()) {
        return Ok(Code {
            rego,
            rego_pointer: format!("{at}/rego"),
            libs: libs(target.get("libs")),
            libs_pointer: format!("{at}/libs"),
            dialect: Dialect::Either,
        });
    }
    let code = target.get("code").and_then(Node::items).unwrap_or_default();
    for (index, entry) in code.iter().enumerate() {
        if entry.get("engine").and_then(Node::as_str) != Some("Rego") {
            continue;
        }
        let source = entry.get("source");
        let Some(rego) = source
            .and_then(|source| source.get("rego"))
            .filter(|rego| rego.as_str().is_some())
        else {
            continue;
        };
        let dialect = match source
            .and_then(|source| source.get("version"))
            .and_then(Node::as_str)
        {
            Some("v1") => Dialect::V1,
            Some("v0") => Dialect::V0,
            _ => Dialect::Either,
        };
        return Ok(Code {
            rego,
            rego_pointer: format!("{at}/code/{index}/source/rego"),
            libs: libs(source.and_then(|source| source.get("libs"))),
            libs_pointer: format!("{at}/code/{index}/source/libs"),
            dialect,
        });
    }
    let engines: Vec<&str> = code
        .iter()
        .filter_map(|entry| entry.get("engine").and_then(Node::as_str))
        .collect();
    match engines.is_empty() {
        true => Err(TemplateProblem::Invalid {
            pointer: at.to_owned(),
            message: "has neither `rego` nor `code`".to_owned(),
        }),
        false => Err(TemplateProblem::Unsupported {
            pointer: format!("{at}/code"),
            message: format!(
                "its code is for {} only; charter evaluates Rego, so its Constraints are not checked",
                engines.join(", ")
            ),
        }),
    }
}

/// The file line of line `line` of a string field's text: the node starts
/// where its text does (a block scalar's on the line after `rego: |`).
fn line_in_file(node: &Node, line: u32) -> u32 {
    node.start.line + line.saturating_sub(1)
}

/// The file column of column `column` of the text: a block scalar's lines
/// are indented as its first one is.
fn column_in_file(node: &Node, column: u32) -> u32 {
    node.start.column.saturating_sub(1) + column
}

/// A Constraint as written.
pub struct Constraint {
    pub kind: String,
    pub name: String,
    pub matcher: Match,
    /// `input.parameters`.
    pub parameters: Value,
    pub parameters_json: serde_json::Value,
    /// `spec.enforcementAction`: deny (error), warn (warning), dryrun (info).
    pub action: Severity,
}

/// Reads a Constraint; `Err` says why it cannot be enforced.
pub fn read_constraint(object: &Node, kind: &str) -> Result<Constraint, String> {
    let name = object
        .pointer("/metadata/name")
        .and_then(Node::as_str)
        .ok_or("has no `metadata.name`")?
        .to_owned();
    let parameters_json = object
        .pointer("/spec/parameters")
        .map(Node::to_json)
        .filter(|parameters| !parameters.is_null())
        .unwrap_or_else(|| serde_json::json!({}));
    let action = enforcement(object.pointer("/spec"))?;
    Ok(Constraint {
        kind: kind.to_owned(),
        name,
        matcher: Match::parse(object.pointer("/spec/match")),
        parameters: rego::from_json(&parameters_json),
        parameters_json,
        action,
    })
}

/// The severity an enforcement action reports at. A `scoped` action takes
/// the strongest action among those for the validation webhook.
fn enforcement(spec: Option<&Node>) -> Result<Severity, String> {
    let of = |action: &str| match action {
        "deny" => Ok(Severity::Error),
        "warn" => Ok(Severity::Warning),
        "dryrun" => Ok(Severity::Info),
        other => Err(format!(
            "has enforcementAction `{other}` (deny, warn, dryrun or scoped)"
        )),
    };
    let action = spec
        .and_then(|spec| spec.get("enforcementAction"))
        .and_then(Node::as_str)
        .unwrap_or("deny");
    if action != "scoped" {
        return of(action);
    }
    let mut strongest = None;
    for scoped in spec
        .and_then(|spec| spec.get("scopedEnforcementActions"))
        .and_then(Node::items)
        .unwrap_or_default()
    {
        let for_webhook = scoped
            .get("enforcementPoints")
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|point| point.get("name").and_then(Node::as_str))
            .any(|point| point == "*" || point == "validation.gatekeeper.sh");
        if let (true, Some(action)) = (for_webhook, scoped.get("action").and_then(Node::as_str)) {
            strongest = strongest.max(Some(of(action)?));
        }
    }
    strongest.ok_or_else(|| "is `scoped` with no action for the validation webhook".to_owned())
}

/// Whether `constraint`'s parameters are what its template declares;
/// `Err` holds the first mismatch.
pub fn check_parameters(template: &Template, constraint: &Constraint) -> Result<(), String> {
    let Some(schema) = &template.parameters_schema else {
        return Ok(());
    };
    match schema.iter_errors(&constraint.parameters_json).next() {
        None => Ok(()),
        Some(error) => {
            let at = error.instance_path().to_string();
            let at = match at.is_empty() {
                true => String::new(),
                false => format!(" at `{at}`"),
            };
            Err(format!(
                "its parameters do not match ConstraintTemplate {}{at}: {error}",
                template.name
            ))
        }
    }
}

/// `input` for a template judging `resource` whose object is `object`:
/// the admission request Gatekeeper would build, and the parameters.
pub fn review(resource: &Resource, object: &Value, parameters: &Value, operation: &str) -> Value {
    let (group, version) = resource
        .api_version
        .rsplit_once('/')
        .unwrap_or(("", resource.api_version.as_str()));
    let kind = rego::object([
        ("group", Value::from(group)),
        ("version", Value::from(version)),
        ("kind", Value::from(resource.kind.as_str())),
    ]);
    let review = rego::object([
        ("kind", kind),
        ("name", Value::from(resource.name.as_str())),
        (
            "namespace",
            Value::from(resource.namespace.as_deref().unwrap_or_default()),
        ),
        ("operation", Value::from(operation)),
        ("object", object.clone()),
        (
            "userInfo",
            rego::object([("username", Value::from("charter"))]),
        ),
    ]);
    rego::object([("review", review), ("parameters", parameters.clone())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(text: &str) -> Node {
        crate::yaml::parse_stream(text, crate::yaml::Limits::default())
            .pop()
            .and_then(|document| document.root)
            .expect("a document")
    }

    const TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sowner
spec:
  crd:
    spec:
      names:
        kind: K8sOwner
      validation:
        openAPIV3Schema:
          type: object
          properties:
            label: {type: string}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sowner
        import data.lib.labels.has
        violation[{"msg": msg}] {
          not has(input.review.object, input.parameters.label)
          msg := sprintf("%v has no %v label", [input.review.name, input.parameters.label])
        }
      libs:
        - |
          package lib.labels
          has(object, label) {
            object.metadata.labels[label]
          }
"#;

    #[test]
    fn a_template_with_a_lib_compiles_and_judges() {
        let (template, mut engine) = read_template(&node(TEMPLATE), "t.yaml").expect("compiles");
        assert_eq!(
            (template.kind.as_str(), template.violation.as_str()),
            ("K8sOwner", "data.k8sowner.violation")
        );
        assert!(!template.uses_inventory);
        let resources = crate::loader::tests::resources_of(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ai}\n",
        );
        let object = rego::from_json(&resources[0].object.to_json());
        let parameters = rego::from_json(&serde_json::json!({"label": "owner"}));
        engine.set_input(review(&resources[0], &object, &parameters, "CREATE"));
        let violations = engine
            .eval_rule(template.violation.clone())
            .expect("evaluates");
        let verdicts: Vec<_> = rego::members(&violations)
            .into_iter()
            .map(|member| rego::verdict(member).unwrap().unwrap().message)
            .collect();
        assert_eq!(verdicts, ["p has no owner label"]);
    }

    #[test]
    fn broken_rego_is_located_in_the_file() {
        let broken = TEMPLATE.replace("msg := sprintf", "msg := := sprintf");
        let Err(TemplateProblem::Compile {
            pointer,
            line,
            column,
            ..
        }) = read_template(&node(&broken), "t.yaml")
        else {
            panic!("must not compile");
        };
        assert_eq!(pointer, "/spec/targets/0/rego");
        // Line 5 of the Rego, whose block starts on line 18, at the second
        // `:=` (column 18 of the file: 8 of indentation, 10 of the Rego).
        assert_eq!((line, column), (22, 18));
    }

    #[test]
    fn code_entries_with_engine_rego_and_version_v1_compile() {
        let template = "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: k8sv1}\nspec:\n  crd: {spec: {names: {kind: K8sV1}}}\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      code:\n        - engine: K8sNativeValidation\n          source: {validations: []}\n        - engine: Rego\n          source:\n            version: v1\n            rego: |\n              package k8sv1\n              import data.lib.names.short\n              violation contains {\"msg\": \"short name\"} if short(input.review.name)\n            libs:\n              - |\n                package lib.names\n                short(name) if count(name) < 3\n";
        let (template, mut engine) = read_template(&node(template), "t.yaml").expect("compiles");
        assert_eq!(template.violation, "data.k8sv1.violation");
        let resources = crate::loader::tests::resources_of(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ai}\n",
        );
        let object = rego::from_json(&resources[0].object.to_json());
        engine.set_input(review(
            &resources[0],
            &object,
            &Value::new_object(),
            "CREATE",
        ));
        let violations = engine.eval_rule(template.violation).expect("evaluates");
        assert_eq!(rego::members(&violations).len(), 1);
    }

    #[test]
    fn cel_only_templates_are_unsupported_not_passed() {
        let cel = "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: k8scel}\nspec:\n  crd: {spec: {names: {kind: K8sCel}}}\n  targets:\n    - target: admission.k8s.gatekeeper.sh\n      code:\n        - engine: K8sNativeValidation\n          source: {validations: []}\n";
        assert!(matches!(
            read_template(&node(cel), "t.yaml"),
            Err(TemplateProblem::Unsupported { .. })
        ));
    }

    #[test]
    fn enforcement_actions_and_parameters() {
        let (template, _) = read_template(&node(TEMPLATE), "t.yaml").expect("compiles");
        let constraint = |spec: &str| {
            read_constraint(
                &node(&format!(
                    "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sOwner\nmetadata: {{name: owner}}\nspec: {spec}\n"
                )),
                "K8sOwner",
            )
        };
        assert_eq!(constraint("{}").unwrap().action, Severity::Error);
        assert_eq!(
            constraint("{enforcementAction: warn}").unwrap().action,
            Severity::Warning
        );
        assert_eq!(
            constraint("{enforcementAction: dryrun}").unwrap().action,
            Severity::Info
        );
        assert!(constraint("{enforcementAction: block}").is_err());
        let scoped = "{enforcementAction: scoped, scopedEnforcementActions: [{action: warn, enforcementPoints: [{name: validation.gatekeeper.sh}]}, {action: deny, enforcementPoints: [{name: audit.gatekeeper.sh}]}]}";
        assert_eq!(constraint(scoped).unwrap().action, Severity::Warning);
        let good = constraint("{parameters: {label: owner}}").unwrap();
        assert_eq!(check_parameters(&template, &good), Ok(()));
        let bad = constraint("{parameters: {label: 7}}").unwrap();
        let message = check_parameters(&template, &bad).expect_err("7 is not a string");
        assert!(message.contains("at `/label`"), "{message}");
    }
}
