//! The walk of a resource against a `validate.pattern`, with Kyverno's
//! anchors, in the order and with the outcomes of Kyverno's
//! `pkg/engine/validate/validate.go` and `pkg/engine/anchor/handlers.go`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Verdict;
use super::operator::{has_wildcard, matches, wildcard_match};

/// What a key of a pattern map asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnchorKind {
    /// `(key)`: if the key's value does not match, the rule does not apply.
    Condition,
    /// `<(key)`: like a condition, but decided before anything else.
    Global,
    /// `X(key)`: the key must be absent.
    Negation,
    /// `+(key)`: a mutation anchor; validation reads it as a plain key.
    AddIfNotPresent,
    /// `=(key)`: if the key is present, its value must match.
    Equality,
    /// `^(key)`: some element of the array must match each pattern element.
    Existence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor<'a> {
    kind: AnchorKind,
    key: &'a str,
}

/// Kyverno's `anchor.Parse`: `^([+<=X^])?\((.+)\)$` on the trimmed key.
fn parse_anchor(text: &str) -> Option<Anchor<'_>> {
    let text = text.trim();
    let inner = text.strip_suffix(')')?;
    let (kind, rest) = match inner.chars().next()? {
        '(' => (AnchorKind::Condition, inner),
        '<' => (AnchorKind::Global, &inner[1..]),
        'X' => (AnchorKind::Negation, &inner[1..]),
        '+' => (AnchorKind::AddIfNotPresent, &inner[1..]),
        '=' => (AnchorKind::Equality, &inner[1..]),
        '^' => (AnchorKind::Existence, &inner[1..]),
        _ => return None,
    };
    let key = rest.strip_prefix('(')?;
    // `.+` in Kyverno's expression: a key is never empty and never spans lines.
    if key.is_empty() || key.contains('\n') {
        return None;
    }
    Some(Anchor { kind, key })
}

fn anchor_prefix(kind: AnchorKind) -> &'static str {
    match kind {
        AnchorKind::Condition => "",
        AnchorKind::Global => "<",
        AnchorKind::Negation => "X",
        AnchorKind::AddIfNotPresent => "+",
        AnchorKind::Equality => "=",
        AnchorKind::Existence => "^",
    }
}

/// Where in the resource the walk is: the keys and indexes from the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Path(Vec<String>);

impl Path {
    fn child(&self, segment: impl ToString) -> Path {
        let mut segments = self.0.clone();
        segments.push(segment.to_string());
        Path(segments)
    }

    /// As Kyverno prints it: `/spec/containers/0/image/`, the root `/`.
    fn kyverno(&self) -> String {
        let mut text = String::from("/");
        for segment in &self.0 {
            text.push_str(segment);
            text.push('/');
        }
        text
    }

    /// As an RFC 6901 JSON pointer: `/spec/containers/0/image`, the root ``.
    fn pointer(&self) -> String {
        self.0
            .iter()
            .map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

/// How a failure travels up the walk; Kyverno tells these apart by the
/// Go error types its handlers return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A value or structure did not match.
    Mismatch,
    /// A conditional anchor did not hold (Kyverno's conditional anchor error).
    Conditional,
    /// A global anchor did not hold.
    Global,
    /// A negation anchor's key was present.
    Negation,
    /// Everything at one level was skipped (Kyverno's `PatternError` with
    /// `Skip`): a skip, but not a sibling anchor's own.
    Skipped,
}

impl Kind {
    fn is_skip(self) -> bool {
        matches!(self, Kind::Conditional | Kind::Global | Kind::Skipped)
    }

    /// A conditional or global anchor that failed right here, as opposed to
    /// a skip passed up from deeper down.
    fn is_own_condition(self) -> bool {
        matches!(self, Kind::Conditional | Kind::Global)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    /// `None` where Kyverno returns an empty path (then the rule errors).
    path: Option<Path>,
    kind: Kind,
    message: String,
}

impl Failure {
    fn mismatch(path: &Path, message: String) -> Failure {
        Failure { path: Some(path.clone()), kind: Kind::Mismatch, message }
    }

    /// Kyverno's `multierr.Combine` of the skips of one level.
    fn skipped(path: &Path, skips: &[Failure]) -> Failure {
        let message = skips.iter().map(|skip| skip.message.as_str()).collect::<Vec<_>>().join("; ");
        Failure { path: Some(path.clone()), kind: Kind::Skipped, message }
    }
}

type Walk = Result<(), Failure>;

/// One run of a pattern over a resource: the anchors seen so far.
#[derive(Debug, Default)]
struct Walker {
    /// Kyverno's `AnchorMap`: for each conditional, existence and negation
    /// anchor of the pattern, whether its key was ever found in the resource.
    anchor_keys_found: HashMap<String, bool>,
}

/// Validates a resource against one `validate.pattern`.
pub fn validate_pattern(resource: &Value, pattern: &Value) -> Verdict {
    let mut walker = Walker::default();
    match walker.element(resource, pattern, &Path::default()) {
        Ok(()) => Verdict::Pass,
        Err(failure) if failure.kind.is_skip() => Verdict::Skip { reason: failure.message },
        Err(failure) if failure.kind == Kind::Negation => fail_or_error(failure),
        // Kyverno drops the path when an anchor's key was nowhere in the
        // resource, which turns the failure into a rule error.
        Err(failure) if walker.keys_are_missing() => error(&failure.message),
        Err(failure) => fail_or_error(failure),
    }
}

fn fail_or_error(failure: Failure) -> Verdict {
    match failure.path {
        Some(path) => Verdict::Fail {
            message: format!("failed at path {}", path.kyverno()),
            path: path.pointer(),
        },
        None => error(&failure.message),
    }
}

fn error(message: &str) -> Verdict {
    Verdict::Error { message: format!("execution error: {message}") }
}

/// Validates a resource against a `validate.anyPattern`: it passes if one
/// pattern passes, is skipped if every pattern is skipped, and fails
/// otherwise, naming each pattern that failed.
pub fn validate_any_pattern(resource: &Value, patterns: &[Value]) -> Verdict {
    if patterns.is_empty() {
        return Verdict::Error { message: "anyPattern has no pattern".to_string() };
    }
    let mut skipped = Vec::new();
    let mut failed = Vec::new();
    let mut first_path = None;
    for (index, pattern) in patterns.iter().enumerate() {
        match validate_pattern(resource, pattern) {
            Verdict::Pass => return Verdict::Pass,
            Verdict::Skip { reason } => skipped.push(format!("anyPattern[{index}] skipped: {reason}")),
            Verdict::Fail { path, message } => {
                first_path.get_or_insert(path);
                failed.push(format!("anyPattern[{index}] {message}"));
            }
            Verdict::Error { message } => failed.push(format!("anyPattern[{index}] failed: {message}")),
        }
    }
    if failed.is_empty() {
        return Verdict::Skip { reason: skipped.join(" ") };
    }
    Verdict::Fail { path: first_path.unwrap_or_default(), message: failed.join(" ") }
}

impl Walker {
    fn keys_are_missing(&self) -> bool {
        self.anchor_keys_found.values().any(|found| !found)
    }

    /// Kyverno's `CheckAnchorInResource`.
    fn note_anchor_keys(&mut self, pattern: &Map<String, Value>, resource: &Map<String, Value>) {
        for key in pattern.keys() {
            let Some(anchor) = parse_anchor(key) else { continue };
            if !matches!(anchor.kind, AnchorKind::Condition | AnchorKind::Existence | AnchorKind::Negation) {
                continue;
            }
            let found = self.anchor_keys_found.entry(key.clone()).or_insert(false);
            *found = *found || resource.contains_key(anchor.key);
        }
    }

    /// Kyverno's `validateResourceElement`: dispatch on the pattern's type.
    fn element(&mut self, resource: &Value, pattern: &Value, path: &Path) -> Walk {
        match pattern {
            Value::Object(pattern_map) => {
                let Value::Object(resource_map) = resource else {
                    return Err(Failure::mismatch(
                        path,
                        format!(
                            "pattern and resource have different structures. Path: {}. Expected {}, found {}",
                            path.kyverno(),
                            go_type(pattern),
                            go_type(resource)
                        ),
                    ));
                };
                self.note_anchor_keys(pattern_map, resource_map);
                self.map(resource_map, pattern_map, path)
            }
            Value::Array(pattern_items) => {
                let Value::Array(resource_items) = resource else {
                    return Err(Failure::mismatch(
                        path,
                        format!(
                            "validation rule failed at path {}, resource does not satisfy the expected overlay pattern",
                            path.kyverno()
                        ),
                    ));
                };
                self.array(resource, resource_items, pattern_items, path)
            }
            _ => scalar(resource, pattern, path),
        }
    }

    /// Anchors first (sorted by key), then the other keys, those holding
    /// anchors deeper down first.
    fn map(&mut self, resource: &Map<String, Value>, pattern: &Map<String, Value>, path: &Path) -> Walk {
        let pattern = expand_metadata_wildcards(pattern, resource);
        let (anchors, others) = split_anchors(&pattern);
        self.map_anchors(resource, &anchors, path)?;
        for (key, value) in order_non_anchors(others) {
            self.handle(key, value, resource, path)?;
        }
        Ok(())
    }

    /// Kyverno's first phase of `validateMap`. A condition that fails here
    /// skips the map even where a sibling anchor failed outright; a skip
    /// passed up from deeper down skips it only if nothing else applied.
    fn map_anchors(&mut self, resource: &Map<String, Value>, anchors: &[(&String, &Value)], path: &Path) -> Walk {
        let mut skips: Vec<Failure> = Vec::new();
        let mut applied = 0;
        for (key, value) in anchors {
            match self.handle(key, value, resource, path) {
                Ok(()) => applied += 1,
                Err(failure) if failure.kind.is_skip() => skips.push(failure),
                Err(failure) => {
                    if !skips.iter().any(|skip| skip.kind.is_own_condition()) {
                        return Err(failure);
                    }
                }
            }
        }
        let own_condition = skips.iter().any(|skip| skip.kind.is_own_condition());
        if !skips.is_empty() && (applied == 0 || own_condition) {
            return Err(Failure::skipped(path, &skips));
        }
        Ok(())
    }

    /// Kyverno's `CreateElementHandler` and the handler's `Handle`.
    fn handle(&mut self, key: &str, pattern: &Value, resource: &Map<String, Value>, path: &Path) -> Walk {
        match parse_anchor(key) {
            Some(anchor) => match anchor.kind {
                AnchorKind::Condition => self.condition(anchor.key, pattern, resource, path),
                AnchorKind::Global => self.global(anchor.key, pattern, resource, path),
                AnchorKind::Existence => self.existence(anchor.key, pattern, resource, path),
                AnchorKind::Equality => self.equality(anchor.key, pattern, resource, path),
                AnchorKind::Negation => negation(anchor.key, resource, path),
                AnchorKind::AddIfNotPresent => self.plain_key(key, pattern, resource, path),
            },
            None => self.plain_key(key, pattern, resource, path),
        }
    }

    fn condition(&mut self, key: &str, pattern: &Value, resource: &Map<String, Value>, path: &Path) -> Walk {
        let current = path.child(key);
        let Some(value) = resource.get(key) else {
            return Err(Failure {
                path: Some(current),
                kind: Kind::Conditional,
                message: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource"
                    .to_string(),
            });
        };
        self.element(value, pattern, &current).map_err(|failure| Failure {
            path: failure.path,
            kind: Kind::Conditional,
            message: format!("conditional anchor mismatch: {}", failure.message),
        })
    }

    fn global(&mut self, key: &str, pattern: &Value, resource: &Map<String, Value>, path: &Path) -> Walk {
        let Some(value) = resource.get(key) else { return Ok(()) };
        self.element(value, pattern, &path.child(key)).map_err(|failure| Failure {
            path: failure.path,
            kind: Kind::Global,
            message: format!("global anchor mismatch: {}", failure.message),
        })
    }

    fn equality(&mut self, key: &str, pattern: &Value, resource: &Map<String, Value>, path: &Path) -> Walk {
        match resource.get(key) {
            Some(value) => self.element(value, pattern, &path.child(key)),
            None => Ok(()),
        }
    }

    /// `^(key)`: each map of the pattern list must match some element of
    /// the resource's list.
    fn existence(&mut self, key: &str, pattern: &Value, resource: &Map<String, Value>, path: &Path) -> Walk {
        let Some(value) = resource.get(key) else { return Ok(()) };
        let current = path.child(key);
        let Value::Array(items) = value else {
            return Err(Failure::mismatch(
                &current,
                format!(
                    "invalid resource type {}: Existence ^ () anchor can be used only on list/array type resource",
                    go_type(value)
                ),
            ));
        };
        let Value::Array(pattern_items) = pattern else {
            return Err(Failure::mismatch(
                &current,
                format!(
                    "invalid pattern type {}: Pattern has to be of list to compare against resource",
                    go_type(pattern)
                ),
            ));
        };
        for pattern_item in pattern_items {
            if !pattern_item.is_object() {
                return Err(Failure::mismatch(
                    &current,
                    format!(
                        "invalid pattern type {}: Pattern has to be of type map to compare against items in resource",
                        go_type(pattern)
                    ),
                ));
            }
            self.some_element_matches(items, pattern_item, &current)?;
        }
        Ok(())
    }

    fn some_element_matches(&mut self, items: &[Value], pattern: &Value, path: &Path) -> Walk {
        for (index, item) in items.iter().enumerate() {
            if self.element(item, pattern, &path.child(index)).is_ok() {
                return Ok(());
            }
        }
        Err(Failure::mismatch(
            path,
            format!("existence anchor validation failed at path {}", path.kyverno()),
        ))
    }

    /// A key without an anchor. A pattern of exactly `"*"` only asks for a
    /// value that is not null, of any type, and fails at the parent's path.
    fn plain_key(&mut self, key: &str, pattern: &Value, resource: &Map<String, Value>, path: &Path) -> Walk {
        let value = resource.get(key).unwrap_or(&Value::Null);
        if pattern.as_str() == Some("*") {
            if value.is_null() {
                return Err(Failure::mismatch(path, format!("{}/{key} not found", path.kyverno())));
            }
            return Ok(());
        }
        self.element(value, pattern, &path.child(key))
    }

    /// Kyverno's `validateArray`: the first element of the pattern decides.
    fn array(&mut self, resource: &Value, items: &[Value], pattern: &[Value], path: &Path) -> Walk {
        let Some(first) = pattern.first() else {
            return Err(Failure::mismatch(path, "pattern Array empty".to_string()));
        };
        match first {
            Value::Object(_) => self.array_of_maps(items, first, path),
            Value::Array(_) => self.array_by_index(items, pattern, path),
            // Every element against the first scalar; the others are unread.
            _ => self.element(resource, first, path),
        }
    }

    /// Every element of the resource's list against the one map: skipped
    /// elements are left out, and the list is skipped if all of them are.
    fn array_of_maps(&mut self, items: &[Value], pattern: &Value, path: &Path) -> Walk {
        let mut skips = Vec::new();
        let mut applied = 0;
        for (index, item) in items.iter().enumerate() {
            match self.element(item, pattern, &path.child(index)) {
                Ok(()) => applied += 1,
                Err(failure) if failure.kind.is_skip() => skips.push(failure),
                Err(failure) => return Err(failure),
            }
        }
        if applied == 0 && !skips.is_empty() {
            return Err(Failure::skipped(path, &skips));
        }
        Ok(())
    }

    /// A list of lists: element by element, the resource at least as long.
    fn array_by_index(&mut self, items: &[Value], pattern: &[Value], path: &Path) -> Walk {
        if items.len() < pattern.len() {
            return Err(Failure {
                path: None,
                kind: Kind::Mismatch,
                message: format!(
                    "validate Array failed, array length mismatch, resource Array len is {} and pattern Array len is {}",
                    items.len(),
                    pattern.len()
                ),
            });
        }
        let mut skips = Vec::new();
        let mut applied = 0;
        for (index, (item, pattern_item)) in items.iter().zip(pattern).enumerate() {
            match self.element(item, pattern_item, &path.child(index)) {
                Ok(()) => applied += 1,
                Err(failure) if failure.kind.is_skip() => skips.push(failure),
                Err(failure) => return Err(failure),
            }
        }
        if applied == 0 && !skips.is_empty() {
            return Err(Failure::skipped(path, &skips));
        }
        Ok(())
    }
}

fn negation(key: &str, resource: &Map<String, Value>, path: &Path) -> Walk {
    if !resource.contains_key(key) {
        return Ok(());
    }
    let current = path.child(key);
    Err(Failure {
        message: format!("negation anchor matched in resource: {} is not allowed", current.kyverno()),
        path: Some(current),
        kind: Kind::Negation,
    })
}

/// A scalar pattern; against a list, every element must match it.
fn scalar(resource: &Value, pattern: &Value, path: &Path) -> Walk {
    let all_match = match resource {
        Value::Array(items) => items.iter().all(|item| matches(item, pattern)),
        _ => matches(resource, pattern),
    };
    if all_match {
        return Ok(());
    }
    Err(Failure::mismatch(
        path,
        format!(
            "resource value '{}' does not match '{}' at path {}",
            go_value(resource),
            go_value(pattern),
            path.kyverno()
        ),
    ))
}

/// Kyverno's `GetAnchorsResourcesFromMap`, with the anchors sorted:
/// conditions, equalities, negations and existences; global anchors stay
/// with the plain keys.
fn split_anchors(pattern: &Map<String, Value>) -> (Vec<(&String, &Value)>, Vec<(&String, &Value)>) {
    let (mut anchors, mut others): (Vec<_>, Vec<_>) = pattern.iter().partition(|(key, _)| {
        parse_anchor(key).is_some_and(|anchor| {
            matches!(
                anchor.kind,
                AnchorKind::Condition | AnchorKind::Equality | AnchorKind::Negation | AnchorKind::Existence
            )
        })
    });
    anchors.sort_by(|a, b| a.0.cmp(b.0));
    others.sort_by(|a, b| a.0.cmp(b.0));
    (anchors, others)
}

/// Kyverno's `getSortedNestedAnchorResource`: over the sorted keys, global
/// anchors and keys with anchors inside are pushed to the front (so they
/// come in reverse order), the rest to the back.
fn order_non_anchors<'p>(sorted: Vec<(&'p String, &'p Value)>) -> Vec<(&'p String, &'p Value)> {
    let (mut front, back): (Vec<_>, Vec<_>) = sorted.into_iter().partition(|(key, value)| {
        parse_anchor(key).is_some_and(|anchor| anchor.kind == AnchorKind::Global) || has_nested_anchors(value)
    });
    front.reverse();
    front.extend(back);
    front
}

fn has_nested_anchors(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.keys().any(|key| {
                parse_anchor(key).is_some_and(|anchor| anchor.kind != AnchorKind::AddIfNotPresent)
            }) || map.values().any(has_nested_anchors)
        }
        Value::Array(items) => items.iter().any(has_nested_anchors),
        _ => false,
    }
}

/// Kyverno's `wildcards.ExpandInMetadata`: a key with `*` or `?` under
/// `metadata.labels` or `metadata.annotations` of the pattern is replaced
/// by the first key of the resource it matches (anchors kept), so that the
/// value is checked against that label; a key that matches none stays.
fn expand_metadata_wildcards<'p>(pattern: &'p Map<String, Value>, resource: &Map<String, Value>) -> Cow<'p, Map<String, Value>> {
    let Some((metadata_key, Value::Object(pattern_metadata))) = find_tag("metadata", pattern) else {
        return Cow::Borrowed(pattern);
    };
    let Some(Value::Object(resource_metadata)) = resource.get("metadata") else {
        return Cow::Borrowed(pattern);
    };
    let mut metadata = pattern_metadata.clone();
    let mut changed = false;
    for tag in ["labels", "annotations"] {
        if let Some((key, expanded)) = expand_tag(tag, pattern_metadata, resource_metadata) {
            metadata.insert(key.clone(), Value::Object(expanded));
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(pattern);
    }
    let mut expanded = pattern.clone();
    expanded.insert(metadata_key.clone(), Value::Object(metadata));
    Cow::Owned(expanded)
}

/// The first key that is `tag` or an anchor on `tag` (Kyverno takes any,
/// in Go's random map order).
fn find_tag<'m>(tag: &str, map: &'m Map<String, Value>) -> Option<(&'m String, &'m Value)> {
    map.iter().find(|(key, _)| key.as_str() == tag || parse_anchor(key).is_some_and(|anchor| anchor.key == tag))
}

fn expand_tag(tag: &str, pattern_metadata: &Map<String, Value>, resource_metadata: &Map<String, Value>) -> Option<(String, Map<String, Value>)> {
    let (pattern_key, Value::Object(pattern_tags)) = find_tag(tag, pattern_metadata)? else {
        return None;
    };
    let (_, Value::Object(resource_tags)) = find_tag(tag, resource_metadata)? else {
        return None;
    };
    // Kyverno reads both as maps of strings (and stops on anything else).
    if !pattern_tags.values().chain(resource_tags.values()).all(Value::is_string) {
        return None;
    }
    let mut expanded = Map::new();
    for (key, value) in pattern_tags {
        expanded.insert(expand_key(key, resource_tags), value.clone());
    }
    Some((pattern_key.clone(), expanded))
}

fn expand_key(key: &str, resource_tags: &Map<String, Value>) -> String {
    if !has_wildcard(key) {
        return key.to_string();
    }
    let first_match = |wildcard: &str| {
        resource_tags.keys().find(|candidate| wildcard_match(wildcard, candidate)).cloned()
    };
    match parse_anchor(key) {
        Some(anchor) => {
            let matched = first_match(anchor.key).unwrap_or_else(|| anchor.key.to_string());
            format!("{}({matched})", anchor_prefix(anchor.kind))
        }
        None => first_match(key).unwrap_or_else(|| key.to_string()),
    }
}

/// Go's `%T` of a value decoded from JSON (resources keep integers as int64).
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(number) if number.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%v` of a value decoded from JSON, for messages.
fn go_value(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) if number.is_f64() => go_float(number.as_f64().unwrap_or_default()),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            // Go prints maps with their keys sorted.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> = entries.iter().map(|(key, value)| format!("{key}:{}", go_value(value))).collect();
            format!("map[{}]", entries.join(" "))
        }
    }
}

/// Go's `%v` of a float64: shortest digits, exponent form from 1e+06 on
/// and below 1e-04.
fn go_float(value: f64) -> String {
    let scientific = format!("{value:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return value.to_string();
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return value.to_string();
    };
    if (-4..6).contains(&exponent) {
        return value.to_string();
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

