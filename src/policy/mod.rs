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
        let mut problems = Problems {
            severity_of,
            findings: Vec::new(),
        };
        let (set_templates, set_engines) = read_set_templates(set, &mut problems);
        let templates = self.templates_for_run(&set_templates);
        let set_constraints = read_set_constraints(set, &templates, &mut problems);
        let bound = bind(
            self.constraints.iter().chain(&set_constraints),
            &templates,
            self.conftest_engines(),
            severity_of,
        );
        let conftest_on = self
            .conftest
            .iter()
            .flat_map(|package| &package.rules)
            .any(|rule| severity_of(rule.meta).is_some());
        let mut findings = problems.findings;
        if !conftest_on && bound.is_empty() {
            return findings;
        }
        let run_engines = self.engines_for_run(set, &templates, set_engines, &bound);
        let engines = run_engines.as_ref().unwrap_or(&self.engines);
        let namespaces: NamespaceLabels = set
            .resources
            .iter()
            .filter(|resource| resource.is("", "Namespace"))
            .map(|resource| (resource.name.clone(), crate::selector::labels(resource)))
            .collect();
        let judge = |resource: &Resource| -> Vec<Finding> {
            if !set.reported(resource) {
                return Vec::new();
            }
            // Built once, for every policy.
            let object = rego::from_json(&resource.object.to_json());
            engines.with(|engines| {
                let mut found = Vec::new();
                if conftest_on && let Some(engine) = engines.first_mut() {
                    self.judge_conftest(engine, &object, resource, severity_of, &mut found);
                }
                for bound in &bound {
                    if bound.constraint.matcher.matches(resource, &namespaces)
                        && let Some(engine) = engines.get_mut(bound.engine)
                    {
                        judge_constraint(engine, bound, &object, resource, severity_of, &mut found);
                    }
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

    /// The set's templates, then the directories' for kinds the set does
    /// not define.
    fn templates_for_run<'a>(
        &'a self,
        set_templates: &'a [Template],
    ) -> Vec<(&'a Template, Origin)> {
        let base = self.conftest_engines();
        let mut templates: Vec<(&Template, Origin)> = set_templates
            .iter()
            .map(|template| (template, Origin::Set))
            .collect();
        for (index, template) in self.templates.iter().enumerate() {
            if !templates
                .iter()
                .any(|(known, _)| known.kind == template.kind)
            {
                templates.push((template, Origin::Directory(base + index)));
            }
        }
        templates
    }

    /// The engines of this run, when the prepared ones will not do: the set
    /// brings templates of its own, or a template reads the inventory.
    fn engines_for_run(
        &self,
        set: &ResourceSet<'_>,
        templates: &[(&Template, Origin)],
        set_engines: Vec<Engine>,
        bound: &[Bound<'_>],
    ) -> Option<EngineSet> {
        let needs_inventory = bound.iter().any(|bound| bound.template.uses_inventory);
        if set_engines.is_empty() && !needs_inventory {
            return None;
        }
        let data = needs_inventory.then(|| rego::from_json(&inventory::inventory(set.resources)));
        let base = self.conftest_engines();
        let mut engines: Vec<Engine> = (0..base).filter_map(|i| self.engines.engine(i)).collect();
        let mut set_engines = set_engines.into_iter();
        for (template, origin) in templates {
            let engine = match origin {
                Origin::Set => set_engines.next(),
                Origin::Directory(index) => self.engines.engine(*index),
            };
            // Engines stay at their template's index: a missing one (never
            // expected) evaluates nothing and says so as REGO-002.
            let mut engine = engine.unwrap_or_default();
            if let (true, Some(data)) = (template.uses_inventory, &data) {
                // A failure here leaves the template without an inventory;
                // its evaluation errors say so.
                let _ = engine.add_data(data.clone());
                let _ = rego::prepare(&mut engine, &template.name);
            }
            engines.push(engine);
        }
        Some(EngineSet::new(engines))
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
            let values = conftest::package_values(engine, package);
            let mut evaluate = |query: &str, name: &str| match &values {
                Some(values) => Ok(conftest::rule_value(values, name)),
                None => engine
                    .eval_rule(query.to_owned())
                    .map_err(|error| error.to_string()),
            };
            let excepted = match &package.exception {
                Some(exception) => match evaluate(exception, "exception") {
                    Ok(value) => conftest::excepted(&value),
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
                let result = evaluate(&rule.query, &rule.name);
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
}

/// Findings about the policies among the manifests (REGO-001 to 004).
struct Problems<'s> {
    severity_of: SeverityOf<'s>,
    findings: Vec<Finding>,
}

impl Problems<'_> {
    fn report(
        &mut self,
        meta: &'static RuleMeta,
        resource: &Resource,
        pointer: &str,
        message: String,
        mark: Option<Mark>,
    ) {
        if let Some(severity) = (self.severity_of)(meta) {
            let mut emitter = Emitter::new(meta, severity, &mut self.findings);
            let finding = emitter.report(resource, pointer, message);
            if let Some(mark) = mark {
                finding.mark = mark;
            }
        }
    }
}

/// Compiles the set's ConstraintTemplates; what does not compile is
/// reported where it is written.
fn read_set_templates(
    set: &ResourceSet<'_>,
    problems: &mut Problems<'_>,
) -> (Vec<Template>, Vec<Engine>) {
    let mut templates = Vec::new();
    let mut engines = Vec::new();
    for resource in set.resources.iter().filter(|r| gatekeeper::is_template(r)) {
        let file = set
            .files
            .get(resource.file)
            .map_or("", |file| file.name.as_str());
        match gatekeeper::read_template(&resource.object, file) {
            Ok((template, engine)) => {
                templates.push(template);
                engines.push(engine);
            }
            Err(_) if !set.reported(resource) => {}
            Err(problem) => report_template(resource, problem, problems),
        }
    }
    (templates, engines)
}

fn report_template(resource: &Resource, problem: TemplateProblem, problems: &mut Problems<'_>) {
    let name = format!("ConstraintTemplate {}", resource.name);
    match problem {
        TemplateProblem::Invalid { pointer, message } => {
            let message = format!("{name} {message}");
            problems.report(&DOES_NOT_COMPILE, resource, &pointer, message, None);
        }
        TemplateProblem::Unsupported { pointer, message } => {
            let message = format!("{name}: {message}");
            problems.report(&UNSUPPORTED_ENGINE, resource, &pointer, message, None);
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
            problems.report(&DOES_NOT_COMPILE, resource, &pointer, message, mark);
        }
    }
}

/// Reads the set's Constraints; one that cannot be enforced (no template,
/// parameters its template refuses, an unknown action) is reported.
fn read_set_constraints(
    set: &ResourceSet<'_>,
    templates: &[(&Template, Origin)],
    problems: &mut Problems<'_>,
) -> Vec<Constraint> {
    let mut constraints = Vec::new();
    for resource in set
        .resources
        .iter()
        .filter(|r| gatekeeper::is_constraint(r))
    {
        let constraint = gatekeeper::read_constraint(&resource.object, &resource.kind);
        let template = |kind: &str| {
            templates
                .iter()
                .find(|(t, _)| t.kind == kind)
                .map(|(t, _)| *t)
        };
        let problem = match &constraint {
            Err(message) => Some((
                "/spec",
                format!("{} {}: {message}", resource.kind, resource.name),
            )),
            Ok(constraint) => match template(&constraint.kind) {
                None => Some((
                    "/kind",
                    format!(
                        "{} {}: no ConstraintTemplate defines kind {} (among the manifests or in the policy directories)",
                        resource.kind, constraint.name, constraint.kind
                    ),
                )),
                Some(template) => gatekeeper::check_parameters(template, constraint)
                    .err()
                    .map(|message| {
                        (
                            "/spec/parameters",
                            format!("{} {} {message}", resource.kind, constraint.name),
                        )
                    }),
            },
        };
        match (constraint, problem) {
            (Ok(constraint), None) => constraints.push(constraint),
            (_, Some((pointer, message))) if set.reported(resource) => {
                problems.report(
                    &CONSTRAINT_WITHOUT_TEMPLATE,
                    resource,
                    pointer,
                    message,
                    None,
                );
            }
            _ => {}
        }
    }
    constraints
}

/// Binds each Constraint that is on to its template's engine.
fn bind<'a>(
    constraints: impl Iterator<Item = &'a Constraint>,
    templates: &[(&'a Template, Origin)],
    base: usize,
    severity_of: SeverityOf<'_>,
) -> Vec<Bound<'a>> {
    constraints
        .filter_map(|constraint| {
            let index = templates
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
                template: templates[index].0,
                engine: base + index,
                meta,
                severity: severity_of(meta)?,
            })
        })
        .collect()
}

/// One Constraint's verdicts on one resource.
fn judge_constraint(
    engine: &mut Engine,
    bound: &Bound<'_>,
    object: &Value,
    resource: &Resource,
    severity_of: SeverityOf<'_>,
    found: &mut Vec<Finding>,
) {
    let parameters = &bound.constraint.parameters;
    engine.set_input(gatekeeper::review(resource, object, parameters, OPERATION));
    let result = engine.eval_rule(bound.template.violation.clone());
    let what = format!("{} {}", bound.constraint.kind, bound.constraint.name);
    emit(
        result,
        &what,
        bound.meta,
        bound.severity,
        resource,
        severity_of,
        found,
        None,
    );
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
pub(crate) fn mask_secrets(message: &str, resource: &Resource) -> String {
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
