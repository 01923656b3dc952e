//! The `charter` command line.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::Diagnostic;

use crate::baseline::Baseline;
use crate::chart::HelmSettings;
use crate::check::{self, CheckOptions, ContextDir, Outcome};
use crate::config::{Config, FailOn};
use crate::git::Selection;
use crate::input;
use crate::kyverno::findings::KyvernoPolicies;
use crate::policy::{self, Namespaces, Policies, PolicySettings};
use crate::progress;
use crate::report;
use crate::rules::{self, Example, Rule};
use crate::serve;

mod audit;
mod generate;

/// Exit status when no unsuppressed finding reaches `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status when one does.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status for usage and configuration errors.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "charter",
    version,
    about = "Checks Kubernetes manifests against the constitution of a privacy-first, GitOps-run AI platform",
    after_help = "Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration error."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check manifests: files, directories (walked recursively) or `-` for standard input.
    // Boxed: CheckArgs is far larger than the other variants
    // (clippy::large_enum_variant).
    Check(Box<CheckArgs>),
    /// Write an audit report (.html, .md or .json): scores per principle, findings by principle, family and resource, suppressions, the worst resources.
    Audit(Box<audit::AuditArgs>),
    /// Serve the admission webhook: judge AdmissionReviews over HTTPS with the rules of `check`.
    Serve(Box<ServeArgs>),
    /// List every rule: id, severity, principle and title.
    Rules {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain a rule: why it exists, an example that fails and one that passes, and the fix.
    Explain {
        /// A rule id such as SEC-001.
        rule: String,
    },
    /// Run policy tests: Gatekeeper suite.yaml files (as gator verify) and Rego unit tests in _test.rego files (as opa test).
    Verify {
        /// Files or directories to search for suites and _test.rego files.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// Run Kyverno CLI test suites (kyverno-test.yaml) with charter's Kyverno engine: each expected pass, fail or skip is compared with the result.
    Test {
        /// Files or directories to search for kyverno-test.yaml files.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// Print a shell completion script, generated from this command line.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from this command line.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Findings with source snippets, for people.
    Human,
    /// The versioned JSON report, for programs.
    Json,
}

#[derive(Args)]
struct CheckArgs {
    /// Files, directories or `-` (standard input).
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// The report on standard output.
    #[arg(long, value_enum, default_value_t = report::Format::Human)]
    format: report::Format,
    /// Also write a report in FORMAT (human, json, sarif, junit, github or gitlab) to FILE (repeatable).
    #[arg(long, value_name = "FORMAT=FILE", value_parser = report::parse_output)]
    output: Vec<report::Output>,
    /// Lowest severity that makes the exit status 1 [default: error, or `failOn` in the configuration].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    hook: HookArgs,
    /// Print suppressed findings too (human format; JSON, SARIF and JUnit always have them).
    #[arg(long)]
    show_suppressed: bool,
    /// Never colour the output (colour is only used on a terminal anyway; NO_COLOR is honoured).
    #[arg(long)]
    no_color: bool,
    /// Record today's unsuppressed findings in FILE, so later runs with --baseline fail only on new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Rego package whose deny, violation and warn rules judge, as Conftest's --namespace (repeatable; same as --policy-namespace).
    #[arg(long, value_name = "PACKAGE", conflicts_with = "all_namespaces")]
    namespace: Vec<String>,
}

/// Which files of a repository `check` reports on, and what it reads
/// beside them for whole-set rules (pre-commit and CI runs).
#[derive(Args)]
struct HookArgs {
    /// Check the staged content (the git index) of the staged files under the paths, or of the files named.
    #[arg(long, conflicts_with = "changed")]
    staged: bool,
    /// Check the files under the paths changed since --base (committed, staged, unstaged, untracked).
    #[arg(long)]
    changed: bool,
    /// Where --changed starts [default: merge base of HEAD and origin/HEAD, else HEAD].
    #[arg(long, value_name = "REF", requires = "changed")]
    base: Option<String>,
    /// Read the manifests under DIR too, for whole-set rules only; report only on the paths [default: the repository root with --staged or --changed, else none].
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
    /// No context, even with --staged or --changed.
    #[arg(long, conflicts_with = "context")]
    no_context: bool,
}

impl HookArgs {
    fn selection_and_context(&self) -> miette::Result<(Option<Selection>, ContextDir)> {
        let context = match (&self.context, self.no_context) {
            (Some(dir), _) if !dir.is_dir() => {
                return Err(miette::miette!(
                    code = "charter::usage",
                    "--context {}: no such directory",
                    dir.display()
                ));
            }
            (Some(dir), _) => ContextDir::Dir(dir.clone()),
            (None, true) => ContextDir::Off,
            (None, false) => ContextDir::Default,
        };
        let selection = match (self.staged, self.changed) {
            (true, _) => Some(Selection::Staged),
            (_, true) => Some(Selection::Changed {
                base: self.base.clone(),
            }),
            _ => None,
        };
        Ok((selection, context))
    }
}

/// How a run over manifests reads them, for `check` and `audit` alike.
#[derive(Args)]
struct RunArgs {
    /// Configuration file [default: .charter.yaml in the first path's directory or a parent, else in the current directory or a parent].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any .charter.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Skip paths matching GLOB when walking directories (gitignore syntax; repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Largest file read, in bytes or with Ki/Mi/Gi [default: 16Mi].
    #[arg(long, value_name = "SIZE", value_parser = input::parse_size)]
    max_file_size: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Make `charter.io/ignore` annotations inert (for gates workloads must not opt out of).
    #[arg(long)]
    no_inline_ignores: bool,
    /// The paths are a whole deployment: platform-wide requirements apply (KYV-008's baseline policies) [default: `platform` in the configuration].
    #[arg(long)]
    platform: bool,
    /// The name standard input is reported under (and matched against exemption file globs).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Your own secret detectors (TOML, the format of rules/secrets.toml), extending the shipped ones.
    #[arg(long, value_name = "FILE")]
    secrets_config: Option<PathBuf>,
    /// Suppress findings recorded in this baseline (see --write-baseline) [default: `baseline` in the configuration].
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// The `helm` that renders charts found in the paths [default: `helm.bin` in the configuration, or `helm` on PATH].
    #[arg(long, value_name = "PATH")]
    helm_bin: Option<PathBuf>,
    /// A values file for every chart rendered, after the Application's own (repeatable).
    #[arg(long, value_name = "FILE")]
    helm_values: Vec<PathBuf>,
    /// A `--set` for every chart rendered, applied last (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    helm_set: Vec<String>,
    /// Seconds one chart may take to render before it is stopped and reported (HELM-007).
    #[arg(long, value_name = "SECONDS", default_value_t = crate::chart::DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    helm_timeout: u64,
    /// Run only these rules: ids (SEC-001) or families (LEAK); repeatable or comma-separated.
    #[arg(long, value_name = "RULE|FAMILY", value_delimiter = ',')]
    select: Vec<String>,
    /// Strict schema validation: a field the kind's schema does not declare is an error (SCHEMA-002) [default: `strict` in the configuration].
    #[arg(long)]
    strict: bool,
    /// A directory of CustomResourceDefinitions whose schemas validate custom resources (repeatable; after `crdDirs` of the configuration).
    #[arg(long, value_name = "DIR")]
    crd_dir: Vec<PathBuf>,
    /// A kind with no schema is an error, not a warning (SCHEMA-003) [default: `rejectUnknownKinds` in the configuration].
    #[arg(long)]
    reject_unknown_kinds: bool,
    #[command(flatten)]
    policy: PolicyArgs,
}

/// Where Rego policies come from, for `check`, `audit` and `serve`.
#[derive(Args, Default)]
struct PolicyArgs {
    /// Rego policies: a directory of Conftest `.rego` files and Gatekeeper ConstraintTemplates with their Constraints (repeatable) [default: `policies` in the configuration, else ./policy and ./rules/rego where they exist].
    #[arg(long, value_name = "DIR")]
    policy: Vec<PathBuf>,
    /// Rego package whose deny, violation and warn rules judge (repeatable; Conftest's --namespace) [default: main].
    #[arg(long, value_name = "PACKAGE")]
    policy_namespace: Vec<String>,
    /// Every package's deny, violation and warn rules judge.
    #[arg(long, conflicts_with = "policy_namespace")]
    all_namespaces: bool,
    /// Kyverno policies: a file or directory of ClusterPolicies and Policies applied to the checked resources, besides those among them (repeatable) [default: `kyvernoPolicies` in the configuration].
    #[arg(long, value_name = "PATH")]
    kyverno_policies: Vec<PathBuf>,
}

impl PolicyArgs {
    /// Loads the policies the flags, else the configuration, else the
    /// default directories name; `None` when there are none.
    fn load(&self, config: &Config) -> miette::Result<Option<Arc<Policies>>> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut settings = match (self.policy.is_empty(), config.policies.is_empty()) {
            (false, _) => PolicySettings {
                paths: self.policy.clone(),
                required: true,
                ..PolicySettings::default()
            },
            (true, false) => PolicySettings {
                paths: config.policies.clone(),
                required: true,
                ..PolicySettings::default()
            },
            (true, true) => PolicySettings::defaults(&cwd),
        };
        let configured = &config.policy_namespaces;
        settings.namespaces = if self.all_namespaces
            || configured.iter().any(|ns| ns == "*") && self.policy_namespace.is_empty()
        {
            Namespaces::All
        } else if !self.policy_namespace.is_empty() {
            Namespaces::Only(self.policy_namespace.clone())
        } else if !configured.is_empty() {
            Namespaces::Only(configured.clone())
        } else {
            Namespaces::default()
        };
        let policies = policy::load::load(&settings).map_err(miette::Report::new)?;
        Ok((!policies.is_empty()).then(|| Arc::new(policies)))
    }

    /// Loads the Kyverno policies the flags, else the configuration, name.
    fn load_kyverno(&self, config: &Config) -> miette::Result<Option<Arc<KyvernoPolicies>>> {
        let paths = match self.kyverno_policies.is_empty() {
            true => &config.kyverno_policies,
            false => &self.kyverno_policies,
        };
        if paths.is_empty() {
            return Ok(None);
        }
        let policies = KyvernoPolicies::load(paths).map_err(miette::Report::new)?;
        Ok(Some(Arc::new(policies)))
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on, IP:PORT (port 0: any free port; the bound address is logged).
    #[arg(long, value_name = "ADDR")]
    listen: String,
    /// PEM certificate chain; reloaded when the file changes.
    #[arg(long, value_name = "FILE")]
    tls_cert: PathBuf,
    /// PEM private key of the certificate; reloaded when the file changes.
    #[arg(long, value_name = "FILE")]
    tls_key: PathBuf,
    /// Configuration file [default: .charter.yaml in the current directory or a parent].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any .charter.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Lowest severity that denies an object [default: error, or `failOn` in the configuration].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Make `charter.io/ignore` annotations inert: workloads cannot exempt themselves.
    #[arg(long)]
    no_inline_ignores: bool,
    /// Your own secret detectors (TOML), extending the shipped ones.
    #[arg(long, value_name = "FILE")]
    secrets_config: Option<PathBuf>,
    /// Longest time one review may take, in milliseconds (keep it well under the webhook's timeoutSeconds).
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    deadline_ms: u64,
    /// Longest wait for in-flight requests after SIGTERM, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 25)]
    drain_seconds: u64,
    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    #[command(flatten)]
    policy: PolicyArgs,
}

pub fn main() -> ExitCode {
    // Errors stay on one line each, so they survive grep and CI logs.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Serve(args) => run_serve(*args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Audit(args) => audit::run(*args),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man => generate::man(),
        Command::Verify { paths } => run_verify(&paths),
        Command::Test { paths } => run_kyverno_tests(&paths),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{error:?}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run_check(mut args: CheckArgs) -> miette::Result<u8> {
    let started = Instant::now();
    args.run
        .policy
        .policy_namespace
        .extend(std::mem::take(&mut args.namespace));
    let keep_text = std::iter::once(args.format)
        .chain(args.output.iter().map(|output| output.format))
        .any(report::Format::shows_source);
    let prepared = prepare(&args.run, Some(&args.hook), &args.paths, keep_text)?;
    let fail_on = args
        .fail_on
        .or(prepared.config.fail_on)
        .unwrap_or(FailOn::Error);
    // Machine formats on stdout are read by programs, not watched.
    let bar = progress::Bar::start(&prepared.progress, args.format == report::Format::Human);
    let outcome = prepared
        .pool
        .install(|| check::check(&prepared.options, &prepared.config, &prepared.rules));
    bar.finish();
    let mut outcome = outcome?;
    apply_baseline(
        &args.run,
        &prepared.config,
        args.write_baseline.as_deref(),
        &mut outcome,
    )?;
    let PreparedRun { config, rules, .. } = &prepared;
    let root = input::absolute(&std::env::current_dir().unwrap_or_default());
    let context = report::Context {
        outcome: &outcome,
        fail_on,
        rules,
        config,
        root: &root,
        elapsed: started.elapsed(),
        show_suppressed: args.show_suppressed,
    };
    let unwritten = report::write_outputs(&args.output, &context);
    let color =
        !args.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    write_stdout(&report::render(args.format, &context, color));
    if !unwritten.is_empty() {
        for error in unwritten {
            eprintln!("{:?}", miette::Report::new(error));
        }
        std::mem::forget(outcome);
        return Ok(EXIT_USAGE);
    }
    let code = match report::failed(&outcome, fail_on) {
        true => EXIT_FINDINGS,
        false => EXIT_CLEAN,
    };
    // The process ends here: freeing every parsed node one by one would only
    // delay the exit (a tenth of a large run), so the memory goes back to the
    // system with the process instead.
    std::mem::forget(outcome);
    Ok(code)
}

/// `charter verify`: one line per case, failures with their reason, then
/// `N passed, N failed`; exit 1 on any failure.
fn run_verify(paths: &[PathBuf]) -> miette::Result<u8> {
    let results = policy::verify::verify(paths).map_err(miette::Report::new)?;
    if results.is_empty() {
        return Err(miette::miette!(
            code = "charter::usage",
            "no suite.yaml (kind: Suite) or _test.rego file under {}",
            paths
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut out = String::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for result in &results {
        let (word, reason) = match &result.status {
            policy::verify::Status::Pass => {
                passed += 1;
                ("PASS", None)
            }
            policy::verify::Status::Fail(reason) => {
                failed += 1;
                ("FAIL", Some(reason))
            }
            policy::verify::Status::Skip => {
                skipped += 1;
                ("SKIP", None)
            }
        };
        out.push_str(&format!("{word} {}: {}\n", result.file, result.name));
        if let Some(reason) = reason {
            out.push_str(&format!("     {reason}\n"));
        }
    }
    let skipped = match skipped {
        0 => String::new(),
        n => format!(", {n} skipped"),
    };
    out.push_str(&format!("\n{passed} passed, {failed} failed{skipped}\n"));
    write_stdout(&out);
    Ok(match failed {
        0 => EXIT_CLEAN,
        _ => EXIT_FINDINGS,
    })
}

/// `charter test`: Kyverno CLI test suites.
fn run_kyverno_tests(paths: &[PathBuf]) -> miette::Result<u8> {
    let report = crate::kyverno::test_run::run(paths)
        .map_err(|message| miette::miette!(code = "charter::usage", "{message}"))?;
    write_stdout(&report.text);
    Ok(match report.failed {
        0 => EXIT_CLEAN,
        _ => EXIT_FINDINGS,
    })
}

/// What a run over manifests needs before it reads any: the configuration,
/// the configured rules, the options and the worker threads.
struct PreparedRun {
    config: Config,
    rules: Vec<Rule>,
    options: CheckOptions,
    pool: rayon::ThreadPool,
    progress: Arc<progress::Progress>,
}

/// The part of `check` and `audit` before the run: configuration discovery
/// from `paths`, then options from the flags over the configuration.
fn prepare(
    args: &RunArgs,
    hook: Option<&HookArgs>,
    paths: &[String],
    keep_text: bool,
) -> miette::Result<PreparedRun> {
    let mut rules = rules::builtin();
    let mut config = load_config(args.config.as_deref(), args.no_config, paths, &rules)?;
    config
        .configure_rules(&mut rules)
        .map_err(|error| miette::Report::new_boxed(error))?;
    if !args.select.is_empty() {
        config.selected = Some(selection(&args.select, &rules)?);
    }
    configure_schemas(
        &mut rules,
        &config,
        args.strict,
        &args.crd_dir,
        args.reject_unknown_kinds,
    )?;
    let (selection, context) = match hook {
        Some(hook) => hook.selection_and_context()?,
        None => (None, ContextDir::Off),
    };
    let progress = Arc::new(progress::Progress::default());
    let options = CheckOptions {
        selection,
        context,
        paths: paths.to_vec(),
        excludes: config
            .exclude
            .iter()
            .chain(&args.exclude)
            .cloned()
            .collect(),
        max_file_size: args
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(input::DEFAULT_MAX_FILE_SIZE),
        inline_ignores: !args.no_inline_ignores && config.inline_ignores.unwrap_or(true),
        stdin_name: args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".to_owned()),
        keep_text,
        platform: args.platform
            || (config.platform.unwrap_or(false) && covers_config_directory(&config, paths)),
        secrets_config: args
            .secrets_config
            .clone()
            .or_else(|| config.secrets.clone()),
        helm: HelmSettings {
            bin: args.helm_bin.clone().or_else(|| config.helm.bin.clone()),
            values: config
                .helm
                .values
                .iter()
                .chain(&args.helm_values)
                .cloned()
                .collect(),
            set: config
                .helm
                .set
                .iter()
                .chain(&args.helm_set)
                .cloned()
                .collect(),
            timeout: std::time::Duration::from_secs(args.helm_timeout),
        },
        progress: Some(Arc::clone(&progress)),
        policies: args.policy.load(&config)?,
        kyverno: args.policy.load_kyverno(&config)?,
        ..CheckOptions::default()
    };
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = args.jobs {
        pool = pool.num_threads(usize::from(jobs));
    }
    let pool = pool
        .build()
        .map_err(|error| miette::miette!("cannot start worker threads: {error}"))?;
    Ok(PreparedRun {
        config,
        rules,
        options,
        pool,
        progress,
    })
}

/// Records a baseline (`write`), or suppresses what the given or configured
/// one knows.
fn apply_baseline(
    args: &RunArgs,
    config: &Config,
    write: Option<&Path>,
    outcome: &mut Outcome,
) -> miette::Result<()> {
    if let Some(path) = write {
        let baseline = Baseline::of(outcome, path);
        baseline
            .write(path)
            .map_err(|error| miette::miette!(code = "charter::usage", "{error}"))?;
        eprintln!(
            "charter: recorded {} findings in {}",
            baseline.len(),
            path.display()
        );
        baseline.apply(outcome);
    } else if let Some(path) = args.baseline.as_ref().or(config.baseline.as_ref()) {
        let baseline = Baseline::load(path)
            .map_err(|error| miette::miette!(code = "charter::usage", "{error}"))?;
        baseline.apply(outcome);
    }
    Ok(())
}

/// Hands the SCHEMA rules the configuration's schema settings, and the
/// command line's on top (a flag can turn a mode on, not off; CRD
/// directories add up).
fn configure_schemas(
    rules: &mut [rules::Rule],
    config: &Config,
    strict: bool,
    crd_dirs: &[PathBuf],
    reject_unknown_kinds: bool,
) -> miette::Result<()> {
    let mut params = rules::Parameters::new();
    if strict || config.strict.unwrap_or(false) {
        params.insert("strict".into(), true.into());
    }
    if reject_unknown_kinds || config.reject_unknown_kinds.unwrap_or(false) {
        params.insert("rejectUnknownKinds".into(), true.into());
    }
    let dirs: Vec<serde_json::Value> = config
        .crd_dirs
        .iter()
        .chain(crd_dirs)
        .map(|dir| dir.display().to_string().into())
        .collect();
    if !dirs.is_empty() {
        params.insert("crdDirs".into(), dirs.into());
    }
    rules::schema::apply(rules, &params)
        .map_err(|message| miette::miette!(code = "charter::usage", "{message}"))
}

/// `charter serve`: the configuration, rules and detectors are built once,
/// then every review reuses them.
fn run_serve(args: ServeArgs) -> miette::Result<u8> {
    let mut rules = rules::builtin();
    let config = load_config(args.config.as_deref(), args.no_config, &[], &rules)?;
    config
        .configure_rules(&mut rules)
        .map_err(|error| miette::Report::new_boxed(error))?;
    configure_schemas(&mut rules, &config, false, &[], false)?;
    let options = CheckOptions {
        paths: Vec::new(),
        inline_ignores: !args.no_inline_ignores && config.inline_ignores.unwrap_or(true),
        secrets_config: args
            .secrets_config
            .clone()
            .or_else(|| config.secrets.clone()),
        // Answers carry messages, never source snippets.
        keep_text: false,
        policies: args.policy.load(&config)?,
        kyverno: args.policy.load_kyverno(&config)?,
        ..CheckOptions::default()
    };
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let judge = serve::admission::Judge::new(options, config, rules, fail_on)?;
    let options = serve::ServeOptions {
        listen: args.listen,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        deadline: Duration::from_millis(args.deadline_ms),
        drain: Duration::from_secs(args.drain_seconds),
        workers: args.jobs.map(usize::from),
    };
    // Judging one object fans out over rayon's pool: as many threads as the
    // server's workers, so the two pools share the cores instead of doubling.
    if let Some(jobs) = args.jobs {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(jobs))
            .build_global();
    }
    serve::run(options, judge)
        .map_err(|error| miette::miette!(code = "charter::usage", "{error}"))?;
    Ok(EXIT_CLEAN)
}

fn load_config(
    config: Option<&Path>,
    no_config: bool,
    paths: &[String],
    rules: &[Rule],
) -> miette::Result<Config> {
    if no_config {
        return Ok(Config::default());
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = match config {
        Some(path) if !path.is_file() => {
            return Err(miette::miette!(
                code = "charter::usage",
                "{}: no such configuration file",
                path.display()
            ));
        }
        Some(path) => path.to_path_buf(),
        None => match discovery_start(paths)
            .and_then(|start| Config::discover(&start))
            .or_else(|| Config::discover(&cwd))
        {
            Some(path) => path,
            None => return Ok(Config::default()),
        },
    };
    let display = relative_display(&path, &cwd);
    Config::load(&path, display, rules).map_err(|error| miette::Report::new_boxed(error))
}

/// Whether the run checks the whole directory of its configuration (or more):
/// `platform: true` there says that directory is a whole deployment, which
/// one of its subdirectories is not (`charter check deploy/secrets/`).
fn covers_config_directory(config: &Config, paths: &[String]) -> bool {
    let Some(directory) = config
        .file
        .as_ref()
        .and_then(|file| file.path.as_deref())
        .and_then(Path::parent)
    else {
        return false;
    };
    paths
        .iter()
        .filter(|path| path.as_str() != "-")
        .map(|path| input::absolute(Path::new(path)))
        .any(|path| path.is_dir() && directory.starts_with(&path))
}

/// Where the configuration of a run is looked for first: the first checked
/// path (a directory, or a file's directory), so that `charter check deploy/`
/// reads `deploy/.charter.yaml` from wherever it is run. Standard input has
/// no place; the current directory is the fallback.
fn discovery_start(paths: &[String]) -> Option<PathBuf> {
    let first = paths.iter().find(|path| path.as_str() != "-")?;
    let path = input::absolute(Path::new(first));
    match path.is_dir() {
        true => Some(path),
        false => path.parent().map(Path::to_path_buf),
    }
}

fn relative_display(path: &Path, cwd: &Path) -> String {
    let absolute = input::absolute(path);
    absolute
        .strip_prefix(cwd)
        .unwrap_or(&absolute)
        .to_string_lossy()
        .into_owned()
}

/// Writes to stdout, ending quietly when the reader has gone (`| head`).
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn list_rules(format: Format) -> miette::Result<u8> {
    let rules = rules::builtin();
    let text = match format {
        Format::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.meta.id,
                        "family": rule.meta.family(),
                        "severity": rule.meta.severity.as_str(),
                        "principle": rule.meta.principle.slug(),
                        "title": rule.meta.title,
                    })
                })
                .collect();
            let mut text =
                serde_json::to_string_pretty(&list).map_err(|error| miette::miette!("{error}"))?;
            text.push('\n');
            text
        }
        Format::Human => {
            let mut text = format!(
                "{:<10} {:<8} {:<27} {}\n",
                "RULE", "SEVERITY", "PRINCIPLE", "TITLE"
            );
            for rule in &rules {
                let meta = rule.meta;
                text.push_str(&format!(
                    "{:<10} {:<8} {:<27} {}\n",
                    meta.id,
                    meta.severity.as_str(),
                    meta.principle.to_string(),
                    meta.title
                ));
            }
            text
        }
    };
    write_stdout(&text);
    Ok(EXIT_CLEAN)
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("no rule `{id}`")]
#[diagnostic(code(charter::usage), help("{help}"))]
struct UnknownRule {
    id: String,
    help: String,
}

/// The upper-cased `--select` targets, each a rule id or a family.
fn selection(targets: &[String], rules: &[Rule]) -> miette::Result<Vec<String>> {
    targets
        .iter()
        .map(|target| target.trim().to_ascii_uppercase())
        .map(|target| {
            match rules::find(rules, &target).is_some()
                || rules::is_family(rules, &target)
                || rules::rego::names_policy_rule(&target)
            {
                true => Ok(target),
                false => Err(UnknownRule {
                    id: target,
                    help: "--select takes rule ids (SEC-001) and families (LEAK); \
                           `charter rules` lists them"
                        .to_owned(),
                }
                .into()),
            }
        })
        .collect()
}

fn explain(id: &str) -> miette::Result<u8> {
    let rules = rules::builtin();
    if rules::find(&rules, id).is_none() && rules::rego::names_policy_rule(id) {
        write_stdout(&format!("{id}\n\n{}", rules::rego::POLICY_RULES_EXPLAINED));
        return Ok(EXIT_CLEAN);
    }
    let Some(rule) = rules::find(&rules, id) else {
        let family = id.split('-').next().unwrap_or(id);
        let related: Vec<&str> = rules
            .iter()
            .map(|rule| rule.meta.id)
            .filter(|known| {
                known
                    .split('-')
                    .next()
                    .is_some_and(|f| f.eq_ignore_ascii_case(family))
            })
            .collect();
        let help = match related.is_empty() {
            true => "`charter rules` lists every rule".to_owned(),
            false => format!("rules of that family: {}", related.join(", ")),
        };
        return Err(UnknownRule {
            id: id.to_owned(),
            help,
        }
        .into());
    };
    let meta = rule.meta;
    let wrap = |text: &str| {
        textwrap::fill(
            text,
            textwrap::Options::new(88)
                .initial_indent("  ")
                .subsequent_indent("  "),
        )
    };
    let example = |example: Example| match example {
        Example::Manifest(text) => text
            .lines()
            .map(|line| format!("    {line}\n"))
            .collect::<String>(),
        Example::Prose(text) => text
            .lines()
            .map(|line| format!("  {line}\n"))
            .collect::<String>(),
    };
    let text = format!(
        "{id}: {title}\n\
         severity: {severity}   family: {family}   principle: {principle}\n\n\
         Why\n{why}\n\n\
         Fails\n{fails}\n\
         Passes\n{passes}\n\
         Fix\n{fix}\n{knowledge}",
        knowledge = rule
            .knowledge()
            .map(|text| {
                let lines: Vec<String> = text.lines().map(wrap).collect();
                format!("\nKnows\n{}\n", lines.join("\n"))
            })
            .unwrap_or_default(),
        id = meta.id,
        title = meta.title,
        severity = meta.severity,
        family = meta.family(),
        principle = meta.principle,
        why = wrap(meta.rationale),
        fails = example(meta.failing_example),
        passes = example(meta.passing_example),
        fix = wrap(meta.fix),
    );
    write_stdout(&text);
    Ok(EXIT_CLEAN)
}
