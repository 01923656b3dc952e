//! `GreaterThan`, `GreaterThanOrEquals`, `LessThan`, `LessThanOrEquals`
//! (Kyverno's `operator/numeric.go`) and the deprecated `Duration*`
//! operators (`operator/duration.go`).

use std::cmp::Ordering;

use serde_json::Value;

use super::equality::durations;
use super::go::{self, Version};
use crate::kyverno::quantity::{parse_duration, parse_quantity};

/// Which comparison holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Comparison {
    fn holds(self, order: Ordering) -> bool {
        match self {
            Comparison::Greater => order.is_gt(),
            Comparison::GreaterOrEqual => order.is_ge(),
            Comparison::Less => order.is_lt(),
            Comparison::LessOrEqual => order.is_le(),
        }
    }

    // Go compares float64s: NaN makes every comparison false.
    fn holds_f64(self, key: f64, value: f64) -> bool {
        key.partial_cmp(&value)
            .is_some_and(|order| self.holds(order))
    }
}

/// Kyverno's `NumericOperatorHandler.Evaluate`: numbers and numeric
/// strings, durations, quantities, then semantic versions. Any other key
/// (booleans, maps, lists, null) compares false.
pub fn compare(key: &Value, value: &Value, op: Comparison) -> bool {
    match key {
        Value::Number(k) => compare_number(go::number(k), value, op),
        Value::String(k) => compare_string(k, value, op),
        _ => false,
    }
}

fn compare_number(key: f64, value: &Value, op: Comparison) -> bool {
    match value {
        Value::Number(v) => op.holds_f64(key, go::number(v)),
        Value::String(v) => {
            let key_value = serde_json::Number::from_f64(key).map_or(Value::Null, Value::Number);
            if let Some((k, v)) = durations(&key_value, value) {
                return op.holds_f64(go::duration_seconds(k), go::duration_seconds(v));
            }
            // A quantity such as `1Ki` is not read here: only plain numbers.
            go::parse_float(v).is_some_and(|v| op.holds_f64(key, v))
        }
        _ => false,
    }
}

fn compare_string(key: &str, value: &Value, op: Comparison) -> bool {
    if let Some((k, v)) = durations(&Value::String(key.to_string()), value) {
        return op.holds_f64(go::duration_seconds(k), go::duration_seconds(v));
    }
    // Quantities before plain numbers: `"1Ki"` against `"1023"` is 1024 > 1023.
    if let Value::String(v) = value
        && let (Some(k), Some(v)) = (parse_quantity(key), parse_quantity(v))
    {
        return op.holds(k.compare(&v));
    }
    if let Some(k) = go::parse_float(key) {
        return compare_number(k, value, op);
    }
    if let Some(k) = Version::parse(key) {
        return match value {
            Value::String(v) => Version::parse(v).is_some_and(|v| op.holds(k.compare(&v))),
            _ => false,
        };
    }
    false
}

/// Kyverno's `DurationOperatorHandler.Evaluate`: a number is that many
/// whole seconds, a string must be a Go duration (`"0"` included); anything
/// else compares false.
pub fn compare_durations(key: &Value, value: &Value, op: Comparison) -> bool {
    let read = |side: &Value| match side {
        Value::Number(n) => Some(go::seconds_to_duration(go::number(n))),
        Value::String(s) => parse_duration(s),
        _ => None,
    };
    match (read(key), read(value)) {
        (Some(k), Some(v)) => op.holds(k.cmp(&v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // Kyverno's numeric_test.go and duration_test.go, plus the type
    // mismatches the handlers' switches decide.
    #[test]
    fn numeric_handler_table() {
        use Comparison::*;
        let cases = [
            (json!(10), Greater, json!(1), true),
            (json!(10), Greater, json!("1"), true),
            (json!(10), Greater, json!("1e1"), false),
            (json!(10), GreaterOrEqual, json!("1e1"), true),
            (json!(1025), Greater, json!("1Ki"), false),
            (json!("1025"), Greater, json!("1Ki"), true),
            (json!("1.5"), Greater, json!(1), true),
            (json!("1.10"), Greater, json!("1.9"), false),
            (json!("1.10.0"), Greater, json!("1.9.0"), true),
            (json!("1.10.0"), Greater, json!(1), false),
            (json!("1.0.0-rc.1"), Less, json!("1.0.0"), true),
            (json!("abc"), Greater, json!("abb"), false),
            (json!("1m"), Less, json!(61), true),
            (json!(59.9), Less, json!("1m"), true),
            (json!(true), Greater, json!(false), false),
            (json!(null), Less, json!(1), false),
            (json!([2]), Greater, json!(1), false),
            (json!(2), Greater, json!([1]), false),
            (json!(2), Greater, json!(null), false),
            (json!("-1"), Less, json!("-0.5"), true),
        ];
        for (key, op, value, want) in cases {
            assert_eq!(compare(&key, &value, op), want, "{key} {op:?} {value}");
        }
    }

    #[test]
    fn duration_handler_table() {
        use Comparison::*;
        let cases = [
            (json!("1h"), Greater, json!("59m"), true),
            (json!("1h"), GreaterOrEqual, json!(3600), true),
            (json!(3600), LessOrEqual, json!("1h"), true),
            (json!(1.9), Less, json!("1s"), false),
            (json!("0"), Less, json!("1s"), true),
            (json!("1h"), Greater, json!("x"), false),
            (json!("x"), Greater, json!("1s"), false),
            (json!(true), Greater, json!("1s"), false),
            (json!(2), Greater, json!(1), true),
        ];
        for (key, op, value, want) in cases {
            assert_eq!(
                compare_durations(&key, &value, op),
                want,
                "{key} {op:?} {value}"
            );
        }
    }
}
