//! Runs the configured rules over a resource set, in parallel.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::finding::Finding;
use crate::resource::Resource;
use crate::rules::{Check, Rule, RuleMeta, SetCheck, Severity};
use crate::source::SourceFile;
use crate::workload::PodTemplate;

/// Everything that was read, for rules that look across resources.
#[derive(Clone, Copy)]
pub struct ResourceSet<'a> {
    pub resources: &'a [Resource],
    pub files: &'a [SourceFile],
    /// Whether the set is obviously partial: only files named one by one
    /// (as a pre-commit hook names them), no directory walked. Rules about
    /// references across the set speak more softly then.
    pub partial: bool,
    /// Whether the set was declared a whole deployment (`--platform`,
    /// `platform: true`): rules about what a platform must contain apply.
    pub platform: bool,
}

/// What a per-resource check sees.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub resource: &'a Resource,
    pub set: ResourceSet<'a>,
}

impl ResourceSet<'_> {
    /// Whether findings on `resource` are reported: not when it was read
    /// only as context (`--context`). A set check whose findings land on
    /// the resource it examines skips the others: with a repository as
    /// context they are nearly all of the set.
    pub fn reported(&self, resource: &Resource) -> bool {
        !self
            .files
            .get(resource.file)
            .is_some_and(|file| file.context)
    }
}

impl<'a> Context<'a> {
    /// The pod this resource runs, for Pods and every workload kind.
    pub fn pod(&self) -> Option<PodTemplate<'a>> {
        self.resource.pod_template()
    }
}

/// Collects one rule's findings, stamped with the rule's id and the severity
/// the configuration gives it (a rule may lower it, e.g. for a partial set).
pub struct Emitter<'a> {
    rule: &'static RuleMeta,
    severity: Severity,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Emitter<'a> {
    pub fn new(
        rule: &'static RuleMeta,
        severity: Severity,
        findings: &'a mut Vec<Finding>,
    ) -> Self {
        Emitter {
            rule,
            severity,
            findings,
        }
    }

    /// The severity this run gives the rule.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Reports the field `pointer` (relative to `resource`) of `resource`.
    /// Returns the finding so a rule can give a more specific hint.
    pub fn report(
        &mut self,
        resource: &Resource,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            rule: self.rule,
            severity: self.severity,
            message: message.into(),
            hint: Cow::Borrowed(self.rule.fix),
            file: resource.file,
            mark: resource.mark_of(pointer),
            document: Some(resource.document),
            path: Some(resource.document_pointer(pointer)),
            resource: Some(resource.index),
            suppression: None,
            secret_hash: None,
            conceal: Vec::new(),
        });
        self.findings.last_mut().expect("a finding was just pushed")
    }
}

/// A rule as this run uses it: enabled, with its effective severity.
pub struct ActiveRule<'r> {
    pub rule: &'r Rule,
    pub severity: Severity,
}

/// Below this many resources a run checks them on the calling thread.
pub const SEQUENTIAL_BELOW: usize = 16;

/// Runs every active rule. Resource checks fan out over resources, set checks
/// over rules; the caller sorts the result.
pub fn run(active: &[ActiveRule<'_>], set: ResourceSet<'_>) -> Vec<Finding> {
    let resource_rules: Vec<_> = active
        .iter()
        .filter_map(|active| match &active.rule.check {
            Check::Resource(check) => Some((active.rule.meta, active.severity, check.as_ref())),
            _ => None,
        })
        .collect();
    let set_rules: Vec<_> = active
        .iter()
        .filter_map(|active| match &active.rule.check {
            Check::Set(check) => Some((active.rule.meta, active.severity, check.as_ref())),
            _ => None,
        })
        .collect();

    let check_resource = |resource: &Resource| {
        // Context resources are there for the set checks only.
        if set
            .files
            .get(resource.file)
            .is_some_and(|file| file.context)
        {
            return Vec::new();
        }
        let context = Context { resource, set };
        let mut found = Vec::new();
        for &(meta, severity, check) in &resource_rules {
            check.check(&context, &mut Emitter::new(meta, severity, &mut found));
        }
        found
    };
    let check_set = |&(meta, severity, check): &(&'static RuleMeta, Severity, &dyn SetCheck)| {
        let mut found = Vec::new();
        check.check(&set, &mut Emitter::new(meta, severity, &mut found));
        found
    };
    // A handful of resources (an admission review, a pre-commit file) is
    // checked on the calling thread: handing it to rayon's pool and waiting
    // for the answer costs more than the checks, and in the admission
    // server it was a thread switch on every review.
    if set.resources.len() < SEQUENTIAL_BELOW {
        let mut findings: Vec<Finding> = set.resources.iter().flat_map(check_resource).collect();
        findings.extend(set_rules.iter().flat_map(check_set));
        return findings;
    }
    // Set checks run beside the resource checks, not after them: there are
    // few of them, and each is one long task.
    let (mut findings, set_findings): (Vec<Finding>, Vec<Finding>) = rayon::join(
        || {
            set.resources
                .par_iter()
                .flat_map_iter(check_resource)
                .collect()
        },
        || set_rules.par_iter().flat_map_iter(check_set).collect(),
    );
    findings.extend(set_findings);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;
    use crate::rules::Example::Prose;
    use crate::rules::{Principle, ResourceCheck, SetCheck};

    static PER_RESOURCE: RuleMeta = test_meta("TEST-001");
    static WHOLE_SET: RuleMeta = test_meta("TEST-002");

    const fn test_meta(id: &'static str) -> RuleMeta {
        RuleMeta {
            id,
            severity: Severity::Error,
            principle: Principle::OperationalExcellence,
            title: "test",
            rationale: "test",
            fix: "test",
            failing_example: Prose(""),
            passing_example: Prose(""),
        }
    }

    /// Reports every ConfigMap's `data`.
    struct EveryData;

    impl ResourceCheck for EveryData {
        fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
            if context.resource.kind == "ConfigMap" {
                out.report(context.resource, "/data", "has data");
            }
        }
    }

    /// Reports the set's size once, at its first resource.
    struct CountAll;

    impl SetCheck for CountAll {
        fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
            if let Some(first) = set.resources.first() {
                out.report(first, "", format!("{} resources", set.resources.len()));
            }
        }
    }

    #[test]
    fn both_kinds_of_check_run_with_the_configured_severity() {
        let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data: {k: v}\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: b}\n";
        let resources = resources_of(text);
        let rules = [
            Rule::resource(&PER_RESOURCE, EveryData),
            Rule::set(&WHOLE_SET, CountAll),
        ];
        let active = [
            ActiveRule {
                rule: &rules[0],
                severity: Severity::Warning,
            },
            ActiveRule {
                rule: &rules[1],
                severity: Severity::Info,
            },
        ];
        let set = ResourceSet {
            resources: &resources,
            files: &[],
            partial: false,
            platform: false,
        };
        let mut findings = run(&active, set);
        findings.sort_by(|a, b| a.report_order(b));
        let summary: Vec<_> = findings
            .iter()
            .map(|f| {
                (
                    f.rule.id,
                    f.severity,
                    f.mark.to_string(),
                    f.path.clone(),
                    f.message.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    WHOLE_SET.id,
                    Severity::Info,
                    "4:5".into(),
                    Some("/items/0".into()),
                    "2 resources".into()
                ),
                (
                    PER_RESOURCE.id,
                    Severity::Warning,
                    "7:5".into(),
                    Some("/items/0/data".into()),
                    "has data".into()
                ),
            ]
        );
        assert!(
            findings
                .iter()
                .all(|f| f.resource == Some(0) && f.document == Some(1))
        );
    }
}
