//! ARGO-010: an Application does not sync automatically with pruning and
//! self-healing.

use super::app::{is_app, named, shipped, spec_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-010",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Application without automated sync, prune and self-heal",
    rationale: "All state in Git only holds when the cluster follows Git by itself: without \
                `syncPolicy.automated`, changes wait for someone to press sync; without \
                `prune: true`, what was deleted from Git keeps running; without \
                `selfHeal: true`, a `kubectl edit` made by hand stays until the next commit. \
                Each requirement can be turned off with the rule's parameters `requirePrune` and \
                `requireSelfHeal` (defaults in `rules/argocd.yaml`).",
    fix: "Set `spec.syncPolicy.automated: {prune: true, selfHeal: true}`.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: litellm
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"5\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: litellm-helm
    targetRevision: 0.1.600
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-backend
  syncPolicy:
    automated: {prune: false}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: litellm
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"5\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: litellm-helm
    targetRevision: 0.1.600
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-backend
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::resource(
        &META,
        AutomatedSync {
            prune: data.require_prune,
            self_heal: data.require_self_heal,
        },
    )
}

struct AutomatedSync {
    prune: bool,
    self_heal: bool,
}

impl ResourceCheck for AutomatedSync {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            let flag = || {
                value
                    .as_bool()
                    .ok_or_else(|| format!("`{key}` must be true or false"))
            };
            match key.as_str() {
                "requirePrune" => self.prune = flag()?,
                "requireSelfHeal" => self.self_heal = flag()?,
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: requirePrune, requireSelfHeal)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        let spec = spec_pointer(resource);
        if resource.get(spec).is_none_or(|spec| !spec.is_mapping()) {
            return;
        }
        let what = named(resource);
        let policy = format!("{spec}/syncPolicy");
        let automated = format!("{policy}/automated");
        let Some(settings) = resource.get(&automated) else {
            let pointer = match resource.get(&policy) {
                Some(_) => policy,
                None => spec.to_owned(),
            };
            out.report(
                resource,
                &pointer,
                format!(
                    "{what} has no `syncPolicy.automated`: changes in Git wait for a manual \
                     sync, and the cluster drifts from Git"
                ),
            );
            return;
        };
        // `automated: {}` or `automated: null` enables automated sync
        // with prune and self-heal off.
        for (key, required, why) in [
            (
                "prune",
                self.prune,
                "what is deleted from Git keeps running in the cluster",
            ),
            (
                "selfHeal",
                self.self_heal,
                "changes made by hand in the cluster stay until the next commit",
            ),
        ] {
            if !required || settings.get(key).and_then(Node::as_bool) == Some(true) {
                continue;
            }
            let field = format!("{automated}/{key}");
            let pointer = match resource.get(&field) {
                Some(_) => field,
                None => automated.clone(),
            };
            out.report(
                resource,
                &pointer,
                format!("{what} syncs automatically without `{key}: true`: {why}"),
            );
        }
    }
}
