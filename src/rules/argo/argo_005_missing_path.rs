//! ARGO-005: an Application points at a path of the platform's repository
//! that does not exist.

use std::path::Path;

use crate::input::repository_root;

use globset::GlobMatcher;

use super::app::{
    compile_shipped, globs, is_app, is_templated, named, repo_matches, shipped, sources,
};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Prose;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-005",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Application source path missing from the platform repository",
    rationale: "In the app-of-apps, every child Application names a directory of the platform's \
                own repository. A path that does not exist (a renamed chart, a typo) leaves the \
                Application `Unknown` with a `ComparisonError`, and whatever it should deploy \
                silently never arrives. When the checked files live in a local Git checkout, \
                charter looks the path up from the repository's root, for sources whose \
                `repoURL` is one of the platform's repositories (`platformRepos` in \
                `rules/argocd.yaml`). Single files (a pre-commit run), other repositories and \
                templated paths are not checked.",
    fix: "Point `path` at an existing directory of the repository (relative to its root), or \
          add the directory.",
    failing_example: Prose(
        "In a checkout of https://git.homelab.internal/platform/charter.git, an Application \
         with `repoURL: https://git.homelab.internal/platform/charter.git` and \
         `path: charts/litelm` (a typo): the repository has no such directory.",
    ),
    passing_example: Prose(
        "The same Application with `path: charts/litellm`, a directory of the repository.",
    ),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        MissingPath {
            platform: compile_shipped(&shipped().platform_repos),
        },
    )
}

struct MissingPath {
    platform: Vec<GlobMatcher>,
}

impl SetCheck for MissingPath {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "platformRepos" => self.platform = globs(key, value)?.1,
                other => {
                    return Err(format!("has no parameter `{other}` (known: platformRepos)"));
                }
            }
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        &["platformRepos"]
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        // Single files say nothing about the rest of the checkout.
        if set.partial {
            return;
        }
        for resource in set.resources.iter().filter(|resource| is_app(resource)) {
            let Some(root) = set
                .files
                .get(resource.file)
                .and_then(|file| file.path.as_deref())
                .and_then(repository_root)
            else {
                continue;
            };
            self.check_app(resource, &root, out);
        }
    }
}

impl MissingPath {
    fn check_app(&self, resource: &Resource, root: &Path, out: &mut Emitter<'_>) {
        for source in sources(resource) {
            let (Some(url), Some(path)) = (source.repo_url(), source.path()) else {
                continue;
            };
            if !repo_matches(url, &self.platform) || is_templated(path) || path.contains("..") {
                continue;
            }
            let relative = path.trim_start_matches("./").trim_start_matches('/');
            if relative.is_empty() || relative == "." || root.join(relative).is_dir() {
                continue;
            }
            out.report(
                resource,
                &format!("{}/path", source.pointer),
                format!(
                    "{} deploys `{path}` of {url}, but the repository checked out at `{}` has no \
                     such directory: ArgoCD cannot render it and nothing gets deployed",
                    named(resource),
                    root.display()
                ),
            );
        }
    }
}
