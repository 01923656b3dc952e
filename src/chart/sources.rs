//! The `# Source: CHART/templates/FILE` comments `helm template` writes
//! before every manifest: which template each line of a rendered stream came
//! from.

use std::path::{Path, PathBuf};

const MARKER: &str = "# Source: ";

/// Where the manifests starting at a line of a rendered stream came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    /// The line of the `# Source:` comment.
    pub line: u32,
    /// The template as users find it: under the chart's directory when the
    /// chart is known, as Helm wrote it otherwise (standard input).
    pub name: String,
    /// The template file on disk, when the chart is known.
    pub path: Option<PathBuf>,
}

/// Every `# Source:` comment of a text, in line order. `chart` is the chart's
/// directory (display name and absolute path) when charter rendered it.
pub fn template_sources(text: &str, chart: Option<(&str, &Path)>) -> Vec<TemplateSource> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let written = line.strip_prefix(MARKER)?.trim();
            if written.is_empty() {
                return None;
            }
            let line = u32::try_from(index + 1).ok()?;
            // Helm names templates from the chart's name, which need not be
            // its directory's: `ollama/templates/x.yaml` lives at
            // `<chart dir>/templates/x.yaml`.
            let within = written.split_once('/').map(|(_, rest)| rest);
            let (name, path) = match (chart, within) {
                (Some((display, absolute)), Some(rest)) => (
                    format!("{}/{rest}", display.trim_end_matches('/')),
                    Some(absolute.join(rest)),
                ),
                _ => (written.to_owned(), None),
            };
            Some(TemplateSource { line, name, path })
        })
        .collect()
}

/// The source of a line: the last `# Source:` at or before it.
pub fn source_at(sources: &[TemplateSource], line: u32) -> Option<&TemplateSource> {
    let after = sources.partition_point(|source| source.line <= line);
    after.checked_sub(1).map(|index| &sources[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = "---\n# Source: ollama/templates/service.yaml\nkind: Service\n---\n# Source: ollama/templates/deployment.yaml\nkind: Deployment\n";

    #[test]
    fn lines_map_to_the_template_above_them() {
        let sources = template_sources(
            STREAM,
            Some((
                "deploy/charts/ollama/",
                Path::new("/r/deploy/charts/ollama"),
            )),
        );
        let at = |line| source_at(&sources, line).map(|source| source.name.as_str());
        assert_eq!(at(1), None);
        assert_eq!(at(3), Some("deploy/charts/ollama/templates/service.yaml"));
        assert_eq!(
            at(6),
            Some("deploy/charts/ollama/templates/deployment.yaml")
        );
        assert_eq!(
            source_at(&sources, 6).and_then(|source| source.path.clone()),
            Some(PathBuf::from(
                "/r/deploy/charts/ollama/templates/deployment.yaml"
            ))
        );
    }

    #[test]
    fn piped_output_keeps_helms_names() {
        let sources = template_sources(STREAM, None);
        assert_eq!(sources[0].name, "ollama/templates/service.yaml");
        assert_eq!(sources[0].line, 2);
        assert!(template_sources("kind: Pod\n", None).is_empty());
    }
}
