//! Rules: what each check is, why it exists and how to satisfy it.
//!
//! A rule lives in one file named after its id (`SEC-001` is in
//! `src/rules/sec/sec_001_plaintext_secret.rs`); its data, when it has any,
//! lives under `rules/` at the top of the repository.

pub mod argo;
pub mod cluster;
pub mod gpu;
pub mod hardening;
pub mod helm;
pub mod kyv;
pub mod leak;
pub mod net;
pub mod parse;
pub mod pod;
pub mod privacy;
pub mod rbac;
pub mod rego;
pub mod schema;
pub mod sec;
pub mod supp;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{Context, Emitter, ResourceSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The five articles of the platform's constitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principle {
    PrivacyFirst = 1,
    SecurityByDesign = 2,
    InfrastructureAsCode = 3,
    OperationalExcellence = 4,
    DeveloperExperience = 5,
}

impl Principle {
    /// The stable identifier used in machine-readable output.
    pub fn slug(self) -> &'static str {
        match self {
            Principle::PrivacyFirst => "privacy-first",
            Principle::SecurityByDesign => "security-by-design",
            Principle::InfrastructureAsCode => "infrastructure-as-code",
            Principle::OperationalExcellence => "operational-excellence",
            Principle::DeveloperExperience => "developer-experience",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Principle::PrivacyFirst => "Privacy first",
            Principle::SecurityByDesign => "Security by design",
            Principle::InfrastructureAsCode => "Infrastructure as code",
            Principle::OperationalExcellence => "Operational excellence",
            Principle::DeveloperExperience => "Developer experience",
        }
    }
}

impl fmt::Display for Principle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {}", *self as u8, self.title())
    }
}

/// Everything a user can learn about a rule without running it.
#[derive(Debug)]
pub struct RuleMeta {
    /// `FAMILY-NNN`.
    pub id: &'static str,
    pub severity: Severity,
    pub principle: Principle,
    /// One line: what is wrong when the rule fires.
    pub title: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// An input that makes the rule fire, and one that satisfies it.
    pub failing_example: Example,
    pub passing_example: Example,
}

/// An example for `charter explain`.
#[derive(Debug, Clone, Copy)]
pub enum Example {
    /// A manifest stream. The test suite checks every one, so they never go
    /// stale: failing examples must fire their rule, passing ones must not.
    Manifest(&'static str),
    /// Words, for inputs a manifest cannot show (a binary file, a file too
    /// large to print).
    Prose(&'static str),
}

impl RuleMeta {
    /// The family prefix of the id (`SEC` for `SEC-001`).
    pub fn family(&self) -> &'static str {
        self.id
            .split_once('-')
            .map_or(self.id, |(family, _)| family)
    }
}

/// A check that looks at one resource at a time.
pub trait ResourceCheck: Send + Sync {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>);

    /// Takes the rule's parameters from `.charter.yaml` (`rules: {ID: {...}}`).
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        no_parameters(params)
    }

    /// Keys of the family's parameters this check takes (`rules: {FAMILY: {key: ...}}`).
    fn family_parameters(&self) -> &'static [&'static str] {
        &[]
    }

    /// What the check knows beyond its documentation (the components of a
    /// catalogue), for `charter explain`.
    fn knowledge(&self) -> Option<String> {
        None
    }
}

/// A check that needs the whole set at once (cross-resource references,
/// ordering between resources).
pub trait SetCheck: Send + Sync {
    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>);

    /// Takes the rule's parameters from `.charter.yaml` (`rules: {ID: {...}}`).
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        no_parameters(params)
    }

    /// Keys of the family's parameters this check takes (`rules: {FAMILY: {key: ...}}`).
    fn family_parameters(&self) -> &'static [&'static str] {
        &[]
    }

    /// What the check knows beyond its documentation, for `charter explain`.
    fn knowledge(&self) -> Option<String> {
        None
    }

    /// Whether one object alone is judged completely: the check looks at
    /// the set only for what one object may bring along (a CRD), not for
    /// other resources it must be compared with. `serve` does not list such
    /// a check among those an admission request cannot satisfy.
    fn complete_on_one_object(&self) -> bool {
        false
    }
}

/// A rule's parameters as configured: every key of its `rules:` entry other
/// than `enabled` and `severity`.
pub type Parameters = serde_json::Map<String, serde_json::Value>;

/// What a rule without parameters says to any.
pub fn no_parameters(params: &Parameters) -> Result<(), String> {
    match params.keys().next() {
        None => Ok(()),
        Some(key) => Err(format!(
            "has no parameter `{key}` (known keys: enabled, severity)"
        )),
    }
}

pub enum Check {
    Resource(Box<dyn ResourceCheck>),
    Set(Box<dyn SetCheck>),
    /// Reported by charter itself while reading input or applying
    /// suppressions (the `PARSE` and `SUPP` families): listed, explained and
    /// configurable like any rule, but with no check of their own to run.
    Engine,
}

pub struct Rule {
    pub meta: &'static RuleMeta,
    pub check: Check,
}

impl Rule {
    pub fn resource(meta: &'static RuleMeta, check: impl ResourceCheck + 'static) -> Self {
        Rule {
            meta,
            check: Check::Resource(Box::new(check)),
        }
    }

    pub fn set(meta: &'static RuleMeta, check: impl SetCheck + 'static) -> Self {
        Rule {
            meta,
            check: Check::Set(Box::new(check)),
        }
    }

    pub fn engine(meta: &'static RuleMeta) -> Self {
        Rule {
            meta,
            check: Check::Engine,
        }
    }

    /// Hands the rule its configured parameters; the message says what is wrong.
    pub fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        match &mut self.check {
            Check::Resource(check) => check.configure(params),
            Check::Set(check) => check.configure(params),
            Check::Engine => no_parameters(params),
        }
    }

    /// The family parameters the rule takes.
    pub fn family_parameters(&self) -> &'static [&'static str] {
        match &self.check {
            Check::Resource(check) => check.family_parameters(),
            Check::Set(check) => check.family_parameters(),
            Check::Engine => &[],
        }
    }

    /// What the rule knows beyond its documentation, for `charter explain`.
    pub fn knowledge(&self) -> Option<String> {
        match &self.check {
            Check::Resource(check) => check.knowledge(),
            Check::Set(check) => check.knowledge(),
            Check::Engine => None,
        }
    }
}

/// Reads a rule data file compiled into the binary (`rules/NAME`). Tests
/// cover every one, so a broken file never reaches a user.
pub fn shipped_data<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    let root = crate::yaml::parse_stream(text, crate::yaml::Limits::default())
        .pop()
        .and_then(|document| document.root)
        .map(|root| root.to_json())
        .unwrap_or_default();
    serde_json::from_value(root).unwrap_or_else(|error| panic!("rules/{name}: {error}"))
}

/// Every built-in rule, in id order.
pub fn builtin() -> Vec<Rule> {
    let mut rules: Vec<Rule> = parse::ALL.iter().map(|meta| Rule::engine(meta)).collect();
    rules.extend(argo::rules());
    rules.extend(kyv::rules());
    rules.extend(gpu::rules());
    rules.extend(helm::rules());
    rules.extend(leak::rules());
    rules.extend(net::rules());
    rules.extend(pod::rules());
    rules.extend(privacy::rules());
    rules.extend(rbac::rules());
    rules.extend(rego::ALL.iter().map(|meta| Rule::engine(meta)));
    rules.extend(schema::rules());
    rules.extend(sec::rules());
    rules.extend(supp::rules());
    rules.sort_by_key(|rule| rule.meta.id);
    rules
}

/// The metadata of every built-in rule, built once.
pub fn catalogue() -> &'static [&'static RuleMeta] {
    static CATALOGUE: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| builtin().iter().map(|rule| rule.meta).collect())
}

/// Looks a rule up by id, ignoring case.
pub fn find<'r>(rules: &'r [Rule], id: &str) -> Option<&'r Rule> {
    rules
        .iter()
        .find(|rule| rule.meta.id.eq_ignore_ascii_case(id))
}

/// Whether `name` is the family of at least one rule, or a family whose
/// rules policies make (`REGO`, `GK`).
pub fn is_family(rules: &[Rule], name: &str) -> bool {
    rules
        .iter()
        .any(|rule| rule.meta.family().eq_ignore_ascii_case(name))
        || rego::POLICY_FAMILIES
            .iter()
            .any(|family| family.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests;
