//! What the ARGO rules share: ArgoCD Applications and their sources, sync
//! waves, the wave plan of `rules/waves.yaml` and the defaults of
//! `rules/argocd.yaml`.
//!
//! Manifests are read as written; malformed fields are skipped (the schema
//! rules report those).

use std::sync::OnceLock;

use globset::GlobMatcher;
use serde::Deserialize;

use crate::resource::Resource;
use crate::rules::{Parameters, Severity};
use crate::source::SourceFile;
use crate::suppress::glob;
use crate::yaml::{Node, Value};

const WAVES_DATA: &str = include_str!("../../../rules/waves.yaml");
const ARGOCD_DATA: &str = include_str!("../../../rules/argocd.yaml");

/// The annotation that orders ArgoCD syncs.
pub const WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Where it is, relative to a resource.
pub const WAVE_POINTER: &str = "/metadata/annotations/argocd.argoproj.io~1sync-wave";

/// An ArgoCD `Application` or `ApplicationSet`.
pub fn is_app(resource: &Resource) -> bool {
    resource.group() == "argoproj.io"
        && matches!(resource.kind.as_str(), "Application" | "ApplicationSet")
}

/// An ArgoCD `Application`.
pub fn is_application(resource: &Resource) -> bool {
    resource.is("argoproj.io", "Application")
}

/// Where the Application spec is: the spec itself, or an ApplicationSet's
/// template.
pub fn spec_pointer(resource: &Resource) -> &'static str {
    match resource.kind.as_str() {
        "ApplicationSet" => "/spec/template/spec",
        _ => "/spec",
    }
}

/// A resource's sync-wave annotation as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wave {
    Missing,
    /// Not a string (`sync-wave: 5` unquoted): the API server refuses it.
    NotString,
    NotInteger(String),
    Value(i64),
}

impl Wave {
    pub fn of(resource: &Resource) -> Wave {
        let Some(node) = resource
            .annotations()
            .and_then(|annotations| annotations.get(WAVE))
        else {
            return Wave::Missing;
        };
        match &node.value {
            Value::String(text) => match text.trim().parse::<i64>() {
                Ok(wave) if text.trim() == text.as_ref() => Wave::Value(wave),
                _ => Wave::NotInteger(text.to_string()),
            },
            _ => Wave::NotString,
        }
    }

    /// The wave ArgoCD uses: the annotation's, or 0.
    pub fn effective(&self) -> i64 {
        match self {
            Wave::Value(wave) => *wave,
            _ => 0,
        }
    }

    pub fn is_written(&self) -> bool {
        !matches!(self, Wave::Missing)
    }
}

/// Where a finding about a resource's wave points: the annotation when it is
/// written, the metadata otherwise.
pub fn wave_pointer(resource: &Resource) -> &'static str {
    match Wave::of(resource).is_written() {
        true => WAVE_POINTER,
        false => "/metadata",
    }
}

/// One source of an Application: `spec.source` or an item of `spec.sources`.
pub struct Source<'a> {
    /// Pointer to the source, relative to the resource.
    pub pointer: String,
    pub node: &'a Node,
}

impl<'a> Source<'a> {
    fn text(&self, key: &str) -> Option<&'a str> {
        self.node.get(key).and_then(Node::as_str)
    }

    pub fn repo_url(&self) -> Option<&'a str> {
        self.text("repoURL")
    }

    pub fn path(&self) -> Option<&'a str> {
        self.text("path").filter(|path| !path.is_empty())
    }

    pub fn chart(&self) -> Option<&'a str> {
        self.text("chart").filter(|chart| !chart.is_empty())
    }

    pub fn target_revision(&self) -> Option<&'a Node> {
        self.node.get("targetRevision")
    }
}

/// Every source of an Application or of an ApplicationSet's template.
pub fn sources(resource: &Resource) -> Vec<Source<'_>> {
    let spec_at = spec_pointer(resource);
    let Some(spec) = resource.get(spec_at).filter(|spec| spec.is_mapping()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if let Some(source) = spec.get("source").filter(|source| source.is_mapping()) {
        found.push(Source {
            pointer: format!("{spec_at}/source"),
            node: source,
        });
    }
    for (index, source) in spec
        .get("sources")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if source.is_mapping() {
            found.push(Source {
                pointer: format!("{spec_at}/sources/{index}"),
                node: source,
            });
        }
    }
    found
}

/// The files of the set under a source `path`, matched by path suffix: a
/// file is under `deploy/apps` when its path has the components `deploy`,
/// `apps` followed by at least one more. Templated paths (`{{path}}`), URLs
/// and the repository root (`.`) match nothing.
pub fn files_under(path: &str, files: &[SourceFile]) -> Vec<usize> {
    if path.contains("{{") || path.contains("://") {
        return Vec::new();
    }
    let wanted: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    if wanted.is_empty() || wanted.contains(&"..") {
        return Vec::new();
    }
    // `/deploy/apps/` inside the path: whole components, and one more
    // after them. A string search, not a walk of components: this runs
    // once per Application over every file of the set (thousands with a
    // repository as context).
    let needle = format!("/{}/", wanted.join("/"));
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    files
        .iter()
        .enumerate()
        .filter(|(_, file)| {
            file.path.as_deref().is_some_and(|path| {
                let bytes = path.as_os_str().as_encoded_bytes();
                match bytes.starts_with(b"/") {
                    true => finder.find(bytes).is_some(),
                    false => finder.find(&[b"/", bytes].concat()).is_some(),
                }
            })
        })
        .map(|(index, _)| index)
        .collect()
}

/// The resources an Application deploys, as far as the set shows them:
/// those in files under one of its sources' paths, and those of the charts
/// charter rendered for it (never itself).
pub fn app_resources<'s>(
    app: &Resource,
    resources: &'s [Resource],
    files: &[SourceFile],
) -> Vec<&'s Resource> {
    let identity = format!(
        "{}/{}",
        app.namespace.as_deref().unwrap_or_default(),
        app.name
    );
    let mut owned: Vec<usize> = sources(app)
        .iter()
        .filter_map(Source::path)
        .flat_map(|path| files_under(path, files))
        .chain(
            files
                .iter()
                .enumerate()
                .filter(|(_, file)| file.application.as_deref() == Some(identity.as_str()))
                .map(|(index, _)| index),
        )
        .collect();
    owned.sort_unstable();
    owned.dedup();
    if owned.is_empty() {
        return Vec::new();
    }
    resources
        .iter()
        .filter(|resource| {
            resource.index != app.index && owned.binary_search(&resource.file).is_ok()
        })
        .collect()
}

/// One entry of the wave plan.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlanEntry {
    pub name: String,
    pub wave: i64,
    #[serde(default)]
    pub apps: Vec<String>,
    #[serde(default)]
    pub charts: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub provides: Provides,
}

/// What a planned component installs for others.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Provides {
    /// `group/Kind`.
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub storage_classes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WavesFile {
    waves: Vec<PlanEntry>,
}

/// The wave plan with its globs compiled.
pub struct Plan {
    pub entries: Vec<PlanEntry>,
    matchers: Vec<[Vec<GlobMatcher>; 3]>,
}

impl Plan {
    pub fn new(entries: Vec<PlanEntry>) -> Result<Plan, String> {
        let compile = |patterns: &[String], paths: bool| -> Result<Vec<GlobMatcher>, String> {
            patterns
                .iter()
                .map(|pattern| glob(pattern, paths))
                .collect()
        };
        let mut matchers = Vec::new();
        for entry in &entries {
            for kind in &entry.provides.kinds {
                if !kind.contains('/') {
                    return Err(format!(
                        "`{}`: provided kind `{kind}` is not written `group/Kind`",
                        entry.name
                    ));
                }
            }
            matchers.push([
                compile(&entry.apps, false)?,
                compile(&entry.charts, false)?,
                compile(&entry.paths, true)?,
            ]);
        }
        Ok(Plan { entries, matchers })
    }

    /// The plan's entry for an Application: the first any of whose globs
    /// matches its name, a source's chart or a source's path.
    pub fn entry_for(&self, app: &Resource) -> Option<&PlanEntry> {
        let sources = sources(app);
        self.entries
            .iter()
            .zip(&self.matchers)
            .find(|(_, [apps, charts, paths])| {
                apps.iter().any(|name| name.is_match(&app.name))
                    || sources.iter().any(|source| {
                        source
                            .chart()
                            .is_some_and(|chart| charts.iter().any(|glob| glob.is_match(chart)))
                            || source.path().is_some_and(|path| {
                                let path = path.trim_matches('/');
                                paths.iter().any(|glob| glob.is_match(path))
                            })
                    })
            })
            .map(|(entry, _)| entry)
    }

    /// The lowest and highest wave of the plan.
    pub fn range(&self) -> Option<(i64, i64)> {
        let waves = self.entries.iter().map(|entry| entry.wave);
        Some((waves.clone().min()?, waves.max()?))
    }
}

/// The shipped plan.
pub fn shipped_plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let file: WavesFile = crate::rules::shipped_data("waves.yaml", WAVES_DATA);
        Plan::new(file.waves).unwrap_or_else(|error| panic!("rules/waves.yaml: {error}"))
    })
}

/// The family parameters that replace the plan.
pub const PLAN_PARAMETERS: &[&str] = &["waves"];

/// The plan a rule uses: the shipped one, or the family's `waves`.
#[derive(Default)]
pub struct PlanInUse {
    configured: Option<Plan>,
}

impl PlanInUse {
    /// Takes `waves`; any other key but `own` is refused.
    pub fn configure(&mut self, params: &Parameters, own: &[&str]) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "waves" => {
                    let entries: Vec<PlanEntry> = serde_json::from_value(value.clone())
                        .map_err(|error| format!("`waves`: {error}"))?;
                    if entries.is_empty() {
                        return Err("`waves` must list at least one wave".to_owned());
                    }
                    self.configured =
                        Some(Plan::new(entries).map_err(|e| format!("`waves`: {e}"))?);
                }
                other if own.contains(&other) => {}
                other => {
                    let mut known = PLAN_PARAMETERS.to_vec();
                    known.extend(own);
                    return Err(format!(
                        "has no parameter `{other}` (known: {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn get(&self) -> &Plan {
        self.configured.as_ref().unwrap_or_else(|| shipped_plan())
    }

    /// The plan, for `charter explain`.
    pub fn knowledge(&self) -> String {
        let lines: Vec<String> = self
            .get()
            .entries
            .iter()
            .map(|entry| format!("- wave {}: {}", entry.wave, entry.name))
            .collect();
        format!(
            "The wave plan ({} entries):\n{}",
            lines.len(),
            lines.join("\n")
        )
    }
}

/// The defaults of `rules/argocd.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoData {
    pub partial_set_severity: Severity,
    pub floating_revisions: Vec<String>,
    pub platform_repos: Vec<String>,
    pub chart_repos: Vec<String>,
    pub require_prune: bool,
    pub require_self_heal: bool,
}

pub fn shipped() -> &'static ArgoData {
    static DATA: OnceLock<ArgoData> = OnceLock::new();
    DATA.get_or_init(|| crate::rules::shipped_data("argocd.yaml", ARGOCD_DATA))
}

/// Globs compiled from a parameter's list of strings.
pub fn globs(
    key: &str,
    value: &serde_json::Value,
) -> Result<(Vec<String>, Vec<GlobMatcher>), String> {
    let patterns: Vec<String> = serde_json::from_value(value.clone())
        .map_err(|_| format!("`{key}` must be a list of globs"))?;
    let compiled = compile(&patterns).map_err(|error| format!("`{key}`: {error}"))?;
    Ok((patterns, compiled))
}

pub fn compile(patterns: &[String]) -> Result<Vec<GlobMatcher>, String> {
    patterns
        .iter()
        .map(|pattern| glob(pattern, false))
        .collect()
}

/// Compiles shipped globs; the data file is covered by tests.
pub fn compile_shipped(patterns: &[String]) -> Vec<GlobMatcher> {
    compile(patterns).unwrap_or_else(|error| panic!("rules/argocd.yaml: {error}"))
}

/// Whether the set's repository URL matches one of the globs. A trailing
/// `.git` or `/` is ignored.
pub fn repo_matches(url: &str, globs: &[GlobMatcher]) -> bool {
    let trimmed = url.trim_end_matches('/');
    let bare = trimmed.strip_suffix(".git").unwrap_or(trimmed);
    globs
        .iter()
        .any(|glob| glob.is_match(url) || glob.is_match(trimmed) || glob.is_match(bare))
}

/// The `name` of a resource in messages: `Application platform-root`.
pub fn named(resource: &Resource) -> String {
    format!("{} `{}`", resource.kind, resource.name)
}

/// Whether a value is an ApplicationSet template placeholder (`{{path}}`),
/// which only the generator resolves.
pub fn is_templated(text: &str) -> bool {
    text.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    #[test]
    fn shipped_data_loads_and_the_plan_follows_adr_002() {
        let data = shipped();
        assert!(data.floating_revisions.iter().any(|name| name == "HEAD"));
        assert!(!compile_shipped(&data.platform_repos).is_empty());
        let plan = shipped_plan();
        assert_eq!(plan.range(), Some((-3, 7)));
        let app = |name: &str, source: &str| {
            resources_of(&format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: {name}}}\nspec: {{source: {source}}}\n"
            ))
        };
        for (name, source, wave) in [
            ("sealed-secrets", "{}", -2),
            ("x", "{chart: cert-manager}", -1),
            ("x", "{chart: kyverno}", 1),
            ("x", "{chart: kube-prometheus-stack}", 2),
            ("x", "{path: charts/litellm}", 5),
            ("open-webui", "{}", 6),
            ("x", "{path: deploy/searxng/}", 6),
            ("gitlab-runner", "{}", 7),
        ] {
            let resources = app(name, source);
            let entry = plan.entry_for(&resources[0]).map(|entry| entry.wave);
            assert_eq!(entry, Some(wave), "{name} {source}");
        }
        assert!(
            plan.entry_for(&app("unknown", "{chart: other}")[0])
                .is_none()
        );
    }

    #[test]
    fn waves_as_written() {
        let wave = |annotation: &str| {
            let resources = resources_of(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a, annotations: {annotation}}}\n"
            ));
            Wave::of(&resources[0])
        };
        assert_eq!(wave("{}"), Wave::Missing);
        assert_eq!(
            wave("{argocd.argoproj.io/sync-wave: \"-2\"}"),
            Wave::Value(-2)
        );
        assert_eq!(wave("{argocd.argoproj.io/sync-wave: 3}"), Wave::NotString);
        assert_eq!(
            wave("{argocd.argoproj.io/sync-wave: \" 3\"}"),
            Wave::NotInteger(" 3".into())
        );
        assert_eq!(
            wave("{argocd.argoproj.io/sync-wave: \"1.5\"}").effective(),
            0
        );
    }

    #[test]
    fn files_under_a_path_match_by_suffix() {
        let file = |path: &str| SourceFile::new(path.into(), Some(path.into()), None);
        let files = [
            file("/repo/deploy/apps/a.yaml"),
            file("/repo/deploy/apps/nested/b.yaml"),
            file("/repo/deploy/apps.yaml"),
            file("/elsewhere/apps/c.yaml"),
        ];
        assert_eq!(files_under("deploy/apps", &files), [0, 1]);
        assert_eq!(files_under("./deploy/apps/", &files), [0, 1]);
        assert_eq!(files_under("apps", &files), [0, 1, 3]);
        for nothing in [".", "", "{{path}}", "../deploy", "https://x/deploy/apps"] {
            assert!(files_under(nothing, &files).is_empty(), "{nothing}");
        }
    }

    #[test]
    fn repositories_match_with_or_without_git_suffix() {
        let globs = compile(&["https://git.example.org/platform/*".to_owned()]).expect("globs");
        assert!(repo_matches(
            "https://git.example.org/platform/a.git",
            &globs
        ));
        assert!(repo_matches("https://git.example.org/platform/a/", &globs));
        assert!(!repo_matches("https://git.example.org/other/a.git", &globs));
    }
}
