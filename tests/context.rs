//! `--context DIR`, `--changed [--base REF]` and `--select`: hook-style runs
//! that judge a few files against the whole repository.

mod common;

use common::{charter_in, findings, git, git_repository, write_file};

const SECRET: &str =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: fixture\n";
const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ai\ndata:\n  mode: fast\n";

/// A plaintext Secret named `name` (SEC-001 at 5:1).
fn secret(name: &str) -> String {
    SECRET.replace("name: db", &format!("name: {name}"))
}

fn found(file: &str, rule: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (file.to_owned(), rule.to_owned(), line, column)
}

#[test]
fn the_context_feeds_whole_set_rules_and_is_never_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_file(root, "deploy/b.yaml", CONFIG_MAP);
    write_file(root, "deploy/c.yaml", CONFIG_MAP);
    // A context file with problems of its own: none of them is reported.
    write_file(root, "deploy/secret.yaml", SECRET);
    write_file(root, "deploy/broken.yaml", "kind: [\n");

    // Alone, c.yaml is clean: the duplicate is in a file the run does not see.
    let run = charter_in(root, &["check", "--format", "json", "deploy/c.yaml"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(findings(&run.stdout), []);

    let args = [
        "check",
        "--format",
        "json",
        "--context",
        ".",
        "deploy/c.yaml",
    ];
    let run = charter_in(root, &args, None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run.stdout),
        [found("deploy/c.yaml", "HELM-002", 4, 3)]
    );
    let report = run.json();
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("already at deploy/b.yaml:4")),
        "{}",
        run.stdout
    );
    assert_eq!(report["summary"]["files_read"], 1);
    assert_eq!(report["summary"]["resources"], 1);

    // Standard input stands for the file it is named after, whose copy on
    // disk is then not context: the Deployment dropped from it is gone.
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";
    write_file(
        root,
        "deploy/web.yaml",
        &format!("{service}---\n{deployment}"),
    );
    let args = [
        "check",
        "--format",
        "json",
        "--context",
        ".",
        "-",
        "--stdin-filename",
        "deploy/web.yaml",
    ];
    let run = charter_in(root, &args, Some(service.as_bytes()));
    let rules: Vec<String> = findings(&run.stdout).into_iter().map(|f| f.1).collect();
    assert!(rules.contains(&"NET-002".to_owned()), "{}", run.stdout);
    std::fs::remove_file(root.join("deploy/web.yaml")).expect("removed");

    let run = charter_in(
        root,
        &["check", "--context", "nowhere", "deploy/c.yaml"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--context nowhere: no such directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn staged_runs_take_the_repository_as_context_unless_told_not_to() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/b.yaml", CONFIG_MAP);
    git(repo, &["add", "deploy/b.yaml"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    write_file(repo, "deploy/c.yaml", CONFIG_MAP);
    git(repo, &["add", "deploy/c.yaml"]);

    let run = charter_in(repo, &["check", "--staged", "--format", "json"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run.stdout),
        [found("deploy/c.yaml", "HELM-002", 4, 3)]
    );
    let args = ["check", "--staged", "--no-context", "--format", "json"];
    let run = charter_in(repo, &args, None);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn changed_reports_what_changed_since_the_base_and_nothing_deleted() {
    let dir = git_repository();
    let repo = dir.path();
    write_file(repo, "deploy/kept.yaml", CONFIG_MAP);
    write_file(repo, "deploy/edited.yaml", CONFIG_MAP);
    write_file(repo, "deploy/deleted.yaml", &secret("deleted"));
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let base = git(repo, &["rev-parse", "HEAD"]);
    // The remote's default branch points at the base.
    git(
        repo,
        &["update-ref", "refs/remotes/origin/main", base.trim()],
    );
    git(
        repo,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ],
    );
    git(repo, &["checkout", "-q", "-b", "feature"]);
    write_file(repo, "deploy/committed.yaml", &secret("committed"));
    git(repo, &["add", "deploy/committed.yaml"]);
    git(repo, &["commit", "-q", "-m", "on the branch"]);
    write_file(repo, "deploy/staged.yaml", &secret("staged"));
    git(repo, &["add", "deploy/staged.yaml"]);
    write_file(
        repo,
        "deploy/edited.yaml",
        &format!("{CONFIG_MAP}---\n{}", secret("edited")),
    );
    write_file(repo, "deploy/untracked.yaml", &secret("untracked"));
    write_file(repo, ".gitignore", "ignored.yaml\n");
    write_file(repo, "deploy/ignored.yaml", &secret("ignored"));
    std::fs::remove_file(repo.join("deploy/deleted.yaml")).expect("delete");

    let everything = [
        found("deploy/committed.yaml", "SEC-001", 5, 1),
        found("deploy/edited.yaml", "SEC-001", 13, 1),
        found("deploy/staged.yaml", "SEC-001", 5, 1),
        found("deploy/untracked.yaml", "SEC-001", 5, 1),
    ];
    // Default base: the merge base with origin/HEAD.
    let run = charter_in(repo, &["check", "--changed", "--format", "json"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings(&run.stdout), everything);
    assert_eq!(run.json()["summary"]["files_read"], 4);

    // Since HEAD, the branch's commit is no longer a change.
    let args = ["check", "--changed", "--base", "HEAD", "--format", "json"];
    let run = charter_in(repo, &args, None);
    assert_eq!(findings(&run.stdout), everything[1..]);

    // A path narrows the set to the changed files under it.
    let args = [
        "check",
        "--changed",
        "--format",
        "json",
        "deploy/staged.yaml",
        "deploy/kept.yaml",
    ];
    let run = charter_in(repo, &args, None);
    assert_eq!(findings(&run.stdout), [everything[2].clone()]);

    let run = charter_in(repo, &["check", "--changed", "--base", "no-such-ref"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--base no-such-ref: no such commit"),
        "{}",
        run.stderr
    );

    let elsewhere = tempfile::tempdir().expect("temp dir");
    let run = charter_in(elsewhere.path(), &["check", "--changed"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--changed needs a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn select_runs_only_the_named_rules_and_families() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let key = concat!("-----BEGIN ", "RSA PRIVATE KEY-----");
    // A private key inside a plaintext Secret: SEC-001's when SEC runs,
    // the scanner's when only LEAK does.
    let secret_with_key = format!("{SECRET}  key: |\n    {key}\n    MIIEow\n");
    write_file(root, "deploy/db.yaml", &secret_with_key);
    write_file(root, "notes.txt", &format!("{key}\n"));
    write_file(root, "deploy/broken.yaml", "kind: [\n");

    let run = charter_in(
        root,
        &["check", "--format", "json", "--select", "LEAK", "."],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings(&run.stdout),
        [
            found("deploy/db.yaml", "LEAK-001", 8, 5),
            found("notes.txt", "LEAK-001", 1, 1)
        ]
    );
    assert!(!run.stdout.contains("MIIEow"));

    let args = [
        "check",
        "--format",
        "json",
        "--select",
        "sec-001,parse",
        ".",
    ];
    let run = charter_in(root, &args, None);
    let rules: Vec<String> = findings(&run.stdout).into_iter().map(|f| f.1).collect();
    assert_eq!(rules, ["PARSE-001", "SEC-001"], "{}", run.stdout);

    let run = charter_in(
        root,
        &["check", "--select", "LEAK", "--select", "NOPE-001", "."],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no rule `NOPE-001`"), "{}", run.stderr);
}
