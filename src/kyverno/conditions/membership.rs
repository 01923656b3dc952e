//! `AnyIn`, `AllIn`, `AnyNotIn`, `AllNotIn` (Kyverno's `operator/anyin.go`,
//! `allin.go`, `anynotin.go`, `allnotin.go`) and the deprecated `In` and
//! `NotIn` (`in.go`, `notin.go`).
//!
//! Keys and values are compared as the text Go's `fmt.Sprint` gives them
//! (`1` and `"1"` are one member). The value may be a list, a single string
//! (itself a wildcard pattern), a range `"1-10"`, or a string holding a JSON
//! array of strings (`"[\"a\", \"b\"]"`, as ConfigMap data carries lists).

use serde_json::Value;

use super::go::sprint;
use crate::kyverno::operator::{Operator, matches, operator_of, wildcard_match};

/// Which membership operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    AnyIn,
    AllIn,
    AnyNotIn,
    AllNotIn,
    In,
    NotIn,
}

/// The key as the handlers' type switch reads it.
enum Key {
    One(String),
    Many(Vec<String>),
}

fn read_key(key: &Value, op: Membership) -> Option<Key> {
    let legacy = matches!(op, Membership::In | Membership::NotIn);
    match key {
        Value::String(s) => Some(Key::One(s.clone())),
        Value::Number(_) => Some(Key::One(sprint(key))),
        // `in.go` never took boolean keys; the newer handlers do.
        Value::Bool(_) if legacy => None,
        Value::Bool(_) => Some(Key::One(sprint(key))),
        // Kyverno's `In`/`NotIn` assert list keys to strings and would
        // panic on others; they are read as text here like the other
        // operators do.
        Value::Array(items) => Some(Key::Many(items.iter().map(sprint).collect())),
        Value::Object(_) | Value::Null => None,
    }
}

/// Either way round: the key may be the pattern, or the value.
fn either_matches(a: &str, b: &str) -> bool {
    wildcard_match(a, b) || wildcard_match(b, a)
}

/// `pattern.Validate(key, range)`: the key, as text, in a range pattern.
fn in_range(key: &str, range: &str) -> bool {
    matches(
        &Value::String(key.to_string()),
        &Value::String(range.to_string()),
    )
}

/// A string value that is neither a pattern match nor a range: a JSON array
/// of strings if it is valid JSON at all (`None`, a type error, if that
/// JSON is anything else), otherwise the one string itself. As Go decodes
/// into a `[]string`, `null` is an empty list and a `null` item is `""`.
fn string_list(value: &str, json_check: bool) -> Option<Vec<String>> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Some(s),
                Value::Null => Some(String::new()),
                _ => None,
            })
            .collect(),
        Ok(Value::Null) => Some(Vec::new()),
        Ok(_) => None,
        // `In` and `NotIn` never check validity first: any text that is not
        // a JSON array of strings is a type error for them.
        Err(_) if json_check => Some(vec![value.to_string()]),
        Err(_) => None,
    }
}

/// Kyverno's `anyKeyExistsInArray` (and its twins): `None` is the
/// handlers' `invalidType`, which makes every operator false.
fn key_in(key: &str, value: &Value, op: Membership) -> Option<bool> {
    let legacy = matches!(op, Membership::In | Membership::NotIn);
    match value {
        Value::Array(items) => Some(items.iter().any(|item| either_matches(&sprint(item), key))),
        Value::String(pattern) => {
            if wildcard_match(pattern, key) {
                return Some(true);
            }
            if !legacy && operator_of(pattern) == Operator::InRange {
                return Some(in_range(key, pattern));
            }
            let list = string_list(pattern, !legacy)?;
            Some(list.iter().any(|item| item == key))
        }
        _ => None,
    }
}

/// The set form: `keys` against the value, per operator.
fn set_in(keys: &[String], value: &Value, op: Membership) -> Option<bool> {
    let legacy = matches!(op, Membership::In | Membership::NotIn);
    let negated = matches!(
        op,
        Membership::AnyNotIn | Membership::AllNotIn | Membership::NotIn
    );
    let values: Vec<String> = match value {
        Value::Array(items) => {
            if legacy && !items.iter().all(Value::is_string) {
                return None;
            }
            items.iter().map(sprint).collect()
        }
        // Only `AnyIn`/`AnyNotIn` take a lone number or boolean as a
        // one-element list (kyverno#9462, its anynotin_test.go).
        Value::Number(_) | Value::Bool(_)
            if matches!(op, Membership::AnyIn | Membership::AnyNotIn) =>
        {
            vec![sprint(value)]
        }
        Value::String(text) => {
            if keys.len() == 1 && keys[0] == *text {
                // Kyverno's `In`/`NotIn` answer "in" here even for `NotIn`.
                return Some(legacy || !negated);
            }
            if !legacy && operator_of(text) == Operator::InRange {
                return Some(range_set(keys, text, op));
            }
            string_list(text, !legacy)?
        }
        _ => return None,
    };
    Some(set_relation(keys, &values, op))
}

fn range_set(keys: &[String], range: &str, op: Membership) -> bool {
    match op {
        Membership::AnyIn => keys.iter().any(|k| in_range(k, range)),
        Membership::AllIn => keys.iter().all(|k| in_range(k, range)),
        // Kyverno turns `a-b` into `a!-b` by its first `-`: a negative
        // lower bound (`-5-5`) makes a pattern that is no range at all.
        Membership::AnyNotIn => {
            let outside = range.replacen('-', "!-", 1);
            keys.iter().any(|k| in_range(k, &outside))
        }
        Membership::AllNotIn => !keys.iter().any(|k| in_range(k, range)),
        Membership::In | Membership::NotIn => false,
    }
}

fn set_relation(keys: &[String], values: &[String], op: Membership) -> bool {
    let found = |key: &String| values.iter().any(|v| either_matches(key, v));
    let exact = |key: &String| values.contains(key);
    match op {
        Membership::AnyIn => keys.iter().any(found),
        Membership::AllIn => keys.iter().all(found),
        Membership::AnyNotIn => keys.iter().any(|k| !found(k)),
        Membership::AllNotIn => !keys.iter().any(found),
        // The deprecated operators compare lists exactly, without wildcards.
        Membership::In => keys.iter().all(exact),
        Membership::NotIn => keys.iter().any(|k| !exact(k)),
    }
}

/// Evaluates a membership operator; type mismatches are false, as in
/// Kyverno (never an error).
pub fn evaluate(key: &Value, value: &Value, op: Membership) -> bool {
    let negated = matches!(
        op,
        Membership::AnyNotIn | Membership::AllNotIn | Membership::NotIn
    );
    match read_key(key, op) {
        Some(Key::One(key)) => {
            // `AnyNotIn`/`AllNotIn` of a range keep Kyverno's `!handleRange`.
            key_in(&key, value, op).is_some_and(|found| found != negated)
        }
        Some(Key::Many(keys)) => set_in(&keys, value, op).unwrap_or(false),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use Membership::*;

    fn check(cases: &[(Value, Value, bool)], op: Membership) {
        for (key, value, want) in cases {
            assert_eq!(evaluate(key, value, op), *want, "{key} {op:?} {value}");
        }
    }

    // Kyverno's anyin_test.go (its 3.14 is 3.25 here: clippy reads 3.14 as π).
    #[test]
    fn any_in_handler_table() {
        check(
            &[
                (json!("kyverno"), json!("kyverno"), true),
                (json!("kube-system"), json!(["default", "kube-*"]), true),
                (json!("kyverno"), json!("default"), false),
                (json!(64), json!("64"), true),
                (json!(1), json!([1, 2, 3]), true),
                (json!(64), json!("default"), false),
                (json!(3.25), json!("3.25"), true),
                (json!(2.2), json!([1.1, 2.2, 3.3]), true),
                (json!(3.25), json!("default"), false),
                (json!(true), json!("true"), true),
                (json!(["kube-system", "kube-public"]), json!("kube-*"), true),
                (
                    json!(["kube-system", "default"]),
                    json!("kube-system"),
                    true,
                ),
                (json!(["default", "kyverno"]), json!("kube-*"), false),
                (
                    json!(["default", "kyverno"]),
                    json!(["kube-*", "ky*"]),
                    true,
                ),
                (
                    json!(["default", "kyverno"]),
                    json!(["kube-*", "kube-system"]),
                    false,
                ),
                (json!([]), json!(["default", "kyverno"]), false),
                (json!(""), json!(["default", "kyverno"]), false),
                (json!({"foo": "bar"}), json!("test"), false),
                (json!("5"), json!("1-10"), true),
                (json!("0"), json!("1-10"), false),
                (json!(["0", "5"]), json!("1-10"), true),
                (json!(["0", "20"]), json!("1-10"), false),
                (json!("apple"), json!("[\"apple\", \"banana\"]"), true),
                (json!("cherry"), json!("[\"apple\", \"banana\"]"), false),
                (
                    json!(["apple", "cherry"]),
                    json!("[\"apple\", \"banana\"]"),
                    true,
                ),
                (
                    json!(["cherry", "date"]),
                    json!("[\"apple\", \"banana\"]"),
                    false,
                ),
                // Beyond the Go table: the value's type decides.
                (json!("5"), json!(5), false),
                (json!(["5"]), json!(5), true),
                (json!(["true"]), json!(true), true),
                (json!(null), json!([null]), false),
                (json!("5"), json!("6"), false),
                (json!("5"), json!("{\"a\": 1}"), false),
                (json!("5"), json!("[\"5\", 5]"), false),
                (json!(""), json!("[\"a\", null]"), true),
            ],
            AnyIn,
        );
    }

    // Kyverno's allnotin_test.go.
    #[test]
    fn all_not_in_handler_table() {
        check(
            &[
                (json!("kyverno"), json!("kyverno"), false),
                (json!("kube-system"), json!(["default", "kube-*"]), false),
                (json!("kyverno"), json!("default"), true),
                (json!(64), json!("64"), false),
                (json!(64), json!("default"), true),
                (
                    json!(["kube-system", "kube-public"]),
                    json!("kube-*"),
                    false,
                ),
                (
                    json!(["kube-system", "default"]),
                    json!("kube-system"),
                    false,
                ),
                (json!(["default", "kyverno"]), json!("kube-*"), true),
                (
                    json!(["default", "kyverno"]),
                    json!(["kube-*", "kube-system"]),
                    true,
                ),
                (
                    json!(["default", "kyverno"]),
                    json!(["kube-*", "ky*"]),
                    false,
                ),
                (json!(["kyverno"]), json!("kyverno"), false),
            ],
            AllNotIn,
        );
    }

    // Kyverno's anynotin_test.go (3.14 is 3.25 as above), then the type
    // errors that make a "not in" false rather than true.
    #[test]
    fn any_not_in_handler_table() {
        check(
            &[
                (json!("kyverno"), json!("kyverno"), false),
                (json!("kube-system"), json!(["default", "kube-*"]), false),
                (json!("kyverno"), json!("default"), true),
                (json!(64), json!("64"), false),
                (json!(1), json!([1, 2, 3]), false),
                (json!(64), json!("default"), true),
                (json!(3.25), json!("3.25"), false),
                (json!(2.2), json!([1.1, 2.2, 3.3]), false),
                (json!(3.25), json!("default"), true),
                (json!(true), json!(true), false),
                (
                    json!(["kube-system", "kube-public"]),
                    json!("kube-*"),
                    false,
                ),
                (
                    json!(["kube-system", "default"]),
                    json!("kube-system"),
                    true,
                ),
                (json!(["default", "kyverno"]), json!("kube-*"), true),
                (json!([1, 2, 3]), json!(2), true),
                (json!([1, 2, 3]), json!(4), true),
                (json!([1.1, 2.2, 3.3]), json!(1.1), true),
                (json!([1.1, 2.2, 3.3]), json!(4.4), true),
                (json!([true, false]), json!(true), true),
                (json!([true]), json!(false), true),
                (
                    json!(["default", "kyverno"]),
                    json!(["kube-*", "kube-system"]),
                    true,
                ),
                (
                    json!(["default", "kyverno"]),
                    json!(["kube-*", "ky*"]),
                    true,
                ),
                (json!([]), json!(["default", "kyverno"]), false),
                (json!(""), json!(["default", "kyverno"]), true),
                // Beyond the Go table.
                (json!(["kyverno"]), json!("kyverno"), false),
                (json!([2]), json!(2), false),
                // `"6"` is valid JSON but no list: a type error, so false.
                (json!("5"), json!("6"), false),
                (json!("5"), json!(6), false),
                // `"null"` decodes to no strings at all: nothing is in it.
                (json!("5"), json!("null"), true),
                // Kyverno's `-` to `!-` rewrite of a negative range: `!-5-5`
                // is a "not equal" pattern, so -3, inside -5..5, is "not in".
                (json!(["-3"]), json!("-5-5"), true),
            ],
            AnyNotIn,
        );
    }

    #[test]
    fn all_in_handler_table() {
        check(
            &[
                (json!("kube-system"), json!(["default", "kube-*"]), true),
                (json!(["kube-system", "kube-public"]), json!("kube-*"), true),
                (json!(["kube-system", "default"]), json!("kube-*"), false),
                (json!(["a"]), json!("a"), true),
                (json!([]), json!(["a"]), true),
                (json!(["5"]), json!(5), false),
                (json!([true]), json!(true), false),
                (json!(["1", "10"]), json!("1-10"), true),
            ],
            AllIn,
        );
    }

    #[test]
    fn deprecated_in_and_not_in() {
        check(
            &[
                (json!("a"), json!(["a*"]), true),
                (json!(["a", "b"]), json!(["a", "b", "c"]), true),
                (json!(["a*"]), json!(["abc"]), false),
                (json!("5"), json!("1-10"), false),
                (json!("a"), json!("b"), false),
                (json!(["a"]), json!([1]), false),
                (json!(true), json!(["true"]), false),
            ],
            In,
        );
        check(
            &[
                (json!("5"), json!(["1", "2"]), true),
                (json!("a"), json!("b"), false),
                (json!(["a"]), json!("a"), true),
                (json!(["a", "x"]), json!(["a", "b"]), true),
                (json!(["a", "b"]), json!(["a", "b"]), false),
                (json!(true), json!(["false"]), false),
            ],
            NotIn,
        );
    }
}
