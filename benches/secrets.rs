//! `cargo bench --bench secrets`: the secret scanner's throughput and recall.
//!
//! Generates (deterministically) a mixed text corpus of at least 100 MB:
//! source code, Markdown, TOML, Terraform, `.env` and shell files (YAML
//! lines among them), where about 1%
//! of lines hold a fake secret planted from the `fake` template of one of the
//! shipped detectors (round-robin, so every detector is planted). The filler
//! is not inert: it mentions passwords, tokens and keys the way real code
//! does, so the keyword automaton and the regexes both work.
//!
//! Reports, with the machine's core count: `charter check` wall time and
//! MB/s over the whole corpus (one process, all cores, JSON out), peak
//! memory, recall on the planted secrets and findings that were not planted,
//! then the scanner alone in process. When `detect-secrets` (PyPI) is on
//! PATH it is run on a slice of the same corpus for comparison.
//!
//! Options: `--megabytes N` (default 100), `--runs N` (default 3),
//! `--detect-secrets-megabytes N` (default 10), `--corpus DIR` (write the
//! corpus there and keep it, e.g. to profile).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use charter::leak::catalogue::expand_fake;
use charter::leak::{Catalogue, Scanner};
use rayon::prelude::*;

mod common;
use common::{children_peak_rss_kib, measure, median, option};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FILLER: &[&str] = &[
    "    let token = parse_token(&input).context(\"reading the session token\")?;",
    "    if password.is_empty() { return Err(Error::MissingPassword); }",
    "# The API key is read from the OPENAI_API_KEY environment variable at start-up.",
    "  image: ghcr.io/open-webui/open-webui:v0.5.4",
    "  password: {{ .Values.postgresql.auth.password }}",
    "      secretKeyRef: {name: litellm-master-key, key: master-key}",
    "def rotate_secret(name: str, ttl: int = 3600) -> None:",
    "    \"\"\"Rotate the named secret; the old value stays valid for ttl seconds.\"\"\"",
    "export DATABASE_URL=\"postgres://litellm@postgres.ai-backend.svc:5432/litellm\"",
    "  \"integrity\": \"sha512-Vi+rZ3XWfBnnTZ0q7OHvn6Ka7lMM4lWLY7yZ0Mmar0lQRgKD5xEmjUgD7pZvL8W1V1bFbV/IlA62BgZmKkD+ZQ==\",",
    "    checksum/config: 4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
    "The quick brown fox jumps over the lazy dog; nothing to see on this line at all.",
    "  resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 512Mi}}",
    "    private_key_path = \"/run/secrets/tls/tls.key\"",
    "| component | purpose | telemetry |",
    "  - name: TOKENIZERS_PARALLELISM",
    "    value: \"false\"",
    "fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {",
    "    auth_header = f\"Bearer {token}\"",
    "SESSION_SECRET=${SESSION_SECRET}",
];

// Not `.yaml` or `.json`: those are read as manifests too, and the filler is
// not YAML (manifest speed is `benches/check.rs`'s business).
const EXTENSIONS: &[&str] = &["rs", "py", "md", "toml", "tf", "env", "sh", "txt"];

struct Planted {
    file: String,
    line: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let megabytes = option(&args, "--megabytes", 100);
    let runs = option(&args, "--runs", 3);
    let detect_secrets_megabytes = option(&args, "--detect-secrets-megabytes", 10);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let temporary = tempfile::tempdir().expect("temp dir");
    let kept = args
        .iter()
        .position(|arg| arg == "--corpus")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let dir = kept
        .clone()
        .unwrap_or_else(|| temporary.path().to_path_buf());
    let dir = dir.as_path();
    let catalogue = Catalogue::load(None).expect("catalogue");
    let (files, bytes, planted, lines) = generate(dir, &catalogue, megabytes << 20);
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {mb:.1} MB in {} files, {lines} lines, {} planted secrets from {} detectors ({:.2}% of lines); {cores} cores",
        files.len(),
        planted.len(),
        catalogue.detectors.len(),
        100.0 * planted.len() as f64 / lines as f64
    );

    // The whole tool, as a user runs it.
    let binary = env!("CARGO_BIN_EXE_charter");
    let corpus = dir.to_str().expect("UTF-8 path").to_owned();
    let mut report = String::new();
    let mut peak_kib = 0;
    let times = measure(runs, || {
        let output = Command::new(binary)
            .args([
                "check",
                &corpus,
                "--format",
                "json",
                "--no-config",
                "--fail-on",
                "never",
            ])
            .stderr(Stdio::null())
            .output()
            .expect("charter runs");
        assert!(output.status.success());
        report = String::from_utf8(output.stdout).expect("UTF-8");
        peak_kib = peak_kib.max(children_peak_rss_kib());
    });
    let whole_process = median(&times);
    println!(
        "charter check (whole process): {:.2} s median, {:.0} MB/s; peak memory {:.0} MiB",
        whole_process.as_secs_f64(),
        mb / whole_process.as_secs_f64(),
        peak_kib as f64 / 1024.0
    );
    recall(&report, &planted, dir);

    // The scanner alone, in process, over texts already in memory.
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            let name = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            (
                name,
                std::fs::read_to_string(path).expect("corpus readable"),
            )
        })
        .collect();
    let scanner = Scanner::new(catalogue).expect("scanner");
    let times = measure(runs, || {
        let found: usize = texts
            .par_iter()
            .map(|(name, text)| scanner.scan(name, text).len())
            .sum();
        std::hint::black_box(found);
    });
    let median = median(&times);
    println!(
        "scanner alone (in process, texts in memory): {:.2} s median, {:.0} MB/s",
        median.as_secs_f64(),
        mb / median.as_secs_f64()
    );

    let charter_mb_s = mb / whole_process.as_secs_f64();
    compare_with_detect_secrets(
        &files,
        dir,
        &planted,
        detect_secrets_megabytes << 20,
        charter_mb_s,
    );
}

/// Writes the corpus: files of 200 to 2,000 lines.
fn generate(
    dir: &Path,
    catalogue: &Catalogue,
    target: usize,
) -> (Vec<PathBuf>, usize, Vec<Planted>, usize) {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    let mut files = Vec::new();
    let mut planted = Vec::new();
    let (mut bytes, mut lines, mut detector) = (0, 0, 0);
    while bytes < target {
        let index = files.len();
        let extension = EXTENSIONS[index % EXTENSIONS.len()];
        let name = format!("repo-{:02}/module-{index:05}.{extension}", index % 50);
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let count = 200 + next(1800);
        for line in 1..=count {
            let text = if next(100) == 0 {
                let template = &catalogue.detectors[detector % catalogue.detectors.len()].fake;
                detector += 1;
                planted.push(Planted {
                    file: name.clone(),
                    line,
                });
                expand_fake(template, &mut next).expect("template").0
            } else {
                FILLER[next(FILLER.len())].to_owned()
            };
            writeln!(file, "{text}").expect("write");
            bytes += text.len() + 1;
        }
        lines += count;
        file.flush().expect("flush");
        files.push(path);
    }
    (files, bytes, planted, lines)
}

/// Recall on the planted secrets, and findings that were not planted.
fn recall(report: &str, planted: &[Planted], dir: &Path) {
    let report: serde_json::Value = serde_json::from_str(report).expect("JSON report");
    let prefix = format!("{}/", dir.display());
    let found: BTreeSet<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|rule| rule.starts_with("LEAK"))
        })
        .map(|f| {
            let file = f["file"].as_str().unwrap_or_default();
            (
                file.strip_prefix(&prefix).unwrap_or(file).to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64)> = planted
        .iter()
        .map(|p| (p.file.clone(), p.line as u64))
        .collect();
    let hits = expected.intersection(&found).count();
    let extra = found.difference(&expected).count();
    let mut by_kind: HashMap<&str, usize> = HashMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        *by_kind
            .entry(finding["rule"].as_str().unwrap_or("?"))
            .or_default() += 1;
    }
    println!(
        "recall: {hits}/{} planted secrets found ({:.2}%); {extra} findings on lines with nothing planted; by rule: {by_kind:?}",
        expected.len(),
        100.0 * hits as f64 / expected.len() as f64
    );
}

fn compare_with_detect_secrets(
    files: &[PathBuf],
    dir: &Path,
    planted: &[Planted],
    budget: usize,
    charter_mb_s: f64,
) {
    if Command::new("detect-secrets")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("detect-secrets: not on PATH (pip install detect-secrets), no comparison");
        return;
    }
    let slice = dir.join("detect-secrets-slice");
    std::fs::create_dir_all(&slice).expect("slice dir");
    let mut bytes = 0;
    // Planted lines by the slice's file names.
    let mut expected = BTreeSet::new();
    for (index, file) in files.iter().enumerate() {
        if bytes >= budget {
            break;
        }
        let name = format!(
            "{index:05}-{}",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
        std::fs::copy(file, slice.join(&name)).expect("copy");
        bytes += std::fs::metadata(slice.join(&name)).map_or(0, |m| m.len() as usize);
        let original = file
            .strip_prefix(dir)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        expected.extend(
            planted
                .iter()
                .filter(|p| p.file == original)
                .map(|p| (name.clone(), p.line as u64)),
        );
    }
    // detect-secrets silently scans nothing given a path outside its working
    // directory: it runs inside the slice, on `.`.
    let started = Instant::now();
    let output = Command::new("detect-secrets")
        .args(["scan", "--all-files", "."])
        .current_dir(&slice)
        .stderr(Stdio::null())
        .output()
        .expect("detect-secrets runs");
    let elapsed = started.elapsed();
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let mut found = BTreeSet::new();
    for (file, secrets) in results["results"].as_object().into_iter().flatten() {
        for secret in secrets.as_array().into_iter().flatten() {
            let name = file.trim_start_matches("./").to_owned();
            found.insert((name, secret["line_number"].as_u64().unwrap_or(0)));
        }
    }
    let hits = expected.intersection(&found).count();
    let mb = bytes as f64 / 1e6;
    let rate = mb / elapsed.as_secs_f64();
    println!(
        "detect-secrets 1.x `scan --all-files` on {mb:.1} MB of the corpus: {:.1} s, {rate:.2} MB/s; recall {hits}/{} ({:.1}%), {} findings on lines with nothing planted; charter is {:.0}x faster",
        elapsed.as_secs_f64(),
        expected.len(),
        100.0 * hits as f64 / expected.len().max(1) as f64,
        found.difference(&expected).count(),
        charter_mb_s / rate
    );
}
