//! The secret scanner (`LEAK`): gitleaks-style detectors over any text.
//!
//! Every detector's keywords go into one Aho-Corasick automaton that runs
//! once over a file; a detector's regex then runs only on the lines where
//! one of its keywords occurs. A candidate counts when it has the entropy the
//! detector asks for, no allowlist excuses it, it is not sealed-secrets
//! ciphertext, and (for encoded secrets) it decodes to a credential.

pub mod catalogue;
pub mod decode;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use sha2::{Digest, Sha256};

pub use catalogue::{Catalogue, Detector};

use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::source::Mark;

/// The marker that excuses a line: `charter:allow` in a comment on it.
pub const ALLOW_MARKER: &str = "charter:allow";

/// A secret found in a text. It never holds the secret itself: only where it
/// is, its redacted form and a hash (for baselines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// Index of the detector in the scanner's catalogue.
    pub detector: usize,
    pub start: Mark,
    pub end: Mark,
    /// The first characters and `****` (see `redact::redact`).
    pub redacted: String,
    /// `sha256:<hex>` of the secret.
    pub hash: String,
    /// Whether the line carries `charter:allow`.
    pub allowed_inline: bool,
}

pub struct Scanner {
    pub catalogue: Catalogue,
    keywords: AhoCorasick,
    /// For each keyword pattern, the detectors that use it.
    keyword_detectors: Vec<Vec<usize>>,
}

impl Scanner {
    pub fn new(catalogue: Catalogue) -> Result<Scanner, String> {
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_detectors: Vec<Vec<usize>> = Vec::new();
        for (index, detector) in catalogue.detectors.iter().enumerate() {
            for keyword in &detector.keywords {
                match patterns.iter().position(|known| known == keyword) {
                    Some(at) => keyword_detectors[at].push(index),
                    None => {
                        patterns.push(keyword.clone());
                        keyword_detectors.push(vec![index]);
                    }
                }
            }
        }
        // A full DFA: a few hundred states, and no failure transitions to
        // follow on every byte of every file.
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|error| format!("secret detector keywords: {error}"))?;
        Ok(Scanner {
            catalogue,
            keywords,
            keyword_detectors,
        })
    }

    pub fn detector(&self, leak: &Leak) -> &Detector {
        &self.catalogue.detectors[leak.detector]
    }

    /// The finding for a leak in file `file`. With `honour_marker`, a
    /// `charter:allow` on the line suppresses it.
    pub fn finding(&self, leak: &Leak, file: usize, honour_marker: bool) -> Finding {
        let detector = self.detector(leak);
        let message = format!("{} ({})", detector.description, leak.redacted);
        let mut finding = Finding::at(detector.rule, file, leak.start, message);
        finding.secret_hash = Some(leak.hash.clone());
        if leak.allowed_inline && honour_marker {
            finding.suppression = Some(Suppression {
                reason: format!("`{ALLOW_MARKER}` on the line"),
                origin: ALLOW_MARKER.to_owned(),
                kind: SuppressionKind::Inline,
                expires: None,
            });
        }
        finding
    }

    /// Every secret in `text`, in order. `path` is matched against path
    /// filters and allowlists.
    pub fn scan(&self, path: &str, text: &str) -> Vec<Leak> {
        if self.catalogue.allowlist.skips_path(path) {
            return Vec::new();
        }
        // (line start offset, line number, detector), each pair once.
        let bytes = text.as_bytes();
        let mut work: Vec<(usize, u32, usize)> = Vec::new();
        let (mut line_number, mut counted_to, mut line_start) = (1u32, 0usize, 0usize);
        for found in self.keywords.find_overlapping_iter(text) {
            let at = found.start();
            // Overlapping matches come by end; a later one may start a little
            // earlier, but never on an earlier line (keywords hold no line break).
            if at > counted_to {
                let newlines = memchr::memchr_iter(b'\n', &bytes[counted_to..at]);
                if let Some(last) = newlines.inspect(|_| line_number += 1).last() {
                    line_start = counted_to + last + 1;
                }
                counted_to = at;
            }
            for &detector in &self.keyword_detectors[found.pattern().as_usize()] {
                work.push((line_start, line_number, detector));
            }
        }
        work.sort_unstable();
        work.dedup();
        let mut leaks = Vec::new();
        for (start, number, detector) in work {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(text.len(), |i| start + i);
            let line = text[start..end].trim_end_matches('\r');
            self.scan_line(path, line, number, detector, &mut leaks);
        }
        keep_most_specific(leaks, &self.catalogue)
    }

    fn scan_line(&self, path: &str, line: &str, number: u32, index: usize, leaks: &mut Vec<Leak>) {
        let detector = &self.catalogue.detectors[index];
        if detector
            .paths
            .as_ref()
            .is_some_and(|paths| !paths.is_match(path))
            || detector.allowlist.skips_path(path)
        {
            return;
        }
        for captures in detector.regex.captures_iter(line) {
            let Some(secret) = captures.get(detector.secret_group) else {
                continue;
            };
            let text = secret.as_str();
            if text.is_empty()
                || detector
                    .entropy
                    .is_some_and(|minimum| entropy(text) < minimum)
                || self.catalogue.allowlist.allows(text)
                || detector.allowlist.allows(text)
                || crate::sealed::is_sealed(text)
                || detector
                    .decode
                    .is_some_and(|decoder| !decode::holds_credential(decoder, text))
            {
                continue;
            }
            let column = line[..secret.start()].chars().count() as u32 + 1;
            let width = text.chars().count() as u32;
            leaks.push(Leak {
                detector: index,
                start: Mark::new(number, column),
                end: Mark::new(number, column + width),
                redacted: crate::redact::redact(text),
                hash: sha256_hex(text),
                allowed_inline: line.contains(ALLOW_MARKER),
            });
        }
    }
}

/// Where detectors overlap on the same secret, the most specific one speaks:
/// a known format (LEAK-001) before a URL (LEAK-002) before a generic
/// assignment (LEAK-003).
fn keep_most_specific(mut leaks: Vec<Leak>, catalogue: &Catalogue) -> Vec<Leak> {
    let rank = |leak: &Leak| catalogue.detectors[leak.detector].rule.id;
    leaks.sort_by(|a, b| (a.start, rank(a)).cmp(&(b.start, rank(b))));
    let mut kept: Vec<Leak> = Vec::with_capacity(leaks.len());
    for leak in leaks {
        let overlaps = kept.iter().any(|other| {
            other.start.line == leak.start.line
                && other.start.column < leak.end.column
                && leak.start.column < other.end.column
                && rank(other) <= rank(&leak)
        });
        if !overlaps {
            kept.push(leak);
        }
    }
    kept.sort_by_key(|leak| (leak.start, catalogue.detectors[leak.detector].id.clone()));
    kept
}

/// `sha256:` and the hex digest of `text`.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// Shannon entropy in bits per character. It runs on every candidate, so
/// ASCII (nearly every secret) is counted in a fixed table, not a map.
pub fn entropy(text: &str) -> f64 {
    let total = text.chars().count();
    if total == 0 {
        return 0.0;
    }
    let mut counts = [0u32; 128];
    let mut other: Vec<(char, u32)> = Vec::new();
    for c in text.chars() {
        match usize::try_from(u32::from(c)).ok().filter(|&i| i < 128) {
            Some(index) => counts[index] += 1,
            None => match other.iter_mut().find(|(known, _)| *known == c) {
                Some((_, count)) => *count += 1,
                None => other.push((c, 1)),
            },
        }
    }
    counts
        .iter()
        .copied()
        .chain(other.iter().map(|&(_, count)| count))
        .filter(|&count| count > 0)
        .map(|count| {
            let p = f64::from(count) / total as f64;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests;
