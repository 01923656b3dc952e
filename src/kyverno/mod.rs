//! Kyverno's `validate.pattern` and `validate.anyPattern`, evaluated offline
//! with Kyverno's own verdicts (pass, fail, skip, error), failure paths and
//! messages.
//!
//! This is the matcher: it takes a resource and a pattern, both as JSON,
//! and says whether the resource matches; and [`matching`], which says
//! whether a rule's `match`/`exclude` select a resource at all; and
//! [`conditions`], which evaluates `deny` conditions and preconditions.
//! JMESPath variables (`{{ }}`), rule autogeneration for Pod controllers
//! and `charter test` come on top of them.
//!
//! The semantics follow Kyverno 1.12 and later, read from its sources:
//! `pkg/engine/validate/validate.go` (the walk), `pkg/engine/anchor/`
//! (anchors), `pkg/engine/pattern/pattern.go` (scalars),
//! `pkg/engine/operator/operator.go` (operators and ranges),
//! `pkg/engine/wildcards/wildcards.go` (wildcard label keys),
//! `pkg/utils/wildcard/match.go` (`*` and `?`), and how
//! `pkg/engine/handlers/validation/validate_resource.go` turns the walk's
//! outcome into a rule result. Their test tables are ported as unit tests.
//!
//! # What a pattern says
//!
//! - **Maps**: every key of the pattern must match the resource's value
//!   under that key; a missing key reads as `null`. Keys the pattern does
//!   not name are not looked at.
//! - **Lists**: if the pattern's first element is a map, every element of
//!   the resource's list must match it (elements skipped by a conditional
//!   anchor are left out; if all are, the rule is skipped). If it is a
//!   scalar, every element must match that scalar (further pattern elements
//!   are ignored, as in Kyverno). A list of lists is matched index by index.
//!   A scalar pattern against a resource list also checks every element.
//! - **`"*"`** as a map value asks for a key whose value is not `null`, of
//!   any type (maps and lists included).
//! - **Scalars** ([`operator`]): booleans match booleans; numbers match
//!   numbers or numeric strings (`7` matches `"7"` and `7.0`); `null`
//!   matches `null`, `0`, `false` and `""`. A string pattern is split on `|`
//!   (or) then `&` (and); each condition is an operator (`!`, `>`, `<`, `>=`,
//!   `<=`, none for equality) and an operand, or a range `a-b` / `a!-b`
//!   (inclusive). The operand is compared as a Go duration (`10s`, `1h30m`)
//!   if both sides parse as one, else as a Kubernetes quantity ([`quantity`]:
//!   `500m`, `2Gi`, `1e3`, and plain numbers) if both do, else as text with
//!   the wildcards `*` (any run) and `?` (one character), for `!` and
//!   equality only. So `"?*"` means non-empty, `"<=2Gi"` compares memory,
//!   and `">10s"` compares durations.
//! - **Wildcard keys** under `metadata.labels` and `metadata.annotations`
//!   (`app.kubernetes.io/*`) stand for the first label or annotation of the
//!   resource they match.
//!
//! # Anchors
//!
//! - `(key)` **conditional**: if the key is missing or its value does not
//!   match, the enclosing map does not apply. In a list the element is left
//!   out; if nothing is left, or the condition was at the top, the rule is
//!   [`Verdict::Skip`]ped, never passed.
//! - `<(key)` **global**: if the key is present and does not match, the
//!   whole rule is skipped.
//! - `=(key)` **equality**: if the key is present, its value must match.
//! - `X(key)` **negation**: the key must be absent.
//! - `^(key)` **existence**: each map in the pattern list must match at
//!   least one element of the resource list.
//! - They nest: `=(securityContext): {=(runAsNonRoot): true}`.
//!
//! Anchors of a map are evaluated before its other keys, in key order; a
//! condition that fails skips the map even when a sibling anchor failed
//! outright (Kyverno's `validateMap`).
//!
//! # Verdicts and messages
//!
//! [`Verdict::Fail`] carries the JSON pointer of the failure and the part of
//! Kyverno's message after the rule's name (`failed at path
//! /spec/containers/0/image/`, with Kyverno's trailing slash): Kyverno
//! prints `validation error: rule NAME failed at path ...`, or with the
//! rule's `message`, `validation error: MESSAGE. rule NAME failed at path
//! ...`. As in Kyverno, a field of `"*"` that is missing fails at its
//! parent's path, and an existence anchor at its list.
//!
//! [`Verdict::Error`] is Kyverno's rule *error*: a failure without a path
//! (lists of lists of different lengths), or any failure while a
//! conditional, existence or negation anchor's key was found nowhere in the
//! resource — Kyverno then drops the path and reports `validation error:
//! rule NAME execution error: ...`.
//!
//! For `anyPattern`, the message lists each failed pattern as
//! `anyPattern[i] failed at path ...`; Kyverno writes `rule NAME[i] failed
//! at path ...` for each, joined by spaces.
//!
//! # Which resources a rule applies to
//!
//! [`rule_applies`] reads a rule's `match` and `exclude` blocks as
//! Kyverno's engine does (`pkg/engine/utils/match.go`, `pkg/utils/match/`,
//! `pkg/utils/kube/kind.go`, `pkg/engine/wildcards/wildcards.go`, and the
//! policy validation of `pkg/validation/policy/validate.go`):
//!
//! - A block is `any` (one filter must select), else `all` (every filter
//!   must), else the legacy `resources`/`subjects`/`roles`/`clusterRoles`
//!   directly in the block. `exclude` is looked at only once `match` holds;
//!   if it selects the resource, the rule does not apply.
//! - A filter's `resources` attributes must all hold; an empty list or map
//!   is no condition. `kinds`: `Pod`, `v1/Pod`, `apps/v1/Deployment`,
//!   `apps/*/Deployment`, `*/Deployment`, `*`, wildcards in each part,
//!   case-sensitive; a selector naming a subresource (`Pod/status`,
//!   `v1/Pod.status`) never selects a resource, except a bare wildcard
//!   subresource (`Pod/*`, `*/*`). `name`/`names` and `namespaces` take
//!   wildcards and a resource named only by `generateName` is matched by
//!   it; a Namespace is matched by `namespaces` through its own name.
//!   `annotations`: each entry must match some annotation, key and value by
//!   wildcard. `selector`: a Kubernetes label selector whose `matchLabels`
//!   keys and values may hold wildcards; `matchExpressions` compare exactly.
//!   `operations`: the request's operation must be listed.
//! - `namespaceSelector` is matched against the labels of the resource's
//!   Namespace; unknown labels read as none, as Kyverno's CLI reads a
//!   Namespace it was not given (so `NotIn`/`DoesNotExist` hold and
//!   `matchLabels` fail). It never selects a Namespace.
//! - User info: offline there is no user. As Kyverno does for a request
//!   without user info (background scans, its CLI), a `match` filter's
//!   `subjects`/`roles`/`clusterRoles` are dropped and the rest decides;
//!   an `exclude` filter that names them never excludes.
//! - A `match` filter without `kinds` (an empty `match` too) is an error:
//!   Kyverno refuses such a policy ("at least one element must be
//!   specified in a kind block..."). So are malformed blocks and selectors
//!   Kubernetes would not build (unknown operators, bad label keys).
//!
//! # Autogen
//!
//! [`autogen::computed_rules`] gives the rules Kyverno runs for a policy:
//! its own, then those it generates for Pod controllers from the rules that
//! select Pods (`pkg/autogen/v1/`). `autogen-<rule>` matches
//! `apps/v1/DaemonSet`, `apps/v1/Deployment`, `batch/v1/Job`,
//! `apps/v1/ReplicaSet`, `v1/ReplicationController` and
//! `apps/v1/StatefulSet` and checks `spec.template`;
//! `autogen-cronjob-<rule>` matches `batch/v1/CronJob` and checks
//! `spec.jobTemplate.spec.template`. Patterns are nested under the
//! template, `request.object.spec`/`.metadata` in variables point into it,
//! and `$(...)` references in messages are shifted. The policy annotation
//! `pod-policies.kyverno.io/autogen-controllers` (`none`, or a list such
//! as `Deployment,CronJob`) narrows it ([`autogen::controllers`]). Kyverno
//! generates nothing for a policy if any of its rules has a `generate`
//! block, a JSON patch, or a resource filter with `name`, `names`,
//! `selector`, `annotations` or `Pod` among other kinds. The engine asks
//! per resource kind: [`autogen::computed_rules_for_kind`].
//!
//! # Variables
//!
//! [`variables`] holds Kyverno's JSON context ([`variables::Context`]:
//! `request.object`, `request.operation`, `element`, context entries) and
//! substitutes `{{ expr }}` in policy documents
//! ([`variables::substitute_all`]) as `pkg/engine/variables/vars.go` does:
//! a whole-string variable keeps its type, one inside text is written as
//! text (JSON for maps and lists), nested variables resolve innermost
//! first, `\{{ }}` stays literal, and a key missing from the context is an
//! error (`JMESPath query failed: Unknown key "x" in path`), in
//! preconditions too. [`functions`] evaluates JMESPath with Kyverno's
//! custom functions (`to_upper`, `regex_match`, `add`, `parse_yaml`...);
//! [`images`] builds the `images` variable of a Pod or Pod controller.
//!
//! # Conditions
//!
//! [`conditions::evaluate_conditions`] evaluates a condition block
//! (`validate.deny.conditions`, rule and foreach `preconditions`) as
//! Kyverno's `pkg/engine/variables/evaluate.go` and
//! `pkg/engine/variables/operator/` do; its test tables are ported:
//!
//! - A block is a list (all must hold) or `{any, all}`: one `any`
//!   condition and every `all` condition must hold. `any: []` never holds;
//!   an absent `any` is no condition. `any` stops at its first condition
//!   that holds, `all` at its first that fails, and `all` runs even when
//!   `any` failed. The outcome carries Kyverno's message: the non-empty
//!   `message`s of the deciding conditions, joined with `"; "` (a legacy
//!   list: the failing condition's message, or `";"`-joined when it holds).
//! - Each condition's key and value go through the caller's variable
//!   substitution (an error there fails the evaluation), then the operator
//!   ([`conditions::evaluate_condition`]): `Equals`, `NotEquals`,
//!   `GreaterThan`, `GreaterThanOrEquals`, `LessThan`, `LessThanOrEquals`,
//!   `AnyIn`, `AllIn`, `AnyNotIn`, `AllNotIn`, and the deprecated `Equal`,
//!   `NotEqual`, `In`, `NotIn` and `Duration*`, named in any case. An
//!   unknown operator is an error; a type mismatch is false, never an
//!   error.
//! - JSON numbers are Go's `float64` throughout. Comparisons read Go
//!   durations, then quantities, then numbers, then (for the ordering
//!   operators) semantic versions; equality falls back to a wildcard
//!   pattern in the value; the "in" operators compare members as Go prints
//!   them, with wildcards on either side, and take ranges (`"1-10"`) and
//!   strings holding JSON arrays of strings.
//!
//! # Test suites
//!
//! [`suite`] reads Kyverno CLI test suites (`kyverno-test.yaml`) and their
//! values files, and compares an engine's results with what they expect;
//! `tests/kyverno/` holds suites whose expected results are the Kyverno
//! CLI's.
//!
//! # Not supported (yet)
//!
//! - Where Kyverno picks among several matches in Go's random map order (a
//!   wildcard label key matching two labels, a pattern naming `metadata`
//!   twice through anchors), the first in document order is taken.
//! - Quantities beyond 10^38 are compared through `f64`.
//! - In `match`/`exclude`: requests for subresources, a namespaced
//!   `Policy`'s own namespace (Kyverno skips resources of other
//!   namespaces: the caller's to check), and variables in the blocks.

pub mod autogen;
pub mod conditions;
pub mod engine;
pub mod findings;
pub mod functions;
pub mod images;
pub mod matching;
pub mod operator;
pub mod pattern;
pub mod policy;
pub mod quantity;
pub mod suite;
pub mod test_run;
pub mod variables;

pub use matching::{Request, rule_applies};
pub use pattern::{validate_any_pattern, validate_pattern};

/// The outcome of a pattern on a resource, as Kyverno reports a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// `path`: JSON pointer into the resource where the pattern failed;
    /// `message`: Kyverno's, after the rule's name (`failed at path
    /// /spec/containers/0/image/`).
    Fail {
        path: String,
        message: String,
    },
    /// A conditional or global anchor did not apply: Kyverno reports the
    /// rule as skipped, never passed. `reason` is Kyverno's.
    Skip {
        reason: String,
    },
    /// Kyverno's rule error: the pattern failed where Kyverno gives no path
    /// (see the module documentation). `message` is Kyverno's after the
    /// rule's name (`execution error: ...`).
    Error {
        message: String,
    },
}
