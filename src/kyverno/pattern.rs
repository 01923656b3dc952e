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
        Failure {
            path: Some(path.clone()),
            kind: Kind::Mismatch,
            message,
        }
    }

    /// Kyverno's `multierr.Combine` of the skips of one level.
    fn skipped(path: &Path, skips: &[Failure]) -> Failure {
        let message = skips
            .iter()
            .map(|skip| skip.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Failure {
            path: Some(path.clone()),
            kind: Kind::Skipped,
            message,
        }
    }
}

type Walk = Result<(), Failure>;

/// The entries of a pattern map, borrowed.
type Entries<'p> = Vec<(&'p String, &'p Value)>;

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
        Err(failure) if failure.kind.is_skip() => Verdict::Skip {
            reason: failure.message,
        },
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
    Verdict::Error {
        message: format!("execution error: {message}"),
    }
}

/// Validates a resource against a `validate.anyPattern`: it passes if one
/// pattern passes, is skipped if every pattern is skipped, and fails
/// otherwise, naming each pattern that failed.
pub fn validate_any_pattern(resource: &Value, patterns: &[Value]) -> Verdict {
    if patterns.is_empty() {
        return Verdict::Error {
            message: "anyPattern has no pattern".to_string(),
        };
    }
    let mut skipped = Vec::new();
    let mut failed = Vec::new();
    let mut first_path = None;
    for (index, pattern) in patterns.iter().enumerate() {
        match validate_pattern(resource, pattern) {
            Verdict::Pass => return Verdict::Pass,
            Verdict::Skip { reason } => {
                skipped.push(format!("anyPattern[{index}] skipped: {reason}"))
            }
            Verdict::Fail { path, message } => {
                first_path.get_or_insert(path);
                failed.push(format!("anyPattern[{index}] {message}"));
            }
            Verdict::Error { message } => {
                // Kyverno names the pattern's own error here, not the rule's wording.
                let cause = message
                    .strip_prefix("execution error: ")
                    .unwrap_or(&message);
                failed.push(format!("anyPattern[{index}] failed: {cause}"));
            }
        }
    }
    if failed.is_empty() {
        return Verdict::Skip {
            reason: skipped.join(" "),
        };
    }
    Verdict::Fail {
        path: first_path.unwrap_or_default(),
        message: failed.join(" "),
    }
}

impl Walker {
    fn keys_are_missing(&self) -> bool {
        self.anchor_keys_found.values().any(|found| !found)
    }

    /// Kyverno's `CheckAnchorInResource`.
    fn note_anchor_keys(&mut self, pattern: &Map<String, Value>, resource: &Map<String, Value>) {
        for key in pattern.keys() {
            let Some(anchor) = parse_anchor(key) else {
                continue;
            };
            if !matches!(
                anchor.kind,
                AnchorKind::Condition | AnchorKind::Existence | AnchorKind::Negation
            ) {
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
    fn map(
        &mut self,
        resource: &Map<String, Value>,
        pattern: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
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
    fn map_anchors(
        &mut self,
        resource: &Map<String, Value>,
        anchors: &[(&String, &Value)],
        path: &Path,
    ) -> Walk {
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
    fn handle(
        &mut self,
        key: &str,
        pattern: &Value,
        resource: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
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

    fn condition(
        &mut self,
        key: &str,
        pattern: &Value,
        resource: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
        let current = path.child(key);
        let Some(value) = resource.get(key) else {
            return Err(Failure {
                path: Some(current),
                kind: Kind::Conditional,
                message: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource"
                    .to_string(),
            });
        };
        self.element(value, pattern, &current)
            .map_err(|failure| Failure {
                path: failure.path,
                kind: Kind::Conditional,
                message: format!("conditional anchor mismatch: {}", failure.message),
            })
    }

    fn global(
        &mut self,
        key: &str,
        pattern: &Value,
        resource: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
        let Some(value) = resource.get(key) else {
            return Ok(());
        };
        self.element(value, pattern, &path.child(key))
            .map_err(|failure| Failure {
                path: failure.path,
                kind: Kind::Global,
                message: format!("global anchor mismatch: {}", failure.message),
            })
    }

    fn equality(
        &mut self,
        key: &str,
        pattern: &Value,
        resource: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
        match resource.get(key) {
            Some(value) => self.element(value, pattern, &path.child(key)),
            None => Ok(()),
        }
    }

    /// `^(key)`: each map of the pattern list must match some element of
    /// the resource's list.
    fn existence(
        &mut self,
        key: &str,
        pattern: &Value,
        resource: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
        let Some(value) = resource.get(key) else {
            return Ok(());
        };
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
            format!(
                "existence anchor validation failed at path {}",
                path.kyverno()
            ),
        ))
    }

    /// A key without an anchor. A pattern of exactly `"*"` only asks for a
    /// value that is not null, of any type, and fails at the parent's path.
    fn plain_key(
        &mut self,
        key: &str,
        pattern: &Value,
        resource: &Map<String, Value>,
        path: &Path,
    ) -> Walk {
        let value = resource.get(key).unwrap_or(&Value::Null);
        if pattern.as_str() == Some("*") {
            if value.is_null() {
                return Err(Failure::mismatch(
                    path,
                    format!("{}/{key} not found", path.kyverno()),
                ));
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
        message: format!(
            "negation anchor matched in resource: {} is not allowed",
            current.kyverno()
        ),
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
fn split_anchors(pattern: &Map<String, Value>) -> (Entries<'_>, Entries<'_>) {
    let (mut anchors, mut others): (Vec<_>, Vec<_>) = pattern.iter().partition(|(key, _)| {
        parse_anchor(key).is_some_and(|anchor| {
            matches!(
                anchor.kind,
                AnchorKind::Condition
                    | AnchorKind::Equality
                    | AnchorKind::Negation
                    | AnchorKind::Existence
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
fn order_non_anchors(sorted: Entries<'_>) -> Entries<'_> {
    let (mut front, back): (Vec<_>, Vec<_>) = sorted.into_iter().partition(|(key, value)| {
        parse_anchor(key).is_some_and(|anchor| anchor.kind == AnchorKind::Global)
            || has_nested_anchors(value)
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
fn expand_metadata_wildcards<'p>(
    pattern: &'p Map<String, Value>,
    resource: &Map<String, Value>,
) -> Cow<'p, Map<String, Value>> {
    let Some((metadata_key, Value::Object(pattern_metadata))) = find_tag("metadata", pattern)
    else {
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
    map.iter().find(|(key, _)| {
        key.as_str() == tag || parse_anchor(key).is_some_and(|anchor| anchor.key == tag)
    })
}

fn expand_tag(
    tag: &str,
    pattern_metadata: &Map<String, Value>,
    resource_metadata: &Map<String, Value>,
) -> Option<(String, Map<String, Value>)> {
    let (pattern_key, Value::Object(pattern_tags)) = find_tag(tag, pattern_metadata)? else {
        return None;
    };
    let (_, Value::Object(resource_tags)) = find_tag(tag, resource_metadata)? else {
        return None;
    };
    // Kyverno reads both as maps of strings (and stops on anything else).
    if !pattern_tags
        .values()
        .chain(resource_tags.values())
        .all(Value::is_string)
    {
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
        resource_tags
            .keys()
            .find(|candidate| wildcard_match(wildcard, candidate))
            .cloned()
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
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(go_value).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(map) => {
            // Go prints maps with their keys sorted.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{key}:{}", go_value(value)))
                .collect();
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Status {
        Pass,
        Fail,
        Skip,
        Error,
    }

    fn status(verdict: &Verdict) -> Status {
        match verdict {
            Verdict::Pass => Status::Pass,
            Verdict::Fail { .. } => Status::Fail,
            Verdict::Skip { .. } => Status::Skip,
            Verdict::Error { .. } => Status::Error,
        }
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("test JSON is valid")
    }

    /// Kyverno's `validateResourceElement` from the root: the path it
    /// returns (empty when it passes or has none) and whether it failed.
    fn walk(resource: &Value, pattern: &Value) -> (String, bool) {
        match Walker::default().element(resource, pattern, &Path::default()) {
            Ok(()) => (String::new(), false),
            Err(failure) => (
                failure.path.map(|path| path.kyverno()).unwrap_or_default(),
                true,
            ),
        }
    }

    #[test]
    fn anchors_parse_as_in_kyverno() {
        let cases = [
            ("(name)", Some((AnchorKind::Condition, "name"))),
            ("<(image)", Some((AnchorKind::Global, "image"))),
            ("X(hostPath)", Some((AnchorKind::Negation, "hostPath"))),
            ("+(key)", Some((AnchorKind::AddIfNotPresent, "key"))),
            (
                "=(securityContext)",
                Some((AnchorKind::Equality, "securityContext")),
            ),
            ("^(containers)", Some((AnchorKind::Existence, "containers"))),
            (" (name) ", Some((AnchorKind::Condition, "name"))),
            ("(a)(b)", Some((AnchorKind::Condition, "a)(b"))),
            ("()", None),
            ("=()", None),
            ("name", None),
            ("(name", None),
            ("Y(name)", None),
            ("x(name)", None),
            ("=name)", None),
            ("", None),
            (")", None),
            // anchor_test.go
            ("(something)", Some((AnchorKind::Condition, "something"))),
            ("something)", None),
            ("so)m(et(hin)g", None),
            ("^(abc)", Some((AnchorKind::Existence, "abc"))),
            ("^(abc", None),
            ("^abc", None),
            ("=(abc", None),
            ("=abc", None),
            ("+(abc", None),
            ("+abc", None),
            ("X(abc", None),
            ("Xabc", None),
            ("<(abc", None),
            ("<abc", None),
        ];
        for (text, expected) in cases {
            let parsed = parse_anchor(text).map(|anchor| (anchor.kind, anchor.key));
            assert_eq!(parsed, expected, "{text:?}");
        }
    }

    #[test]
    fn paths_render_for_kyverno_and_as_pointers() {
        let path = Path::default()
            .child("metadata")
            .child("labels")
            .child("app.kubernetes.io/name");
        assert_eq!(path.kyverno(), "/metadata/labels/app.kubernetes.io/name/");
        assert_eq!(path.pointer(), "/metadata/labels/app.kubernetes.io~1name");
        assert_eq!(Path::default().child("a~b").child(0).pointer(), "/a~0b/0");
        assert_eq!(Path::default().kyverno(), "/");
        assert_eq!(Path::default().pointer(), "");
    }

    /// validate_test.go, TestConditionalAnchorWithMultiplePatterns and
    /// Test_global_anchor. Kyverno's helper asserts only pass and skip;
    /// where its table says fail but Kyverno's code skips (a global anchor
    /// that does not hold skips the rule, as Kyverno's documentation and
    /// `check_global_anchor_skip` say), the status here is Kyverno's
    /// actual one, marked `was fail`.
    #[test]
    fn kyverno_conditional_and_global_anchor_tables() {
        let containers = r#"{"spec": {"containers": [{"name": "*","(image)": "*:latest | !*:*","imagePullPolicy": "!Always"}]}}"#;
        let containers_reversed = r#"{"spec": {"containers": [{"name": "*","(image)": "!*:* | *:latest","imagePullPolicy": "!Always"}]}}"#;
        let global_image = r#"{"spec": {"containers": [{"name": "*","<(image)": "*:latest","imagePullPolicy": "!Always"}]}}"#;
        let global_env_image = r#"{"spec": {"containers": [{"name": "*","<(image)": "nginx", "env": [{"<(name)": "foo", "<(value)": "bar" }],"imagePullPolicy": "!Always"}]}}"#;
        let global_env = r#"{"spec": {"containers": [{"name": "*", "env": [{"<(name)": "foo", "<(value)": "bar" }],"imagePullPolicy": "!Always"}]}}"#;
        let global_name = r#"{"metadata": {"<(name)": "nginx"},"spec": {"imagePullSecrets": [{"name": "regcred"}]}}"#;
        let global_label = r#"{"metadata": {"labels": {"<(foo)": "bar"}},"spec": {"containers": [{"name": "nginx","image": "!*:latest"}]}}"#;
        let global_secret = r#"{"spec": {"containers": [{"name": "*","<(image)": "nginx"}],"imagePullSecrets": [{"name": "my-registry-secret"}]}}"#;
        let docker = r#"{"metadata": {"labels": {"allow-docker": "true"}},"(spec)": {"(volumes)": [{"(hostPath)": {"path": "/var/run/docker.sock"}}]}}"#;
        let empty_dir = r#"{"spec": {"=(volumes)": [{"(name)": "!cache-volume","=(emptyDir)": {"sizeLimit": "?*"}}]}}"#;
        let run_as_user = r#"{"spec": {"=(initContainers)": [{"(name)": "!istio-init", "=(securityContext)": {"=(runAsUser)": ">0"}}], "=(containers)": [{"=(securityContext)": {"=(runAsUser)": ">0"}}]}}"#;
        let volumes = r#"{"spec": {"=(volumes)": [{"(name)": "!credential-socket&!istio-data&!istio-envoy&!workload-certs&!workload-socket","=(emptyDir)": {"sizeLimit": "?*"}}]}}"#;
        use Status::{Fail, Pass, Skip};
        let cases = [
            (
                "test-1",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:1.2.3", "imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-2",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-3",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-4",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "imagePullPolicy": "Never"}]}}"#,
                Pass,
            ),
            (
                "test-5",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Never"}]}}"#,
                Pass,
            ),
            (
                "test-6",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:1.2.3", "imagePullPolicy": "Never"}]}}"#,
                Skip,
            ),
            (
                "test-7",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "imagePullPolicy": "Always"},{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-8",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"},{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-9",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:1.2.3", "imagePullPolicy": "Always"},{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-10",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "imagePullPolicy": "Never"},{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"}]}}"#,
                Pass,
            ),
            (
                "test-11",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Never"},{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"}]}}"#,
                Pass,
            ),
            (
                "test-12",
                containers,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:1.2.3", "imagePullPolicy": "Never"},{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-13",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-14",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-15",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx:1.2.3", "imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-16",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx", "imagePullPolicy": "Never"}]}}"#,
                Pass,
            ),
            (
                "test-17",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Never"}]}}"#,
                Pass,
            ),
            (
                "test-18",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.28", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx:1.2.3", "imagePullPolicy": "Never"}]}}"#,
                Skip,
            ),
            (
                "test-19",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-20",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:latest", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "test-21",
                containers,
                r#"{"spec": {"containers": [{"name": "busybox","image": "busybox:1.2.3", "imagePullPolicy": "Always"},{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "IfNotPresent"}]}}"#,
                Pass,
            ),
            (
                "test-22",
                containers_reversed,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            // was fail
            (
                "test-23",
                global_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-24",
                global_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            // was fail
            (
                "test-25",
                global_env_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "env": [{"name": "foo1", "value": "bar" }],"imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-26",
                global_env_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "env": [{"name": "foo", "value": "bar" }],"imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            // was fail
            (
                "test-27",
                global_env,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "env": [{"name": "foo1", "value": "bar" }],"imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "test-28",
                global_env,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "env": [{"name": "foo", "value": "bar" }],"imagePullPolicy": "IfNotpresent"}]}}"#,
                Pass,
            ),
            (
                "test-29",
                global_env,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx", "env": [{"name": "foo", "value": "bar" }],"imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            // was fail
            (
                "test-30",
                global_name,
                r#"{"metadata": {"name": "somename"},"spec": {"containers": [{"name": "nginx","image": "nginx:latest"}], "imagePullSecrets": [{"name": "cred"}]}}"#,
                Skip,
            ),
            (
                "test-31",
                global_name,
                r#"{"metadata": {"name": "nginx"},"spec": {"containers": [{"name": "nginx","image": "nginx:latest"}], "imagePullSecrets": [{"name": "cred"}]}}"#,
                Fail,
            ),
            (
                "test-32",
                global_label,
                r#"{"metadata": {"name": "nginx","labels": {"foo": "bar"}},"spec": {"containers": [{"name": "nginx","image": "nginx"}]}}"#,
                Pass,
            ),
            (
                "test-33",
                global_label,
                r#"{"metadata": {"name": "nginx","labels": {"foo": "bar"}},"spec": {"containers": [{"name": "nginx","image": "nginx:latest"}]}}"#,
                Fail,
            ),
            (
                "test-34",
                global_secret,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx"}], "imagePullSecrets": [{"name": "cred"}]}}"#,
                Fail,
            ),
            // was fail
            (
                "test-35",
                global_secret,
                r#"{"spec": {"containers": [{"name": "nginx","image": "somepod"}], "imagePullSecrets": [{"name": "cred"}]}}"#,
                Skip,
            ),
            (
                "test-36",
                global_secret,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx"}], "imagePullSecrets": [{"name": "my-registry-secret"}]}}"#,
                Pass,
            ),
            (
                "test-37",
                docker,
                r#"{"metadata": {"labels": {"run": "nginx"},"name": "nginx"},"spec": {"containers": [{"image": "nginx","name": "nginx"}]}}"#,
                Skip,
            ),
            (
                "test-38",
                docker,
                r#"{"metadata": {"labels": {"run": "nginx"},"name": "nginx"},"spec": {"containers": [{"image": "nginx","name": "nginx"}],"volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}"#,
                Fail,
            ),
            (
                "test-39",
                docker,
                r#"{"metadata": {"labels": {"run": "nginx"},"name": "nginx"},"spec": {"containers": [{"image": "nginx","name": "nginx"}],"volumes": [{"hostPath": {"path": "/randome/value"}}]}}"#,
                Skip,
            ),
            (
                "test-40",
                docker,
                r#"{"metadata": {"labels": {"run": "nginx","allow-docker": "true"},"name": "nginx"},"spec": {"containers": [{"image": "nginx","name": "nginx"}],"volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}"#,
                Pass,
            ),
            (
                "test-41",
                docker,
                r#"{"metadata": {"labels": {"run": "nginx","allow-docker": "false"},"name": "nginx"},"spec": {"containers": [{"image": "nginx","name": "nginx"}],"volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}"#,
                Fail,
            ),
            (
                "test-42",
                docker,
                r#"{"metadata": {"labels": {"run": "nginx"},"name": "nginx"},"spec": {"containers": [{"image": "nginx","name": "nginx"}],"volumes": [{"hostPath": {"path": "/var/run/docker.sock"}}]}}"#,
                Fail,
            ),
            (
                "test-43",
                empty_dir,
                r#"{"spec": {"volumes": [{"name": "cache-volume","emptyDir": {}}]}}"#,
                Skip,
            ),
            (
                "test-44",
                run_as_user,
                r#"{"spec": {"initContainers": [{"name": "nginx", "securityContext": {"runAsUser": 1000}}], "containers": [{"name": "nginx", "image": "nginx"}]}}"#,
                Pass,
            ),
            (
                "test-45",
                run_as_user,
                r#"{"spec": {"initContainers": [{"name": "nginx", "securityContext": {"runAsUser": 0}}], "containers": [{"name": "nginx", "image": "nginx"}]}}"#,
                Fail,
            ),
            (
                "test-46",
                run_as_user,
                r#"{"spec": {"initContainers": [{"name": "istio-init", "securityContext": {"runAsUser": 0}}], "containers": [{"securityContext": {"runAsUser": 1000}}]}}"#,
                Pass,
            ),
            (
                "test-47",
                run_as_user,
                r#"{"spec": {"initContainers": [{"name": "istio-init", "securityContext": {"runAsUser": 1000}}], "containers": [{"securityContext": {"runAsUser": 0}}]}}"#,
                Fail,
            ),
            (
                "test-48",
                run_as_user,
                r#"{"spec": {"containers": [{"securityContext": {"runAsUser": 1000}}]}}"#,
                Pass,
            ),
            (
                "test-49",
                run_as_user,
                r#"{"spec": {"containers": [{"securityContext": {"runAsUser": 0}}]}}"#,
                Fail,
            ),
            (
                "test-50",
                run_as_user,
                r#"{"spec": {"initContainers": [{"name": "istio-init", "securityContext": {"runAsUser": 0}}], "containers": [{"name": "nginx", "image": "nginx"}]}}"#,
                Pass,
            ),
            (
                "test-51",
                volumes,
                r#"{"spec": {"volumes": [{"name": "credential-socket","emptyDir": {"sizeLimit": "1Gi"}}]}}"#,
                Skip,
            ),
            (
                "test-52",
                volumes,
                r#"{"spec": {"volumes": [{"name": "cache-volume","emptyDir": {"sizeLimit": "1Gi"}}]}}"#,
                Pass,
            ),
            (
                "test-53",
                volumes,
                r#"{"spec": {"volumes": [{"name": "cache-volume"}]}}"#,
                Pass,
            ),
            (
                "test-54",
                volumes,
                r#"{"spec": {"volumes": [{"name": "cache-volume","emptyDir": {}}]}}"#,
                Fail,
            ),
            (
                "check_global_anchor_skip",
                global_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:v1", "imagePullPolicy": "Always"}]}}"#,
                Skip,
            ),
            (
                "check_global_anchor_fail",
                global_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "Always"}]}}"#,
                Fail,
            ),
            (
                "check_global_anchor_pass",
                global_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "IfNotPresent"}]}}"#,
                Pass,
            ),
            (
                "check_global_anchor_mixed",
                global_image,
                r#"{"spec": {"containers": [{"name": "nginx","image": "nginx:latest", "imagePullPolicy": "IfNotPresent"},{"name": "nginx","image": "nginx:v2", "imagePullPolicy": "IfNotPresent"}]}}"#,
                Pass,
            ),
        ];
        for (name, pattern, resource, expected) in cases {
            let verdict = validate_pattern(&parse(resource), &parse(pattern));
            assert_eq!(status(&verdict), expected, "{name}: {verdict:?}");
        }
    }

    /// validate_test.go, TestValidateMapWildcardKeys: (pattern, resource,
    /// Kyverno's path, failed).
    #[test]
    fn kyverno_wildcard_keys_table() {
        let cases = [
            (
                r#"{"metadata" : {"annotations": {"test/*": "value1"}}}"#,
                r#"{"metadata" : {"annotations": {"test/bar": "value1"}}}"#,
                "",
                false,
            ),
            (
                r#"{"metadata" : {"annotations": {"test/b??": "v*"}}}"#,
                r#"{"metadata" : {"annotations": {"test/bar": "value1"}}}"#,
                "",
                false,
            ),
            (
                r#"{}"#,
                r#"{"metadata" : {"annotations": {"test/bar": "value1"}}}"#,
                "",
                false,
            ),
            (
                r#"{"metadata" : {"annotations": {"test/b??": "v*"}}}"#,
                r#"{"metadata" : {"labels": {"test/bar": "value1"}}}"#,
                "/metadata/annotations/",
                true,
            ),
            (
                r#"{"metadata" : {"labels": {"*/test": "foo"}}}"#,
                r#"{"metadata" : {"labels": {"foo/test": "foo"}}}"#,
                "",
                false,
            ),
            (
                r#"{"metadata" : {"labels": {"foo/a*": "bar"}}}"#,
                r#"{"metadata" : {"labels": {"foo/aa?": "bar", "foo/789": "bar"}}}"#,
                "",
                false,
            ),
            (
                r#"{"metadata" : {"labels": {"foo/ABC*": "bar"}}}"#,
                r#"{"metadata" : {"labels": {"foo/AB?": "bar", "foo/ABC": "bar2"}}}"#,
                "/metadata/labels/foo/ABC/",
                true,
            ),
            (
                r#"{"=(metadata)" : {"=(labels)": {"foo/P*": "bar", "foo/Q*": "bar2"}}}"#,
                r#"{"metadata" : {"labels": {"foo/PQR": "bar", "foo/QR": "bar2"}}}"#,
                "",
                false,
            ),
            (
                r#"{"metadata" : {"labels": {"foo/1*": "bar"}}}"#,
                r#"{"metadata" : {"labels": {"foo/123": "bar222"}}}"#,
                "/metadata/labels/foo/123/",
                true,
            ),
            (
                r#"{"metadata" : {"labels": {"foo/X*": "bar", "foo/A*": "bar2"}}}"#,
                r#"{"metadata" : {"labels": {"foo/XYZ": "bar"}}}"#,
                "/metadata/labels/foo/A*/",
                true,
            ),
            (
                r#"{"=(metadata)" : {"=(labels)": {"foo/1*": "bar", "foo/4*": "bar2"}}}"#,
                r#"{"metadata" : {"labels": {"foo/123": "bar"}}}"#,
                "/metadata/labels/foo/4*/",
                true,
            ),
        ];
        for (number, (pattern, resource, path, failed)) in cases.into_iter().enumerate() {
            let walked = walk(&parse(resource), &parse(pattern));
            assert_eq!(walked, (path.to_string(), failed), "case {}", number + 1);
        }
    }

    /// validate_test.go, the TestValidateMap_* and TestValidateMapElement_*
    /// cases that need no variables (trimmed to the keys the pattern reads;
    /// references `$(...)` are read as text, which fails as Kyverno's
    /// malformed references do).
    #[test]
    fn kyverno_validate_map_cases() {
        let stateful_set = |probe: &str| {
            format!(
                r#"{{"spec": {{"template": {{"spec": {{"containers": [{{"name": "nginxo", "image": "registry.k8s.io/nginx-but-no-slim:0.8", "ports": [{{"containerPort": 8780, "name": "webp"}}]{probe}}}]}}}}}}}}"#
            )
        };
        let deployment = r#"{"spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "nginx", "image": "https://nirmata/nginx:latest", "resources": {"limits": {"memory": "2Gi", "cpu": 8}, "requests": {"memory": "512Mi", "cpu": "8"}}, "ports": [{"containerPort": 80}]}]}}}}"#;
        let memory = r#"{"spec": {"containers": [{"name": "nirmata", "resources": {"requests": {"memory": "1024Mi"}, "limits": {"memory": "2048Mi"}}}]}}"#;
        let reference = |value: &str| {
            format!(
                r#"{{"spec": {{"containers": [{{"name": "*", "resources": {{"requests": {{"memory": "{value}"}}, "limits": {{"memory": "2048Mi"}}}}}}]}}}}"#
            )
        };
        let memory_path = "/spec/containers/0/resources/requests/memory/";
        let cases: Vec<(&str, String, String, &str, bool)> = vec![
            ("TestValidateMap", r#"{"spec":{"template":{"spec":{"containers":[{"name":"?*","resources":{"requests":{"cpu":"<4|8"}}}]}}}}"#.into(), deployment.into(), "", false),
            ("AsteriskForInt", r#"{"spec":{"template":{"spec":{"containers":[{"name":"*","livenessProbe":{"periodSeconds":"*"}}]}}}}"#.into(), stateful_set(r#", "livenessProbe": {"periodSeconds": 11}"#), "", false),
            ("AsteriskForMap", r#"{"spec":{"template":{"spec":{"containers":[{"name":"*","livenessProbe":"*"}]}}}}"#.into(), stateful_set(r#", "livenessProbe": {"periodSeconds": 11}"#), "", false),
            ("AsteriskForArray", r#"{"spec":{"template":{"spec":{"containers":"*"}}}}"#.into(), stateful_set(""), "", false),
            ("AsteriskFieldIsMissing", r#"{"spec":{"template":{"spec":{"containers":[{"name":"*","livenessProbe":"*"}]}}}}"#.into(), stateful_set(r#", "livenessProbe": null"#), "/spec/template/spec/containers/0/", true),
            ("livenessProbeIsNull", r#"{"spec":{"template":{"spec":{"containers":[{"name":"*","livenessProbe":null}]}}}}"#.into(), stateful_set(r#", "livenessProbe": null"#), "", false),
            ("livenessProbeIsMissing", r#"{"spec":{"template":{"spec":{"containers":[{"name":"*","livenessProbe":null}]}}}}"#.into(), stateful_set(""), "", false),
            ("TwoElementsInArrayOnePass", r#"{"^(list)": [{"(name)": "nirmata-*", "object": [{"(key1)": "value*", "key2": "value*"}]}]}"#.into(), r#"{"list": [{"name": "nirmata-1", "object": [{"key1": "value1", "key2": "value2"}]}, {"name": "nirmata-1", "object": [{"key1": "not_value", "key2": "not_value"}]}]}"#.into(), "", false),
            ("OneElementInArrayPass", r#"[{"(name)":"nirmata-*","object":[{"(key1)":"value*","key2":"value*"}]}]"#.into(), r#"[{"name":"nirmata-1","object":[{"key1":"value1","key2":"value2"}]}]"#.into(), "", false),
            ("OneElementInArrayNotPass", r#"[{"(name)":"nirmata-*","object":[{"(key1)":"value*","key2":"value*"}]}]"#.into(), r#"[{"name":"nirmata-1","object":[{"key1":"value5","key2":"1value1"}]}]"#.into(), "/0/object/0/key2/", true),
            ("AbsolutePathToMetadata", r#"{"spec":{"containers":[{"(name)":"kyverno","image":"kyverno.io*"}]}}"#.into(), r#"{"spec":{"containers":[{"name":"kyverno","image":"kyverno.io/test:latest"}]}}"#.into(), "", false),
            ("RelativePathDoesNotExists", reference("$(./../somekey/somekey2/memory)"), memory.into(), memory_path, true),
            ("OnlyAnchorsInPath", reference("$()"), memory.into(), memory_path, true),
            ("MalformedReferenceOnlyDolarMark", reference("$"), memory.into(), memory_path, true),
            ("MalformedPath", reference("$(>2048)"), memory.into(), memory_path, true),
            ("AbosolutePathDoesNotExists", reference("$(<=/some/memory)"), memory.into(), memory_path, true),
        ];
        for (name, pattern, resource, path, failed) in cases {
            assert_eq!(
                walk(&parse(&resource), &parse(&pattern)),
                (path.to_string(), failed),
                "{name}"
            );
        }
    }

    /// pkg/engine/validation_test.go (policy-level tests): the rules'
    /// patterns against their resources, with Kyverno's status and path.
    #[test]
    fn kyverno_engine_validation_cases() {
        let pod = |containers: Value, extra: Value| {
            let mut spec = json!({"containers": containers});
            if let (Some(spec), Value::Object(extra)) = (spec.as_object_mut(), extra) {
                spec.extend(extra);
            }
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "myapp-pod", "labels": {"app": "myapp"}}, "spec": spec})
        };
        let latest = pod(
            json!([{"name": "nginx", "image": "nginx:latest", "imagePullPolicy": "Always"}]),
            json!({}),
        );
        let host_port = pod(
            json!([{"name": "nginx-host-network", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 80}]}]),
            json!({"hostNetwork": false}),
        );
        let var_lib = |path: &str| {
            pod(
                json!([{"name": "a", "image": "docker.io/nautiker/curl"}]),
                json!({"volumes": [{"name": "var-lib-etcd", "hostPath": {"path": path}}]}),
            )
        };
        let plain = pod(json!([{"name": "nginx", "image": "nginx"}]), json!({}));
        let non_root = pod(
            json!([{"name": "nginx", "image": "nginx"}]),
            json!({"securityContext": {"runAsNonRoot": true}}),
        );
        let groups = pod(
            json!([{"name": "nginx", "image": "nginx"}]),
            json!({"supplementalGroups": ["2", "5", "10"]}),
        );
        let more_groups = pod(
            json!([{"name": "nginx", "image": "nginx"}]),
            json!({"supplementalGroups": ["2", "5", "10", "100", "10000", "1000", "543"]}),
        );
        let root = pod(
            json!([{"name": "nginx", "image": "nginx"}]),
            json!({"securityContext": {"runAsNonRoot": false}}),
        );
        let named =
            |first: &str, second: &str| pod(json!([{"name": first}, {"name": second}]), json!({}));
        let empty_dir = pod(
            json!([{"name": "a", "image": "curl"}]),
            json!({"volumes": [{"name": "var-lib-etcd", "emptyDir": {}}]}),
        );
        let no_host_path = json!({"spec": {"volumes": [{"name": "*", "X(hostPath)": null}]}});
        let cases = [
            (
                "image_tag validate-tag",
                &latest,
                json!({"spec": {"containers": [{"image": "*:*"}]}}),
                Verdict::Pass,
            ),
            (
                "image_tag_fail validate-latest",
                &latest,
                json!({"spec": {"containers": [{"(image)": "*latest", "imagePullPolicy": "NotPresent"}]}}),
                fail(
                    "/spec/containers/0/imagePullPolicy",
                    "/spec/containers/0/imagePullPolicy/",
                ),
            ),
            (
                "image_tag_pass validate-latest",
                &latest,
                json!({"spec": {"containers": [{"(image)": "*latest", "imagePullPolicy": "Always"}]}}),
                Verdict::Pass,
            ),
            (
                "host_network_port",
                &host_port,
                json!({"spec": {"hostNetwork": false, "containers": [{"name": "*", "ports": [{"hostPort": null}]}]}}),
                fail(
                    "/spec/containers/0/ports/0/hostPort",
                    "/spec/containers/0/ports/0/hostPort/",
                ),
            ),
            (
                "anchor_arraymap_pass",
                &var_lib("/var/lib1"),
                json!({"spec": {"volumes": [{"name": "*", "=(hostPath)": {"path": "!/var/lib"}}]}}),
                Verdict::Pass,
            ),
            (
                "anchor_arraymap_fail",
                &var_lib("/var/lib"),
                json!({"spec": {"volumes": [{"=(hostPath)": {"path": "!/var/lib"}}]}}),
                fail(
                    "/spec/volumes/0/hostPath/path",
                    "/spec/volumes/0/hostPath/path/",
                ),
            ),
            (
                "anchor_map_notfound",
                &plain,
                json!({"spec": {"=(securityContext)": {"runAsNonRoot": true}}}),
                Verdict::Pass,
            ),
            (
                "anchor_map_found_valid",
                &non_root,
                json!({"spec": {"=(securityContext)": {"runAsNonRoot": true}}}),
                Verdict::Pass,
            ),
            (
                "inequality_List_Processing",
                &groups,
                json!({"spec": {"=(supplementalGroups)": ">0"}}),
                Verdict::Pass,
            ),
            (
                "inequality_List_ProcessingBrackets",
                &more_groups,
                json!({"spec": {"=(supplementalGroups)": [">0 & <100001"]}}),
                Verdict::Pass,
            ),
            (
                "anchor_map_found_invalid",
                &root,
                json!({"spec": {"=(securityContext)": {"runAsNonRoot": true}}}),
                fail(
                    "/spec/securityContext/runAsNonRoot",
                    "/spec/securityContext/runAsNonRoot/",
                ),
            ),
            (
                "AnchorList_pass",
                &named("nginx", "nginx"),
                json!({"spec": {"=(containers)": [{"name": "nginx"}]}}),
                Verdict::Pass,
            ),
            (
                "AnchorList_fail",
                &named("nginx", "busy"),
                json!({"spec": {"=(containers)": [{"name": "nginx"}]}}),
                fail("/spec/containers/1/name", "/spec/containers/1/name/"),
            ),
            (
                "existenceAnchor_fail",
                &named("busy1", "busy"),
                json!({"spec": {"^(containers)": [{"name": "nginx"}]}}),
                fail("/spec/containers", "/spec/containers/"),
            ),
            (
                "existenceAnchor_pass",
                &named("nginx", "busy"),
                json!({"spec": {"^(containers)": [{"name": "nginx"}]}}),
                Verdict::Pass,
            ),
            (
                "negationAnchor_deny",
                &var_lib("/var/lib1"),
                no_host_path.clone(),
                fail("/spec/volumes/0/hostPath", "/spec/volumes/0/hostPath/"),
            ),
            (
                "negationAnchor_pass",
                &empty_dir,
                no_host_path,
                Verdict::Pass,
            ),
        ];
        for (name, resource, pattern, expected) in cases {
            assert_eq!(validate_pattern(resource, &pattern), expected, "{name}");
        }
        // TestValidate_Fail_anyPattern: both patterns fail at the namespace.
        let any = [
            json!({"metadata": {"namespace": "?*"}}),
            json!({"metadata": {"namespace": "!default"}}),
        ];
        assert_eq!(
            validate_any_pattern(&plain, &any),
            Verdict::Fail {
                path: "/metadata/namespace".to_string(),
                message: "anyPattern[0] failed at path /metadata/namespace/ anyPattern[1] failed at path /metadata/namespace/"
                    .to_string(),
            }
        );
    }

    fn fail(pointer: &str, kyverno: &str) -> Verdict {
        Verdict::Fail {
            path: pointer.to_string(),
            message: format!("failed at path {kyverno}"),
        }
    }

    #[test]
    fn failures_carry_kyverno_paths_and_pointers() {
        let cases = [
            (
                json!({"spec": {"containers": [{"name": "a", "image": "nginx:latest"}]}}),
                json!({"spec": {"containers": [{"image": "!*:latest"}]}}),
                "/spec/containers/0/image",
                "failed at path /spec/containers/0/image/",
            ),
            (
                json!({"spec": {"containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}]}}),
                json!({"spec": {"containers": [{"=(securityContext)": {"=(runAsNonRoot)": true}}]}}),
                "/spec/containers/0/securityContext/runAsNonRoot",
                "failed at path /spec/containers/0/securityContext/runAsNonRoot/",
            ),
            (
                json!({"metadata": {"labels": {"app.kubernetes.io/name": "x"}}}),
                json!({"metadata": {"labels": {"app.kubernetes.io/name": "y"}}}),
                "/metadata/labels/app.kubernetes.io~1name",
                "failed at path /metadata/labels/app.kubernetes.io/name/",
            ),
            (
                json!({"spec": {}}),
                json!({"spec": {"containers": [{"name": "*"}]}}),
                "/spec/containers",
                "failed at path /spec/containers/",
            ),
            (
                json!({"spec": {"template": {}}}),
                json!({"spec": {"template": {"spec": "*"}}}),
                "/spec/template",
                "failed at path /spec/template/",
            ),
            (
                json!({"spec": {"hostNetwork": true}}),
                json!({"spec": {"X(hostNetwork)": "null"}}),
                "/spec/hostNetwork",
                "failed at path /spec/hostNetwork/",
            ),
            (
                json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}),
                json!({"spec": {"^(containers)": [{"name": "c"}]}}),
                "/spec/containers",
                "failed at path /spec/containers/",
            ),
            (
                json!({"kind": "Pod"}),
                json!({"kind": "Deployment"}),
                "/kind",
                "failed at path /kind/",
            ),
        ];
        for (resource, pattern, path, message) in cases {
            let expected = Verdict::Fail {
                path: path.to_string(),
                message: message.to_string(),
            };
            assert_eq!(validate_pattern(&resource, &pattern), expected, "{pattern}");
        }
    }

    #[test]
    fn anchors_decide_pass_fail_and_skip() {
        use Status::{Error, Fail, Pass, Skip};
        let cases = [
            // Negation: the key must be absent, whatever its value.
            (
                json!({"spec": {"volumes": [{"name": "a", "emptyDir": {}}]}}),
                json!({"spec": {"=(volumes)": [{"X(hostPath)": "null"}]}}),
                Pass,
            ),
            (
                json!({"spec": {"volumes": [{"name": "a", "hostPath": {"path": "/"}}]}}),
                json!({"spec": {"=(volumes)": [{"X(hostPath)": "null"}]}}),
                Fail,
            ),
            (
                json!({"spec": {}}),
                json!({"spec": {"=(volumes)": [{"X(hostPath)": "null"}]}}),
                Pass,
            ),
            // Equality: checked only where present.
            (
                json!({"spec": {"containers": [{"name": "a"}]}}),
                json!({"spec": {"containers": [{"=(securityContext)": {"=(runAsNonRoot)": true}}]}}),
                Pass,
            ),
            (
                json!({"spec": {"containers": [{"name": "a", "securityContext": {}}]}}),
                json!({"spec": {"containers": [{"=(securityContext)": {"=(runAsNonRoot)": true}}]}}),
                Pass,
            ),
            (
                json!({"spec": {"containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}]}}),
                json!({"spec": {"containers": [{"=(securityContext)": {"=(runAsNonRoot)": true}}]}}),
                Pass,
            ),
            (
                json!({"spec": {"containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}]}}),
                json!({"spec": {"containers": [{"=(securityContext)": {"=(runAsNonRoot)": true}}]}}),
                Fail,
            ),
            // Existence: some element matches.
            (
                json!({"spec": {"containers": [{"image": "a:1"}, {"image": "nginx:1"}]}}),
                json!({"spec": {"^(containers)": [{"image": "nginx*"}]}}),
                Pass,
            ),
            (
                json!({"spec": {"containers": [{"image": "a:1"}]}}),
                json!({"spec": {"^(containers)": [{"image": "nginx*"}]}}),
                Fail,
            ),
            (
                json!({"spec": {}}),
                json!({"spec": {"^(containers)": [{"image": "nginx*"}]}}),
                Pass,
            ),
            (
                json!({"spec": {"containers": {"image": "a"}}}),
                json!({"spec": {"^(containers)": [{"image": "nginx*"}]}}),
                Fail,
            ),
            // Conditional at the top and in maps: skip, never pass.
            (
                json!({"metadata": {"labels": {"app": "web"}}, "spec": {"x": 1}}),
                json!({"metadata": {"labels": {"(app)": "db"}}, "spec": {"x": 2}}),
                Skip,
            ),
            (
                json!({"metadata": {"labels": {"app": "db"}}, "spec": {"x": 1}}),
                json!({"metadata": {"labels": {"(app)": "db"}}, "spec": {"x": 2}}),
                Fail,
            ),
            (
                json!({"metadata": {"labels": {"app": "db"}}, "spec": {"x": 2}}),
                json!({"metadata": {"labels": {"(app)": "db"}}, "spec": {"x": 2}}),
                Pass,
            ),
            (
                json!({"spec": {"containers": []}}),
                json!({"spec": {"containers": [{"(name)": "a", "image": "b"}]}}),
                Pass,
            ),
            // A failing condition skips the map even past a sibling's failure.
            (
                json!({"a": "no", "b": "x"}),
                json!({"(a)": "yes", "=(b)": "y"}),
                Skip,
            ),
            (
                json!({"a": "yes", "b": "x"}),
                json!({"(a)": "yes", "=(b)": "y"}),
                Fail,
            ),
            // A failure while an anchor's key is nowhere in the resource is an error.
            (
                json!({"spec": {"containers": [{"image": "nginx:latest"}]}}),
                json!({"spec": {"containers": [{"X(securityContext)": "null", "image": "!*:latest"}]}}),
                Error,
            ),
            (
                json!({"spec": {"containers": [{"image": "nginx:1"}]}}),
                json!({"spec": {"containers": [{"X(securityContext)": "null", "image": "!*:latest"}]}}),
                Pass,
            ),
            // Global anchors are read before their siblings.
            (
                json!({"spec": {"a": "x", "b": "bad"}}),
                json!({"spec": {"<(a)": "y", "b": "good"}}),
                Skip,
            ),
            (
                json!({"spec": {"a": "y", "b": "bad"}}),
                json!({"spec": {"<(a)": "y", "b": "good"}}),
                Fail,
            ),
            (
                json!({"spec": {"b": "bad"}}),
                json!({"spec": {"<(a)": "y", "b": "good"}}),
                Fail,
            ),
            // A mutation anchor is a plain key here.
            (
                json!({"spec": {"a": 1}}),
                json!({"spec": {"+(a)": 1}}),
                Fail,
            ),
        ];
        for (resource, pattern, expected) in cases {
            let verdict = validate_pattern(&resource, &pattern);
            assert_eq!(
                status(&verdict),
                expected,
                "{resource} against {pattern}: {verdict:?}"
            );
        }
    }

    #[test]
    fn lists_follow_the_first_pattern_element() {
        use Status::{Error, Fail, Pass};
        let cases = [
            (
                json!({"args": ["--a", "--b"]}),
                json!({"args": ["--*"]}),
                Pass,
            ),
            (
                json!({"args": ["--a", "b"]}),
                json!({"args": ["--*"]}),
                Fail,
            ),
            (
                json!({"args": ["--a", "b"]}),
                json!({"args": ["--*", "b"]}),
                Fail,
            ),
            (json!({"args": []}), json!({"args": ["--*"]}), Pass),
            (json!({"args": ["x"]}), json!({"args": []}), Fail),
            (json!({"args": "x"}), json!({"args": ["x"]}), Fail),
            (json!({"args": ["a", "b"]}), json!({"args": "?*"}), Pass),
            (json!({"args": ["a", ""]}), json!({"args": "?*"}), Fail),
            (json!({"m": [[1, 2], [3]]}), json!({"m": [[1], [3]]}), Fail),
            (json!({"m": [[1, 1], [3]]}), json!({"m": [[1], [3]]}), Pass),
            (json!({"m": [[1]]}), json!({"m": [[1], [3]]}), Error),
            (
                json!({"ports": [{"containerPort": 80}, {"containerPort": 8080}]}),
                json!({"ports": [{"containerPort": "<1024"}]}),
                Fail,
            ),
            (
                json!({"ports": [{"containerPort": 80}, {"containerPort": 443}]}),
                json!({"ports": [{"containerPort": "<1024"}]}),
                Pass,
            ),
            (
                json!({"ports": ["80"]}),
                json!({"ports": [{"containerPort": "<1024"}]}),
                Fail,
            ),
        ];
        for (resource, pattern, expected) in cases {
            let verdict = validate_pattern(&resource, &pattern);
            assert_eq!(
                status(&verdict),
                expected,
                "{resource} against {pattern}: {verdict:?}"
            );
        }
    }

    #[test]
    fn scalars_in_resources() {
        use Status::{Fail, Pass};
        let resource = json!({"spec": {
            "replicas": 3,
            "cpu": "1500m",
            "memory": "2Gi",
            "timeout": "90s",
            "hostNetwork": false,
            "name": "",
            "ratio": 0.5,
        }});
        let cases = [
            (json!({"spec": {"replicas": ">1"}}), Pass),
            (json!({"spec": {"replicas": "1-3"}}), Pass),
            (json!({"spec": {"replicas": "4-9"}}), Fail),
            (json!({"spec": {"replicas": "!3"}}), Fail),
            (json!({"spec": {"replicas": 3}}), Pass),
            (json!({"spec": {"replicas": "3"}}), Pass),
            (json!({"spec": {"cpu": "<2"}}), Pass),
            (json!({"spec": {"cpu": "<=1"}}), Fail),
            (json!({"spec": {"memory": "<=2Gi"}}), Pass),
            (json!({"spec": {"memory": "<2Gi"}}), Fail),
            (json!({"spec": {"timeout": ">1m"}}), Pass),
            (json!({"spec": {"timeout": "<=1m"}}), Fail),
            (json!({"spec": {"hostNetwork": false}}), Pass),
            (json!({"spec": {"hostNetwork": "false"}}), Pass),
            (json!({"spec": {"hostNetwork": null}}), Pass),
            (json!({"spec": {"hostNetwork": true}}), Fail),
            (json!({"spec": {"name": null}}), Pass),
            (json!({"spec": {"name": "?*"}}), Fail),
            (json!({"spec": {"missing": null}}), Pass),
            (json!({"spec": {"missing": "?*"}}), Fail),
            (json!({"spec": {"missing": "*"}}), Fail),
            (json!({"spec": {"ratio": 0.5}}), Pass),
            (json!({"spec": {"ratio": "<1"}}), Pass),
            (json!({"spec": {"ratio": "0.5"}}), Pass),
        ];
        for (pattern, expected) in cases {
            let verdict = validate_pattern(&resource, &pattern);
            assert_eq!(status(&verdict), expected, "{pattern}: {verdict:?}");
        }
    }

    #[test]
    fn skip_reasons_and_error_messages_are_kyvernos() {
        let skip = validate_pattern(
            &json!({"spec": {"containers": [{"name": "nginx", "image": "nginx:1.2.3"}]}}),
            &json!({"spec": {"containers": [{"(image)": "*:latest", "imagePullPolicy": "!Always"}]}}),
        );
        let reason = "conditional anchor mismatch: resource value 'nginx:1.2.3' does not match '*:latest' at path /spec/containers/0/image/";
        assert_eq!(
            skip,
            Verdict::Skip {
                reason: reason.to_string()
            }
        );

        let missing = validate_pattern(
            &json!({"spec": {}}),
            &json!({"(spec)": {"(volumes)": [{"name": "x"}]}}),
        );
        let reason =
            "conditional anchor mismatch: conditional anchor key doesn't exist in the resource";
        assert_eq!(
            missing,
            Verdict::Skip {
                reason: format!("conditional anchor mismatch: {reason}")
            }
        );

        let error = validate_pattern(
            &json!({"spec": {"containers": [{"image": "nginx:latest"}]}}),
            &json!({"spec": {"containers": [{"X(securityContext)": "null", "image": "!*:latest"}]}}),
        );
        let message = "execution error: resource value 'nginx:latest' does not match '!*:latest' at path /spec/containers/0/image/";
        assert_eq!(
            error,
            Verdict::Error {
                message: message.to_string()
            }
        );

        let lengths = validate_pattern(&json!({"m": [[1]]}), &json!({"m": [[1], [2]]}));
        let message = "execution error: validate Array failed, array length mismatch, resource Array len is 1 and pattern Array len is 2";
        assert_eq!(
            lengths,
            Verdict::Error {
                message: message.to_string()
            }
        );
    }

    #[test]
    fn any_pattern_passes_on_one_skips_on_all_and_fails_otherwise() {
        let resource = json!({"spec": {"runAsNonRoot": false, "runAsUser": 0}});
        let non_root = json!({"spec": {"runAsNonRoot": true}});
        let user = json!({"spec": {"runAsUser": ">0"}});
        let other_kind = json!({"spec": {"(kind)": "Job", "x": 1}});
        assert_eq!(
            validate_any_pattern(
                &resource,
                &[non_root.clone(), json!({"spec": {"runAsUser": 0}})]
            ),
            Verdict::Pass
        );
        assert_eq!(
            validate_any_pattern(&resource, &[non_root.clone(), user.clone()]),
            Verdict::Fail {
                path: "/spec/runAsNonRoot".to_string(),
                message: "anyPattern[0] failed at path /spec/runAsNonRoot/ anyPattern[1] failed at path /spec/runAsUser/"
                    .to_string(),
            }
        );
        assert_eq!(
            validate_any_pattern(&resource, &[other_kind.clone(), non_root]),
            Verdict::Fail {
                path: "/spec/runAsNonRoot".to_string(),
                message: "anyPattern[1] failed at path /spec/runAsNonRoot/".to_string(),
            }
        );
        let reason =
            "conditional anchor mismatch: conditional anchor key doesn't exist in the resource";
        assert_eq!(
            validate_any_pattern(&resource, &[other_kind.clone(), other_kind]),
            Verdict::Skip {
                reason: format!("anyPattern[0] skipped: {reason} anyPattern[1] skipped: {reason}")
            }
        );
        assert!(matches!(
            validate_any_pattern(&resource, &[]),
            Verdict::Error { .. }
        ));
        let lists = validate_any_pattern(&json!({"m": [[1]]}), &[json!({"m": [[1], [2]]})]);
        let message = "anyPattern[0] failed: validate Array failed, array length mismatch, resource Array len is 1 and pattern Array len is 2";
        assert_eq!(
            lists,
            Verdict::Fail {
                path: String::new(),
                message: message.to_string()
            }
        );
    }

    #[test]
    fn non_anchors_with_anchors_inside_come_first_in_reverse_order() {
        let pattern = parse(r#"{"a": 1, "b": {"(x)": 1}, "<(c)": 1, "d": [{"=(y)": 1}], "e": 2}"#);
        let map = pattern.as_object().expect("the pattern is a map");
        let (anchors, others) = split_anchors(map);
        assert!(anchors.is_empty());
        let order: Vec<&str> = order_non_anchors(others)
            .into_iter()
            .map(|(key, _)| key.as_str())
            .collect();
        assert_eq!(order, ["d", "b", "<(c)", "a", "e"]);
    }

    #[test]
    fn go_formats_values_in_messages() {
        let cases = [
            (json!(null), "<nil>"),
            (json!(3), "3"),
            (json!(1.5), "1.5"),
            (json!(1000000.0), "1e+06"),
            (json!(123456.0), "123456"),
            (json!(0.00001), "1e-05"),
            (json!(["a", 1]), "[a 1]"),
            (json!({"b": 1, "a": "x"}), "map[a:x b:1]"),
        ];
        for (value, expected) in cases {
            assert_eq!(go_value(&value), expected);
        }
    }
}
