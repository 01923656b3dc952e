//! Helpers shared by the integration tests: they run the real `charter`
//! binary, as users and CI do.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `charter ARGS` in `dir`, feeding `stdin` when given.
pub fn charter_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    charter_with_env(dir, args, stdin, &[])
}

/// The `helm` tests render with: Helm v4's engine from helm-python-sdk
/// (`tools/helm`, which installs it into `.venv/` on first use).
pub fn helm_bin() -> String {
    repo_root().join("tools/helm").display().to_string()
}

/// Like `charter_in`, with environment variables set (or, with an empty
/// value, removed) for the run.
pub fn charter_with_env(
    dir: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_charter"));
    for (key, value) in env {
        match value.is_empty() {
            true => command.env_remove(key),
            false => command.env(key, value),
        };
    }
    let mut child = command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("charter starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(bytes).expect("stdin accepts the input");
    }
    let output = child.wait_with_output().expect("charter finishes");
    Run {
        code: output
            .status
            .code()
            .expect("charter exits normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `charter ARGS` at the repository root.
pub fn charter(args: &[&str]) -> Run {
    charter_in(&repo_root(), args, None)
}

/// `(file, rule, line, column)` of every finding of a JSON report.
pub fn findings(stdout: &str) -> Vec<(String, String, u64, u64)> {
    let report: serde_json::Value = serde_json::from_str(stdout).expect("a JSON report");
    let files: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    files
        .into_iter()
        .zip(locations(&report))
        .map(|(file, (rule, line, column))| (file, rule, line, column))
        .collect()
}

/// `(rule, line, column)` of every finding in a JSON report, in report order.
pub fn locations(report: &Value) -> Vec<(String, u64, u64)> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// `config` with the workload hardening families (POD, NET, RBAC) and
/// schema validation (SCHEMA: a Deployment without a selector is invalid)
/// turned off, for tests about other families whose manifests are
/// deliberately minimal. `config` is empty or ends inside its top-level `rules:` block,
/// so its line numbers stay as written.
pub fn without_hardening(config: &str) -> String {
    const OFF: &str = "  POD: off\n  NET: off\n  RBAC: off\n  SCHEMA: off\n";
    if config.trim().is_empty() {
        return format!("rules:\n{OFF}");
    }
    assert!(
        config.starts_with("rules:\n") && config.ends_with('\n'),
        "a config that ends in its rules block: {config}"
    );
    format!("{config}{OFF}")
}

/// Writes `text` to `dir/name`, creating the directories on the way.
pub fn write_file(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
    std::fs::write(path, text).expect("write file");
}

/// Like `write_file`, but a `.charter.yaml` gets the hardening families
/// turned off: for tests about other families, whose workloads are bare.
pub fn write_unhardened(dir: &Path, name: &str, text: &str) {
    match name {
        ".charter.yaml" => write_file(dir, name, &without_hardening(text)),
        _ => write_file(dir, name, text),
    }
}

/// Runs `git ARGS` in `dir`, which must succeed; returns its stdout. The
/// identity is the test's own, whatever the machine's configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=charter tests",
            "-c",
            "user.email=tests@charter.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A new git repository in a temporary directory.
pub fn git_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q"]);
    dir
}

/// The Python of the tools venv (`tools/python-env` installs it on first
/// use, honouring `CHARTER_VENV`).
pub fn venv_python() -> PathBuf {
    let output = Command::new(repo_root().join("tools/python-env"))
        .output()
        .expect("tools/python-env starts");
    assert!(
        output.status.success(),
        "tools/python-env failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(
        String::from_utf8(output.stdout)
            .expect("a UTF-8 path")
            .trim(),
    )
}

/// A finding's rule, line, column and whether it is suppressed.
pub type Key = (String, u64, u64, bool);

/// `RULE LINE:COLUMN [suppressed] [xN]`.
pub fn parse_expectation(text: &str, origin: &str) -> (Key, u64) {
    let mut words = text.split_whitespace();
    let rule = words
        .next()
        .unwrap_or_else(|| panic!("{origin}: empty expectation"));
    let position = words
        .next()
        .unwrap_or_else(|| panic!("{origin}: `{text}` lacks LINE:COLUMN"));
    let (line, column) = position
        .split_once(':')
        .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
        .unwrap_or_else(|| panic!("{origin}: `{position}` is not LINE:COLUMN"));
    let mut suppressed = false;
    let mut count = 1;
    for word in words {
        match word {
            "suppressed" => suppressed = true,
            times if times.starts_with('x') => {
                count = times[1..]
                    .parse()
                    .unwrap_or_else(|_| panic!("{origin}: `{times}` is not xN"));
            }
            other => panic!("{origin}: unknown word `{other}`"),
        }
    }
    ((rule.to_owned(), line, column, suppressed), count)
}
