//! `.charter.yaml`: which rules run, how severe they are, and what is exempt.
//!
//! A configuration mistake is a usage error (exit 2) that names the file and
//! line: a typo in a rule id must never quietly turn a gate off.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::date::Date;
use crate::rules::{self, Parameters, Rule, RuleMeta, Severity};
use crate::source::{Mark, SourceFile};
use crate::suppress::{Exemption, RulePattern, glob, glob_set};
use crate::yaml;

pub const FILE_NAME: &str = ".charter.yaml";

/// The lowest severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Info,
    Warning,
    Error,
    /// Never fail on findings (audit runs).
    Never,
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Info => true,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Error => severity >= Severity::Error,
            FailOn::Never => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Info => "info",
            FailOn::Warning => "warning",
            FailOn::Error => "error",
            FailOn::Never => "never",
        }
    }
}

#[derive(Debug, Default)]
pub struct Config {
    /// The file the configuration came from, when there is one.
    pub file: Option<SourceFile>,
    pub fail_on: Option<FailOn>,
    pub inline_ignores: Option<bool>,
    pub max_file_size: Option<u64>,
    pub exclude: Vec<String>,
    pub settings: Vec<RuleSetting>,
    pub exemptions: Vec<Exemption>,
    /// A user's secret detectors (`secrets:`), resolved against the
    /// configuration's directory.
    pub secrets: Option<PathBuf>,
    /// A baseline to apply (`baseline:`), resolved the same way.
    pub baseline: Option<PathBuf>,
    /// The checked paths are a whole deployment (`platform:`, like `--platform`).
    pub platform: Option<bool>,
    /// How Helm charts are rendered (`helm:`), paths resolved against the
    /// configuration's directory.
    pub helm: crate::chart::HelmSettings,
    /// `--select`: only these rule ids and families (upper case) run; `None`
    /// runs every rule the settings leave on.
    pub selected: Option<Vec<String>>,
    /// Schema validation's strict mode (`strict:`, like `--strict`).
    pub strict: Option<bool>,
    /// Unknown kinds are errors (`rejectUnknownKinds:`, like `--reject-unknown-kinds`).
    pub reject_unknown_kinds: Option<bool>,
    /// Directories of CRDs (`crdDirs:`, like `--crd-dir`), resolved against
    /// the configuration's directory.
    pub crd_dirs: Vec<PathBuf>,
    /// Rego policy directories (`policies:`, like `--policy`), resolved
    /// against the configuration's directory.
    pub policies: Vec<PathBuf>,
    /// Packages whose Conftest rules judge (`policyNamespaces:`, like
    /// `--namespace`; `*` for all).
    pub policy_namespaces: Vec<String>,
    /// Kyverno policy files and directories (`kyvernoPolicies:`, like
    /// `--kyverno-policies`), resolved against the configuration's directory.
    pub kyverno_policies: Vec<PathBuf>,
}

/// `rules:` entry for one rule id or one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetting {
    /// Upper-case rule id or family name.
    pub target: String,
    pub is_family: bool,
    pub enabled: bool,
    pub severity: Option<Severity>,
    /// Parameters for the rule (any other key of a mapping setting).
    pub params: Parameters,
    /// Where the setting is written.
    pub mark: Mark,
}

impl Config {
    /// The severity a rule runs at, or `None` when it is turned off. A
    /// setting for the rule's id beats one for its family.
    pub fn severity_of(&self, rule: &RuleMeta) -> Option<Severity> {
        if let Some(selected) = &self.selected
            && !selected
                .iter()
                .any(|target| target.eq_ignore_ascii_case(rule.id) || target == rule.family())
        {
            return None;
        }
        let for_id = self
            .settings
            .iter()
            .find(|s| !s.is_family && s.target.eq_ignore_ascii_case(rule.id));
        let for_family = self
            .settings
            .iter()
            .find(|s| s.is_family && s.target == rule.family());
        let mut severity = Some(rule.severity);
        for setting in [for_family, for_id].into_iter().flatten() {
            severity = match setting.enabled {
                false => None,
                true => Some(setting.severity.unwrap_or(rule.severity)),
            };
        }
        severity
    }

    /// Hands each configured rule its parameters. A rule that refuses them is
    /// a configuration error at the line of its setting.
    /// Family parameters go to every rule of the family that takes them;
    /// a rule's own parameters win over its family's.
    pub fn configure_rules(&self, rules: &mut [Rule]) -> Result<(), Box<ConfigError>> {
        for rule in rules.iter_mut() {
            let family = self
                .settings
                .iter()
                .find(|s| s.is_family && s.target == rule.meta.family());
            let own = self
                .settings
                .iter()
                .find(|s| !s.is_family && s.target == rule.meta.id);
            let mut params = Parameters::new();
            if let Some(family) = family {
                let taken = rule.family_parameters();
                params.extend(
                    family
                        .params
                        .iter()
                        .filter(|(key, _)| taken.contains(&key.as_str()))
                        .map(|(key, value)| (key.clone(), value.clone())),
                );
            }
            if let Some(own) = own {
                params.extend(own.params.clone());
            }
            let Some(setting) = own.or(family).filter(|_| !params.is_empty()) else {
                continue;
            };
            rule.configure(&params).map_err(|message| {
                let message = format!("`{}` {message}", rule.meta.id);
                match &self.file {
                    Some(file) => ConfigError::at(file, Some(setting.mark), message, None),
                    None => ConfigError::plain(message),
                }
            })?;
        }
        Ok(())
    }

    /// `.charter.yaml` in `start` or its nearest parent that has one.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    pub fn load(path: &Path, display: String, rules: &[Rule]) -> Result<Config, Box<ConfigError>> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Box::new(ConfigError {
                message: format!("cannot read configuration {display}: {error}"),
                source_code: None,
                span: None,
                help: None,
            })
        })?;
        let absolute = crate::input::absolute(path);
        let file = SourceFile::new(display, Some(absolute), Some(Arc::from(text)));
        Config::parse(file, rules)
    }

    /// Reads a configuration from its text. The file's directory is the base
    /// that exemption file globs are relative to.
    pub fn parse(file: SourceFile, rules: &[Rule]) -> Result<Config, Box<ConfigError>> {
        let text = file.text.clone().unwrap_or_else(|| Arc::from(""));
        let fail = |mark: Option<Mark>, message: String, help: Option<String>| {
            Err(ConfigError::at(&file, mark, message, help))
        };
        let mut documents = yaml::parse_stream(&text, yaml::Limits::default());
        if documents.len() > 1 {
            return fail(
                Some(documents[1].start),
                "a configuration holds one YAML document".into(),
                None,
            );
        }
        let Some(document) = documents.pop() else {
            return Ok(Config {
                file: Some(file),
                ..Config::default()
            });
        };
        if let Some(problem) = document.problems.first() {
            return fail(Some(problem.mark), problem.message.clone(), None);
        }
        let Some(root) = document.root else {
            return fail(
                Some(document.start),
                "the configuration could not be read".into(),
                None,
            );
        };
        let value = match root.to_json() {
            Value::Null => Value::Object(Map::new()),
            other => other,
        };
        let locate = |pointer: &str| root.locate(pointer).0.mark;
        let raw: RawConfig = match serde_path_to_error::deserialize(&value) {
            Ok(raw) => raw,
            Err(error) => {
                let mut pointer = to_pointer(error.path());
                let message = error.inner().to_string();
                // serde reports an unknown field at its parent; point at the field.
                if let Some(field) = message
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split('`').next())
                {
                    pointer = format!("{pointer}/{}", crate::yaml::node::escape_token(field));
                }
                return fail(Some(locate(&pointer)), message, None);
            }
        };
        let base = file
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let settings = raw
            .rules
            .iter()
            .map(|(target, setting)| {
                let pointer = format!("/rules/{}", crate::yaml::node::escape_token(target));
                let mark = locate(&pointer);
                parse_setting(target, setting, mark, rules)
                    .map_err(|(message, help)| ConfigError::at(&file, Some(mark), message, help))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let exemptions = raw
            .exemptions
            .into_iter()
            .enumerate()
            .map(|(index, exemption)| {
                let pointer = format!("/exemptions/{index}");
                let mark = locate(&pointer);
                exemption
                    .compile(
                        base.clone(),
                        format!("{}:{}", file.name, mark.line),
                        mark,
                        rules,
                    )
                    .map_err(|(field, message)| {
                        let mark = locate(&format!("{pointer}/{field}"));
                        ConfigError::at(&file, Some(mark), message, None)
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let max_file_size = match raw.max_file_size {
            Some(size) => Some(parse_size(&size).ok_or_else(|| {
                ConfigError::at(
                    &file,
                    Some(locate("/maxFileSize")),
                    format!("`{size}` is not a size"),
                    Some("write bytes, or a number with Ki, Mi or Gi (e.g. 16Mi)".into()),
                )
            })?),
            None => None,
        };
        for pattern in &raw.exclude {
            glob(pattern, true).map_err(|message| {
                ConfigError::at(&file, Some(locate("/exclude")), message, None)
            })?;
        }
        let relative = |path: Option<PathBuf>| path.map(|path| base.join(path));
        Ok(Config {
            fail_on: raw.fail_on,
            inline_ignores: raw.inline_ignores,
            max_file_size,
            exclude: raw.exclude,
            settings,
            exemptions,
            secrets: relative(raw.secrets),
            baseline: relative(raw.baseline),
            platform: raw.platform,
            strict: raw.strict,
            reject_unknown_kinds: raw.reject_unknown_kinds,
            policies: raw
                .policies
                .into_iter()
                .filter_map(|path| relative(Some(path)))
                .collect(),
            policy_namespaces: raw.policy_namespaces,
            kyverno_policies: raw
                .kyverno_policies
                .into_iter()
                .filter_map(|path| relative(Some(path)))
                .collect(),
            crd_dirs: raw
                .crd_dirs
                .into_iter()
                .filter_map(|path| relative(Some(path)))
                .collect(),
            helm: crate::chart::HelmSettings {
                bin: relative(raw.helm.bin),
                values: raw
                    .helm
                    .values
                    .into_iter()
                    .filter_map(|path| relative(Some(path)))
                    .collect(),
                set: raw.helm.set,
                ..crate::chart::HelmSettings::default()
            },
            file: Some(file),
            selected: None,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
    fail_on: Option<FailOn>,
    inline_ignores: Option<bool>,
    max_file_size: Option<SizeText>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    rules: Map<String, Value>,
    #[serde(default)]
    exemptions: Vec<RawExemption>,
    secrets: Option<PathBuf>,
    baseline: Option<PathBuf>,
    platform: Option<bool>,
    #[serde(default)]
    helm: RawHelm,
    strict: Option<bool>,
    reject_unknown_kinds: Option<bool>,
    #[serde(default)]
    crd_dirs: Vec<PathBuf>,
    #[serde(default)]
    policies: Vec<PathBuf>,
    #[serde(default)]
    policy_namespaces: Vec<String>,
    #[serde(default)]
    kyverno_policies: Vec<PathBuf>,
}

/// `helm:` of the configuration, like `--helm-bin`, `--helm-values`, `--helm-set`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHelm {
    bin: Option<PathBuf>,
    #[serde(default)]
    values: Vec<PathBuf>,
    #[serde(default)]
    set: Vec<String>,
}

/// A size written as a number of bytes or a string such as `16Mi`.
#[derive(Deserialize)]
#[serde(untagged)]
enum SizeText {
    Bytes(u64),
    Text(String),
}

impl std::fmt::Display for SizeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SizeText::Bytes(bytes) => write!(f, "{bytes}"),
            SizeText::Text(text) => f.write_str(text),
        }
    }
}

fn parse_size(size: &SizeText) -> Option<u64> {
    match size {
        SizeText::Bytes(bytes) => Some(*bytes),
        SizeText::Text(text) => crate::input::parse_size(text).ok(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    rules: OneOrMany,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    files: Option<OneOrMany>,
    reason: String,
    expires: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

impl RawExemption {
    /// Checks and compiles the exemption; an error names the offending field.
    fn compile(
        self,
        base: PathBuf,
        origin: String,
        mark: Mark,
        rules: &[Rule],
    ) -> Result<Exemption, (&'static str, String)> {
        let names = self.rules.into_vec();
        if names.is_empty() {
            return Err(("rules", "an exemption names at least one rule".into()));
        }
        let metas: Vec<&RuleMeta> = rules.iter().map(|rule| rule.meta).collect();
        let mut patterns = Vec::new();
        for name in &names {
            let pattern = RulePattern::parse(name).map_err(|message| ("rules", message))?;
            if !pattern.names_any(&metas) {
                return Err((
                    "rules",
                    format!("`{name}` names no rule (see `charter rules`)"),
                ));
            }
            patterns.push(pattern);
        }
        if self.reason.trim().is_empty() {
            return Err(("reason", "an exemption needs a reason".into()));
        }
        let expires = match &self.expires {
            Some(text) => Some(Date::parse(text).ok_or((
                "expires",
                format!("`{text}` is not a date; write YYYY-MM-DD"),
            ))?),
            None => None,
        };
        let selector = |field: &'static str, pattern: &Option<String>| {
            pattern
                .as_deref()
                .map(|p| glob(p, false))
                .transpose()
                .map_err(|message| (field, message))
        };
        let files = match self.files {
            Some(files) => Some(glob_set(&files.into_vec()).map_err(|message| ("files", message))?),
            None => None,
        };
        let exemption = Exemption {
            rules: patterns,
            kind: selector("kind", &self.kind)?,
            namespace: selector("namespace", &self.namespace)?,
            name: selector("name", &self.name)?,
            files,
            base,
            reason: self.reason.trim().to_owned(),
            expires,
            origin,
            mark,
        };
        if !exemption.has_resource_selector() && exemption.files.is_none() {
            return Err((
                "rules",
                "an exemption needs `kind`, `namespace`, `name` or `files`; to turn a rule off everywhere, write `rules: {ID: off}`".into(),
            ));
        }
        Ok(exemption)
    }
}

/// Reads one `rules:` entry: `off`, `on`, a severity, or a mapping with
/// `enabled` and `severity`.
fn parse_setting(
    target: &str,
    setting: &Value,
    mark: Mark,
    rules: &[Rule],
) -> Result<RuleSetting, (String, Option<String>)> {
    let upper = target.to_ascii_uppercase();
    let is_family = if rules::find(rules, &upper).is_some() {
        false
    } else if rules::is_family(rules, &upper) {
        true
    } else if rules::rego::names_policy_rule(&upper) {
        // Policies are loaded after the configuration that names them.
        false
    } else {
        let suggestion = rules
            .iter()
            .map(|rule| rule.meta.id)
            .min_by_key(|id| edit_distance(id, &upper))
            .filter(|id| edit_distance(id, &upper) <= 2)
            .map(|id| format!("did you mean `{id}`?"));
        return Err((
            format!("`{target}` is neither a rule id nor a rule family"),
            suggestion.or(Some("`charter rules` lists them".into())),
        ));
    };
    let mut result = RuleSetting {
        target: upper,
        is_family,
        enabled: true,
        severity: None,
        params: Parameters::new(),
        mark,
    };
    let word = |word: &str| -> Result<(bool, Option<Severity>), (String, Option<String>)> {
        match word {
            "off" | "false" => Ok((false, None)),
            "on" | "true" => Ok((true, None)),
            "error" => Ok((true, Some(Severity::Error))),
            "warning" => Ok((true, Some(Severity::Warning))),
            "info" => Ok((true, Some(Severity::Info))),
            other => Err((
                format!("`{other}` is not a rule setting"),
                Some("write off, on, error, warning or info".into()),
            )),
        }
    };
    match setting {
        // `off` and `on` are YAML 1.1 booleans, so they arrive as such.
        Value::Bool(enabled) => result.enabled = *enabled,
        Value::String(text) => (result.enabled, result.severity) = word(text)?,
        Value::Object(fields) => {
            for (key, value) in fields {
                match (key.as_str(), value) {
                    ("enabled", Value::Bool(enabled)) => result.enabled = *enabled,
                    ("severity", Value::String(text)) if text != "off" && text != "on" => {
                        result.severity = word(text)?.1;
                    }
                    ("enabled" | "severity", _) => {
                        return Err((
                            format!("`{key}` has the wrong type"),
                            Some("`enabled: true|false`, `severity: error|warning|info`".into()),
                        ));
                    }
                    (_, _) if is_family => {
                        let known = family_parameters(rules, &result.target);
                        if !known.contains(&key.as_str()) {
                            let help = match known.is_empty() {
                                true => "set parameters on its rules".to_owned(),
                                false => format!("its parameters: {}", known.join(", ")),
                            };
                            return Err((
                                format!(
                                    "`{key}` is not a parameter of the {} family",
                                    result.target
                                ),
                                Some(help),
                            ));
                        }
                        result.params.insert(key.clone(), value.clone());
                    }
                    (other, _) => {
                        result.params.insert(other.to_owned(), value.clone());
                    }
                }
            }
        }
        _ => {
            return Err((
                "a rule setting is off, on, a severity, or a mapping".into(),
                None,
            ));
        }
    }
    Ok(result)
}

/// The parameters the rules of `family` take together.
fn family_parameters(rules: &[Rule], family: &str) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = rules
        .iter()
        .filter(|rule| rule.meta.family() == family)
        .flat_map(|rule| rule.family_parameters().iter().copied())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(crate::yaml::node::escape_token(key).into_owned()),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .fold(String::new(), |pointer, token| format!("{pointer}/{token}"))
}

/// A mistake in the configuration, shown with the line it is on.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(charter::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    source_code: Option<NamedSource<Arc<str>>>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
}

impl ConfigError {
    fn plain(message: String) -> Box<Self> {
        Box::new(ConfigError {
            message,
            source_code: None,
            span: None,
            help: None,
        })
    }

    fn at(
        file: &SourceFile,
        mark: Option<Mark>,
        message: String,
        help: Option<String>,
    ) -> Box<Self> {
        let offset = mark.and_then(|mark| file.offset_of(mark));
        let location = mark.map_or(String::new(), |mark| format!(":{mark}"));
        Box::new(ConfigError {
            message: format!("{}{location}: {message}", file.name),
            source_code: file
                .text
                .clone()
                .map(|text| NamedSource::new(file.name.clone(), text).with_language("yaml")),
            span: offset.map(|offset| SourceSpan::from((offset, 0))),
            help,
        })
    }
}

#[cfg(test)]
mod tests;
