//! The Go behaviour Kyverno's condition operators lean on: `fmt.Sprint` of
//! decoded JSON, `strconv.ParseFloat`, `time.Duration` arithmetic and
//! `github.com/blang/semver/v4` versions.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// A JSON number as Kyverno sees it: `encoding/json` decodes every number
/// into `float64`, so `1`, `1.0` and `int64(1)` are one value.
pub fn number(n: &Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

/// Go's `fmt.Sprint` of a decoded JSON value.
pub fn sprint(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_float(number(n)),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(sprint).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(map) => {
            // `fmt` prints maps with their keys sorted.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", sprint(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
    }
}

/// `%v` of a `float64`: the shortest digits, in exponent form when the
/// decimal exponent is below -4 or at least 21 (`1e+21`, `1e-05`).
pub fn format_float(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let scientific = format!("{value:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return value.to_string();
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return value.to_string();
    };
    if value != 0.0 && !(-4..21).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    } else {
        value.to_string()
    }
}

/// `strconv.ParseFloat(text, 64)`; `None` where Go returns an error
/// (malformed text, or a finite spelling beyond `f64`'s range).
/// Hexadecimal floats (`0x1p-2`), which Go also reads, are not supported.
pub fn parse_float(text: &str) -> Option<f64> {
    let parsed: f64 = text.parse().ok()?;
    if parsed.is_infinite() {
        let unsigned = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
        if !unsigned.starts_with("inf") {
            return None;
        }
    }
    Some(parsed)
}

/// `time.Duration(n) * time.Second`: Go truncates the float to whole
/// nanoseconds *before* scaling, so `1.5` is one second.
pub fn seconds_to_duration(n: f64) -> i64 {
    // Saturating where Go's out-of-range conversion is undefined.
    #[allow(clippy::cast_possible_truncation)]
    let truncated = n as i64;
    truncated.wrapping_mul(1_000_000_000)
}

/// `time.Duration.Seconds()`.
pub fn duration_seconds(nanos: i64) -> f64 {
    let sec = nanos / 1_000_000_000;
    let nsec = nanos % 1_000_000_000;
    #[allow(clippy::cast_precision_loss)]
    let seconds = sec as f64 + nsec as f64 / 1e9;
    seconds
}

/// A semantic version as `blang/semver` v4 parses it (`Parse`: exactly
/// `MAJOR.MINOR.PATCH`, optional `-prerelease` and `+build`, no `v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<PreRelease>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PreRelease {
    Numeric(u64),
    Alpha(String),
}

fn numeric_part(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

fn identifier_ok(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.splitn(3, '.');
        let major = numeric_part(parts.next()?)?;
        let minor = numeric_part(parts.next()?)?;
        let rest = parts.next()?;
        let pre_at = rest.find('-');
        let build_at = rest.find('+');
        let patch_end = match (pre_at, build_at) {
            (Some(p), Some(b)) => p.min(b),
            (Some(p), None) => p,
            (None, Some(b)) => b,
            (None, None) => rest.len(),
        };
        let patch = numeric_part(&rest[..patch_end])?;
        let mut pre = Vec::new();
        if let Some(p) = pre_at
            && build_at.is_none_or(|b| p < b)
        {
            let end = build_at.unwrap_or(rest.len());
            for identifier in rest[p + 1..end].split('.') {
                if !identifier_ok(identifier) {
                    return None;
                }
                if identifier.bytes().all(|b| b.is_ascii_digit()) {
                    pre.push(PreRelease::Numeric(numeric_part(identifier)?));
                } else {
                    pre.push(PreRelease::Alpha(identifier.to_string()));
                }
            }
        }
        if let Some(b) = build_at
            && !rest[b + 1..].split('.').all(identifier_ok)
        {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// `Version.Compare`: build metadata is ignored; a version without a
    /// prerelease is above the same one with a prerelease.
    pub fn compare(&self, other: &Version) -> Ordering {
        let core =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if core != Ordering::Equal {
            return core;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let order = match (a, b) {
                (PreRelease::Numeric(x), PreRelease::Numeric(y)) => x.cmp(y),
                (PreRelease::Numeric(_), PreRelease::Alpha(_)) => Ordering::Less,
                (PreRelease::Alpha(_), PreRelease::Numeric(_)) => Ordering::Greater,
                (PreRelease::Alpha(x), PreRelease::Alpha(y)) => x.cmp(y),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sprint_as_go_prints_decoded_json() {
        let cases = [
            (json!(1), "1"),
            (json!(1.0), "1"),
            (json!(1.5), "1.5"),
            (json!(-5), "-5"),
            (json!(1e20), "100000000000000000000"),
            (json!(1e21), "1e+21"),
            (json!(0.0001), "0.0001"),
            (json!(0.00001), "1e-05"),
            (json!(true), "true"),
            (json!(null), "<nil>"),
            (json!("a b"), "a b"),
            (json!(["a", 1]), "[a 1]"),
            (json!({"b": 1, "a": "x"}), "map[a:x b:1]"),
        ];
        for (value, want) in cases {
            assert_eq!(sprint(&value), want, "{value}");
        }
    }

    #[test]
    fn parse_float_as_go() {
        assert_eq!(parse_float("1.5"), Some(1.5));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_float("1e400"), None);
        assert_eq!(parse_float("1Ki"), None);
        assert_eq!(parse_float(""), None);
    }

    #[test]
    fn durations_truncate_floats_to_whole_seconds() {
        assert_eq!(seconds_to_duration(1.5), 1_000_000_000);
        assert_eq!(seconds_to_duration(-2.9), -2_000_000_000);
        assert!((duration_seconds(1_500_000_000) - 1.5).abs() < f64::EPSILON);
    }

    #[test]
    fn semver_parses_and_orders_as_blang() {
        let v = |s: &str| Version::parse(s);
        assert!(v("1.5.0").is_some());
        assert!(v("1.5").is_none());
        assert!(v("v1.5.0").is_none());
        assert!(v("1.05.0").is_none());
        assert!(v("1.5.*").is_none());
        assert!(v("1.5.0-rc.1+build.7").is_some());
        assert!(v("1.5.0-01").is_none());
        let order = |a: &str, b: &str| v(a).zip(v(b)).map(|(a, b)| a.compare(&b));
        assert_eq!(order("1.5.5", "1.5.0"), Some(Ordering::Greater));
        assert_eq!(order("1.10.0", "1.9.9"), Some(Ordering::Greater));
        assert_eq!(order("1.0.0-alpha", "1.0.0"), Some(Ordering::Less));
        assert_eq!(
            order("1.0.0-alpha.1", "1.0.0-alpha.beta"),
            Some(Ordering::Less)
        );
        assert_eq!(order("1.0.0-alpha", "1.0.0-alpha.1"), Some(Ordering::Less));
        assert_eq!(order("1.0.0+a", "1.0.0+b"), Some(Ordering::Equal));
    }
}
