//! Kyverno's `vars_test.go` table, and the context.

use serde_json::{Value, json};

use super::*;

fn context_with_object(object: Value) -> Context {
    let mut ctx = Context::new();
    ctx.set("request.object", object);
    ctx
}

fn resource() -> Value {
    json!({
        "metadata": {"name": "temp", "namespace": "n1", "annotations": {"test": "name"}},
        "spec": {"namespace": "n1", "name": "temp1"}
    })
}

fn variable_object() -> Value {
    json!({
        "complex_object_array": ["value1", "value2", "value3"],
        "complex_object_map": {"key1": "value1", "key2": "value2", "key3": "value3"},
        "simple_object_bool": false,
        "simple_object_int": 5,
        "simple_object_float": -5.5,
        "simple_object_string": "example",
        "simple_object_null": null
    })
}

fn substitute(pattern: Value, ctx: &Context) -> Value {
    match substitute_all(&pattern, ctx) {
        Ok(value) => value,
        Err(error) => panic!("{pattern}: {error}"),
    }
}

#[test]
fn substitutes_everywhere_in_a_document() {
    let ctx = context_with_object(resource());
    let pattern = json!({
        "kind": "{{request.object.metadata.name}}",
        "name": "ns-owner-{{request.object.metadata.name}}",
        "data": {"rules": [{
            "apiGroups": ["{{request.object.metadata.name}}"],
            "resources": ["namespaces"],
            "verbs": ["*"],
            "resourceNames": ["{{request.object.metadata.name}}"]
        }]}
    });
    assert_eq!(
        substitute(pattern, &ctx),
        json!({
            "kind": "temp",
            "name": "ns-owner-temp",
            "data": {"rules": [{
                "apiGroups": ["temp"],
                "resources": ["namespaces"],
                "verbs": ["*"],
                "resourceNames": ["temp"]
            }]}
        })
    );
}

#[test]
fn a_missing_key_fails_with_kyvernos_message() {
    let ctx = context_with_object(resource());
    let pattern = json!({
        "kind": "{{request.object.metadata.name1}}",
        "name": "ns-owner-{{request.object.metadata.name}}"
    });
    let error = substitute_all(&pattern, &ctx).err();
    assert_eq!(
        error,
        Some(VariableError::NotFound {
            variable: "request.object.metadata.name1".into(),
            path: "/kind".into(),
            key: "name1".into(),
        })
    );
    assert_eq!(
        error.map(|e| e.to_string()),
        Some(
            "failed to resolve request.object.metadata.name1 at path /kind: \
             JMESPath query failed: Unknown key \"name1\" in path"
                .to_string()
        )
    );
    // In a list, in a longer string, and at the root.
    let error = substitute_all(&json!({"a": ["x {{ request.object.nope }}"]}), &ctx).err();
    assert_eq!(error.map(|e| e.to_string()), Some(
        "failed to resolve request.object.nope at path /a/0: JMESPath query failed: Unknown key \"nope\" in path".to_string()
    ));
    let error = substitute_all(&json!("{{ animals }}"), &ctx).err();
    assert_eq!(error.map(|e| e.to_string()), Some(
        "failed to resolve animals at path : JMESPath query failed: Unknown key \"animals\" in path".to_string()
    ));
}

#[test]
fn at_is_the_resource_value_at_the_strings_place() {
    let ctx = context_with_object(json!({
        "metadata": {"name": "temp", "namespace": "n1"},
        "spec": {"kind": "foo", "namespace": "n1", "name": "temp1", "port": "443"}
    }));
    // Kyverno skips `mutate.overlay` in the rule's path; here the overlay
    // is given itself.
    let overlay = json!({"spec": {
        "kind": "{{@}}",
        "port": "{{ regex_match('(443)', '{{@}}') }}",
        "name": "ns-owner-{{request.object.metadata.name}}"
    }});
    assert_eq!(
        substitute(overlay, &ctx),
        json!({"spec": {"kind": "foo", "port": true, "name": "ns-owner-temp"}})
    );
    let overlay =
        json!({"spec": {"port": "{{ regex_replace_all_literal('.*', '{{@}}', '1313') }}"}});
    assert_eq!(substitute(overlay, &ctx), json!({"spec": {"port": "1313"}}));
}

#[test]
fn delete_requests_read_the_old_object() {
    let mut ctx = Context::new();
    ctx.set("request.operation", json!("DELETE"));
    ctx.set(
        "request.object",
        json!({"metadata": {"name": "curr", "annotations": {"target": "foo"}}}),
    );
    ctx.set(
        "request.oldObject",
        json!({"metadata": {"name": "old", "annotations": {"target": "bar"}}}),
    );
    assert_eq!(
        substitute(
            json!("{{request.object.metadata.annotations.target}}"),
            &ctx
        ),
        json!("bar")
    );

    let mut ctx = Context::new();
    ctx.set("request.operation", json!("DELETE"));
    ctx.set(
        "request.oldObject",
        json!({"metadata": {"annotations": {"target": "nested_target", "targetnew": "target"}}}),
    );
    assert_eq!(
        substitute(
            json!(
                "{{request.object.metadata.annotations.{{request.object.metadata.annotations.targetnew}}}}"
            ),
            &ctx
        ),
        json!("nested_target")
    );
    // Escaped: the inner variable is resolved, the outer kept as text.
    assert_eq!(
        substitute(
            json!(
                "\\{{request.object.metadata.annotations.{{request.object.metadata.annotations.targetnew}}}}"
            ),
            &ctx
        ),
        json!("{{request.object.metadata.annotations.target}}")
    );
}

#[test]
fn nested_variables_resolve_innermost_first() {
    let ctx = context_with_object(resource());
    assert_eq!(
        substitute(
            json!("\"{{request.object.metadata.annotations.test}}\""),
            &ctx
        ),
        json!("\"name\"")
    );
    assert_eq!(
        substitute(
            json!("\"{{request.object.metadata.{{request.object.metadata.annotations.test}}}}\""),
            &ctx
        ),
        json!("\"temp\"")
    );
    for pattern in [
        "{{request.object.metadata.{{request.object.metadata.annotations.test2}}}}",
        "{{request.object.metadata2.{{request.object.metadata.annotations.test}}}}",
    ] {
        assert!(
            matches!(
                substitute_all(&json!(pattern), &ctx),
                Err(VariableError::NotFound { .. })
            ),
            "{pattern}"
        );
    }
}

#[test]
fn values_keep_their_type_alone_and_become_text_inside_strings() {
    let ctx = context_with_object(variable_object());
    let cases = [
        ("{{ request.object.simple_object_null }}", json!(null)),
        (
            "content = {{ request.object.simple_object_null }}",
            json!("content = null"),
        ),
        (
            "{{ request.object.complex_object_array }}",
            json!(["value1", "value2", "value3"]),
        ),
        (
            "content is {{ request.object.complex_object_map }}",
            json!(r#"content is {"key1":"value1","key2":"value2","key3":"value3"}"#),
        ),
        ("{{ request.object.simple_object_int }}", json!(5)),
        (
            "content = {{ request.object.simple_object_int }}",
            json!("content = 5"),
        ),
        ("{{ request.object.simple_object_float }}", json!(-5.5)),
        ("{{ request.object.simple_object_bool }}", json!(false)),
        (
            "content = {{ request.object.simple_object_bool }}",
            json!("content = false"),
        ),
        (
            "{{ request.object.simple_object_string }}",
            json!("example"),
        ),
        (
            "content = {{ request.object.simple_object_string }}",
            json!("content = example"),
        ),
        (
            "{{request.object.simple_object_string}}-{{request.object.simple_object_int}}",
            json!("example-5"),
        ),
        // Spaces around a lone variable make it text.
        (" {{ request.object.simple_object_int }}", json!(" 5")),
    ];
    for (pattern, expected) in cases {
        assert_eq!(
            substitute(json!({"spec": {"content": pattern}}), &ctx),
            json!({"spec": {"content": expected}}),
            "{pattern}"
        );
    }
}

#[test]
fn escaped_variables_stay_literal() {
    let ctx = context_with_object(resource());
    assert_eq!(
        substitute(json!("a \\{{ request.object.metadata.name }} b"), &ctx),
        json!("a {{ request.object.metadata.name }} b")
    );
    assert_eq!(
        substitute(
            json!("\\{{ x }} and {{ request.object.metadata.name }}"),
            &ctx
        ),
        json!("{{ x }} and temp")
    );
}

#[test]
fn message_with_context_entries() {
    let mut ctx = Context::new();
    ctx.set(
        "animals",
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "animals", "namespace": "default"},
               "data": {"animals": "snake\nbear\ncat\ndog"}}),
    );
    ctx.set(
        "request.object",
        json!({"metadata": {"name": "busybox", "labels": {"animal": "cow"}}}),
    );
    let rule = json!({"validate": {
        "message": "The animal {{ request.object.metadata.labels.animal }} is not in the allowed list of animals: {{ animals.data.animals }}.",
        "deny": {"conditions": [{
            "key": "{{ request.object.metadata.labels.animal }}",
            "operator": "NotIn",
            "value": "{{ animals.data.animals }}"
        }]}
    }});
    let out = substitute(rule, &ctx);
    assert_eq!(
        out["validate"]["message"],
        json!("The animal cow is not in the allowed list of animals: snake\nbear\ncat\ndog.")
    );
    assert_eq!(
        out["validate"]["deny"]["conditions"][0]["key"],
        json!("cow")
    );
}

#[test]
fn keys_are_substituted() {
    let ctx = context_with_object(resource());
    assert_eq!(
        substitute(
            json!({"{{ request.object.metadata.name }}": "{{ request.object.spec.name }}"}),
            &ctx
        ),
        json!({"temp": "temp1"})
    );
}

#[test]
fn or_falls_back_over_missing_keys() {
    let ctx = context_with_object(resource());
    assert_eq!(
        ctx.query("request.object.metadata.labels.app || 'none'"),
        Ok(json!("none"))
    );
    assert_eq!(
        ctx.query("request.object.metadata.labels.app || request.object.metadata.name"),
        Ok(json!("temp"))
    );
    assert_eq!(
        ctx.query("request.object.metadata.labels.app || request.object.nope"),
        Ok(json!(null))
    );
    assert_eq!(
        substitute(
            json!("{{ request.object.metadata.labels.app || '' }}"),
            &ctx
        ),
        json!("")
    );
    // Not at the top level: the fork's error stands.
    assert_eq!(
        ctx.query("to_upper(request.object.metadata.labels.app || 'x')"),
        Err(VariableError::NotFound {
            variable: "to_upper(request.object.metadata.labels.app || 'x')".into(),
            path: String::new(),
            key: "labels".into(),
        })
    );
    assert_eq!(
        split_logical_or("a || 'x || y' || [b || c] || `\"||\"`"),
        vec!["a", "'x || y'", "[b || c]", "`\"||\"`"]
    );
}

#[test]
fn query_errors() {
    let ctx = context_with_object(resource());
    let error = ctx.query("divide(`1`, `0`)").err();
    assert_eq!(
        error.map(|e| e.to_string()),
        Some(
            "failed to resolve divide(`1`, `0`) at path : JMESPath query failed: \
             JMESPath function 'divide': Zero divisor passed"
                .to_string()
        )
    );
    assert!(matches!(
        ctx.query("request.object.["),
        Err(VariableError::Invalid { message, .. }) if message.starts_with("incorrect query request.object.[: ")
    ));
    assert!(
        matches!(ctx.query("  "), Err(VariableError::Invalid { message, .. }) if message.contains("invalid query (nil)"))
    );
    assert_eq!(
        ctx.query("nope(`1`)").map_err(|e| e.detail()),
        Err("JMESPath query failed: unknown function: nope".to_string())
    );
}

#[test]
fn set_nests_and_keeps_siblings() {
    let mut ctx = Context::new();
    ctx.set("request.object", json!({"a": 1}));
    ctx.set("request.operation", json!("CREATE"));
    ctx.set("request.namespace", json!("ns"));
    ctx.set("element", json!({"name": "c"}));
    ctx.set("elementIndex", json!(0));
    let copy = ctx.clone();
    ctx.set("element", json!({"name": "d"}));
    assert_eq!(
        ctx.query("request"),
        Ok(json!({"object": {"a": 1}, "operation": "CREATE", "namespace": "ns"}))
    );
    assert_eq!(ctx.query("element.name"), Ok(json!("d")));
    assert_eq!(copy.query("element.name"), Ok(json!("c")));
    assert_eq!(ctx.query("elementIndex"), Ok(json!(0)));
    // Setting over a scalar makes it an object.
    ctx.set("request.operation.kind", json!("x"));
    assert_eq!(ctx.query("request.operation"), Ok(json!({"kind": "x"})));
    assert_eq!(ctx.query("request.object.a"), Ok(json!(1)));
}

#[test]
fn has_variables_is_cheap_and_exact() {
    assert!(!has_variables(&json!({"a": ["b", 1, null, {"c": "d"}]})));
    assert!(has_variables(&json!({"a": ["b", "{{ x }}"]})));
    assert!(has_variables(&json!({"{{ x }}": 1})));
    assert!(!has_variables(&json!("{ not }")));
    // Without variables the document comes back as it is.
    let ctx = Context::new();
    let doc = json!({"a": "$(./b)", "n": 1});
    assert_eq!(substitute_all(&doc, &ctx), Ok(doc.clone()));
    assert_eq!(substitute_all_in_preconditions(&doc, &ctx), Ok(doc));
}

#[test]
fn a_value_that_refers_to_itself_stops() {
    let ctx = context_with_object(json!({"a": "{{ request.object.a }}"}));
    assert!(matches!(
        substitute_all(&json!("x {{ request.object.a }}"), &ctx),
        Err(VariableError::Invalid { message, .. }) if message == "variables still unresolved after 256 rounds"
    ));
}

#[test]
fn images_and_functions_in_variables() {
    let mut ctx = Context::new();
    let pod = json!({"kind": "Pod", "metadata": {"name": "p"},
                     "spec": {"containers": [{"name": "app", "image": "ghcr.io/org/app:1.2"}]}});
    ctx.set("images", crate::kyverno::images::images_of(&pod));
    ctx.set("request.object", pod);
    assert_eq!(
        substitute(
            json!(
                "{{ images.containers.app.registry }}/{{ to_upper(request.object.metadata.name) }}"
            ),
            &ctx
        ),
        json!("ghcr.io/P")
    );
    assert_eq!(
        substitute(
            json!("{{ request.object.spec.containers[].image | length(@) }}"),
            &ctx
        ),
        json!(1)
    );
}

#[test]
fn references_resolve_against_the_pattern() {
    let document = json!({
        "metadata": {"name": "temp", "namespace": "n1",
                     "annotations": {"test": "$(../../../../spec/namespace)"}},
        "(spec)": {"namespace": "n1", "name": "temp1"}
    });
    let mut expected = document.clone();
    expected["metadata"]["annotations"]["test"] = json!("n1");
    assert_eq!(substitute_references(&document), Ok(expected));

    let pattern = json!({"spec": {"containers": [{
        "name": "*",
        "resources": {
            "requests": {"memory": "$(<=./../../limits/memory)"},
            "limits": {"memory": "2048Mi"}
        }
    }]}});
    assert_eq!(
        substitute_references(&pattern)
            .map(|p| p["spec"]["containers"][0]["resources"]["requests"]["memory"].clone()),
        Ok(json!("<=2048Mi"))
    );
    // A number with an operator is written as Go's `%f`.
    assert_eq!(
        substitute_references(&json!({"a": 2, "b": "$(>./../a)"})),
        Ok(json!({"a": 2, "b": ">2.000000"}))
    );
}

#[test]
fn escaped_and_failed_references() {
    let document = json!({
        "metadata": {"annotations": {
            "test1": "$(../../../../spec/namespace)",
            "test2": "\\$(ENV_VAR)",
            "test3": "\\${ENV_VAR}",
            "test4": "\\\\\\${ENV_VAR}"
        }},
        "(spec)": {"namespace": "n1"}
    });
    assert_eq!(
        substitute_references(&document),
        Ok(json!({
            "metadata": {"annotations": {
                "test1": "n1",
                "test2": "$(ENV_VAR)",
                "test3": "\\${ENV_VAR}",
                "test4": "\\\\\\${ENV_VAR}"
            }},
            "(spec)": {"namespace": "n1"}
        }))
    );
    assert_eq!(
        substitute_references(&json!({"a": "$(./../b)"})),
        Err("got nil resolved variable $(./../b) at path /a: <nil>".to_string())
    );
    assert_eq!(
        substitute_references(&json!({"a": "$(./../b)", "b": 1})),
        Err("NotResolvedReferenceErr,reference $(./../b) not resolved at path /a".to_string())
    );
    assert_eq!(
        substitute_references(&json!({"a": "$(<)"})),
        Err("failed to resolve $(<) at path /a: expected path, found empty reference".to_string())
    );
    assert_eq!(
        substitute_references(&json!({"a": "x $(<./../b)", "b": true})),
        Err("failed to resolve $(<./../b) at path /a: incorrect expression: operator < does not match with value true".to_string())
    );
    assert!(!has_references(&json!({"a": ["b", 1]})));
    assert!(has_references(&json!({"a": ["$(./x)"]})));
}

#[test]
fn reference_paths_join_as_go_does() {
    let leaves_doc = json!({"spec": {"containers": [{"resources": {
        "requests": {"memory": "x"}, "limits": {"memory": "1Gi"}}}]}});
    let mut leaves = Vec::new();
    collect_leaves(&leaves_doc, &mut String::new(), &mut leaves);
    let from = "/spec/containers/0/resources/requests/memory";
    for reference in [
        "$(./../../limits/memory)",
        "$(../../limits/memory)",
        "$(/spec/containers/0/resources/limits/memory)",
    ] {
        assert_eq!(
            resolve_reference(reference, &leaves, from),
            Ok(Some(json!("1Gi"))),
            "{reference}"
        );
    }
    assert_eq!(strip_anchor("=(name)"), "name");
    assert_eq!(strip_anchor("X(name)"), "name");
    assert_eq!(strip_anchor("name)"), "name)");
}

#[test]
fn json_in_text_is_gos() {
    let ctx = context_with_object(json!({"m": {"b": "<a&b>", "a": [1, 2.5, null]}}));
    assert_eq!(
        substitute(json!("m = {{ request.object.m }}"), &ctx),
        json!(r#"m = {"a":[1,2.5,null],"b":"\u003ca\u0026b\u003e"}"#)
    );
    // A lone string is never JSON-encoded.
    assert_eq!(
        substitute(json!("{{ request.object.m.b }}"), &ctx),
        json!("<a&b>")
    );
}

#[test]
fn contexts_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Context>();
    send_sync::<VariableError>();
    let ctx = context_with_object(resource());
    let handle = std::thread::spawn(move || ctx.query("request.object.metadata.name"));
    assert_eq!(handle.join().ok(), Some(Ok(json!("temp"))));
}
