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
    let sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: ai\nspec:\n  encryptedData:\n    password: AgAcLiu4Vp2AbBJR3Mm+44kSDrruo8LYVFp4dgxaplhFuF3k1Lq1ueRSzOx/+o7/tejss+n5caZVifWem9Cfavq7Jq4EYTYeGYt0NkWIfWse2BAdubhYfwwqOiIMFAq/gkFQXgDFFn5NEgKwOZKs+g+d5ReHzU7ycy+hNAzlQcn5p0muhIbWCUcdgRFDUlcx6HYQfnfjJYApdLiD2I4CTRLE0VI4LHs0MwpddjVvDO3onsJsa97ZChrWXDD1uwk8u5S+nQnTMzWcZQjnHtL47WolApEMvpwncPtiO7/I7Uewyj6CPj4pq8hsNQzwFv6Ut+pIv4n39Nb7l8p2UPqE2isxJLZaS9UiLBNBl8d2qOBYkjlP2DGof4NWUOx4zrdK7uEPxFzJG/eMz4HT8bipKXNgzsMFoO3uWjAIzm7FbjPHZoxi+kYE3vaBWO9oJbMB+CH4q+uI6w4osVjPgkUbU//D7ZZPBZDvALsRw+Jonf9E95onhKCbqp/JL2vITC2dFHfqdo4fOTnCum2jtier6rlV/uKV7ETibounUTJ58GG/XrZHRXeJwcyvj6TMlSW8ncr3WYS14fQsX6HCQQ41s1W3J98EpHnHkfBNuKFn/zBIaKmASNe4gC2vYH56F6y+H0laINzji0OkO63KdBvI8vqiLv3N6FbSxecXN+dBPFknyZzqBIE2s3BYDEvaL6zuGfN7IfZHD0YeGGYDrHpHvg==\n";
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
