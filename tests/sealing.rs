//! `tools/seal`, the SealedSecret generator, end to end: what it seals
//! unseals to the exact values only under the scope it was sealed for, its
//! output passes the SEC rules, and `deploy/secrets/` holds real sealed
//! output, a certificate and no private key.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{charter, charter_in, repo_root, write_file as write};
use serde_json::Value;

/// The venv's Python, from `tools/python-env` (which installs the venv on
/// first use; every test asks, so it is asked once).
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
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
    })
}

/// Runs `tools/seal ARGS` in `dir`.
fn seal_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(python())
        .arg(repo_root().join("tools/seal.py"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("tools/seal.py starts")
}

fn stdout_of(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// A temp dir holding `cert.pem` and its private key `key.pem`.
fn keypair() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    stdout_of(
        seal_in(
            dir.path(),
            &["new-cert", "--cert", "cert.pem", "--key-out", "key.pem"],
        ),
        "new-cert",
    );
    dir
}

/// `tools/seal unseal --key key.pem FILE`: the Secret's `data`, decoded.
fn unseal(dir: &Path, file: &str) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let output = seal_in(dir, &["unseal", "--key", "key.pem", file]);
    if !output.status.success() {
        return Err(String::from_utf8(output.stderr).expect("stderr is UTF-8"));
    }
    let secret: Value = serde_json::from_slice(&output.stdout).expect("unseal prints JSON");
    assert_eq!(secret["kind"], "Secret");
    Ok(secret["data"]
        .as_object()
        .expect("data is a map")
        .iter()
        .map(|(key, value)| {
            let value = STANDARD
                .decode(value.as_str().expect("a string"))
                .expect("base64");
            (key.clone(), value)
        })
        .collect())
}

/// The `encryptedData` values of a SealedSecret YAML written by `tools/seal`
/// (one `KEY: VALUE` line each, as it writes them).
fn encrypted_values(yaml: &str) -> BTreeMap<String, String> {
    let block = yaml
        .split_once("\n  encryptedData:\n")
        .expect("has spec.encryptedData")
        .1;
    block
        .lines()
        .take_while(|line| line.starts_with("    "))
        .map(|line| {
            let (key, value) = line.trim().split_once(": ").expect("KEY: VALUE");
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// Asserts `value` is sealed output for a 4096-bit key hiding `plaintext_len`
/// bytes: `[0x02 0x00][512-byte RSA block][ciphertext][16-byte tag]`.
fn assert_sealed_4096(value: &str, plaintext_len: usize) {
    let bytes = STANDARD.decode(value).expect("standard base64");
    assert_eq!(
        &bytes[..2],
        &[2, 0],
        "length prefix of a 512-byte RSA block"
    );
    assert_eq!(bytes.len(), 2 + 512 + plaintext_len + 16);
}

fn assert_sealed_4096_any_length(value: &str) {
    let bytes = STANDARD.decode(value).expect("standard base64");
    assert_eq!(
        &bytes[..2],
        &[2, 0],
        "length prefix of a 512-byte RSA block"
    );
    assert!(
        bytes.len() > 2 + 512 + 16,
        "an AES-GCM part after the RSA block"
    );
}

#[test]
fn sealed_values_unseal_to_the_exact_plaintexts() {
    let dir = keypair();
    let binary: Vec<u8> = (0..=255).collect();
    std::fs::write(dir.path().join("blob.bin"), &binary).expect("write blob");
    let yaml = stdout_of(
        seal_in(
            dir.path(),
            &[
                "seal",
                "--cert",
                "cert.pem",
                "--namespace",
                "ai-backend",
                "--name",
                "litellm-db",
                "--from-literal",
                "username=litellm",
                "--from-literal",
                "password=correct horse: battery=staple",
                "--from-file",
                "blob=blob.bin",
            ],
        ),
        "seal",
    );
    write(dir.path(), "sealed.yaml", &yaml);

    let values = encrypted_values(&yaml);
    assert_eq!(
        values.keys().collect::<Vec<_>>(),
        ["blob", "password", "username"],
        "keys in sorted order"
    );
    assert_sealed_4096(&values["username"], "litellm".len());
    assert!(
        !yaml.contains("correct horse"),
        "a literal in the output:\n{yaml}"
    );
    assert!(yaml.contains("\n  name: litellm-db\n  namespace: ai-backend\n"));
    assert!(yaml.contains("\n      name: litellm-db\n      namespace: ai-backend\n"));
    assert!(yaml.contains("\n    type: Opaque\n"));
    assert!(
        !yaml.contains("sealedsecrets.bitnami.com/"),
        "strict: no scope annotation"
    );

    let data = unseal(dir.path(), "sealed.yaml").expect("unseals with its key");
    assert_eq!(data["username"], b"litellm");
    assert_eq!(data["password"], b"correct horse: battery=staple");
    assert_eq!(data["blob"], binary);

    // Sealing twice gives other ciphertexts: a fresh session key per value.
    let again = stdout_of(
        seal_in(
            dir.path(),
            &[
                "seal",
                "--cert",
                "cert.pem",
                "-n",
                "ai-backend",
                "--name",
                "litellm-db",
                "--from-literal",
                "username=litellm",
            ],
        ),
        "seal",
    );
    assert_ne!(encrypted_values(&again)["username"], values["username"]);

    // The SEC rules accept the output as a committed SealedSecret.
    let run = charter_in(
        dir.path(),
        &["check", "sealed.yaml", "--no-config", "--format", "json"],
        None,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["findings"], Value::Array(vec![]));
}

#[test]
fn the_scope_label_binds_where_values_unseal() {
    let dir = keypair();
    let sealed = |scope: &str| {
        let mut args = vec![
            "seal", "--cert", "cert.pem", "--name", "agent", "--scope", scope,
        ];
        if scope != "cluster-wide" {
            args.extend(["--namespace", "ai-backend"]);
        }
        args.extend(["--from-literal", "token=s3cr3t"]);
        stdout_of(seal_in(dir.path(), &args), "seal")
    };
    // The controller derives the label from the SealedSecret's own metadata,
    // so moving it means editing that.
    let moved = |yaml: &str, from: &str, to: &str| {
        assert!(yaml.contains(from), "{from} in:\n{yaml}");
        yaml.replacen(from, to, 1)
    };
    let renamed = |yaml: &str| moved(yaml, "\n  name: agent\n", "\n  name: other\n");
    let other_namespace = |yaml: &str| {
        moved(
            yaml,
            "\n  namespace: ai-backend\n",
            "\n  namespace: ai-frontend\n",
        )
    };
    let unseals = |name: &str, yaml: &str| {
        write(dir.path(), name, yaml);
        unseal(dir.path(), name)
    };

    let strict = sealed("strict");
    assert_eq!(unseals("strict.yaml", &strict).unwrap()["token"], b"s3cr3t");
    let error = unseals("strict-renamed.yaml", &renamed(&strict)).unwrap_err();
    assert!(
        error.contains("strict-renamed.yaml")
            && error.contains("encryptedData.token")
            && error.contains("'ai-backend/other'"),
        "the error names the file, the key and the label: {error}"
    );
    assert!(!error.contains("s3cr3t"));
    unseals("strict-moved.yaml", &other_namespace(&strict)).unwrap_err();

    let namespace_wide = sealed("namespace-wide");
    assert!(namespace_wide.contains(
        "\n  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\nspec:\n"
    ));
    assert_eq!(
        unseals("ns-renamed.yaml", &renamed(&namespace_wide)).unwrap()["token"],
        b"s3cr3t"
    );
    unseals("ns-moved.yaml", &other_namespace(&namespace_wide)).unwrap_err();

    let cluster_wide = sealed("cluster-wide");
    assert!(cluster_wide.contains("sealedsecrets.bitnami.com/cluster-wide: \"true\""));
    assert!(!cluster_wide.contains("namespace:"));
    assert_eq!(
        unseals("cw-renamed.yaml", &renamed(&cluster_wide)).unwrap()["token"],
        b"s3cr3t"
    );

    // Another controller's key opens nothing.
    let stranger = keypair();
    std::fs::copy(stranger.path().join("key.pem"), dir.path().join("key.pem"))
        .expect("swap the key");
    unseals("cw-other-key.yaml", &cluster_wide).unwrap_err();
}

#[test]
fn random_values_are_url_safe_and_never_printed() {
    let dir = keypair();
    let output = seal_in(
        dir.path(),
        &[
            "seal",
            "--cert",
            "cert.pem",
            "-n",
            "search",
            "--name",
            "searxng-secrets",
            "--random",
            "secret-key",
            "--random",
            "short:24",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let yaml = stdout_of(output, "seal");
    write(dir.path(), "sealed.yaml", &yaml);
    let data = unseal(dir.path(), "sealed.yaml").expect("unseals");
    for (key, bytes) in [("secret-key", 32), ("short", 24)] {
        let value = std::str::from_utf8(&data[key]).expect("ASCII");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(value).expect("URL-safe").len(),
            bytes
        );
        assert!(!yaml.contains(value) && !stderr.contains(value));
    }
    assert!(yaml.contains("--random secret-key") && yaml.contains("--random short:24"));
}

#[test]
fn mistakes_name_the_option_and_what_is_wrong() {
    let dir = keypair();
    let error = |args: &[&str]| {
        let output = seal_in(dir.path(), args);
        assert!(!output.status.success(), "{args:?} succeeded");
        String::from_utf8(output.stderr).expect("UTF-8")
    };
    let base = [
        "seal",
        "--cert",
        "cert.pem",
        "-n",
        "ai-backend",
        "--name",
        "x",
    ];
    let with = |more: &[&'static str]| [&base[..], more].concat();
    assert!(error(&with(&[])).contains("nothing to seal"));
    assert!(error(&with(&["--random", "a", "--from-literal", "a=b"])).contains("given twice"));
    assert!(error(&with(&["--from-literal", "novalue"])).contains("KEY=VALUE"));
    assert!(error(&with(&["--from-literal", "bad key=v"])).contains("the key must be"));
    assert!(error(&with(&["--from-file", "k=missing.bin"])).contains("missing.bin"));
    assert!(error(&with(&["--random", "k:4"])).contains("16 to 4096"));
    let no_cert = error(&[
        "seal", "--cert", "key.pem", "-n", "a", "--name", "x", "--random", "k",
    ]);
    assert!(no_cert.contains("key.pem") && no_cert.contains("not a PEM certificate"));
    assert!(
        error(&["seal", "--cert", "cert.pem", "--name", "x", "--random", "k"])
            .contains("--namespace is required")
    );
    // A private key may not be written where it could be committed.
    let inside = repo_root().join("target/seal-test-key.pem");
    let message = error(&[
        "new-cert",
        "--cert",
        "c.pem",
        "--key-out",
        inside.to_str().expect("UTF-8 path"),
    ]);
    assert!(message.contains("inside the repository"), "{message}");
    assert!(!inside.exists());
}

#[test]
fn the_secret_scanner_flags_the_private_key_new_cert_writes() {
    let dir = keypair();
    let run = charter_in(
        dir.path(),
        &[
            "check",
            "key.pem",
            "cert.pem",
            "--no-config",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rules: Vec<(String, String)> = run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["file"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(rules, [("LEAK-001".to_owned(), "key.pem".to_owned())]);
}

#[test]
fn deploy_secrets_hold_sealed_output_a_certificate_and_no_private_key() {
    let secrets = repo_root().join("deploy/secrets");
    let cert = std::fs::read_to_string(secrets.join("sealing-cert.pem")).expect("the cert");
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(cert.matches("-----BEGIN ").count(), 1, "one PEM block");
    assert!(cert.trim_end().ends_with("-----END CERTIFICATE-----"));

    let mut files = Vec::new();
    let mut dirs = vec![secrets.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let text = std::fs::read_to_string(&path).expect("text file");
                assert!(
                    !text.contains("PRIVATE KEY"),
                    "{} holds a private key",
                    path.display()
                );
                files.push(path);
            }
        }
    }

    let expected: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("ai-backend/agent-server-secrets", &["litellm-api-key"][..]),
        ("ai-backend/litellm-secrets", &["master-key"][..]),
        ("ai-frontend/n8n-secrets", &["encryption-key"][..]),
        (
            "ai-frontend/open-webui-secrets",
            &["litellm-api-key", "secret-key"][..],
        ),
        ("search/searxng-secrets", &["secret-key"][..]),
        (
            "monitoring/grafana-admin",
            &["admin-password", "admin-user"][..],
        ),
        ("gitlab-runner/gitlab-runner", &["runner-token"][..]),
        (
            "linkerd/linkerd-identity-issuer",
            &["ca.crt", "tls.crt", "tls.key"][..],
        ),
    ]);
    // Linkerd's trust anchor is public: the one file here that is not sealed.
    let unsealed = ["linkerd/linkerd-identity-trust-roots"];
    let mut sealed: Vec<String> = files
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| {
            let relative = path.strip_prefix(&secrets).expect("under deploy/secrets");
            relative
                .with_extension("")
                .to_str()
                .expect("UTF-8")
                .to_owned()
        })
        .filter(|file| !unsealed.contains(&file.as_str()))
        .collect();
    sealed.sort();
    let mut wanted: Vec<&str> = expected.keys().copied().collect();
    wanted.sort();
    assert_eq!(sealed, wanted);
    for (file, keys) in &expected {
        let yaml = std::fs::read_to_string(secrets.join(format!("{file}.yaml"))).expect("read");
        let (namespace, name) = file.split_once('/').expect("NAMESPACE/NAME");
        assert!(
            yaml.starts_with("# Sealed with tools/seal"),
            "{file}: header"
        );
        assert!(
            yaml.contains(&format!("--namespace {namespace} --name {name}")),
            "{file}"
        );
        assert!(yaml.contains("\nkind: SealedSecret\n"), "{file}");
        assert!(yaml.contains(&format!("\n  name: {name}\n  namespace: {namespace}\n")));
        assert!(
            yaml.contains("app.kubernetes.io/part-of: ai-platform"),
            "{file}"
        );
        let values = encrypted_values(&yaml);
        assert_eq!(values.keys().collect::<Vec<_>>(), *keys, "{file}");
        for (key, value) in &values {
            if yaml.contains(&format!("--random {key}")) {
                // `--random` makes 32 bytes, 43 characters of URL-safe base64.
                assert_sealed_4096(value, 43);
            } else {
                // A value given as is (a user name, a certificate): sealed
                // all the same, its length unknown here.
                assert_sealed_4096_any_length(value);
            }
        }
    }

    let run = charter(&["check", "deploy/secrets/", "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["findings"], Value::Array(vec![]));
}
