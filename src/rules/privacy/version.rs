//! Version ranges of catalogue settings, tested against image tags.

use std::cmp::Ordering;

/// Comparators joined by commas, all of which must hold: `>=3.0.0, <4`.
#[derive(Debug, Clone)]
pub struct VersionRange {
    bounds: Vec<(Ordering, bool, Vec<u64>)>,
}

impl VersionRange {
    pub fn parse(text: &str) -> Result<VersionRange, String> {
        let mut bounds = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (ordering, inclusive, rest) = if let Some(rest) = part.strip_prefix(">=") {
                (Ordering::Greater, true, rest)
            } else if let Some(rest) = part.strip_prefix("<=") {
                (Ordering::Less, true, rest)
            } else if let Some(rest) = part.strip_prefix('>') {
                (Ordering::Greater, false, rest)
            } else if let Some(rest) = part.strip_prefix('<') {
                (Ordering::Less, false, rest)
            } else {
                return Err(format!("`{part}` does not start with <, <=, > or >="));
            };
            let version = numbers(rest.trim())
                .ok_or_else(|| format!("`{}` is not a version", rest.trim()))?;
            bounds.push((ordering, inclusive, version));
        }
        Ok(VersionRange { bounds })
    }

    /// Whether the image's tag is inside the range. A tag that names no
    /// version (`latest`, `main`, a digest) cannot be placed, so it counts
    /// as inside: the setting may apply.
    pub fn admits_image(&self, image: &str) -> bool {
        match image_version(image) {
            Some(version) => self.admits(&version),
            None => true,
        }
    }

    fn admits(&self, version: &[u64]) -> bool {
        self.bounds.iter().all(|(ordering, inclusive, bound)| {
            let compared = compare(version, bound);
            compared == *ordering || (*inclusive && compared == Ordering::Equal)
        })
    }
}

fn compare(a: &[u64], b: &[u64]) -> Ordering {
    let length = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..length)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// `1.5.4` → [1, 5, 4]; `v0.5` → [0, 5]; anything else → None.
fn numbers(text: &str) -> Option<Vec<u64>> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let parts: Option<Vec<u64>> = text.split('.').map(|part| part.parse().ok()).collect();
    parts.filter(|parts| !parts.is_empty())
}

/// The version an image's tag names: `flowiseai/flowise:2.2.8` → 2.2.8,
/// `ghcr.io/open-webui/open-webui:v0.5.4-cuda` → 0.5.4.
pub fn image_version(image: &str) -> Option<Vec<u64>> {
    let without_digest = image.split('@').next()?;
    let last = without_digest.rsplit('/').next()?;
    let (_, tag) = last.split_once(':')?;
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let leading: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    numbers(leading.trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_tags() {
        let old = VersionRange::parse("<=2.2.8").unwrap();
        assert!(old.admits_image("flowiseai/flowise:2.2.8"));
        assert!(!old.admits_image("flowiseai/flowise:3.0.1"));
        assert!(old.admits_image("flowiseai/flowise:latest"));
        assert!(old.admits_image("flowiseai/flowise"));
        let chroma = VersionRange::parse("<1.5.4").unwrap();
        assert!(chroma.admits_image("chromadb/chroma:1.5.3"));
        assert!(!chroma.admits_image("chromadb/chroma:1.5.4"));
        assert!(!chroma.admits_image("registry.local:5000/chromadb/chroma:v1.6"));
        let span = VersionRange::parse(">=3.0.0, <4").unwrap();
        assert!(span.admits_image("x:3.2.0-alpine"));
        assert!(!span.admits_image("x:4.0"));
        assert!(VersionRange::parse("~1.2").is_err());
        assert_eq!(
            image_version("ghcr.io/open-webui/open-webui:v0.5.4-cuda"),
            Some(vec![0, 5, 4])
        );
        assert_eq!(image_version("localhost:5000/ollama"), None);
    }
}
