use super::*;

fn parse(text: &str) -> Result<Config, Box<ConfigError>> {
    let file = SourceFile::new(
        ".charter.yaml".into(),
        Some(PathBuf::from("/repo/.charter.yaml")),
        Some(Arc::from(text)),
    );
    Config::parse(file, &rules::builtin())
}

fn error(text: &str) -> String {
    parse(text)
        .expect_err("configuration should be refused")
        .message
}

#[test]
fn empty_configuration_changes_nothing() {
    let config = parse("# nothing yet\n").unwrap();
    assert_eq!(
        config.severity_of(&crate::rules::parse::SYNTAX),
        Some(Severity::Error)
    );
    assert!(config.exemptions.is_empty());
}

#[test]
fn rule_settings_by_id_and_family() {
    let config = parse("rules:\n  SEC: warning\n  sec-001: off\n  PARSE-005: {severity: info}\n  SUPP: off\n  SUPP-002: on\n").unwrap();
    let sec_001 = crate::rules::find(&rules::builtin(), "SEC-001")
        .unwrap()
        .meta;
    assert_eq!(config.severity_of(sec_001), None);
    assert_eq!(
        config.severity_of(&crate::rules::parse::DUPLICATE_KEY),
        Some(Severity::Info)
    );
    assert_eq!(
        config.severity_of(&crate::rules::parse::SYNTAX),
        Some(Severity::Error)
    );
    let supp_001 = crate::rules::find(&rules::builtin(), "SUPP-001")
        .unwrap()
        .meta;
    let supp_002 = crate::rules::find(&rules::builtin(), "SUPP-002")
        .unwrap()
        .meta;
    assert_eq!(config.severity_of(supp_001), None);
    assert_eq!(config.severity_of(supp_002), Some(Severity::Warning));
}

#[test]
fn schema_settings_resolve_against_the_configuration() {
    let config =
        parse("strict: true\nrejectUnknownKinds: false\ncrdDirs: [crds, /abs/crds]\n").unwrap();
    assert_eq!(config.strict, Some(true));
    assert_eq!(config.reject_unknown_kinds, Some(false));
    assert_eq!(
        config.crd_dirs,
        [PathBuf::from("/repo/crds"), PathBuf::from("/abs/crds")]
    );
    let config = parse("policies: [policy, /abs/rego]\npolicyNamespaces: [main, k8s.labels]\nrules:\n  REGO-main.deny: warning\n  GK: off\n").unwrap();
    assert_eq!(
        config.policies,
        [PathBuf::from("/repo/policy"), PathBuf::from("/abs/rego")]
    );
    assert_eq!(config.policy_namespaces, ["main", "k8s.labels"]);
    assert_eq!(
        config
            .settings
            .iter()
            .map(|s| (s.target.as_str(), s.is_family))
            .collect::<Vec<_>>(),
        [("REGO-MAIN.DENY", false), ("GK", true)]
    );
    assert_eq!(
        error("strict: yes please\n"),
        ".charter.yaml:1:1: invalid type: string \"yes please\", expected a boolean"
    );
}

#[test]
fn mistakes_name_their_line() {
    assert_eq!(
        error("failOn: error\nruless:\n  SEC-001: off\n"),
        ".charter.yaml:2:1: unknown field `ruless`, expected one of `failOn`, `inlineIgnores`, `maxFileSize`, `exclude`, `rules`, `exemptions`, `secrets`, `baseline`, `platform`, `helm`, `strict`, `rejectUnknownKinds`, `crdDirs`, `policies`, `policyNamespaces`, `kyvernoPolicies`"
    );
    assert_eq!(
        error("rules:\n  SEC-01: off\n"),
        ".charter.yaml:2:3: `SEC-01` is neither a rule id nor a rule family"
    );
    assert_eq!(
        error("rules:\n  SEC-001: loud\n"),
        ".charter.yaml:2:3: `loud` is not a rule setting"
    );
    assert_eq!(
        error("rules:\n  SEC: {names: [x]}\n"),
        ".charter.yaml:2:3: `names` is not a parameter of the SEC family"
    );
    assert_eq!(
        error("rules:\n  PRIV: {localHost: [x]}\n"),
        ".charter.yaml:2:3: `localHost` is not a parameter of the PRIV family"
    );
    assert_eq!(
        error("failOn: sometimes\n"),
        ".charter.yaml:1:1: unknown variant `sometimes`, expected one of `info`, `warning`, `error`, `never`"
    );
    assert_eq!(
        error("maxFileSize: huge\n"),
        ".charter.yaml:1:1: `huge` is not a size"
    );
    assert_eq!(
        error("a: 1\na: 2\n"),
        ".charter.yaml:2:1: duplicate key `a` (first at line 1); kubectl rejects the document, other tools silently keep one of the values"
    );
    assert_eq!(
        error("rules: [\n"),
        ".charter.yaml:2:1: while parsing a node, did not find expected node content"
    );
}

#[test]
fn exemptions_are_checked_field_by_field() {
    let base = "exemptions:\n  - rules: [SEC-001]\n    namespace: sandbox\n";
    assert_eq!(error(base), ".charter.yaml:2:5: missing field `reason`");
    assert_eq!(
        error(&format!("{base}    reason: \"  \"\n")),
        ".charter.yaml:4:5: an exemption needs a reason"
    );
    assert_eq!(
        error(&format!("{base}    reason: demo\n    expires: next week\n")),
        ".charter.yaml:5:5: `next week` is not a date; write YYYY-MM-DD"
    );
    assert_eq!(
        error("exemptions:\n  - rules: [SEC-999]\n    namespace: x\n    reason: r\n"),
        ".charter.yaml:2:5: `SEC-999` names no rule (see `charter rules`)"
    );
    assert!(
        error("exemptions:\n  - rules: SEC-001\n    reason: r\n")
            .contains("an exemption needs `kind`, `namespace`, `name` or `files`")
    );
    assert_eq!(
        error(
            "exemptions:\n  - rules: SEC-001\n    kind: Secret\n    reason: r\n    colour: red\n"
        ),
        ".charter.yaml:5:5: unknown field `colour`, expected one of `rules`, `kind`, `namespace`, `name`, `files`, `reason`, `expires`"
    );

    let config = parse(&format!(
        "{base}    reason: demo credentials\n    expires: 2030-01-31\n"
    ))
    .unwrap();
    let exemption = &config.exemptions[0];
    assert_eq!(exemption.origin, ".charter.yaml:2");
    assert_eq!(
        exemption.expires.map(|d| d.to_string()).as_deref(),
        Some("2030-01-31")
    );
    assert_eq!(exemption.base, PathBuf::from("/repo"));
}

#[test]
fn parameters_go_to_their_rule() {
    let config = parse("rules:\n  SEC-001:\n    severity: warning\n    level: 3\n").unwrap();
    assert_eq!(
        config.settings[0].params.get("level"),
        Some(&serde_json::json!(3))
    );
    let mut rules = rules::builtin();
    let refused = config
        .configure_rules(&mut rules)
        .expect_err("SEC-001 takes no parameters");
    assert_eq!(
        refused.message,
        ".charter.yaml:2:3: `SEC-001` has no parameter `level` (known keys: enabled, severity)"
    );
}
