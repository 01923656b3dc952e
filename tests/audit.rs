//! `charter audit`: the reports it writes (HTML opened in a real headless
//! Chromium, Markdown, JSON against its schema), its exit status and usage
//! errors, and the progress bar of long runs.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{charter, charter_in, charter_with_env, helm_bin, repo_root, write_file};
use serde_json::Value;

const CHROMIUM: &str = "/usr/bin/chromium";

/// A fixture Secret's value (fixtures/sec/sec-001-data.yaml:10), which no
/// report may print.
const FIXTURE_SECRET: &str = "bm90LWEtcmVhbC1rZXktanVzdC1hLWZpeHR1cmU=";

/// The reason of the reasoned inline ignore in
/// fixtures/supp/inline-ignore-with-reason.yaml.
const FIXTURE_REASON: &str = "throwaway credentials of the local demo database; the demo namespace is never synced by ArgoCD";

/// The domain of the services Chromium itself connects to, whatever page it
/// opens (a blank one too): search and sign-in preconnects, push messaging.
/// No flag turns them all off; a report that never names the domain cannot
/// have caused them, so they are told apart by host.
const BROWSER_OWN_DOMAIN: &str = "google.com";

/// The host a proxied request goes to: `CONNECT host:443 ...` or
/// `GET http://host/path ...`.
fn requested_host(request_line: &str) -> &str {
    let target = request_line.split(' ').nth(1).unwrap_or_default();
    let target = target.split_once("://").map_or(target, |(_, rest)| rest);
    let authority = target.split('/').next().unwrap_or_default();
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

fn is_browser_own(host: &str) -> bool {
    host == BROWSER_OWN_DOMAIN || host.ends_with(&format!(".{BROWSER_OWN_DOMAIN}"))
}

/// Where cargo builds: screenshots are kept there for people to look at.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_charter"))
        .ancestors()
        .nth(2)
        .expect("the binary is in <target>/<profile>/")
        .to_path_buf()
}

/// Writes the audit report of `fixtures/` (charts rendered) to `report`.
fn audit_fixtures(report: &Path) -> common::Run {
    let report = report.display().to_string();
    let run = charter(&[
        "audit",
        "fixtures",
        "--report",
        &report,
        "--helm-bin",
        &helm_bin(),
    ]);
    assert_eq!(run.code, 0, "the report is written: {}", run.stderr);
    run
}

/// A TCP listener that records every connection made to it: Chromium is
/// told to use it as its proxy for everything, loopback included, so any
/// fetch at all arrives here.
struct Trap {
    port: u16,
    arrivals: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Trap {
    fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().expect("bound").port();
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (arrivals, stop) = (Arc::clone(&arrivals), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((mut stream, peer)) => {
                            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                            let mut request = [0u8; 512];
                            let read = stream.read(&mut request).unwrap_or(0);
                            let first_line = String::from_utf8_lossy(&request[..read])
                                .lines()
                                .next()
                                .unwrap_or_default()
                                .to_owned();
                            arrivals
                                .lock()
                                .expect("not poisoned")
                                .push(format!("{peer} {first_line}"));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        };
        Trap {
            port,
            arrivals,
            stop,
            thread: Some(thread),
        }
    }

    /// Connections the page could have caused: all but the browser's own.
    fn page_arrivals(self) -> Vec<String> {
        self.arrivals()
            .into_iter()
            .filter(|line| {
                let request = line.split_once(' ').map_or("", |(_, request)| request);
                !is_browser_own(requested_host(request))
            })
            .collect()
    }

    fn arrivals(mut self) -> Vec<String> {
        // Anything Chromium sent before it exited has been accepted by now.
        std::thread::sleep(Duration::from_millis(300));
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.arrivals.lock().expect("not poisoned").clone()
    }
}

/// Runs headless Chromium on `page` with `extra` flags, every request sent
/// to `trap`'s port; returns stdout.
fn chromium(page: &Path, trap: &Trap, extra: &[String]) -> String {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} is missing: install Debian's `chromium` package (.ci/run does) to run the HTML report test"
    );
    let profile = tempfile::tempdir().expect("temp dir");
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            // Fewer of the browser's own connections (see BROWSER_OWN_HOSTS).
            "--disable-features=NetworkTimeServiceQuerying,PreconnectToSearch",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
        // Without this, Chromium sends loopback addresses around the proxy.
        .arg("--proxy-bypass-list=<-loopback>")
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn requests_are_told_apart_by_host() {
    assert_eq!(
        requested_host("CONNECT www.google.com:443 HTTP/1.1"),
        "www.google.com"
    );
    assert_eq!(
        requested_host("GET http://a.invalid/x.png HTTP/1.1"),
        "a.invalid"
    );
    assert!(is_browser_own("android.clients.google.com") && is_browser_own("google.com"));
    assert!(!is_browser_own("notgoogle.com") && !is_browser_own("google.com.evil.example"));
}

#[test]
fn the_trap_sees_a_page_that_fetches() {
    // The control for the test below: a page that loads an image is caught.
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("fetches.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><p>hi<img src=\"http://charter-fetch-probe.invalid/x.png\"></p>",
    )
    .expect("write page");
    let trap = Trap::start();
    chromium(&page, &trap, &["--dump-dom".to_owned()]);
    let arrivals = trap.page_arrivals();
    assert!(
        arrivals
            .iter()
            .any(|line| line.contains("charter-fetch-probe.invalid")),
        "the trap saw no request: {arrivals:?}"
    );
}

#[test]
fn html_report_of_fixtures_opens_in_chromium_without_network_access() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("audit.html");
    let run = audit_fixtures(&report);
    let json_path = dir.path().join("audit.json");
    audit_fixtures(&json_path);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json report"))
            .expect("JSON");
    let overall = json["scores"]["overall"].as_u64().expect("a score");
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [format!(
            "charter: audit score {overall}/100 ({} errors, {} warnings, {} info, 5 suppressed); report written to {}",
            json["scores"]["findings"]["error"],
            json["scores"]["findings"]["warning"],
            json["scores"]["findings"]["info"],
            report.display()
        )],
        "one summary line, no progress bar (stderr is a pipe)"
    );
    let html = std::fs::read_to_string(&report).expect("html report");

    // Nothing in the file refers to anything outside it.
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    for reference in [
        "src=", "url(", "<script", "<link", "@import", "<img", "<iframe",
    ] {
        assert!(!html.contains(reference), "the report has a `{reference}`");
    }
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "a link out of the report: {href:.60}"
        );
    }
    assert!(!html.contains(FIXTURE_SECRET), "a secret in the report");
    assert!(
        !html.contains(BROWSER_OWN_DOMAIN),
        "the report names {BROWSER_OWN_DOMAIN}"
    );

    let trap = Trap::start();
    let dom = chromium(&report, &trap, &["--dump-dom".to_owned()]);
    let screenshot = target_dir().join("audit-report.png");
    let _ = std::fs::remove_file(&screenshot);
    chromium(
        &report,
        &trap,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,2000".to_owned(),
        ],
    );
    let arrivals = trap.page_arrivals();
    assert!(
        arrivals.is_empty(),
        "network access attempted: {arrivals:?}"
    );

    let png = std::fs::read(&screenshot).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "a PNG of the page"
    );

    // What the browser shows: scores, rule ids, a source line, a reason.
    assert!(
        dom.contains(&format!(
            "<span class=\"value\">{overall}</span><span>/ 100 overall"
        )),
        "the overall score"
    );
    for principle in json["scores"]["principles"].as_array().expect("principles") {
        let title = principle["title"].as_str().expect("title");
        match principle["score"].as_u64() {
            Some(score) => assert!(
                dom.contains(&format!("{title}</td><td><span class=\"grade-"))
                    && dom.contains(&format!("<strong>{score}</strong>")),
                "{title} scores {score}"
            ),
            None => panic!("every principle has rules on in fixtures/: {title}"),
        }
    }
    let rules: std::collections::BTreeSet<&str> = json["principles"]
        .as_array()
        .expect("principles")
        .iter()
        .flat_map(|p| p["families"].as_array().into_iter().flatten())
        .flat_map(|f| f["resources"].as_array().into_iter().flatten())
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter_map(|item| item["rule"].as_str())
        .collect();
    assert!(rules.len() > 50, "fixtures/ exercise most rules: {rules:?}");
    for rule in rules {
        assert!(
            dom.contains(&format!("<code>{rule}</code>")),
            "{rule} shown"
        );
    }
    assert!(dom.contains(
        "<span class=\"hit\"><span class=\"ln\">12</span>    repoURL: https://charts.example.com/stable</span>"
    ));
    assert!(dom.contains("<span class=\"ln\">10</span>  N8N_ENCRYPTION_KEY: bm90****"));
    assert!(dom.contains(FIXTURE_REASON));
    assert!(dom.contains("charter explain SEC-001"));
    assert!(dom.contains("Worst resources (top 10)"));
}

#[test]
fn html_report_prints_to_pdf_without_network_access() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_file(
        root,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: ai\nstringData:\n  password: hunter2-is-a-bad-password\n",
    );
    let run = charter_in(root, &["audit", ".", "--report", "audit.html"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pdf = root.join("audit.pdf");
    let trap = Trap::start();
    chromium(
        &root.join("audit.html"),
        &trap,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_owned(),
        ],
    );
    assert_eq!(trap.page_arrivals(), Vec::<String>::new());
    let pdf = std::fs::read(&pdf).expect("a PDF was printed");
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 5_000, "a PDF");
}

#[test]
fn markdown_report_groups_by_principle_family_and_resource() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_file(
        root,
        ".charter.yaml",
        "rules:\n  POD: off\n  NET: off\n  RBAC: off\n  HELM: off\n\
         exemptions:\n  - rules: [SEC-003]\n    name: legacy-settings\n    reason: migrated to a SealedSecret in Q3\n    expires: 2999-01-31\n",
    );
    write_file(
        root,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: ai\nstringData:\n  password: hunter2-is-a-bad-password\n",
    );
    write_file(
        root,
        "config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy-settings\n  namespace: ai\ndata:\n  DB_PASSWORD: correct-horse-battery-staple\n",
    );
    let run = charter_in(root, &["audit", ".", "--report", "audit.md"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "", "reports go to their file, never to stdout");
    let md = std::fs::read_to_string(root.join("audit.md")).expect("report");
    for secret in ["hunter2-is-a-bad-password", "correct-horse-battery-staple"] {
        assert!(!md.contains(secret), "a secret in the report:\n{md}");
    }
    // Two resources, one SEC-001 error (10 points): ⌊2000 / 30⌋.
    assert!(md.contains("**Overall: 66/100 (C)** · 1 error, 0 warnings, 0 info over 2 resources"));
    assert!(md.contains("| 2. Security by design | **66** (C) | 1 | 0 | 0 | 10 |"));
    assert!(md.contains("| 1. Privacy first | **100** (A) | 0 | 0 | 0 | 0 |"));
    assert!(md.contains("| 1 | Secret ai/db | `secret.yaml` | 1 | 0 | 0 | 10 |"));
    let findings = md
        .split("## Findings\n")
        .nth(1)
        .and_then(|rest| rest.split("## Suppressed findings").next())
        .expect("a findings section");
    assert!(
        findings.starts_with(
            "\n### 2. Security by design (score 66)\n\n#### SEC (1 finding)\n\n\
             ##### Secret ai/db in `secret.yaml`\n\n\
             - **error** `SEC-001` Plaintext Secret in a manifest: `secret.yaml:6:1` at `/stringData`  \n\
             \x20 Secret ai/db holds 1 value in plaintext `stringData` (password)  \n"
        ),
        "principle, family, resource, finding:\n{findings}"
    );
    assert!(findings.contains("(`charter explain SEC-001`)"));
    assert!(findings.contains(
        "  ```yaml\n   4 |   name: db\n   5 |   namespace: ai\n  >6 | stringData:\n   7 |   password: hunt****\n  ```\n"
    ));
    assert!(md.contains(
        "| `SEC-003` error | ConfigMap ai/legacy-settings | `config.yaml:7:3` at `/data/DB_PASSWORD` | migrated to a SealedSecret in Q3 | exemption: .charter.yaml:7 | 2999-01-31 |"
    ));

    // --fail-on makes findings fail the run; without it, a written report is success.
    let failing = charter_in(
        root,
        &["audit", ".", "--report", "audit.md", "--fail-on", "error"],
        None,
    );
    assert_eq!(failing.code, 1, "{}", failing.stderr);
    let lenient = charter_in(
        root,
        &[
            "audit",
            "config.yaml",
            "--report",
            "audit.md",
            "--fail-on",
            "error",
        ],
        None,
    );
    assert_eq!(
        lenient.code, 0,
        "the only finding is suppressed: {}",
        lenient.stderr
    );
}

#[test]
fn json_report_matches_its_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/audit-report-v1.schema.json"))
            .expect("schema exists"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.json");
    audit_fixtures(&path);
    let text = std::fs::read_to_string(&path).expect("report");
    assert!(!text.contains(FIXTURE_SECRET), "a secret in the report");
    let report: Value = serde_json::from_str(&text).expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Not vacuous: a finding without its line is rejected.
    let mut broken = report.clone();
    broken["suppressed"][0]
        .as_object_mut()
        .expect("a suppressed finding")
        .remove("line");
    assert!(!validator.is_valid(&broken));

    // The scores follow the documented formula from the report's own numbers.
    let resources = report["resources"].as_u64().expect("resources").max(1);
    let score = |tally: &Value| {
        let points = tally["points"].as_u64().expect("points");
        1000 * resources / (10 * resources + points)
    };
    assert_eq!(
        report["scores"]["overall"].as_u64(),
        Some(score(&report["scores"]["findings"]))
    );
    for principle in report["scores"]["principles"].as_array().expect("five") {
        assert_eq!(
            principle["score"].as_u64(),
            Some(score(&principle["findings"]))
        );
    }
    let reasons: Vec<(&str, &str)> = report["suppressed"]
        .as_array()
        .expect("suppressed")
        .iter()
        .map(|item| {
            (
                item["rule"].as_str().unwrap_or_default(),
                item["suppression"]["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("HELM-005", "inline"),
            ("LEAK-001", "inline"),
            ("SEC-001", "inline"),
            ("SEC-001", "inline"),
            ("SEC-001", "inline"),
        ]
    );
    let worst = report["worst_resources"].as_array().expect("worst");
    assert_eq!(worst.len(), 10);
    let points: Vec<u64> = worst
        .iter()
        .map(|entry| entry["findings"]["points"].as_u64().unwrap_or_default())
        .collect();
    assert!(
        points.windows(2).all(|pair| pair[0] >= pair[1]),
        "{points:?}"
    );
    // Rendered output names its template.
    let rendered = report["principles"]
        .as_array()
        .expect("principles")
        .iter()
        .flat_map(|p| p["families"].as_array().cloned().unwrap_or_default())
        .flat_map(|f| f["resources"].as_array().cloned().unwrap_or_default())
        .flat_map(|s| s["findings"].as_array().cloned().unwrap_or_default())
        .any(|item| item["template"].is_string());
    assert!(rendered, "a finding in a rendered chart names its template");
}

#[test]
fn script_in_a_manifest_value_is_text_in_every_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_file(root, ".charter.yaml", "rules:\n  NET: off\n  RBAC: off\n");
    write_file(
        root,
        "web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ai\n\
         spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"nginx:latest\"\n\
         \x20         securityContext: {privileged: true}\n          args: [\"<script>alert('x')</script>\"]\n",
    );
    let run = charter_in(root, &["audit", ".", "--report", "audit.html"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(root.join("audit.html")).expect("report");
    assert!(!html.contains("<script"), "markup from a manifest");
    assert!(html.contains("args: [&quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;]"));
    let run = charter_in(root, &["audit", ".", "--report", "audit.md"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = std::fs::read_to_string(root.join("audit.md")).expect("report");
    // Inside a fenced block the line is shown as written, never as HTML.
    let fenced = md.split("```yaml\n").skip(1).any(|block| {
        block
            .split("```")
            .next()
            .unwrap_or_default()
            .contains("<script>")
    });
    assert!(fenced, "the snippet line in a code block");
    let outside: String = md.split("```").step_by(2).collect::<Vec<_>>().join("");
    assert!(!outside.contains("<script"), "raw HTML in the Markdown");
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_file(
        root,
        "ok.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: ai}\n",
    );
    let cases: [(&[&str], &str); 6] = [
        (
            &["audit", ".", "--report", "audit.pdf"],
            "audit.pdf: the report's extension picks its format: .html, .md or .json",
        ),
        (&["audit", "."], "--report <FILE>"),
        (
            &["audit", "ok.yaml", "--cluster", "--report", "audit.md"],
            "the argument '[PATHS]...' cannot be used with '--cluster'",
        ),
        (
            &["audit", "--context", "prod", "--report", "audit.md"],
            "the following required arguments were not provided:\n  --cluster",
        ),
        (
            &[
                "audit",
                "--cluster",
                "--exclude",
                "x",
                "--report",
                "audit.md",
            ],
            "the argument '--cluster' cannot be used with '--exclude <GLOB>'",
        ),
        (
            &["audit", "missing/", "--report", "audit.md"],
            "missing/: no such file or directory",
        ),
    ];
    for (args, message) in cases {
        let run = charter_in(root, args, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    // A report that cannot be written names its file.
    let run = charter_in(root, &["audit", ".", "--report", "no/such/dir/a.md"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no/such/dir/a.md: cannot write the report:"),
        "{}",
        run.stderr
    );
    // A cluster that cannot be reached is a usage error too (here: no
    // kubeconfig at all), never an empty report.
    let run = charter_with_env(
        root,
        &[
            "audit",
            "--cluster",
            "--kubeconfig",
            "absent.kubeconfig",
            "--report",
            "audit.md",
        ],
        None,
        &[
            ("KUBECONFIG", "absent.kubeconfig"),
            ("HOME", "/nonexistent"),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--cluster: "), "{}", run.stderr);
    let written: Vec<_> = std::fs::read_dir(root)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("audit"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
}

/// Runs `charter ARGS` under `script`, which gives it a terminal for
/// stdout and stderr; returns everything the terminal received.
fn on_a_terminal(args: &str) -> String {
    let output = Command::new("script")
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_charter")),
            "/dev/null",
        ])
        .current_dir(repo_root())
        .env(
            "CHARTER_VENV",
            std::env::var("CHARTER_VENV").unwrap_or_default(),
        )
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Whether a terminal's output holds a progress bar: which stage it shows
/// depends on the machine's speed, so any stage counts.
fn shows_a_bar(output: &str) -> bool {
    ["reading files", "rendering charts", "running rules"]
        .iter()
        .any(|stage| {
            output
                .split(&format!("charter: {stage}"))
                .skip(1)
                .any(|rest| rest.trim_start().starts_with('[') && rest.contains("] "))
        })
}

#[test]
fn progress_bar_only_on_a_terminal_and_never_with_machine_formats() {
    let helm = helm_bin();
    // A run over the fixtures, charts rendered, lasts over the bar's delay.
    let human = on_a_terminal(&format!("check fixtures --helm-bin {helm} --no-color"));
    assert!(shows_a_bar(&human), "a bar on the terminal:\n{human:.2000}");
    assert!(
        human.contains(" errors, ") && human.contains("Helm releases rendered"),
        "then the report: {human:.2000}"
    );
    let json = on_a_terminal(&format!("check fixtures --helm-bin {helm} --format json"));
    assert!(json.contains("\"version\": 1"), "{json:.500}");
    assert!(!shows_a_bar(&json), "no bar with JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("a.md");
    let audit = on_a_terminal(&format!(
        "audit fixtures --helm-bin {helm} --report {}",
        report.display()
    ));
    assert!(shows_a_bar(&audit), "{audit:.2000}");

    // Piped (as in CI), never: stderr is exactly the summary.
    let piped = charter(&["check", "fixtures", "--helm-bin", &helm]);
    assert_eq!(piped.code, 1);
    assert_eq!(piped.stderr, "", "nothing on a piped stderr");
}

#[test]
fn baseline_and_standard_input_suppressions_say_their_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: ai\nstringData:\n  password: hunter2-is-a-bad-password\n";
    write_file(root, "secret.yaml", secret);
    let recorded = charter_in(
        root,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--write-baseline",
            "baseline.json",
        ],
        None,
    );
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    let run = charter_in(
        root,
        &[
            "audit",
            "-",
            "--stdin-filename",
            "secret.yaml",
            "--baseline",
            "baseline.json",
            "--report",
            "audit.json",
        ],
        Some(secret.as_bytes()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("audit.json")).expect("report"))
            .expect("JSON");
    assert_eq!(
        report["scores"]["overall"], 100,
        "suppressed findings do not count"
    );
    let suppressed = report["suppressed"].as_array().expect("suppressed");
    let kinds: Vec<(&str, &str, &str)> = suppressed
        .iter()
        .map(|item| {
            (
                item["rule"].as_str().unwrap_or_default(),
                item["file"].as_str().unwrap_or_default(),
                item["suppression"]["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(!kinds.is_empty());
    assert!(
        kinds
            .iter()
            .all(|(_, file, kind)| *file == "secret.yaml" && *kind == "baseline"),
        "{kinds:?}"
    );
    assert_eq!(
        suppressed[0]["suppression"]["origin"],
        "baseline baseline.json"
    );
}
