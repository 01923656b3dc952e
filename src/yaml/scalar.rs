//! Typing of plain (unquoted) scalars.
//!
//! Kubernetes reads YAML with go-yaml v2 (through sigs.k8s.io/yaml), which
//! follows YAML 1.1: `yes`, `on` and `y` are booleans and `0755` is octal. A
//! checker that typed `DO_NOT_TRACK: yes` as the string "yes" would judge a
//! different manifest from the one the API server receives, so charter types
//! plain scalars the same way.

use serde_json::Number;

use super::Value;

/// The value of a plain scalar, typed as Kubernetes' YAML reader types it.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(text.into());
    }
    if let Some(number) = parse_int(text) {
        return number;
    }
    if let Some(number) = parse_float(text) {
        return number;
    }
    Value::String(text.into())
}

/// The value of a scalar carrying an explicit core-schema tag such as `!!str`.
pub fn resolve_tagged(text: &str, suffix: &str) -> Value {
    match suffix {
        "str" | "binary" | "timestamp" => Value::String(text.into()),
        "null" | "bool" | "int" | "float" => resolve_plain(text),
        _ => Value::String(text.into()),
    }
}

fn parse_int(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || digits.starts_with('_') {
        return None;
    }
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    let (radix, body) = if let Some(hex) = cleaned.strip_prefix("0x") {
        (16, hex)
    } else if let Some(binary) = cleaned.strip_prefix("0b") {
        (2, binary)
    } else if let Some(octal) = cleaned.strip_prefix("0o") {
        (8, octal)
    } else if cleaned.len() > 1 && cleaned.starts_with('0') {
        (8, &cleaned[1..])
    } else {
        (10, cleaned.as_str())
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(body, radix).ok()?;
    let number = if negative {
        i64::try_from(magnitude)
            .ok()
            .map(|m| Number::from(-m))
            .or_else(|| (magnitude == 1u128 << 63).then(|| Number::from(i64::MIN)))
    } else {
        u64::try_from(magnitude).ok().map(Number::from)
    };
    // Beyond 64 bits go-yaml falls back to a float, and so do we.
    Some(match number {
        Some(n) => Value::Number(n),
        None => float_value(if negative {
            -(magnitude as f64)
        } else {
            magnitude as f64
        })
        .unwrap_or_else(|| Value::String(text.into())),
    })
}

fn parse_float(text: &str) -> Option<Value> {
    let lower = text.to_ascii_lowercase();
    if matches!(lower.trim_start_matches(['-', '+']), ".inf" | ".nan") {
        // JSON has no infinities or NaN; keep the text so nothing is lost.
        return Some(Value::String(text.into()));
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let body = cleaned.trim_start_matches(['-', '+']);
    let mantissa_end = body.find(['e', 'E']).unwrap_or(body.len());
    let (mantissa, exponent) = body.split_at(mantissa_end);
    let valid_mantissa = !mantissa.is_empty()
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.matches('.').count() <= 1;
    let valid_exponent = exponent.is_empty() || {
        let digits = exponent[1..].trim_start_matches(['-', '+']);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    if !(valid_mantissa && valid_exponent) {
        return None;
    }
    float_value(cleaned.parse::<f64>().ok()?)
}

fn float_value(number: f64) -> Option<Value> {
    Number::from_f64(number).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resolved value, as JSON, for compact assertions.
    fn resolve(text: &str) -> serde_json::Value {
        crate::yaml::Node::new(resolve_plain(text), Default::default(), Default::default())
            .to_json()
    }

    fn tagged(text: &str, suffix: &str) -> serde_json::Value {
        crate::yaml::Node::new(
            resolve_tagged(text, suffix),
            Default::default(),
            Default::default(),
        )
        .to_json()
    }

    use serde_json::json;

    #[test]
    fn yaml_1_1_booleans_and_nulls() {
        for text in ["yes", "On", "TRUE", "y"] {
            assert_eq!(resolve(text), json!(true), "{text}");
        }
        for text in ["no", "off", "False", "N"] {
            assert_eq!(resolve(text), json!(false), "{text}");
        }
        for text in ["", "~", "null"] {
            assert_eq!(resolve(text), serde_json::Value::Null, "{text}");
        }
        assert_eq!(resolve("yess"), json!("yess"));
    }

    #[test]
    fn integers_in_every_base() {
        assert_eq!(resolve("8080"), json!(8080));
        assert_eq!(resolve("-12"), json!(-12));
        assert_eq!(resolve("0755"), json!(493));
        assert_eq!(resolve("0x1F"), json!(31));
        assert_eq!(resolve("0b101"), json!(5));
        assert_eq!(resolve("1_000"), json!(1000));
        assert_eq!(resolve("0"), json!(0));
        assert_eq!(resolve("-9223372036854775808"), json!(i64::MIN));
        assert_eq!(
            resolve("18446744073709551616"),
            json!(18446744073709551616.0)
        );
    }

    #[test]
    fn floats_and_lookalikes() {
        assert_eq!(resolve("1.5"), json!(1.5));
        assert_eq!(resolve("1e3"), json!(1000.0));
        assert_eq!(resolve(".5"), json!(0.5));
        assert_eq!(resolve(".inf"), json!(".inf"));
        // Not octal, but go-yaml's float pattern accepts it.
        assert_eq!(resolve("089"), json!(89.0));
        // Quantities, versions and IPs stay strings.
        for text in [
            "100m", "1.2.3", "10.0.0.1", "1Gi", "0.5Gi", "-", "+", ".", "1e",
        ] {
            assert_eq!(resolve(text), json!(text), "{text}");
        }
    }

    #[test]
    fn explicit_tags_win() {
        assert_eq!(tagged("123", "str"), json!("123"));
        assert_eq!(tagged("123", "int"), json!(123));
    }
}
