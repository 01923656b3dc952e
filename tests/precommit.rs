//! The hooks of `.pre-commit-hooks.yaml` under the real pre-commit framework
//! (pinned in tools/requirements.txt): `pre-commit try-repo` of this
//! repository in a temporary git repository, on a clean and on a failing
//! commit. The `language: system` hooks run the binary under test (its
//! directory first on PATH); the `language: rust` ones are built by the
//! framework with `cargo install --path .`, here with the release profile
//! turned down (no LTO, no optimisation) and a target directory kept
//! between runs, which makes the first build cost about two minutes on 2
//! cores and later ones seconds (README, "Pre-commit and CI").

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{git, git_repository, repo_root, venv_python, write_file};
use serde_json::Value;

const SECRET: &str =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: fixture\n";
const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ai\ndata:\n  mode: fast\n";

struct Verdict {
    code: i32,
    output: String,
}

/// `pre-commit try-repo <this repository> HOOK` on what `repo` has staged.
fn try_repo(repo: &Path, hook: &str) -> Verdict {
    // The framework's cache (its clones of this repository) per run.
    let home = tempfile::tempdir().expect("temp dir");
    try_repo_with(repo, hook, home.path(), &[])
}

/// `try_repo` with the framework's cache in `home` and more environment.
fn try_repo_with(repo: &Path, hook: &str, home: &Path, env: &[(&str, &str)]) -> Verdict {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_charter"));
    let bin_dir = binary.parent().expect("the binary's directory");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let output = Command::new(venv_python())
        .args(["-m", "pre_commit", "try-repo", "--color", "never"])
        .arg(repo_root())
        .arg(hook)
        .current_dir(repo)
        .env("PATH", std::env::join_paths(dirs).expect("a PATH"))
        .env("PRE_COMMIT_HOME", home)
        .envs(env.iter().copied())
        .env("GIT_AUTHOR_NAME", "charter tests")
        .env("GIT_AUTHOR_EMAIL", "tests@charter.invalid")
        .env("GIT_COMMITTER_NAME", "charter tests")
        .env("GIT_COMMITTER_EMAIL", "tests@charter.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("pre-commit runs");
    Verdict {
        code: output.status.code().expect("an exit code"),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

#[test]
fn the_charter_hook_passes_a_clean_commit_and_fails_a_plaintext_secret() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/settings.yaml", CONFIG_MAP);
    git(repo, &["add", "deploy/settings.yaml"]);
    let clean = try_repo(repo, "charter-system");
    assert_eq!(clean.code, 0, "{}", clean.output);
    assert!(clean.output.contains("Passed"), "{}", clean.output);
    git(repo, &["commit", "-q", "-m", "clean", "--no-verify"]);

    write_file(repo, "deploy/db.yaml", SECRET);
    git(repo, &["add", "deploy/db.yaml"]);
    let failing = try_repo(repo, "charter-system");
    assert_eq!(failing.code, 1, "{}", failing.output);
    assert!(failing.output.contains("Failed"), "{}", failing.output);
    assert!(
        failing.output.contains("error[SEC-001]"),
        "{}",
        failing.output
    );
    assert!(
        failing.output.contains("deploy/db.yaml:5:1"),
        "{}",
        failing.output
    );
    assert!(!failing.output.contains("fixture"), "{}", failing.output);
}

#[test]
fn the_framework_stashes_unstaged_changes_and_the_context_is_the_repository() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/b.yaml", CONFIG_MAP);
    git(repo, &["add", "deploy/b.yaml"]);
    git(repo, &["commit", "-q", "-m", "base", "--no-verify"]);

    // Staged clean, a Secret added only in the working tree: judged clean.
    let settings = CONFIG_MAP.replace("name: settings", "name: other");
    write_file(repo, "deploy/other.yaml", &settings);
    git(repo, &["add", "deploy/other.yaml"]);
    write_file(
        repo,
        "deploy/other.yaml",
        &format!("{settings}---\n{SECRET}"),
    );
    let verdict = try_repo(repo, "charter-system");
    assert_eq!(verdict.code, 0, "{}", verdict.output);
    // ...and the unstaged change is back afterwards.
    let text = std::fs::read_to_string(repo.join("deploy/other.yaml")).expect("read");
    assert!(text.contains("kind: Secret"), "{text}");

    // A copy of a committed resource: only the repository as context shows it.
    git(repo, &["checkout", "--", "deploy/other.yaml"]);
    write_file(repo, "deploy/c.yaml", CONFIG_MAP);
    git(repo, &["add", "deploy/c.yaml"]);
    let verdict = try_repo(repo, "charter-system");
    assert_eq!(verdict.code, 1, "{}", verdict.output);
    assert!(
        verdict.output.contains("error[HELM-002]"),
        "{}",
        verdict.output
    );
    assert!(
        verdict.output.contains("deploy/c.yaml:4:3"),
        "{}",
        verdict.output
    );
}

#[test]
fn the_secrets_hook_scans_every_staged_text_file_with_the_leak_rules_alone() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "notes/ops.txt", "nothing to see\n");
    // A plaintext Secret is SEC-001's, not the secret scanner's.
    write_file(repo, "deploy/db.yaml", SECRET);
    git(repo, &["add", "."]);
    let clean = try_repo(repo, "charter-secrets-system");
    assert_eq!(clean.code, 0, "{}", clean.output);
    git(repo, &["commit", "-q", "-m", "clean", "--no-verify"]);

    let key = concat!("-----BEGIN ", "RSA PRIVATE KEY-----");
    write_file(repo, "notes/ops.txt", &format!("the key:\n{key}\nMIIEow\n"));
    git(repo, &["add", "notes/ops.txt"]);
    let failing = try_repo(repo, "charter-secrets-system");
    assert_eq!(failing.code, 1, "{}", failing.output);
    assert!(
        failing.output.contains("error[LEAK-001]"),
        "{}",
        failing.output
    );
    assert!(
        failing.output.contains("notes/ops.txt:2:1"),
        "{}",
        failing.output
    );
    assert!(
        !failing.output.contains("RSA PRIVATE"),
        "{}",
        failing.output
    );
}

#[test]
fn the_rust_hooks_build_this_repository_and_give_the_same_verdicts() {
    // pre-commit runs `cargo install --bins --root <env> --path .`, a
    // release build: fat LTO would take ten minutes on 2 cores. The
    // profile is turned down through cargo's environment, and the target
    // directory is kept under target/tmp so that later runs only relink.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-rust-hooks");
    let target = target.to_string_lossy().into_owned();
    let env = [
        ("CARGO_TARGET_DIR", target.as_str()),
        ("CARGO_PROFILE_RELEASE_LTO", "false"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
    ];
    let home = tempfile::tempdir().expect("temp dir");
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/settings.yaml", CONFIG_MAP);
    git(repo, &["add", "."]);
    let clean = try_repo_with(repo, "charter", home.path(), &env);
    assert_eq!(clean.code, 0, "{}", clean.output);
    git(repo, &["commit", "-q", "-m", "clean", "--no-verify"]);

    write_file(repo, "deploy/db.yaml", SECRET);
    let key = concat!("-----BEGIN ", "RSA PRIVATE KEY-----");
    write_file(repo, "notes/ops.txt", &format!("the key:\n{key}\n"));
    git(repo, &["add", "."]);
    let failing = try_repo_with(repo, "charter", home.path(), &env);
    assert_eq!(failing.code, 1, "{}", failing.output);
    assert!(
        failing.output.contains("error[SEC-001]"),
        "{}",
        failing.output
    );
    assert!(!failing.output.contains("LEAK-001"), "{}", failing.output);
    let secrets = try_repo_with(repo, "charter-secrets", home.path(), &env);
    assert_eq!(secrets.code, 1, "{}", secrets.output);
    assert!(
        secrets.output.contains("error[LEAK-001]"),
        "{}",
        secrets.output
    );
    assert!(
        secrets.output.contains("notes/ops.txt:2:1"),
        "{}",
        secrets.output
    );
    assert!(!secrets.output.contains("SEC-001"), "{}", secrets.output);
}

/// The hooks as declared.
fn hooks() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml at the repository root");
    let documents = charter::yaml::parse_stream(&text, charter::yaml::Limits::default());
    let root = documents
        .into_iter()
        .next()
        .and_then(|document| document.root)
        .expect("one YAML document");
    root.to_json().as_array().cloned().expect("a list of hooks")
}

#[test]
fn the_manifest_is_valid_and_the_rust_hooks_match_their_system_twins() {
    let output = Command::new(venv_python())
        .args(["-m", "pre_commit", "validate-manifest"])
        .arg(repo_root().join(".pre-commit-hooks.yaml"))
        .output()
        .expect("pre-commit runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let hooks = hooks();
    let ids: Vec<&str> = hooks
        .iter()
        .filter_map(|hook| hook["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "charter",
            "charter-secrets",
            "charter-system",
            "charter-secrets-system"
        ]
    );
    let by_id = |id: &str| {
        hooks
            .iter()
            .find(|hook| hook["id"] == id)
            .cloned()
            .expect("declared")
    };
    for (rust, system) in [
        ("charter", "charter-system"),
        ("charter-secrets", "charter-secrets-system"),
    ] {
        let (rust, system) = (by_id(rust), by_id(system));
        assert_eq!(rust["language"], "rust");
        assert_eq!(system["language"], "system");
        for key in [
            "entry",
            "types",
            "types_or",
            "require_serial",
            "pass_filenames",
        ] {
            assert_eq!(rust[key], system[key], "{key}");
        }
    }
    let charter = by_id("charter");
    assert_eq!(charter["entry"], "charter check --context .");
    assert_eq!(charter["types_or"], serde_json::json!(["yaml", "json"]));
    let secrets = by_id("charter-secrets");
    assert_eq!(secrets["entry"], "charter check --select LEAK");
    assert_eq!(secrets["types"], serde_json::json!(["text"]));
    // `cargo install --path .` needs the package at the root.
    assert!(repo_root().join("Cargo.toml").is_file());
}
