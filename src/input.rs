//! Finding the inputs a run names, and reading them as text.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;
use ignore::overrides::OverrideBuilder;

use crate::rules::{RuleMeta, parse};
use crate::source::Mark;

pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Extensions read when walking a directory. Files named on the command line
/// are read whatever their name.
const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Directories never walked into: version control and build output.
const SKIPPED_DIRECTORIES: [&str; 2] = [".git", "target"];

/// What a file is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Read as Kubernetes manifests (and scanned for secrets).
    Manifest,
    /// Only scanned for secrets: any other text file, and everything inside
    /// a Helm chart (its templates are not manifests until rendered).
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin {
        name: String,
    },
    File {
        name: String,
        path: PathBuf,
        role: Role,
    },
    /// A file's staged content, read from the git index, reported under its
    /// working-tree path. `bytes` is `None` when it is over the size limit.
    Staged {
        name: String,
        path: PathBuf,
        role: Role,
        size: u64,
        bytes: Option<Arc<[u8]>>,
    },
    /// Something the walk found but could not open (a symbolic link loop, a
    /// broken link, a special file).
    Unreadable {
        name: String,
        message: String,
    },
}

impl Input {
    /// Where the input is on disk (absolute), when it has a path.
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            Input::File { path, .. } | Input::Staged { path, .. } => Some(absolute(path)),
            Input::Stdin { .. } | Input::Unreadable { .. } => None,
        }
    }

    /// What the input is read for.
    pub fn role(&self) -> Role {
        match self {
            Input::File { role, .. } | Input::Staged { role, .. } => *role,
            Input::Stdin { .. } | Input::Unreadable { .. } => Role::Manifest,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Input::Stdin { name }
            | Input::File { name, .. }
            | Input::Staged { name, .. }
            | Input::Unreadable { name, .. } => name,
        }
    }
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    /// Helm chart directories found (and not read: rendering charts is not
    /// supported yet).
    pub charts: Vec<String>,
    /// How many directories were walked (none: only files named one by one).
    pub walked_directories: usize,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InputError {
    #[error("{0}: no such file or directory")]
    #[diagnostic(code(charter::usage))]
    Missing(String),
    #[error("bad --exclude glob `{glob}`: {message}")]
    #[diagnostic(code(charter::usage))]
    BadExclude { glob: String, message: String },
}

/// Expands the paths of a run into the inputs to read. `-` is standard input.
/// With `with_text`, walks also yield every other file, to be scanned for
/// secrets.
pub fn discover(
    paths: &[String],
    excludes: &[String],
    stdin_name: &str,
    with_text: bool,
) -> Result<Discovery, InputError> {
    let mut discovery = Discovery::default();
    for raw in paths {
        if raw == "-" {
            discovery.inputs.push(Input::Stdin {
                name: stdin_name.to_owned(),
            });
            continue;
        }
        let path = Path::new(raw);
        let metadata = std::fs::metadata(path).map_err(|_| InputError::Missing(raw.clone()))?;
        if !metadata.is_dir() {
            discovery.inputs.push(Input::File {
                name: display_name(path),
                path: path.to_path_buf(),
                role: Role::Manifest,
            });
        } else {
            walk(path, excludes, with_text, &mut discovery)?;
            discovery.walked_directories += 1;
        }
    }
    discovery.inputs.sort_by(|a, b| a.name().cmp(b.name()));
    discovery.inputs.dedup();
    discovery.charts.sort();
    discovery.charts.dedup();
    Ok(discovery)
}

fn walk(
    root: &Path,
    excludes: &[String],
    with_text: bool,
    discovery: &mut Discovery,
) -> Result<(), InputError> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in excludes {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|error| InputError::BadExclude {
                glob: glob.clone(),
                message: error.to_string(),
            })?;
    }
    let overrides = overrides.build().map_err(|error| InputError::BadExclude {
        glob: excludes.join(" "),
        message: error.to_string(),
    })?;
    // Chart directories seen so far. Their files are only scanned for
    // secrets; without the scanner the walk does not enter them at all.
    let charts: Arc<Mutex<Vec<PathBuf>>> = Arc::new(Mutex::new(Vec::new()));
    let found_charts = Arc::clone(&charts);
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(true)
        .overrides(overrides)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            if !is_dir {
                return true;
            }
            let skipped = SKIPPED_DIRECTORIES
                .iter()
                .any(|name| entry.file_name() == *name);
            if skipped && entry.depth() > 0 {
                return false;
            }
            if is_chart(entry.path()) {
                // A chart inside a chart (`charts/<subchart>/`) is rendered
                // by its parent, not on its own.
                if let Ok(mut charts) = found_charts.lock()
                    && !charts.iter().any(|chart| entry.path().starts_with(chart))
                {
                    charts.push(entry.path().to_path_buf());
                }
                return with_text;
            }
            true
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let (name, message) = describe_walk_error(&error, root);
                discovery.inputs.push(Input::Unreadable { name, message });
                continue;
            }
        };
        let Some(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            continue;
        }
        let in_chart = charts
            .lock()
            .is_ok_and(|charts| charts.iter().any(|chart| path.starts_with(chart)));
        let role = match (has_manifest_extension(path) && !in_chart, with_text) {
            (true, _) => Role::Manifest,
            (false, true) => Role::Text,
            (false, false) => continue,
        };
        let name = display_name(path);
        if kind.is_file() {
            discovery.inputs.push(Input::File {
                name,
                path: path.to_path_buf(),
                role,
            });
        } else if role == Role::Manifest {
            let message = "not a regular file (a FIFO, socket or device); not read".to_owned();
            discovery.inputs.push(Input::Unreadable { name, message });
        }
    }
    let charts = charts
        .lock()
        .map(|charts| charts.clone())
        .unwrap_or_default();
    discovery
        .charts
        .extend(charts.iter().map(|chart| display_name(chart)));
    Ok(())
}

fn is_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// What a file reached by name rather than by a walk (a staged or changed
/// file) is read for, as the walk would have decided: manifests by their
/// extension outside Helm charts; everything else is text. `root` bounds
/// the search for a chart above the file.
pub fn role_by_name(path: &Path, root: &Path) -> Role {
    match has_manifest_extension(path) && !in_chart(path, root) {
        true => Role::Manifest,
        false => Role::Text,
    }
}

/// Whether a directory between `path` and `root` (inclusive) is a Helm
/// chart, whose files are templates and values, not manifests.
pub fn in_chart(path: &Path, root: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(root))
        .any(is_chart)
}

pub fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            MANIFEST_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

fn describe_walk_error(error: &ignore::Error, root: &Path) -> (String, String) {
    match error {
        ignore::Error::WithPath { path, err } => {
            (display_name(path), describe_walk_error(err, root).1)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe_walk_error(err, root)
        }
        ignore::Error::Loop { ancestor, child } => (
            display_name(child),
            format!(
                "symbolic link loop: it leads back to {}",
                display_name(ancestor)
            ),
        ),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => (
            display_name(root),
            "a symbolic link to nothing (broken link)".to_owned(),
        ),
        other => (display_name(root), other.to_string()),
    }
}

/// The path as users wrote it, without a leading `./`.
pub fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    let trimmed = text.strip_prefix("./").unwrap_or(&text);
    match trimmed.is_empty() {
        true => ".".to_owned(),
        false => trimmed.to_owned(),
    }
}

/// A file's text, or why there is none.
pub enum Content {
    Text(Arc<str>),
    Unusable {
        rule: &'static RuleMeta,
        mark: Mark,
        message: String,
    },
}

/// Reads one input, refusing what is too large or not UTF-8 text.
pub fn read(input: &Input, max_size: u64) -> Content {
    let unusable = |rule, mark, message| Content::Unusable {
        rule,
        mark,
        message,
    };
    let limit_message = |size: &str| {
        format!(
            "{size} is over the {} limit; not read (raise it with --max-file-size)",
            human_size(max_size)
        )
    };
    let bytes = match input {
        Input::Unreadable { message, .. } => {
            return unusable(&parse::UNREADABLE, Mark::FILE_START, message.clone());
        }
        Input::Stdin { .. } => read_limited(std::io::stdin().lock(), max_size),
        Input::Staged { size, bytes, .. } => match bytes {
            Some(bytes) if *size <= max_size => Ok(bytes.to_vec()),
            _ => {
                let size = human_size(*size);
                return unusable(&parse::TOO_LARGE, Mark::FILE_START, limit_message(&size));
            }
        },
        Input::File { path, .. } => {
            // Opened first and sized from the open file: one stat, not two.
            let file = match std::fs::File::open(path) {
                Ok(file) => file,
                Err(error) => {
                    return unusable(
                        &parse::UNREADABLE,
                        Mark::FILE_START,
                        format!("cannot read: {error}"),
                    );
                }
            };
            let expected = match file.metadata() {
                Ok(metadata) if metadata.is_file() && metadata.len() > max_size => {
                    let size = human_size(metadata.len());
                    return unusable(&parse::TOO_LARGE, Mark::FILE_START, limit_message(&size));
                }
                Ok(metadata) => metadata.len(),
                Err(error) => {
                    return unusable(
                        &parse::UNREADABLE,
                        Mark::FILE_START,
                        format!("cannot read: {error}"),
                    );
                }
            };
            // Sized from the file's length, so reading is one allocation.
            let mut bytes = Vec::with_capacity(expected.min(max_size) as usize + 1);
            file.take(max_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .map(|_| bytes)
        }
    };
    let bytes = match bytes {
        Ok(bytes) if bytes.len() as u64 > max_size => {
            return unusable(
                &parse::TOO_LARGE,
                Mark::FILE_START,
                limit_message("the input"),
            );
        }
        Ok(bytes) => bytes,
        Err(error) => {
            return unusable(
                &parse::UNREADABLE,
                Mark::FILE_START,
                format!("cannot read: {error}"),
            );
        }
    };
    decode(bytes)
}

fn read_limited(reader: impl Read, max_size: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// UTF-8 text, or a `PARSE-002` naming where the bytes stop being text.
pub fn decode(bytes: Vec<u8>) -> Content {
    let not_text = |mark, message: String| Content::Unusable {
        rule: &parse::NOT_TEXT,
        mark,
        message,
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return not_text(
            Mark::FILE_START,
            "UTF-16 text; Kubernetes manifests must be UTF-8".to_owned(),
        );
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let sniffed = &body[..body.len().min(8192)];
    if let Some(nul) = sniffed.iter().position(|&byte| byte == 0) {
        return not_text(
            mark_at(body, nul),
            "binary file (it contains NUL bytes); not read".to_owned(),
        );
    }
    match std::str::from_utf8(body) {
        Ok(text) => Content::Text(Arc::from(text)),
        Err(error) => {
            let at = error.valid_up_to();
            not_text(
                mark_at(body, at),
                format!("not valid UTF-8 (byte 0x{:02X} at offset {at})", body[at]),
            )
        }
    }
}

/// Line and column of a byte offset, counting columns in characters of the
/// valid text before it.
fn mark_at(bytes: &[u8], offset: usize) -> Mark {
    let before = &bytes[..offset];
    let line_start = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&byte| byte == b'\n').count() as u32 + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    Mark::new(line, column)
}

/// Reads sizes such as `16Mi`, `16MiB`, `512Ki`, `1G` or a plain byte count.
/// Suffixes are binary (1 Ki = 1024 bytes), as in Kubernetes quantities.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "ki" | "kib" | "kb" => 1 << 10,
        "m" | "mi" | "mib" | "mb" => 1 << 20,
        "g" | "gi" | "gib" | "gb" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size (write e.g. 16Mi or 1048576)"
            ));
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is not a size (write e.g. 16Mi or 1048576)"))
}

pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => {
            format!("{:.1} MiB", b as f64 / f64::from(1 << 20)).replace(".0 ", " ")
        }
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0).replace(".0 ", " "),
        b => format!("{b} bytes"),
    }
}

/// The root of the Git checkout holding `path`: the nearest ancestor with a
/// `.git` entry (a directory, or a file in a worktree).
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The current directory, asked once: charter never changes it, and a run
/// over thousands of files would otherwise ask the kernel for each.
fn current_dir() -> &'static Path {
    static CWD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().unwrap_or_default())
}

/// Absolute, lexically normalised form of a path (symbolic links are kept:
/// globs match the path people see).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = match path.is_absolute() {
        true => path.to_path_buf(),
        false => current_dir().join(path),
    };
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16Mi"), Ok(16 << 20));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("16Pi").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert_eq!(human_size(16 << 20), "16 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
    }

    #[test]
    fn decoding_names_where_text_stops() {
        let Content::Unusable {
            rule,
            mark,
            message,
        } = decode(b"a: 1\nb: caf\xe9\n".to_vec())
        else {
            panic!("Latin-1 accepted");
        };
        assert_eq!((rule.id, mark), ("PARSE-002", Mark::new(2, 7)));
        assert!(message.contains("0xE9"), "{message}");

        let Content::Unusable { message, .. } = decode(b"\x7fELF\x02\x01\x00\x00".to_vec()) else {
            panic!("binary accepted");
        };
        assert!(message.starts_with("binary file"), "{message}");

        let Content::Text(text) = decode(b"\xEF\xBB\xBFkind: Pod\n".to_vec()) else {
            panic!("BOM refused");
        };
        assert_eq!(&*text, "kind: Pod\n");
    }

    #[test]
    fn absolute_paths_are_normalised() {
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
