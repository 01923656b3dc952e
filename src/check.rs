//! `charter check`: read the inputs, run the rules, apply exemptions.

use rayon::prelude::*;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::changes;
use crate::chart::sources::template_sources;
use crate::chart::{self, ChartDir, Failure, Helm, HelmSettings};
use crate::config::Config;
use crate::context;
use crate::date::Date;
use crate::engine::{self, ActiveRule, ResourceSet};
use crate::finding::Finding;
use crate::git::{GitError, Repository, Selection};
use crate::input::{self, Content, Input, InputError, Role};
use crate::leak::{Catalogue, Scanner};
use crate::loader::{self, DocumentKinds, Loaded, Tally};
use crate::progress::{Progress, Stage};
use crate::resource::Resource;
use crate::rules::helm::helm_007_render_failure;
use crate::rules::supp::supp_003_expired_exemption;
use crate::rules::{Rule, parse};
use crate::source::{Mark, SourceFile};
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
    /// A user's secret detectors (`--secrets-config`), extending the shipped ones.
    pub secrets_config: Option<std::path::PathBuf>,
    /// Keep file texts for source snippets (only human output shows them).
    pub keep_text: bool,
    /// The inputs are a whole deployment (`--platform`).
    pub platform: bool,
    /// How Helm charts among the inputs are rendered.
    pub helm: HelmSettings,
    /// Counters for a progress bar, when someone watches the run.
    pub progress: Option<Arc<Progress>>,
    /// The files of the repository a hook-style run reports on (`--staged`,
    /// `--changed`), instead of `paths` as given.
    pub selection: Option<Selection>,
    /// Where whole-set rules find the rest of the resources.
    pub context: ContextDir,
    /// Rego policies (`--policy`), compiled.
    pub policies: Option<Arc<crate::policy::Policies>>,
    /// Kyverno policies from directories (`--kyverno-policies`); those
    /// among the manifests apply as well.
    pub kyverno: Option<Arc<crate::kyverno::findings::KyvernoPolicies>>,
}

/// The context of a run (see `context`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextDir {
    /// No context (`--no-context`).
    Off,
    /// The repository root for `--staged` and `--changed`, none otherwise.
    Default,
    /// `--context DIR`.
    Dir(std::path::PathBuf),
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
            secrets_config: None,
            keep_text: true,
            platform: false,
            helm: HelmSettings::default(),
            progress: None,
            selection: None,
            context: ContextDir::Default,
            policies: None,
            kyverno: None,
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
    /// Helm chart directories that were found and not rendered, and why.
    pub charts: Vec<String>,
    pub charts_not_rendered_because: Option<String>,
    /// The chart renders whose output was checked, by the name it is
    /// reported under (`deploy/charts/ollama (release ollama-gpu)`).
    pub rendered: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] InputError),
    #[error("charter's built-in rule data is broken: {0}")]
    #[diagnostic(code(charter::internal))]
    RuleData(String),
    #[error("secret detectors: {0}")]
    #[diagnostic(code(charter::usage))]
    SecretsConfig(String),
    #[error("{0}")]
    #[diagnostic(code(charter::usage))]
    Helm(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),
}

pub fn check(
    options: &CheckOptions,
    config: &Config,
    rules: &[Rule],
) -> Result<Outcome, CheckError> {
    // A helm named by the user that is not there is a usage error, whether
    // or not the paths hold a chart: the run would not do what was asked.
    let helm = Helm::locate(&options.helm);
    if let (Err(message), Some(_)) = (&helm, &options.helm.bin) {
        return Err(CheckError::Helm(message.clone()));
    }
    let manifests = manifests_wanted(config, rules);
    // Compiling the detectors takes a few milliseconds: beside the walk.
    let (prepared, targets) = rayon::join(
        || Prepared::new(options, config),
        || discover_targets(options, scanner_wanted(config)),
    );
    let (prepared, (mut discovery, repository)) = (prepared?, targets?);
    let context_dir = match &options.context {
        _ if !manifests => None,
        ContextDir::Off => None,
        ContextDir::Dir(dir) => Some(dir.clone()),
        // Named from the current directory, as the targets are, so that
        // messages naming a context file read the same.
        ContextDir::Default => repository.map(|repository| {
            let cwd = std::env::current_dir().unwrap_or_default();
            PathBuf::from(changes::relative_name(&repository.root, &cwd))
        }),
    };
    if let Some(dir) = &context_dir {
        templates_are_text(&mut discovery.inputs, &input::absolute(dir));
    }
    let reader = Reader {
        kinds: &prepared.kinds,
        scanner: prepared.scanner.as_ref(),
        options,
        manifests,
    };
    let progress = options.progress.as_deref();
    if let Some(progress) = progress {
        progress.add_work(discovery.inputs.len());
    }
    // A target's file on disk is not also context (standard input counts
    // as the file it is named after).
    let targets: HashSet<PathBuf> = discovery
        .inputs
        .iter()
        .filter_map(|input| match input {
            Input::Stdin { name } if name != "<stdin>" => Some(input::absolute(Path::new(name))),
            _ => input.path(),
        })
        .collect();
    let reading = context::Reading {
        excludes: &options.excludes,
        kinds: &prepared.kinds,
        limits: options.limits,
        max_file_size: options.max_file_size,
    };
    // The context is most of the reading: beside the inputs, not after them.
    let (read, context) = rayon::join(
        || -> Vec<(SourceFile, Loaded)> {
            discovery
                .inputs
                .par_iter()
                .enumerate()
                .map(|(file, input)| {
                    let read = reader.read(file, input);
                    if let Some(progress) = progress {
                        progress.advance();
                    }
                    read
                })
                .collect()
        },
        || {
            context_dir
                .as_ref()
                .map(|dir| context::load(dir, &targets, &reading))
                .transpose()
        },
    );
    let context = context?;

    let (mut files, mut resources, mut findings, mut tally) = assemble(read);
    let mut rendered = Vec::new();
    let charts_not_rendered_because = match helm {
        // Rendered output is manifests; a run without manifest rules skips it.
        _ if !manifests => None,
        Ok(helm) => {
            rendered = render_charts(
                &helm,
                &discovery.charts,
                &reader,
                &mut files,
                &mut resources,
                &mut findings,
                &mut tally,
            );
            None
        }
        Err(_) if discovery.charts.is_empty() => None,
        Err(reason) => Some(reason),
    };
    let unrendered = match charts_not_rendered_because {
        Some(_) => discovery.charts,
        None => Vec::new(),
    };
    findings.extend(expired_exemptions(config, files.len(), options.today));
    files.extend(config.file.clone());
    let partial = discovery.walked_directories == 0 && context.is_none();
    if let Some(loaded) = context {
        let first_file = files.len();
        files.extend(loaded.files);
        resources.extend(loaded.resources.into_iter().map(|mut resource| {
            resource.file += first_file;
            resource
        }));
        order_as_one_walk(&files, &mut resources);
    }
    if let Some(progress) = progress {
        progress.enter(Stage::Checking);
    }
    evaluate(
        &mut files,
        &resources,
        &mut findings,
        Evaluation {
            options,
            config,
            rules,
            partial,
            today: options.today,
        },
    );
    Ok(Outcome {
        files,
        resources,
        findings,
        tally,
        charts: unrendered,
        charts_not_rendered_because,
        rendered,
    })
}

/// The inputs a run reports on: the paths as given, or the files of the
/// repository a hook-style run selects (and that repository).
fn discover_targets(
    options: &CheckOptions,
    with_text: bool,
) -> Result<(input::Discovery, Option<Repository>), CheckError> {
    match &options.selection {
        None => Ok((
            input::discover(
                &options.paths,
                &options.excludes,
                &options.stdin_name,
                with_text,
            )?,
            None,
        )),
        Some(selection) => {
            let targets =
                changes::discover(selection, &options.paths, with_text, options.max_file_size)?;
            let discovery = input::Discovery {
                inputs: targets.inputs,
                ..input::Discovery::default()
            };
            Ok((discovery, Some(targets.repository)))
        }
    }
}

/// A hook names the files of a commit one by one, a chart's templates and
/// values among them: those are scanned as text, not read as manifests
/// (Helm would have to render the chart first, which a hook does not do).
/// `root` bounds the search for the chart above a file.
fn templates_are_text(inputs: &mut [Input], root: &Path) {
    for input in inputs {
        if let Input::File { path, role, .. } = input
            && *role == Role::Manifest
            && input::in_chart(&input::absolute(path), root)
        {
            *role = Role::Text;
        }
    }
}

/// Orders the resources as a walk of the whole repository would have met
/// them (by path; rendered output last), so that rules which report the
/// second of two resources (`HELM-002`) pick the same one as a full run.
/// No finding refers to a resource yet, so renumbering is safe.
fn order_as_one_walk(files: &[SourceFile], resources: &mut [Resource]) {
    resources.sort_by(|a, b| {
        let key = |resource: &Resource| {
            let file = &files[resource.file];
            (file.path.is_none(), file.path.as_deref(), resource.index)
        };
        key(a).cmp(&key(b))
    });
    for (index, resource) in resources.iter_mut().enumerate() {
        resource.index = index;
    }
}

/// Whether any rule that needs manifests parsed (every family but the
/// secret scanner's) is on. A `--select LEAK` run reads every input as text.
fn manifests_wanted(config: &Config, rules: &[Rule]) -> bool {
    // Policies' rules are made after reading: a selection naming them
    // wants the manifests.
    let policy_rules_selected = config.selected.as_ref().is_some_and(|selected| {
        selected
            .iter()
            .any(|target| crate::rules::rego::names_policy_rule(target))
    });
    policy_rules_selected
        || rules
            .iter()
            .any(|rule| rule.meta.family() != "LEAK" && config.severity_of(rule.meta).is_some())
}

/// What a run builds before it reads anything, kept by a long-running
/// caller (the admission server) so that each check pays only for its input.
pub struct Prepared {
    kinds: DocumentKinds,
    scanner: Option<Scanner>,
}

impl Prepared {
    /// The document kinds and, when a `LEAK` rule is on, the secret scanner.
    pub fn new(options: &CheckOptions, config: &Config) -> Result<Prepared, CheckError> {
        Ok(Prepared {
            kinds: DocumentKinds::builtin().map_err(CheckError::RuleData)?,
            scanner: secret_scanner(options, scanner_wanted(config))?,
        })
    }
}

/// Checks texts held in memory, each `(name, text)` a manifest, as a
/// pre-commit run checks files named one by one: the set is partial, and
/// nothing is read from disk or rendered. Exemptions and inline ignores
/// apply as in `check`, expiring against `today` (a server outlives the
/// date of its start); expired exemptions are not reported here (they are
/// the configuration's findings, not the texts').
pub fn check_texts(
    prepared: &Prepared,
    options: &CheckOptions,
    config: &Config,
    rules: &[Rule],
    inputs: Vec<(String, Arc<str>)>,
    today: Date,
) -> Outcome {
    check_text_set(
        prepared,
        options,
        config,
        rules,
        inputs,
        today,
        Completeness::Partial,
    )
}

/// Whether texts checked together are all there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Some of a deployment (files named one by one, an admission request):
    /// rules about what is missing stay quiet.
    Partial,
    /// The whole deployment (every object of a live cluster): rules about
    /// missing references and policies apply, and expired exemptions are
    /// reported as a run over files reports them.
    Whole,
}

/// `check_texts` for a set whose completeness the caller knows.
pub fn check_text_set(
    prepared: &Prepared,
    options: &CheckOptions,
    config: &Config,
    rules: &[Rule],
    inputs: Vec<(String, Arc<str>)>,
    today: Date,
    completeness: Completeness,
) -> Outcome {
    let reader = Reader {
        kinds: &prepared.kinds,
        scanner: prepared.scanner.as_ref(),
        options,
        manifests: true,
    };
    let read: Vec<(SourceFile, Loaded)> = inputs
        .into_iter()
        .enumerate()
        .map(|(file, (name, text))| reader.load(file, name, None, Role::Manifest, text, None))
        .collect();
    let (mut files, resources, mut findings, tally) = assemble(read);
    if completeness == Completeness::Whole {
        findings.extend(expired_exemptions(config, files.len(), today));
    }
    files.extend(config.file.clone());
    evaluate(
        &mut files,
        &resources,
        &mut findings,
        Evaluation {
            options,
            config,
            rules,
            partial: completeness == Completeness::Partial,
            today,
        },
    );
    Outcome {
        files,
        resources,
        findings,
        tally,
        charts: Vec::new(),
        charts_not_rendered_because: None,
        rendered: Vec::new(),
    }
}

/// Numbers the resources of every input in one table.
fn assemble(
    read: Vec<(SourceFile, Loaded)>,
) -> (Vec<SourceFile>, Vec<Resource>, Vec<Finding>, Tally) {
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
    (files, resources, findings, tally)
}

/// What decides the verdicts of a run, besides what it read.
struct Evaluation<'a> {
    options: &'a CheckOptions,
    config: &'a Config,
    rules: &'a [Rule],
    /// The set is obviously partial (see `ResourceSet::partial`).
    partial: bool,
    /// The date exemptions expire against.
    today: Date,
}

/// Runs the rules over what was read, applies severities and exemptions,
/// and sorts the findings: the part of a run after reading, shared by
/// `check` and `check_texts`.
fn evaluate(
    files: &mut [SourceFile],
    resources: &[Resource],
    findings: &mut Vec<Finding>,
    how: Evaluation<'_>,
) {
    let Evaluation {
        options,
        config,
        rules,
        partial,
        today,
    } = how;
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
        resources,
        files: &*files,
        partial,
        platform: options.platform,
    };
    findings.extend(engine::run(&active, set));
    // ConstraintTemplates and Constraints among the manifests apply even
    // without policy directories.
    let no_policies;
    let policies = match &options.policies {
        Some(policies) => policies.as_ref(),
        None => {
            no_policies = crate::policy::Policies::none();
            &no_policies
        }
    };
    findings.extend(policies.evaluate(&set, &|meta| config.severity_of(meta)));
    findings.extend(crate::kyverno::findings::evaluate(
        &set,
        options.kyverno.as_deref(),
        &|meta| config.severity_of(meta),
    ));
    findings.retain(|finding| !files[finding.file].context);
    drop_leaks_said_by_manifest_rules(findings);
    for finding in findings.iter_mut() {
        files[finding.file].secrets.append(&mut finding.conceal);
    }

    suppress::apply(
        findings,
        resources,
        files,
        &config.exemptions,
        options.inline_ignores,
        today,
    );
    let order = |a: &Finding, b: &Finding| {
        let by_name = files[a.file].name.cmp(&files[b.file].name);
        by_name.then_with(|| a.report_order(b))
    };
    // A few findings sort faster here than through rayon's pool.
    match resources.len() < engine::SEQUENTIAL_BELOW {
        true => findings.sort_unstable_by(order),
        false => findings.par_sort_unstable_by(order),
    }
}

/// Renders every chart of the run and loads the output as more files.
fn render_charts(
    helm: &Helm,
    chart_names: &[String],
    reader: &Reader<'_>,
    files: &mut Vec<SourceFile>,
    resources: &mut Vec<Resource>,
    findings: &mut Vec<Finding>,
    tally: &mut Tally,
) -> Vec<String> {
    let mut rendered = Vec::new();
    if chart_names.is_empty() {
        return rendered;
    }
    let charts: Vec<ChartDir> = chart_names
        .iter()
        .map(|name| ChartDir {
            name: name.clone(),
            path: input::absolute(Path::new(name)),
        })
        .collect();
    let renders = chart::plan(&charts, resources, files);
    let settings = &reader.options.helm;
    let progress = reader.options.progress.as_deref();
    if let Some(progress) = progress {
        progress.enter(Stage::Rendering);
        progress.add_work(renders.len());
    }
    let outputs: Vec<_> = renders
        .par_iter()
        .map(|render| {
            let output = helm.render(render, settings);
            if let Some(progress) = progress {
                progress.advance();
            }
            output
        })
        .collect();
    for (render, output) in renders.iter().zip(outputs) {
        let file = files.len();
        let name = render.stream_name();
        let limit = reader.options.max_file_size;
        let output = output.and_then(|text| match text.len() as u64 > limit {
            true => Err(Failure::Refused(format!(
                "the rendered output ({}) is over the {} limit; not checked (raise it with \
                 --max-file-size)",
                input::human_size(text.len() as u64),
                input::human_size(limit)
            ))),
            false => Ok(text),
        });
        let text = match output {
            Ok(text) => text,
            Err(Failure::Refused(message) | Failure::NotRun(message)) => {
                let by = render
                    .application
                    .as_ref()
                    .map(|app| format!(" (as Application `{app}` deploys it)"))
                    .unwrap_or_default();
                findings.push(Finding::at(
                    &helm_007_render_failure::META,
                    file,
                    Mark::FILE_START,
                    format!(
                        "`helm template` of {}{by} failed: {message}",
                        render.chart_name
                    ),
                ));
                files.push(SourceFile::new(name, None, None));
                continue;
            }
        };
        let chart = charts.iter().find(|chart| chart.path == render.chart);
        let (mut source, loaded) =
            reader.load(file, name, None, Role::Manifest, Arc::from(text), chart);
        source.application = render.application.clone();
        rendered.push(source.name.clone());
        files.push(source);
        for mut resource in loaded.resources {
            resource.index = resources.len();
            resources.push(resource);
        }
        findings.extend(loaded.findings);
        *tally += loaded.tally;
    }
    rendered
}

/// Whether any `LEAK` rule is on.
fn scanner_wanted(config: &Config) -> bool {
    crate::rules::leak::rules()
        .iter()
        .any(|rule| config.severity_of(rule.meta).is_some())
}

/// The scanner, when it is wanted.
fn secret_scanner(options: &CheckOptions, wanted: bool) -> Result<Option<Scanner>, CheckError> {
    if !wanted {
        return Ok(None);
    }
    let user = match &options.secrets_config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                CheckError::SecretsConfig(format!("{}: {error}", path.display()))
            })?;
            Some((path.display().to_string(), text))
        }
        None => None,
    };
    let catalogue = Catalogue::load(
        user.as_ref()
            .map(|(name, text)| (name.as_str(), text.as_str())),
    )
    .map_err(CheckError::SecretsConfig)?;
    Scanner::new(catalogue)
        .map(Some)
        .map_err(CheckError::SecretsConfig)
}

/// Reads one input: manifests are loaded and scanned, other text only scanned.
struct Reader<'a> {
    kinds: &'a DocumentKinds,
    scanner: Option<&'a Scanner>,
    options: &'a CheckOptions,
    /// Whether manifests are parsed (see `manifests_wanted`); if not, every
    /// input is only scanned.
    manifests: bool,
}

impl Reader<'_> {
    fn read(&self, file: usize, input: &Input) -> (SourceFile, Loaded) {
        let path = match input {
            Input::Stdin { name } if name != "<stdin>" => {
                Some(input::absolute(std::path::Path::new(name)))
            }
            _ => input.path(),
        };
        let role = match self.manifests {
            true => input.role(),
            false => Role::Text,
        };
        let name = input.name().to_owned();
        let mut loaded = Loaded::default();
        let text = match (input::read(input, self.options.max_file_size), role) {
            (Content::Text(text), _) => text,
            // Other files are scanned when they are text of a sane size,
            // and counted when they are not.
            (Content::Unusable { rule, .. }, Role::Text) if rule.id == parse::TOO_LARGE.id => {
                loaded.tally.large_files = 1;
                return (SourceFile::new(name, path, None), loaded);
            }
            (Content::Unusable { rule, .. }, Role::Text) if rule.id == parse::NOT_TEXT.id => {
                loaded.tally.binary_files = 1;
                return (SourceFile::new(name, path, None), loaded);
            }
            (
                Content::Unusable {
                    rule,
                    mark,
                    message,
                },
                _,
            ) => {
                loaded.tally.files_unreadable = 1;
                loaded.findings.push(Finding::at(rule, file, mark, message));
                return (SourceFile::new(name, path, None), loaded);
            }
        };
        self.load(file, name, path, role, text, None)
    }

    /// Loads and scans a text: a file's, or a chart's rendered output (with
    /// the chart's directory, to name the templates it came from).
    fn load(
        &self,
        file: usize,
        name: String,
        path: Option<std::path::PathBuf>,
        role: Role,
        text: Arc<str>,
        chart: Option<&ChartDir>,
    ) -> (SourceFile, Loaded) {
        let mut loaded = Loaded::default();
        let mut templates = Vec::new();
        if role == Role::Manifest {
            loaded = loader::load(file, &text, self.kinds, self.options.limits);
            let chart = chart.map(|chart| (chart.name.as_str(), chart.path.as_path()));
            templates = template_sources(&text, chart);
        }
        let mut source = SourceFile::new(name, path, Some(text));
        source.templates = templates;
        source.secrets = std::mem::take(&mut loaded.secrets);
        if let Some(scanner) = self.scanner {
            loaded.tally.files_scanned = 1;
            let text = source.text.as_deref().unwrap_or_default();
            let leaks = scanner.scan(&source.name, text);
            for leak in leaks {
                // A Secret's own values are SEC-001's: one finding per Secret.
                let in_secret = source
                    .secrets
                    .iter()
                    .any(|&(start, end)| start <= leak.start && leak.start < end);
                if in_secret {
                    continue;
                }
                source.secrets.push((leak.start, leak.end));
                let honour_marker = self.options.inline_ignores;
                loaded
                    .findings
                    .push(scanner.finding(&leak, file, honour_marker));
            }
        }
        // Text is kept only to show findings in, and only when it will be shown.
        if !self.options.keep_text || (role == Role::Text && loaded.findings.is_empty()) {
            source.text = None;
        }
        (source, loaded)
    }
}

/// Drops a `LEAK` finding on a line where a `SEC` rule already reports: the
/// manifest rule names the field and the fix, the scanner would only repeat it.
fn drop_leaks_said_by_manifest_rules(findings: &mut Vec<Finding>) {
    let manifest_lines: std::collections::HashSet<(usize, u32)> = findings
        .iter()
        .filter(|finding| finding.rule.family() == "SEC")
        .map(|finding| (finding.file, finding.mark.line))
        .collect();
    findings.retain(|finding| {
        finding.rule.family() != "LEAK"
            || !manifest_lines.contains(&(finding.file, finding.mark.line))
    });
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
