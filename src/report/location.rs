//! Where a finding is, as CI systems name places: a path relative to the
//! checkout with `/` separators, and a line and column only when they are
//! true of that path.

use std::path::Path;

use crate::check::Outcome;
use crate::finding::Finding;
use crate::source::Mark;

/// How a place's path relates to the report's root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Under the root, relative to it.
    Root,
    /// On disk outside the root: an absolute path.
    Absolute,
    /// Not a file on disk (standard input): the name it was reported under.
    Named,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    pub path: String,
    pub anchor: Anchor,
    /// Line and column in `path`. None for a finding in rendered Helm output
    /// placed at its template: the rendered line is not the template's.
    pub position: Option<Mark>,
    /// Where the finding's text ends (exclusive), when charter knows: for a
    /// finding about a secret, the end of the secret.
    pub end: Option<Mark>,
    /// For a finding in rendered Helm output: the stream's name and the
    /// finding's position in it.
    pub rendered: Option<(&'a str, Mark)>,
}

/// The place of `finding`. Findings in Helm output that charter rendered
/// are placed at their template, the file a reviewer can change.
pub fn place<'a>(outcome: &'a Outcome, finding: &Finding, root: &Path) -> Place<'a> {
    let file = &outcome.files[finding.file];
    let template = file
        .template_at(finding.mark.line)
        .and_then(|template| template.path.as_deref());
    if let Some(template) = template {
        let (path, anchor) = on_disk(template, root);
        return Place {
            path,
            anchor,
            position: None,
            end: None,
            rendered: Some((file.name.as_str(), finding.mark)),
        };
    }
    let (path, anchor) = match &file.path {
        Some(path) => on_disk(path, root),
        None => (file.name.clone(), Anchor::Named),
    };
    // The one extent a finding keeps: the secret it is about, recorded
    // among the file's masked spans and starting where the finding does.
    let end = file
        .secrets
        .iter()
        .find(|(start, end)| *start == finding.mark && *end > finding.mark)
        .map(|&(_, end)| end);
    Place {
        path,
        anchor,
        position: Some(finding.mark),
        end,
        rendered: None,
    }
}

/// A path on disk as reports name it, relative to `root` when under it.
pub fn on_disk(path: &Path, root: &Path) -> (String, Anchor) {
    match path.strip_prefix(root) {
        Ok(relative) => (slashes(relative), Anchor::Root),
        Err(_) => (slashes(path), Anchor::Absolute),
    }
}

/// A path with `/` separators, as every CI system expects whatever the OS.
fn slashes(path: &Path) -> String {
    path.components()
        .filter_map(|component| match component {
            std::path::Component::RootDir => Some(String::new()),
            std::path::Component::CurDir => None,
            other => Some(other.as_os_str().to_string_lossy().into_owned()),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `Kind namespace/name` of the finding's resource.
pub fn resource(outcome: &Outcome, finding: &Finding) -> Option<String> {
    finding
        .resource
        .and_then(|index| outcome.resources.get(index))
        .map(|resource| resource.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_root_are_relative_with_slashes() {
        let root = Path::new("/repo");
        assert_eq!(
            on_disk(Path::new("/repo/deploy/apps/x.yaml"), root),
            ("deploy/apps/x.yaml".to_owned(), Anchor::Root)
        );
        assert_eq!(
            on_disk(Path::new("/elsewhere/x.yaml"), root),
            ("/elsewhere/x.yaml".to_owned(), Anchor::Absolute)
        );
    }
}
