//! The detector catalogue: `rules/secrets.toml`, plus a user's own file.
//!
//! The format is documented at the top of `rules/secrets.toml` and in the
//! README ("Secret scanner").

use std::collections::HashSet;

use regex::{Regex, RegexSet};
use serde::Deserialize;

pub const BUILTIN: &str = include_str!("../../rules/secrets.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalogue {
    pub version: u32,
    /// In a user's file: drop the shipped detectors instead of extending them.
    #[serde(default)]
    pub replace_builtin: bool,
    /// In a user's file: shipped detector ids to turn off.
    #[serde(default)]
    pub disabled: Vec<String>,
    #[serde(default)]
    pub allowlist: RawAllowlist,
    #[serde(default)]
    pub detectors: Vec<RawDetector>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAllowlist {
    /// A candidate containing one of these (ignoring case) is not reported.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// A candidate matching one of these is not reported.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Files whose path matches one of these are not scanned.
    #[serde(default)]
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetector {
    pub id: String,
    pub description: String,
    /// `LEAK-001` (a known format), `LEAK-002` (credentials in a URL) or
    /// `LEAK-003` (a generic secret assignment).
    #[serde(default = "default_rule")]
    pub rule: String,
    pub regex: String,
    /// The capture group holding the secret; default 1 when the regex has a
    /// group, else the whole match.
    pub secret_group: Option<usize>,
    /// Lower-case words; the regex only runs on lines holding one.
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy (bits per character) of the secret.
    pub entropy: Option<f64>,
    /// Only files whose path matches one of these regexes.
    #[serde(default)]
    pub paths: Vec<String>,
    /// How the secret is decoded before it counts (see `decode.rs`).
    pub decode: Option<Decoder>,
    /// A line this detector must find, with `{CLASS:N}` standing for N random
    /// characters of CLASS (e.g. `{A-Z2-7:16}`): the test suite and the
    /// benchmark plant such fakes, so no real-looking secret is committed.
    pub fake: String,
    #[serde(default)]
    pub allowlist: RawAllowlist,
}

fn default_rule() -> String {
    "LEAK-001".to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decoder {
    /// The secret is base64 of `user:password`; it counts when the password
    /// is not empty.
    BasicAuth,
    /// The secret is base64 of a Docker config (`{"auths": ...}`); it counts
    /// when an entry holds a password (an `auth` that is base64 again).
    DockerConfig,
    /// The secret is a JWT; it counts when its payload is a Kubernetes
    /// service account token's: `"iss": "kubernetes/serviceaccount"` (a
    /// legacy, Secret-based token) or `kubernetes.io` claims (a bound token).
    KubernetesServiceAccount,
}

/// A compiled allowlist.
#[derive(Debug, Default)]
pub struct Allowlist {
    pub stopwords: Vec<String>,
    pub regexes: Option<RegexSet>,
    pub paths: Option<RegexSet>,
}

impl Allowlist {
    fn compile(raw: &RawAllowlist, context: &str) -> Result<Allowlist, String> {
        let set = |patterns: &[String], what: &str| -> Result<Option<RegexSet>, String> {
            if patterns.is_empty() {
                return Ok(None);
            }
            RegexSet::new(patterns)
                .map(Some)
                .map_err(|error| format!("{context}: bad {what} regex: {error}"))
        };
        Ok(Allowlist {
            stopwords: raw
                .stopwords
                .iter()
                .map(|word| word.to_lowercase())
                .collect(),
            regexes: set(&raw.regexes, "allowlist")?,
            paths: set(&raw.paths, "path")?,
        })
    }

    /// Whether a candidate secret is allowed (not reported).
    pub fn allows(&self, secret: &str) -> bool {
        let lower = secret.to_lowercase();
        self.stopwords
            .iter()
            .any(|word| lower.contains(word.as_str()))
            || self
                .regexes
                .as_ref()
                .is_some_and(|set| set.is_match(secret))
    }

    pub fn skips_path(&self, path: &str) -> bool {
        self.paths.as_ref().is_some_and(|set| set.is_match(path))
    }
}

/// One compiled detector.
#[derive(Debug)]
pub struct Detector {
    pub id: String,
    pub description: String,
    pub rule: &'static crate::rules::RuleMeta,
    pub regex: Regex,
    pub secret_group: usize,
    pub keywords: Vec<String>,
    pub entropy: Option<f64>,
    pub paths: Option<RegexSet>,
    pub decode: Option<Decoder>,
    pub fake: String,
    pub allowlist: Allowlist,
}

/// Detectors and the global allowlist, ready to scan.
#[derive(Debug)]
pub struct Catalogue {
    pub detectors: Vec<Detector>,
    pub allowlist: Allowlist,
}

impl Catalogue {
    /// The shipped detectors, extended or overridden by a user's file.
    pub fn load(user: Option<(&str, &str)>) -> Result<Catalogue, String> {
        let builtin = parse(BUILTIN, "rules/secrets.toml")?;
        let Some((name, text)) = user else {
            return compile(builtin.detectors, vec![builtin.allowlist]);
        };
        let user = parse(text, name)?;
        let known: HashSet<&str> = builtin.detectors.iter().map(|d| d.id.as_str()).collect();
        if let Some(unknown) = user.disabled.iter().find(|id| !known.contains(id.as_str())) {
            return Err(format!(
                "{name}: `disabled` names `{unknown}`, which is not a shipped detector"
            ));
        }
        let mut own = user.detectors;
        let mut detectors: Vec<RawDetector> = Vec::new();
        if !user.replace_builtin {
            for detector in builtin.detectors {
                if user.disabled.contains(&detector.id) {
                    continue;
                }
                // An override takes the shipped detector's place: where two
                // detectors tie on one secret, the earlier one speaks.
                match own.iter().position(|mine| mine.id == detector.id) {
                    Some(at) => detectors.push(own.remove(at)),
                    None => detectors.push(detector),
                }
            }
        }
        detectors.extend(own);
        let mut allowlists = vec![user.allowlist];
        if !user.replace_builtin {
            allowlists.push(builtin.allowlist);
        }
        compile(detectors, allowlists)
    }
}

impl Catalogue {
    /// The shipped detectors of one rule alone (SEC-005 uses the URL ones),
    /// without compiling the others.
    pub fn builtin_for_rule(rule: &str) -> Result<Catalogue, String> {
        let builtin = parse(BUILTIN, "rules/secrets.toml")?;
        let detectors = builtin
            .detectors
            .into_iter()
            .filter(|detector| detector.rule.eq_ignore_ascii_case(rule))
            .collect();
        compile(detectors, vec![builtin.allowlist])
    }
}

fn parse(text: &str, name: &str) -> Result<RawCatalogue, String> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|error| format!("{name}: {error}"))?;
    if raw.version != 1 {
        return Err(format!(
            "{name}: unsupported version {} (this charter reads version 1)",
            raw.version
        ));
    }
    Ok(raw)
}

fn compile(raw: Vec<RawDetector>, allowlists: Vec<RawAllowlist>) -> Result<Catalogue, String> {
    let mut merged = RawAllowlist::default();
    for allowlist in allowlists {
        merged.stopwords.extend(allowlist.stopwords);
        merged.regexes.extend(allowlist.regexes);
        merged.paths.extend(allowlist.paths);
    }
    let mut ids = HashSet::new();
    let mut detectors = Vec::with_capacity(raw.len());
    for detector in raw {
        let context = format!("detector `{}`", detector.id);
        if !ids.insert(detector.id.clone()) {
            return Err(format!("{context} is defined twice"));
        }
        let rule = crate::rules::leak::rule_for(&detector.rule).ok_or_else(|| {
            format!(
                "{context}: rule `{}` is not LEAK-001, LEAK-002 or LEAK-003",
                detector.rule
            )
        })?;
        let regex = Regex::new(&detector.regex)
            .map_err(|error| format!("{context}: bad regex: {error}"))?;
        let groups = regex.captures_len() - 1;
        let secret_group = detector.secret_group.unwrap_or(usize::from(groups > 0));
        if secret_group > groups {
            return Err(format!(
                "{context}: secret_group {secret_group}, but the regex has {groups} groups"
            ));
        }
        if detector.keywords.is_empty()
            || detector
                .keywords
                .iter()
                .any(|k| k.is_empty() || k.to_lowercase() != *k)
        {
            return Err(format!(
                "{context}: keywords must be non-empty lower-case words (at least one)"
            ));
        }
        let paths = match detector.paths.is_empty() {
            true => None,
            false => Some(
                RegexSet::new(&detector.paths)
                    .map_err(|error| format!("{context}: bad path regex: {error}"))?,
            ),
        };
        detectors.push(Detector {
            allowlist: Allowlist::compile(&detector.allowlist, &context)?,
            id: detector.id,
            description: detector.description,
            rule,
            regex,
            secret_group,
            keywords: detector.keywords,
            entropy: detector.entropy,
            paths,
            decode: detector.decode,
            fake: detector.fake,
        });
    }
    Ok(Catalogue {
        detectors,
        allowlist: Allowlist::compile(&merged, "allowlist")?,
    })
}

/// Expands a `fake` template: `{CLASS:N}` becomes N characters drawn from
/// CLASS (ranges like `A-Z` and single characters), `{{` is a literal `{`.
/// `pick(n)` returns a number below `n`. Returns the line and the random
/// parts, so a test can check that none of them is ever printed.
pub fn expand_fake(
    template: &str,
    mut pick: impl FnMut(usize) -> usize,
) -> Result<(String, Vec<String>), String> {
    let mut line = String::new();
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        line.push_str(&rest[..open]);
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            line.push('{');
            rest = after;
            continue;
        }
        let close = rest
            .find('}')
            .ok_or_else(|| format!("`{template}`: unclosed `{{`"))?;
        let (class, count) = rest[..close]
            .rsplit_once(':')
            .ok_or_else(|| format!("`{template}`: write {{CLASS:N}}"))?;
        let count: usize = count
            .parse()
            .map_err(|_| format!("`{template}`: `{count}` is not a count"))?;
        let alphabet =
            character_class(class).ok_or_else(|| format!("`{template}`: bad class `{class}`"))?;
        let part: String = (0..count).map(|_| alphabet[pick(alphabet.len())]).collect();
        line.push_str(&part);
        parts.push(part);
        rest = &rest[close + 1..];
    }
    line.push_str(rest);
    Ok((line, parts))
}

fn character_class(class: &str) -> Option<Vec<char>> {
    if class.contains(['{', '}', '"', '\'', ' ']) {
        return None;
    }
    let chars: Vec<char> = class.chars().collect();
    let mut alphabet = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if index + 2 < chars.len() && chars[index + 1] == '-' {
            let (from, to) = (chars[index], chars[index + 2]);
            if from > to {
                return None;
            }
            alphabet.extend(from..=to);
            index += 3;
        } else {
            alphabet.push(chars[index]);
            index += 1;
        }
    }
    alphabet.sort_unstable();
    alphabet.dedup();
    (!alphabet.is_empty()).then_some(alphabet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_templates_expand() {
        let mut counter = 0;
        let (line, parts) = expand_fake("key = \"AKIA{A-Z2-7:4}\" {{x}}", |n| {
            counter += 1;
            counter % n
        })
        .unwrap();
        assert_eq!(line, "key = \"AKIA3456\" {x}}");
        assert_eq!(parts, ["3456"]);
        assert!(expand_fake("{A-Z:x}", |_| 0).is_err());
        assert!(expand_fake("{Z-A:3}", |_| 0).is_err());
        assert!(expand_fake("{A-Z:3", |_| 0).is_err());
        // A literal brace must be written `{{`, or it reads as a class.
        assert!(expand_fake("{\"a\": {A-Z:3}}", |_| 0).is_err());
        assert_eq!(character_class("a-c_-").unwrap(), ['-', '_', 'a', 'b', 'c']);
    }

    #[test]
    fn the_shipped_catalogue_compiles() {
        let catalogue = Catalogue::load(None).expect("rules/secrets.toml is valid");
        assert!(catalogue.detectors.len() >= 3);
    }

    #[test]
    fn user_files_extend_override_and_disable() {
        let builtin = Catalogue::load(None).unwrap();
        let first = builtin.detectors[0].id.clone();
        let user = format!(
            "version = 1\ndisabled = [\"{first}\"]\n[[detectors]]\nid = \"acme-token\"\ndescription = \"ACME token\"\nregex = 'acme_([a-z0-9]{{20}})'\nkeywords = [\"acme_\"]\nfake = \"acme_{{a-z0-9:20}}\"\n"
        );
        let catalogue = Catalogue::load(Some(("mine.toml", &user))).unwrap();
        let ids: Vec<&str> = catalogue.detectors.iter().map(|d| d.id.as_str()).collect();
        assert!(!ids.contains(&first.as_str()));
        assert!(ids.contains(&"acme-token"));
        assert_eq!(ids.len(), builtin.detectors.len());

        // An override keeps the shipped detector's place in the order.
        let second = builtin.detectors[1].id.clone();
        let override_second = format!(
            "version = 1\n[[detectors]]\nid = \"{second}\"\ndescription = \"mine\"\nregex = 'x([a-z]{{8}})'\nkeywords = [\"x\"]\nfake = \"x{{a-z:8}}\"\n"
        );
        let overridden = Catalogue::load(Some(("mine.toml", &override_second))).unwrap();
        assert_eq!(overridden.detectors[1].id, second);
        assert_eq!(overridden.detectors[1].description, "mine");
        assert_eq!(overridden.detectors.len(), builtin.detectors.len());

        let replacing = user.replace("version = 1\n", "version = 1\nreplace_builtin = true\n");
        assert_eq!(
            Catalogue::load(Some(("mine.toml", &replacing)))
                .unwrap()
                .detectors
                .len(),
            1
        );

        let bad = Catalogue::load(Some(("mine.toml", "version = 1\ndisabled = [\"nope\"]\n")))
            .unwrap_err();
        assert_eq!(
            bad,
            "mine.toml: `disabled` names `nope`, which is not a shipped detector"
        );
        let bad = Catalogue::load(Some(("mine.toml", "version = 2\n"))).unwrap_err();
        assert!(bad.contains("unsupported version 2"), "{bad}");
        let bad = Catalogue::load(Some(("mine.toml", "version = 1\ncolour = 1\n"))).unwrap_err();
        assert!(bad.contains("unknown field `colour`"), "{bad}");
    }
}
