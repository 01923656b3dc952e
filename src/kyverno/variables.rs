//! Kyverno's `{{ }}` variables: a JSON context (`request.object`,
//! `request.operation`, `element`, context entries...) queried with
//! JMESPath ([`functions`](super::functions)), and the substitution of
//! variables in policy documents, as `pkg/engine/variables/vars.go` and
//! `pkg/engine/context/evaluate.go` do it.
//!
//! # Substitution
//!
//! - A string that is exactly one `{{ expr }}` becomes the value, typed
//!   (number, boolean, map, list, `null`).
//! - Inside a longer string a value is written as text: strings as they
//!   are, anything else as Go's compact JSON (maps with sorted keys, `null`,
//!   `<`, `>` and `&` escaped as `\u003c`...).
//! - Several variables in one string; nested ones (`{{ a.{{ b }} }}`) are
//!   resolved innermost first, and a value that itself holds `{{ }}` is
//!   substituted again, as Kyverno loops until none is left.
//! - `\{{ expr }}` is kept as text, without the backslash.
//! - Map keys are substituted too (Kyverno's `OnlyForLeafsAndKeys`).
//! - `{{@}}` is the resource's value at the string's own place:
//!   `request.object` (or `target` when the context has one) followed by
//!   the string's path in the document given to [`substitute_all`]; pass a
//!   pattern or an overlay itself, not the whole rule.
//! - On a `DELETE` request (`request.operation`), `request.object` in an
//!   expression reads `request.oldObject`.
//!
//! # Missing values
//!
//! A key missing from the context is an error in Kyverno (its go-jmespath
//! fork): `failed to resolve request.object.metadata.labels.app at path
//! /validate/message: JMESPath query failed: Unknown key "app" in path`
//! ([`VariableError::NotFound`]). A key present with `null` is `null`
//! (`"x = {{ v }}"` gives `"x = null"`). Kyverno applies the same rule
//! everywhere since 1.7: in patterns, messages, `deny` conditions and
//! preconditions alike ([`substitute_all_in_preconditions`] is the same
//! function, named for the engine's call sites); the engine turns the error
//! into a rule error.
//!
//! As Kyverno does (`context.Query`), a top-level `a || b || c` whose
//! evaluation hits a missing key is evaluated again operand by operand,
//! missing keys reading as `null`, so `{{ request.object.x || 'default' }}`
//! works.
//!
//! # References
//!
//! [`substitute_references`] resolves `$(./../key)` in a pattern as
//! `substituteReferencesIfAny` does, against the pattern itself (not the
//! resource): the path is joined to the string's own path, anchors in the
//! pattern's keys are ignored, and an operator before it (`$(<=./../x)`) is
//! kept in front of the value. Kyverno resolves references before
//! variables (`SubstituteAll`); the engine calls it first, on the pattern.
//!
//! # Not supported
//!
//! - Absolute references (`$(/spec/x)`) are rooted at the pattern, where
//!   Kyverno roots them at the rule (`/validate/pattern/spec/x`).
//! - Deferred context loading, API calls, ConfigMaps, image registries:
//!   the caller sets context entries with [`Context::set`].

use std::sync::LazyLock;

use jmespath::{Rcvar, Variable};
use regex::Regex;
use serde_json::Value;

use super::functions::{self, SearchError};

/// Kyverno's `RegexVariables`: a `{{ }}` not preceded by a backslash, with
/// single-brace groups allowed inside.
static VARIABLES: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})").ok());

/// Kyverno's `RegexEscpVariables`: `\{{ ... }}`.
static ESCAPED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}").ok());

/// How many rounds of substitution one string may take: a value that
/// refers back to itself would loop forever in Kyverno.
const MAX_ROUNDS: usize = 256;

/// The JSON context variables are read from. Cloning is cheap: values are
/// shared, never copied.
#[derive(Clone)]
pub struct Context {
    root: Rcvar,
}

impl Default for Context {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Context({})", functions::to_json(&self.root))
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context {
            root: Rcvar::new(Variable::Object(Default::default())),
        }
    }

    /// Sets a variable; dotted names nest (`request.object`), keeping the
    /// siblings of each level. The value is converted once, here.
    pub fn set(&mut self, name: &str, value: Value) {
        self.set_variable(name, functions::to_variable(&value));
    }

    /// [`Context::set`] for a value already converted (with
    /// [`functions::to_variable`]), to share one resource between contexts.
    pub fn set_variable(&mut self, name: &str, value: Rcvar) {
        let path: Vec<&str> = name.split('.').collect();
        self.root = with_entry(&self.root, &path, value);
    }

    /// The whole context, as JMESPath sees it.
    pub fn root(&self) -> &Rcvar {
        &self.root
    }

    /// Evaluates a JMESPath expression (Kyverno's functions included)
    /// against the context. Errors carry the expression as `variable` and an
    /// empty `path`.
    pub fn query(&self, expression: &str) -> Result<Value, VariableError> {
        self.query_variable(expression)
            .map(|value| functions::to_json(&value))
            .map_err(|error| VariableError::new(expression.trim(), "", error))
    }

    /// [`Context::query`] without the conversion to JSON.
    pub fn query_variable(&self, expression: &str) -> Result<Rcvar, SearchError> {
        let expression = expression.trim();
        if expression.is_empty() {
            return Err(SearchError::Parse {
                message: "invalid query (nil)".to_string(),
            });
        }
        match functions::search(expression, &self.root) {
            Err(SearchError::NotFound { key }) if expression.contains("||") => {
                self.query_or_chain(expression, key)
            }
            other => other,
        }
    }

    /// Kyverno's fallback for `a || b`: each operand on its own, a missing
    /// key reading as `null`; the first truthy one, else the last.
    fn query_or_chain(&self, expression: &str, key: String) -> Result<Rcvar, SearchError> {
        let parts = split_logical_or(expression);
        if parts.len() < 2 {
            return Err(SearchError::NotFound { key });
        }
        let mut last = Rcvar::new(Variable::Null);
        for part in parts {
            match functions::search(&part, &self.root) {
                Ok(value) if value.is_truthy() => return Ok(value),
                Ok(value) => last = value,
                Err(SearchError::NotFound { .. }) => last = Rcvar::new(Variable::Null),
                Err(other) => return Err(other),
            }
        }
        Ok(last)
    }

    fn is_delete(&self) -> bool {
        matches!(
            functions::search("request.operation", &self.root).as_deref(),
            Ok(Variable::String(op)) if op == "DELETE"
        )
    }

    fn has_target(&self) -> bool {
        self.root
            .as_object()
            .is_some_and(|root| root.contains_key("target"))
    }
}

/// `root` with `value` at `path`, sharing everything else.
fn with_entry(root: &Rcvar, path: &[&str], value: Rcvar) -> Rcvar {
    let Some((first, rest)) = path.split_first() else {
        return value;
    };
    let mut map = match &**root {
        Variable::Object(map) => map.clone(),
        _ => Default::default(),
    };
    let child = map
        .get(*first)
        .cloned()
        .unwrap_or_else(|| Rcvar::new(Variable::Null));
    map.insert((*first).to_string(), with_entry(&child, rest, value));
    Rcvar::new(Variable::Object(map))
}

/// Kyverno's `safeSplitLogicalOr`: `||` outside quotes and brackets.
fn split_logical_or(query: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let (mut single, mut double, mut backtick) = (false, false, false);
    let mut depth = 0i32;
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            current.push(c);
            current.push(chars[i + 1]);
            i += 2;
            continue;
        }
        match c {
            '\'' if !double && !backtick => single = !single,
            '"' if !single && !backtick => double = !double,
            '`' if !single && !double => backtick = !backtick,
            _ => {}
        }
        let quoted = single || double || backtick;
        if !quoted {
            match c {
                '[' | '{' | '(' => depth += 1,
                ']' | '}' | ')' => depth -= 1,
                _ => {}
            }
        }
        if !quoted && depth == 0 && c == '|' && chars.get(i + 1) == Some(&'|') {
            parts.push(current.trim().to_string());
            current.clear();
            i += 2;
            continue;
        }
        current.push(c);
        i += 1;
    }
    parts.push(current.trim().to_string());
    parts
}

/// A variable that could not be substituted, with Kyverno's message.
#[derive(Debug, Clone, PartialEq)]
pub enum VariableError {
    /// The expression names a key the context does not have.
    NotFound {
        /// The expression, braces and spaces removed.
        variable: String,
        /// JSON pointer of the string in the substituted document (`""` at
        /// its root).
        path: String,
        /// The missing key.
        key: String,
    },
    /// Any other failure: the expression does not parse, a function
    /// failed, a value cannot be written into a string.
    Invalid {
        variable: String,
        path: String,
        /// Kyverno's words after `failed to resolve ... at path ...: `.
        message: String,
    },
}

impl VariableError {
    fn new(variable: &str, path: &str, error: SearchError) -> Self {
        match error {
            SearchError::NotFound { key } => VariableError::NotFound {
                variable: variable.to_string(),
                path: path.to_string(),
                key,
            },
            SearchError::Parse { message } => VariableError::Invalid {
                variable: variable.to_string(),
                path: path.to_string(),
                message: format!("incorrect query {variable}: {message}"),
            },
            SearchError::Runtime { message } => VariableError::Invalid {
                variable: variable.to_string(),
                path: path.to_string(),
                message: format!("JMESPath query failed: {message}"),
            },
        }
    }

    /// The variable (expression) that failed.
    pub fn variable(&self) -> &str {
        match self {
            VariableError::NotFound { variable, .. } | VariableError::Invalid { variable, .. } => {
                variable
            }
        }
    }

    /// Kyverno's message without the `failed to resolve ... at path ...:`
    /// prefix (`JMESPath query failed: Unknown key "app" in path`).
    pub fn detail(&self) -> String {
        match self {
            VariableError::NotFound { key, .. } => {
                format!("JMESPath query failed: Unknown key \"{key}\" in path")
            }
            VariableError::Invalid { message, .. } => message.clone(),
        }
    }
}

impl std::fmt::Display for VariableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (VariableError::NotFound { variable, path, .. }
        | VariableError::Invalid { variable, path, .. }) = self;
        write!(
            f,
            "failed to resolve {variable} at path {path}: {}",
            self.detail()
        )
    }
}

impl std::error::Error for VariableError {}

/// Whether `value` holds any `{{` in a string or a key.
pub fn has_variables(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("{{"),
        Value::Array(items) => items.iter().any(has_variables),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains("{{") || has_variables(value)),
        _ => false,
    }
}

/// Replaces the `{{ }}` variables of every string and key of `value`.
pub fn substitute_all(value: &Value, ctx: &Context) -> Result<Value, VariableError> {
    if !has_variables(value) {
        return Ok(value.clone());
    }
    let mut path = Vec::new();
    let delete = ctx.is_delete();
    walk(value, ctx, delete, &mut path)
}

/// Preconditions and `deny` conditions: Kyverno substitutes them with the
/// same rule as everything else since 1.7 (a missing key is an error the
/// engine reports as a rule error); this is [`substitute_all`].
pub fn substitute_all_in_preconditions(
    value: &Value,
    ctx: &Context,
) -> Result<Value, VariableError> {
    substitute_all(value, ctx)
}

fn walk(
    value: &Value,
    ctx: &Context,
    delete: bool,
    path: &mut Vec<String>,
) -> Result<Value, VariableError> {
    match value {
        Value::String(text) => substitute_string(text, ctx, delete, path),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                let result = walk(item, ctx, delete, path);
                path.pop();
                out.push(result?);
            }
            Ok(Value::Array(out))
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                let new_key = if key.contains("{{") {
                    match substitute_string(key, ctx, delete, path)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    }
                } else {
                    key.clone()
                };
                path.push(key.clone());
                let result = walk(item, ctx, delete, path);
                path.pop();
                out.insert(new_key, result?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// One string, as `substituteVariablesIfAny` does it.
fn substitute_string(
    text: &str,
    ctx: &Context,
    delete: bool,
    path: &[String],
) -> Result<Value, VariableError> {
    let (Some(variables), Some(escaped)) = (VARIABLES.as_ref(), ESCAPED.as_ref()) else {
        return Ok(Value::String(text.to_string()));
    };
    if !text.contains("{{") {
        return Ok(Value::String(text.to_string()));
    }
    let mut value = text.to_string();
    for _ in 0..MAX_ROUNDS {
        let Some(found) = variables.captures(&value) else {
            return Ok(Value::String(unescape(&value, escaped)));
        };
        let Some(var) = found.get(2) else {
            return Ok(Value::String(unescape(&value, escaped)));
        };
        let raw = var.as_str();
        let mut variable = raw.replace("{{", "").replace("}}", "").trim().to_string();
        if variable == "@" {
            variable = at_path(ctx, path);
        }
        if delete {
            variable = variable.replace("request.object", "request.oldObject");
        }
        let resolved = ctx
            .query_variable(&variable)
            .map_err(|error| VariableError::new(&variable, &pointer(path), error))?;
        if raw == value {
            return Ok(functions::to_json(&resolved));
        }
        let replacement = match &*resolved {
            Variable::String(s) => s.clone(),
            other => go_json(&functions::to_json(other)),
        };
        value = format!(
            "{}{}{}",
            &value[..var.start()],
            replacement,
            &value[var.end()..]
        );
    }
    Err(VariableError::Invalid {
        variable: text.to_string(),
        path: pointer(path),
        message: format!("variables still unresolved after {MAX_ROUNDS} rounds"),
    })
}

/// Go's `json.Marshal`: compact, with `<`, `>`, `&`, U+2028 and U+2029
/// escaped (they can only occur inside strings, so a plain replace is
/// exact).
fn go_json(value: &Value) -> String {
    let text = value.to_string();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn unescape(value: &str, escaped: &Regex) -> String {
    if !value.contains("\\{{") {
        return value.to_string();
    }
    escaped
        .replace_all(value, |caps: &regex::Captures<'_>| caps[0][1..].to_string())
        .into_owned()
}

/// `{{@}}`: the resource's value where the string sits, as a JMESPath path.
fn at_path(ctx: &Context, path: &[String]) -> String {
    let mut out = if ctx.has_target() {
        "target".to_string()
    } else {
        "request.object".to_string()
    };
    for part in path {
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else if is_identifier(part) {
            out.push('.');
            out.push_str(part);
        } else {
            out.push_str(&format!(".{}", Value::String(part.clone())));
        }
    }
    out
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Kyverno's `RegexReferences`: `$(...)` at the start or after anything
/// but a backslash.
static REFERENCES: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)").ok());

/// Kyverno's `RegexEscpReferences`: `\$(...)`.
static ESCAPED_REFERENCES: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\\\$\(.[^ ]*\)").ok());

/// Whether `value` holds a `$(` reference in a string or a key.
pub fn has_references(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("$("),
        Value::Array(items) => items.iter().any(has_references),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains("$(") || has_references(value)),
        _ => false,
    }
}

/// Resolves the `$(./../key)` references of a pattern against the pattern
/// itself; errors are Kyverno's messages.
pub fn substitute_references(pattern: &Value) -> Result<Value, String> {
    if !has_references(pattern) {
        return Ok(pattern.clone());
    }
    let mut leaves = Vec::new();
    collect_leaves(pattern, &mut String::new(), &mut leaves);
    let mut path = Vec::new();
    references_walk(pattern, &leaves, &mut path)
}

/// Every scalar of the document with its path, anchors removed from keys.
fn collect_leaves<'a>(value: &'a Value, path: &mut String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                collect_leaves(item, path, out);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('/');
                path.push_str(strip_anchor(key));
                collect_leaves(item, path, out);
                path.truncate(len);
            }
        }
        scalar => out.push((path.clone(), scalar)),
    }
}

/// `(key)`, `=(key)`, `X(key)`, `^(key)`, `+(key)`, `<(key)`: `key`.
fn strip_anchor(key: &str) -> &str {
    let Some(inner) = key.strip_suffix(')') else {
        return key;
    };
    ["(", "=(", "X(", "^(", "+(", "<("]
        .iter()
        .find_map(|prefix| inner.strip_prefix(prefix))
        .unwrap_or(key)
}

fn references_walk(
    value: &Value,
    leaves: &[(String, &Value)],
    path: &mut Vec<String>,
) -> Result<Value, String> {
    match value {
        Value::String(text) => resolve_references(text, leaves, &pointer(path)).map(Value::String),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                let result = references_walk(item, leaves, path);
                path.pop();
                out.push(result?);
            }
            Ok(Value::Array(out))
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                let new_key = resolve_references(key, leaves, &pointer(path))?;
                path.push(key.clone());
                let result = references_walk(item, leaves, path);
                path.pop();
                out.insert(new_key, result?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

fn resolve_references(
    text: &str,
    leaves: &[(String, &Value)],
    path: &str,
) -> Result<String, String> {
    let (Some(references), Some(escaped)) = (REFERENCES.as_ref(), ESCAPED_REFERENCES.as_ref())
    else {
        return Ok(text.to_string());
    };
    if !text.contains("$(") {
        return Ok(text.to_string());
    }
    let mut value = text.to_string();
    let found: Vec<String> = references
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect();
    for old in found {
        let initial = old.starts_with("$(");
        let reference = if initial { &old[..] } else { &old[1..] };
        let resolved = resolve_reference(reference, leaves, path)
            .map_err(|error| format!("failed to resolve {reference} at path {path}: {error}"))?;
        let Some(resolved) = resolved else {
            return Err(format!(
                "got nil resolved variable {reference} at path {path}: <nil>"
            ));
        };
        let Value::String(resolved) = resolved else {
            return Err(format!(
                "NotResolvedReferenceErr,reference {reference} not resolved at path {path}"
            ));
        };
        let prefix = if initial { "" } else { &old[..1] };
        value = value.replacen(&old, &format!("{prefix}{resolved}"), 1);
    }
    if value.contains("\\$(") {
        value = escaped
            .replace_all(&value, |caps: &regex::Captures<'_>| {
                caps[0][1..].to_string()
            })
            .into_owned();
    }
    Ok(value)
}

/// One reference: `$(op path)` to the value at `path` (relative to the
/// string's own path), with the operator in front.
fn resolve_reference(
    reference: &str,
    leaves: &[(String, &Value)],
    path: &str,
) -> Result<Option<Value>, String> {
    let inner = reference.trim_matches(|c| matches!(c, '$' | '(' | ')'));
    let operator = [">=", "<=", ">", "<", "!"]
        .into_iter()
        .find(|op| inner.starts_with(op))
        .unwrap_or("");
    let target = &inner[operator.len()..];
    if target.is_empty() {
        return Err("expected path, found empty reference".to_string());
    }
    let absolute = if target.starts_with('/') {
        super::functions::clean_path(target)
    } else {
        super::functions::clean_path(&format!("{path}/{target}"))
    };
    let found = leaves
        .iter()
        .rev()
        .find(|(leaf, _)| *leaf == absolute)
        .map(|(_, value)| (*value).clone());
    if operator.is_empty() {
        return Ok(found);
    }
    let text = match &found {
        Some(Value::String(s)) => s.clone(),
        // Kyverno's JSON numbers are all float64, written with `%f`.
        Some(Value::Number(n)) => format!("{:.6}", n.as_f64().unwrap_or(0.0)),
        other => {
            let shown = other
                .as_ref()
                .map_or("<nil>".to_string(), |v| v.to_string());
            return Err(format!(
                "incorrect expression: operator {operator} does not match with value {shown}"
            ));
        }
    };
    Ok(Some(Value::String(format!("{operator}{text}"))))
}

#[cfg(test)]
mod tests;
