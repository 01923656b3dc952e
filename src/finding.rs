//! What a rule reports.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::rules::{RuleMeta, Severity};
use crate::source::{FileId, Mark};

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    /// What is wrong, naming the resource and field. Never holds a secret value.
    pub message: String,
    /// How to fix it; the rule's general fix unless the rule knows better.
    pub hint: Cow<'static, str>,
    pub file: FileId,
    pub mark: Mark,
    /// 1-based document index, for findings inside a document.
    pub document: Option<usize>,
    /// JSON pointer from the document root to the offending field.
    pub path: Option<String>,
    /// Index of the resource in the run's resource table.
    pub resource: Option<usize>,
    pub suppression: Option<Suppression>,
    /// `sha256:<hex>` of the secret a finding is about (for baselines; the
    /// secret itself is never kept).
    pub secret_hash: Option<String>,
    /// Source ranges holding the secret the finding is about, masked
    /// wherever the source is shown.
    pub conceal: Vec<(Mark, Mark)>,
}

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub reason: String,
    /// Where the exemption is written, e.g. `.charter.yaml:12` or
    /// `annotation charter.io/ignore`.
    pub origin: String,
    pub kind: SuppressionKind,
    /// The day after which a configured exemption no longer applies.
    pub expires: Option<crate::date::Date>,
}

/// Which mechanism suppressed a finding: audit reports group by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    /// An exemption in `.charter.yaml`.
    Exemption,
    /// A `charter.io/ignore` annotation or a `charter:allow` marker.
    Inline,
    /// A finding recorded in a `--baseline` file.
    Baseline,
}

impl SuppressionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Exemption => "exemption",
            SuppressionKind::Inline => "inline",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

impl Suppression {
    /// Whether the exemption is written in the checked source itself (a
    /// `charter.io/ignore` annotation, a `charter:allow` marker) rather than
    /// beside it (`.charter.yaml`, a baseline): SARIF tells the two apart.
    pub fn in_source(&self) -> bool {
        self.origin.starts_with("annotation ") || self.origin == crate::leak::ALLOW_MARKER
    }
}

impl Finding {
    /// A finding about a file or document rather than a resource field.
    pub fn at(
        rule: &'static RuleMeta,
        file: FileId,
        mark: Mark,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            hint: Cow::Borrowed(rule.fix),
            file,
            mark,
            document: None,
            path: None,
            resource: None,
            suppression: None,
            secret_hash: None,
            conceal: Vec::new(),
        }
    }

    /// Masks the text of `node` wherever the source is shown, and keeps a
    /// hash of its value for baselines.
    pub fn conceal(&mut self, node: &crate::yaml::Node) -> &mut Self {
        self.conceal.push((node.start, node.end));
        if self.secret_hash.is_none() {
            self.secret_hash = Some(crate::leak::sha256_hex(&node.to_string()));
        }
        self
    }

    pub fn in_document(mut self, document: usize) -> Self {
        self.document = Some(document);
        self
    }

    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }

    /// The report order: file, line, column, rule, then the rest so that the
    /// order is total and output never depends on thread scheduling.
    pub fn report_order(&self, other: &Finding) -> Ordering {
        (
            self.file,
            self.mark,
            self.rule.id,
            &self.path,
            &self.message,
        )
            .cmp(&(
                other.file,
                other.mark,
                other.rule.id,
                &other.path,
                &other.message,
            ))
    }
}
