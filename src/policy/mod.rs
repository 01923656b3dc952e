//! Policy as code: Rego policies in the Conftest style (`--policy DIR`) and
//! Gatekeeper ConstraintTemplates with their Constraints, in the policy
//! directories or among the checked manifests.
//!
//! Policies are parsed and compiled once per run (once per process for
//! `serve`); each worker thread evaluates with its own clone of the engines,
//! and each resource's `input` is built once for every policy.

pub mod conftest;
pub mod engines;
pub mod gatekeeper;
pub mod inventory;
pub mod load;
pub mod matching;
pub mod rego;
pub mod verify;

use std::borrow::Cow;

use rayon::prelude::*;
use regorus::{Engine, Value};

use crate::engine::{Emitter, ResourceSet};
use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::resource::Resource;
use crate::rules::rego::{
    CONSTRAINT_WITHOUT_TEMPLATE, DOES_NOT_COMPILE, EVALUATION_FAILED, PolicyRule,
    UNSUPPORTED_ENGINE, policy_meta,
};
use crate::rules::{RuleMeta, Severity};
use crate::source::Mark;
use crate::yaml::Node;

pub use conftest::Namespaces;
pub use load::{PolicyError, PolicySettings};

use engines::EngineSet;
use gatekeeper::{Constraint, Template, TemplateProblem};
use matching::NamespaceLabels;

/// The policies of a run, compiled.
pub struct Policies {
    /// The Conftest modules' engine first (when there are any), then one
    /// engine per template, in `templates` order.
    engines: EngineSet,
    conftest: Vec<conftest::Package>,
    templates: Vec<Template>,
    /// Constraints from the policy directories, each with a template.
    constraints: Vec<Constraint>,
    /// Every policy file read, for the run's summary.
    pub files: Vec<String>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("packages", &self.conftest.len())
            .field("templates", &self.templates.len())
            .field("constraints", &self.constraints.len())
            .finish()
    }
}

/// How each policy rule runs: its severity, or `None` when it is off.
pub type SeverityOf<'a> = &'a (dyn Fn(&'static RuleMeta) -> Option<Severity> + Sync);

/// A Constraint bound to its template for one run.
struct Bound<'a> {
    constraint: &'a Constraint,
    template: &'a Template,
    /// Index of the template's engine in the run's engine set.
    engine: usize,
    meta: &'static RuleMeta,
    severity: Severity,
}

/// The Gatekeeper operation reviews are judged as.
const OPERATION: &str = "CREATE";

impl Policies {
    /// No policies: only the manifests' own templates and Constraints apply.
    pub fn none() -> Policies {
        Policies {
            engines: EngineSet::new(Vec::new()),
            conftest: Vec::new(),
            templates: Vec::new(),
            constraints: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Whether there is anything to evaluate.
    pub fn is_empty(&self) -> bool {
        self.conftest.is_empty() && self.templates.is_empty()
    }

    fn conftest_engines(&self) -> usize {
        usize::from(!self.conftest.is_empty())
    }

    /// Judges every reported resource of `set` with every policy, and the
    /// set's own ConstraintTemplates and Constraints. Findings carry the
    /// severities `severity_of` gives.
    pub fn evaluate(&self, set: &ResourceSet<'_>, severity_of: SeverityOf<'_>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut report = |meta: &'static RuleMeta,
                          resource: &Resource,
                          pointer: &str,
                          message: String,
                          mark: Option<Mark>| {
            if let Some(severity) = severity_of(meta) {
                let mut emitter = Emitter::new(meta, severity, &mut findings);
                let finding = emitter.report(resource, pointer, message);
                if let Some(mark) = mark {
                    finding.mark = mark;
                }
            }
        };

        // Templates among the manifests, then the directories' for kinds
        // the manifests do not define.
        let mut set_templates: Vec<Template> = Vec::new();
        let mut set_engines: Vec<Engine> = Vec::new();
        for resource in set.resources.iter().filter(|r| gatekeeper::is_template(r)) {
            let file = &set
                .files
                .get(resource.file)
                .map_or("", |file| file.name.as_str());
            match gatekeeper::read_template(&resource.object, file) {
                Ok((template, engine)) => {
                    set_templates.push(template);
                    set_engines.push(engine);
                }
                Err(_) if !set.reported(resource) => {}
                Err(problem) => self.report_template(resource, problem, &mut report),
            }
        }
        let base = self.conftest_engines();
        let mut run_templates: Vec<(&Template, Origin)> = set_templates
            .iter()
            .map(|template| (template, Origin::Set))
            .collect();
        for (index, template) in self.templates.iter().enumerate() {
            if !run_templates
                .iter()
                .any(|(known, _)| known.kind == template.kind)
            {
                run_templates.push((template, Origin::Directory(base + index)));
            }
        }

        // Constraints: the directories', then the manifests'.
        let mut set_constraints: Vec<Constraint> = Vec::new();
        for resource in set
            .resources
            .iter()
            .filter(|r| gatekeeper::is_constraint(r))
        {
            let reported = set.reported(resource);
            match gatekeeper::read_constraint(&resource.object, &resource.kind) {
                Ok(constraint) => {
                    let template = run_templates
                        .iter()
                        .find(|(t, _)| t.kind == constraint.kind);
                    match template
                        .map(|(template, _)| gatekeeper::check_parameters(template, &constraint))
                    {
                        Some(Ok(())) => set_constraints.push(constraint),
                        Some(Err(message)) if reported => report(
                            &CONSTRAINT_WITHOUT_TEMPLATE,
                            resource,
                            "/spec/parameters",
                            format!("{} {} {message}", resource.kind, constraint.name),
                            None,
                        ),
                        None if reported => report(
                            &CONSTRAINT_WITHOUT_TEMPLATE,
                            resource,
                            "/kind",
                            format!(
                                "{} {}: no ConstraintTemplate defines kind {} (among the manifests or in the policy directories)",
                                resource.kind, constraint.name, constraint.kind
                            ),
                            None,
                        ),
                        _ => {}
                    }
                }
                Err(message) if reported => report(
                    &CONSTRAINT_WITHOUT_TEMPLATE,
                    resource,
                    "/spec",
                    format!("{} {}: {message}", resource.kind, resource.name),
                    None,
                ),
                Err(_) => {}
            }
        }
        let bound: Vec<Bound<'_>> = self
            .constraints
            .iter()
            .chain(&set_constraints)
            .filter_map(|constraint| {
                let engine = run_templates
                    .iter()
                    .position(|(template, _)| template.kind == constraint.kind)?;
                let meta = policy_meta(PolicyRule {
                    id: format!("GK-{}/{}", constraint.kind, constraint.name),
                    severity: constraint.action,
                    title: format!(
                        "Gatekeeper Constraint {} {} reports the resource",
                        constraint.kind, constraint.name
                    ),
                    fix: format!(
                        "Change the resource to satisfy Constraint {} {}, or narrow the \
                         Constraint's `spec.match`.",
                        constraint.kind, constraint.name
                    ),
                });
                Some(Bound {
                    constraint,
                    template: run_templates[engine].0,
                    engine: base + engine,
                    meta,
                    severity: severity_of(meta)?,
                })
            })
            .collect();
        let conftest_on = self
            .conftest
            .iter()
            .flat_map(|package| &package.rules)
            .any(|rule| severity_of(rule.meta).is_some());
        if !conftest_on && bound.is_empty() {
            return findings;
        }

        // The engines: the prepared ones, unless this set brings templates
        // of its own or a template reads the inventory.
        let needs_inventory = bound.iter().any(|bound| bound.template.uses_inventory);
        let run_engines;
        let engines = match set_templates.is_empty() && !needs_inventory {
            true => &self.engines,
            false => {
                let data =
                    needs_inventory.then(|| rego::from_json(&inventory::inventory(set.resources)));
                let mut list: Vec<Engine> =
                    (0..base).filter_map(|i| self.engines.engine(i)).collect();
                let mut set_engines = set_engines.into_iter();
                for (template, origin) in &run_templates {
                    let engine = match origin {
                        Origin::Set => set_engines.next(),
                        Origin::Directory(index) => self.engines.engine(*index),
                    };
                    let Some(mut engine) = engine else { continue };
                    if let (true, Some(data)) = (template.uses_inventory, &data) {
                        // A failure here leaves the template without an
                        // inventory; its evaluation errors say so.
                        let _ = engine.add_data(data.clone());
                        let _ = rego::prepare(&mut engine, &template.name);
                    }
                    list.push(engine);
                }
                run_engines = EngineSet::new(list);
                &run_engines
            }
        };

        let namespaces: NamespaceLabels = set
            .resources
            .iter()
            .filter(|resource| resource.is("", "Namespace"))
            .map(|resource| (resource.name.clone(), matching::labels(resource)))
            .collect();
        let judge = |resource: &Resource| -> Vec<Finding> {
            if !set.reported(resource) {
                return Vec::new();
            }
            let object = rego::from_json(&resource.object.to_json());
            engines.with(|engines| {
                let mut found = Vec::new();
                if conftest_on && let Some(engine) = engines.first_mut() {
                    self.judge_conftest(engine, &object, resource, severity_of, &mut found);
                }
                for bound in &bound {
                    if !bound.constraint.matcher.matches(resource, &namespaces) {
                        continue;
                    }
                    let Some(engine) = engines.get_mut(bound.engine) else {
                        continue;
                    };
                    let input = gatekeeper::review(
                        resource,
                        &object,
                        &bound.constraint.parameters,
                        OPERATION,
                    );
                    engine.set_input(input);
                    let result = engine.eval_rule(bound.template.violation.clone());
                    let what = format!("{} {}", bound.constraint.kind, bound.constraint.name);
                    emit(
                        result,
                        &what,
                        bound.meta,
                        bound.severity,
                        resource,
                        severity_of,
                        &mut found,
                        None,
                    );
                }
                found
            })
        };
        let judged: Vec<Finding> = match set.resources.len() < crate::engine::SEQUENTIAL_BELOW {
            true => set.resources.iter().flat_map(judge).collect(),
            false => set.resources.par_iter().flat_map_iter(judge).collect(),
        };
        findings.extend(judged);
        findings
    }

    fn judge_conftest(
        &self,
        engine: &mut Engine,
        object: &Value,
        resource: &Resource,
        severity_of: SeverityOf<'_>,
        found: &mut Vec<Finding>,
    ) {
        engine.set_input(object.clone());
        for package in &self.conftest {
            let excepted = match &package.exception {
                Some(exception) => match conftest::excepted(engine, exception) {
                    Ok(excepted) => excepted,
                    Err(error) => {
                        failed(exception, &error, resource, severity_of, found);
                        Default::default()
                    }
                },
                None => Default::default(),
            };
            for rule in &package.rules {
                let Some(severity) = severity_of(rule.meta) else {
                    continue;
                };
                let exception = excepted
                    .contains(&rule.exception_name)
                    .then(|| Suppression {
                        reason: format!(
                            "excepted by `exception` of package {} (rule name `{}`)",
                            package.name, rule.exception_name
                        ),
                        origin: format!("Rego data.{}.exception", package.name),
                        kind: SuppressionKind::Exemption,
                        expires: None,
                    });
                let result = engine.eval_rule(rule.query.clone());
                let what = rule
                    .query
                    .strip_prefix("data.")
                    .unwrap_or(&rule.query)
                    .to_owned();
                emit(
                    result,
                    &what,
                    rule.meta,
                    severity,
                    resource,
                    severity_of,
                    found,
                    exception,
                );
            }
        }
    }

    fn report_template(
        &self,
        resource: &Resource,
        problem: TemplateProblem,
        report: &mut impl FnMut(&'static RuleMeta, &Resource, &str, String, Option<Mark>),
    ) {
        let name = format!("ConstraintTemplate {}", resource.name);
        match problem {
            TemplateProblem::Invalid { pointer, message } => {
                report(
                    &DOES_NOT_COMPILE,
                    resource,
                    &pointer,
                    format!("{name} {message}"),
                    None,
                );
            }
            TemplateProblem::Unsupported { pointer, message } => {
                report(
                    &UNSUPPORTED_ENGINE,
                    resource,
                    &pointer,
                    format!("{name}: {message}"),
                    None,
                );
            }
            TemplateProblem::Compile {
                pointer,
                line,
                column,
                error,
            } => {
                let message = format!(
                    "{name}: its Rego does not compile (line {} of the Rego): {}",
                    error.line, error.message
                );
                // At the place the parser names, inside the Rego.
                let mark = Some(Mark::new(line, column));
                report(&DOES_NOT_COMPILE, resource, &pointer, message, mark);
            }
        }
    }
}

/// Where a run's template comes from.
enum Origin {
    /// The set's own.
    Set,
    /// The directories', by engine index.
    Directory(usize),
}

/// Turns one rule's value into findings.
#[allow(clippy::too_many_arguments)]
fn emit<E: std::fmt::Display>(
    result: Result<Value, E>,
    what: &str,
    meta: &'static RuleMeta,
    severity: Severity,
    resource: &Resource,
    severity_of: SeverityOf<'_>,
    found: &mut Vec<Finding>,
    exception: Option<Suppression>,
) {
    let value = match result {
        Ok(value) => value,
        Err(error) => {
            failed(what, &error.to_string(), resource, severity_of, found);
            return;
        }
    };
    for member in rego::members(&value) {
        match rego::verdict(member) {
            Ok(Some(verdict)) => {
                let message = mask_secrets(&verdict.message, resource);
                let mut emitter = Emitter::new(meta, severity, found);
                let finding = emitter.report(resource, &verdict.pointer, message);
                finding.hint = Cow::Borrowed(meta.fix);
                finding.suppression = exception.clone();
            }
            Ok(None) => {}
            Err(problem) => failed(what, &problem, resource, severity_of, found),
        }
    }
}

/// Reports a policy that failed on `resource` (REGO-002).
fn failed(
    what: &str,
    error: &str,
    resource: &Resource,
    severity_of: SeverityOf<'_>,
    found: &mut Vec<Finding>,
) {
    let Some(severity) = severity_of(&EVALUATION_FAILED) else {
        return;
    };
    let error = match error.contains("-->") {
        true => rego::parse_error(what, error).to_string(),
        false => error.trim().to_owned(),
    };
    Emitter::new(&EVALUATION_FAILED, severity, found).report(
        resource,
        "",
        format!("policy `{what}` failed on {}: {error}", resource.display()),
    );
}

/// Masks a Secret's values (and their base64 decodings) wherever a
/// policy's message quotes them: messages are printed, and a policy may
/// echo what it read.
fn mask_secrets(message: &str, resource: &Resource) -> String {
    if !resource.kind.eq("Secret") {
        return message.to_owned();
    }
    let mut values: Vec<String> = Vec::new();
    for (field, encoded) in [("data", true), ("stringData", false)] {
        let entries = resource
            .object
            .get(field)
            .and_then(Node::entries)
            .unwrap_or_default();
        for entry in entries {
            let Some(text) = entry.node.as_str() else {
                continue;
            };
            values.push(text.to_owned());
            if encoded {
                use base64::Engine as _;
                if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(text.trim())
                    && let Ok(decoded) = String::from_utf8(decoded)
                {
                    values.push(decoded);
                }
            }
        }
    }
    values.retain(|value| value.len() >= 3);
    // Longest first, so that a value holding another is masked whole.
    values.sort_by_key(|value| std::cmp::Reverse(value.len()));
    values.iter().fold(message.to_owned(), |message, value| {
        message.replace(value.as_str(), &crate::redact::redact(value))
    })
}
