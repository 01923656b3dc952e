//! Kyverno's JMESPath: the expression language of `{{ }}` variables, with
//! Kyverno's custom functions and its missing-key rule.
//!
//! Expressions are parsed by the `jmespath` crate and evaluated here, over
//! its AST, because Kyverno's fork of go-jmespath differs from the standard
//! in one way that matters: a field missing from an object is an error
//! (`Unknown key "x" in path`), not `null`. [`search`] reports it as
//! [`SearchError::NotFound`]; a field of something that is not an object
//! (`null.x`, `"text".x`) is still `null`.
//!
//! Where the missing key sits inside a projection (`a[].b`, `a[?b]`, `*.b`),
//! or a multi-select (`spec.[initContainers, containers][]`, which
//! Kyverno's policy library uses on Pods without init containers), it reads
//! as `null` (and a projection drops it), as standard
//! JMESPath does: policies filter lists whose elements lack the key
//! (`containers[?securityContext.privileged]`) and the fork's handling of
//! that case could not be read from its sources; this is a guess.
//!
//! # Functions
//!
//! The JMESPath built-ins (`length`, `contains`, `join`, `to_string`,
//! `to_number`, `keys`, `values`, `sort_by`, `max`, `merge`...) and
//! Kyverno's `pkg/engine/jmespath/functions.go`, `arithmetic.go`:
//! `compare`, `equal_fold`, `replace`, `replace_all`, `to_upper`,
//! `to_lower`, `trim`, `trim_prefix`, `trim_suffix`, `split`,
//! `regex_replace_all`, `regex_replace_all_literal`, `regex_match`,
//! `pattern_match`, `label_match`, `to_boolean`, `add`, `sum`, `subtract`,
//! `multiply`, `divide`, `modulo`, `round`, `base64_decode`,
//! `base64_encode`, `path_canonicalize`, `truncate`, `semver_compare`,
//! `parse_json`, `parse_yaml`, `lookup`, `items`, `object_from_lists`,
//! and the time functions of `time.go` over RFC 3339 times (`time_since`,
//! `time_add`, `time_before`, `time_to_cron`...; see [`time`]). Their
//! argument checks and messages are Kyverno's (`JMESPath function
//! 'divide': Zero divisor passed`).
//!
//! Arithmetic follows Kyverno: a number is a scalar; a string is a
//! Kubernetes quantity if it parses as one (so `'10'` is a quantity), else a
//! Go duration. Quantities and durations come back as strings in Kubernetes'
//! canonical form (`2060Mi`, `1h30m0s`); quantities are exact to the
//! nano-unit.
//!
//! # Not supported
//!
//! `random`, `x509_decode` and `image_normalize`: calling them is an
//! `unknown function` error. Time layouts other than RFC 3339. Regular
//! expressions are Rust's `regex` (RE2 syntax, as Go's). Argument-count
//! errors are worded here (go-jmespath's own are not reproduced).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::LazyLock;

use base64::Engine as _;
use jmespath::ast::Ast;
use jmespath::{ErrorReason, JmespathError, Rcvar, Runtime, Variable};
use serde_json::{Number, Value};

use super::quantity::{parse_duration, parse_quantity};

mod time;

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchError {
    /// The expression names a key an object does not have.
    NotFound { key: String },
    /// The expression does not parse.
    Parse { message: String },
    /// A function failed or was misused; `message` is Kyverno's
    /// (`JMESPath function 'divide': Zero divisor passed`).
    Runtime { message: String },
}

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SearchError::NotFound { key } => write!(f, "Unknown key \"{key}\" in path"),
            SearchError::Parse { message } | SearchError::Runtime { message } => {
                f.write_str(message)
            }
        }
    }
}

/// The runtime: JMESPath's built-ins, then Kyverno's functions (Kyverno's
/// `sum` replaces the built-in one).
static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    let mut runtime = Runtime::new();
    runtime.register_builtin_functions();
    register_kyverno_functions(&mut runtime);
    runtime
});

/// Parsed expressions, per thread: policies repeat the same few hundred.
const CACHE_LIMIT: usize = 4096;

thread_local! {
    static CACHE: RefCell<HashMap<String, Rc<Ast>>> = RefCell::new(HashMap::new());
    /// Compiled regular expressions of `regex_*` calls, per thread: a
    /// policy matches every resource against the same few patterns.
    static REGEXES: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
}

/// A pattern compiled once per thread (Go's RE2 syntax and the `regex`
/// crate's agree on what Kyverno policies use).
fn cached_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    if let Some(regex) = REGEXES.with(|cache| cache.borrow().get(pattern).cloned()) {
        return Ok(regex);
    }
    let regex = regex::Regex::new(pattern)?;
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), regex.clone());
    });
    Ok(regex)
}

/// Parses an expression, once per thread.
pub fn compile(expression: &str) -> Result<Rc<Ast>, SearchError> {
    if let Some(ast) = CACHE.with(|cache| cache.borrow().get(expression).cloned()) {
        return Ok(ast);
    }
    let ast = Rc::new(
        jmespath::parse(expression).map_err(|error| SearchError::Parse {
            message: parse_message(&error),
        })?,
    );
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(expression.to_string(), ast.clone());
    });
    Ok(ast)
}

fn parse_message(error: &JmespathError) -> String {
    match &error.reason {
        ErrorReason::Parse(message) => format!("{message} at column {}", error.column),
        ErrorReason::Runtime(runtime) => runtime.to_string(),
    }
}

/// Evaluates `expression` against `data` with Kyverno's functions and its
/// missing-key rule.
pub fn search(expression: &str, data: &Rcvar) -> Result<Rcvar, SearchError> {
    let ast = compile(expression)?;
    let mut ctx = jmespath::Context::new(expression, &RUNTIME);
    eval(data, &ast, &mut ctx, false)
}

/// Converts JSON into a JMESPath value.
pub fn to_variable(value: &Value) -> Rcvar {
    Rcvar::new(match value {
        Value::Null => Variable::Null,
        Value::Bool(b) => Variable::Bool(*b),
        Value::Number(n) => Variable::Number(n.clone()),
        Value::String(s) => Variable::String(s.clone()),
        Value::Array(items) => Variable::Array(items.iter().map(to_variable).collect()),
        Value::Object(map) => Variable::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_variable(v)))
                .collect(),
        ),
    })
}

/// Converts a JMESPath value back into JSON (an expression reference, which
/// JSON cannot hold, becomes `null`).
pub fn to_json(value: &Variable) -> Value {
    match value {
        Variable::Null | Variable::Expref(_) => Value::Null,
        Variable::Bool(b) => Value::Bool(*b),
        Variable::Number(n) => Value::Number(n.clone()),
        Variable::String(s) => Value::String(s.clone()),
        Variable::Array(items) => Value::Array(items.iter().map(|v| to_json(v)).collect()),
        Variable::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

fn null() -> Rcvar {
    Rcvar::new(Variable::Null)
}

/// The interpreter of the `jmespath` crate, with Kyverno's missing keys.
/// `lenient`: inside a projection, where a missing key reads as `null`.
fn eval(
    data: &Rcvar,
    node: &Ast,
    ctx: &mut jmespath::Context<'_>,
    lenient: bool,
) -> Result<Rcvar, SearchError> {
    match node {
        Ast::Field { name, .. } => match &**data {
            Variable::Object(map) => match map.get(name) {
                Some(value) => Ok(value.clone()),
                None if lenient => Ok(null()),
                None => Err(SearchError::NotFound { key: name.clone() }),
            },
            _ => Ok(null()),
        },
        Ast::Subexpr { lhs, rhs, .. } => {
            let left = eval(data, lhs, ctx, lenient)?;
            eval(&left, rhs, ctx, lenient)
        }
        Ast::Identity { .. } => Ok(data.clone()),
        Ast::Literal { value, .. } => Ok(value.clone()),
        Ast::Index { idx, .. } => Ok(if *idx >= 0 {
            data.get_index(idx.unsigned_abs() as usize)
        } else {
            data.get_negative_index(idx.unsigned_abs() as usize)
        }),
        Ast::Or { lhs, rhs, .. } => {
            let left = eval(data, lhs, ctx, lenient)?;
            if left.is_truthy() {
                Ok(left)
            } else {
                eval(data, rhs, ctx, lenient)
            }
        }
        Ast::And { lhs, rhs, .. } => {
            let left = eval(data, lhs, ctx, lenient)?;
            if left.is_truthy() {
                eval(data, rhs, ctx, lenient)
            } else {
                Ok(left)
            }
        }
        Ast::Not { node, .. } => {
            let value = eval(data, node, ctx, lenient)?;
            Ok(Rcvar::new(Variable::Bool(!value.is_truthy())))
        }
        Ast::Condition {
            predicate, then, ..
        } => {
            if eval(data, predicate, ctx, lenient)?.is_truthy() {
                eval(data, then, ctx, lenient)
            } else {
                Ok(null())
            }
        }
        Ast::Comparison {
            comparator,
            lhs,
            rhs,
            ..
        } => {
            let left = eval(data, lhs, ctx, lenient)?;
            let right = eval(data, rhs, ctx, lenient)?;
            Ok(left
                .compare(comparator, &right)
                .map_or_else(null, |b| Rcvar::new(Variable::Bool(b))))
        }
        Ast::ObjectValues { node, .. } => {
            let subject = eval(data, node, ctx, lenient)?;
            Ok(match &*subject {
                Variable::Object(map) => {
                    Rcvar::new(Variable::Array(map.values().cloned().collect()))
                }
                _ => null(),
            })
        }
        Ast::Projection { lhs, rhs, .. } => {
            let left = eval(data, lhs, ctx, lenient)?;
            let Some(items) = left.as_array() else {
                return Ok(null());
            };
            let mut collected = Vec::with_capacity(items.len());
            for item in items {
                let value = eval(item, rhs, ctx, true)?;
                if !value.is_null() {
                    collected.push(value);
                }
            }
            Ok(Rcvar::new(Variable::Array(collected)))
        }
        Ast::Flatten { node, .. } => {
            let value = eval(data, node, ctx, lenient)?;
            let Some(items) = value.as_array() else {
                return Ok(null());
            };
            let mut collected = Vec::with_capacity(items.len());
            for item in items {
                match item.as_array() {
                    Some(inner) => collected.extend(inner.iter().cloned()),
                    None => collected.push(item.clone()),
                }
            }
            Ok(Rcvar::new(Variable::Array(collected)))
        }
        Ast::MultiList { elements, .. } => {
            if data.is_null() {
                return Ok(null());
            }
            let mut collected = Vec::with_capacity(elements.len());
            // Policies list optional fields together
            // (`spec.[initContainers, containers][]`, as Kyverno's policy
            // library does): a missing one reads as `null`.
            for element in elements {
                collected.push(eval(data, element, ctx, true)?);
            }
            Ok(Rcvar::new(Variable::Array(collected)))
        }
        Ast::MultiHash { elements, .. } => {
            if data.is_null() {
                return Ok(null());
            }
            let mut collected = BTreeMap::new();
            for pair in elements {
                collected.insert(pair.key.clone(), eval(data, &pair.value, ctx, true)?);
            }
            Ok(Rcvar::new(Variable::Object(collected)))
        }
        Ast::Function { name, args, offset } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(eval(data, arg, ctx, lenient)?);
            }
            ctx.offset = *offset;
            let Some(function) = ctx.runtime.get_function(name) else {
                return Err(SearchError::Runtime {
                    message: format!("unknown function: {name}"),
                });
            };
            function
                .evaluate(&values, ctx)
                .map_err(|error| SearchError::Runtime {
                    message: runtime_message(name, &error),
                })
        }
        Ast::Expref { ast, .. } => Ok(Rcvar::new(Variable::Expref((**ast).clone()))),
        Ast::Slice {
            start, stop, step, ..
        } => {
            if *step == 0 {
                return Err(SearchError::Runtime {
                    message: "slice step cannot be 0".to_string(),
                });
            }
            Ok(data
                .slice(*start, *stop, *step)
                .map_or_else(null, |items| Rcvar::new(Variable::Array(items))))
        }
    }
}

/// Kyverno's functions report their own message (carried as a "parse"
/// reason, the one variant with free text); the built-ins' are the crate's.
fn runtime_message(name: &str, error: &JmespathError) -> String {
    match &error.reason {
        ErrorReason::Parse(message) => message.clone(),
        ErrorReason::Runtime(reason) => format!("JMESPath function '{name}': {reason}"),
    }
}

fn fail(message: String) -> JmespathError {
    JmespathError::new("", 0, ErrorReason::Parse(message))
}

type Args<'a> = &'a [Rcvar];
type FnResult = Result<Variable, String>;
type KyvernoFn = fn(&str, Args<'_>) -> FnResult;

fn register_kyverno_functions(runtime: &mut Runtime) {
    let table: &[(&str, usize, KyvernoFn)] = &[
        ("compare", 2, f_compare),
        ("equal_fold", 2, f_equal_fold),
        ("replace", 4, f_replace),
        ("replace_all", 3, f_replace_all),
        ("to_upper", 1, f_to_upper),
        ("to_lower", 1, f_to_lower),
        ("trim", 2, f_trim),
        ("trim_prefix", 2, f_trim_prefix),
        ("trim_suffix", 2, f_trim_suffix),
        ("split", 2, f_split),
        ("regex_replace_all", 3, f_regex_replace_all),
        ("regex_replace_all_literal", 3, f_regex_replace_all_literal),
        ("regex_match", 2, f_regex_match),
        ("pattern_match", 2, f_pattern_match),
        ("label_match", 2, f_label_match),
        ("to_boolean", 1, f_to_boolean),
        ("add", 2, f_add),
        ("sum", 1, f_sum),
        ("subtract", 2, f_subtract),
        ("multiply", 2, f_multiply),
        ("divide", 2, f_divide),
        ("modulo", 2, f_modulo),
        ("round", 2, f_round),
        ("base64_decode", 1, f_base64_decode),
        ("base64_encode", 1, f_base64_encode),
        ("path_canonicalize", 1, f_path_canonicalize),
        ("truncate", 2, f_truncate),
        ("semver_compare", 2, f_semver_compare),
        ("parse_json", 1, f_parse_json),
        ("parse_yaml", 1, f_parse_yaml),
        ("lookup", 2, f_lookup),
        ("items", 3, f_items),
        ("object_from_lists", 2, f_object_from_lists),
        ("time_since", 3, time::f_time_since),
        ("time_now", 0, time::f_time_now),
        ("time_now_utc", 0, time::f_time_now),
        ("time_add", 2, time::f_time_add),
        ("time_parse", 2, time::f_time_parse),
        ("time_to_cron", 1, time::f_time_to_cron),
        ("time_utc", 1, time::f_time_utc),
        ("time_diff", 2, time::f_time_diff),
        ("time_before", 2, time::f_time_before),
        ("time_after", 2, time::f_time_after),
        ("time_between", 3, time::f_time_between),
        ("time_truncate", 2, time::f_time_truncate),
    ];
    for &(name, arity, function) in table {
        runtime.register_function(
            name,
            Box::new(move |args: &[Rcvar], _: &mut jmespath::Context<'_>| {
                if args.len() != arity {
                    return Err(fail(format!(
                        "JMESPath function '{name}': expected {arity} arguments, got {}",
                        args.len()
                    )));
                }
                function(name, args).map(Rcvar::new).map_err(fail)
            }),
        );
    }
}

// Kyverno's messages (`pkg/engine/jmespath/error.go`).
fn invalid_type(function: &str, position: usize, expected: &str) -> String {
    format!("JMESPath function '{function}': argument #{position} is not of type {expected}")
}

fn generic(function: &str, message: &str) -> String {
    format!("JMESPath function '{function}': {message}")
}

fn type_mismatch(function: &str) -> String {
    generic(function, "Types mismatch")
}

fn zero_division(function: &str) -> String {
    generic(function, "Zero divisor passed")
}

fn string_arg<'a>(function: &str, args: Args<'a>, index: usize) -> Result<&'a str, String> {
    args[index]
        .as_string()
        .map(String::as_str)
        .ok_or_else(|| invalid_type(function, index + 1, "string"))
}

fn number_arg(function: &str, args: Args<'_>, index: usize) -> Result<f64, String> {
    args[index]
        .as_number()
        .ok_or_else(|| invalid_type(function, index + 1, "float64"))
}

/// Go's `ifaceToString`: strings, numbers (as `FormatFloat(f, 'f', -1, 32)`)
/// and booleans.
fn scalar_to_string(value: &Variable) -> Option<String> {
    match value {
        Variable::String(s) => Some(s.clone()),
        Variable::Bool(b) => Some(b.to_string()),
        Variable::Number(n) => n.as_f64().map(|f| {
            // Kyverno formats through float32.
            #[allow(clippy::cast_possible_truncation)]
            let single = f as f32;
            format!("{single}")
        }),
        _ => None,
    }
}

/// A JSON number for `f`: an integer where `f` is one (Go prints `5`, not
/// `5.0`).
pub fn number(f: f64) -> Variable {
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Variable::Number(Number::from(f as i64));
    }
    Number::from_f64(f).map_or(Variable::Null, Variable::Number)
}

fn f_compare(name: &str, args: Args<'_>) -> FnResult {
    let a = string_arg(name, args, 0)?;
    let b = string_arg(name, args, 1)?;
    Ok(number(match a.cmp(b) {
        std::cmp::Ordering::Less => -1.0,
        std::cmp::Ordering::Equal => 0.0,
        std::cmp::Ordering::Greater => 1.0,
    }))
}

fn f_equal_fold(name: &str, args: Args<'_>) -> FnResult {
    let a = string_arg(name, args, 0)?;
    let b = string_arg(name, args, 1)?;
    Ok(Variable::Bool(a.to_lowercase() == b.to_lowercase()))
}

fn f_replace(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let old = string_arg(name, args, 1)?;
    let new = string_arg(name, args, 2)?;
    let count = number_arg(name, args, 3)?;
    #[allow(clippy::cast_possible_truncation)]
    let count = count as i64;
    Ok(Variable::String(if count < 0 {
        go_replace(text, old, new, usize::MAX)
    } else {
        go_replace(text, old, new, usize::try_from(count).unwrap_or(usize::MAX))
    }))
}

/// Go's `strings.Replace`: an empty `old` matches before every character
/// and at the end.
fn go_replace(text: &str, old: &str, new: &str, count: usize) -> String {
    if old.is_empty() {
        let mut out = String::new();
        let mut done = 0;
        for c in text.chars() {
            if done < count {
                out.push_str(new);
                done += 1;
            }
            out.push(c);
        }
        if done < count {
            out.push_str(new);
        }
        return out;
    }
    text.replacen(old, new, count)
}

fn f_replace_all(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let old = string_arg(name, args, 1)?;
    let new = string_arg(name, args, 2)?;
    Ok(Variable::String(go_replace(text, old, new, usize::MAX)))
}

fn f_to_upper(name: &str, args: Args<'_>) -> FnResult {
    Ok(Variable::String(string_arg(name, args, 0)?.to_uppercase()))
}

fn f_to_lower(name: &str, args: Args<'_>) -> FnResult {
    Ok(Variable::String(string_arg(name, args, 0)?.to_lowercase()))
}

fn f_trim(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let cutset = string_arg(name, args, 1)?;
    Ok(Variable::String(
        text.trim_matches(|c| cutset.contains(c)).to_string(),
    ))
}

fn f_trim_prefix(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let prefix = string_arg(name, args, 1)?;
    Ok(Variable::String(
        text.strip_prefix(prefix).unwrap_or(text).to_string(),
    ))
}

fn f_trim_suffix(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let suffix = string_arg(name, args, 1)?;
    Ok(Variable::String(
        text.strip_suffix(suffix).unwrap_or(text).to_string(),
    ))
}

fn f_split(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let separator = string_arg(name, args, 1)?;
    // Go's `strings.Split` with an empty separator splits into characters.
    let parts: Vec<Rcvar> = if separator.is_empty() {
        text.chars()
            .map(|c| Rcvar::new(Variable::String(c.to_string())))
            .collect()
    } else {
        text.split(separator)
            .map(|s| Rcvar::new(Variable::String(s.to_string())))
            .collect()
    };
    Ok(Variable::Array(parts))
}

fn regex_of(name: &str, pattern: &str) -> Result<regex::Regex, String> {
    cached_regex(pattern).map_err(|error| generic(name, &error.to_string()))
}

fn string_or_number(name: &str, args: Args<'_>, index: usize) -> Result<String, String> {
    match &*args[index] {
        Variable::String(_) | Variable::Number(_) | Variable::Bool(_) => {
            scalar_to_string(&args[index])
                .ok_or_else(|| invalid_type(name, index + 1, "String or Real"))
        }
        _ => Err(invalid_type(name, index + 1, "String or Real")),
    }
}

fn f_regex_replace_all(name: &str, args: Args<'_>) -> FnResult {
    let pattern = string_arg(name, args, 0)?;
    let source = string_or_number(name, args, 1)?;
    let replacement = string_or_number(name, args, 2)?;
    let regex = regex_of(name, pattern)?;
    Ok(Variable::String(
        regex
            .replace_all(&source, replacement.as_str())
            .into_owned(),
    ))
}

fn f_regex_replace_all_literal(name: &str, args: Args<'_>) -> FnResult {
    let pattern = string_arg(name, args, 0)?;
    let source = string_or_number(name, args, 1)?;
    let replacement = string_or_number(name, args, 2)?;
    let regex = regex_of(name, pattern)?;
    Ok(Variable::String(
        regex
            .replace_all(&source, regex::NoExpand(&replacement))
            .into_owned(),
    ))
}

fn f_regex_match(name: &str, args: Args<'_>) -> FnResult {
    let pattern = string_arg(name, args, 0)?;
    let source = string_or_number(name, args, 1)?;
    // Go's `regexp.Match` reports a bad pattern as its error, unprefixed.
    let regex = cached_regex(pattern).map_err(|error| error.to_string())?;
    Ok(Variable::Bool(regex.is_match(&source)))
}

fn f_pattern_match(_: &str, args: Args<'_>) -> FnResult {
    // Kyverno checks the arguments under the name `regex_match`.
    let pattern = string_arg("regex_match", args, 0)?;
    let source = string_or_number("regex_match", args, 1)?;
    Ok(Variable::Bool(super::operator::wildcard_match(
        pattern, &source,
    )))
}

fn f_label_match(name: &str, args: Args<'_>) -> FnResult {
    // Kyverno numbers these two from 0, unlike its other messages.
    let labels = args[0]
        .as_object()
        .ok_or_else(|| invalid_type(name, 0, "Object"))?;
    let candidates = args[1]
        .as_object()
        .ok_or_else(|| invalid_type(name, 1, "Object"))?;
    Ok(Variable::Bool(labels.iter().all(|(key, value)| {
        candidates
            .get(key)
            .is_some_and(|candidate| candidate == value)
    })))
}

fn f_to_boolean(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    match text.to_lowercase().as_str() {
        "true" => Ok(Variable::Bool(true)),
        "false" => Ok(Variable::Bool(false)),
        _ => Err(generic(
            name,
            &format!("lowercase argument must be 'true' or 'false' (provided: '{text}')"),
        )),
    }
}

// ---- arithmetic (`arithmetic.go`) ----

/// Nano-units per unit of a quantity.
const NANO: i128 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    BinarySi,
    DecimalSi,
    DecimalExponent,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Operand {
    Scalar(f64),
    /// The value in nano-units, and the notation of its spelling.
    Quantity(i128, Format),
    /// Nanoseconds.
    Duration(i64),
}

fn quantity_nanos(text: &str) -> Option<i128> {
    let (mantissa, exp10, exp2) = parse_quantity(text)?.parts();
    let scaled = mantissa.checked_mul(1i128.checked_shl(exp2)?)?;
    let exp = exp10 + 9;
    if exp >= 0 {
        scaled.checked_mul(10i128.checked_pow(u32::try_from(exp).ok()?)?)
    } else {
        // Kubernetes keeps nine decimals and rounds the rest up.
        let divisor = 10i128.checked_pow(exp.unsigned_abs())?;
        let quotient = scaled / divisor;
        Some(if scaled % divisor > 0 {
            quotient + 1
        } else {
            quotient
        })
    }
}

fn format_of(text: &str) -> Format {
    if text.ends_with('i') {
        Format::BinarySi
    } else if text.contains(['e', 'E']) {
        Format::DecimalExponent
    } else {
        Format::DecimalSi
    }
}

fn operand(value: &Variable) -> Option<Operand> {
    match value {
        Variable::Number(n) => n.as_f64().map(Operand::Scalar),
        Variable::String(s) => {
            if let Some(nanos) = quantity_nanos(s) {
                Some(Operand::Quantity(nanos, format_of(s)))
            } else {
                parse_duration(s).map(Operand::Duration)
            }
        }
        _ => None,
    }
}

fn operands(name: &str, args: Args<'_>) -> Result<(Operand, Operand), String> {
    match (operand(&args[0]), operand(&args[1])) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(generic(name, "invalid operands")),
    }
}

/// Kubernetes' canonical spelling of a quantity (`Quantity.String()`).
fn format_quantity(nanos: i128, format: Format) -> String {
    if nanos == 0 {
        return "0".to_string();
    }
    let whole = nanos % NANO == 0;
    if format == Format::BinarySi && whole && nanos.abs() >= 1024 * NANO {
        let mut value = nanos / NANO;
        let mut power = 0;
        while power < 6 && value % 1024 == 0 {
            value /= 1024;
            power += 1;
        }
        let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power];
        return format!("{value}{suffix}");
    }
    // Decimal: strip zeros into the exponent, in steps of three.
    let mut mantissa = nanos;
    let mut exponent = -9;
    while mantissa % 1000 == 0 && exponent < 18 {
        mantissa /= 1000;
        exponent += 3;
    }
    if format == Format::DecimalExponent {
        return if exponent == 0 {
            mantissa.to_string()
        } else {
            format!("{mantissa}e{exponent}")
        };
    }
    let suffix = match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        _ => "E",
    };
    format!("{mantissa}{suffix}")
}

/// Go's `time.Duration.String()`.
pub fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let negative = nanos < 0;
    let mut u = nanos.unsigned_abs();
    let sign = if negative { "-" } else { "" };
    if u < 1_000_000_000 {
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", decimal(u, scale));
    }
    let mut out = String::new();
    let hours = u / 3_600_000_000_000;
    u %= 3_600_000_000_000;
    let minutes = u / 60_000_000_000;
    u %= 60_000_000_000;
    if hours > 0 {
        out.push_str(&format!("{hours}h{minutes}m"));
    } else if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&decimal(u, 1_000_000_000));
    out.push('s');
    format!("{sign}{out}")
}

/// `value / scale` with its fraction, trailing zeros dropped.
fn decimal(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = scale.to_string().len() - 1;
    let text = format!("{fraction:0digits$}");
    format!("{whole}.{}", text.trim_end_matches('0'))
}

#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
fn seconds_to_duration(seconds: f64) -> i64 {
    (seconds * 1e9) as i64
}

#[allow(clippy::cast_precision_loss)]
fn duration_seconds(nanos: i64) -> f64 {
    nanos as f64 / 1e9
}

/// A scalar as an exact quantity, through its shortest decimal spelling
/// (Kyverno parses `fmt.Sprintf("%v", f)`).
fn scalar_nanos(f: f64) -> Option<i128> {
    quantity_nanos(&format!("{f}"))
}

fn add(name: &str, a: Operand, b: Operand) -> FnResult {
    match (a, b) {
        (Operand::Scalar(x), Operand::Scalar(y)) => Ok(number(x + y)),
        (Operand::Quantity(x, format), Operand::Quantity(y, _)) => x
            .checked_add(y)
            .map(|sum| Variable::String(format_quantity(sum, format)))
            .ok_or_else(|| generic(name, "quantity out of range")),
        (Operand::Duration(x), Operand::Duration(y)) => x
            .checked_add(y)
            .map(|sum| Variable::String(format_duration(sum)))
            .ok_or_else(|| generic(name, "duration out of range")),
        _ => Err(type_mismatch(name)),
    }
}

fn f_add(name: &str, args: Args<'_>) -> FnResult {
    let (a, b) = operands(name, args)?;
    add(name, a, b)
}

fn f_sum(name: &str, args: Args<'_>) -> FnResult {
    let Some(items) = args[0].as_array() else {
        return Err(type_mismatch(name));
    };
    let Some(first) = items.first() else {
        return Err(generic(
            name,
            "at least one element in the array is required",
        ));
    };
    let mut total = (**first).clone();
    for item in &items[1..] {
        let pair = [Rcvar::new(total), item.clone()];
        let (a, b) = operands(name, &pair)?;
        total = add(name, a, b)?;
    }
    Ok(total)
}

fn f_subtract(name: &str, args: Args<'_>) -> FnResult {
    match operands(name, args)? {
        (Operand::Scalar(x), Operand::Scalar(y)) => Ok(number(x - y)),
        (Operand::Quantity(x, format), Operand::Quantity(y, _)) => x
            .checked_sub(y)
            .map(|v| Variable::String(format_quantity(v, format)))
            .ok_or_else(|| generic(name, "quantity out of range")),
        (Operand::Duration(x), Operand::Duration(y)) => x
            .checked_sub(y)
            .map(|v| Variable::String(format_duration(v)))
            .ok_or_else(|| generic(name, "duration out of range")),
        _ => Err(type_mismatch(name)),
    }
}

fn multiply_quantity(name: &str, nanos: i128, format: Format, f: f64) -> FnResult {
    let factor = scalar_nanos(f).ok_or_else(|| generic(name, "invalid operands"))?;
    let product = nanos
        .checked_mul(factor)
        .ok_or_else(|| generic(name, "quantity out of range"))?;
    let quotient = product / NANO;
    let rounded = if product % NANO > 0 {
        quotient + 1
    } else {
        quotient
    };
    Ok(Variable::String(format_quantity(rounded, format)))
}

fn f_multiply(name: &str, args: Args<'_>) -> FnResult {
    match operands(name, args)? {
        (Operand::Scalar(x), Operand::Scalar(y)) => Ok(number(x * y)),
        (Operand::Quantity(q, format), Operand::Scalar(f))
        | (Operand::Scalar(f), Operand::Quantity(q, format)) => {
            multiply_quantity(name, q, format, f)
        }
        (Operand::Duration(d), Operand::Scalar(f)) | (Operand::Scalar(f), Operand::Duration(d)) => {
            Ok(Variable::String(format_duration(seconds_to_duration(
                duration_seconds(d) * f,
            ))))
        }
        _ => Err(type_mismatch(name)),
    }
}

/// Decimal places of a nano-unit value (`inf.Dec`'s scale, at least 0).
fn scale_of(nanos: i128) -> u32 {
    let mut scale = 9;
    let mut value = nanos;
    while scale > 0 && value % 10 == 0 {
        value /= 10;
        scale -= 1;
    }
    scale
}

fn f_divide(name: &str, args: Args<'_>) -> FnResult {
    match operands(name, args)? {
        (Operand::Scalar(x), Operand::Scalar(y)) => {
            if y == 0.0 {
                return Err(zero_division(name));
            }
            Ok(number(x / y))
        }
        (Operand::Quantity(x, _), Operand::Quantity(y, _)) => {
            if y == 0 {
                return Err(zero_division(name));
            }
            #[allow(clippy::cast_precision_loss)]
            let ratio = x as f64 / y as f64;
            Ok(number(ratio))
        }
        (Operand::Quantity(q, format), Operand::Scalar(f)) => {
            if f == 0.0 {
                return Err(zero_division(name));
            }
            let divisor = scalar_nanos(f).ok_or_else(|| generic(name, "invalid operands"))?;
            // Rounded down to the larger scale of the two, as Kyverno does.
            let scale = scale_of(q).max(scale_of(divisor));
            let unit = 10i128.pow(9 - scale);
            let exact = q
                .checked_mul(NANO)
                .ok_or_else(|| generic(name, "quantity out of range"))?
                / divisor;
            let truncated = exact / unit * unit;
            Ok(Variable::String(format_quantity(truncated, format)))
        }
        (Operand::Duration(x), Operand::Duration(y)) => {
            if y == 0 {
                return Err(zero_division(name));
            }
            Ok(number(duration_seconds(x) / duration_seconds(y)))
        }
        (Operand::Duration(d), Operand::Scalar(f)) => {
            if f == 0.0 {
                return Err(zero_division(name));
            }
            Ok(Variable::String(format_duration(seconds_to_duration(
                duration_seconds(d) / f,
            ))))
        }
        _ => Err(type_mismatch(name)),
    }
}

fn f_modulo(name: &str, args: Args<'_>) -> FnResult {
    let non_int = || generic(name, "Non-integer argument(s) passed for modulo");
    match operands(name, args)? {
        (Operand::Scalar(x), Operand::Scalar(y)) => {
            if x.fract() != 0.0 || y.fract() != 0.0 {
                return Err(non_int());
            }
            #[allow(clippy::cast_possible_truncation)]
            let (a, b) = (x as i64, y as i64);
            if b == 0 {
                return Err(zero_division(name));
            }
            #[allow(clippy::cast_precision_loss)]
            Ok(number((a % b) as f64))
        }
        (Operand::Quantity(x, format), Operand::Quantity(y, _)) => {
            if x % NANO != 0 || y % NANO != 0 {
                return Err(non_int());
            }
            if y == 0 {
                return Err(zero_division(name));
            }
            Ok(Variable::String(format_quantity(
                (x / NANO) % (y / NANO) * NANO,
                format,
            )))
        }
        (Operand::Duration(x), Operand::Duration(y)) => {
            if y == 0 {
                return Err(zero_division(name));
            }
            Ok(Variable::String(format_duration(x % y)))
        }
        _ => Err(type_mismatch(name)),
    }
}

fn f_round(name: &str, args: Args<'_>) -> FnResult {
    let value = number_arg(name, args, 0)?;
    let places = number_arg(name, args, 1)?;
    if places.fract() != 0.0 || !places.is_finite() {
        return Err(generic(
            name,
            "Non-integer argument(s) passed for round off",
        ));
    }
    if places < 0.0 {
        // Kyverno's format string has two `%d` and is given none.
        return Err(generic(
            name,
            "%!d(MISSING) argument is out of bounds (%!d(MISSING))",
        ));
    }
    #[allow(clippy::cast_possible_truncation)]
    let shift = 10f64.powi(places as i32);
    // Go's `math.Round` rounds half away from zero, as Rust's `round`.
    Ok(number((value * shift).round() / shift))
}

fn f_base64_decode(_: &str, args: Args<'_>) -> FnResult {
    // Kyverno checks this argument without a function name.
    let text = string_arg("", args, 0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|error| error.to_string())?;
    Ok(Variable::String(
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

fn f_base64_encode(_: &str, args: Args<'_>) -> FnResult {
    let text = string_arg("", args, 0)?;
    Ok(Variable::String(
        base64::engine::general_purpose::STANDARD.encode(text),
    ))
}

fn f_path_canonicalize(name: &str, args: Args<'_>) -> FnResult {
    Ok(Variable::String(clean_path(string_arg(name, args, 0)?)))
}

/// Go's `filepath.Clean` on Unix.
pub fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn f_truncate(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let length = number_arg(name, args, 1)?.max(0.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let length = length as usize;
    Ok(Variable::String(text.chars().take(length).collect()))
}

fn f_semver_compare(name: &str, args: Args<'_>) -> FnResult {
    let version = string_arg(name, args, 0)?;
    let range = string_arg(name, args, 1)?;
    // Kyverno ignores a version that does not parse: it is then 0.0.0.
    let version = semver::Version::parse(version).unwrap_or(semver::Version::new(0, 0, 0));
    Ok(Variable::Bool(semver_range(range)?(&version)))
}

type Check = Box<dyn Fn(&semver::Version) -> bool>;

/// blang/semver's `ParseRange`: `||` between alternatives, spaces between
/// comparisons that must all hold; `>`, `>=`, `<`, `<=`, `=`, `==`, `!=`,
/// `!` or none (equal); `x` wildcards in place of a number.
fn semver_range(text: &str) -> Result<Check, String> {
    let mut alternatives: Vec<Vec<Check>> = Vec::new();
    for alternative in text.split("||") {
        let mut all: Vec<Check> = Vec::new();
        for part in alternative.split_whitespace() {
            all.push(semver_comparison(part)?);
        }
        if all.is_empty() {
            return Err(format!(
                "Could not get version from string: \"{}\"",
                alternative.trim()
            ));
        }
        alternatives.push(all);
    }
    Ok(Box::new(move |v| {
        alternatives
            .iter()
            .any(|all| all.iter().all(|check| check(v)))
    }))
}

fn semver_comparison(part: &str) -> Result<Check, String> {
    let operator_len = part
        .find(|c: char| !matches!(c, '<' | '>' | '=' | '!'))
        .unwrap_or(part.len());
    let (operator, version) = part.split_at(operator_len);
    if version.contains(['x', 'X', '*']) {
        return wildcard_comparison(operator, version);
    }
    let version = semver::Version::parse(version)
        .map_err(|error| format!("Could not parse version {version:?} in {part:?}: {error}"))?;
    let check: Check = match operator {
        "" | "=" | "==" => Box::new(move |v| *v == version),
        "!" | "!=" => Box::new(move |v| *v != version),
        ">" => Box::new(move |v| *v > version),
        ">=" => Box::new(move |v| *v >= version),
        "<" => Box::new(move |v| *v < version),
        "<=" => Box::new(move |v| *v <= version),
        other => return Err(format!("Invalid operator {other:?}")),
    };
    Ok(check)
}

/// `1.x`, `1.2.x`: blang expands them into a range of the prefix.
fn wildcard_comparison(operator: &str, version: &str) -> Result<Check, String> {
    let parts: Vec<&str> = version.split('.').collect();
    let numbers: Vec<u64> = parts
        .iter()
        .take_while(|p| !matches!(**p, "x" | "X" | "*"))
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("Could not parse version {version:?}"))?;
    let (low, high) = match numbers.as_slice() {
        [] => return Ok(Box::new(|_| true)),
        [major] => (
            semver::Version::new(*major, 0, 0),
            semver::Version::new(major + 1, 0, 0),
        ),
        [major, minor, ..] => (
            semver::Version::new(*major, *minor, 0),
            semver::Version::new(*major, minor + 1, 0),
        ),
    };
    let check: Check = match operator {
        "" | "=" | "==" => Box::new(move |v| *v >= low && *v < high),
        "!" | "!=" => Box::new(move |v| *v < low || *v >= high),
        ">" => Box::new(move |v| *v >= high),
        ">=" => Box::new(move |v| *v >= low),
        "<" => Box::new(move |v| *v < low),
        "<=" => Box::new(move |v| *v < high),
        other => return Err(format!("Invalid operator {other:?}")),
    };
    Ok(check)
}

fn f_parse_json(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let value: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
    Ok((*to_variable(&value)).clone())
}

fn f_parse_yaml(name: &str, args: Args<'_>) -> FnResult {
    let text = string_arg(name, args, 0)?;
    let documents = crate::yaml::parse_stream(text, crate::yaml::Limits::default());
    let Some(document) = documents.first() else {
        return Ok(Variable::Null);
    };
    if let Some(problem) = document.problems.first() {
        return Err(format!("error converting YAML to JSON: {problem:?}"));
    }
    match &document.root {
        Some(root) => Ok((*to_variable(&root.to_json())).clone()),
        None => Ok(Variable::Null),
    }
}

fn f_lookup(name: &str, args: Args<'_>) -> FnResult {
    match &*args[0] {
        Variable::Object(map) => {
            let key = args[1]
                .as_string()
                .ok_or_else(|| invalid_type(name, 2, "String"))?;
            Ok(map.get(key).map_or(Variable::Null, |v| (**v).clone()))
        }
        Variable::Array(items) => {
            let index = args[1]
                .as_number()
                .ok_or_else(|| invalid_type(name, 2, "Number"))?;
            if index.fract() != 0.0 || !index.is_finite() {
                return Err(format!(
                    "JMESPath function '{name}': argument #2: expected an integer number but got: {index}"
                ));
            }
            if index < 0.0 {
                return Ok(Variable::Null);
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let index = index as usize;
            Ok(items.get(index).map_or(Variable::Null, |v| (**v).clone()))
        }
        _ => Err(invalid_type(name, 1, "Object or Array")),
    }
}

fn f_items(name: &str, args: Args<'_>) -> FnResult {
    let key_name = args[1]
        .as_string()
        .ok_or_else(|| invalid_type(name, 2, "String"))?;
    let value_name = args[2]
        .as_string()
        .ok_or_else(|| invalid_type(name, 3, "String"))?;
    let pair = |key: Variable, value: Rcvar| {
        let mut object = BTreeMap::new();
        object.insert(key_name.clone(), Rcvar::new(key));
        object.insert(value_name.clone(), value);
        Rcvar::new(Variable::Object(object))
    };
    match &*args[0] {
        // A BTreeMap is already in Go's sorted key order.
        Variable::Object(map) => Ok(Variable::Array(
            map.iter()
                .map(|(k, v)| pair(Variable::String(k.clone()), v.clone()))
                .collect(),
        )),
        Variable::Array(items) => Ok(Variable::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    #[allow(clippy::cast_precision_loss)]
                    let index = number(i as f64);
                    pair(index, v.clone())
                })
                .collect(),
        )),
        _ => Err(invalid_type(name, 1, "Object or Array")),
    }
}

fn f_object_from_lists(name: &str, args: Args<'_>) -> FnResult {
    let keys = args[0]
        .as_array()
        .ok_or_else(|| invalid_type(name, 1, "Array"))?;
    let values = args[1]
        .as_array()
        .ok_or_else(|| invalid_type(name, 2, "Array"))?;
    let mut object = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        let key = scalar_to_string(key).ok_or_else(|| invalid_type(name, 1, "StringArray"))?;
        object.insert(key, values.get(i).cloned().unwrap_or_else(null));
    }
    Ok(Variable::Object(object))
}

#[cfg(test)]
mod tests;
