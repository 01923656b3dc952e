//! The `PARSE` family: input charter could not read as Kubernetes objects.
//!
//! These are reported by the loader (`src/loader.rs`, `src/input.rs`) while
//! reading, not by a check; they are rules so that they can be listed,
//! explained, re-graded and exempted like any other.

use super::Example::{Manifest, Prose};
use super::{Principle, RuleMeta, Severity};

pub static ALL: [&RuleMeta; 9] = [
    &SYNTAX,
    &NOT_TEXT,
    &TOO_LARGE,
    &UNREADABLE,
    &DUPLICATE_KEY,
    &ALIAS_BOMB,
    &TOO_DEEP,
    &INCOMPLETE_TYPE,
    &UNNAMED,
];

const VALID: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: open-webui-settings
  namespace: ai-frontend
data:
  ENABLE_SIGNUP: \"false\"
";

pub static SYNTAX: RuleMeta = RuleMeta {
    id: "PARSE-001",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Invalid YAML or JSON",
    rationale: "A manifest that does not parse is not applied by ArgoCD, and nothing in it can be \
                checked. charter reports the syntax error and reads on from the next `---`, so one \
                broken document does not hide the others.",
    fix: "Fix the syntax at the reported line (indentation, an unclosed quote or bracket, a tab \
          used for indentation).",
    failing_example: Manifest(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: \"unterminated\n",
    ),
    passing_example: Manifest(VALID),
};

pub static NOT_TEXT: RuleMeta = RuleMeta {
    id: "PARSE-002",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Manifest file is not UTF-8 text",
    rationale: "Kubernetes reads manifests as UTF-8. A binary file or text in another encoding with \
                a manifest's name cannot be applied, and usually means a file was committed by \
                mistake.",
    fix: "Save the file as UTF-8, or remove it (or exclude it with --exclude) if it is not a manifest.",
    failing_example: Prose(
        "A file `values.yaml` holding bytes that are not UTF-8 (for example Latin-1 `caf\\xe9`), or \
         a binary file (one containing NUL bytes) named `*.yaml`.",
    ),
    passing_example: Manifest(VALID),
};

pub static TOO_LARGE: RuleMeta = RuleMeta {
    id: "PARSE-003",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "File larger than the size limit",
    rationale: "The API server refuses objects over about 1.5 MiB and no manifest stream needs tens \
                of megabytes; a huge file is usually generated output or data committed by mistake, \
                and reading it would slow every check.",
    fix: "Split the file, remove it, or raise the limit with --max-file-size (or `maxFileSize` in \
          .charter.yaml).",
    failing_example: Prose("A 20 MiB `dump.yaml` with the default 16 MiB limit."),
    passing_example: Manifest(VALID),
};

pub static UNREADABLE: RuleMeta = RuleMeta {
    id: "PARSE-004",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Input could not be read",
    rationale: "A file charter cannot read is a file it cannot vouch for: permissions, a broken \
                symbolic link, a symbolic link loop or a special file (FIFO, device) are reported \
                rather than skipped silently.",
    fix: "Fix the permission or the link, or exclude the path with --exclude.",
    failing_example: Prose(
        "A symbolic link `deploy/current -> deploy` (a loop), or a link to a file that was deleted.",
    ),
    passing_example: Manifest(VALID),
};

pub static DUPLICATE_KEY: RuleMeta = RuleMeta {
    id: "PARSE-005",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Duplicate mapping key",
    rationale: "YAML forbids duplicate keys. kubectl rejects such a document, while other tools \
                silently keep either the first or the last value, so what runs depends on the tool \
                that applied it. charter checks the last value, as JSON decoders do.",
    fix: "Keep one of the keys and delete the other.",
    failing_example: Manifest(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n  LOG_LEVEL: debug\n",
    ),
    passing_example: Manifest(VALID),
};

pub static ALIAS_BOMB: RuleMeta = RuleMeta {
    id: "PARSE-006",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "YAML aliases expand beyond the limit",
    rationale: "Anchors and aliases let a few lines expand into billions of nodes (the \"billion \
                laughs\" attack) and exhaust the memory of whatever reads them. charter stops \
                expanding at 100,000 aliased nodes per document and does not read the document.",
    fix: "Write the repeated content out, or reuse it with a Helm template or a Kustomize \
          component instead of deeply nested aliases.",
    failing_example: Manifest(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    ),
    passing_example: Manifest(VALID),
};

pub static TOO_DEEP: RuleMeta = RuleMeta {
    id: "PARSE-007",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Document nested too deeply",
    rationale: "No Kubernetes object nests hundreds of levels deep; such input is malformed or \
                hostile and could exhaust a reader's stack. charter reads up to 200 levels.",
    fix: "Flatten the document; check for a generator that recursed by mistake.",
    failing_example: Manifest(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
    ),
    passing_example: Manifest(VALID),
};

pub static INCOMPLETE_TYPE: RuleMeta = RuleMeta {
    id: "PARSE-008",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Object has `apiVersion` or `kind` but not both",
    rationale: "A document with only one of `apiVersion` and `kind` (or with either one not a \
                string) looks like a Kubernetes object but cannot be applied; most often a typo \
                (`Kind:`, `apiversion:`) or a copy-paste that lost a line.",
    fix: "Write both `apiVersion` and `kind` as strings, for example `apiVersion: apps/v1` and \
          `kind: Deployment`.",
    failing_example: Manifest(
        "kind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n",
    ),
    passing_example: Manifest(VALID),
};

pub static UNNAMED: RuleMeta = RuleMeta {
    id: "PARSE-009",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Object has neither `metadata.name` nor `metadata.generateName`",
    rationale: "The API server refuses an object without a name, and ArgoCD cannot track one; \
                without a name charter cannot tell resources apart either.",
    fix: "Add `metadata.name` (or `metadata.generateName` for objects the server names, such as \
          Jobs created by hand).",
    failing_example: Manifest(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: ai-frontend\ndata:\n  LOG_LEVEL: info\n",
    ),
    passing_example: Manifest(VALID),
};
