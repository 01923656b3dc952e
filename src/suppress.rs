//! Exemptions: findings a team has decided to accept, and why.
//!
//! Two sources: `exemptions` in `.charter.yaml` (reviewed with the
//! configuration, optionally expiring) and the `charter.io/ignore` annotation
//! on a resource or its pod template (next to what it excuses). Both need a
//! reason; a suppressed finding stays in machine output with that reason.

use std::collections::HashMap;
use std::path::PathBuf;

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

use crate::date::Date;
use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::resource::Resource;
use crate::rules::RuleMeta;
use crate::source::{Mark, SourceFile};
use crate::yaml::Node;
use crate::yaml::node::escape_token;

pub const IGNORE_ANNOTATION: &str = "charter.io/ignore";
pub const REASON_ANNOTATION: &str = "charter.io/ignore-reason";

/// Names rules: an id (`SEC-001`), a family (`SEC`) or a glob (`SEC-*`), in
/// any case.
#[derive(Debug, Clone)]
pub enum RulePattern {
    Exact(String),
    Glob(GlobMatcher),
}

impl RulePattern {
    pub fn parse(text: &str) -> Result<RulePattern, String> {
        let upper = text.trim().to_ascii_uppercase();
        if upper.is_empty() {
            return Err("an empty rule name".to_owned());
        }
        if upper.contains(['*', '?', '[']) {
            let glob =
                Glob::new(&upper).map_err(|error| format!("bad rule pattern `{text}`: {error}"))?;
            return Ok(RulePattern::Glob(glob.compile_matcher()));
        }
        Ok(RulePattern::Exact(upper))
    }

    pub fn matches(&self, rule: &RuleMeta) -> bool {
        match self {
            RulePattern::Exact(name) => rule.id.eq_ignore_ascii_case(name) || rule.family() == name,
            RulePattern::Glob(glob) => glob.is_match(rule.id.to_ascii_uppercase()),
        }
    }

    /// Whether the pattern names at least one of `rules`.
    pub fn names_any(&self, rules: &[&RuleMeta]) -> bool {
        rules.iter().any(|rule| self.matches(rule))
    }
}

/// One `charter.io/ignore` annotation.
#[derive(Debug)]
pub struct InlineIgnore<'a> {
    /// Pointer to the annotation, relative to the resource.
    pub pointer: String,
    pub names: Vec<&'a str>,
    pub reason: Option<&'a str>,
}

/// The ignore annotations of a resource: on its own metadata and on its pod
/// template's.
pub fn inline_ignores(resource: &Resource) -> Vec<InlineIgnore<'_>> {
    // Most resources carry no ignore: look before building anything.
    let pod = resource
        .pod_template()
        .filter(|pod| !pod.pointer.is_empty());
    let mut places = Vec::new();
    if resource.annotations().is_some_and(has_ignore) {
        places.push(("/metadata".to_owned(), resource.annotations()));
    }
    if let Some(pod) = pod.filter(|pod| pod.annotations().is_some_and(has_ignore)) {
        places.push((pod.metadata_pointer(), pod.annotations()));
    }
    places
        .into_iter()
        .filter_map(|(metadata, annotations)| {
            let annotations = annotations?;
            let names = annotations.get(IGNORE_ANNOTATION)?.as_str()?;
            let reason = annotations
                .get(REASON_ANNOTATION)
                .and_then(Node::as_str)
                .map(str::trim)
                .filter(|reason| !reason.is_empty());
            Some(InlineIgnore {
                pointer: format!("{metadata}/annotations/{}", escape_token(IGNORE_ANNOTATION)),
                names: names
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .collect(),
                reason,
            })
        })
        .collect()
}

fn has_ignore(annotations: &Node) -> bool {
    annotations.get(IGNORE_ANNOTATION).is_some()
}

/// A configured exemption.
#[derive(Debug)]
pub struct Exemption {
    pub rules: Vec<RulePattern>,
    pub kind: Option<GlobMatcher>,
    pub namespace: Option<GlobMatcher>,
    pub name: Option<GlobMatcher>,
    /// Globs over paths relative to `base` (the configuration's directory).
    pub files: Option<GlobSet>,
    pub base: PathBuf,
    pub reason: String,
    pub expires: Option<Date>,
    /// Where it is written, e.g. `.charter.yaml:12`.
    pub origin: String,
    /// Its position in the configuration file.
    pub mark: Mark,
}

impl Exemption {
    pub fn has_resource_selector(&self) -> bool {
        self.kind.is_some() || self.namespace.is_some() || self.name.is_some()
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| expires < today)
    }

    fn covers(&self, finding: &Finding, resource: Option<&Resource>, file: &SourceFile) -> bool {
        if !self
            .rules
            .iter()
            .any(|pattern| pattern.matches(finding.rule))
        {
            return false;
        }
        if let Some(files) = &self.files {
            // Rendered output is matched by the template a line came from.
            let path = match file.template_at(finding.mark.line) {
                Some(template) => template.path.as_deref(),
                None => file.path.as_deref(),
            };
            let Some(relative) = path.and_then(|path| path.strip_prefix(&self.base).ok()) else {
                return false;
            };
            if !files.is_match(relative) {
                return false;
            }
        }
        if !self.has_resource_selector() {
            return true;
        }
        let Some(resource) = resource else {
            return false;
        };
        let matches = |glob: &Option<GlobMatcher>, value: &str| {
            glob.as_ref().is_none_or(|glob| glob.is_match(value))
        };
        matches(&self.kind, &resource.kind)
            && matches(&self.namespace, resource.namespace.as_deref().unwrap_or(""))
            && matches(&self.name, &resource.name)
    }
}

/// Compiles a selector glob; `*` does not cross `/` in file globs.
pub fn glob(pattern: &str, for_paths: bool) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(for_paths)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|error| format!("bad glob `{pattern}`: {error}"))
}

pub fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| format!("bad glob `{pattern}`: {error}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|error| error.to_string())
}

/// Marks every finding an active exemption or a reasoned inline ignore
/// covers. Configured exemptions are tried first: they are the reviewed ones.
pub fn apply(
    findings: &mut [Finding],
    resources: &[Resource],
    files: &[SourceFile],
    exemptions: &[Exemption],
    honour_inline: bool,
    today: Date,
) {
    let active: Vec<&Exemption> = exemptions.iter().filter(|e| !e.is_expired(today)).collect();
    let mut inline_cache: HashMap<usize, Vec<InlineIgnore<'_>>> = HashMap::new();
    for finding in findings.iter_mut() {
        let resource = finding.resource.map(|index| &resources[index]);
        let file = &files[finding.file];
        if let Some(exemption) = active.iter().find(|e| e.covers(finding, resource, file)) {
            finding.suppression = Some(Suppression {
                reason: exemption.reason.clone(),
                origin: exemption.origin.clone(),
                kind: SuppressionKind::Exemption,
                expires: exemption.expires,
            });
            continue;
        }
        let Some(resource) = resource.filter(|_| honour_inline) else {
            continue;
        };
        let ignores = inline_cache
            .entry(resource.index)
            .or_insert_with(|| inline_ignores(resource));
        let covering = ignores.iter().find(|ignore| {
            ignore.reason.is_some()
                && ignore.names.iter().any(|name| {
                    RulePattern::parse(name).is_ok_and(|pattern| pattern.matches(finding.rule))
                })
        });
        if let Some(ignore) = covering {
            finding.suppression = Some(Suppression {
                reason: ignore.reason.unwrap_or_default().to_owned(),
                origin: format!(
                    "annotation {IGNORE_ANNOTATION} at {}",
                    resource.document_pointer(&ignore.pointer)
                ),
                kind: SuppressionKind::Inline,
                expires: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::loader::tests::resources_of;
    use crate::rules::parse;

    const WORKLOADS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama
  namespace: ai-backend
spec:
  template:
    metadata:
      annotations:
        charter.io/ignore: PARSE-001
        charter.io/ignore-reason: the pod template excuses its workload
    spec:
      containers: [{name: ollama, image: ollama}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ai-frontend
  annotations: {charter.io/ignore: PARSE, charter.io/ignore-reason: on the resource itself}
";

    fn finding_on(resource: &Resource) -> Finding {
        let mut finding = Finding::at(&parse::SYNTAX, 0, Mark::FILE_START, "x");
        finding.resource = Some(resource.index);
        finding
    }

    fn exemption(namespace: &str, expires: Option<&str>, line: u32) -> Exemption {
        Exemption {
            rules: vec![RulePattern::parse("PARSE-001").unwrap()],
            kind: None,
            namespace: Some(glob(namespace, false).unwrap()),
            name: None,
            files: None,
            base: PathBuf::from("/repo"),
            reason: format!("exemption at line {line}"),
            expires: expires.and_then(Date::parse),
            origin: format!(".charter.yaml:{line}"),
            mark: Mark::new(line, 5),
        }
    }

    #[test]
    fn pod_template_and_resource_annotations_both_count() {
        let resources = resources_of(WORKLOADS);
        let ignores = inline_ignores(&resources[0]);
        assert_eq!(ignores.len(), 1);
        assert_eq!(
            ignores[0].pointer,
            "/spec/template/metadata/annotations/charter.io~1ignore"
        );
        assert_eq!(
            ignores[0].reason,
            Some("the pod template excuses its workload")
        );

        let files = [SourceFile::new("a.yaml".into(), None, None)];
        let mut findings: Vec<Finding> = resources.iter().map(finding_on).collect();
        apply(
            &mut findings,
            &resources,
            &files,
            &[],
            true,
            Date::today_utc(),
        );
        let origins: Vec<_> = findings
            .iter()
            .map(|f| f.suppression.as_ref().map(|s| s.origin.clone()))
            .collect();
        assert_eq!(
            origins,
            [
                Some("annotation charter.io/ignore at /spec/template/metadata/annotations/charter.io~1ignore".into()),
                Some("annotation charter.io/ignore at /metadata/annotations/charter.io~1ignore".into()),
            ]
        );

        let mut findings: Vec<Finding> = resources.iter().map(finding_on).collect();
        apply(
            &mut findings,
            &resources,
            &files,
            &[],
            false,
            Date::today_utc(),
        );
        assert!(
            findings.iter().all(|f| f.suppression.is_none()),
            "inline ignores made inert"
        );
    }

    #[test]
    fn configured_exemptions_come_first_and_expire() {
        let resources = resources_of(WORKLOADS);
        let files = [SourceFile::new("a.yaml".into(), None, None)];
        let today = Date::parse("2026-06-01").unwrap();
        let exemptions = [
            exemption("ai-backend", Some("2026-01-01"), 3),
            exemption("ai-*", Some("2026-12-31"), 9),
        ];
        let mut findings: Vec<Finding> = resources.iter().map(finding_on).collect();
        apply(&mut findings, &resources, &files, &exemptions, true, today);
        let origins: Vec<_> = findings
            .iter()
            .map(|f| f.suppression.as_ref().unwrap().origin.clone())
            .collect();
        assert_eq!(origins, [".charter.yaml:9", ".charter.yaml:9"]);
        // After the second one expires too, the annotations take over.
        let later = Date::parse("2027-01-01").unwrap();
        let mut findings: Vec<Finding> = resources.iter().map(finding_on).collect();
        apply(&mut findings, &resources, &files, &exemptions, true, later);
        assert!(findings.iter().all(|f| {
            f.suppression
                .as_ref()
                .unwrap()
                .origin
                .starts_with("annotation")
        }));
    }

    #[test]
    fn rule_patterns_match_ids_families_and_globs() {
        let meta = parse::ALL[0];
        for text in ["PARSE-001", "parse-001", "PARSE", "parse", "PARSE-*", "*"] {
            assert!(RulePattern::parse(text).unwrap().matches(meta), "{text}");
        }
        for text in ["PARSE-002", "SEC", "PARS", "SEC-*"] {
            assert!(!RulePattern::parse(text).unwrap().matches(meta), "{text}");
        }
        assert!(RulePattern::parse(" ").is_err());
        let rules = crate::rules::catalogue();
        assert!(RulePattern::parse("SEC").unwrap().names_any(rules));
        assert!(!RulePattern::parse("SEC-999").unwrap().names_any(rules));
    }
}
