//! `charter audit`: a report of a whole run for people who review a
//! deployment rather than fix one file: scores per principle, findings
//! grouped principle → family → resource with their source and fix, what
//! is suppressed and until when, and the worst resources.
//!
//! `Audit::build` turns a run's `Outcome` into that shape once; each format
//! (`html`, `markdown`, `json`) only renders it.

pub mod html;
pub mod json;
pub mod markdown;
pub mod score;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::check::Outcome;
use crate::date::Date;
use crate::finding::{Finding, Suppression};
use crate::report::redacted::RedactedSources;
use crate::rules::{Principle, RuleMeta, Severity};
use crate::source::Mark;

use score::Scores;

/// How many lines a snippet shows on each side of the finding's line.
const CONTEXT_LINES: u32 = 2;

/// How many resources the "worst resources" table lists.
pub const WORST: usize = 10;

/// The report formats, picked by the extension of the report's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Markdown,
    Json,
}

impl ReportFormat {
    /// The format `path`'s extension names; the message says which ones
    /// exist when it names none.
    pub fn of_path(path: &Path) -> Result<ReportFormat, String> {
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("html" | "htm") => Ok(ReportFormat::Html),
            Some("md" | "markdown") => Ok(ReportFormat::Markdown),
            Some("json") => Ok(ReportFormat::Json),
            _ => Err(format!(
                "{}: the report's extension picks its format: .html, .md or .json",
                path.display()
            )),
        }
    }

    pub fn render(self, audit: &Audit) -> String {
        match self {
            ReportFormat::Html => html::render(audit),
            ReportFormat::Markdown => markdown::render(audit),
            ReportFormat::Json => json::render(audit),
        }
    }
}

/// What was audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Files and directories, as named on the command line.
    Paths(Vec<String>),
    /// A live cluster, by kubeconfig context (and namespace, when only one).
    Cluster {
        context: String,
        namespace: Option<String>,
    },
}

impl Target {
    pub fn describe(&self) -> String {
        match self {
            Target::Paths(paths) => paths.join(", "),
            Target::Cluster {
                context,
                namespace: Some(namespace),
            } => format!("cluster context {context}, namespace {namespace}"),
            Target::Cluster { context, .. } => format!("cluster context {context}"),
        }
    }
}

/// One line of a source snippet, secrets masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetLine {
    pub number: u32,
    pub text: String,
    /// The line the finding is on.
    pub marked: bool,
}

/// One finding as a report shows it.
#[derive(Debug, Clone)]
pub struct Item {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
    pub file: String,
    pub mark: Mark,
    /// The Helm template the line was rendered from.
    pub template: Option<String>,
    /// JSON pointer to the field.
    pub path: Option<String>,
    /// The resource (`Kind namespace/name`), or the file for findings about
    /// a file rather than an object.
    pub subject: String,
    pub snippet: Vec<SnippetLine>,
    pub suppression: Option<Suppression>,
}

impl Item {
    /// `file:line:column`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.mark)
    }
}

/// The findings about one resource (or file) under a family.
#[derive(Debug, Clone)]
pub struct SubjectGroup {
    pub subject: String,
    /// The file the resource is in.
    pub file: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct FamilyGroup {
    pub family: &'static str,
    pub subjects: Vec<SubjectGroup>,
}

impl FamilyGroup {
    pub fn count(&self) -> usize {
        self.subjects
            .iter()
            .map(|subject| subject.items.len())
            .sum()
    }
}

#[derive(Debug, Clone)]
pub struct PrincipleGroup {
    pub principle: Principle,
    pub families: Vec<FamilyGroup>,
}

/// A resource of the "worst resources" table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worst {
    pub subject: String,
    pub file: String,
    pub tally: score::Tally,
}

/// Everything a report shows, in the order it shows it.
#[derive(Debug, Clone)]
pub struct Audit {
    pub target: Target,
    pub date: Date,
    pub scores: Scores,
    pub files_read: usize,
    pub resources: usize,
    /// Principles in the constitution's order; only those with findings.
    pub principles: Vec<PrincipleGroup>,
    pub suppressed: Vec<Item>,
    pub worst: Vec<Worst>,
    /// What could not be checked, one sentence each (charts not rendered,
    /// kinds a cluster would not list).
    pub not_checked: Vec<String>,
}

impl Audit {
    /// The report of `outcome`. `assessed`: the principles with at least one
    /// rule on; `not_checked`: what the caller knows was left out (a
    /// cluster's unlistable kinds).
    pub fn build(
        outcome: &Outcome,
        target: Target,
        date: Date,
        assessed: &[Principle],
        mut not_checked: Vec<String>,
    ) -> Audit {
        let scores = score::scores(&outcome.findings, outcome.tally.resources, assessed);
        let mut sources = RedactedSources::new(&outcome.files);
        let mut groups: BTreeMap<(Principle, &'static str), Vec<SubjectGroup>> = BTreeMap::new();
        // Where each subject's group is in its family's list.
        type Slot = (Principle, &'static str, String, String);
        let mut slots: HashMap<Slot, usize> = HashMap::new();
        let mut suppressed = Vec::new();
        let mut worst: HashMap<usize, score::Tally> = HashMap::new();
        for finding in &outcome.findings {
            let item = item(outcome, finding, &mut sources);
            if finding.is_suppressed() {
                suppressed.push(item);
                continue;
            }
            if let Some(resource) = finding.resource {
                let tally = worst.entry(resource).or_default();
                match finding.severity {
                    Severity::Error => tally.error += 1,
                    Severity::Warning => tally.warning += 1,
                    Severity::Info => tally.info += 1,
                }
                tally.points += score::weight(finding.severity);
            }
            let family = finding.rule.family();
            let subjects = groups.entry((finding.rule.principle, family)).or_default();
            // Groups keep the order their first finding came in (file, line).
            let key = (
                finding.rule.principle,
                family,
                item.subject.clone(),
                item.file.clone(),
            );
            match slots.get(&key) {
                Some(&slot) => subjects[slot].items.push(item),
                None => {
                    slots.insert(key, subjects.len());
                    subjects.push(SubjectGroup {
                        subject: item.subject.clone(),
                        file: item.file.clone(),
                        items: vec![item],
                    });
                }
            }
        }
        let mut principles: Vec<PrincipleGroup> = Vec::new();
        for ((principle, family), subjects) in groups {
            let group = FamilyGroup { family, subjects };
            match principles.last_mut() {
                Some(last) if last.principle == principle => last.families.push(group),
                _ => principles.push(PrincipleGroup {
                    principle,
                    families: vec![group],
                }),
            }
        }
        let mut worst: Vec<Worst> = worst
            .into_iter()
            .map(|(index, tally)| {
                let resource = &outcome.resources[index];
                Worst {
                    subject: resource.display(),
                    file: outcome.files[resource.file].name.clone(),
                    tally,
                }
            })
            .collect();
        worst.sort_by(|a, b| {
            (b.tally.points, b.tally.error)
                .cmp(&(a.tally.points, a.tally.error))
                .then_with(|| (&a.subject, &a.file).cmp(&(&b.subject, &b.file)))
        });
        worst.truncate(WORST);
        if !outcome.charts.is_empty() {
            not_checked.push(format!(
                "Helm charts not rendered ({}): {}",
                outcome
                    .charts_not_rendered_because
                    .as_deref()
                    .unwrap_or("no helm"),
                outcome.charts.join(", ")
            ));
        }
        Audit {
            target,
            date,
            scores,
            files_read: outcome.tally.files_read,
            resources: outcome.tally.resources,
            principles,
            suppressed,
            worst,
            not_checked,
        }
    }
}

fn item(outcome: &Outcome, finding: &Finding, sources: &mut RedactedSources<'_>) -> Item {
    let file = &outcome.files[finding.file];
    let subject = match finding.resource {
        Some(index) => outcome.resources[index].display(),
        None => format!("file {}", file.name),
    };
    Item {
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message.clone(),
        fix: finding.hint.to_string(),
        file: file.name.clone(),
        mark: finding.mark,
        template: file
            .template_at(finding.mark.line)
            .map(|template| template.name.clone()),
        path: finding.path.clone(),
        subject,
        snippet: snippet(sources, finding),
        suppression: finding.suppression.clone(),
    }
}

/// The lines around a finding, from the file's redacted text: the same
/// masking the human report applies.
fn snippet(sources: &mut RedactedSources<'_>, finding: &Finding) -> Vec<SnippetLine> {
    let Some(redacted) = sources.get(finding.file) else {
        return Vec::new();
    };
    let line = finding.mark.line;
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    let mut lines: Vec<SnippetLine> = (first..=line + CONTEXT_LINES)
        .map_while(|number| {
            redacted.line_text(number).map(|text| SnippetLine {
                number,
                text: text.to_owned(),
                marked: number == line,
            })
        })
        .collect();
    // The empty "line" after a file's last line break is no line of the file.
    while lines
        .last()
        .is_some_and(|last| !last.marked && last.text.is_empty())
    {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{self, CheckOptions, Completeness, Prepared};
    use crate::config::Config;
    use crate::source::SourceFile;
    use std::sync::Arc;

    const CONFIG: &str = "rules:\n  POD: off\n  NET: off\n  RBAC: off\n  HELM: off\n  PRIV: off\n\
                          exemptions:\n  - rules: [SEC-001]\n    namespace: legacy\n    reason: long gone\n    expires: 2020-01-31\n";

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ai}\n\
                              spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: web:1.0\n\
                              \x20         envFrom: [{secretRef: {name: db-credentials}}]\n";

    /// `(rule, severity)` of every finding of a text set checked as `completeness`.
    fn verdicts(completeness: Completeness) -> (Outcome, Vec<(&'static str, Severity)>) {
        let rules = crate::rules::builtin();
        let file = SourceFile::new(".charter.yaml".into(), None, Some(Arc::from(CONFIG)));
        let config = Config::parse(file, &rules).expect("a valid configuration");
        let options = CheckOptions {
            paths: Vec::new(),
            ..CheckOptions::default()
        };
        let prepared = Prepared::new(&options, &config).expect("shipped data");
        let inputs = vec![(
            "cluster:homelab/apps/v1/Deployment/ai/web".to_owned(),
            Arc::from(DEPLOYMENT),
        )];
        let outcome = check::check_text_set(
            &prepared,
            &options,
            &config,
            &rules,
            inputs,
            options.today,
            completeness,
        );
        let verdicts = outcome
            .findings
            .iter()
            .map(|finding| (finding.rule.id, finding.severity))
            .collect();
        (outcome, verdicts)
    }

    #[test]
    fn a_cluster_is_a_whole_set_and_its_gaps_are_reported() {
        let (_, partial) = verdicts(Completeness::Partial);
        assert_eq!(partial, [("SEC-013", Severity::Info)]);
        let (outcome, whole) = verdicts(Completeness::Whole);
        assert_eq!(
            whole,
            // By file name: the configuration sorts first.
            [
                ("SUPP-003", Severity::Warning),
                ("SEC-013", Severity::Error)
            ]
        );
        let audit = Audit::build(
            &outcome,
            Target::Cluster {
                context: "homelab".into(),
                namespace: None,
            },
            Date::parse("2026-12-03").expect("a date"),
            &[Principle::SecurityByDesign],
            vec!["monitoring.coreos.com/v1/Prometheus could not be listed: forbidden".into()],
        );
        let md = ReportFormat::Markdown.render(&audit);
        assert!(md.starts_with("# charter audit: cluster context homelab\n\n2026-12-03 · "));
        assert!(md.contains(
            "## Not checked\n\n- monitoring.coreos.com/v1/Prometheus could not be listed: forbidden\n"
        ));
        assert!(
            md.contains("##### Deployment ai/web in `cluster:homelab/apps/v1/Deployment/ai/web`")
        );
        let json: serde_json::Value =
            serde_json::from_str(&ReportFormat::Json.render(&audit)).expect("JSON");
        assert_eq!(
            json["target"],
            serde_json::json!({"kind": "cluster", "context": "homelab", "namespace": null})
        );
    }

    #[test]
    fn the_extension_picks_the_format() {
        let format = |name: &str| ReportFormat::of_path(Path::new(name));
        assert_eq!(format("out/report.html"), Ok(ReportFormat::Html));
        assert_eq!(format("REPORT.MD"), Ok(ReportFormat::Markdown));
        assert_eq!(format("r.json"), Ok(ReportFormat::Json));
        assert_eq!(
            format("report.pdf"),
            Err("report.pdf: the report's extension picks its format: .html, .md or .json".into())
        );
        assert!(format("report").is_err());
    }
}
