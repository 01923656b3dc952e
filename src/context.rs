//! `--context DIR`: the rest of the repository, read so that whole-set
//! rules (references across resources, ArgoCD ordering, platform-wide
//! requirements) judge the checked files against everything, while nothing
//! found in the context itself is reported.
//!
//! Context files are only parsed into resources: no per-resource rule, no
//! secret scan, no chart rendering. That is what keeps a hook on a
//! five-file commit fast in a repository of thousands of manifests.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::input::{self, Content, Input, InputError, Role};
use crate::loader::{self, DocumentKinds};
use crate::resource::Resource;
use crate::source::SourceFile;
use crate::yaml::Limits;

/// What the context adds to a run: its files (marked `context`) and their
/// resources. Files are numbered from 0: the caller shifts them behind its
/// own, and renumbers the resources.
pub struct Loaded {
    pub files: Vec<SourceFile>,
    pub resources: Vec<Resource>,
}

/// How to read the context.
pub struct Reading<'a> {
    pub excludes: &'a [String],
    pub kinds: &'a DocumentKinds,
    pub limits: Limits,
    pub max_file_size: u64,
}

/// Reads the manifests a walk of `dir` finds (the walk of a plain run:
/// `.gitignore` honoured, charts not entered), except the `targets` (by
/// absolute path), which the run reads and reports itself. Unreadable and
/// broken files are left out silently: they are not this run's to report.
pub fn load(
    dir: &Path,
    targets: &HashSet<PathBuf>,
    reading: &Reading<'_>,
) -> Result<Loaded, InputError> {
    let walked = input::discover(
        &[dir.to_string_lossy().into_owned()],
        reading.excludes,
        "",
        false,
    )?;
    let inputs: Vec<&Input> = walked
        .inputs
        .iter()
        .filter(|input| {
            matches!(
                input,
                Input::File {
                    role: Role::Manifest,
                    ..
                }
            )
        })
        .filter(|input| input.path().is_some_and(|path| !targets.contains(&path)))
        .collect();
    let read: Vec<(SourceFile, Vec<Resource>)> = inputs
        .par_iter()
        .enumerate()
        .map(|(offset, input)| {
            let mut source = SourceFile::new(input.name().to_owned(), input.path(), None);
            source.context = true;
            let resources = match input::read(input, reading.max_file_size) {
                Content::Text(text) => {
                    loader::load(offset, &text, reading.kinds, reading.limits).resources
                }
                Content::Unusable { .. } => Vec::new(),
            };
            (source, resources)
        })
        .collect();
    let mut loaded = Loaded {
        files: Vec::with_capacity(read.len()),
        resources: Vec::new(),
    };
    for (source, resources) in read {
        loaded.files.push(source);
        for mut resource in resources {
            resource.index = loaded.resources.len();
            loaded.resources.push(resource);
        }
    }
    Ok(loaded)
}
