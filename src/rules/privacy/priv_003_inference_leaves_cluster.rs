//! PRIV-003: inference requests that leave the cluster for a hosted AI API.

use regex::Regex;

use super::endpoint::{HostFinder, Locality, Provider, host_of, shipped};
use super::strings::{Seen, Spot, walk, within};
use super::{LOCALITY_PARAMETERS, configure_locality};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::source::Mark;
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-003",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "Inference leaves the cluster for a hosted AI API",
    rationale: "All inference is local: prompts, documents and conversations never go to a \
                hosted model. This rule finds any string (env values, ConfigMap data and the \
                configuration files in it, ArgoCD Helm values, any other field) naming a public \
                AI API host (`inferenceProviders` in `rules/privacy.yaml`), and LiteLLM \
                `model_list` entries whose model has a hosted-provider prefix (`openai/`, \
                `anthropic/`, `bedrock/`...) or a hosted model name without an in-cluster \
                `api_base`. Local endpoints pass: cluster DNS (`*.svc`, \
                `*.svc.cluster.local`), bare service names, localhost, private address ranges, and \
                hosts listed in the `localHosts` parameter.",
    fix: "Point the client at the in-cluster gateway (LiteLLM, \
          `http://litellm.ai-backend.svc:4000/v1`) or a local server (Ollama, vLLM); for \
          LiteLLM models set `api_base` to the in-cluster server.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  template:
    spec:
      containers:
        - name: open-webui
          image: ghcr.io/open-webui/open-webui:v0.5.4
          env:
            - name: OPENAI_API_BASE_URL
              value: https://api.openai.com/v1
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  template:
    spec:
      containers:
        - name: open-webui
          image: ghcr.io/open-webui/open-webui:v0.5.4
          env:
            - name: OPENAI_API_BASE_URL
              value: http://litellm.ai-backend.svc.cluster.local:4000/v1
            - name: OFFLINE_MODE
              value: \"true\"
            - name: ENABLE_COMMUNITY_SHARING
              value: \"false\"
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::resource(
        &META,
        InferenceLeaves::new(data.inference_providers.clone())
            .unwrap_or_else(|error| panic!("rules/privacy.yaml: {error}")),
    )
}

struct InferenceLeaves {
    providers: Vec<Provider>,
    finder: HostFinder,
    locality: Locality,
    hosted_prefixes: Vec<String>,
    hosted_names: Vec<Regex>,
}

impl InferenceLeaves {
    fn new(providers: Vec<Provider>) -> Result<Self, String> {
        let data = shipped();
        Ok(InferenceLeaves {
            finder: finder(&providers)?,
            providers,
            locality: Locality::default(),
            hosted_prefixes: data.litellm_hosted_providers.clone(),
            hosted_names: data
                .litellm_hosted_model_names
                .iter()
                .map(|pattern| Regex::new(pattern).map_err(|error| error.to_string()))
                .collect::<Result<_, _>>()?,
        })
    }
}

fn finder(providers: &[Provider]) -> Result<HostFinder, String> {
    HostFinder::new(
        providers
            .iter()
            .map(|provider| (provider.name.clone(), provider.hosts.as_slice())),
    )
}

impl ResourceCheck for InferenceLeaves {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        let mut rest = params.clone();
        if let Some(extra) = rest.remove("extraProviders") {
            let extra: Vec<Provider> = serde_json::from_value(extra)
                .map_err(|error| format!("`extraProviders`: {error}"))?;
            self.providers.extend(extra);
            self.finder = finder(&self.providers)?;
        }
        configure_locality(&mut self.locality, &rest, &["extraProviders"])
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        LOCALITY_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        let names: Vec<String> = self
            .providers
            .iter()
            .map(|provider| format!("- {} ({})", provider.name, provider.hosts.join(", ")))
            .collect();
        Some(format!(
            "Hosted AI APIs, from rules/privacy.yaml:\n{}\nLiteLLM hosted-provider prefixes: {}.",
            names.join("\n"),
            self.hosted_prefixes.join(", ")
        ))
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let mut report = |spot: Spot<'_, '_>, message: String| {
            let finding = out.report(spot.resource, spot.pointer, message);
            finding.mark = spot.mark;
        };
        walk(resource, &mut |seen, spot| match seen {
            Seen::Text(text) => {
                for provider in self.finder.find(text) {
                    report(
                        spot,
                        format!(
                            "{} sends requests to the hosted API of {provider} (`{}`): prompts and documents would leave the cluster",
                            resource.display(),
                            spot.pointer
                        ),
                    );
                }
            }
            Seen::Mapping { node, outer } => {
                let Some(models) = node.get("model_list").and_then(Node::items) else {
                    return;
                };
                for model in models {
                    if let Some((message, at)) = self.hosted_model(model) {
                        let spot = Spot {
                            mark: within(at, *outer),
                            ..spot
                        };
                        report(spot, format!("{}: {message}", resource.display()));
                    }
                }
            }
            Seen::Pair { .. } | Seen::Reference { .. } => {}
        });
    }
}

impl InferenceLeaves {
    /// A LiteLLM `model_list` entry served by a hosted provider: the
    /// message and the node to point at.
    fn hosted_model(&self, entry: &Node) -> Option<(String, Mark)> {
        let params = entry.get("litellm_params")?;
        let model_entry = params.entry("model")?;
        let model = model_entry.node.as_str()?;
        let api_base = ["api_base", "base_url"]
            .iter()
            .find_map(|key| params.get(key))
            .and_then(Node::as_str);
        let alias = entry
            .get("model_name")
            .and_then(Node::as_str)
            .unwrap_or(model);
        let hosted = match model.split_once('/') {
            Some((prefix, _)) => self.hosted_prefixes.iter().any(|p| p == prefix),
            None => self.hosted_names.iter().any(|re| re.is_match(model)),
        };
        match api_base {
            // A hosted provider's own host is found where it is written.
            Some(base) if !self.finder.find(base).is_empty() => None,
            Some(base) => {
                let host = host_of(base)?;
                if self.locality.is_local(host) {
                    return None;
                }
                Some((
                    format!(
                        "LiteLLM model `{alias}` (`{model}`) is served from `{host}`, outside the cluster: prompts would leave it"
                    ),
                    params
                        .entry("api_base")
                        .or_else(|| params.entry("base_url"))?
                        .key_mark,
                ))
            }
            None if hosted => Some((
                format!(
                    "LiteLLM model `{alias}` (`{model}`) has no `api_base`, so LiteLLM sends its prompts to the provider's hosted API"
                ),
                model_entry.key_mark,
            )),
            None => None,
        }
    }
}
