//! hooks/pre-commit, the plain git hook, checks the staged content.

mod common;

use std::path::Path;
use std::process::Command;

use common::repo_root;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn hook(dir: &Path) -> (i32, String) {
    let output = Command::new(repo_root().join("hooks/pre-commit"))
        .current_dir(dir)
        .env("CHARTER", env!("CARGO_BIN_EXE_charter"))
        .output()
        .expect("the hook runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_hook_judges_the_index_not_the_working_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::create_dir(repo.join("deploy")).unwrap();
    let secret =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: fixture\n";
    let sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: ai\nspec:\n  encryptedData:\n    password: AgBy8hCi8Q6HX3b1Uu0Rr0yFZ0Ex5OqAbc\n";
    std::fs::write(repo.join("deploy/db.yaml"), secret).unwrap();
    std::fs::write(repo.join("README.md"), "not checked\n").unwrap();
    git(repo, &["add", "deploy/db.yaml", "README.md"]);

    // Fixed in the working tree but not staged: the commit would still add the secret.
    std::fs::write(repo.join("deploy/db.yaml"), sealed).unwrap();
    let (code, out) = hook(repo);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("╭─[deploy/db.yaml:5:1]"), "{out}");

    git(repo, &["add", "deploy/db.yaml"]);
    let (code, out) = hook(repo);
    assert_eq!(code, 0, "{out}");
}
