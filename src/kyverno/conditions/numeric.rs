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

    use Comparison::*;

    fn check(cases: &[(Value, Comparison, Value, bool)]) {
        for (key, op, value, want) in cases {
            assert_eq!(compare(key, value, *op), *want, "{key} {op:?} {value}");
        }
    }

    fn check_durations(cases: &[(Value, Comparison, Value, bool)]) {
        for (key, op, value, want) in cases {
            assert_eq!(
                compare_durations(key, value, *op),
                *want,
                "{key} Duration{op:?} {value}"
            );
        }
    }

    // Kyverno's numeric_test.go: compareByCondition, then Evaluate by key
    // type (3.14 is 3.25: clippy reads it as pi), quantities, versions, and
    // the types it refuses.
    #[test]
    fn kyverno_numeric_table() {
        check(&[
            (json!(5.0), Greater, json!(3.0), true),
            (json!(3.0), Greater, json!(5.0), false),
            (json!(10.0), Greater, json!(10.0), false),
            (json!(-1.0), Greater, json!(-5.0), true),
            (json!(0.0), Greater, json!(-1.0), true),
            (json!(2.5), Greater, json!(2.4), true),
            (json!(1024.0), GreaterOrEqual, json!(512.0), true),
            (json!(100.0), GreaterOrEqual, json!(100.0), true),
            (json!(50.0), GreaterOrEqual, json!(100.0), false),
            (json!(0.0), GreaterOrEqual, json!(0.0), true),
            (json!(2.0), Less, json!(5.0), true),
            (json!(10.0), Less, json!(5.0), false),
            (json!(7.0), Less, json!(7.0), false),
            (json!(-10.0), Less, json!(-5.0), true),
            (json!(100.0), LessOrEqual, json!(200.0), true),
            (json!(64.0), LessOrEqual, json!(64.0), true),
            (json!(150.0), LessOrEqual, json!(100.0), false),
            (json!(10), Greater, json!(5), true),
            (json!(100), Greater, json!(50), true),
            (json!(25), Greater, json!(20.5), true),
            (json!(30), Greater, json!("25"), true),
            (json!(10), Greater, json!("5.5"), true),
            (json!(5), Less, json!(10), true),
            (json!(20), Less, json!(30), true),
            (json!(100), Less, json!(50), false),
            (json!(10.5), GreaterOrEqual, json!(10), true),
            (json!(3.25), GreaterOrEqual, json!(3.25), true),
            (json!(5.5), GreaterOrEqual, json!("4.5"), true),
            (json!(2.5), GreaterOrEqual, json!(5.0), false),
            (json!("10.5"), Greater, json!(10), true),
            (json!("100"), Greater, json!(50), true),
            (json!("25.5"), Greater, json!("20.0"), true),
            (json!("200m"), Greater, json!("100m"), true),
            (json!("100m"), Greater, json!("200m"), false),
            (json!("1Gi"), Greater, json!("500Mi"), true),
            (json!("256Mi"), Less, json!("1Gi"), true),
            (json!("500m"), GreaterOrEqual, json!("500m"), true),
            (json!("2Gi"), LessOrEqual, json!("2Gi"), true),
            (json!("1.2.0"), Greater, json!("1.1.0"), true),
            (json!("1.0.0"), Less, json!("2.0.0"), true),
            (json!("1.5.0"), GreaterOrEqual, json!("1.5.0"), true),
            (json!("2.0.0"), Less, json!("1.9.0"), false),
            (json!("0.9.0"), LessOrEqual, json!("1.0.0"), true),
            (json!("1.2.3"), Greater, json!("1.2.2"), true),
            (json!("1.1.0"), Less, json!("1.2.0"), true),
            (json!("2.0.0"), GreaterOrEqual, json!("2.0.0"), true),
            (json!("1.0.0-alpha"), Less, json!("1.0.0"), true),
            (json!(true), Greater, json!(false), false),
            (json!({"foo": "bar"}), Greater, json!("100"), false),
            (json!(["a", "b"]), Greater, json!("100"), false),
            (json!(null), Greater, json!("100"), false),
            (json!(10), Greater, json!(true), false),
            (json!(10), Greater, json!("not-a-number"), false),
            (json!(10.5), Greater, json!(true), false),
            (json!(10.5), Greater, json!("not-a-number"), false),
        ]);
    }

    // What the handler's switches decide beyond Kyverno's tables.
    #[test]
    fn numeric_type_coercions() {
        check(&[
            (json!(10), Greater, json!("1e1"), false),
            (json!(10), GreaterOrEqual, json!("1e1"), true),
            // A number key never reads a quantity value.
            (json!(1025), Greater, json!("1Ki"), false),
            (json!("1025"), Greater, json!("1Ki"), true),
            (json!("1.5"), Greater, json!(1), true),
            // Two numeric strings are quantities first: 1.10 is 1.1.
            (json!("1.10"), Greater, json!("1.9"), false),
            (json!("1.10.0"), Greater, json!("1.9.0"), true),
            (json!("1.10.0"), Greater, json!(1), false),
            (json!("1.0.0-rc.1"), Less, json!("1.0.0"), true),
            (json!("abc"), Greater, json!("abb"), false),
            (json!("1m"), Less, json!(61), true),
            (json!(59.9), Less, json!("1m"), true),
            (json!(2), Greater, json!([1]), false),
            (json!(2), Greater, json!(null), false),
            (json!("-1"), Less, json!("-0.5"), true),
        ]);
    }

    // Kyverno's duration_test.go.
    #[test]
    fn kyverno_duration_table() {
        check_durations(&[
            (json!("2h"), Greater, json!("1h"), true),
            (json!("1h"), Greater, json!("2h"), false),
            (json!("1h"), Greater, json!("1h"), false),
            (json!("60m"), Greater, json!("1h"), false),
            (json!("61m"), Greater, json!("1h"), true),
            (json!(120), Greater, json!(60), true),
            (json!(60), Greater, json!(120), false),
            (json!(3600), Greater, json!(1800), true),
            (json!(120), Greater, json!("1m"), true),
            (json!(120.5), Greater, json!(60.5), true),
            (json!(120.5), Greater, json!(60), true),
            (json!(120.0), Greater, json!("1m"), true),
            (json!(true), Greater, json!(false), false),
            (json!("2h"), GreaterOrEqual, json!("1h"), true),
            (json!("1h"), GreaterOrEqual, json!("60m"), true),
            (json!("30m"), GreaterOrEqual, json!("1h"), false),
            (json!(60), GreaterOrEqual, json!(60), true),
            (json!("30m"), Less, json!("1h"), true),
            (json!("2h"), Less, json!("1h"), false),
            (json!("1h"), Less, json!("60m"), false),
            (json!(30), Less, json!(60), true),
            (json!("30m"), LessOrEqual, json!("1h"), true),
            (json!("1h"), LessOrEqual, json!("60m"), true),
            (json!("2h"), LessOrEqual, json!("1h"), false),
            (json!(60), LessOrEqual, json!(60), true),
            (json!(120), Greater, json!(60.0), true),
            (json!(120), Greater, json!("invalid"), false),
            (json!(120), Greater, json!(true), false),
            (json!("2m"), Greater, json!(60), true),
            (json!("2m"), Greater, json!(60.0), true),
            (json!("invalid"), Greater, json!(60), false),
            (json!("1h"), Greater, json!("invalid"), false),
            (json!("1h"), Greater, json!(true), false),
        ]);
    }

    // Beyond Kyverno's table: whole seconds, and `"0"` is a duration here.
    #[test]
    fn duration_coercions() {
        check_durations(&[
            (json!(1.9), Less, json!("1s"), false),
            (json!("0"), Less, json!("1s"), true),
            (json!(null), Less, json!("1s"), false),
        ]);
    }
}
