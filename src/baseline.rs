//! Baselines: findings a team knows about, so that a gate fails only on new
//! ones. `charter check --write-baseline FILE` records the fingerprints of
//! today's findings; `--baseline FILE` suppresses findings whose fingerprint
//! is recorded, without printing them again.
//!
//! A fingerprint is what stays the same while a file is edited around a
//! finding: the rule, the file, the resource and field, and for secrets a
//! SHA-256 of the secret (never the secret). Line numbers are left out,
//! also from the messages that anchor whole-file findings (`first at line
//! 4` becomes `first at line N`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::check::Outcome;
use crate::finding::{Finding, Suppression, SuppressionKind};

const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub rule: String,
    /// The file, relative to the baseline's directory when it is inside it.
    pub file: String,
    /// `Kind namespace/name` of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// JSON pointer of the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `sha256:<hex>` of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// For findings about a whole file or document: the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    fingerprints: BTreeSet<Fingerprint>,
}

#[derive(Debug)]
pub struct Baseline {
    name: String,
    base: PathBuf,
    fingerprints: BTreeSet<Fingerprint>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|error| format!("baseline {name}: {error}"))?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|error| format!("baseline {name}: {error}"))?;
        if file.version != VERSION {
            return Err(format!(
                "baseline {name}: unsupported version {}",
                file.version
            ));
        }
        // Baselines written before messages were normalised still match.
        let fingerprints = file
            .fingerprints
            .into_iter()
            .map(|mut fingerprint| {
                fingerprint.message = fingerprint.message.as_deref().map(without_positions);
                fingerprint
            })
            .collect();
        Ok(Baseline {
            base: base_of(path),
            name,
            fingerprints,
        })
    }

    /// A baseline of every unsuppressed finding of `outcome`, to be written at `path`.
    pub fn of(outcome: &Outcome, path: &Path) -> Baseline {
        let base = base_of(path);
        let fingerprints = outcome
            .findings
            .iter()
            .filter(|finding| !finding.is_suppressed())
            .map(|finding| fingerprint(outcome, finding, &base))
            .collect();
        Baseline {
            name: path.display().to_string(),
            base,
            fingerprints,
        }
    }

    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        let file = BaselineFile {
            version: VERSION,
            fingerprints: self.fingerprints.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).map_err(|error| error.to_string())?;
        text.push('\n');
        std::fs::write(path, text).map_err(|error| format!("baseline {}: {error}", self.name))
    }

    /// Suppresses every finding the baseline knows.
    pub fn apply(&self, outcome: &mut Outcome) {
        let known: Vec<bool> = outcome
            .findings
            .iter()
            .map(|finding| {
                !finding.is_suppressed()
                    && self
                        .fingerprints
                        .contains(&fingerprint(outcome, finding, &self.base))
            })
            .collect();
        for (finding, known) in outcome.findings.iter_mut().zip(known) {
            if known {
                finding.suppression = Some(Suppression {
                    reason: "known finding, recorded in the baseline".to_owned(),
                    origin: format!("baseline {}", self.name),
                    kind: SuppressionKind::Baseline,
                    expires: None,
                });
            }
        }
    }
}

fn base_of(path: &Path) -> PathBuf {
    crate::input::absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn fingerprint(outcome: &Outcome, finding: &Finding, base: &Path) -> Fingerprint {
    let source = &outcome.files[finding.file];
    let file = source
        .path
        .as_deref()
        .and_then(|path| path.strip_prefix(base).ok())
        .map_or_else(
            || source.name.clone(),
            |relative| relative.to_string_lossy().into_owned(),
        );
    let resource = finding
        .resource
        .map(|index| outcome.resources[index].display());
    let anchored = finding.path.is_some() || finding.secret_hash.is_some();
    Fingerprint {
        rule: finding.rule.id.to_owned(),
        file,
        resource,
        path: finding.path.clone(),
        secret: finding.secret_hash.clone(),
        message: (!anchored).then(|| without_positions(&finding.message)),
    }
}

/// A message with the line and column numbers it quotes (`first at line
/// 4`) replaced by `N`: they move when lines are added above, and a
/// fingerprint must not.
fn without_positions(message: &str) -> String {
    static POSITION: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let position = POSITION
        .get_or_init(|| regex::Regex::new(r"\b(lines?|columns?) \d+").expect("a valid pattern"));
    position.replace_all(message, "$1 N").into_owned()
}
