//! PRIV-004: error reports, traces or product analytics sent to a service
//! outside the cluster.

use regex::RegexSet;

use super::endpoint::{HostFinder, Locality, Reporter, host_of, shipped};
use super::strings::{Seen, walk, within};
use super::{LOCALITY_PARAMETERS, configure_locality};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::source::Mark;
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-004",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "Error reports, traces or analytics sent outside the cluster",
    rationale: "Error reporters, tracing exporters and product analytics carry what the \
                platform processes: stack traces with request data, LLM traces with full \
                prompts and outputs, user events. They stay in the cluster (self-hosted \
                Prometheus, Tempo, Langfuse, Sentry). This rule finds Sentry DSNs at sentry.io, \
                OTLP exporters and `*_OTLP_ENDPOINT`s pointing outside the cluster, LangSmith \
                tracing on without an in-cluster `LANGSMITH_ENDPOINT`, PostHog keys and hosts, \
                Google Analytics and similar ids, and LiteLLM callbacks naming SaaS loggers. \
                Services and names are in `reporters` in `rules/privacy.yaml`; local endpoints are \
                judged as in PRIV-003.",
    fix: "Send telemetry to the in-cluster stack (an OpenTelemetry collector in `monitoring`, \
          a self-hosted Sentry or Langfuse), or remove the setting.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent-server
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: agent
          image: registry.homelab.lan/agent-server:1.4.0
          env:
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: https://otlp.eu01.nr-data.net:4317
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent-server
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: agent
          image: registry.homelab.lan/agent-server:1.4.0
          env:
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.monitoring.svc:4317
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        ExternalReporting::new(&shipped().reporters)
            .unwrap_or_else(|error| panic!("rules/privacy.yaml: {error}")),
    )
}

struct ExternalReporting {
    reporters: Vec<Reporter>,
    hosts: HostFinder,
    /// Every reporter's patterns in one set each; `*_owner[i]` is the
    /// reporter of pattern `i`.
    values: RegexSet,
    values_owner: Vec<usize>,
    endpoint_names: RegexSet,
    endpoint_owner: Vec<usize>,
    non_empty_names: RegexSet,
    non_empty_owner: Vec<usize>,
    locality: Locality,
    tracing: Vec<String>,
    tracing_endpoints: Vec<String>,
    saas_callbacks: Vec<String>,
}

impl ExternalReporting {
    fn new(reporters: &[Reporter]) -> Result<Self, String> {
        let data = shipped();
        let (values, values_owner) = combined(reporters, |r| &r.values)?;
        let (endpoint_names, endpoint_owner) = combined(reporters, |r| &r.endpoint_names)?;
        let (non_empty_names, non_empty_owner) = combined(reporters, |r| &r.non_empty_names)?;
        Ok(ExternalReporting {
            hosts: HostFinder::new(
                reporters
                    .iter()
                    .map(|reporter| (reporter.name.clone(), reporter.hosts.as_slice())),
            )?,
            values,
            values_owner,
            endpoint_names,
            endpoint_owner,
            non_empty_names,
            non_empty_owner,
            reporters: reporters.to_vec(),
            locality: Locality::default(),
            tracing: data.langsmith_tracing.clone(),
            tracing_endpoints: data.langsmith_endpoints.clone(),
            saas_callbacks: data.litellm_saas_callbacks.clone(),
        })
    }

    fn reporter(&self, name: &str) -> Option<&Reporter> {
        self.reporters.iter().find(|reporter| reporter.name == name)
    }

    /// What a setting `name = value` sends outside, if anything.
    fn judge_pair(&self, name: &str, value: &str) -> Option<String> {
        if !value.trim().is_empty()
            && let Some(index) = self.non_empty_names.matches(name).iter().next()
        {
            let reporter = &self.reporters[self.non_empty_owner[index]];
            return Some(format!(
                "`{name}` turns on {} ({} to a third party)",
                reporter.name, reporter.sends
            ));
        }
        let index = self.endpoint_names.matches(name).iter().next()?;
        let reporter = &self.reporters[self.endpoint_owner[index]];
        let host = host_of(value)?;
        if self.locality.is_local(host) {
            return None;
        }
        Some(format!(
            "`{name}` sends {} ({}) to `{host}`, outside the cluster",
            reporter.sends, reporter.name
        ))
    }

    /// LiteLLM callbacks that name SaaS loggers.
    fn saas_callbacks<'n>(&self, settings: &'n Node) -> Vec<(&'n Node, String)> {
        let mut found = Vec::new();
        for key in ["success_callback", "failure_callback", "callbacks"] {
            let names: Vec<&Node> = match settings.get(key) {
                Some(node) => match node.items() {
                    Some(items) => items.iter().collect(),
                    None => vec![node],
                },
                None => continue,
            };
            for name_node in names {
                if let Some(name) = name_node.as_str()
                    && self
                        .saas_callbacks
                        .iter()
                        .any(|saas| saas.eq_ignore_ascii_case(name))
                {
                    found.push((
                        name_node,
                        format!("LiteLLM `{key}` names `{name}`, a hosted logger: every request and response is copied to it"),
                    ));
                }
            }
        }
        found
    }
}

impl ResourceCheck for ExternalReporting {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure_locality(&mut self.locality, params, &[])
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        LOCALITY_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        let names: Vec<String> = self
            .reporters
            .iter()
            .map(|r| format!("- {} ({})", r.name, r.sends))
            .collect();
        Some(format!(
            "Reporters, from rules/privacy.yaml:\n{}\nLangSmith tracing switches: {}.\nSaaS LiteLLM callbacks: {}.",
            names.join("\n"),
            self.tracing.join(", "),
            self.saas_callbacks.join(", ")
        ))
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        // (pointer, mark, message), reported once the walk is over.
        let mut found: Vec<(String, Mark, String)> = Vec::new();
        let mut tracing_on: Vec<(String, Mark, String)> = Vec::new();
        let mut endpoints: Vec<String> = Vec::new();
        walk(resource, &mut |seen, spot| match seen {
            Seen::Text(text) => {
                for name in self.hosts.find(text) {
                    if let Some(reporter) = self.reporter(name) {
                        found.push((
                            spot.pointer.to_owned(),
                            spot.mark,
                            format!(
                                "names the hosted service of {name}, which receives {}",
                                reporter.sends
                            ),
                        ));
                    }
                }
                if let Some(index) = self.values.matches(text).iter().next() {
                    let reporter = &self.reporters[self.values_owner[index]];
                    found.push((
                        spot.pointer.to_owned(),
                        spot.mark,
                        format!(
                            "holds a {} project key: {} go to {}",
                            reporter.name, reporter.sends, reporter.name
                        ),
                    ));
                }
            }
            Seen::Pair { name, value } => {
                if let Some(message) = self.judge_pair(name, value) {
                    found.push((spot.pointer.to_owned(), spot.mark, message));
                }
                if *value == "true" && self.tracing.iter().any(|t| t == name) {
                    tracing_on.push((spot.pointer.to_owned(), spot.mark, name.to_string()));
                }
                if self.tracing_endpoints.iter().any(|e| e == name) {
                    endpoints.push(value.to_string());
                }
            }
            Seen::Mapping { node, outer } => {
                let Some(settings) = node.get("litellm_settings") else {
                    return;
                };
                for (at, message) in self.saas_callbacks(settings) {
                    found.push((spot.pointer.to_owned(), within(at.start, *outer), message));
                }
            }
            Seen::Reference { name } => {
                // Set from a Secret: the value is unknown, but being set
                // is what turns these on.
                if let Some(message) = self.judge_pair(name, "${valueFrom}") {
                    found.push((spot.pointer.to_owned(), spot.mark, message));
                }
            }
        });
        let local_endpoint = endpoints
            .iter()
            .filter_map(|endpoint| host_of(endpoint))
            .any(|host| self.locality.is_local(host));
        if !local_endpoint {
            for (pointer, mark, name) in tracing_on {
                found.push((
                    pointer,
                    mark,
                    format!(
                        "`{name}=true` sends full LLM run traces (prompts, outputs, metadata) to LangSmith, and no in-cluster `LANGSMITH_ENDPOINT` redirects them"
                    ),
                ));
            }
        }
        // One finding per place: a DSN is both a Sentry host and an endpoint.
        let mut reported: Vec<(String, Mark)> = Vec::new();
        for (pointer, mark, message) in found {
            let key = (pointer, mark);
            if reported.contains(&key) {
                continue;
            }
            let finding = out.report(
                resource,
                &key.0,
                format!("{} {message}", resource.display()),
            );
            finding.mark = mark;
            reported.push(key);
        }
    }
}

/// One regex set of every reporter's `patterns`, and the reporter of each.
fn combined(
    reporters: &[Reporter],
    patterns: impl Fn(&Reporter) -> &Vec<String>,
) -> Result<(RegexSet, Vec<usize>), String> {
    let mut all = Vec::new();
    let mut owner = Vec::new();
    for (index, reporter) in reporters.iter().enumerate() {
        for pattern in patterns(reporter) {
            all.push(pattern.as_str());
            owner.push(index);
        }
    }
    let set = RegexSet::new(all).map_err(|error| error.to_string())?;
    Ok((set, owner))
}
