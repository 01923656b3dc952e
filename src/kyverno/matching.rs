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
/// block, with Kyverno-like words: a value of the wrong type, a selector
/// Kubernetes would not build, or a `match` filter without `kinds`, which
/// Kyverno's policy validation refuses.
pub fn rule_applies(
    matching: &Value,
    exclude: Option<&Value>,
    request: &Request<'_>,
) -> Result<bool, String> {
    Ok(Selection::compile(matching, exclude)?.applies(request))
}

/// A rule's `match` and `exclude`, read once (a policy's rules judge every
/// resource of a run).
#[derive(Debug, Clone)]
pub struct Selection {
    matching: Block,
    exclude: Option<Block>,
}

impl Selection {
    /// Reads the blocks; Err as [`rule_applies`] says.
    pub fn compile(matching: &Value, exclude: Option<&Value>) -> Result<Selection, String> {
        let matching = Block::parse(matching, "match")?;
        matching.require_kinds()?;
        let exclude = match exclude {
            Some(Value::Null) | None => None,
            Some(value) => Some(Block::parse(value, "exclude")?),
        };
        Ok(Selection { matching, exclude })
    }

    /// Whether the blocks select the request.
    pub fn applies(&self, request: &Request<'_>) -> bool {
        let object = Object::of(request);
        // Kyverno looks at `exclude` only once `match` has selected the object.
        self.matching.selects(&object)
            && !self
                .exclude
                .as_ref()
                .is_some_and(|block| block.excludes(&object))
    }
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
#[derive(Debug, Clone)]
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
        if in_use
            .iter()
            .all(|filter| !filter.resources.kinds.is_empty())
        {
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
            self.any.iter().any(|filter| filter.matches(object))
        } else if !self.all.is_empty() {
            self.all.iter().all(|filter| filter.matches(object))
        } else {
            self.direct.matches(object)
        }
    }

    /// An empty exclude filter excludes nothing
    /// (`matchesResourceDescriptionExcludeHelper`).
    fn excludes(&self, object: &Object<'_>) -> bool {
        let excludes = |filter: &Filter| filter.excludes(object);
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
#[derive(Debug, Clone)]
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

    /// Without a request's user info (background scans, the CLI), Kyverno
    /// drops a match filter's `subjects`/`roles`/`clusterRoles` and judges
    /// the rest; what is left empty matches nothing ("match cannot be
    /// empty", `matchesResourceDescriptionMatchHelper`).
    fn matches(&self, object: &Object<'_>) -> bool {
        !self.resources.is_empty() && self.resources.selects(object)
    }

    /// An exclude filter keeps its user info, which the empty user of an
    /// offline check never satisfies; an empty filter excludes nothing.
    fn excludes(&self, object: &Object<'_>) -> bool {
        !self.needs_user && !self.resources.is_empty() && self.resources.selects(object)
    }
}

/// `resources` of a filter: Kyverno's `ResourceDescription`.
#[derive(Debug, Clone, Default)]
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
        if let Some(bad) = operations
            .iter()
            .find(|op| !OPERATIONS.contains(&op.as_str()))
        {
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
    /// Kyverno says no ("namespace selector is not applicable for namespace
    /// resource"; older releases skipped the check and said yes). An object
    /// without a kind is only checked under `kinds: ["*"]`.
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
    namespaces
        .iter()
        .any(|pattern| wildcard_match(pattern, namespace))
}

/// Every expected annotation must match some annotation of the object, key
/// and value both by wildcard (`CheckAnnotations`).
fn annotations_match(expected: &[(String, String)], actual: Option<&Map<String, Value>>) -> bool {
    expected.iter().all(|(key, value)| {
        actual
            .into_iter()
            .flatten()
            .any(|(actual_key, actual_value)| {
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
#[derive(Debug, Clone)]
struct Selector {
    match_labels: Vec<(String, String)>,
    expressions: Vec<Expression>,
}

#[derive(Debug, Clone)]
struct Expression {
    key: String,
    operator: SelectorOperator,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        let match_labels = string_map(map.get("matchLabels"), &format!("{place}.matchLabels"))?;
        for (key, value) in &match_labels {
            // Kyverno swaps the wildcards for `0` before Kubernetes checks
            // the selector, so only the rest of the text can be invalid.
            check_label(&without_wildcards(key), &without_wildcards(value), place)?;
        }
        for expression in &expressions {
            for value in &expression.values {
                check_label(&expression.key, value, place)?;
            }
            check_label(&expression.key, "", place)?;
        }
        Ok(Selector {
            match_labels,
            expressions,
        })
    }

    /// An empty selector selects everything, as `LabelSelectorAsSelector`
    /// makes it. Unknown labels (`None`) read as no labels, as Kyverno's CLI
    /// does for a Namespace it was not told about.
    fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let label = |key: &str| {
            labels
                .and_then(|l| l.get(key))
                .map(|v| v.as_str().unwrap_or(""))
        };
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
    let actual = |k: &str| {
        labels
            .and_then(|l| l.get(k))
            .map(|v| v.as_str().unwrap_or(""))
    };
    if !has_wildcard(key) && !has_wildcard(value) {
        return actual(key) == Some(value);
    }
    labels
        .into_iter()
        .flatten()
        .any(|(k, v)| wildcard_match(key, k) && wildcard_match(value, v.as_str().unwrap_or("")))
}

fn without_wildcards(text: &str) -> String {
    text.replace(['*', '?'], "0")
}

/// Kubernetes' label key (an optional DNS subdomain prefix and `/`, then a
/// name) and label value rules, as `LabelSelectorAsSelector` applies them.
fn check_label(key: &str, value: &str, place: &str) -> Result<(), String> {
    let name = match key.split_once('/') {
        Some((prefix, name)) if is_dns_subdomain(prefix) => name,
        Some(_) => return Err(format!("{place}: invalid label key \"{key}\"")),
        None => key,
    };
    if !is_label_name(name) {
        return Err(format!("{place}: invalid label key \"{key}\""));
    }
    if !value.is_empty() && !is_label_name(value) {
        return Err(format!("{place}: invalid label value: \"{value}\""));
    }
    Ok(())
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn is_label_name(text: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.len() <= 63
        && edge(text.chars().next())
        && edge(text.chars().last())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Lower-case DNS-1123 labels joined by dots, at most 253 characters.
fn is_dns_subdomain(text: &str) -> bool {
    text.len() <= 253
        && text.split('.').all(|label| {
            let edge =
                |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            edge(label.chars().next())
                && edge(label.chars().last())
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
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
                return Err(format!(
                    "{place}: \"{other}\" is not a valid label selector operator"
                ));
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(api_version: &str, kind: &str, name: &str, namespace: &str) -> Value {
        json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": name, "namespace": namespace},
        })
    }

    fn pod(name: &str, namespace: &str) -> Value {
        object("v1", "Pod", name, namespace)
    }

    fn applies(matching: &Value, exclude: Option<&Value>, object: &Value) -> Result<bool, String> {
        let request = Request {
            object,
            operation: "CREATE",
            namespace_labels: None,
        };
        rule_applies(matching, exclude, &request)
    }

    fn applies_in(
        matching: &Value,
        object: &Value,
        operation: &str,
        namespace_labels: Option<&Value>,
    ) -> Result<bool, String> {
        let request = Request {
            object,
            operation,
            namespace_labels: namespace_labels.and_then(Value::as_object),
        };
        rule_applies(matching, None, &request)
    }

    fn kinds(kinds: &[&str]) -> Value {
        json!({"resources": {"kinds": kinds}})
    }

    /// kind_test.go (pkg/utils/match), Test_CheckKind: the cases without a
    /// subresource in the request, which is all an offline object can be.
    #[test]
    fn kyverno_check_kind_table() {
        let cases = [
            (&["*"][..], "v1", "Deployment", true),
            (&["Pod"], "v1", "Pod", true),
            (&["v1/Pod"], "v1", "Pod", true),
            (
                &["tekton.dev/v1beta1/TaskRun"],
                "tekton.dev/v1beta1",
                "TaskRun",
                true,
            ),
            (
                &["tekton.dev/*/TaskRun"],
                "tekton.dev/v1alpha1",
                "TaskRun",
                true,
            ),
            (&["postgresdb"], "acid.zalan.do/v1", "postgresdb", true),
            (&["Postgresdb"], "acid.zalan.do/v1", "postgresdb", false),
            // A subresource selector does not match the resource itself.
            (&["v1/Pod.status"], "v1", "Pod", false),
            (
                &["networking.k8s.io/v1/NetworkPolicy/status"],
                "networking.k8s.io/v1",
                "NetworkPolicy",
                false,
            ),
            (&["Pod/status"], "v1", "Pod", false),
            (&["*/status"], "v1", "Pod", false),
            (&["v1alpha1/Pod.eviction"], "v1", "Pod", false),
            // A wildcard subresource matches the empty one (wildcard.Match("*", "")).
            (&["Pod/*"], "v1", "Pod", true),
            (&["*/*"], "apps/v1", "Deployment", true),
            // Group and version forms.
            (&["apps/v1/Deployment"], "apps/v1", "Deployment", true),
            (&["apps/*/Deployment"], "apps/v1", "Deployment", true),
            (&["*/Deployment"], "apps/v1", "Deployment", true),
            (&["v1/Deployment"], "apps/v1", "Deployment", true),
            (&["v2/Deployment"], "apps/v1", "Deployment", false),
            (
                &["apps/v1/Deployment"],
                "extensions/v1beta1",
                "Deployment",
                false,
            ),
            (
                &["batch/v1/CronJob", "apps/v1/Deployment"],
                "apps/v1",
                "Deployment",
                true,
            ),
            (
                &["networking.k8s.io/v1/Ingress"],
                "networking.k8s.io/v1",
                "Ingress",
                true,
            ),
            (
                &["networking.k8s.io/*/Ingress"],
                "extensions/v1beta1",
                "Ingress",
                false,
            ),
            (&["Deploy*"], "apps/v1", "Deployment", true),
            (&["?od"], "v1", "Pod", true),
            (&["a/b/c/d/e"], "apps/v1", "Deployment", false),
            (&["Service", "ConfigMap"], "v1", "Pod", false),
        ];
        for (selectors, api_version, kind, expected) in cases {
            let object = object(api_version, kind, "x", "default");
            assert_eq!(
                applies(&kinds(selectors), None, &object),
                Ok(expected),
                "{selectors:?} on {api_version} {kind}"
            );
        }
    }

    /// kind.go (pkg/utils/kube), ParseKindSelector.
    #[test]
    fn kind_selectors_parse_as_in_kyverno() {
        let cases = [
            ("Pod", ("*", "*", "Pod", "")),
            ("v1/Pod", ("*", "v1", "Pod", "")),
            ("*/Pod", ("*", "*", "Pod", "")),
            ("*/*", ("*", "*", "*", "*")),
            ("*/status", ("*", "*", "*", "status")),
            ("Pod/status", ("*", "*", "Pod", "status")),
            ("Pod.status", ("*", "*", "Pod", "status")),
            ("v1/Pod/status", ("*", "v1", "Pod", "status")),
            ("v1/Pod.status", ("*", "v1", "Pod", "status")),
            (
                "v2beta1/HorizontalPodAutoscaler",
                ("*", "v2beta1", "HorizontalPodAutoscaler", ""),
            ),
            ("apps/v1/Deployment", ("apps", "v1", "Deployment", "")),
            (
                "apps/v1/Deployment/scale",
                ("apps", "v1", "Deployment", "scale"),
            ),
            (
                "networking.k8s.io/v1/NetworkPolicy/status",
                ("networking.k8s.io", "v1", "NetworkPolicy", "status"),
            ),
            ("tekton.dev/*/TaskRun", ("tekton.dev", "*", "TaskRun", "")),
            ("a/b/c/d/e", ("", "", "", "")),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_kind_selector(input), expected, "{input}");
        }
    }

    #[test]
    fn versions_are_read_as_kyverno_does() {
        for yes in ["*", "v1", "v12", "v1alpha1", "v2beta3", "v10beta10"] {
            assert!(is_version(yes), "{yes}");
        }
        for no in [
            "", "v", "1", "va1", "v1alpha", "v1gamma1", "V1", "v1beta1x", "apps",
        ] {
            assert!(!is_version(no), "{no}");
        }
    }

    /// match_test.go (pkg/engine/utils), TestCheckNameSpace and
    /// TestCheckNameSpace_WildcardPatterns: (namespaces, kind, name,
    /// namespace, matched). An empty list is "no condition" in a rule, so
    /// that case is left to `empty_lists_are_no_condition`.
    #[test]
    fn kyverno_check_namespace_table() {
        let cases = [
            (&["default"][..], "Pod", "p", "default", true),
            (&["production", "staging"], "Pod", "p", "default", false),
            (&["prod-*"], "Pod", "p", "prod-us-east", true),
            (&["kube-system"], "Namespace", "kube-system", "", true),
            (&["default"], "Namespace", "production", "", false),
            (&["*"], "Pod", "p", "any-namespace", true),
            (
                &["dev-*", "test-*", "prod-*"],
                "Pod",
                "p",
                "test-environment",
                true,
            ),
            (&[""], "ClusterRole", "admin", "", true),
            (&["kube-*"], "Pod", "p", "kube-system", true),
            (&["*-system"], "Pod", "p", "kube-system", true),
            (&["kube-*-system"], "Pod", "p", "kube-test-system", true),
            (&["prod-*"], "Pod", "p", "staging-app", false),
            (&["default"], "Pod", "p", "default", true),
            (&["defaultx"], "Pod", "p", "default", false),
            // A cluster-scoped object has the empty namespace.
            (&["*"], "ClusterRole", "admin", "", true),
            (&["default"], "ClusterRole", "admin", "", false),
        ];
        for (namespaces, kind, name, namespace, expected) in cases {
            let matching = json!({"resources": {"kinds": ["*"], "namespaces": namespaces}});
            let object = object("v1", kind, name, namespace);
            assert_eq!(
                applies(&matching, None, &object),
                Ok(expected),
                "{namespaces:?} on {kind} {namespace}/{name}"
            );
        }
    }

    /// annotations_test.go (pkg/utils/match), TestCheckAnnotations.
    #[test]
    fn kyverno_check_annotations_table() {
        let cases = [
            (json!({}), json!({}), true),
            (json!({"test/*": "*"}), json!({}), false),
            (json!({"test/*": "*"}), json!({"tes1/test": "*"}), false),
            (json!({"test/*": "*"}), json!({"test/test": "*"}), true),
            (json!({"test/*": "*"}), json!({"test/bar": "foo"}), true),
            (json!({"test/b*": "*"}), json!({"test/bar": "foo"}), true),
            (
                json!({"test/b*": "*", "test2/*": "*"}),
                json!({"test/bar": "foo"}),
                false,
            ),
            (
                json!({"test/b*": "*", "test2/*": "*"}),
                json!({"test/bar": "foo", "test2/123": "bar"}),
                true,
            ),
            (
                json!({"test/b*": "*", "test2/*": "*"}),
                json!({"test/bar": "foo", "test2/123": "bar", "test3/123": "bar2"}),
                true,
            ),
            // Values match by wildcard too, and exactly otherwise.
            (json!({"team": "a?c"}), json!({"team": "abc"}), true),
            (json!({"team": "abc"}), json!({"team": "abd"}), false),
        ];
        for (expected_annotations, actual, expected) in cases {
            let matching =
                json!({"resources": {"kinds": ["Pod"], "annotations": expected_annotations}});
            let mut object = pod("p", "default");
            object["metadata"]["annotations"] = actual.clone();
            assert_eq!(
                applies(&matching, None, &object),
                Ok(expected),
                "{expected_annotations} on {actual}"
            );
        }
    }

    /// labels_test.go (pkg/utils/match), TestCheckSelector: (selector,
    /// labels, matched, or None for Kyverno's selector error).
    #[test]
    fn kyverno_check_selector_table() {
        let scale = json!({"test.io/scale": "foo", "test.io/functional": "bar"});
        let cases = [
            (json!({}), json!({}), Some(true)),
            (json!({}), json!({"foo": "bar"}), Some(true)),
            (
                json!({"matchLabels": {"test.io/*": "bar"}}),
                json!({"foo": "bar"}),
                Some(false),
            ),
            (
                json!({"matchLabels": {"scale.test.io/*": "bar"}}),
                json!({"foo": "bar"}),
                Some(false),
            ),
            (
                json!({"matchLabels": {"test.io/*": "bar"}}),
                scale.clone(),
                Some(true),
            ),
            (
                json!({"matchLabels": {"test.io/*": "*"}}),
                scale.clone(),
                Some(true),
            ),
            (
                json!({"matchLabels": {"test.io/*": "a*"}}),
                scale.clone(),
                Some(false),
            ),
            (
                json!({"matchLabels": {"test.io/scale": "f??"}}),
                scale.clone(),
                Some(true),
            ),
            (
                json!({"matchLabels": {"*": "*"}}),
                scale.clone(),
                Some(true),
            ),
            (
                json!({"matchLabels": {"test.io/functional": "foo"}}),
                scale.clone(),
                Some(false),
            ),
            (json!({"matchLabels": {"*": "*"}}), json!({}), Some(false)),
            (
                json!({"matchLabels": {"abc/def/ghi": "*"}}),
                json!({}),
                None,
            ),
        ];
        for (selector, labels, expected) in cases {
            let matching = json!({"resources": {"kinds": ["Pod"], "selector": selector}});
            let mut object = pod("p", "default");
            object["metadata"]["labels"] = labels.clone();
            let result = applies(&matching, None, &object);
            match expected {
                Some(expected) => assert_eq!(result, Ok(expected), "{selector} on {labels}"),
                None => assert!(result.is_err(), "{selector} on {labels}: {result:?}"),
            }
        }
    }

    /// Kubernetes' label selector requirements, which Kyverno uses as they
    /// are (values compare exactly, no wildcards).
    #[test]
    fn match_expressions_as_kubernetes() {
        let labels = json!({"app": "web", "tier": "front"});
        let expression = |operator: &str, values: Value| json!({"matchExpressions": [{"key": "app", "operator": operator, "values": values}]});
        let cases = [
            (expression("In", json!(["web", "api"])), true),
            (expression("In", json!(["api"])), false),
            (expression("NotIn", json!(["api"])), true),
            (expression("NotIn", json!(["web"])), false),
            (expression("Exists", json!([])), true),
            (expression("DoesNotExist", json!(null)), false),
            (
                json!({"matchExpressions": [{"key": "db", "operator": "NotIn", "values": ["x"]}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "db", "operator": "In", "values": ["x"]}]}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "db", "operator": "DoesNotExist"}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "db", "operator": "Exists"}]}),
                false,
            ),
            // matchLabels and matchExpressions must all hold.
            (
                json!({"matchLabels": {"tier": "front"}, "matchExpressions": [{"key": "app", "operator": "Exists"}]}),
                true,
            ),
            (
                json!({"matchLabels": {"tier": "back"}, "matchExpressions": [{"key": "app", "operator": "Exists"}]}),
                false,
            ),
        ];
        for (selector, expected) in cases {
            let matching = json!({"resources": {"kinds": ["Pod"], "selector": selector}});
            let mut object = pod("p", "default");
            object["metadata"]["labels"] = labels.clone();
            assert_eq!(
                applies(&matching, None, &object),
                Ok(expected),
                "{selector}"
            );
        }
    }

    #[test]
    fn malformed_selectors_are_errors() {
        let cases = [
            (
                json!({"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["a"]}]}),
                "match.resources.selector.matchExpressions[0]: \"Equals\" is not a valid label selector operator",
            ),
            (
                json!({"matchExpressions": [{"key": "app", "operator": "In", "values": []}]}),
                "match.resources.selector.matchExpressions[0].values: for 'in', 'notin' operators, values set can't be empty",
            ),
            (
                json!({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["a"]}]}),
                "match.resources.selector.matchExpressions[0].values: values set must be empty for exists and does not exist",
            ),
            (
                json!({"matchExpressions": [{"operator": "Exists"}]}),
                "match.resources.selector.matchExpressions[0].key: Required value",
            ),
            (
                json!({"matchLabels": {"app": 3}}),
                "match.resources.selector.matchLabels.app: expected a string, found a number",
            ),
            (
                json!({"matchLabels": {"app": "a b"}}),
                "match.resources.selector: invalid label value: \"a b\"",
            ),
            (
                json!({"matchLabels": {"Bad_Prefix/app": "x"}}),
                "match.resources.selector: invalid label key \"Bad_Prefix/app\"",
            ),
            (
                json!(["app"]),
                "match.resources.selector: expected a map, found a list",
            ),
            // No wildcards in matchExpressions: `*` is no label value.
            (
                json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["w*"]}]}),
                "match.resources.selector: invalid label value: \"w*\"",
            ),
        ];
        for (selector, message) in cases {
            let matching = json!({"resources": {"kinds": ["Pod"], "selector": selector}});
            assert_eq!(
                applies(&matching, None, &pod("p", "default")),
                Err(message.to_string()),
                "{selector}"
            );
        }
    }

    #[test]
    fn label_keys_and_values_follow_kubernetes() {
        for good in ["app", "app.kubernetes.io/name", "a-b_c.d", "x/y", "A1"] {
            assert_eq!(check_label(good, "", "s"), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-app",
            "app-",
            "Upper.io/x",
            "a/b/c",
            "/x",
            "x/",
            &"a".repeat(64),
        ] {
            assert!(check_label(bad, "", "s").is_err(), "{bad}");
        }
        for good in ["", "v1", "a.b-c_d"] {
            assert_eq!(check_label("k", good, "s"), Ok(()), "{good}");
        }
        for bad in ["a b", "-v", "v-", &"v".repeat(64)] {
            assert!(check_label("k", bad, "s").is_err(), "{bad}");
        }
    }

    /// utils_test.go (pkg/engine/utils), TestMatchesResourceDescription:
    /// the cases that do not depend on the request's user info, which an
    /// offline check does not have. (match, exclude, object, applies).
    #[test]
    fn kyverno_matches_resource_description_table() {
        let prod_abc = pod("abc", "prod");
        let prod_dev = pod("dev", "prod");
        let default_abc = pod("abc", "default");
        let any_dev_or_prod = json!({"any": [
            {"resources": {"kinds": ["Pod"], "names": ["dev"]}},
            {"resources": {"kinds": ["Pod"], "namespaces": ["prod"]}},
        ]});
        let all_pods = json!({"all": [{"resources": {"kinds": ["Pod"]}}]});
        let exclude_any = json!({"any": [
            {"resources": {"kinds": ["Pod"], "names": ["dev"]}},
            {"resources": {"kinds": ["Pod"], "namespaces": ["default"]}},
        ]});
        let hello = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "hello-world", "labels": {"name": "hello-world"}},
        });
        let bye = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "bye-world", "labels": {"name": "hello-world"}},
        });
        let service = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "hello-world", "labels": {"name": "hello-world"}},
        });
        let deployment = |api_version: &str| {
            json!({"apiVersion": api_version, "kind": "Deployment",
                   "metadata": {"name": "qos-demo", "labels": {"test": "qos"}}})
        };
        let cluster_role = json!({
            "kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": "secret-reader-demo", "namespace": "default"},
        });
        let match_pods = json!({"resources": {"kinds": ["Pod"]}});
        let exclude_hello_for_nodes =
            json!({"resources": {"name": "hello-world"}, "clusterRoles": ["system:node"]});
        let qos = json!({"resources": {"kinds": ["apps/v1/Deployment"], "selector": {"matchLabels": {"test": "qos"}}}});
        let cases = [
            // Match Any matches the Pod / does not match the Pod.
            (any_dev_or_prod.clone(), None, prod_abc.clone(), true),
            (any_dev_or_prod.clone(), None, default_abc.clone(), false),
            // Match All matches the Pod / does not match the Pod.
            (
                json!({"all": [
                    {"resources": {"kinds": ["Pod"], "names": ["abc"]}},
                    {"resources": {"kinds": ["Pod"], "namespaces": ["prod"]}},
                ]}),
                None,
                prod_abc.clone(),
                true,
            ),
            (
                json!({"all": [
                    {"resources": {"kinds": ["Pod"], "names": ["xyz"]}},
                    {"resources": {"kinds": ["Pod"], "namespaces": ["prod"]}},
                ]}),
                None,
                prod_abc.clone(),
                false,
            ),
            // Exclude Any excludes the Pod / does not exclude the Pod.
            (
                all_pods.clone(),
                Some(exclude_any.clone()),
                prod_dev.clone(),
                false,
            ),
            (
                all_pods.clone(),
                Some(exclude_any.clone()),
                prod_abc.clone(),
                true,
            ),
            // Exclude All excludes the Pod / does not exclude the Pod.
            (
                all_pods.clone(),
                Some(json!({"all": [
                    {"resources": {"kinds": ["Pod"], "names": ["dev"]}},
                    {"resources": {"kinds": ["Pod"], "namespaces": ["prod"]}},
                ]})),
                prod_dev.clone(),
                false,
            ),
            (
                all_pods.clone(),
                Some(json!({"all": [
                    {"resources": {"kinds": ["Pod"], "names": ["abc"]}},
                    {"resources": {"kinds": ["Pod"], "namespaces": ["default"]}},
                ]})),
                prod_abc.clone(),
                true,
            ),
            // "Should not fail if in sync mode, if admission info is empty
            // it should still match": an exclude with clusterRoles does not
            // exclude without user info.
            (
                match_pods.clone(),
                Some(exclude_hello_for_nodes.clone()),
                hello.clone(),
                true,
            ),
            // "Should fail since resource does not match because of names
            // field": the match's clusterRoles are dropped, names decide.
            (
                json!({"resources": {"kinds": ["Pod"], "names": ["dev-*"]}, "clusterRoles": ["system:node"]}),
                None,
                hello.clone(),
                false,
            ),
            (
                json!({"resources": {"kinds": ["Pod"], "names": ["dev-*", "hello-world"]}, "clusterRoles": ["system:node"]}),
                None,
                hello.clone(),
                true,
            ),
            // Excluded, or not, because of the names field.
            (
                match_pods.clone(),
                Some(json!({"resources": {"names": ["dev-*", "hello-*"]}})),
                hello.clone(),
                false,
            ),
            (
                match_pods.clone(),
                Some(json!({"resources": {"names": ["dev-*", "hello-*"]}})),
                bye.clone(),
                true,
            ),
            // Should fail since resource does not match policy.
            (
                match_pods.clone(),
                Some(exclude_hello_for_nodes.clone()),
                service.clone(),
                false,
            ),
            // Group, version, kind.
            (qos.clone(), None, deployment("apps/v1"), true),
            (
                json!({"resources": {"kinds": ["v1/Pod"]}}),
                None,
                hello.clone(),
                true,
            ),
            (qos.clone(), None, deployment("apps/v1beta1"), false),
            (
                json!({"resources": {"kinds": ["rbac.authorization.k8s.io/v1beta1/ClusterRole"]}}),
                None,
                cluster_role.clone(),
                false,
            ),
            // GVK is case sensitive.
            (
                json!({"resources": {"kinds": ["pod"]}}),
                None,
                hello.clone(),
                false,
            ),
            (
                json!({"resources": {"kinds": ["apps/v1/deployment"], "selector": {"matchLabels": {"test": "qos"}}}}),
                None,
                deployment("apps/v1"),
                false,
            ),
        ];
        for (i, (matching, exclude, object, expected)) in cases.into_iter().enumerate() {
            assert_eq!(
                applies(&matching, exclude.as_ref(), &object),
                Ok(expected),
                "case {i}: {matching} / {exclude:?}"
            );
        }
    }

    /// utils_test.go (pkg/engine/utils), TestMatchesResourceDescription_GenerateName:
    /// an object named only by `generateName` is matched by it.
    #[test]
    fn generate_name_stands_for_the_name() {
        let object = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"generateName": "abc", "namespace": "prod"},
        });
        let cases = [
            (
                json!({"resources": {"kinds": ["Pod"], "names": ["abc"]}}),
                true,
            ),
            (
                json!({"resources": {"kinds": ["Pod"], "name": "ab*"}}),
                true,
            ),
            (
                json!({"resources": {"kinds": ["Pod"], "names": ["dev"]}}),
                false,
            ),
        ];
        for (matching, expected) in cases {
            assert_eq!(
                applies(&matching, None, &object),
                Ok(expected),
                "{matching}"
            );
        }
        let named = json!({"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": "real", "generateName": "abc"}});
        let by_generate_name = json!({"resources": {"kinds": ["Pod"], "names": ["abc"]}});
        assert_eq!(applies(&by_generate_name, None, &named), Ok(false));
    }

    /// match_resources_test.go (pkg/utils/match), TestCheckMatchesResources_Any.
    #[test]
    fn kyverno_check_matches_resources_any() {
        let object = pod("test-pod", "test-ns");
        let matching = json!({"any": [{"resources": {"kinds": ["Pod"], "names": ["test-pod"]}}]});
        assert_eq!(applies(&matching, None, &object), Ok(true));
        let matching = json!({"any": [{"resources": {"kinds": ["Deployment"]}}]});
        assert_eq!(applies(&matching, None, &object), Ok(false));
    }

    #[test]
    fn names_and_name() {
        let object = pod("web-1", "default");
        let cases = [
            (json!({"name": "web-1"}), true),
            (json!({"name": "web-*"}), true),
            (json!({"name": "web-?"}), true),
            (json!({"name": "web"}), false),
            (json!({"names": ["db", "web-*"]}), true),
            (json!({"names": ["db", "api"]}), false),
            // Both set: both must hold.
            (json!({"name": "web-*", "names": ["db"]}), false),
            (json!({"name": "web-*", "names": ["web-1"]}), true),
        ];
        for (resources, expected) in cases {
            let mut resources = resources;
            resources["kinds"] = json!(["Pod"]);
            let matching = json!({"resources": resources});
            assert_eq!(
                applies(&matching, None, &object),
                Ok(expected),
                "{matching}"
            );
        }
    }

    #[test]
    fn operations_empty_means_all() {
        let object = pod("p", "default");
        let cases = [
            (json!([]), "CREATE", true),
            (json!(null), "DELETE", true),
            (json!(["CREATE"]), "CREATE", true),
            (json!(["CREATE", "UPDATE"]), "UPDATE", true),
            (json!(["UPDATE"]), "CREATE", false),
            (json!(["DELETE"]), "CREATE", false),
            (json!(["CONNECT"]), "CONNECT", true),
        ];
        for (operations, operation, expected) in cases {
            let matching = json!({"resources": {"kinds": ["Pod"], "operations": operations}});
            assert_eq!(
                applies_in(&matching, &object, operation, None),
                Ok(expected),
                "{operations} on {operation}"
            );
        }
        let bad = json!({"resources": {"kinds": ["Pod"], "operations": ["create"]}});
        assert_eq!(
            applies(&bad, None, &object),
            Err(
                "match.resources.operations: unsupported value \"create\": supported values: \
                 \"CREATE\", \"CONNECT\", \"UPDATE\", \"DELETE\""
                    .to_string()
            )
        );
    }

    #[test]
    fn operations_also_scope_exclude() {
        let object = pod("p", "default");
        let matching = json!({"resources": {"kinds": ["Pod"]}});
        let on_delete = json!({"resources": {"kinds": ["Pod"], "operations": ["DELETE"]}});
        let on_create = json!({"resources": {"kinds": ["Pod"], "operations": ["CREATE"]}});
        assert_eq!(applies(&matching, Some(&on_delete), &object), Ok(true));
        assert_eq!(applies(&matching, Some(&on_create), &object), Ok(false));
    }

    /// `namespaceSelector` against the labels of the object's Namespace;
    /// Kyverno reads unknown labels as none.
    #[test]
    fn namespace_selector() {
        let labels = json!({"env": "prod", "team": "ml"});
        let no_labels = json!({});
        let selector = |selector: Value| json!({"resources": {"kinds": ["Pod", "ConfigMap", "Namespace", "ClusterRole"], "namespaceSelector": selector}});
        let pod = pod("p", "apps");
        let cases = [
            (
                selector(json!({"matchLabels": {"env": "prod"}})),
                Some(&labels),
                true,
            ),
            (
                selector(json!({"matchLabels": {"env": "dev"}})),
                Some(&labels),
                false,
            ),
            (
                selector(json!({"matchLabels": {"env": "p*"}})),
                Some(&labels),
                true,
            ),
            (
                selector(json!({"matchLabels": {"env": "prod"}})),
                None,
                false,
            ),
            (
                selector(json!({"matchLabels": {"env": "prod"}})),
                Some(&no_labels),
                false,
            ),
            (
                selector(
                    json!({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}),
                ),
                None,
                true,
            ),
            (
                selector(json!({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]})),
                Some(&labels),
                false,
            ),
            (selector(json!({})), None, true),
        ];
        for (matching, namespace_labels, expected) in cases {
            assert_eq!(
                applies_in(&matching, &pod, "CREATE", namespace_labels),
                Ok(expected),
                "{matching} with {namespace_labels:?}"
            );
        }
        // A Namespace is never selected by a namespaceSelector.
        let namespace = object("v1", "Namespace", "apps", "");
        let everything = selector(json!({}));
        assert_eq!(
            applies_in(&everything, &namespace, "CREATE", Some(&labels)),
            Ok(false)
        );
        // A cluster-scoped object is judged against the labels it is given.
        let role = object("rbac.authorization.k8s.io/v1", "ClusterRole", "r", "");
        let prod = selector(json!({"matchLabels": {"env": "prod"}}));
        assert_eq!(applies_in(&prod, &role, "CREATE", None), Ok(false));
    }

    /// An object without a kind is only held to the namespaceSelector under
    /// `kinds: ["*"]` (doesResourceMatchConditionBlock).
    #[test]
    fn namespace_selector_on_an_object_without_kind() {
        let object = json!({"apiVersion": "v1", "metadata": {"name": "x", "namespace": "n"}});
        let prod = json!({"matchLabels": {"env": "prod"}});
        let wildcard = json!({"resources": {"kinds": ["*"], "namespaceSelector": prod}});
        assert_eq!(applies_in(&wildcard, &object, "CREATE", None), Ok(false));
        let named = json!({"resources": {"kinds": ["*"], "names": ["x"], "namespaceSelector": {}}});
        assert_eq!(applies_in(&named, &object, "CREATE", None), Ok(true));
    }

    #[test]
    fn every_attribute_of_a_filter_must_hold() {
        let mut object = pod("web", "prod");
        object["metadata"]["labels"] = json!({"app": "web"});
        object["metadata"]["annotations"] = json!({"owner": "ml"});
        let full = json!({
            "kinds": ["Pod"], "names": ["web"], "namespaces": ["prod"],
            "annotations": {"owner": "ml"}, "selector": {"matchLabels": {"app": "web"}},
            "operations": ["CREATE"],
        });
        let matching = json!({"resources": full});
        assert_eq!(applies(&matching, None, &object), Ok(true));
        let spoilers = [
            ("kinds", json!(["Service"])),
            ("names", json!(["api"])),
            ("namespaces", json!(["dev"])),
            ("annotations", json!({"owner": "infra"})),
            ("selector", json!({"matchLabels": {"app": "api"}})),
            ("operations", json!(["UPDATE"])),
        ];
        for (key, value) in spoilers {
            let mut resources = full.clone();
            resources[key] = value;
            let matching = json!({"resources": resources});
            assert_eq!(applies(&matching, None, &object), Ok(false), "{key}");
        }
    }

    #[test]
    fn empty_lists_are_no_condition() {
        let matching = json!({"resources": {"kinds": ["Pod"], "names": [], "namespaces": [],
                                            "annotations": {}, "operations": []}});
        assert_eq!(applies(&matching, None, &pod("p", "default")), Ok(true));
    }

    /// `any` wins over `all`, `all` over the direct form.
    #[test]
    fn any_wins_over_all_and_direct() {
        let object = pod("p", "default");
        let matching = json!({
            "any": [{"resources": {"kinds": ["Pod"]}}],
            "all": [{"resources": {"kinds": ["Service"]}}],
            "resources": {"kinds": ["Service"]},
        });
        assert_eq!(applies(&matching, None, &object), Ok(true));
        let matching = json!({
            "all": [{"resources": {"kinds": ["Pod"]}}],
            "resources": {"kinds": ["Service"]},
        });
        assert_eq!(applies(&matching, None, &object), Ok(true));
        let exclude = json!({
            "any": [{"resources": {"kinds": ["Service"]}}],
            "resources": {"kinds": ["Pod"]},
        });
        let matching = json!({"resources": {"kinds": ["Pod"]}});
        assert_eq!(applies(&matching, Some(&exclude), &object), Ok(true));
    }

    /// Offline there is no user: a match filter's user info is dropped (and
    /// nothing left matches nothing), an exclude filter's never holds.
    #[test]
    fn user_info_offline() {
        let object = pod("p", "default");
        let subjects = json!([{"kind": "User", "name": "alice"}]);
        let cases = [
            (
                json!({"any": [{"resources": {"kinds": ["Pod"]}, "subjects": subjects}]}),
                None,
                true,
            ),
            (
                json!({"resources": {"kinds": ["Pod"]}, "roles": ["default:admin"]}),
                None,
                true,
            ),
            (
                json!({"any": [{"resources": {"kinds": ["Service"]}, "subjects": subjects}]}),
                None,
                false,
            ),
            (
                json!({"resources": {"kinds": ["Pod"]}}),
                Some(json!({"any": [{"resources": {"kinds": ["Pod"]}, "subjects": subjects}]})),
                true,
            ),
            (
                json!({"resources": {"kinds": ["Pod"]}}),
                Some(json!({"clusterRoles": ["cluster-admin"]})),
                true,
            ),
            (
                json!({"resources": {"kinds": ["Pod"]}}),
                Some(json!({"all": [{"resources": {"kinds": ["Pod"]}}, {"roles": ["ns:r"]}]})),
                true,
            ),
        ];
        for (matching, exclude, expected) in cases {
            assert_eq!(
                applies(&matching, exclude.as_ref(), &object),
                Ok(expected),
                "{matching} / {exclude:?}"
            );
        }
    }

    #[test]
    fn empty_exclude_filters_exclude_nothing() {
        let object = pod("p", "default");
        let matching = json!({"resources": {"kinds": ["Pod"]}});
        for exclude in [
            json!({}),
            json!(null),
            json!({"resources": {}}),
            json!({"any": [{}]}),
            json!({"all": [{"resources": {}}]}),
            json!({"any": [{}, {"resources": {"kinds": ["Pod"]}}]}),
        ] {
            let expected = exclude
                .get("any")
                .and_then(Value::as_array)
                .is_none_or(|a| a.len() < 2);
            assert_eq!(
                applies(&matching, Some(&exclude), &object),
                Ok(expected),
                "{exclude}"
            );
        }
    }

    /// A match filter without kinds is refused by Kyverno's policy
    /// validation (`validateMatchKindHelper`), so it never selects.
    #[test]
    fn match_without_kinds_is_an_error() {
        let object = pod("p", "default");
        let message = "match: at least one element must be specified in a kind block, the kind \
                       attribute is mandatory when working with the resources element";
        for matching in [
            json!({}),
            json!({"resources": {}}),
            json!({"resources": {"names": ["p"]}}),
            json!({"any": [{"resources": {"kinds": ["Pod"]}}, {"resources": {"names": ["p"]}}]}),
            json!({"all": [{"resources": {"names": ["p"]}}]}),
            json!({"subjects": [{"kind": "User", "name": "alice"}]}),
        ] {
            assert_eq!(
                applies(&matching, None, &object),
                Err(message.to_string()),
                "{matching}"
            );
        }
        // The exclude block needs no kinds.
        let exclude = json!({"resources": {"names": ["p"]}});
        assert_eq!(
            applies(&kinds(&["Pod"]), Some(&exclude), &object),
            Ok(false)
        );
    }

    #[test]
    fn malformed_blocks_are_errors() {
        let object = pod("p", "default");
        let cases = [
            (json!([]), None, "match: expected a map, found a list"),
            (
                json!({"resources": {"kinds": "Pod"}}),
                None,
                "match.resources.kinds: expected a list of strings, found a string",
            ),
            (
                json!({"resources": {"kinds": [1]}}),
                None,
                "match.resources.kinds: expected strings, found a number",
            ),
            (
                json!({"any": {"resources": {"kinds": ["Pod"]}}}),
                None,
                "match.any: expected a list of resource filters",
            ),
            (
                json!({"all": ["Pod"]}),
                None,
                "match.all[0]: expected a map, found a string",
            ),
            (
                json!({"resources": {"kinds": ["Pod"], "name": ["p"]}}),
                None,
                "match.resources.name: expected a string",
            ),
            (
                json!({"resources": {"kinds": ["Pod"], "annotations": ["a"]}}),
                None,
                "match.resources.annotations: expected a map of strings, found a list",
            ),
            (
                json!({"resources": {"kinds": ["Pod"]}}),
                Some(json!({"any": [{"resources": {"namespaces": "x"}}]})),
                "exclude.any[0].resources.namespaces: expected a list of strings, found a string",
            ),
            (
                json!({"resources": {"kinds": ["Pod"]}}),
                Some(json!("Pod")),
                "exclude: expected a map, found a string",
            ),
        ];
        for (matching, exclude, message) in cases {
            assert_eq!(
                applies(&matching, exclude.as_ref(), &object),
                Err(message.to_string()),
                "{matching}"
            );
        }
    }

    /// Exclude is only looked at once match holds, so a malformed exclude
    /// is still reported: it is parsed first.
    #[test]
    fn exclude_is_parsed_even_when_match_fails() {
        let object = pod("p", "default");
        let exclude = json!({"resources": {"kinds": "Pod"}});
        assert!(applies(&kinds(&["Service"]), Some(&exclude), &object).is_err());
    }

    #[test]
    fn objects_missing_metadata_do_not_panic() {
        for object in [
            json!({}),
            json!(null),
            json!({"apiVersion": 1, "metadata": "x"}),
            json!([1]),
        ] {
            assert_eq!(
                applies(&kinds(&["Pod"]), None, &object),
                Ok(false),
                "{object}"
            );
            assert_eq!(applies(&kinds(&["*"]), None, &object), Ok(true), "{object}");
        }
        // Without apiVersion the group and version are empty, which `*` matches.
        let bare = json!({"kind": "Pod", "metadata": "x"});
        assert_eq!(applies(&kinds(&["Pod"]), None, &bare), Ok(true));
        assert_eq!(applies(&kinds(&["v1/Pod"]), None, &bare), Ok(false));
    }
}
