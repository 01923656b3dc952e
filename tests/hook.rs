//! hooks/pre-commit, the plain git hook, and `charter check --staged`
//! under it: what is judged is the index, not the working tree.

mod common;

use std::path::Path;
use std::process::Command;

use common::{charter_in, findings, git, git_repository, repo_root, write_file};

const SECRET: &str =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: fixture\n";
const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ai\ndata:\n  mode: fast\n";

fn hook(dir: &Path) -> (i32, String) {
    let output = Command::new(repo_root().join("hooks/pre-commit"))
        .current_dir(dir)
        .env("CHARTER", env!("CARGO_BIN_EXE_charter"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the hook runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_hook_judges_the_index_not_the_working_tree() {
    let dir = git_repository();
    let repo = dir.path();
    let sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: ai\nspec:\n  encryptedData:\n    password: AgAcLiu4Vp2AbBJR3Mm+44kSDrruo8LYVFp4dgxaplhFuF3k1Lq1ueRSzOx/+o7/tejss+n5caZVifWem9Cfavq7Jq4EYTYeGYt0NkWIfWse2BAdubhYfwwqOiIMFAq/gkFQXgDFFn5NEgKwOZKs+g+d5ReHzU7ycy+hNAzlQcn5p0muhIbWCUcdgRFDUlcx6HYQfnfjJYApdLiD2I4CTRLE0VI4LHs0MwpddjVvDO3onsJsa97ZChrWXDD1uwk8u5S+nQnTMzWcZQjnHtL47WolApEMvpwncPtiO7/I7Uewyj6CPj4pq8hsNQzwFv6Ut+pIv4n39Nb7l8p2UPqE2isxJLZaS9UiLBNBl8d2qOBYkjlP2DGof4NWUOx4zrdK7uEPxFzJG/eMz4HT8bipKXNgzsMFoO3uWjAIzm7FbjPHZoxi+kYE3vaBWO9oJbMB+CH4q+uI6w4osVjPgkUbU//D7ZZPBZDvALsRw+Jonf9E95onhKCbqp/JL2vITC2dFHfqdo4fOTnCum2jtier6rlV/uKV7ETibounUTJ58GG/XrZHRXeJwcyvj6TMlSW8ncr3WYS14fQsX6HCQQ41s1W3J98EpHnHkfBNuKFn/zBIaKmASNe4gC2vYH56F6y+H0laINzji0OkO63KdBvI8vqiLv3N6FbSxecXN+dBPFknyZzqBIE2s3BYDEvaL6zuGfN7IfZHD0YeGGYDrHpHvg==\n";
    write_file(repo, "deploy/db.yaml", SECRET);
    write_file(repo, "README.md", "not a manifest\n");
    git(repo, &["add", "deploy/db.yaml", "README.md"]);

    // Fixed in the working tree but not staged: the commit would still add the secret.
    write_file(repo, "deploy/db.yaml", sealed);
    let (code, out) = hook(repo);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("╭─[deploy/db.yaml:5:1]"), "{out}");
    assert!(out.contains("error[SEC-001]"), "{out}");
    assert!(
        !out.contains("fixture"),
        "the secret is never printed: {out}"
    );

    git(repo, &["add", "deploy/db.yaml"]);
    let (code, out) = hook(repo);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_partly_staged_file_is_judged_by_its_staged_version() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/app.yaml", CONFIG_MAP);
    git(repo, &["add", "deploy/app.yaml"]);
    // The working tree adds a plaintext Secret that is not staged: the
    // commit is clean, and the hook says so.
    write_file(
        repo,
        "deploy/app.yaml",
        &format!("{CONFIG_MAP}---\n{SECRET}"),
    );
    let (code, out) = hook(repo);
    assert_eq!(code, 0, "{out}");

    // Staged with a line in front, then that line dropped in the working
    // tree: the finding is at the staged line, 14:1, not the working tree's 13:1.
    write_file(
        repo,
        "deploy/app.yaml",
        &format!("{CONFIG_MAP}---\n# note\n{SECRET}"),
    );
    git(repo, &["add", "deploy/app.yaml"]);
    write_file(
        repo,
        "deploy/app.yaml",
        &format!("{CONFIG_MAP}---\n{SECRET}"),
    );
    let run = charter_in(repo, &["check", "--staged", "--format", "json"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run.stdout),
        [("deploy/app.yaml".to_owned(), "SEC-001".to_owned(), 14, 1)]
    );
}

#[test]
fn staged_runs_take_every_staged_file_and_scan_text_files() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/gone.yaml", SECRET);
    git(repo, &["add", "deploy/gone.yaml"]);
    git(repo, &["commit", "-q", "-m", "base", "--no-verify"]);
    let key = concat!("-----BEGIN ", "RSA PRIVATE KEY-----");
    write_file(repo, "notes/ops.txt", &format!("the key:\n{key}\nMIIEow\n"));
    write_file(repo, "deploy/cm.yaml", CONFIG_MAP);
    write_file(repo, "deploy/unstaged.yaml", SECRET);
    git(repo, &["add", "notes/ops.txt", "deploy/cm.yaml"]);
    // A deletion is staged too: nothing of it is reported.
    git(repo, &["rm", "-q", "deploy/gone.yaml"]);

    let run = charter_in(repo, &["check", "--staged", "--format", "json"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run.stdout),
        [("notes/ops.txt".to_owned(), "LEAK-001".to_owned(), 2, 1)]
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["summary"]["files_read"], 1, "{}", run.stdout);
    assert_eq!(report["summary"]["files_scanned"], 2, "{}", run.stdout);
    assert!(!run.stdout.contains("MIIEow"), "{}", run.stdout);

    // A path narrows the set; from a subdirectory, names stay relative to it.
    let run = charter_in(&repo.join("deploy"), &["check", "--staged", "."], None);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("in 1 file"), "{}", run.stdout);
}

#[test]
fn staged_usage_errors_name_the_problem() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/new.yaml", CONFIG_MAP);
    let run = charter_in(repo, &["check", "--staged", "deploy/new.yaml"], None);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("deploy/new.yaml: not in the git index (stage it with `git add`)"),
        "{}",
        run.stderr
    );

    let run = charter_in(repo, &["check", "--staged", "-"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("standard input"), "{}", run.stderr);

    let elsewhere = tempfile::tempdir().expect("temp dir");
    let run = charter_in(elsewhere.path(), &["check", "--staged"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--staged needs a git repository"),
        "{}",
        run.stderr
    );
}
