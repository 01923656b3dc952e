//! `Equals` and `NotEquals` (Kyverno's `operator/equal.go` and
//! `operator/notequal.go`). `NotEquals` is Kyverno's own handler, but since
//! its type-mismatch fixes (kyverno#16276) it is the negation of `Equals`
//! except for a key of no handled type (`null`): both are false there.

use serde_json::Value;

use super::go;
use crate::kyverno::operator::wildcard_match;
use crate::kyverno::quantity::{Quantity, parse_duration, parse_quantity};

/// Kyverno's `EqualHandler.Evaluate`: the key's type picks the comparison.
pub fn equals(key: &Value, value: &Value) -> bool {
    match key {
        Value::Bool(k) => value.as_bool() == Some(*k),
        Value::Number(k) => number_equals(go::number(k), value),
        Value::String(k) => string_equals(k, value),
        Value::Object(_) => value.is_object() && deep_equal(key, value),
        Value::Array(_) => value.is_array() && deep_equal(key, value),
        // A nil key has no handler branch: never equal, not even to nil.
        Value::Null => false,
    }
}

/// Kyverno's `NotEqualHandler.Evaluate`.
pub fn not_equals(key: &Value, value: &Value) -> bool {
    !key.is_null() && !equals(key, value)
}

fn number_equals(key: f64, value: &Value) -> bool {
    match value {
        Value::Number(v) => go::number(v) == key,
        Value::String(v) => go::parse_float(v).is_some_and(|v| v == key),
        _ => false,
    }
}

fn string_equals(key: &str, value: &Value) -> bool {
    // Durations first: the one reading that may compare a string with a number.
    if let Some((k, v)) = durations(&Value::String(key.to_string()), value) {
        return go::duration_seconds(k) == go::duration_seconds(v);
    }
    if let Some(k) = parse_quantity(key) {
        // A quantity key never falls back to text: `"1"` does not equal `"1*"`.
        return comparable_quantity(value).is_some_and(|v| k.compare(&v).is_eq());
    }
    match value {
        Value::String(pattern) => wildcard_match(pattern, key),
        _ => false,
    }
}

/// Kyverno's `parseComparableQuantity`: a quantity string, or a number
/// (so `"5"` equals `5`, kyverno#16358).
fn comparable_quantity(value: &Value) -> Option<Quantity> {
    match value {
        Value::String(v) => parse_quantity(v),
        // `Display` writes the exact shortest decimal, never an exponent.
        Value::Number(n) => parse_quantity(&go::number(n).to_string()),
        _ => None,
    }
}

/// Kyverno's `parseDuration(key, value)`: at least one side must be a
/// duration string other than `"0"`; the other may be a duration string or
/// a number of seconds. Nanoseconds, or `None` when this reading fails.
pub fn durations(key: &Value, value: &Value) -> Option<(i64, i64)> {
    let as_duration = |side: &Value| match side {
        Value::String(s) if s != "0" => parse_duration(s),
        _ => None,
    };
    let as_seconds = |side: &Value| match side {
        Value::Number(n) => Some(go::seconds_to_duration(go::number(n))),
        _ => None,
    };
    let (k, v) = (as_duration(key), as_duration(value));
    if k.is_none() && v.is_none() {
        return None;
    }
    Some((
        k.or_else(|| as_seconds(key))?,
        v.or_else(|| as_seconds(value))?,
    ))
}

/// `reflect.DeepEqual` of two decoded JSON values: numbers compare as the
/// `float64`s Go decoded them into, so `1` equals `1.0`.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => go::number(x) == go::number(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| deep_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, xv)| y.get(k).is_some_and(|yv| deep_equal(xv, yv)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // Kyverno's equal_test.go (its 3.14 and 2.71 are 3.25 and 2.75 here:
    // clippy reads them as constants), then the cases its switches decide.
    #[test]
    fn equal_handler_table() {
        let cases = [
            (json!(true), json!(true), true),
            (json!(false), json!(false), true),
            (json!(true), json!(false), false),
            (json!(true), json!("true"), false),
            (json!(42), json!(42), true),
            (json!(42), json!(43), false),
            (json!(100), json!(100), true),
            (json!(42), json!(42.0), true),
            (json!(42), json!(42.5), false),
            (json!(42), json!("42"), true),
            (json!(42), json!("invalid"), false),
            (json!(3.25), json!(3.25), true),
            (json!(3.25), json!(2.75), false),
            (json!(42.0), json!(42), true),
            (json!(3.25), json!("3.25"), true),
            (json!(3.25), json!("invalid"), false),
            (json!(10), json!(true), false),
            (json!(10.5), json!(10), false),
            (json!("hello"), json!("hello"), true),
            (json!("hello"), json!("world"), false),
            (json!("hello-world"), json!("hello-*"), true),
            (json!("goodbye-world"), json!("hello-*"), false),
            (json!("hello"), json!(123), false),
            (json!("100Mi"), json!("100Mi"), true),
            (json!("1Gi"), json!("1024Mi"), true),
            (json!("100Mi"), json!("200Mi"), false),
            (json!("1h"), json!("60m"), true),
            (json!("1h"), json!("30m"), false),
            (json!({"foo": "bar"}), json!({"foo": "bar"}), true),
            (json!({"foo": "bar"}), json!({"foo": "baz"}), false),
            (json!({"foo": "bar"}), json!("not a map"), false),
            (json!(["a", "b", "c"]), json!(["a", "b", "c"]), true),
            (json!(["a", "b", "c"]), json!(["a", "b", "d"]), false),
            (json!(["a", "b", "c"]), json!(["a", "b"]), false),
            (json!(["a", "b", "c"]), json!("not a slice"), false),
            (json!(true), json!(true), true),
            (json!(false), json!(true), false),
            (json!(true), json!("true"), false),
            (json!(1), json!(1), true),
            (json!(1), json!(1.0), true),
            (json!(1.5), json!(1), false),
            (json!(1), json!("1"), true),
            (json!(1), json!("1.0"), true),
            (json!(1), json!("one"), false),
            (json!("1"), json!(1), true),
            (json!("1k"), json!(1000), true),
            (json!("0.5"), json!(0.5), true),
            // Durations come first: against a number, `500m` is 500 minutes.
            (json!("500m"), json!(0.5), false),
            (json!("500m"), json!(30000), true),
            (json!("500m"), json!("0.5"), true),
            (json!("1"), json!(true), false),
            (json!("abc"), json!("a*"), true),
            (json!("abc"), json!("a?c"), true),
            (json!("a*"), json!("abc"), false),
            (json!("1Gi"), json!("1024Mi"), true),
            (json!("1Gi"), json!("1Gi*"), false),
            (json!("10"), json!("1?"), false),
            (json!("1h"), json!("3600s"), true),
            (json!("1h"), json!(3600), true),
            (json!("1s"), json!(1.5), true),
            (json!("0"), json!("0s"), false),
            (
                json!({"a": [1, {"b": 2}]}),
                json!({"a": [1.0, {"b": 2}]}),
                true,
            ),
            (json!({"a": 1}), json!({"a": 1, "b": 2}), false),
            (json!([1, 2]), json!([2, 1]), false),
            (json!([]), json!({}), false),
            (json!(null), json!(null), false),
            (json!(null), json!(""), false),
        ];
        for (key, value, want) in cases {
            assert_eq!(equals(&key, &value), want, "{key} Equals {value}");
        }
    }

    // Kyverno's notequal_test.go (3.14 and 2.71 as above) and
    // Test_NotEqual_ResourceQuantityCrossType.
    #[test]
    fn not_equal_handler_table() {
        let cases = [
            (json!(true), json!(false), true),
            (json!(42), json!(43), true),
            (json!(5), json!(5.5), true),
            (json!(3.25), json!(2.75), true),
            (json!("hello"), json!("world"), true),
            (json!("100Mi"), json!("not-a-quantity"), true),
            (json!("1h"), json!("30m"), true),
            (json!({"foo": "bar"}), json!({"foo": "baz"}), true),
            (json!(["a", "b"]), json!(["a", "c"]), true),
            (json!("5"), json!(5), false),
            (json!("5"), json!(5.0), false),
            (json!("5"), json!(6), true),
            // Mismatched types are "not equal", but a nil key is neither.
            (json!(true), json!("true"), true),
            (json!(["a"]), json!({"a": 1}), true),
            (json!(null), json!(null), false),
            (json!(null), json!("a"), false),
        ];
        for (key, value, want) in cases {
            assert_eq!(not_equals(&key, &value), want, "{key} NotEquals {value}");
        }
    }

    // Kyverno's parseDuration tests (operator_test.go), in nanoseconds.
    #[test]
    fn kyverno_parse_duration_table() {
        const S: i64 = 1_000_000_000;
        let cases = [
            (json!("2h"), json!("1h"), Some((7200 * S, 3600 * S))),
            (json!("90m"), json!("1h30m"), Some((5400 * S, 5400 * S))),
            (json!("30s"), json!("45s"), Some((30 * S, 45 * S))),
            (json!("0s"), json!("1h"), Some((0, 3600 * S))),
            (json!("2m"), json!(60), Some((120 * S, 60 * S))),
            (json!("1h"), json!(120), Some((3600 * S, 120 * S))),
            (json!("30s"), json!(10.0), Some((30 * S, 10 * S))),
            (json!(120), json!("2m"), Some((120 * S, 120 * S))),
            (json!(3600), json!("30m"), Some((3600 * S, 1800 * S))),
            (json!(60.0), json!("1m"), Some((60 * S, 60 * S))),
            // Neither is a duration.
            (json!("hello"), json!("world"), None),
            (json!(100), json!(200), None),
            (json!("0"), json!("0"), None),
            // A duration, but nothing to compare it with.
            (json!("1h"), json!(true), None),
            (json!(true), json!("1h"), None),
            (json!("1h"), json!({}), None),
            (json!("1m"), json!("x"), None),
        ];
        for (key, value, want) in cases {
            assert_eq!(durations(&key, &value), want, "{key} {value}");
        }
    }
}
