//! Kyverno's `evaluate_test.go`, transcribed: `TestEvaluate` (every
//! operator, every type pairing), the variable tests and
//! `Test_Condition_Messages`, plus the block rules read from `evaluate.go`.

use serde_json::{Value, json};

use super::*;

/// Kyverno's `TestEvaluate` table. Go's `int`, `int64` and `float64` cases
/// that JSON makes identical (`int64(1)` and `1`) appear once.
#[test]
fn kyverno_evaluate_table() {
    let cases = [
        // Equals
        ("Equals", json!("string"), json!("string"), true),
        ("Equals", json!(1), json!(1), true),
        ("Equals", json!(1.0), json!(1.0), true),
        ("Equals", json!(true), json!(true), true),
        ("Equals", json!(false), json!(false), true),
        ("Equals", json!("1024"), json!("1Ki"), true),
        ("Equals", json!("1Ki"), json!("1024"), true),
        ("Equals", json!("1Gi"), json!("1Gi"), true),
        ("Equals", json!("1Gi"), json!("1024Mi"), true),
        ("Equals", json!("1h"), json!("1h"), true),
        ("Equals", json!("1h"), json!("60m"), true),
        ("Equals", json!({"foo": "bar"}), json!({"foo": "bar"}), true),
        ("Equals", json!(["foo", "bar"]), json!(["foo", "bar"]), true),
        (
            "Equals",
            json!([{"foo": "bar"}]),
            json!([{"foo": "bar"}]),
            true,
        ),
        ("Equals", json!("string"), json!("not string"), false),
        ("Equals", json!(1), json!(2), false),
        ("Equals", json!(1.0), json!(2.0), false),
        ("Equals", json!(true), json!(false), false),
        ("Equals", json!(false), json!(true), false),
        ("Equals", json!("1Gi"), json!("10Gi"), false),
        ("Equals", json!("10Gi"), json!("1024Mi"), false),
        ("Equals", json!("1h"), json!("5h"), false),
        ("Equals", json!("1h"), json!("30m"), false),
        ("Equals", json!("string"), json!(1), false),
        ("Equals", json!(1), json!("2"), false),
        ("Equals", json!(1.0), json!("2.0"), false),
        ("Equals", json!(true), json!("false"), false),
        ("Equals", json!(false), json!("true"), false),
        (
            "Equals",
            json!({"foo": "bar"}),
            json!({"bar": "foo"}),
            false,
        ),
        (
            "Equals",
            json!(["foo", "bar"]),
            json!(["bar", "foo"]),
            false,
        ),
        (
            "Equals",
            json!([{"foo": "bar"}]),
            json!([{"bar": "foo"}]),
            false,
        ),
        ("Equals", json!("1h"), json!(3600), true),
        ("Equals", json!("2h"), json!(3600), false),
        ("Equals", json!("1.5.2"), json!("1.5.2"), true),
        ("Equals", json!("1.5.2"), json!("1.5.*"), true),
        ("Equals", json!("1.5.0"), json!("1.5.5"), false),
        // NotEquals
        ("NotEquals", json!("string"), json!("string"), false),
        ("NotEquals", json!(1), json!(1), false),
        ("NotEquals", json!(1.0), json!(1.0), false),
        ("NotEquals", json!(true), json!(false), true),
        ("NotEquals", json!(false), json!(false), false),
        ("NotEquals", json!("1024"), json!("1Ki"), false),
        ("NotEquals", json!("1Ki"), json!("1024"), false),
        ("NotEquals", json!("1023"), json!("1Ki"), true),
        ("NotEquals", json!("1Ki"), json!("1023"), true),
        ("NotEquals", json!("1Gi"), json!("1Gi"), false),
        ("NotEquals", json!("10Gi"), json!("1024Mi"), true),
        ("NotEquals", json!("1h"), json!("1h"), false),
        ("NotEquals", json!("1h"), json!("60m"), false),
        (
            "NotEquals",
            json!({"foo": "bar"}),
            json!({"foo": "bar"}),
            false,
        ),
        (
            "NotEquals",
            json!(["foo", "bar"]),
            json!(["foo", "bar"]),
            false,
        ),
        (
            "NotEquals",
            json!([{"foo": "bar"}]),
            json!([{"foo": "bar"}]),
            false,
        ),
        ("NotEquals", json!("string"), json!("not string"), true),
        ("NotEquals", json!(1), json!(2), true),
        ("NotEquals", json!(1.0), json!(2.0), true),
        ("NotEquals", json!(true), json!(true), false),
        ("NotEquals", json!(false), json!(true), true),
        ("NotEquals", json!("1Gi"), json!("10Gi"), true),
        ("NotEquals", json!("1Gi"), json!("1024Mi"), false),
        ("NotEquals", json!("1h"), json!("5h"), true),
        ("NotEquals", json!("1h"), json!("30m"), true),
        ("NotEquals", json!("string"), json!(1), true),
        ("NotEquals", json!(1), json!("2"), true),
        ("NotEquals", json!(1.0), json!("2.0"), true),
        ("NotEquals", json!(true), json!("false"), true),
        ("NotEquals", json!(false), json!("true"), true),
        (
            "NotEquals",
            json!({"foo": "bar"}),
            json!({"bar": "foo"}),
            true,
        ),
        (
            "NotEquals",
            json!(["foo", "bar"]),
            json!(["bar", "foo"]),
            true,
        ),
        (
            "NotEquals",
            json!([{"foo": "bar"}]),
            json!([{"bar": "foo"}]),
            true,
        ),
        ("NotEquals", json!("1h"), json!(3600), false),
        ("NotEquals", json!("2h"), json!(3600), true),
        ("NotEquals", json!("1.5.2"), json!("1.5.5"), true),
        ("NotEquals", json!("1.5.2"), json!("1.5.*"), false),
        ("NotEquals", json!("1.5.0"), json!("1.5.0"), false),
        // GreaterThan
        ("GreaterThan", json!(10), json!(1), true),
        ("GreaterThan", json!(1.5), json!(1.0), true),
        ("GreaterThan", json!(1.5), json!(1), true),
        ("GreaterThan", json!(1), json!(10), false),
        ("GreaterThan", json!(1.0), json!(1.5), false),
        ("GreaterThan", json!(1), json!(1.5), false),
        ("GreaterThan", json!(1), json!(1), false),
        ("GreaterThan", json!(1.0), json!(1.0), false),
        ("GreaterThan", json!("1025"), json!("1Ki"), true),
        ("GreaterThan", json!("1Ki"), json!("1023"), true),
        ("GreaterThan", json!("10Gi"), json!("1Gi"), true),
        ("GreaterThan", json!("1Gi"), json!("1Mi"), true),
        ("GreaterThan", json!("1Gi"), json!("10Gi"), false),
        ("GreaterThan", json!("10Mi"), json!("10Mi"), false),
        ("GreaterThan", json!("10h"), json!("1h"), true),
        ("GreaterThan", json!("1h"), json!("30m"), true),
        ("GreaterThan", json!("1h"), json!("1h"), false),
        ("GreaterThan", json!("1Gi"), json!("1Gi"), false),
        ("GreaterThan", json!("10"), json!(1), true),
        ("GreaterThan", json!(100), json!("10"), true),
        ("GreaterThan", json!("100"), json!("10"), true),
        ("GreaterThan", json!("10"), json!("10"), false),
        ("GreaterThan", json!("1"), json!("10"), false),
        ("GreaterThan", json!("1"), json!(10), false),
        ("GreaterThan", json!(1), json!("10"), false),
        ("GreaterThan", json!("1h"), json!(3600), false),
        ("GreaterThan", json!("2h"), json!(3600), true),
        ("GreaterThan", json!(3600), json!("1h"), false),
        ("GreaterThan", json!(3600), json!("30m"), true),
        ("GreaterThan", json!(-5), json!(1), false),
        ("GreaterThan", json!(-5), json!(-10), true),
        ("GreaterThan", json!(1), json!(-10), true),
        ("GreaterThan", json!("1.5.5"), json!("1.5.0"), true),
        ("GreaterThan", json!("1.5.0"), json!("1.5.5"), false),
        // LessThan
        ("LessThan", json!(10), json!(1), false),
        ("LessThan", json!(1.5), json!(1.0), false),
        ("LessThan", json!(1.5), json!(1), false),
        ("LessThan", json!(1), json!(10), true),
        ("LessThan", json!(1.0), json!(1.5), true),
        ("LessThan", json!(1), json!(1.5), true),
        ("LessThan", json!(1), json!(1), false),
        ("LessThan", json!(1.0), json!(1.0), false),
        ("LessThan", json!("1023"), json!("1Ki"), true),
        ("LessThan", json!("1Ki"), json!("1025"), true),
        ("LessThan", json!("10Gi"), json!("1Gi"), false),
        ("LessThan", json!("1Gi"), json!("10Gi"), true),
        ("LessThan", json!("1Gi"), json!("1Mi"), false),
        ("LessThan", json!("1Mi"), json!("1Gi"), true),
        ("LessThan", json!("10h"), json!("1h"), false),
        ("LessThan", json!("1h"), json!("30m"), false),
        ("LessThan", json!("1h"), json!("1h"), false),
        ("LessThan", json!("1Gi"), json!("1Gi"), false),
        ("LessThan", json!("10"), json!(1), false),
        ("LessThan", json!(100), json!("10"), false),
        ("LessThan", json!("100"), json!("10"), false),
        ("LessThan", json!("10"), json!("10"), false),
        ("LessThan", json!("1"), json!("10"), true),
        ("LessThan", json!("1"), json!(10), true),
        ("LessThan", json!(1), json!("10"), true),
        ("LessThan", json!("1h"), json!(3600), false),
        ("LessThan", json!("30m"), json!(3600), true),
        ("LessThan", json!(3600), json!("1h"), false),
        ("LessThan", json!(3600), json!("30m"), false),
        ("LessThan", json!(-5), json!(1), true),
        ("LessThan", json!(-5), json!(-10), false),
        ("LessThan", json!(1), json!(-10), false),
        ("LessThan", json!("1.5.5"), json!("1.5.0"), false),
        ("LessThan", json!("1.5.0"), json!("1.5.5"), true),
        // GreaterThanOrEquals
        ("GreaterThanOrEquals", json!(10), json!(1), true),
        ("GreaterThanOrEquals", json!(1.5), json!(1.0), true),
        ("GreaterThanOrEquals", json!(1.5), json!(1), true),
        ("GreaterThanOrEquals", json!(1), json!(10), false),
        ("GreaterThanOrEquals", json!(1.0), json!(1.5), false),
        ("GreaterThanOrEquals", json!(1), json!(1.5), false),
        ("GreaterThanOrEquals", json!(1), json!(1), true),
        ("GreaterThanOrEquals", json!(1.0), json!(1.0), true),
        ("GreaterThanOrEquals", json!(1.0), json!(1), true),
        ("GreaterThanOrEquals", json!("1025"), json!("1Ki"), true),
        ("GreaterThanOrEquals", json!("1024"), json!("1Ki"), true),
        ("GreaterThanOrEquals", json!("1Ki"), json!("1023"), true),
        ("GreaterThanOrEquals", json!("1Ki"), json!("1024"), true),
        ("GreaterThanOrEquals", json!("10Gi"), json!("1Gi"), true),
        ("GreaterThanOrEquals", json!("1Gi"), json!("1Mi"), true),
        ("GreaterThanOrEquals", json!("1Gi"), json!("10Gi"), false),
        ("GreaterThanOrEquals", json!("10h"), json!("1h"), true),
        ("GreaterThanOrEquals", json!("1h"), json!("30m"), true),
        ("GreaterThanOrEquals", json!("1h"), json!("1h"), true),
        ("GreaterThanOrEquals", json!("1Gi"), json!("1Gi"), true),
        ("GreaterThanOrEquals", json!("10"), json!(1), true),
        ("GreaterThanOrEquals", json!(100), json!("10"), true),
        ("GreaterThanOrEquals", json!("100"), json!("10"), true),
        ("GreaterThanOrEquals", json!("10"), json!("10"), true),
        ("GreaterThanOrEquals", json!("1"), json!("10"), false),
        ("GreaterThanOrEquals", json!("1"), json!(10), false),
        ("GreaterThanOrEquals", json!(1), json!("10"), false),
        ("GreaterThanOrEquals", json!("1h"), json!(3600), true),
        ("GreaterThanOrEquals", json!("2h"), json!(3600), true),
        ("GreaterThanOrEquals", json!("1.5.5"), json!("1.5.5"), true),
        ("GreaterThanOrEquals", json!("1.5.5"), json!("1.5.0"), true),
        ("GreaterThanOrEquals", json!("1.5.0"), json!("1.5.5"), false),
        // LessThanOrEquals
        ("LessThanOrEquals", json!(10), json!(1), false),
        ("LessThanOrEquals", json!(1.5), json!(1.0), false),
        ("LessThanOrEquals", json!(1.5), json!(1), false),
        ("LessThanOrEquals", json!(1), json!(10), true),
        ("LessThanOrEquals", json!(1.0), json!(1.5), true),
        ("LessThanOrEquals", json!(1), json!(1.5), true),
        ("LessThanOrEquals", json!(1), json!(1), true),
        ("LessThanOrEquals", json!(1.0), json!(1.0), true),
        ("LessThanOrEquals", json!("1Ki"), json!("1024"), true),
        ("LessThanOrEquals", json!("1024"), json!("1Ki"), true),
        ("LessThanOrEquals", json!("1Ki"), json!("1025"), true),
        ("LessThanOrEquals", json!("1023"), json!("1Ki"), true),
        ("LessThanOrEquals", json!("10Gi"), json!("1Gi"), false),
        ("LessThanOrEquals", json!("1Gi"), json!("10Gi"), true),
        ("LessThanOrEquals", json!("1Gi"), json!("1Mi"), false),
        ("LessThanOrEquals", json!("1Mi"), json!("1Gi"), true),
        ("LessThanOrEquals", json!("10h"), json!("1h"), false),
        ("LessThanOrEquals", json!("1h"), json!("30m"), false),
        ("LessThanOrEquals", json!("1h"), json!("1h"), true),
        ("LessThanOrEquals", json!("1Gi"), json!("1Gi"), true),
        ("LessThanOrEquals", json!("10"), json!(1), false),
        ("LessThanOrEquals", json!(100), json!("10"), false),
        ("LessThanOrEquals", json!("100"), json!("10"), false),
        ("LessThanOrEquals", json!("10"), json!("10"), true),
        ("LessThanOrEquals", json!("1"), json!("10"), true),
        ("LessThanOrEquals", json!("1"), json!(10), true),
        ("LessThanOrEquals", json!(1), json!("10"), true),
        ("LessThanOrEquals", json!("1h"), json!(3600), true),
        ("LessThanOrEquals", json!("2h"), json!(3600), false),
        ("LessThanOrEquals", json!("1.5.5"), json!("1.5.5"), true),
        ("LessThanOrEquals", json!("1.5.0"), json!("1.5.5"), true),
        ("LessThanOrEquals", json!("1.5.5"), json!("1.5.0"), false),
        // In
        ("In", json!(1), json!([1, 2, 3]), true),
        ("In", json!(1.5), json!([1, 1.5, 2, 3]), true),
        ("In", json!("1"), json!(["1", "2", "3"]), true),
        (
            "In",
            json!(["1.1.1.1", "2.2.2.2"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        ("In", json!(5), json!([1, 2, 3]), false),
        ("In", json!(5.5), json!([1, 1.5, 2, 3]), false),
        ("In", json!("5"), json!(["1", "2", "3"]), false),
        ("In", json!("1.1.1.1"), json!(["1*"]), true),
        (
            "In",
            json!(["1.1.1.1", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        // NotIn
        ("NotIn", json!(1), json!([1, 2, 3]), false),
        ("NotIn", json!(1.5), json!([1, 1.5, 2, 3]), false),
        ("NotIn", json!("1"), json!(["1", "2", "3"]), false),
        (
            "NotIn",
            json!(["1.1.1.1", "2.2.2.2"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        ("NotIn", json!(5), json!([1, 2, 3]), true),
        ("NotIn", json!(5.5), json!([1, 1.5, 2, 3]), true),
        ("NotIn", json!("5"), json!(["1", "2", "3"]), true),
        (
            "NotIn",
            json!(["1.1.1.1", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        // AnyIn
        (
            "AnyIn",
            json!(["1.1.1.1", "5.5.5.5"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AnyIn",
            json!(["1.1.1.1", "5.5.5.5"]),
            json!("1.1.1.1"),
            true,
        ),
        (
            "AnyIn",
            json!(["4.4.4.4", "5.5.5.5"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AnyIn",
            json!(["1.1.1.1", "5.5.5.5"]),
            json!(["1.1.1.1"]),
            true,
        ),
        ("AnyIn", json!([1, 2]), json!([1, 2, 3, 4]), true),
        ("AnyIn", json!([1, 5]), json!([1, 2, 3, 4]), true),
        ("AnyIn", json!([5]), json!([1, 2, 3, 4]), false),
        (
            "AnyIn",
            json!(["1*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AnyIn",
            json!(["5*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AnyIn",
            json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
            json!(["2*"]),
            true,
        ),
        (
            "AnyIn",
            json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
            json!(["4*"]),
            false,
        ),
        ("AnyIn", json!(["5"]), json!("1-3"), false),
        ("AnyIn", json!("1.1.1.1"), json!(["1*"]), true),
        ("AnyIn", json!("5"), json!("1-10"), true),
        ("AnyIn", json!(5), json!("1-10"), true),
        ("AnyIn", json!([1, 5]), json!("7-10"), false),
        ("AnyIn", json!([1, 5]), json!("0-10"), true),
        ("AnyIn", json!([1.002, 1.222]), json!("1.001-10"), true),
        // AllIn
        (
            "AllIn",
            json!(["1.1.1.1", "2.2.2.2"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AllIn",
            json!(["1.1.1.1", "5.5.5.5"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AllIn",
            json!(["4.4.4.4", "5.5.5.5"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AllIn",
            json!(["1.1.1.1", "5.5.5.5"]),
            json!(["1.1.1.1"]),
            false,
        ),
        ("AllIn", json!([1, 2]), json!([1, 2, 3, 4]), true),
        ("AllIn", json!([1, 5]), json!([1, 2, 3, 4]), false),
        ("AllIn", json!([5]), json!([1, 2, 3, 4]), false),
        (
            "AllIn",
            json!(["1*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AllIn",
            json!(["5*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AllIn",
            json!(["2.1.1.1", "2.2.2.2", "2.5.5.5"]),
            json!(["2*"]),
            true,
        ),
        (
            "AllIn",
            json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
            json!(["4*"]),
            false,
        ),
        (
            "AllIn",
            json!(["1.1.1.1", "5.5.5.5"]),
            json!("5.5.5.5"),
            false,
        ),
        ("AllIn", json!(5), json!("1-10"), true),
        ("AllIn", json!([3, 2]), json!("1-10"), true),
        ("AllIn", json!([3, 2]), json!("5-10"), false),
        // AllNotIn
        ("AllNotIn", json!(1), json!([1, 2, 3]), false),
        ("AllNotIn", json!(1.5), json!([1, 1.5, 2, 3]), false),
        ("AllNotIn", json!("1"), json!(["1", "2", "3"]), false),
        (
            "AllNotIn",
            json!(["1.1.1.1", "2.2.2.2"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        ("AllNotIn", json!(5), json!([1, 2, 3]), true),
        ("AllNotIn", json!(5.5), json!([1, 1.5, 2, 3]), true),
        ("AllNotIn", json!("5"), json!(["1", "2", "3"]), true),
        (
            "AllNotIn",
            json!(["1.1.1.1", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AllNotIn",
            json!(["1.1.1.1", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3", "1.1.1.1"]),
            false,
        ),
        (
            "AllNotIn",
            json!(["1.1.1.1", "4.4.4.4", "1.1.1.1"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3", "1.1.1.1", "4.4.4.4"]),
            false,
        ),
        (
            "AllNotIn",
            json!(["5.5.5.5", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AllNotIn",
            json!(["7*", "6*", "5*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AllNotIn",
            json!(["1*", "2*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        (
            "AllNotIn",
            json!(["1.1.1.1", "3.3.3.3", "5.5.5.5"]),
            json!(["2*"]),
            true,
        ),
        (
            "AllNotIn",
            json!(["4.1.1.1", "4.2.2.2", "4.5.5.5"]),
            json!(["4*"]),
            false,
        ),
        (
            "AllNotIn",
            json!(["1.1.1.1", "4.4.4.4"]),
            json!("2.2.2.2"),
            true,
        ),
        ("AllNotIn", json!(5.5), json!("6-10"), true),
        ("AllNotIn", json!("5"), json!("1-6"), false),
        ("AllNotIn", json!([3, 2]), json!("5-10"), true),
        ("AllNotIn", json!([2, 6]), json!("5-10"), false),
        // AnyNotIn
        ("AnyNotIn", json!(1), json!([1, 2, 3]), false),
        ("AnyNotIn", json!(1.5), json!([1, 1.5, 2, 3]), false),
        ("AnyNotIn", json!("1"), json!(["1", "2", "3"]), false),
        (
            "AnyNotIn",
            json!(["1.1.1.1", "2.2.2.2"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            false,
        ),
        ("AnyNotIn", json!(5), json!([1, 2, 3]), true),
        ("AnyNotIn", json!(5.5), json!([1, 1.5, 2, 3]), true),
        ("AnyNotIn", json!("5"), json!(["1", "2", "3"]), true),
        (
            "AnyNotIn",
            json!(["1.1.1.1", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AnyNotIn",
            json!(["5.5.5.5", "4.4.4.4"]),
            json!("4.4.4.4"),
            true,
        ),
        (
            "AnyNotIn",
            json!(["5.5.5.5", "4.4.4.4"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AnyNotIn",
            json!(["1*", "3*", "5*"]),
            json!(["1.1.1.1", "2.2.2.2", "3.3.3.3"]),
            true,
        ),
        (
            "AnyNotIn",
            json!(["1.1.1.1", "2.2.2.2", "5.5.5.5"]),
            json!(["2*"]),
            true,
        ),
        ("AnyNotIn", json!(["2.2*"]), json!(["2.2.2.2"]), false),
        ("AnyNotIn", json!("5"), json!("1-3"), true),
        ("AnyNotIn", json!([1, 5, 11]), json!("0-10"), true),
        ("AnyNotIn", json!([1, 5, 7]), json!("0-10"), false),
    ];
    let mut failures = Vec::new();
    for (op, key, value, want) in &cases {
        match evaluate_condition(key, op, value) {
            Ok(got) if got == *want => {}
            other => failures.push(format!("{key} {op} {value}: want {want}, got {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn operators_are_matched_without_case_and_unknown_ones_are_errors() {
    assert_eq!(
        evaluate_condition(&json!("a"), "equals", &json!("a")),
        Ok(true)
    );
    assert_eq!(
        evaluate_condition(&json!("a"), "EQUAL", &json!("a")),
        Ok(true)
    );
    assert_eq!(
        evaluate_condition(&json!("a"), "notequal", &json!("a")),
        Ok(false)
    );
    assert_eq!(
        evaluate_condition(&json!(["a"]), "ANYIN", &json!(["a"])),
        Ok(true)
    );
    assert_eq!(
        evaluate_condition(&json!(2), "durationgreaterthan", &json!("1s")),
        Ok(true)
    );
    assert_eq!(
        evaluate_condition(&json!("a"), "Matches", &json!("a")),
        Err(
            "failed to create handler for condition operator: unknown operator \"Matches\""
                .to_string()
        )
    );
    assert_eq!(
        evaluate_condition(&json!("a"), "", &json!("a")),
        Err("failed to create handler for condition operator: unknown operator \"\"".to_string())
    );
}

#[test]
fn operator_validation_wants_the_exact_name() {
    assert!(is_operator_valid("AnyIn"));
    assert!(is_operator_valid("Equal"));
    assert!(is_operator_valid("DurationLessThan"));
    assert!(!is_operator_valid("anyin"));
    assert!(!is_operator_valid(""));
    assert_eq!(
        deprecated_operator_alternatives("In"),
        Some(&["AllIn", "AnyIn"][..])
    );
    assert_eq!(
        deprecated_operator_alternatives("NotIn"),
        Some(&["AllNotIn", "AnyNotIn"][..])
    );
    assert_eq!(deprecated_operator_alternatives("AnyIn"), None);
}

/// A stand-in for the engine's substitution: `{{path}}` (the whole string)
/// is looked up in `context` by dots; a missing path is an error.
fn substitution(context: Value) -> impl FnMut(&Value) -> Result<Value, String> {
    move |value: &Value| {
        let Some(path) = value
            .as_str()
            .and_then(|s| s.strip_prefix("{{"))
            .and_then(|s| s.strip_suffix("}}"))
        else {
            return Ok(value.clone());
        };
        path.trim()
            .split('.')
            .try_fold(&context, |node, part| node.get(part))
            .cloned()
            .ok_or_else(|| format!("variable {} not resolved", path.trim()))
    }
}

fn resource() -> Value {
    json!({"request": {"object": {
        "metadata": {"name": "temp", "namespace": "n1"},
        "spec": {"foo": "bar", "foo2": "bar2"}
    }}})
}

fn condition(key: &str, value: &str, message: &str) -> Value {
    json!({"key": key, "operator": "Equal", "value": value, "message": message})
}

// Kyverno's Test_Eval_Equal_Var_Pass and Test_Eval_Equal_Var_Fail.
#[test]
fn variables_are_substituted_before_the_operator() {
    let mut substitute = substitution(resource());
    let pass =
        json!([{"key": "{{request.object.metadata.name}}", "operator": "Equal", "value": "temp"}]);
    let fail =
        json!([{"key": "{{request.object.metadata.name}}", "operator": "Equal", "value": "temp1"}]);
    assert_eq!(
        evaluate_conditions(&pass, &mut substitute),
        Ok(ConditionsOutcome {
            holds: true,
            message: None
        })
    );
    assert_eq!(
        evaluate_conditions(&fail, &mut substitute),
        Ok(ConditionsOutcome {
            holds: false,
            message: None
        })
    );
}

// Kyverno's Test_Condition_Messages, step by step.
#[test]
fn kyverno_condition_messages() {
    let mut substitute = substitution(resource());
    let name = "{{request.object.metadata.name}}";
    let foo = "{{request.object.spec.foo}}";
    let block = json!({"any": [
        condition(name, "temp2", "invalid name"),
        condition(foo, "bar2", "invalid foo"),
    ]});
    assert_eq!(
        evaluate_conditions(&block, &mut substitute),
        Ok(ConditionsOutcome {
            holds: false,
            message: Some("invalid name; invalid foo".into())
        })
    );
    let block = json!({"any": [
        condition(name, "temp", "invalid name"),
        condition(foo, "bar", "invalid foo"),
    ]});
    assert_eq!(
        evaluate_conditions(&block, &mut substitute),
        Ok(ConditionsOutcome {
            holds: true,
            message: Some("invalid name".into())
        })
    );
    let block = json!({
        "any": [condition(name, "temp", "invalid name"), condition(foo, "bar", "invalid foo")],
        "all": [condition(name, "temp", "invalid name"), condition(foo, "bar2", "invalid foo")],
    });
    assert_eq!(
        evaluate_conditions(&block, &mut substitute),
        Ok(ConditionsOutcome {
            holds: false,
            message: Some("invalid foo".into())
        })
    );
    let block = json!({
        "any": [condition(name, "temp1", "invalid name"), condition(foo, "bar2", "invalid foo")],
        "all": [condition(name, "temp", "invalid name"), condition(foo, "bar2", "invalid foo2")],
    });
    assert_eq!(
        evaluate_conditions(&block, &mut substitute),
        Ok(ConditionsOutcome {
            holds: false,
            message: Some("invalid name; invalid foo; invalid foo2".into())
        })
    );
}

fn run(block: Value) -> Result<ConditionsOutcome, String> {
    evaluate_conditions(&block, &mut substitution(resource()))
}

fn holds(message: Option<&str>) -> Result<ConditionsOutcome, String> {
    Ok(ConditionsOutcome {
        holds: true,
        message: message.map(String::from),
    })
}

fn fails(message: Option<&str>) -> Result<ConditionsOutcome, String> {
    Ok(ConditionsOutcome {
        holds: false,
        message: message.map(String::from),
    })
}

#[test]
fn empty_blocks() {
    assert_eq!(run(json!(null)), holds(None));
    assert_eq!(run(json!([])), holds(None));
    assert_eq!(run(json!({})), holds(None));
    assert_eq!(run(json!({"all": []})), holds(None));
    assert_eq!(run(json!({"any": null, "all": null})), holds(None));
    // A present but empty `any` is a non-nil empty list in Go: nothing held.
    assert_eq!(run(json!({"any": []})), fails(None));
    assert_eq!(
        run(json!({"any": [], "all": [condition("a", "a", "m")]})),
        fails(None)
    );
}

#[test]
fn legacy_lists_stop_at_the_first_failure() {
    let block = json!([
        condition("a", "a", "first"),
        condition("a", "b", "second"),
        {"key": "{{missing}}", "operator": "Equals", "value": "x"},
    ]);
    assert_eq!(run(block), fails(Some("second")));
    let block = json!([
        condition("a", "a", "first"),
        condition("b", "b", ""),
        condition("c", "c", "third")
    ]);
    assert_eq!(run(block), holds(Some("first;third")));
    assert_eq!(run(json!([condition("a", "b", "")])), fails(None));
}

#[test]
fn any_stops_at_the_first_holding_condition() {
    // The unresolvable variable after the holding condition is never read.
    let block = json!({"any": [
        condition("a", "b", "no"),
        condition("a", "a", "yes"),
        {"key": "{{missing}}", "operator": "Equals", "value": "x"},
    ]});
    assert_eq!(run(block), holds(Some("yes")));
}

#[test]
fn all_is_evaluated_even_when_any_failed() {
    let block = json!({
        "any": [condition("a", "b", "no")],
        "all": [{"key": "{{missing}}", "operator": "Equals", "value": "x"}],
    });
    assert_eq!(
        run(block),
        Err(
            "failed to substitute variables in condition key: variable missing not resolved".into()
        )
    );
    let block = json!({
        "any": [condition("a", "b", "no any")],
        "all": [condition("a", "a", "all one"), condition("a", "b", "no all"), condition("x", "y", "never")],
    });
    assert_eq!(run(block), fails(Some("no any; no all")));
}

#[test]
fn holding_blocks_report_the_messages_that_held() {
    let block = json!({
        "any": [condition("a", "b", "no"), condition("a", "a", "any yes")],
        "all": [condition("a", "a", "all one"), condition("b", "b", ""), condition("c", "c", "all three")],
    });
    assert_eq!(run(block), holds(Some("any yes; all one; all three")));
}

#[test]
fn any_that_held_keeps_its_earlier_failures_when_all_fails() {
    let block = json!({
        "any": [condition("a", "b", "any no"), condition("a", "a", "any yes")],
        "all": [condition("a", "b", "all no")],
    });
    assert_eq!(run(block), fails(Some("any no; all no")));
}

#[test]
fn errors() {
    assert_eq!(
        run(json!([{"key": "a", "operator": "Like", "value": "a"}])),
        Err("failed to create handler for condition operator: unknown operator \"Like\"".into())
    );
    // Substitution comes first: the key's error wins over the operator.
    assert_eq!(
        run(json!([{"key": "{{nope}}", "operator": "Like", "value": "a"}])),
        Err("failed to substitute variables in condition key: variable nope not resolved".into())
    );
    assert_eq!(
        run(json!([{"key": "a", "operator": "Equals", "value": "{{nope}}"}])),
        Err("failed to substitute variables in condition value: variable nope not resolved".into())
    );
    // An unknown operator after the deciding condition is never reached.
    assert_eq!(
        run(json!([condition("a", "b", ""), {"key": "a", "operator": "Like", "value": "a"}])),
        fails(None)
    );
    assert_eq!(
        run(json!({"any": [], "none": []})),
        Err("error occurred while parsing preconditions/validate.deny.conditions: unknown field 'none' found under preconditions/validate.deny.conditions".into())
    );
    assert_eq!(
        run(json!({"all": {"key": "a"}})),
        Err("invalid conditions: all must be a list, found {\"key\":\"a\"}".into())
    );
    assert_eq!(
        run(json!("a")),
        Err("invalid conditions: expected a list or a map with any/all, found \"a\"".into())
    );
    assert_eq!(
        run(json!(["a"])),
        Err("invalid condition: expected a map, found \"a\"".into())
    );
    assert_eq!(
        run(json!([{"key": "a", "operator": 1, "value": "a"}])),
        Err("invalid condition: operator must be a string, found 1".into())
    );
}

#[test]
fn malformed_conditions_fail_wherever_they_stand() {
    assert_eq!(
        run(json!([condition("a", "b", ""), "garbage"])),
        Err("invalid condition: expected a map, found \"garbage\"".into())
    );
    assert_eq!(
        run(
            json!({"any": [condition("a", "a", "")], "all": [{"operator": "Equals", "message": 7}]})
        ),
        Err("invalid condition: message must be a string, found 7".into())
    );
    // Fields Kyverno does not know are ignored.
    assert_eq!(
        run(json!([{"key": "a", "operator": "Equals", "value": "a", "note": 1}])),
        holds(None)
    );
}

#[test]
fn missing_keys_and_values_are_null() {
    // A nil key is neither equal nor not equal to anything.
    assert_eq!(
        run(json!([{"operator": "NotEquals", "value": "a"}])),
        fails(None)
    );
    assert_eq!(
        run(json!([{"key": "a", "operator": "NotEquals"}])),
        holds(None)
    );
    assert_eq!(
        run(json!([{"key": "a", "operator": "Equals"}])),
        fails(None)
    );
    assert_eq!(
        run(json!([{"key": null, "operator": "Equals", "value": null}])),
        fails(None)
    );
}
