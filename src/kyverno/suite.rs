//! Kyverno CLI test suites (`kyverno-test.yaml`): reading them, reading their
//! values files, finding them, and comparing an engine's results with what
//! they expect. No engine here: [`compare`] takes the results as
//! [`Observed`] rows.
//!
//! Read from Kyverno's CLI (`cmd/cli/kubectl-kyverno/`): the API types
//! (`apis/v1alpha1/test.go`, `test_result.go`, `values_spec.go`), how tests
//! are found and loaded (`test/load.go`: a recursive walk for files named
//! `kyverno-test.yaml`, the `--file-name` default, each read with
//! `yaml.UnmarshalStrict`), how values become variables
//! (`variables/variables.go`, `processor/policy_processor.go`) and how
//! results are checked (`commands/test/output.go`, `command.go`).
//!
//! # Suites
//!
//! Both forms are read: `apiVersion: cli.kyverno.io/v1alpha1`, `kind:
//! Test` with `metadata.name`, and the older one with a top-level `name`.
//! A result names its resources with `resources` (a list of `name` or
//! `namespace/name`), or the older singular `resource`; its verdict with
//! `result`, or the older `status`; `namespace` (older) restricts it to
//! resources of that namespace. `policies`, `resources` and `variables` are
//! paths relative to the suite's directory. As with `UnmarshalStrict`, an
//! unknown field is an error. Fields this reader knows but charter does not
//! run (mutation and generation checks, `userinfo`, `exceptions`, `checks`,
//! inline `values`, `targetResources`, ...) are listed in
//! [`Suite::unsupported`], each with what it is, so a caller can say so
//! instead of passing silently.
//!
//! # Values
//!
//! [`Values`] is the `variables:` file: the `cli.kyverno.io/v1alpha1`
//! `Values` kind or the same fields without `apiVersion`/`kind`:
//! `globalValues`, `policies[].resources[].values`,
//! `policies[].rules[].values` (and `foreachValues`), `namespaceSelector[]`
//! (`name`, `labels`), `namespaces[]` (Namespace objects, which Kyverno
//! prefers over `namespaceSelector` for the same name) and `subresources`.
//! As Kyverno computes a resource's variables, [`Values::for_resource`]
//! lays a resource's values over the global ones; `request.operation`
//! there (`DELETE`, `UPDATE`, else `CREATE`) is the request's operation.
//! Rule values are what Kyverno's CLI puts in the rule's context before
//! its `context` entries load; offline, `configMap` and `apiCall` entries
//! do not load, so rule values are how a suite gives them. A `variable`
//! context entry still loads and replaces a rule value of the same name.
//!
//! # Comparing
//!
//! For each expected result and each of its resources, [`compare`] looks
//! for observed results of the same policy (a `namespace/name` policy must
//! match both), kind (when the expectation names one), resource (`name` matches that name in any namespace,
//! `namespace/name` only that one) and rule: `rule`, or the rules Kyverno
//! generates for Pod controllers, `autogen-rule` and `autogen-cronjob-rule`.
//! Each one found is one outcome, right when its status is the one wanted.
//!
//! Where none is found, the rule did not apply to the resource (match or
//! exclude). Kyverno's CLI (since 1.11.2, PR 9274) reports that as
//! "Excluded" and counts it as a pass whatever was expected; its
//! documentation calls it a skip (issue 10497). charter accepts it only for
//! an expected `skip`, and says "no result" otherwise, so a suite cannot
//! pass by naming the wrong rule. With [`compare_loaded`] a resource that is not
//! among those loaded at all is "not found", as in Kyverno.
//!
//! Not as in Kyverno, on purpose: Kyverno 1.11 to 1.17 count an expected
//! `fail` as met whatever the result (`success := ok || want == fail` in
//! `printTestResult`, Kyverno issues 9804 and 11519, still open); charter
//! wants the result it was told.
//!
//! # Not supported
//!
//! - Test files fetched from Git (`kyverno test https://...`).
//! - `checks` (assertions on rule responses), `resourceSpecs`, and results
//!   for ValidatingAdmissionPolicies and the CEL policy kinds: reported in
//!   [`Suite::unsupported`].
//! - A result without resources: Kyverno then checks every resource; here
//!   it is reported in [`Suite::unsupported`] and has no resources.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::yaml::{self, Node};

/// The file name Kyverno's `test` command looks for (its `--file-name`
/// default).
pub const TEST_FILE_NAME: &str = "kyverno-test.yaml";

/// A parsed kyverno-test.yaml (both `apiVersion: cli.kyverno.io/v1alpha1,
/// kind: Test` and the older form with a top-level `name`,
/// `results[].status` and singular `results[].resource`).
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub path: PathBuf,
    /// `metadata.name`, else the older `name`, else the directory's name.
    pub name: String,
    /// Resolved against the suite's directory.
    pub policies: Vec<PathBuf>,
    pub resources: Vec<PathBuf>,
    pub variables: Option<PathBuf>,
    pub expectations: Vec<Expectation>,
    /// What the suite asks for that charter does not check, each as
    /// `line N: field: what it is`.
    pub unsupported: Vec<String>,
}

/// One expected result for one policy rule and its resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// May be `namespace/name` for a namespaced Policy.
    pub policy: String,
    pub rule: String,
    pub kind: String,
    /// Each `name` or `namespace/name`.
    pub resources: Vec<String>,
    /// The older `namespace` field: only resources of this namespace.
    pub namespace: Option<String>,
    pub result: Status,
    /// 1-based line of the result entry in the file, for messages.
    pub line: usize,
}

/// A rule's result, as Kyverno's policy reports name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Skip,
    Error,
    Warn,
}

impl Status {
    /// Kyverno's spelling, which is lower case only.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "pass" => Some(Status::Pass),
            "fail" => Some(Status::Fail),
            "skip" => Some(Status::Skip),
            "error" => Some(Status::Error),
            "warn" => Some(Status::Warn),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::Warn => "warn",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The values file of a suite (`variables:`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    global: Map<String, Value>,
    policies: Vec<PolicyValues>,
    /// Namespace name and labels: `namespaceSelector` entries, then
    /// `namespaces` entries; the last one of a name wins, as in Kyverno's
    /// map (where `namespaces` are written after `namespaceSelector`).
    namespaces: Vec<(String, Map<String, Value>)>,
    subresources: Vec<Subresource>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct PolicyValues {
    name: String,
    resources: Vec<(String, Map<String, Value>)>,
    rules: Vec<RuleValues>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct RuleValues {
    name: String,
    values: Map<String, Value>,
    foreach_values: Vec<Map<String, Value>>,
}

/// A `subresources` entry: a subresource kind and the resource it belongs
/// to, so that a policy on `Deployment/scale` can be given a `Scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subresource {
    /// `name` (`deployments/scale`), `group`, `version` and `kind`.
    pub subresource: ApiResource,
    pub parent: ApiResource,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiResource {
    pub name: String,
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Values {
    /// `globalValues`.
    pub fn global(&self) -> &Map<String, Value> {
        &self.global
    }

    /// `policies[name=policy].rules[name=rule].values`, when given.
    pub fn for_rule(&self, policy: &str, rule: &str) -> Option<&Map<String, Value>> {
        self.rule(policy, rule).map(|rule| &rule.values)
    }

    /// `policies[name=policy].rules[name=rule].foreachValues`: one map per
    /// `foreach` block, of variable name to one value per element.
    pub fn foreach_values(&self, policy: &str, rule: &str) -> &[Map<String, Value>] {
        self.rule(policy, rule)
            .map(|rule| rule.foreach_values.as_slice())
            .unwrap_or_default()
    }

    fn rule(&self, policy: &str, rule: &str) -> Option<&RuleValues> {
        self.policies
            .iter()
            .filter(|values| values.name == policy)
            .flat_map(|values| &values.rules)
            .find(|values| values.name == rule)
    }

    /// The variables of a resource for a policy, as Kyverno's CLI computes
    /// them: `globalValues`, then the values of every
    /// `policies[name=policy].resources[name=resource]` over them.
    pub fn for_resource(&self, policy: &str, resource: &str) -> Map<String, Value> {
        let mut merged = self.global.clone();
        for values in self.policies.iter().filter(|values| values.name == policy) {
            for (name, values) in &values.resources {
                if name == resource {
                    merged.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        merged
    }

    /// The request's operation for a resource: `request.operation` among
    /// its values when it is `DELETE` or `UPDATE`, else `CREATE` (Kyverno's
    /// `makePolicyContext`).
    pub fn operation(&self, policy: &str, resource: &str) -> &'static str {
        match self.for_resource(policy, resource).get("request.operation") {
            Some(Value::String(op)) if op == "DELETE" => "DELETE",
            Some(Value::String(op)) if op == "UPDATE" => "UPDATE",
            _ => "CREATE",
        }
    }

    /// The labels of a namespace, when the values file names it.
    pub fn namespace_labels(&self, namespace: &str) -> Option<&Map<String, Value>> {
        self.namespaces
            .iter()
            .rfind(|(name, _)| name == namespace)
            .map(|(_, labels)| labels)
    }

    pub fn subresources(&self) -> &[Subresource] {
        &self.subresources
    }
}

/// Reads a suite. Errors name the file and, for its content, the line.
pub fn load_suite(path: &Path) -> Result<Suite, String> {
    let root = read_yaml(path)?;
    let file = File { path };
    let mut suite = Suite {
        path: path.to_path_buf(),
        name: String::new(),
        policies: Vec::new(),
        resources: Vec::new(),
        variables: None,
        expectations: Vec::new(),
        unsupported: Vec::new(),
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let entries = file.mapping(&root, "the test")?;
    let mut metadata_name = None;
    let mut legacy_name = None;
    for entry in entries {
        let node = &entry.node;
        let line = entry.key_mark.line as usize;
        match &*entry.key {
            "apiVersion" => {
                let version = file.string(node, "apiVersion")?;
                if !version.starts_with("cli.kyverno.io/") {
                    return Err(file.at(
                        node,
                        format!("apiVersion {version:?}: want cli.kyverno.io/v1alpha1"),
                    ));
                }
            }
            "kind" => {
                let kind = file.string(node, "kind")?;
                if kind != "Test" {
                    return Err(file.at(node, format!("kind {kind:?}: want Test")));
                }
            }
            "metadata" => {
                metadata_name = file.optional_string(node.get("name"), "metadata.name")?;
            }
            "name" => legacy_name = Some(file.string(node, "name")?.to_string()),
            "policies" => suite.policies = file.paths(node, "policies", dir)?,
            "resources" => suite.resources = file.paths(node, "resources", dir)?,
            "variables" => {
                let text = file.string(node, "variables")?;
                if !text.is_empty() {
                    suite.variables = Some(dir.join(text));
                }
            }
            "results" => {
                for (index, item) in file.sequence(node, "results")?.iter().enumerate() {
                    let expectation = file.expectation(item, index, &mut suite.unsupported)?;
                    suite.expectations.push(expectation);
                }
            }
            key => {
                let Some(what) = unsupported_test_field(key) else {
                    return Err(file.at_line(line, format!("unknown field {key:?} in the test")));
                };
                if !is_empty(node) {
                    suite
                        .unsupported
                        .push(format!("line {line}: {key}: {what}"));
                }
            }
        }
    }
    suite.name = metadata_name
        .or(legacy_name)
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    Ok(suite)
}

/// Reads a values file (`variables:` of a suite).
pub fn load_values(path: &Path) -> Result<Values, String> {
    let root = read_yaml(path)?;
    let file = File { path };
    let mut values = Values::default();
    let mut namespaces = Vec::new();
    for entry in file.mapping(&root, "the values")? {
        let node = &entry.node;
        match &*entry.key {
            "apiVersion" => {
                let version = file.string(node, "apiVersion")?;
                if !version.starts_with("cli.kyverno.io/") {
                    return Err(file.at(
                        node,
                        format!("apiVersion {version:?}: want cli.kyverno.io/v1alpha1"),
                    ));
                }
            }
            "kind" => {
                let kind = file.string(node, "kind")?;
                if kind != "Values" {
                    return Err(file.at(node, format!("kind {kind:?}: want Values")));
                }
            }
            "metadata" => {}
            "globalValues" => values.global = file.object(node, "globalValues")?,
            "policies" => {
                for item in file.sequence(node, "policies")? {
                    values.policies.push(file.policy_values(item)?);
                }
            }
            "namespaceSelector" => {
                for item in file.sequence(node, "namespaceSelector")? {
                    file.known_fields(item, "namespaceSelector[]", &["name", "labels"])?;
                    let name = file.required_string(item, "name", "namespaceSelector[]")?;
                    let labels = match item.get("labels") {
                        Some(labels) => file.labels(labels, "namespaceSelector[].labels")?,
                        None => Map::new(),
                    };
                    values.namespaces.push((name, labels));
                }
            }
            "namespaces" => {
                for item in file.sequence(node, "namespaces")? {
                    let metadata = item.get("metadata").unwrap_or(&yaml::node::NULL);
                    let name = file.required_string(metadata, "name", "namespaces[].metadata")?;
                    let labels = match metadata.get("labels") {
                        Some(labels) => file.labels(labels, "namespaces[].metadata.labels")?,
                        None => Map::new(),
                    };
                    namespaces.push((name, labels));
                }
            }
            "subresources" => {
                for item in file.sequence(node, "subresources")? {
                    file.known_fields(item, "subresources[]", &["subresource", "parentResource"])?;
                    let part = |key: &str| -> Result<ApiResource, String> {
                        let node = item.get(key).unwrap_or(&yaml::node::NULL);
                        file.api_resource(node, key)
                    };
                    values.subresources.push(Subresource {
                        subresource: part("subresource")?,
                        parent: part("parentResource")?,
                    });
                }
            }
            // ValidatingAdmissionPolicy variables: nothing for Kyverno
            // policies to read.
            "variables" => {
                file.object(node, "variables")?;
            }
            key => {
                return Err(file.at_line(
                    entry.key_mark.line as usize,
                    format!("unknown field {key:?} in the values"),
                ));
            }
        }
    }
    // Kyverno gives `namespaces` precedence over `namespaceSelector`.
    values.namespaces.extend(namespaces);
    Ok(values)
}

/// The suites under `paths`: a file is taken as it is, a directory is
/// walked (recursively, as Kyverno does) for files named
/// `kyverno-test.yaml`. Sorted, without duplicates; unreadable directories
/// are passed over.
pub fn find_suites(paths: &[PathBuf]) -> Vec<PathBuf> {
    find_suites_named(paths, TEST_FILE_NAME)
}

/// [`find_suites`] for another file name (Kyverno's `--file-name`).
pub fn find_suites_named(paths: &[PathBuf], file_name: &str) -> Vec<PathBuf> {
    let mut found = BTreeSet::new();
    for path in paths {
        if path.is_dir() {
            walk(path, file_name, &mut found);
        } else {
            found.insert(path.clone());
        }
    }
    found.into_iter().collect()
}

fn walk(dir: &Path, file_name: &str, found: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // file_type does not follow symbolic links, so a link cannot make
        // the walk go round in circles.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, file_name, found);
        } else if entry.file_name() == file_name {
            found.insert(path);
        }
    }
}

/// One result the engine produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub policy: String,
    pub policy_namespace: Option<String>,
    pub rule: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub status: Status,
    pub message: String,
}

/// One resource the suite loaded, for [`compare_loaded`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// The verdict on one expected result for one resource (and rule, when
/// autogen gives a resource several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    pub ok: bool,
    /// `policy/rule Kind ns/name: want fail, got pass (message)`.
    pub description: String,
}

/// Compares observed results with a suite's expectations (see the module
/// documentation): one outcome per expectation, resource and rule found,
/// or one for a resource with no result.
pub fn compare(suite: &Suite, observed: &[Observed]) -> Vec<CaseOutcome> {
    compare_with(suite, observed, None)
}

/// [`compare`], knowing which resources were loaded: an expectation naming a
/// resource that is not among them fails as "not found", as in Kyverno,
/// even when it wants `skip`.
pub fn compare_loaded(suite: &Suite, observed: &[Observed], loaded: &[Loaded]) -> Vec<CaseOutcome> {
    compare_with(suite, observed, Some(loaded))
}

fn compare_with(
    suite: &Suite,
    observed: &[Observed],
    loaded: Option<&[Loaded]>,
) -> Vec<CaseOutcome> {
    let mut outcomes = Vec::new();
    for expectation in &suite.expectations {
        for resource in &expectation.resources {
            let (namespace, name) = split_resource(resource);
            let label = case_label(expectation, &expectation.rule, resource);
            // Kyverno's newest CLI no longer compares kinds; an expectation
            // without one matches any.
            let selects = |kind: &str, ns: Option<&str>, res_name: &str| {
                (expectation.kind.is_empty() || kind == expectation.kind)
                    && res_name == name
                    && namespace.is_none_or(|wanted| ns == Some(wanted))
                    && expectation
                        .namespace
                        .as_deref()
                        .is_none_or(|wanted| ns == Some(wanted))
            };
            if let Some(loaded) = loaded
                && !loaded
                    .iter()
                    .any(|l| selects(&l.kind, l.namespace.as_deref(), &l.name))
            {
                outcomes.push(CaseOutcome {
                    ok: false,
                    description: format!(
                        "{label}: want {}, not found: no such resource in the suite",
                        expectation.result
                    ),
                });
                continue;
            }
            let found: Vec<&Observed> = observed
                .iter()
                .filter(|o| {
                    policy_matches(&expectation.policy, o)
                        && rule_matches(&expectation.rule, &o.rule)
                        && selects(&o.kind, o.namespace.as_deref(), &o.name)
                })
                .collect();
            if found.is_empty() {
                let ok = expectation.result == Status::Skip;
                let description = if ok {
                    format!("{label}: skip (no result: the rule does not apply)")
                } else {
                    format!(
                        "{label}: want {}, got no result (the rule does not apply)",
                        expectation.result
                    )
                };
                outcomes.push(CaseOutcome { ok, description });
                continue;
            }
            for result in found {
                // Name the generated rule, which the label does not.
                let label = case_label(expectation, &result.rule, resource);
                let ok = result.status == expectation.result;
                let description = if ok {
                    format!("{label}: {}", result.status)
                } else if result.message.is_empty() {
                    format!(
                        "{label}: want {}, got {}",
                        expectation.result, result.status
                    )
                } else {
                    format!(
                        "{label}: want {}, got {} ({})",
                        expectation.result, result.status, result.message
                    )
                };
                outcomes.push(CaseOutcome { ok, description });
            }
        }
    }
    outcomes
}

/// `policy/rule Kind resource`, without the kind when there is none.
fn case_label(expectation: &Expectation, rule: &str, resource: &str) -> String {
    let mut label = format!("{}/{}", expectation.policy, rule);
    for part in [expectation.kind.as_str(), resource] {
        if !part.is_empty() {
            label.push(' ');
            label.push_str(part);
        }
    }
    label
}

fn split_resource(resource: &str) -> (Option<&str>, &str) {
    match resource.split_once('/') {
        Some((namespace, name)) => (Some(namespace), name),
        None => (None, resource),
    }
}

fn policy_matches(wanted: &str, observed: &Observed) -> bool {
    match wanted.split_once('/') {
        Some((namespace, name)) => {
            observed.policy == name && observed.policy_namespace.as_deref() == Some(namespace)
        }
        None => observed.policy == wanted,
    }
}

/// Kyverno's `lookupRuleResponses`: the rule, or what autogen made of it.
fn rule_matches(wanted: &str, observed: &str) -> bool {
    observed == wanted
        || observed.strip_prefix("autogen-") == Some(wanted)
        || observed.strip_prefix("autogen-cronjob-") == Some(wanted)
}

/// What a field of the test that charter does not run is; `None` for a
/// field Kyverno does not know.
fn unsupported_test_field(key: &str) -> Option<&'static str> {
    Some(match key {
        "jsonPayload" | "jsonPayloads" => "JSON payloads for kyverno-json policies",
        "targetResources" => "target resources of mutate-existing rules",
        "paramResources" => "parameter resources of ValidatingAdmissionPolicies",
        "userinfo" => "request user info (roles, subjects) for match/exclude",
        "checks" => "assertions on rule responses",
        "values" => "values inline in the test",
        "exceptions" => "PolicyExceptions",
        "context" => "context data for CEL policies",
        "clusterResources" => "cluster resources for lookups",
        _ => return None,
    })
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        yaml::Value::Null => true,
        yaml::Value::String(text) => text.is_empty(),
        yaml::Value::Sequence(items) => items.is_empty(),
        yaml::Value::Mapping(entries) => entries.is_empty(),
        yaml::Value::Bool(value) => !value,
        yaml::Value::Number(_) => false,
    }
}

fn read_yaml(path: &Path) -> Result<Node, String> {
    // Kyverno reads the first document only.
    match read_documents(path)?.into_iter().next().flatten() {
        Some(root) if !root.is_null() => Ok(root),
        _ => Err(format!("{}: empty file", path.display())),
    }
}

/// The documents of a YAML file (`None` for an empty one); the first
/// problem of any is an error naming the file and line.
pub fn read_documents(path: &Path) -> Result<Vec<Option<Node>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    yaml::parse_stream(&text, yaml::Limits::default())
        .into_iter()
        .map(|document| match document.problems.first() {
            Some(problem) => Err(format!(
                "{}:{}: {}",
                path.display(),
                problem.mark.line,
                problem.message
            )),
            None => Ok(document.root),
        })
        .collect()
}

/// Helpers that read typed fields and word errors with the file and line.
struct File<'a> {
    path: &'a Path,
}

impl File<'_> {
    fn at(&self, node: &Node, message: String) -> String {
        self.at_line(node.start.line as usize, message)
    }

    fn at_line(&self, line: usize, message: String) -> String {
        format!("{}:{line}: {message}", self.path.display())
    }

    fn mapping<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [yaml::Entry], String> {
        node.entries()
            .ok_or_else(|| self.at(node, format!("{what} must be a mapping")))
    }

    fn sequence<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], String> {
        if node.is_null() {
            return Ok(&[]);
        }
        node.items()
            .ok_or_else(|| self.at(node, format!("{what} must be a list")))
    }

    fn string<'n>(&self, node: &'n Node, what: &str) -> Result<&'n str, String> {
        node.as_str()
            .ok_or_else(|| self.at(node, format!("{what} must be a string")))
    }

    fn optional_string(&self, node: Option<&Node>, what: &str) -> Result<Option<String>, String> {
        match node {
            None => Ok(None),
            Some(node) if node.is_null() => Ok(None),
            Some(node) => Ok(Some(self.string(node, what)?.to_string())),
        }
    }

    fn required_string(&self, node: &Node, key: &str, what: &str) -> Result<String, String> {
        match self.optional_string(node.get(key), &format!("{what}.{key}"))? {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(self.at(node, format!("{what}: {key} is required"))),
        }
    }

    fn paths(&self, node: &Node, what: &str, dir: &Path) -> Result<Vec<PathBuf>, String> {
        self.sequence(node, what)?
            .iter()
            .map(|item| Ok(dir.join(self.string(item, &format!("{what}[]"))?)))
            .collect()
    }

    fn object(&self, node: &Node, what: &str) -> Result<Map<String, Value>, String> {
        if node.is_null() {
            return Ok(Map::new());
        }
        match node.to_json() {
            Value::Object(map) => Ok(map),
            _ => Err(self.at(node, format!("{what} must be a mapping"))),
        }
    }

    /// Labels are strings to strings in Kubernetes; a number or boolean
    /// would not unmarshal in Kyverno.
    fn labels(&self, node: &Node, what: &str) -> Result<Map<String, Value>, String> {
        let map = self.object(node, what)?;
        for (key, value) in &map {
            if !value.is_string() {
                return Err(self.at(node, format!("{what}.{key} must be a string")));
            }
        }
        Ok(map)
    }

    fn known_fields(&self, node: &Node, what: &str, known: &[&str]) -> Result<(), String> {
        for entry in self.mapping(node, what)? {
            if !known.contains(&&*entry.key) {
                return Err(self.at_line(
                    entry.key_mark.line as usize,
                    format!("unknown field {:?} in {what}", &*entry.key),
                ));
            }
        }
        Ok(())
    }

    fn api_resource(&self, node: &Node, what: &str) -> Result<ApiResource, String> {
        if node.is_null() {
            return Err(format!(
                "{}: subresources[]: {what} is required",
                self.path.display()
            ));
        }
        self.known_fields(node, what, &["name", "group", "version", "kind"])?;
        let field = |key: &str| -> Result<String, String> {
            Ok(self
                .optional_string(node.get(key), &format!("{what}.{key}"))?
                .unwrap_or_default())
        };
        Ok(ApiResource {
            name: field("name")?,
            group: field("group")?,
            version: field("version")?,
            kind: field("kind")?,
        })
    }

    fn policy_values(&self, node: &Node) -> Result<PolicyValues, String> {
        self.known_fields(node, "policies[]", &["name", "resources", "rules"])?;
        let mut policy = PolicyValues {
            name: self.required_string(node, "name", "policies[]")?,
            ..PolicyValues::default()
        };
        if let Some(resources) = node.get("resources") {
            for item in self.sequence(resources, "policies[].resources")? {
                self.known_fields(item, "policies[].resources[]", &["name", "values"])?;
                let name = self.required_string(item, "name", "policies[].resources[]")?;
                let values = match item.get("values") {
                    Some(values) => self.object(values, "policies[].resources[].values")?,
                    None => Map::new(),
                };
                policy.resources.push((name, values));
            }
        }
        if let Some(rules) = node.get("rules") {
            for item in self.sequence(rules, "policies[].rules")? {
                self.known_fields(
                    item,
                    "policies[].rules[]",
                    &["name", "values", "foreachValues"],
                )?;
                let name = self.required_string(item, "name", "policies[].rules[]")?;
                let values = match item.get("values") {
                    Some(values) => self.object(values, "policies[].rules[].values")?,
                    None => Map::new(),
                };
                let mut foreach_values = Vec::new();
                if let Some(blocks) = item.get("foreachValues") {
                    for block in self.sequence(blocks, "policies[].rules[].foreachValues")? {
                        let map = self.object(block, "policies[].rules[].foreachValues[]")?;
                        if map.values().any(|v| !v.is_array()) {
                            return Err(self.at(
                                block,
                                "policies[].rules[].foreachValues[]: each value must be a list"
                                    .to_string(),
                            ));
                        }
                        foreach_values.push(map);
                    }
                }
                policy.rules.push(RuleValues {
                    name,
                    values,
                    foreach_values,
                });
            }
        }
        Ok(policy)
    }

    fn expectation(
        &self,
        node: &Node,
        index: usize,
        unsupported: &mut Vec<String>,
    ) -> Result<Expectation, String> {
        let what = format!("results[{index}]");
        let line = node.start.line as usize;
        let mut policy = None;
        let mut rule = String::new();
        let mut kind = String::new();
        let mut result = None;
        let mut status = None;
        let mut resources: Option<Vec<String>> = None;
        let mut resource = None;
        let mut namespace = None;
        for entry in self.mapping(node, &what)? {
            let value = &entry.node;
            let key = &*entry.key;
            let field = format!("{what}.{key}");
            match key {
                "policy" => policy = self.optional_string(Some(value), &field)?,
                "rule" => {
                    rule = self
                        .optional_string(Some(value), &field)?
                        .unwrap_or_default()
                }
                "kind" => {
                    kind = self
                        .optional_string(Some(value), &field)?
                        .unwrap_or_default()
                }
                "result" | "status" => {
                    let text = self
                        .optional_string(Some(value), &field)?
                        .unwrap_or_default();
                    if text.is_empty() {
                        continue;
                    }
                    let parsed = Status::parse(&text).ok_or_else(|| {
                        self.at(
                            value,
                            format!(
                                "{field}: unknown result {text:?} (want pass, fail, skip, error or warn)"
                            ),
                        )
                    })?;
                    if key == "result" {
                        result = Some(parsed);
                    } else {
                        status = Some(parsed);
                    }
                }
                "resources" => {
                    let mut names = Vec::new();
                    for item in self.sequence(value, &field)? {
                        names.push(self.string(item, &format!("{field}[]"))?.to_string());
                    }
                    resources = Some(names);
                }
                "resource" => resource = self.optional_string(Some(value), &field)?,
                "namespace" => {
                    namespace = self
                        .optional_string(Some(value), &field)?
                        .filter(|ns| !ns.is_empty())
                }
                "patchedResource" | "generatedResource" | "cloneSourceResource" => {
                    if !is_empty(value) {
                        let what = match key {
                            "patchedResource" => "the mutated resource to compare",
                            "generatedResource" => "the generated resource to compare",
                            _ => "the source a generate rule clones",
                        };
                        unsupported.push(format!("line {}: {field}: {what}", entry.key_mark.line));
                    }
                }
                "isValidatingAdmissionPolicy"
                | "isValidatingPolicy"
                | "isImageValidatingPolicy"
                | "isDeletingPolicy"
                | "isMutatingPolicy"
                | "isGeneratingPolicy"
                | "resourceSpecs" => {
                    if !is_empty(value) {
                        unsupported.push(format!(
                            "line {}: {field}: results for policies other than Kyverno's ClusterPolicy and Policy",
                            entry.key_mark.line
                        ));
                    }
                }
                _ => {
                    return Err(self.at_line(
                        entry.key_mark.line as usize,
                        format!("unknown field {key:?} in {what}"),
                    ));
                }
            }
        }
        let policy = policy
            .filter(|p| !p.is_empty())
            .ok_or_else(|| self.at(node, format!("{what}: policy is required")))?;
        // As Kyverno: `result`, else the older `status`.
        let result = result.or(status).ok_or_else(|| {
            self.at(
                node,
                format!("{what}: result is required (pass, fail, skip, error or warn)"),
            )
        })?;
        // As Kyverno: `resources` when present (even empty), else `resource`.
        let resources = match (resources, resource.filter(|r| !r.is_empty())) {
            (Some(resources), _) => resources,
            (None, Some(resource)) => vec![resource],
            (None, None) => {
                unsupported.push(format!(
                    "line {line}: {what}: no resources (Kyverno then checks every resource)"
                ));
                Vec::new()
            }
        };
        Ok(Expectation {
            policy,
            rule,
            kind,
            resources,
            namespace,
            result,
            line,
        })
    }
}

#[cfg(test)]
mod tests;
