//! HELM-006: an API version the cluster's Kubernetes version no longer
//! serves (error) or has deprecated (warning).

use globset::GlobMatcher;

use super::{ApiVersionEntry, shipped};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::cluster::{self, minor_version};
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::suppress::glob;

pub static META: RuleMeta = RuleMeta {
    id: "HELM-006",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "API version removed or deprecated in the cluster's Kubernetes version",
    rationale: "Kubernetes removes beta API versions a few releases after their replacement \
                is GA. A manifest (often an old chart's template) that still uses one fails \
                to apply on the cluster (`no matches for kind \"CronJob\" in version \
                \"batch/v1beta1\"`): ArgoCD stops syncing the whole application, usually \
                right after a k3s upgrade. Versions already deprecated in the cluster's \
                release are warnings: they still work, but the next upgrade breaks them. The \
                table is `apis` in `rules/helm.yaml`; the cluster's version is \
                `kubernetesVersion` in `rules/cluster.yaml` (1.31).",
    fix: "Use the replacement API version the message names (and adapt the fields that \
          changed with it), or upgrade the chart to a release that does.",
    failing_example: Manifest(
        "\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: model-refresh
  namespace: ai-backend
spec:
  schedule: \"0 4 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: refresh
              image: registry.homelab.lan/refresh:1.0.0
",
    ),
    passing_example: Manifest(
        "\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: model-refresh
  namespace: ai-backend
  labels: {app.kubernetes.io/name: model-refresh, app.kubernetes.io/instance: model-refresh}
spec:
  schedule: \"0 4 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: refresh
              image: registry.homelab.lan/refresh:1.0.0@sha256:4f2a8c1e9b7d6a5f3e2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    let version = &cluster::shipped().kubernetes_version;
    Rule::resource(
        &META,
        RemovedApis {
            version: minor_version(version)
                .unwrap_or_else(|| panic!("rules/cluster.yaml: bad kubernetesVersion {version}")),
            apis: Api::compile(&data.apis)
                .unwrap_or_else(|error| panic!("rules/helm.yaml: apis: {error}")),
        },
    )
}

struct RemovedApis {
    version: (u32, u32),
    apis: Vec<Api>,
}

/// An `apis` entry with its globs compiled and versions parsed.
struct Api {
    api_version: GlobMatcher,
    kind: GlobMatcher,
    deprecated_in: Option<(u32, u32)>,
    removed_in: (u32, u32),
    replacement: String,
}

impl Api {
    fn compile(entries: &[ApiVersionEntry]) -> Result<Vec<Api>, String> {
        let version = |text: &str| {
            minor_version(text).ok_or_else(|| format!("`{text}` is not a MAJOR.MINOR version"))
        };
        entries
            .iter()
            .map(|entry| {
                Ok(Api {
                    api_version: glob(&entry.api_version, false)?,
                    kind: glob(&entry.kind, false)?,
                    deprecated_in: entry.deprecated_in.as_deref().map(version).transpose()?,
                    removed_in: version(&entry.removed_in)?,
                    replacement: entry.replacement.clone(),
                })
            })
            .collect()
    }
}

impl ResourceCheck for RemovedApis {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "kubernetesVersion" => {
                    let text = match value {
                        serde_json::Value::String(text) => text.clone(),
                        // `1.30` written unquoted is a number.
                        serde_json::Value::Number(number) => number.to_string(),
                        _ => String::new(),
                    };
                    self.version = minor_version(&text).ok_or_else(|| {
                        "`kubernetesVersion` must be a version such as \"1.31\"".to_owned()
                    })?;
                }
                "apis" => {
                    let entries: Vec<ApiVersionEntry> = serde_json::from_value(value.clone())
                        .map_err(|error| format!("`apis`: {error}"))?;
                    self.apis =
                        Api::compile(&entries).map_err(|error| format!("`apis`: {error}"))?;
                }
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: kubernetesVersion, apis)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        &["kubernetesVersion"]
    }

    fn knowledge(&self) -> Option<String> {
        let (major, minor) = self.version;
        Some(format!(
            "The cluster runs Kubernetes {major}.{minor} (rules/cluster.yaml); rules/helm.yaml \
             lists {} API versions that were deprecated or removed.",
            self.apis.len()
        ))
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let Some(api) = self.apis.iter().find(|api| {
            api.api_version.is_match(&resource.api_version) && api.kind.is_match(&resource.kind)
        }) else {
            return;
        };
        let (major, minor) = self.version;
        let shown = |(major, minor): (u32, u32)| format!("{major}.{minor}");
        let (severity, message) = if self.version >= api.removed_in {
            (
                out.severity(),
                format!(
                    "{} uses `{}`, removed in Kubernetes {}: the cluster ({major}.{minor}) \
                     refuses it",
                    resource.display(),
                    resource.api_version,
                    shown(api.removed_in)
                ),
            )
        } else if let Some(deprecated) = api.deprecated_in.filter(|since| self.version >= *since) {
            (
                out.severity().min(Severity::Warning),
                format!(
                    "{} uses `{}`, deprecated since Kubernetes {} and removed in {}: it breaks \
                     when the cluster ({major}.{minor}) is upgraded",
                    resource.display(),
                    resource.api_version,
                    shown(deprecated),
                    shown(api.removed_in)
                ),
            )
        } else {
            return;
        };
        let finding = out.report(resource, "/apiVersion", message);
        finding.severity = severity;
        finding.hint = format!("Use {} for {}.", api.replacement, resource.kind).into();
    }
}
