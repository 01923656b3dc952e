//! `charter check`: read the inputs, run the rules, apply exemptions.

use rayon::prelude::*;

use crate::config::Config;
use crate::date::Date;
use crate::engine::{self, ActiveRule, ResourceSet};
use crate::finding::Finding;
use crate::input::{self, Content, Input, InputError};
use crate::loader::{self, DocumentKinds, Loaded, Tally};
use crate::resource::Resource;
use crate::rules::Rule;
use crate::rules::supp::supp_003_expired_exemption;
use crate::source::SourceFile;
use crate::suppress;
use crate::yaml::Limits;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<String>,
    pub excludes: Vec<String>,
    pub max_file_size: u64,
    pub inline_ignores: bool,
    /// The name standard input is reported under.
    pub stdin_name: String,
    pub limits: Limits,
    /// The date exemptions expire against.
    pub today: Date,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            paths: vec![".".to_owned()],
            excludes: Vec::new(),
            max_file_size: input::DEFAULT_MAX_FILE_SIZE,
            inline_ignores: true,
            stdin_name: "<stdin>".to_owned(),
            limits: Limits::default(),
            today: Date::today_utc(),
        }
    }
}

/// Everything a run produced, for the reports.
#[derive(Debug)]
pub struct Outcome {
    /// Every input, then the configuration file when there is one; a
    /// finding's `file` indexes this table.
    pub files: Vec<SourceFile>,
    pub resources: Vec<Resource>,
    /// Sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    pub tally: Tally,
    /// Helm chart directories that were found and not read.
    pub charts: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] InputError),
    #[error("charter's built-in rule data is broken: {0}")]
    #[diagnostic(code(charter::internal))]
    RuleData(String),
}

pub fn check(
    options: &CheckOptions,
    config: &Config,
    rules: &[Rule],
) -> Result<Outcome, CheckError> {
    let kinds = DocumentKinds::builtin().map_err(CheckError::RuleData)?;
    let discovery = input::discover(&options.paths, &options.excludes, &options.stdin_name)?;

    let read: Vec<(SourceFile, Loaded)> = discovery
        .inputs
        .par_iter()
        .enumerate()
        .map(|(file, input)| read_one(file, input, &kinds, options))
        .collect();

    let mut files = Vec::with_capacity(read.len() + 1);
    let mut resources = Vec::new();
    let mut findings = Vec::new();
    let mut tally = Tally::default();
    for (source, loaded) in read {
        files.push(source);
        for mut resource in loaded.resources {
            resource.index = resources.len();
            resources.push(resource);
        }
        findings.extend(loaded.findings);
        tally += loaded.tally;
    }
    findings.extend(expired_exemptions(config, files.len(), options.today));
    files.extend(config.file.clone());

    // Findings charter reports itself take the configured severity here;
    // rules receive theirs through the emitter.
    findings.retain_mut(|finding| match config.severity_of(finding.rule) {
        Some(severity) => {
            finding.severity = severity;
            true
        }
        None => false,
    });

    let active: Vec<ActiveRule<'_>> = rules
        .iter()
        .filter_map(|rule| {
            Some(ActiveRule {
                rule,
                severity: config.severity_of(rule.meta)?,
            })
        })
        .collect();
    let set = ResourceSet {
        resources: &resources,
        files: &files,
    };
    findings.extend(engine::run(&active, set));

    suppress::apply(
        &mut findings,
        &resources,
        &files,
        &config.exemptions,
        options.inline_ignores,
        options.today,
    );
    findings.par_sort_unstable_by(|a, b| {
        let by_name = files[a.file].name.cmp(&files[b.file].name);
        by_name.then_with(|| a.report_order(b))
    });
    Ok(Outcome {
        files,
        resources,
        findings,
        tally,
        charts: discovery.charts,
    })
}

fn read_one(
    file: usize,
    input: &Input,
    kinds: &DocumentKinds,
    options: &CheckOptions,
) -> (SourceFile, Loaded) {
    let path = match input {
        Input::File { path, .. } => Some(input::absolute(path)),
        Input::Stdin { name } if name != "<stdin>" => {
            Some(input::absolute(std::path::Path::new(name)))
        }
        _ => None,
    };
    match input::read(input, options.max_file_size) {
        Content::Text(text) => {
            let mut loaded = loader::load(file, &text, kinds, options.limits);
            let mut source = SourceFile::new(input.name().to_owned(), path, Some(text));
            source.secrets = std::mem::take(&mut loaded.secrets);
            (source, loaded)
        }
        Content::Unusable {
            rule,
            mark,
            message,
        } => {
            let mut loaded = Loaded::default();
            loaded.tally.files_unreadable = 1;
            loaded.findings.push(Finding::at(rule, file, mark, message));
            (SourceFile::new(input.name().to_owned(), path, None), loaded)
        }
    }
}

/// One `SUPP-003` per exemption past its date, at its line in the
/// configuration (which will be file `config_file` of the run).
fn expired_exemptions(config: &Config, config_file: usize, today: Date) -> Vec<Finding> {
    config
        .exemptions
        .iter()
        .filter_map(|exemption| {
            let expires = exemption.expires.filter(|_| exemption.is_expired(today))?;
            let message = format!(
                "exemption ({}) expired on {expires} and no longer applies",
                exemption.reason
            );
            Some(Finding::at(
                &supp_003_expired_exemption::META,
                config_file,
                exemption.mark,
                message,
            ))
        })
        .collect()
}
