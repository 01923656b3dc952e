//! Which renders a run makes: one per Application that deploys a chart of
//! the set, with that Application's Helm settings, and one with the chart's
//! defaults for a chart no Application deploys.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ChartDir;
use crate::input::{absolute, repository_root};
use crate::resource::Resource;
use crate::rules::argo::app::{Source, is_application, is_templated, sources};
use crate::source::SourceFile;
use crate::yaml::{self, Node};

/// One `helm template` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Render {
    /// The chart's directory, absolute.
    pub chart: PathBuf,
    /// The chart's directory as users see it.
    pub chart_name: String,
    pub release: String,
    pub namespace: Option<String>,
    pub value_files: Vec<PathBuf>,
    /// The Application's `values` and `valuesObject`, as one YAML document.
    pub inline_values: Option<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    /// The Application it renders for (`argocd/ollama-gpu`).
    pub application: Option<String>,
}

impl Render {
    /// The name its output is reported under.
    pub fn stream_name(&self) -> String {
        format!("{} (release {})", self.chart_name, self.release)
    }
}

pub fn plan(charts: &[ChartDir], resources: &[Resource], files: &[SourceFile]) -> Vec<Render> {
    let mut renders = Vec::new();
    let mut deployed = vec![false; charts.len()];
    for app in resources.iter().filter(|resource| is_application(resource)) {
        let Some(root) = files
            .get(app.file)
            .and_then(|file| file.path.as_deref())
            .and_then(repository_root)
        else {
            continue;
        };
        let app_sources = sources(app);
        for source in &app_sources {
            let Some(path) = source.path().filter(|path| !is_templated(path)) else {
                continue;
            };
            let target = absolute(&root.join(path.trim_start_matches('/')));
            let Some(index) = charts.iter().position(|chart| chart.path == target) else {
                continue;
            };
            deployed[index] = true;
            renders.push(for_application(
                &charts[index],
                app,
                source,
                &app_sources,
                &root,
            ));
        }
    }
    for (chart, deployed) in charts.iter().zip(deployed) {
        if !deployed {
            renders.push(standalone(chart));
        }
    }
    renders.sort_by(|a, b| {
        (&a.chart_name, &a.release, &a.application).cmp(&(
            &b.chart_name,
            &b.release,
            &b.application,
        ))
    });
    renders
}

/// A chart alone: `helm template` with its own values, released under its
/// directory's name.
fn standalone(chart: &ChartDir) -> Render {
    let directory = chart
        .path
        .file_name()
        .map(|name| name.to_string_lossy().to_lowercase().replace('_', "-"))
        .unwrap_or_else(|| "release".to_owned());
    Render {
        chart: chart.path.clone(),
        chart_name: chart.name.clone(),
        release: directory,
        namespace: None,
        value_files: Vec::new(),
        inline_values: None,
        set: Vec::new(),
        set_string: Vec::new(),
        application: None,
    }
}

/// A chart as ArgoCD renders it for an Application: `spec.source.helm`'s
/// release name, value files (`$ref/...` from the repository of a `ref`
/// source), `values`/`valuesObject` and `parameters`, in the destination
/// namespace.
fn for_application(
    chart: &ChartDir,
    app: &Resource,
    source: &Source<'_>,
    app_sources: &[Source<'_>],
    root: &Path,
) -> Render {
    let helm = source.node.get("helm");
    let text = |node: Option<&Node>, key: &str| {
        node.and_then(|node| node.get(key))
            .and_then(Node::as_str)
            .filter(|value| !value.trim().is_empty())
            .map(str::to_owned)
    };
    let release = text(helm, "releaseName").unwrap_or_else(|| app.name.clone());
    let namespace = text(app.get("/spec/destination"), "namespace");
    let ignore_missing = helm
        .and_then(|helm| helm.get("ignoreMissingValueFiles"))
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let value_files = helm
        .and_then(|helm| helm.get("valueFiles"))
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .map(|file| value_file(file, chart, app_sources, root))
        .filter(|file| !ignore_missing || file.is_file())
        .collect();
    let mut set = Vec::new();
    let mut set_string = Vec::new();
    for parameter in helm
        .and_then(|helm| helm.get("parameters"))
        .and_then(Node::items)
        .unwrap_or_default()
    {
        let Some(name) = parameter.get("name").and_then(Node::as_str) else {
            continue;
        };
        let value = match parameter.get("value").map(Node::to_json) {
            Some(Value::String(value)) => value,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let forced = parameter.get("forceString").and_then(Node::as_bool) == Some(true);
        match forced {
            true => set_string.push(format!("{name}={value}")),
            false => set.push(format!("{name}={value}")),
        }
    }
    Render {
        chart: chart.path.clone(),
        chart_name: chart.name.clone(),
        release,
        namespace,
        value_files,
        inline_values: helm.and_then(inline_values),
        set,
        set_string,
        application: Some(format!(
            "{}/{}",
            app.namespace.as_deref().unwrap_or_default(),
            app.name
        )),
    }
}

/// A `valueFiles` entry: relative to the chart, or `$ref/path` in the
/// repository of the source with that `ref` (this checkout: a ref to another
/// repository cannot be read offline, and Helm will say the file is missing).
fn value_file(file: &str, chart: &ChartDir, app_sources: &[Source<'_>], root: &Path) -> PathBuf {
    if let Some((reference, rest)) = file.strip_prefix('$').and_then(|file| file.split_once('/')) {
        let known = app_sources
            .iter()
            .any(|source| source.node.get("ref").and_then(Node::as_str) == Some(reference));
        if known {
            return absolute(&root.join(rest));
        }
    }
    absolute(&chart.path.join(file))
}

/// `values` (a YAML string) with `valuesObject` merged over it, as ArgoCD
/// gives them to Helm. A `values` string that does not parse goes to Helm as
/// written, for Helm to report.
fn inline_values(helm: &Node) -> Option<String> {
    let written = helm.get("values").and_then(Node::as_str);
    let object = helm
        .get("valuesObject")
        .filter(|node| node.is_mapping())
        .map(Node::to_json);
    let parsed = written.map(|text| {
        let mut documents = yaml::parse_stream(text, yaml::Limits::default());
        let document = documents
            .pop()
            .filter(|document| document.problems.is_empty());
        document
            .and_then(|document| document.root)
            .map(|root| root.to_json())
    });
    match (written, parsed, object) {
        (None, _, None) => None,
        (Some(text), _, None) => Some(text.to_owned()),
        (_, Some(Some(mut base @ Value::Object(_))), Some(object)) => {
            crate::rules::cluster::merge(&mut base, &object);
            Some(base.to_string())
        }
        (_, _, Some(object)) => Some(object.to_string()),
    }
}
