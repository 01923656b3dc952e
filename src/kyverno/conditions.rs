//! Kyverno's conditions: `validate.deny.conditions`, rule `preconditions`
//! and foreach `preconditions`, evaluated as Kyverno's engine does
//! (`pkg/engine/variables/evaluate.go` and `pkg/engine/variables/operator/`).
//!
//! # Blocks
//!
//! A block is either a list of conditions (the legacy form: all must hold)
//! or `{any: [...], all: [...]}`:
//!
//! - `any` holds when one of its conditions holds. Present but empty
//!   (`any: []`) it never holds, so the whole block fails, as Kyverno's
//!   decoded non-nil empty list does; absent (or `null`) it is no condition.
//! - `all` holds when every condition holds; empty or absent it holds.
//! - The block holds when both do. `any` stops at its first condition that
//!   holds and `all` at its first that fails, but `all` is evaluated even
//!   when `any` failed (so its substitution errors still surface).
//! - An empty list, an empty map and `null` hold. Keys beside `any` and
//!   `all` are an error, as Kyverno's policy validation makes them.
//!
//! Each condition is `{key, operator, value, message}` (other fields are
//! ignored). The whole block is decoded first, so a malformed condition is
//! an error wherever it stands. Then each condition's key, then its value,
//! go through the caller's variable substitution before the operator is
//! looked up: a substitution error wins over an unknown operator, and an
//! unknown operator is an error only when its condition is reached.
//!
//! # Messages
//!
//! [`ConditionsOutcome::message`] is what Kyverno returns with the result:
//! the non-empty `message`s of the conditions that decided, joined.
//!
//! - `{any, all}` that holds: the message of the `any` condition that held
//!   and of every `all` condition, joined with `"; "`.
//! - `{any, all}` that fails: the messages of the `any` conditions that
//!   failed before one held (all of them if none held), then the `all`
//!   condition that failed, joined with `"; "`.
//! - A legacy list that fails: the failing condition's message. One that
//!   holds: all messages joined with `";"` (no space, as in Kyverno).
//! - `None` when that is empty.
//!
//! # Operators
//!
//! Operator names are matched case-insensitively, as Kyverno's handler
//! lookup does (its policy validation, [`is_operator_valid`], wants the
//! exact spelling). Keys and values are JSON as Kyverno decodes it: every
//! number is a `float64`, so `1`, `1.0` and an `int64` 1 are one value.
//!
//! - **`Equals`/`Equal`**: the key's type decides. A boolean equals the
//!   same boolean only. A number equals a number, or a string that parses
//!   as a float (`1` equals `"1.0"`). A string is compared as a Go duration
//!   if either side is a duration string other than `"0"` (a number on the
//!   other side is seconds, truncated: `"1s"` equals `1.5`); else, if the
//!   key is a quantity, as quantities against a quantity string or a
//!   number (`"1Gi"` equals `"1024Mi"`, `"5"` equals `5`; a value that is
//!   neither is unequal, never matched as text); else the value string is
//!   a wildcard pattern for the key (`"1.5.*"`). Maps and lists are deeply
//!   equal or not. A `null` key equals nothing, not even `null`.
//! - **`NotEquals`/`NotEqual`**: not `Equals`, so any mismatch of types
//!   makes it true; but a `null` key makes it false too (Kyverno's handler
//!   has no branch for it).
//! - **`GreaterThan`, `GreaterThanOrEquals`, `LessThan`,
//!   `LessThanOrEquals`**: a number key against a number, a duration
//!   string (seconds) or a float string. A string key: durations first,
//!   then quantities (both strings), then as a float (then as above), then
//!   as a semantic version against a version string (`"1.10.0" >
//!   "1.9.0"`; `blang/semver` syntax, no `v`). Anything else is false.
//! - **`DurationGreaterThan`, `DurationGreaterThanOrEquals`,
//!   `DurationLessThan`, `DurationLessThanOrEquals`** (deprecated): both
//!   sides are Go durations or numbers of whole seconds.
//! - **`AnyIn`, `AllIn`, `AnyNotIn`, `AllNotIn`**: the key (a scalar or a
//!   list) against the value: a list, one string (a wildcard pattern), a
//!   range `"1-10"` (each key checked as Kyverno's pattern range), or a
//!   string holding a JSON array of strings. Members are compared as Go
//!   prints them, with wildcards on either side (`"1*"` in the key matches
//!   `"1.1.1.1"` in the value and the other way round). For `AnyIn` and
//!   `AnyNotIn`, a list key also takes a lone number or boolean value as
//!   a one-element list.
//! - **`In`, `NotIn`** (deprecated): a string or number key is in the
//!   value as for `AnyIn`, without ranges (a boolean key is unsupported);
//!   a list key must be exactly (no wildcards) in a list of strings; a
//!   string value that is not a JSON array of strings is a type error.
//!
//! A type Kyverno's operator does not handle (a map key for `AnyIn`, a list
//! for `GreaterThan`, a value of the wrong shape) makes the condition
//! *false*, never an error; for the "not in" operators too, so `"5"
//! AnyNotIn "6"` is false (`"6"` is JSON, but no list of strings).
//!
//! # Not supported
//!
//! - Variables: the caller substitutes them (`evaluate_conditions` takes
//!   the substitution). Kyverno substitutes every condition (deny
//!   conditions too) with its preconditions resolver, which turns a
//!   variable it cannot resolve into an empty string rather than failing;
//!   the caller's closure should do the same.
//! - Go hexadecimal floats (`"0x1p-2"`) are not read as numbers.
//! - Kyverno's `In`/`NotIn` panic on a list key holding non-strings; here
//!   those members are compared as Go prints them.
//! - Where the Kyverno sources at hand were of different ages, their tests
//!   and the newest handlers decided: wildcards on either side for every
//!   "in" operator and `AllNotIn` true only when no key is in the value
//!   (both pinned by Kyverno's tests), and, following `anyin.go`, a
//!   one-element list key equal to a string value is "not in" false for
//!   `AllNotIn` as for `AnyNotIn` (the deprecated `NotIn` still says
//!   true).

mod equality;
mod go;
mod membership;
mod numeric;

use serde_json::{Map, Value};

use membership::Membership;
use numeric::Comparison;

/// A condition operator, as Kyverno's handler lookup reads its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConditionOperator {
    Equals,
    NotEquals,
    Numeric(Comparison),
    Duration(Comparison),
    Membership(Membership),
}

/// The operator names Kyverno's API declares (`ConditionOperators`).
const OPERATOR_NAMES: [&str; 18] = [
    "Equal",
    "Equals",
    "NotEqual",
    "NotEquals",
    "In",
    "AnyIn",
    "AllIn",
    "NotIn",
    "AnyNotIn",
    "AllNotIn",
    "GreaterThanOrEquals",
    "GreaterThan",
    "LessThanOrEquals",
    "LessThan",
    "DurationGreaterThanOrEquals",
    "DurationGreaterThan",
    "DurationLessThanOrEquals",
    "DurationLessThan",
];

fn parse_operator(name: &str) -> Option<ConditionOperator> {
    use ConditionOperator::*;
    let op = match name.to_ascii_lowercase().as_str() {
        "equal" | "equals" => Equals,
        "notequal" | "notequals" => NotEquals,
        "in" => Membership(membership::Membership::In),
        "anyin" => Membership(membership::Membership::AnyIn),
        "allin" => Membership(membership::Membership::AllIn),
        "notin" => Membership(membership::Membership::NotIn),
        "anynotin" => Membership(membership::Membership::AnyNotIn),
        "allnotin" => Membership(membership::Membership::AllNotIn),
        "greaterthanorequals" => Numeric(Comparison::GreaterOrEqual),
        "greaterthan" => Numeric(Comparison::Greater),
        "lessthanorequals" => Numeric(Comparison::LessOrEqual),
        "lessthan" => Numeric(Comparison::Less),
        "durationgreaterthanorequals" => Duration(Comparison::GreaterOrEqual),
        "durationgreaterthan" => Duration(Comparison::Greater),
        "durationlessthanorequals" => Duration(Comparison::LessOrEqual),
        "durationlessthan" => Duration(Comparison::Less),
        _ => return None,
    };
    Some(op)
}

/// Whether Kyverno's policy validation accepts the operator name: one of
/// its declared names, spelled exactly (the engine itself ignores case).
pub fn is_operator_valid(operator: &str) -> bool {
    OPERATOR_NAMES.contains(&operator)
}

/// What Kyverno's policy validation recommends instead of a deprecated
/// operator (`utils.go`: `In` and `NotIn`; its engine also logs the
/// `Duration*` operators as deprecated, without a listed alternative).
pub fn deprecated_operator_alternatives(operator: &str) -> Option<&'static [&'static str]> {
    match operator {
        "In" => Some(&["AllIn", "AnyIn"]),
        "NotIn" => Some(&["AllNotIn", "AnyNotIn"]),
        _ => None,
    }
}

/// One condition, its key and value already variable-substituted.
///
/// `Err` only for an operator Kyverno does not know; every type mismatch
/// is `Ok(false)`, as in Kyverno.
pub fn evaluate_condition(key: &Value, operator: &str, value: &Value) -> Result<bool, String> {
    let op = parse_operator(operator).ok_or_else(|| {
        format!("failed to create handler for condition operator: unknown operator {operator:?}")
    })?;
    Ok(match op {
        ConditionOperator::Equals => equality::equals(key, value),
        ConditionOperator::NotEquals => equality::not_equals(key, value),
        ConditionOperator::Numeric(cmp) => numeric::compare(key, value, cmp),
        ConditionOperator::Duration(cmp) => numeric::compare_durations(key, value, cmp),
        ConditionOperator::Membership(m) => membership::evaluate(key, value, m),
    })
}

/// The outcome of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionsOutcome {
    pub holds: bool,
    /// the `message` of the condition that decided (Kyverno reports it), if any
    pub message: Option<String>,
}

/// The variable substitution the engine passes in.
pub type Substitute<'a> = dyn FnMut(&Value) -> Result<Value, String> + 'a;

/// A condition block (`[...]` or `{any, all}`); `substitute` resolves
/// `{{ }}` variables in a condition's key and value (the engine passes a
/// closure; Err is a substitution error and makes the whole evaluation Err).
pub fn evaluate_conditions(
    block: &Value,
    substitute: &mut dyn FnMut(&Value) -> Result<Value, String>,
) -> Result<ConditionsOutcome, String> {
    match parse_block(block)? {
        Block::List(conditions) => evaluate_list(&conditions, substitute),
        Block::AnyAll { any, all } => evaluate_any_all(any.as_deref(), &all, substitute),
    }
}

/// One condition as Kyverno decodes it; fields it does not know are
/// ignored, a missing key or value is `null`, a missing operator `""`.
struct Condition<'a> {
    key: &'a Value,
    operator: &'a str,
    value: &'a Value,
    message: &'a str,
}

enum Block<'a> {
    List(Vec<Condition<'a>>),
    /// `any` is `None` when absent or `null`, unlike an empty list.
    AnyAll {
        any: Option<Vec<Condition<'a>>>,
        all: Vec<Condition<'a>>,
    },
}

/// The whole block is decoded before anything is evaluated, as Kyverno
/// decodes it: a malformed condition is an error even after the one that
/// decides.
fn parse_block(block: &Value) -> Result<Block<'_>, String> {
    const PATH: &str = "preconditions/validate.deny.conditions";
    match block {
        Value::Null => Ok(Block::List(Vec::new())),
        Value::Array(items) => Ok(Block::List(parse_conditions(items)?)),
        Value::Object(map) => {
            // Kyverno's policy validation (`ApiextensionsJsonToKyvernoConditions`)
            // refuses other keys; its engine's lenient decoding would ignore
            // them and let a misspelt `alll` hold.
            if let Some(unknown) = map.keys().find(|k| *k != "any" && *k != "all") {
                return Err(format!(
                    "error occurred while parsing {PATH}: unknown field '{unknown}' found under {PATH}"
                ));
            }
            let any = condition_list(map, "any")?
                .map(parse_conditions)
                .transpose()?;
            let all = condition_list(map, "all")?.map_or(Ok(Vec::new()), parse_conditions)?;
            Ok(Block::AnyAll { any, all })
        }
        other => Err(format!(
            "invalid conditions: expected a list or a map with any/all, found {other}"
        )),
    }
}

fn condition_list<'a>(
    map: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a [Value]>, String> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(format!(
            "invalid conditions: {name} must be a list, found {other}"
        )),
    }
}

fn parse_conditions(items: &[Value]) -> Result<Vec<Condition<'_>>, String> {
    items.iter().map(parse_condition).collect()
}

fn parse_condition(item: &Value) -> Result<Condition<'_>, String> {
    let Value::Object(fields) = item else {
        return Err(format!("invalid condition: expected a map, found {item}"));
    };
    let text = |name: &str| -> Result<&str, String> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(format!(
                "invalid condition: {name} must be a string, found {other}"
            )),
        }
    };
    Ok(Condition {
        key: fields.get("key").unwrap_or(&Value::Null),
        operator: text("operator")?,
        value: fields.get("value").unwrap_or(&Value::Null),
        message: text("message")?,
    })
}

/// One condition's verdict and its `message` (empty when it has none). The
/// key, then the value, are substituted before the operator is looked up.
fn evaluate_one(
    condition: &Condition<'_>,
    substitute: &mut Substitute<'_>,
) -> Result<(bool, String), String> {
    let key = substitute(condition.key)
        .map_err(|e| format!("failed to substitute variables in condition key: {e}"))?;
    let value = substitute(condition.value)
        .map_err(|e| format!("failed to substitute variables in condition value: {e}"))?;
    let holds = evaluate_condition(&key, condition.operator, &value)?;
    Ok((holds, condition.message.to_string()))
}

fn evaluate_list(
    conditions: &[Condition<'_>],
    substitute: &mut Substitute<'_>,
) -> Result<ConditionsOutcome, String> {
    let mut held = Vec::new();
    for condition in conditions {
        let (holds, message) = evaluate_one(condition, substitute)?;
        if !holds {
            return Ok(outcome(false, &[message], ";"));
        }
        held.push(message);
    }
    Ok(outcome(true, &held, ";"))
}

fn evaluate_any_all(
    any: Option<&[Condition<'_>]>,
    all: &[Condition<'_>],
    substitute: &mut Substitute<'_>,
) -> Result<ConditionsOutcome, String> {
    let (mut held, mut failed) = (Vec::new(), Vec::new());
    let mut any_holds = true;
    if let Some(any) = any {
        any_holds = false;
        for condition in any {
            let (holds, message) = evaluate_one(condition, substitute)?;
            if holds {
                any_holds = true;
                held.push(message);
                break;
            }
            failed.push(message);
        }
    }
    let mut all_holds = true;
    for condition in all {
        let (holds, message) = evaluate_one(condition, substitute)?;
        if holds {
            held.push(message);
        } else {
            all_holds = false;
            failed.push(message);
            break;
        }
    }
    if any_holds && all_holds {
        Ok(outcome(true, &held, "; "))
    } else {
        Ok(outcome(false, &failed, "; "))
    }
}

/// Kyverno's `JoinNonEmpty`, and no message for an empty one.
fn outcome(holds: bool, messages: &[String], separator: &str) -> ConditionsOutcome {
    let joined = messages
        .iter()
        .filter(|m| !m.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(separator);
    ConditionsOutcome {
        holds,
        message: (!joined.is_empty()).then_some(joined),
    }
}

#[cfg(test)]
mod tests;
