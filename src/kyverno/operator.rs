//! One scalar of a resource against one scalar of a pattern, as Kyverno's
//! `pkg/engine/pattern` decides it: booleans, numbers, `null`, and strings
//! with wildcards, `|` (or), `&` (and), `!`, `>`, `<`, `>=`, `<=`, and the
//! ranges `a-b` and `a!-b`; durations first, then quantities, then text.

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::quantity::{parse_duration, parse_quantity};

/// The comparison a string pattern starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equal,
    NotEqual,
    More,
    Less,
    MoreEqual,
    LessEqual,
    InRange,
    NotInRange,
}

impl Operator {
    /// The length of the operator's prefix in the pattern (ranges have none).
    fn prefix_len(self) -> usize {
        match self {
            Operator::Equal | Operator::InRange | Operator::NotInRange => 0,
            Operator::NotEqual | Operator::More | Operator::Less => 1,
            Operator::MoreEqual | Operator::LessEqual => 2,
        }
    }
}

// Kyverno's own expressions (operator.go), with Go's ASCII-only `\d`.
static IN_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([-|+]?[0-9]+(?:\.[0-9]+)?[A-Za-z]*)-([-|+]?[0-9]+(?:\.[0-9]+)?[A-Za-z]*)$")
        .expect("the range expression is valid")
});
static NOT_IN_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([-|+]?[0-9]+(?:\.[0-9]+)?[A-Za-z]*)!-([-|+]?[0-9]+(?:\.[0-9]+)?[A-Za-z]*)$")
        .expect("the range expression is valid")
});

/// The operator a (trimmed) string pattern starts with.
///
/// A pattern of one character is always `Equal`: `">"` alone is text.
pub fn operator_of(pattern: &str) -> Operator {
    if pattern.len() < 2 {
        return Operator::Equal;
    }
    let prefixes = [
        (">=", Operator::MoreEqual),
        ("<=", Operator::LessEqual),
        (">", Operator::More),
        ("<", Operator::Less),
        ("!", Operator::NotEqual),
    ];
    if let Some((_, op)) = prefixes
        .iter()
        .find(|(prefix, _)| pattern.starts_with(prefix))
    {
        return *op;
    }
    if NOT_IN_RANGE.is_match(pattern) {
        return Operator::NotInRange;
    }
    if IN_RANGE.is_match(pattern) {
        return Operator::InRange;
    }
    Operator::Equal
}

/// Whether a resource value matches a scalar pattern (Kyverno's
/// `pattern.Validate`). Maps and arrays in the pattern are the walk's
/// business, never this function's: an array pattern matches nothing here,
/// and a map pattern matches any map.
pub fn matches(value: &Value, pattern: &Value) -> bool {
    match pattern {
        Value::Bool(expected) => value.as_bool() == Some(*expected),
        // Kyverno reads policies with encoding/json, so every number of a
        // pattern is a float64, whatever its spelling.
        Value::Number(number) => number.as_f64().is_some_and(|p| matches_float(value, p)),
        Value::Null => matches_null(value),
        Value::Object(_) => value.is_object(),
        Value::String(text) => matches_string_patterns(value, text),
        Value::Array(_) => false,
    }
}

/// A resource number, as Kubernetes' unstructured decoding keeps it:
/// integers as int64, anything else as float64.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Int(i64),
    Float(f64),
}

fn number_of(value: &Value) -> Option<Number> {
    let Value::Number(number) = value else {
        return None;
    };
    match number.as_i64() {
        Some(int) => Some(Number::Int(int)),
        None => number.as_f64().map(Number::Float),
    }
}

fn has_fraction(value: f64) -> bool {
    value != value.trunc()
}

fn matches_float(value: &Value, pattern: f64) -> bool {
    match (number_of(value), value) {
        // Go converts the float to int64, saturating as `as` does.
        #[allow(clippy::cast_possible_truncation)]
        (Some(Number::Int(int)), _) => !has_fraction(pattern) && pattern as i64 == int,
        (Some(Number::Float(float)), _) => float == pattern,
        (None, Value::String(text)) => parse_go_float(text) == Some(pattern),
        _ => false,
    }
}

/// Go's `strconv.ParseFloat` for the spellings manifests use.
fn parse_go_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    // Rust also reads "infinity" and "nan" the way Go does; both refuse
    // surrounding spaces.
    if unsigned.is_empty() || unsigned.starts_with('_') {
        return None;
    }
    text.parse().ok()
}

fn matches_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(flag) => !flag,
        Value::String(text) => text.is_empty(),
        Value::Number(_) => match number_of(value) {
            Some(Number::Int(int)) => int == 0,
            Some(Number::Float(float)) => float == 0.0,
            None => false,
        },
        Value::Array(_) | Value::Object(_) => false,
    }
}

/// `a | b & c`: `|` binds looser than `&`; each side is trimmed of spaces.
fn matches_string_patterns(value: &Value, pattern: &str) -> bool {
    if value.as_str() == Some(pattern) {
        return true;
    }
    pattern.split('|').any(|alternative| {
        alternative
            .trim_matches(' ')
            .split('&')
            .all(|condition| matches_string_pattern(value, condition.trim_matches(' ')))
    })
}

/// One condition: an operator and its operand, or a range.
pub fn matches_string_pattern(value: &Value, pattern: &str) -> bool {
    let op = operator_of(pattern);
    match op {
        Operator::InRange => match split_range(&IN_RANGE, pattern) {
            Some((low, high)) => {
                matches_string_pattern(value, &format!(">= {low}"))
                    && matches_string_pattern(value, &format!("<= {high}"))
            }
            None => false,
        },
        Operator::NotInRange => match split_range(&NOT_IN_RANGE, pattern) {
            Some((low, high)) => {
                matches_string_pattern(value, &format!("< {low}"))
                    || matches_string_pattern(value, &format!("> {high}"))
            }
            None => false,
        },
        _ => compare(value, pattern[op.prefix_len()..].trim(), op),
    }
}

fn split_range<'a>(expression: &Regex, pattern: &'a str) -> Option<(&'a str, &'a str)> {
    let captures = expression.captures(pattern)?;
    Some((captures.get(1)?.as_str(), captures.get(2)?.as_str()))
}

/// Durations first, then quantities, then text: the first reading that
/// parses both sides decides.
pub fn compare(value: &Value, operand: &str, op: Operator) -> bool {
    if let Some(result) = compare_durations(value, operand, op) {
        return result;
    }
    if let Some(result) = compare_quantities(value, operand, op) {
        return result;
    }
    compare_text(value, operand, op)
}

fn compare_durations(value: &Value, operand: &str, op: Operator) -> Option<bool> {
    let expected = parse_duration(operand)?;
    let actual = parse_duration(&number_as_text(value)?)?;
    Some(holds(actual.cmp(&expected), op))
}

fn compare_quantities(value: &Value, operand: &str, op: Operator) -> Option<bool> {
    let expected = parse_quantity(operand)?;
    let actual = parse_quantity(&number_as_text(value)?)?;
    Some(holds(actual.compare(&expected), op))
}

fn holds(ordering: Ordering, op: Operator) -> bool {
    match op {
        Operator::Equal => ordering == Ordering::Equal,
        Operator::NotEqual => ordering != Ordering::Equal,
        Operator::More => ordering == Ordering::Greater,
        Operator::Less => ordering == Ordering::Less,
        Operator::MoreEqual => ordering != Ordering::Less,
        Operator::LessEqual => ordering != Ordering::Greater,
        Operator::InRange | Operator::NotInRange => false,
    }
}

/// Kyverno's `convertNumberToString`: `null` reads as `0`, floats with
/// Go's `%f` (six decimals), booleans and collections not at all.
fn number_as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("0".to_string()),
        Value::String(text) => Some(text.clone()),
        Value::Number(_) => match number_of(value)? {
            Number::Int(int) => Some(int.to_string()),
            Number::Float(float) => Some(format!("{float:.6}")),
        },
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Text compares only for (in)equality, with wildcards.
fn compare_text(value: &Value, operand: &str, op: Operator) -> bool {
    if !matches!(op, Operator::Equal | Operator::NotEqual) {
        return false;
    }
    let Some(text) = scalar_as_text(value) else {
        return false;
    };
    wildcard_match(operand, &text) == (op == Operator::Equal)
}

/// How Kyverno spells a scalar before matching it against text: floats in
/// Go's `%E` form (`8E+00`), so a float never equals a plain `"8"` as text.
fn scalar_as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(_) => match number_of(value)? {
            Number::Int(int) => Some(int.to_string()),
            Number::Float(float) => Some(go_exponent_format(float)),
        },
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Go's `strconv.FormatFloat(v, 'E', -1, 64)`: shortest digits, a signed
/// exponent of at least two digits.
pub fn go_exponent_format(value: f64) -> String {
    if !value.is_finite() {
        return match value {
            v if v.is_nan() => "NaN".to_string(),
            v if v > 0.0 => "+Inf".to_string(),
            _ => "-Inf".to_string(),
        };
    }
    let rust = format!("{value:E}");
    let (mantissa, exponent) = rust
        .split_once('E')
        .expect("{:E} always writes an exponent");
    let exponent: i32 = exponent.parse().expect("{:E} writes an integer exponent");
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.unsigned_abs())
}

/// Kyverno's wildcard match: `*` is any run of characters, `?` exactly one,
/// everything else itself; no escapes, no classes, and `/` is not special.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    // Most patterns (kinds, namespaces, names) hold no wildcard at all.
    if !has_wildcard(pattern) {
        return pattern == name;
    }
    if pattern == "*" {
        return true;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: the pattern just past it, and
    // how much of the name it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                p += 1;
                star = Some((p, n));
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((after_star, swallowed)) => {
                    star = Some((after_star, swallowed + 1));
                    p = after_star;
                    n = swallowed + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Whether a string has a wildcard character.
pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wildcards_match_as_in_kyverno() {
        let cases = [
            ("*", "anything", true),
            ("*", "", true),
            ("*right", "leftright", true),
            ("*right", "right", true),
            ("*right", "leftmiddle", false),
            ("*right", "middle", false),
            ("ab*ba", "abbeba", true),
            ("ab*ba", "abbca", false),
            ("ab?ba", "abbba", true),
            ("ab?ba", "abbbba", false),
            ("?*", "", false),
            ("?*", "x", true),
            ("?", "", false),
            ("", "", true),
            ("", "a", false),
            ("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
            ("*:latest", "nginx:latest", true),
            ("*:*", "nginx", false),
            ("registry.io/*", "registry.io/a/b:1", true),
            ("é?", "éü", true),
            ("**", "x", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, name),
                expected,
                "{pattern:?} on {name:?}"
            );
        }
    }

    /// match_test.go (pkg/utils/wildcard), TestMatch: (pattern, text, matched).
    #[test]
    fn kyverno_wildcard_match_table() {
        let cases = [
            ("*", "s3:GetObject", true),
            ("", "s3:GetObject", false),
            ("", "", true),
            ("s3:*", "s3:ListMultipartUploadParts", true),
            ("s3:ListBucketMultipartUploads", "s3:ListBucket", false),
            ("s3:ListBucket", "s3:ListBucket", true),
            (
                "s3:ListBucketMultipartUploads",
                "s3:ListBucketMultipartUploads",
                true,
            ),
            ("my-bucket/oo*", "my-bucket/oo", true),
            ("my-bucket/In*", "my-bucket/India/Karnataka/", true),
            ("my-bucket/In*", "my-bucket/Karnataka/India/", false),
            (
                "my-bucket/In*/Ka*/Ban",
                "my-bucket/India/Karnataka/Ban",
                true,
            ),
            (
                "my-bucket/In*/Ka*/Ban",
                "my-bucket/India/Karnataka/Ban/Ban/Ban/Ban/Ban",
                true,
            ),
            (
                "my-bucket/In*/Ka*/Ban",
                "my-bucket/India/Karnataka/Area1/Area2/Area3/Ban",
                true,
            ),
            (
                "my-bucket/In*/Ka*/Ban",
                "my-bucket/India/State1/State2/Karnataka/Area1/Area2/Area3/Ban",
                true,
            ),
            (
                "my-bucket/In*/Ka*/Ban",
                "my-bucket/India/Karnataka/Bangalore",
                false,
            ),
            (
                "my-bucket/In*/Ka*/Ban*",
                "my-bucket/India/Karnataka/Bangalore",
                true,
            ),
            ("my-bucket/*", "my-bucket/India", true),
            ("my-bucket/oo*", "my-bucket/odo", false),
            ("my-bucket?/abc*", "mybucket/abc", false),
            ("my-bucket?/abc*", "my-bucket1/abc", true),
            ("my-?-bucket/abc*", "my--bucket/abc", false),
            ("my-?-bucket/abc*", "my-1-bucket/abc", true),
            ("my-?-bucket/abc*", "my-k-bucket/abc", true),
            ("my??bucket/abc*", "mybucket/abc", false),
            ("my??bucket/abc*", "my4abucket/abc", true),
            ("my-bucket?abc*", "my-bucket/abc", true),
            ("my-bucket/abc?efg", "my-bucket/abcdefg", true),
            ("my-bucket/abc?efg", "my-bucket/abc/efg", true),
            ("my-bucket/abc????", "my-bucket/abc", false),
            ("my-bucket/abc????", "my-bucket/abcde", false),
            ("my-bucket/abc????", "my-bucket/abcdefg", true),
            ("my-bucket/abc?", "my-bucket/abc", false),
            ("my-bucket/abc?", "my-bucket/abcd", true),
            ("my-bucket/abc?", "my-bucket/abcde", false),
            ("my-bucket/mnop*?", "my-bucket/mnop", false),
            ("my-bucket/mnop*?", "my-bucket/mnopqrst/mnopqr", true),
            ("my-bucket/mnop*?", "my-bucket/mnopqrst/mnopqrs", true),
            ("my-bucket/mnop*?", "my-bucket/mnopq", true),
            ("my-bucket/mnop*?", "my-bucket/mnopqr", true),
            ("my-bucket/mnop*?and", "my-bucket/mnopqand", true),
            ("my-bucket/mnop*?and", "my-bucket/mnopand", false),
            ("my-bucket/mnop*?", "my-bucket/mn", false),
            ("my-bucket/mnop*??", "my-bucket/mnopqrst", true),
            ("my-bucket/mnop*qrst", "my-bucket/mnopabcdegqrst", true),
            ("my-bucket/mnop*?and?", "my-bucket/mnopqanda", true),
            ("my-bucket/mnop*?and", "my-bucket/mnopqanda", false),
            ("my-?-bucket/abc*", "my-bucket/mnopqanda", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, text),
                expected,
                "{pattern:?} on {text:?}"
            );
        }
    }

    #[test]
    fn operators_are_read_from_the_prefix() {
        let cases = [
            ("", Operator::Equal),
            ("f", Operator::Equal),
            (">", Operator::Equal),
            (">=", Operator::MoreEqual),
            (">=1", Operator::MoreEqual),
            ("<=1", Operator::LessEqual),
            (">1", Operator::More),
            ("<1", Operator::Less),
            ("!a", Operator::NotEqual),
            ("10!-20", Operator::NotInRange),
            ("0-2", Operator::InRange),
            ("128Mi-512Mi", Operator::InRange),
            ("-5-5", Operator::InRange),
            ("5.10.84-1", Operator::Equal),
            ("a-b", Operator::Equal),
        ];
        for (pattern, expected) in cases {
            assert_eq!(operator_of(pattern), expected, "{pattern:?}");
        }
    }

    /// Kyverno's pattern_test.go, TestValidateValueWithPattern_* and
    /// TestValidateValueWithNilPattern_* (resource value, pattern, result).
    #[test]
    fn kyverno_validate_value_with_pattern() {
        let cases = [
            (json!(true), json!(true), true),
            (json!(true), json!(false), false),
            (json!(false), json!(true), false),
            (json!(false), json!(false), true),
            (json!("value"), json!(null), false),
            (json!(""), json!(null), true),
            (json!(0.0), json!(null), true),
            (json!(0.1), json!(null), false),
            (json!(0), json!(null), true),
            (json!(1), json!(null), false),
            (json!(false), json!(null), true),
            (json!(true), json!(null), false),
            (json!(null), json!(null), true),
            (json!({}), json!(null), false),
            (json!([]), json!(null), false),
            (
                json!("10.100.11.54"),
                json!("192.168.88.1 | 10.100.11.*"),
                true,
            ),
            (json!("10"), json!(">1 & <20"), true),
            (json!("10"), json!(">1 & <20 | >31 & <33"), true),
            (json!("32"), json!(">1 & <20 | >31 & <33"), true),
            (json!("21"), json!(">1 & <20 | >31 & <33"), false),
            (json!(7.0), json!(7.000), true),
            (json!(7.9914), json!(7.9914), true),
            (json!(7.9914), json!(7.99141), false),
            (json!(7), json!(7.0), true),
            (json!(7.000001), json!(7), false),
            (json!(8), json!(7), false),
            (json!(7), json!(7.5), false),
            (json!("7"), json!(7), true),
            (json!("7.0"), json!(7), true),
            (json!("seven"), json!(7), false),
            (json!(true), json!("true"), true),
            (json!({"a": 1}), json!({"b": 2}), true),
            (json!("x"), json!({"b": 2}), false),
            (json!(["a"]), json!(["a"]), false),
        ];
        for (value, pattern, expected) in cases {
            assert_eq!(
                matches(&value, &pattern),
                expected,
                "{value} against {pattern}"
            );
        }
    }

    /// pattern_test.go: TestValidateValueWithStringPattern_WithSpace,
    /// _Ranges and TestValidateKernelVersion_NotEquals.
    #[test]
    fn kyverno_string_pattern_ranges() {
        let cases = [
            (json!(4), ">= 3", true),
            (json!(0), "0-2", true),
            (json!(1), "0-2", true),
            (json!(2), "0-2", true),
            (json!(3), "0-2", false),
            (json!(0), "10!-20", true),
            (json!(15), "10!-20", false),
            (json!(25), "10!-20", true),
            (json!(0), "0.00001-2.00001", false),
            (json!(1), "0.00001-2.00001", true),
            (json!(2), "0.00001-2.00001", true),
            (json!(2.0001), "0.00001-2.00001", false),
            (json!(0), "0.00001!-2.00001", true),
            (json!(1), "0.00001!-2.00001", false),
            (json!(2), "0.00001!-2.00001", false),
            (json!(2.0001), "0.00001!-2.00001", true),
            (json!(2), "2-2", true),
            (json!(2), "2!-2", false),
            (json!(2.99999), "2.99998-3", true),
            (json!(2.99997), "2.99998!-3", true),
            (json!(3.00001), "2.99998!-3", true),
            (json!("256Mi"), "128Mi-512Mi", true),
            (json!("1024Mi"), "128Mi-512Mi", false),
            (json!("64Mi"), "128Mi-512Mi", false),
            (json!("256Mi"), "128Mi!-512Mi", false),
            (json!("1024Mi"), "128Mi!-512Mi", true),
            (json!("64Mi"), "128Mi!-512Mi", true),
            (json!("5.16.5-arch1-1"), "!5.10.84-1", true),
            (json!("5.10.84-1"), "!5.10.84-1", false),
            (json!(-3), "-5-5", true),
            (json!(6), "-5-5", false),
        ];
        for (value, pattern, expected) in cases {
            assert_eq!(
                matches_string_pattern(&value, pattern),
                expected,
                "{value} against {pattern:?}"
            );
        }
        let and_cases = [
            ("5.16.5-arch1-1", true),
            ("5.10.84-1", false),
            ("5.15.2-1", false),
        ];
        for (value, expected) in and_cases {
            let pattern = json!("!5.10.84-1 & !5.15.2-1");
            assert_eq!(matches(&json!(value), &pattern), expected, "{value}");
        }
    }

    /// pattern_test.go: TestValidateNumberWithStr_LessFloatAndInt,
    /// TestValidateQuantity_* (value, operand, operator, result).
    #[test]
    fn kyverno_validate_string_with_operator() {
        let cases = [
            (json!(7.00001), "7.000001", Operator::More, true),
            (json!(7.00001), "7", Operator::NotEqual, true),
            (json!(7.0), "7", Operator::Equal, true),
            (json!(6.000000001), "6", Operator::Less, false),
            (json!("1024Gi"), "", Operator::Equal, false),
            (json!("gii"), "1024Gi", Operator::Equal, false),
            (json!("1024Gi"), "1024Gi", Operator::Equal, true),
            (json!("1024Mi"), "1Gi", Operator::Equal, true),
            (json!("0.2"), "200m", Operator::Equal, true),
            (json!("500"), "500", Operator::Equal, true),
            (json!("2048"), "1024", Operator::Equal, false),
            (json!(1024), "1024", Operator::Equal, true),
            (json!("1Gi"), "1000Mi", Operator::More, true),
            (json!("1G"), "1Gi", Operator::Less, true),
            (json!("500m"), "0.5", Operator::MoreEqual, true),
            (json!("1"), "500m", Operator::MoreEqual, true),
            (json!("0.5"), ".5", Operator::LessEqual, true),
            (json!("0.2"), ".5", Operator::LessEqual, true),
            (json!("0.2"), ".5", Operator::NotEqual, true),
        ];
        for (value, operand, op, expected) in cases {
            assert_eq!(
                compare(&value, operand, op),
                expected,
                "{value} {op:?} {operand:?}"
            );
        }
    }

    #[test]
    fn quantities_durations_and_text() {
        let cases = [
            (json!("2Gi"), "<=2Gi", true),
            (json!("3Gi"), "<=2Gi", false),
            (json!("1500m"), "<2", true),
            (json!(2), "<=2", true),
            (json!(1.5), "<2", true),
            (json!("1h"), ">10s", true),
            (json!("5s"), ">10s", false),
            (json!("3600s"), "1h", true),
            (json!("90m"), ">=1h", true),
            (json!(3600), "1h", false),
            (json!(null), "0", true),
            (json!(null), ">=0", true),
            (json!(null), "<1", true),
            (json!("abc"), ">5", false),
            (json!("abc"), "!abc", false),
            (json!("abd"), "!abc", true),
            (json!(8), "8", true),
            (json!(8.0), "8", true),
            (json!(8.5), "8.5", true),
            (json!(true), "true", true),
            (json!(false), "!true", true),
            (json!(true), ">1", false),
            (json!(null), "*", false),
            (json!(null), "!foo", false),
            (json!(""), "?*", false),
            (json!("x"), "?*", true),
            (json!(""), "", true),
            (json!(""), "*", true),
            (json!(12), "1?", true),
            (json!(1.5), "1.5E+00", true),
            (json!({"a": 1}), "*", false),
            (json!(["a"]), "*", false),
        ];
        for (value, pattern, expected) in cases {
            assert_eq!(
                matches(&value, &json!(pattern)),
                expected,
                "{value} against {pattern:?}"
            );
        }
    }

    #[test]
    fn or_and_not_combine() {
        let cases = [
            ("Always", "Always|IfNotPresent", true),
            ("IfNotPresent", "Always|IfNotPresent", true),
            ("Never", "Always|IfNotPresent", false),
            ("Never", " Always | IfNotPresent ", false),
            ("nginx:1.2.3", "*:latest | !*:*", false),
            ("nginx:latest", "*:latest | !*:*", true),
            ("nginx", "*:latest | !*:*", true),
            ("nginx", "!*:* | *:latest", true),
            ("cache-volume", "!credential-socket&!istio-data", true),
            ("istio-data", "!credential-socket&!istio-data", false),
            ("a|b", "a|b", true),
        ];
        for (value, pattern, expected) in cases {
            assert_eq!(
                matches(&json!(value), &json!(pattern)),
                expected,
                "{value} against {pattern:?}"
            );
        }
    }

    #[test]
    fn floats_are_spelled_as_go_does() {
        let cases = [
            (8.0, "8E+00"),
            (1.5, "1.5E+00"),
            (1234.5, "1.2345E+03"),
            (0.001, "1E-03"),
            (1e100, "1E+100"),
            (-2.0, "-2E+00"),
        ];
        for (value, expected) in cases {
            assert_eq!(go_exponent_format(value), expected);
        }
    }
}
