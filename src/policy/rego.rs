//! Rego through regorus: compiling either dialect, errors that name the
//! file and line, the rules a package declares, and values to and from JSON.

use std::sync::OnceLock;

use regex::Regex;
use regorus::{Engine, Value};

/// Which Rego a module is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Rego v1 if it parses as such, else v0: Conftest and Gatekeeper
    /// policies in the wild are written in both, and a file says which only
    /// by its syntax.
    Either,
    V0,
    V1,
}

/// A module that does not compile, located in the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegoError {
    /// The file, as users name it.
    pub file: String,
    /// 1-based, in the module's own text.
    pub line: u32,
    pub column: u32,
    /// The parser's words.
    pub message: String,
}

impl std::fmt::Display for RegoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Adds a module to `engine` and returns its package as a query path
/// (`data.main`).
pub fn add_module(
    engine: &mut Engine,
    file: &str,
    text: &str,
    dialect: Dialect,
) -> Result<String, RegoError> {
    let mut attempt = |v0: bool| {
        engine.set_rego_v0(v0);
        engine
            .add_policy(file.to_owned(), text.to_owned())
            .map_err(|error| parse_error(file, &error.to_string()))
    };
    match dialect {
        Dialect::V0 => attempt(true),
        Dialect::V1 => attempt(false),
        Dialect::Either => attempt(false).or_else(|as_v1| {
            attempt(true).map_err(|as_v0| {
                // The dialect the author wrote in gets further before it
                // fails: its error is the one that means something. On one
                // line, v1's words are the ones that read true today.
                match as_v0.line > as_v1.line {
                    true => as_v0,
                    false => as_v1,
                }
            })
        }),
    }
}

/// Analyses the modules of `engine` as evaluation would (unsafe variables,
/// recursion, unknown functions), so that those errors surface when the
/// policies are loaded and clones of the engine start ready to evaluate.
pub fn prepare(engine: &mut Engine, file: &str) -> Result<(), RegoError> {
    engine
        .eval_query("true".to_owned(), false)
        .map(drop)
        .map_err(|error| parse_error(file, &error.to_string()))
}

/// Reads regorus's `--> file:line:col ... error: message` report.
pub fn parse_error(file: &str, report: &str) -> RegoError {
    static LOCATION: OnceLock<Regex> = OnceLock::new();
    let location = LOCATION.get_or_init(|| {
        Regex::new(r"-->\s*(.*?):(\d+):(\d+)").expect("a valid regular expression")
    });
    let captures = location.captures(report);
    let (line, column) = captures
        .as_ref()
        .and_then(|captures| Some((captures[2].parse().ok()?, captures[3].parse().ok()?)))
        .unwrap_or((1, 1));
    // Analysis after parsing reports errors in whichever module holds them.
    let file = captures
        .as_ref()
        .map(|captures| captures[1].trim())
        .filter(|named| !named.is_empty())
        .unwrap_or(file);
    let message = report
        .rsplit_once("error: ")
        .map_or(report, |(_, message)| message)
        .trim()
        .to_owned();
    RegoError {
        file: file.to_owned(),
        line,
        column,
        message,
    }
}

/// The rules each module of `engine` declares, by the module's file name:
/// the names of rule heads (`deny` for `deny contains msg if`, for
/// `deny[msg]` and for `deny.reason := ...`), functions excluded.
pub fn declared_rules(engine: &Engine) -> Vec<(String, Vec<String>)> {
    let Ok(text) = engine.get_ast_as_json() else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Array(modules)) = serde_json::from_str(&text) else {
        return Vec::new();
    };
    modules
        .iter()
        .map(|module| {
            let file = module["source"]["file"].as_str().unwrap_or_default();
            let rules = module["ast"]["rules"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut names: Vec<String> = rules.iter().filter_map(rule_name).collect();
            names.sort();
            names.dedup();
            (file.to_owned(), names)
        })
        .collect()
}

fn rule_name(rule: &serde_json::Value) -> Option<String> {
    let reference = match (rule.get("Spec"), rule.get("Default")) {
        (Some(spec), _) => {
            let head = &spec["head"];
            head.get("Set").or_else(|| head.get("Compr"))?.get("refr")?
        }
        (None, Some(default)) => default.get("refr")?,
        (None, None) => return None,
    };
    base_name(reference)
}

/// The first component of a rule head's reference (`deny` of `deny.x`).
fn base_name(reference: &serde_json::Value) -> Option<String> {
    if let Some(var) = reference.get("Var") {
        return var["value"].as_str().map(str::to_owned);
    }
    let inner = reference
        .get("RefDot")
        .or_else(|| reference.get("RefBrack"))?;
    base_name(inner.get("refr")?)
}

/// A JSON value as Rego sees it.
pub fn from_json(json: &serde_json::Value) -> Value {
    serde::Deserialize::deserialize(json).unwrap_or(Value::Undefined)
}

/// A Rego value as JSON (sets become arrays).
pub fn to_json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// An object from string keys.
pub fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut object = Value::new_object();
    if let Ok(map) = object.as_object_mut() {
        for (key, value) in entries {
            map.insert(Value::from(key), value);
        }
    }
    object
}

/// The members of a set or array rule's value; nothing for other values
/// (an undefined rule, a boolean `deny`).
pub fn members(value: &Value) -> Vec<&Value> {
    match value {
        Value::Set(set) => set.iter().collect(),
        Value::Array(array) => array.iter().collect(),
        _ => Vec::new(),
    }
}

/// What one member of a `deny`/`warn`/`violation` rule says: a string, or
/// an object with `msg` (and, optionally, the `path` of the field at fault).
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub message: String,
    /// A JSON pointer, relative to the resource.
    pub pointer: String,
}

/// Reads one rule member; `Err` says why it cannot be reported.
pub fn verdict(member: &Value) -> Result<Option<Verdict>, String> {
    match member {
        Value::String(message) => Ok(Some(Verdict {
            message: message.to_string(),
            pointer: String::new(),
        })),
        Value::Object(fields) => {
            let message = match fields.get(&Value::from("msg")) {
                Some(Value::String(message)) => message.to_string(),
                _ => return Err("returned an object without a `msg` string".into()),
            };
            let path = fields
                .get(&Value::from("path"))
                .or_else(|| {
                    fields
                        .get(&Value::from("details"))
                        .and_then(|details| details.as_object().ok())
                        .and_then(|details| details.get(&Value::from("path")))
                })
                .map(|path| pointer_of(&to_json(path)))
                .unwrap_or_default();
            Ok(Some(Verdict {
                message,
                pointer: path,
            }))
        }
        // Conftest ignores other members (a policy's `deny[1]`).
        _ => Ok(None),
    }
}

/// A field path as a policy writes it, as a JSON pointer: an array of keys
/// and indices, a pointer, or a dotted path with `[n]` indices.
pub fn pointer_of(path: &serde_json::Value) -> String {
    use crate::yaml::node::escape_token;
    match path {
        serde_json::Value::Array(parts) => parts
            .iter()
            .map(|part| match part {
                serde_json::Value::String(key) => format!("/{}", escape_token(key)),
                other => format!("/{other}"),
            })
            .collect(),
        serde_json::Value::String(text) if text.starts_with('/') => text.clone(),
        serde_json::Value::String(text) => text
            .split('.')
            .filter(|part| !part.is_empty())
            .flat_map(|part| {
                let mut tokens = Vec::new();
                let (key, mut rest) = part
                    .split_once('[')
                    .map_or((part, ""), |(key, rest)| (key, rest));
                if !key.is_empty() {
                    tokens.push(key.to_owned());
                }
                while let Some((index, after)) = rest.split_once(']') {
                    tokens.push(index.to_owned());
                    rest = after.strip_prefix('[').unwrap_or(after);
                }
                tokens
            })
            .map(|token| format!("/{}", escape_token(&token)))
            .collect(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_dialect_compiles_and_errors_name_file_line_and_column() {
        let mut engine = Engine::new();
        let v1 = "package main\n\ndeny contains msg if {\n  msg := \"x\"\n}\n";
        let v0 = "package other\n\ndeny[msg] {\n  msg := \"y\"\n}\n";
        assert_eq!(
            add_module(&mut engine, "v1.rego", v1, Dialect::Either).as_deref(),
            Ok("data.main")
        );
        assert_eq!(
            add_module(&mut engine, "v0.rego", v0, Dialect::Either).as_deref(),
            Ok("data.other")
        );
        let broken = "package broken\n\ndeny contains msg if {\n  msg := \n}\n";
        let error = add_module(&mut engine, "broken.rego", broken, Dialect::Either)
            .expect_err("does not compile");
        // The expression `msg :=` lacks ends on line 4.
        assert_eq!((error.file.as_str(), error.line), ("broken.rego", 4));
        assert_eq!(error.message, "expecting `}` while parsing set");
        assert!(error.to_string().starts_with("broken.rego:4:"), "{error}");
    }

    #[test]
    fn declared_rules_are_rule_heads_without_functions() {
        let mut engine = Engine::new();
        let text = "package main\n\ndeny contains msg if { msg := \"x\" }\nwarn_tag contains msg if { msg := \"y\" }\nhelper(x) := x\ndefault allow := false\nexception contains r if { r := [\"tag\"] }\n";
        add_module(&mut engine, "p.rego", text, Dialect::Either).expect("compiles");
        let declared = declared_rules(&engine);
        assert_eq!(declared.len(), 1);
        assert_eq!(declared[0].0, "p.rego");
        assert_eq!(declared[0].1, ["allow", "deny", "exception", "warn_tag"]);
    }

    #[test]
    fn paths_of_every_shape_become_pointers() {
        let array = serde_json::json!(["spec", "containers", 0, "image"]);
        assert_eq!(pointer_of(&array), "/spec/containers/0/image");
        let dotted = serde_json::json!("spec.template.spec.containers[1].image");
        assert_eq!(
            pointer_of(&dotted),
            "/spec/template/spec/containers/1/image"
        );
        assert_eq!(
            pointer_of(&serde_json::json!("/metadata/name")),
            "/metadata/name"
        );
        assert_eq!(pointer_of(&serde_json::json!(["a/b"])), "/a~1b");
    }

    #[test]
    fn verdicts_are_strings_or_objects_with_msg() {
        let string = Value::from("plain");
        assert_eq!(
            verdict(&string),
            Ok(Some(Verdict {
                message: "plain".into(),
                pointer: String::new()
            }))
        );
        let with_path = from_json(&serde_json::json!({"msg": "m", "path": ["spec"]}));
        assert_eq!(verdict(&with_path).unwrap().unwrap().pointer, "/spec");
        let without_msg = from_json(&serde_json::json!({"reason": "r"}));
        assert!(verdict(&without_msg).is_err());
        assert_eq!(verdict(&Value::from(1_i64)), Ok(None));
    }
}
