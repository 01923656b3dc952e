//! `charter audit`: the run of `check`, written as a report file.

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_CLEAN, EXIT_FINDINGS, PreparedRun, RunArgs, apply_baseline, prepare};
use crate::audit::{Audit, ReportFormat, Target};
use crate::check::{self, Completeness, Outcome};
use crate::cluster::{self, ClusterOptions};
use crate::config::FailOn;
use crate::progress;
use crate::report::{self, plural};
use crate::rules::Principle;

#[derive(Args)]
pub(super) struct AuditArgs {
    /// Files, directories or `-` (standard input).
    #[arg(default_value = ".", conflicts_with = "cluster")]
    paths: Vec<String>,
    /// The report to write; its extension picks the format: .html, .md or .json.
    #[arg(long, value_name = "FILE")]
    report: PathBuf,
    /// Exit 1 when an unsuppressed finding reaches this severity [default: exit 0 once the report is written].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Audit the objects of a live cluster instead of files (read-only: list and get).
    #[arg(long, conflicts_with_all = ["exclude", "stdin_filename", "helm_bin", "helm_values", "helm_set", "max_file_size"])]
    cluster: bool,
    /// The kubeconfig context of --cluster [default: the current context].
    #[arg(long, value_name = "NAME", requires = "cluster")]
    context: Option<String>,
    /// Only this namespace of --cluster (cluster-scoped kinds are then left out).
    #[arg(long, value_name = "NS", requires = "cluster")]
    namespace: Option<String>,
    /// The kubeconfig of --cluster [default: $KUBECONFIG, else ~/.kube/config].
    #[arg(long, value_name = "FILE", requires = "cluster")]
    kubeconfig: Option<PathBuf>,
    #[command(flatten)]
    run: RunArgs,
}

pub(super) fn run(args: AuditArgs) -> miette::Result<u8> {
    // Before any work: a report that cannot be named is a usage error.
    let format = ReportFormat::of_path(&args.report)
        .map_err(|message| miette::miette!(code = "charter::usage", "{message}"))?;
    let paths = match args.cluster {
        true => Vec::new(),
        false => args.paths.clone(),
    };
    let mut prepared = prepare(&args.run, None, &paths, true)?;
    // A cluster is a whole deployment: platform-wide requirements apply.
    prepared.options.platform |= args.cluster;
    let (mut outcome, target, not_checked) = match args.cluster {
        true => audit_cluster(&args, &prepared)?,
        false => {
            let bar = progress::Bar::start(&prepared.progress, true);
            let outcome = prepared
                .pool
                .install(|| check::check(&prepared.options, &prepared.config, &prepared.rules));
            bar.finish();
            (outcome?, Target::Paths(paths), Vec::new())
        }
    };
    apply_baseline(&args.run, &prepared.config, None, &mut outcome)?;
    let assessed: Vec<Principle> = prepared
        .rules
        .iter()
        .filter(|rule| prepared.config.severity_of(rule.meta).is_some())
        .map(|rule| rule.meta.principle)
        .collect();
    let audit = Audit::build(
        &outcome,
        target,
        prepared.options.today,
        &assessed,
        not_checked,
    );
    std::fs::write(&args.report, format.render(&audit)).map_err(|error| {
        miette::miette!(
            code = "charter::usage",
            "{}: cannot write the report: {error}",
            args.report.display()
        )
    })?;
    let counts = report::counts(&outcome);
    eprintln!(
        "charter: audit score {} ({}, {}, {} info, {} suppressed); report written to {}",
        audit
            .scores
            .overall
            .map_or_else(|| "not assessed".to_owned(), |score| format!("{score}/100")),
        plural(counts.error, "error"),
        plural(counts.warning, "warning"),
        counts.info,
        counts.suppressed,
        args.report.display()
    );
    let failed = args
        .fail_on
        .is_some_and(|fail_on| report::failed(&outcome, fail_on));
    // As in `check`: the process ends here, the memory goes with it.
    std::mem::forget(outcome);
    Ok(match failed {
        true => EXIT_FINDINGS,
        false => EXIT_CLEAN,
    })
}

/// Lists the cluster and checks its objects as one whole set.
fn audit_cluster(
    args: &AuditArgs,
    prepared: &PreparedRun,
) -> miette::Result<(Outcome, Target, Vec<String>)> {
    let options = ClusterOptions {
        context: args.context.clone(),
        namespace: args.namespace.clone(),
        kubeconfig: args.kubeconfig.clone(),
    };
    let listing = cluster::fetch(&options)
        .map_err(|error| miette::miette!(code = "charter::usage", "--cluster: {error}"))?;
    let checker = check::Prepared::new(&prepared.options, &prepared.config)?;
    let inputs = listing
        .objects
        .into_iter()
        .map(|object| (object.name, object.text))
        .collect();
    let outcome = prepared.pool.install(|| {
        check::check_text_set(
            &checker,
            &prepared.options,
            &prepared.config,
            &prepared.rules,
            inputs,
            prepared.options.today,
            Completeness::Whole,
        )
    });
    // Everything the reader left out is said, each with its reason.
    let mut not_checked: Vec<String> = listing
        .skipped
        .iter()
        .map(|(kind, reason)| format!("{kind} could not be listed: {reason}"))
        .collect();
    not_checked.extend(
        listing
            .ignored
            .iter()
            .map(|(kind, reason)| format!("{kind} not listed by design: {reason}")),
    );
    not_checked.extend(
        listing
            .generated
            .iter()
            .map(|(name, reason)| format!("{name} left out: {reason}")),
    );
    if listing.owned > 0 {
        not_checked.push(format!(
            "{} left out because a listed controller owns it (its findings would be the owner's)",
            plural(listing.owned, "object")
        ));
    }
    let target = Target::Cluster {
        context: listing.context,
        namespace: args.namespace.clone(),
    };
    Ok((outcome, target, not_checked))
}
