//! Nothing panics: every fixture, damaged in thousands of deterministic ways
//! (bytes dropped, duplicated, swapped for YAML's special characters, lines
//! cut), goes through loading, redaction and both report formats.

use std::path::Path;

use charter::check::{self, CheckOptions};
use charter::config::{Config, FailOn};
use charter::report::{human, json};
use charter::rules;

/// xorshift64*: a small deterministic generator, so a failure replays.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

const SPECIAL: &[&[u8]] = &[
    b":",
    b"-",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"&a ",
    b"*a",
    b"<<: ",
    b"!!str ",
    b"|",
    b">",
    b"\"",
    b"'",
    b"\t",
    b"\n",
    b"\n---\n",
    b"#",
    b"?",
    b"%YAML 1.2\n",
    b"\xc3",
    b"\xff",
    b"\0",
    b"\r\n",
    b"  ",
    b"kind: Secret\n",
];

fn mutate(random: &mut Random, text: &[u8]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for _ in 0..1 + random.below(4) {
        let at = random.below(bytes.len() + 1);
        match random.below(4) {
            0 if !bytes.is_empty() => {
                let end = (at + 1 + random.below(8)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let insert = SPECIAL[random.below(SPECIAL.len())];
                bytes.splice(at..at, insert.iter().copied());
            }
            2 if !bytes.is_empty() => {
                let from = random.below(bytes.len());
                let end = (from + random.below(40)).min(bytes.len());
                let copy = bytes[from..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn damaged_fixtures_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut sources = Vec::new();
    for entry in ignore::WalkBuilder::new(&root).build().flatten() {
        let path = entry.path();
        let is_manifest = path.extension().is_some_and(|e| e == "yaml" || e == "json");
        if is_manifest && path.metadata().is_ok_and(|m| m.len() < 64 * 1024) {
            sources.push(std::fs::read(path).expect("fixture readable"));
        }
    }
    assert!(sources.len() > 20);

    let dir = tempfile::tempdir().expect("temp dir");
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let rules = rules::builtin();
    let config = Config::default();
    let style = human::Style {
        color: false,
        show_suppressed: true,
        width: 100,
    };
    // Batches of damaged files, checked together as a run checks a tree.
    for batch in 0..40 {
        let batch_dir = dir.path().join(format!("batch-{batch}"));
        std::fs::create_dir(&batch_dir).expect("batch dir");
        for (index, source) in sources.iter().enumerate() {
            for variant in 0..4 {
                let damaged = mutate(&mut random, source);
                std::fs::write(batch_dir.join(format!("f{index}-{variant}.yaml")), damaged)
                    .expect("write");
            }
        }
        let options = CheckOptions {
            paths: vec![batch_dir.to_string_lossy().into_owned()],
            ..CheckOptions::default()
        };
        let outcome = check::check(&options, &config, &rules)
            .expect("a check of files never fails as a whole");
        let text = human::render(&outcome, FailOn::Error, &style, std::time::Duration::ZERO);
        assert!(text.contains("charter: "));
        let report: serde_json::Value =
            serde_json::from_str(&json::render(&outcome, FailOn::Error))
                .expect("JSON report parses");
        for finding in report["findings"].as_array().expect("findings") {
            assert!(
                finding["line"].as_u64().is_some_and(|line| line >= 1),
                "{finding}"
            );
            assert!(
                finding["column"].as_u64().is_some_and(|column| column >= 1),
                "{finding}"
            );
        }
    }
}
