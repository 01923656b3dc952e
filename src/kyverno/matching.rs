//! Which resources a Kyverno rule applies to: its `match` and `exclude`
//! blocks, decided as Kyverno's engine does (`pkg/engine/utils/match.go`,
//! `pkg/utils/match/`, `pkg/utils/kube/kind.go`,
//! `pkg/engine/wildcards/wildcards.go`). See the module documentation of
//! [`crate::kyverno`] for what is and is not covered.

use serde_json::{Map, Value};

use super::operator::{has_wildcard, wildcard_match};

/// What Kyverno knows of the object under review.
pub struct Request<'a> {
    /// The resource (apiVersion, kind, metadata...).
    pub object: &'a Value,
    /// `CREATE` for offline checks.
    pub operation: &'a str,
    /// Labels of the object's Namespace when known.
    pub namespace_labels: Option<&'a Map<String, Value>>,
}

/// Whether a rule's `match` and `exclude` (the JSON values of
/// `spec.rules[].match` / `.exclude`) select the request. Err: a malformed
/// block, with Kyverno-like words.
pub fn rule_applies(
    matching: &Value,
    exclude: Option<&Value>,
    request: &Request<'_>,
) -> Result<bool, String> {
    let matching = Block::parse(matching, "match")?;
    matching.require_kinds()?;
    let exclude = match exclude {
        Some(Value::Null) | None => None,
        Some(value) => Some(Block::parse(value, "exclude")?),
    };
    let object = Object::of(request);
    // Kyverno looks at `exclude` only once `match` has selected the object.
    if !matching.selects(&object) {
        return Ok(false);
    }
    Ok(!exclude.is_some_and(|block| block.excludes(&object)))
}

/// The object as the checks see it: Kyverno's `unstructured` getters.
struct Object<'a> {
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: &'a str,
    labels: Option<&'a Map<String, Value>>,
    annotations: Option<&'a Map<String, Value>>,
    operation: &'a str,
    namespace_labels: Option<&'a Map<String, Value>>,
}

impl<'a> Object<'a> {
    fn of(request: &Request<'a>) -> Self {
        let object = request.object;
        let text = |value: Option<&'a Value>| value.and_then(Value::as_str).unwrap_or("");
        let metadata = object.get("metadata");
        let field = |key: &str| text(metadata.and_then(|m| m.get(key)));
        let map = |key: &str| metadata.and_then(|m| m.get(key)).and_then(Value::as_object);
        // `GetName` falls back to `generateName` for objects not yet named.
        let name = match field("name") {
            "" => field("generateName"),
            name => name,
        };
        let (group, version) = split_api_version(text(object.get("apiVersion")));
        Object {
            group,
            version,
            kind: text(object.get("kind")),
            name,
            namespace: field("namespace"),
            labels: map("labels"),
            annotations: map("annotations"),
            operation: request.operation,
            namespace_labels: request.namespace_labels,
        }
    }
}

/// `apps/v1` is group `apps`, version `v1`; `v1` is the core group.
fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// A `match` or `exclude` block.
struct Block {
    any: Vec<Filter>,
    all: Vec<Filter>,
    /// The legacy form: `resources` and user info directly in the block.
    direct: Filter,
    place: String,
}

impl Block {
    fn parse(value: &Value, place: &str) -> Result<Self, String> {
        let map = as_map(value, place)?;
        Ok(Block {
            any: filters(map.get("any"), &format!("{place}.any"))?,
            all: filters(map.get("all"), &format!("{place}.all"))?,
            direct: Filter::parse(map, place)?,
            place: place.to_string(),
        })
    }

    /// Kyverno's policy validation refuses a `match` whose filters name no
    /// kind, so such a rule never reaches the engine.
    fn require_kinds(&self) -> Result<(), String> {
        let in_use: Vec<&Filter> = if !self.any.is_empty() {
            self.any.iter().collect()
        } else if !self.all.is_empty() {
            self.all.iter().collect()
        } else {
            vec![&self.direct]
        };
        if in_use.iter().all(|filter| !filter.resources.kinds.is_empty()) {
            return Ok(());
        }
        Err(format!(
            "{}: at least one element must be specified in a kind block, the kind attribute \
             is mandatory when working with the resources element",
            self.place
        ))
    }

    /// `any` wins over `all`, which wins over the legacy form, as in
    /// `MatchesResourceDescription`.
    fn selects(&self, object: &Object<'_>) -> bool {
        if !self.any.is_empty() {
            self.any.iter().any(|filter| filter.selects(object))
        } else if !self.all.is_empty() {
            self.all.iter().all(|filter| filter.selects(object))
        } else {
            self.direct.selects(object)
        }
    }

    /// An empty exclude filter excludes nothing, where an empty match filter
    /// matches nothing (`matchesResourceDescriptionExcludeHelper`).
    fn excludes(&self, object: &Object<'_>) -> bool {
        let excludes = |filter: &Filter| !filter.is_empty() && filter.selects(object);
        if !self.any.is_empty() {
            self.any.iter().any(excludes)
        } else if !self.all.is_empty() {
            self.all.iter().all(excludes)
        } else {
            excludes(&self.direct)
        }
    }
}

fn filters(value: Option<&Value>, place: &str) -> Result<Vec<Filter>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let place = format!("{place}[{i}]");
                Filter::parse(as_map(item, &place)?, &place)
            })
            .collect(),
        Some(_) => Err(format!("{place}: expected a list of resource filters")),
    }
}

/// A resource filter: `resources` plus user info.
struct Filter {
    resources: Description,
    /// `subjects`, `roles` or `clusterRoles` are set: the filter is about
    /// who sends the request, which an offline check never knows.
    needs_user: bool,
}

impl Filter {
    fn parse(map: &Map<String, Value>, place: &str) -> Result<Self, String> {
        let resources = match map.get("resources") {
            None | Some(Value::Null) => Description::default(),
            Some(value) => {
                let place = format!("{place}.resources");
                Description::parse(as_map(value, &place)?, &place)?
            }
        };
        let needs_user = ["subjects", "roles", "clusterRoles"]
            .iter()
            .any(|key| map.get(*key).is_some_and(|v| !is_empty(v)));
        Ok(Filter {
            resources,
            needs_user,
        })
    }

    fn is_empty(&self) -> bool {
        !self.needs_user && self.resources.is_empty()
    }

    /// Kyverno's "match cannot be empty": an empty filter selects nothing.
    fn selects(&self, object: &Object<'_>) -> bool {
        !self.is_empty() && !self.needs_user && self.resources.selects(object)
    }
}

/// `resources` of a filter: Kyverno's `ResourceDescription`.
#[derive(Default)]
struct Description {
    kinds: Vec<String>,
    name: String,
    names: Vec<String>,
    namespaces: Vec<String>,
    annotations: Vec<(String, String)>,
    selector: Option<Selector>,
    namespace_selector: Option<Selector>,
    operations: Vec<String>,
}

impl Description {
    fn parse(map: &Map<String, Value>, place: &str) -> Result<Self, String> {
        let at = |key: &str| format!("{place}.{key}");
        let selector = |key: &str| match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => Selector::parse(value, &at(key)).map(Some),
        };
        let name = match map.get("name") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(name)) => name.clone(),
            Some(_) => return Err(format!("{}: expected a string", at("name"))),
        };
        let operations = strings(map.get("operations"), &at("operations"))?;
        if let Some(bad) = operations.iter().find(|op| !OPERATIONS.contains(&op.as_str())) {
            return Err(format!(
                "{}: unsupported value \"{bad}\": supported values: \"CREATE\", \"CONNECT\", \
                 \"UPDATE\", \"DELETE\"",
                at("operations")
            ));
        }
        Ok(Description {
            kinds: strings(map.get("kinds"), &at("kinds"))?,
            name,
            names: strings(map.get("names"), &at("names"))?,
            namespaces: strings(map.get("namespaces"), &at("namespaces"))?,
            annotations: string_map(map.get("annotations"), &at("annotations"))?,
            selector: selector("selector")?,
            namespace_selector: selector("namespaceSelector")?,
            operations,
        })
    }

    fn is_empty(&self) -> bool {
        self.kinds.is_empty()
            && self.name.is_empty()
            && self.names.is_empty()
            && self.namespaces.is_empty()
            && self.annotations.is_empty()
            && self.selector.is_none()
            && self.namespace_selector.is_none()
            && self.operations.is_empty()
    }

    /// Every attribute that is set must hold (`doesResourceMatchConditionBlock`).
    fn selects(&self, object: &Object<'_>) -> bool {
        self.operation_matches(object)
            && (self.kinds.is_empty() || kinds_match(&self.kinds, object))
            && (self.name.is_empty() || wildcard_match(&self.name, object.name))
            && (self.names.is_empty() || self.names.iter().any(|n| wildcard_match(n, object.name)))
            && (self.namespaces.is_empty() || namespace_matches(&self.namespaces, object))
            && annotations_match(&self.annotations, object.annotations)
            && self
                .selector
                .as_ref()
                .is_none_or(|selector| selector.matches(object.labels))
            && self.namespace_selector_matches(object)
    }

    fn operation_matches(&self, object: &Object<'_>) -> bool {
        self.operations.is_empty() || self.operations.iter().any(|op| op == object.operation)
    }

    /// A Namespace has no Namespace whose labels could be selected, so
    /// Kyverno (since 1.13) says no; an object without a kind is only
    /// checked under `kinds: ["*"]`.
    fn namespace_selector_matches(&self, object: &Object<'_>) -> bool {
        let Some(selector) = &self.namespace_selector else {
            return true;
        };
        if object.kind == "Namespace" {
            return false;
        }
        if object.kind.is_empty() && !self.kinds.iter().any(|kind| kind == "*") {
            return true;
        }
        selector.matches(object.namespace_labels)
    }
}

const OPERATIONS: [&str; 4] = ["CREATE", "CONNECT", "UPDATE", "DELETE"];

/// A Namespace is matched by its own name (`checkNameSpace`).
fn namespace_matches(namespaces: &[String], object: &Object<'_>) -> bool {
    let namespace = if object.kind == "Namespace" {
        object.name
    } else {
        object.namespace
    };
    namespaces.iter().any(|pattern| wildcard_match(pattern, namespace))
}

/// Every expected annotation must match some annotation of the object, key
/// and value both by wildcard (`CheckAnnotations`).
fn annotations_match(expected: &[(String, String)], actual: Option<&Map<String, Value>>) -> bool {
    expected.iter().all(|(key, value)| {
        actual.into_iter().flatten().any(|(actual_key, actual_value)| {
            wildcard_match(key, actual_key)
                && wildcard_match(value, actual_value.as_str().unwrap_or(""))
        })
    })
}

/// `CheckKind` for an object under review: offline there is never a
/// subresource, so a selector naming one (`Pod/status`) cannot match unless
/// its subresource part is a bare wildcard.
fn kinds_match(kinds: &[String], object: &Object<'_>) -> bool {
    kinds.iter().any(|selector| {
        let (group, version, kind, subresource) = parse_kind_selector(selector);
        wildcard_match(group, object.group)
            && wildcard_match(version, object.version)
            && wildcard_match(kind, object.kind)
            && (subresource.is_empty() || wildcard_match(subresource, ""))
    })
}

/// Kyverno's `ParseKindSelector`: (group, version, kind, subresource) of
/// `Kind`, `v1/Kind`, `group/v1/Kind`, `Kind/sub`, `Kind.sub`, `*/*`... A
/// selector of five or more parts is all empty strings, which match only
/// empty values.
fn parse_kind_selector(input: &str) -> (&str, &str, &str, &str) {
    let mut parts: Vec<&str> = input.split('/').collect();
    // The last part may spell its subresource with a dot: `Pod.status`.
    if let Some(last) = parts.pop() {
        parts.extend(last.split('.'));
    }
    match parts.as_slice() {
        [kind] => ("*", "*", kind, ""),
        ["*", "*"] => ("*", "*", "*", "*"),
        ["*", sub] if sub.to_lowercase() == *sub => ("*", "*", "*", sub),
        [version, kind] if is_version(version) => ("*", version, kind, ""),
        [kind, sub] => ("*", "*", kind, sub),
        [version, kind, sub] if is_version(version) => ("*", version, kind, sub),
        [group, version, kind] => (group, version, kind, ""),
        [group, version, kind, sub] => (group, version, kind, sub),
        _ => ("", "", "", ""),
    }
}

/// Kyverno's `^(v\d+((alpha|beta)\d+)?|\*)$`.
fn is_version(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    let Some(rest) = text.strip_prefix('v') else {
        return false;
    };
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return false;
    }
    let rest = &rest[digits..];
    if rest.is_empty() {
        return true;
    }
    let Some(number) = rest
        .strip_prefix("alpha")
        .or_else(|| rest.strip_prefix("beta"))
    else {
        return false;
    };
    !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
}

/// A Kubernetes label selector, with Kyverno's wildcards in `matchLabels`.
struct Selector {
    match_labels: Vec<(String, String)>,
    expressions: Vec<Expression>,
}

struct Expression {
    key: String,
    operator: SelectorOperator,
    values: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    fn parse(value: &Value, place: &str) -> Result<Self, String> {
        let map = as_map(value, place)?;
        let expressions = match map.get("matchExpressions") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| Expression::parse(item, &format!("{place}.matchExpressions[{i}]")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("{place}.matchExpressions: expected a list")),
        };
        Ok(Selector {
            match_labels: string_map(map.get("matchLabels"), &format!("{place}.matchLabels"))?,
            expressions,
        })
    }

    /// An empty selector selects everything, as `LabelSelectorAsSelector`
    /// makes it. Unknown labels (`None`) read as no labels, as Kyverno's CLI
    /// does for a Namespace it was not told about.
    fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let label = |key: &str| labels.and_then(|l| l.get(key)).map(|v| v.as_str().unwrap_or(""));
        self.match_labels
            .iter()
            .all(|(key, value)| match_label(key, value, labels))
            && self.expressions.iter().all(|e| e.matches(label(&e.key)))
    }
}

/// A `matchLabels` entry with a wildcard in its key or value stands for
/// the first label matching both (`ReplaceInSelector`); when none does,
/// Kyverno swaps the wildcards for `0`, which no label can then match
/// either, since it would have matched the wildcard.
fn match_label(key: &str, value: &str, labels: Option<&Map<String, Value>>) -> bool {
    let actual = |k: &str| labels.and_then(|l| l.get(k)).map(|v| v.as_str().unwrap_or(""));
    if !has_wildcard(key) && !has_wildcard(value) {
        return actual(key) == Some(value);
    }
    labels.into_iter().flatten().any(|(k, v)| {
        wildcard_match(key, k) && wildcard_match(value, v.as_str().unwrap_or(""))
    })
}

impl Expression {
    fn parse(value: &Value, place: &str) -> Result<Self, String> {
        let map = as_map(value, place)?;
        let key = match map.get("key") {
            Some(Value::String(key)) if !key.is_empty() => key.clone(),
            _ => return Err(format!("{place}.key: Required value")),
        };
        let operator = match map.get("operator").and_then(Value::as_str) {
            Some("In") => SelectorOperator::In,
            Some("NotIn") => SelectorOperator::NotIn,
            Some("Exists") => SelectorOperator::Exists,
            Some("DoesNotExist") => SelectorOperator::DoesNotExist,
            Some(other) => {
                return Err(format!("{place}: \"{other}\" is not a valid label selector operator"));
            }
            None => return Err(format!("{place}.operator: Required value")),
        };
        let values = strings(map.get("values"), &format!("{place}.values"))?;
        let wants_values = matches!(operator, SelectorOperator::In | SelectorOperator::NotIn);
        if wants_values && values.is_empty() {
            return Err(format!(
                "{place}.values: for 'in', 'notin' operators, values set can't be empty"
            ));
        }
        if !wants_values && !values.is_empty() {
            return Err(format!(
                "{place}.values: values set must be empty for exists and does not exist"
            ));
        }
        Ok(Expression {
            key,
            operator,
            values,
        })
    }

    /// Kubernetes' `Requirement.Matches`: values compare exactly here, no
    /// wildcards.
    fn matches(&self, actual: Option<&str>) -> bool {
        match (self.operator, actual) {
            (SelectorOperator::In, Some(value)) => self.values.iter().any(|v| v == value),
            (SelectorOperator::In, None) => false,
            (SelectorOperator::NotIn, Some(value)) => self.values.iter().all(|v| v != value),
            (SelectorOperator::NotIn, None) => true,
            (SelectorOperator::Exists, actual) => actual.is_some(),
            (SelectorOperator::DoesNotExist, actual) => actual.is_none(),
        }
    }
}

fn as_map<'v>(value: &'v Value, place: &str) -> Result<&'v Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{place}: expected a map, found {}", type_name(value)))
}

fn strings(value: Option<&Value>, place: &str) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{place}: expected strings, found {}", type_name(item)))
            })
            .collect(),
        Some(other) => Err(format!(
            "{place}: expected a list of strings, found {}",
            type_name(other)
        )),
    }
}

fn string_map(value: Option<&Value>, place: &str) -> Result<Vec<(String, String)>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(key, item)| match item {
                Value::String(text) => Ok((key.clone(), text.clone())),
                other => Err(format!(
                    "{place}.{key}: expected a string, found {}",
                    type_name(other)
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "{place}: expected a map of strings, found {}",
            type_name(other)
        )),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}
