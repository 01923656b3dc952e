//! The inputs of hook-style runs: `--staged` reads staged files from the
//! git index, `--changed` reads the files changed since a base commit from
//! the working tree. Either way a PATH on the command line narrows the set:
//! a directory stands for the selected files under it, a file for itself.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::git::{GitError, Repository, Selection};
use crate::input::{self, Input, Role};

/// The files a hook-style run reports on, and the repository they are in.
#[derive(Debug)]
pub struct Targets {
    pub inputs: Vec<Input>,
    pub repository: Repository,
}

/// Finds the files `selection` picks under `paths`. With `with_text`
/// (the secret scanner is on) files that are not manifests are kept, to be
/// scanned.
pub fn discover(
    selection: &Selection,
    paths: &[String],
    with_text: bool,
    max_size: u64,
) -> Result<Targets, GitError> {
    let option = match selection {
        Selection::Staged => "--staged",
        Selection::Changed { .. } => "--changed",
    };
    if paths.iter().any(|path| path == "-") {
        return Err(GitError::Usage(format!(
            "{option} reads files from git; standard input (`-`) cannot be one of them"
        )));
    }
    let cwd = std::env::current_dir().map_err(|error| GitError::NotARepository {
        option,
        message: format!("no current directory: {error}"),
    })?;
    let repository = Repository::discover(&cwd, option)?;
    let candidates = match selection {
        Selection::Staged => repository.staged()?,
        Selection::Changed { base } => {
            let base = match base {
                Some(base) => {
                    repository.verify_base(base)?;
                    base.clone()
                }
                None => repository.default_base()?,
            };
            repository.changed(&base)?
        }
    };
    let root = repository.root.clone();
    // Repository-relative path → (role, named on the command line).
    let mut picked: BTreeMap<String, (Role, bool)> = BTreeMap::new();
    for raw in paths {
        let path = input::absolute(Path::new(raw));
        let Some(relative) = repository.relative(&path) else {
            return Err(GitError::Usage(format!(
                "{raw}: outside the git repository at {}",
                root.display()
            )));
        };
        if path.is_dir() {
            let under = |name: &&String| {
                relative.is_empty()
                    || name
                        .strip_prefix(relative.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            };
            for name in candidates.iter().filter(under) {
                let role = input::role_by_name(&root.join(name), &root);
                if role == Role::Manifest || with_text {
                    picked.entry(name.clone()).or_insert((role, false));
                }
            }
        } else if *selection == Selection::Staged || candidates.contains(&relative) {
            // Named files are read whatever their name, as in a plain run,
            // except chart files: templates are not manifests until rendered.
            let role = match input::in_chart(&path, &root) {
                true => Role::Text,
                false => Role::Manifest,
            };
            picked.insert(relative, (role, true));
        }
    }
    let names: Vec<String> = picked.keys().cloned().collect();
    let mut inputs = Vec::with_capacity(names.len());
    match selection {
        Selection::Staged => {
            let blobs = repository.read_index(&names, max_size)?;
            for ((name, (role, named)), blob) in picked.into_iter().zip(blobs) {
                let Some(blob) = blob else {
                    match named {
                        true => return Err(GitError::NotInIndex(name)),
                        false => continue,
                    }
                };
                let path = root.join(&name);
                inputs.push(Input::Staged {
                    name: relative_name(&path, &cwd),
                    path,
                    role,
                    size: blob.size,
                    bytes: blob.bytes,
                });
            }
        }
        Selection::Changed { .. } => {
            for (name, (role, _)) in picked {
                let path = root.join(&name);
                if path.is_file() {
                    inputs.push(Input::File {
                        name: relative_name(&path, &cwd),
                        path,
                        role,
                    });
                }
            }
        }
    }
    inputs.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(Targets { inputs, repository })
}

/// The name a file is reported under: its path from the current directory,
/// as a walk from `.` would name it.
pub fn relative_name(path: &Path, cwd: &Path) -> String {
    let target: Vec<Component> = path.components().collect();
    let here: Vec<Component> = cwd.components().collect();
    let common = target.iter().zip(&here).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..here.len() {
        relative.push("..");
    }
    for part in &target[common..] {
        relative.push(part);
    }
    input::display_name(&relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_the_current_directory() {
        let cwd = Path::new("/repo/deploy");
        assert_eq!(
            relative_name(Path::new("/repo/deploy/a.yaml"), cwd),
            "a.yaml"
        );
        assert_eq!(
            relative_name(Path::new("/repo/b/c.yaml"), cwd),
            "../b/c.yaml"
        );
        assert_eq!(
            relative_name(Path::new("/repo/b/c.yaml"), Path::new("/repo")),
            "b/c.yaml"
        );
    }
}
