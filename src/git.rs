//! What a hook-style run asks git: the repository's root, the files staged
//! or changed, and the staged content of files (the index, which is what a
//! commit records, not the working tree).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// Which files of the repository a run reports on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Staged added or modified files, read from the index (`--staged`).
    Staged,
    /// Files changed since a commit, read from the working tree
    /// (`--changed [--base REF]`); `None`: the default base.
    Changed { base: Option<String> },
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("{option} needs a git repository: {message}")]
    #[diagnostic(code(charter::usage))]
    NotARepository {
        option: &'static str,
        message: String,
    },
    #[error("`git {command}` failed: {message}")]
    #[diagnostic(code(charter::usage))]
    Failed { command: String, message: String },
    #[error("{0}")]
    #[diagnostic(code(charter::usage))]
    Usage(String),
    #[error("{0}: not in the git index (stage it with `git add`)")]
    #[diagnostic(code(charter::usage))]
    NotInIndex(String),
}

/// A checkout: its top-level directory.
#[derive(Debug, Clone)]
pub struct Repository {
    pub root: PathBuf,
}

/// A file's content as staged.
#[derive(Debug, Clone)]
pub struct Blob {
    /// The path relative to the repository root, with `/`.
    pub path: String,
    pub size: u64,
    /// `None` when the blob is larger than the limit it was read with: it is
    /// skipped in the stream, never held in memory.
    pub bytes: Option<Arc<[u8]>>,
}

impl Repository {
    /// The repository holding `dir`. `option` names what needed it, for the error.
    pub fn discover(dir: &Path, option: &'static str) -> Result<Repository, GitError> {
        let output = Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| GitError::NotARepository {
                option,
                message: format!("cannot run git: {error}"),
            })?;
        if !output.status.success() {
            return Err(GitError::NotARepository {
                option,
                message: format!(
                    "{} is not inside one ({})",
                    dir.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
            });
        }
        let root = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok(Repository {
            root: PathBuf::from(root),
        })
    }

    fn git(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| GitError::Failed {
                command: args.join(" "),
                message: error.to_string(),
            })?;
        match output.status.success() {
            true => Ok(output.stdout),
            false => Err(GitError::Failed {
                command: args.join(" "),
                message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            }),
        }
    }

    /// Staged files that a commit adds or changes (not deletions), relative
    /// to the root. Renames count as their new path.
    pub fn staged(&self) -> Result<Vec<String>, GitError> {
        self.git(&[
            "diff",
            "--cached",
            "--name-only",
            "--no-renames",
            "--no-ext-diff",
            "--diff-filter=ACMT",
            "-z",
        ])
        .map(split_nul)
    }

    /// Files that differ from `base` in the working tree (committed since,
    /// staged or not), and untracked files that are not ignored; deleted
    /// files are left out.
    pub fn changed(&self, base: &str) -> Result<Vec<String>, GitError> {
        let mut names = split_nul(self.git(&[
            "diff",
            "--name-only",
            "--no-renames",
            "--no-ext-diff",
            "--diff-filter=ACMT",
            "-z",
            base,
            "--",
        ])?);
        names.extend(split_nul(self.git(&[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
        ])?));
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Where a branch's changes start: the merge base of `HEAD` and the
    /// remote's default branch (`origin/HEAD`), else `HEAD`, else (no commit
    /// yet) the empty tree, so that every file is new.
    pub fn default_base(&self) -> Result<String, GitError> {
        let merge_base = self.git(&["merge-base", "HEAD", "origin/HEAD"]);
        if let Ok(out) = merge_base {
            return Ok(String::from_utf8_lossy(&out).trim().to_owned());
        }
        if self
            .git(&["rev-parse", "--verify", "--quiet", "HEAD"])
            .is_ok()
        {
            return Ok("HEAD".to_owned());
        }
        let empty = self.git(&["hash-object", "-t", "tree", "/dev/null"])?;
        Ok(String::from_utf8_lossy(&empty).trim().to_owned())
    }

    /// Checks that `base` names a commit, so a typo is a usage error that
    /// says so rather than git's diff usage text.
    pub fn verify_base(&self, base: &str) -> Result<(), GitError> {
        let spec = format!("{base}^{{tree}}");
        self.git(&["rev-parse", "--verify", "--quiet", &spec])
            .map(drop)
            .map_err(|_| GitError::Failed {
                command: format!("rev-parse {base}"),
                message: format!("--base {base}: no such commit"),
            })
    }

    /// The staged content of `paths` (relative to the root), through one
    /// `git cat-file --batch`. Blobs over `max_size` bytes are skipped in
    /// the stream and come back without bytes; paths the index does not
    /// hold as a file (missing, or a submodule) come back as `None`.
    pub fn read_index(
        &self,
        paths: &[String],
        max_size: u64,
    ) -> Result<Vec<Option<Blob>>, GitError> {
        let failed = |message: String| GitError::Failed {
            command: "cat-file --batch".to_owned(),
            message,
        };
        if let Some(path) = paths.iter().find(|path| path.contains('\n')) {
            // The batch protocol is one name a line.
            return Err(failed(format!("{path:?}: a path with a line break")));
        }
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(&self.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| failed(error.to_string()))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| failed("no stdin".to_owned()))?;
        let request: String = paths.iter().map(|path| format!(":{path}\n")).collect();
        // Written beside the reading: git answers while it reads, and a
        // full pipe on both sides would stall.
        let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| failed("no stdout".to_owned()))?;
        let mut reader = BufReader::new(stdout);
        let mut blobs = Vec::with_capacity(paths.len());
        for path in paths {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(|error| failed(error.to_string()))?;
            let header = header.trim_end_matches('\n');
            if header.is_empty() {
                return Err(failed("git's answer ended early".to_owned()));
            }
            if header.ends_with(" missing") || header.ends_with(" ambiguous") {
                blobs.push(None);
                continue;
            }
            let mut fields = header.rsplitn(3, ' ');
            let (size, kind) = (fields.next(), fields.next());
            let Some(size) = size.and_then(|size| size.parse::<u64>().ok()) else {
                return Err(failed(format!("unexpected answer `{header}`")));
            };
            if kind != Some("blob") || size > max_size {
                // A submodule (a commit), or a blob too large to hold.
                skip(&mut reader, size + 1).map_err(|error| failed(error.to_string()))?;
                blobs.push((kind == Some("blob")).then(|| Blob {
                    path: path.clone(),
                    size,
                    bytes: None,
                }));
                continue;
            }
            let mut bytes = vec![0; size as usize];
            reader
                .read_exact(&mut bytes)
                .map_err(|error| failed(error.to_string()))?;
            skip(&mut reader, 1).map_err(|error| failed(error.to_string()))?;
            blobs.push(Some(Blob {
                path: path.clone(),
                size,
                bytes: Some(Arc::from(bytes)),
            }));
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(blobs)
    }

    /// `path` (absolute) relative to the root, with `/`, when it is inside.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.root).ok()?;
        Some(
            relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }
}

fn skip(reader: &mut impl Read, count: u64) -> std::io::Result<()> {
    let skipped = std::io::copy(&mut reader.take(count), &mut std::io::sink())?;
    match skipped == count {
        true => Ok(()),
        false => Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "git's answer ended early",
        )),
    }
}

fn split_nul(bytes: Vec<u8>) -> Vec<String> {
    bytes
        .split(|&byte| byte == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect()
}
