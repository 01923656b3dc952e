//! ARGO-004: inside one Application, a resource syncs before the Namespace,
//! CRD or SealedSecret it needs.

use std::borrow::Cow;
use std::collections::HashSet;

use super::app::{WAVE, Wave, app_resources, is_application, wave_pointer};
use super::deps::{crd_kind, is_crd, is_sealed_secret, sealed_secret_name, secret_refs};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Prose;
use crate::rules::{Principle, Rule, RuleMeta, SetCheck, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-004",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Resource synced before the Namespace, CRD or SealedSecret it needs",
    rationale: "Inside one Application, ArgoCD applies resources wave by wave \
                (`argocd.argoproj.io/sync-wave` on each resource, 0 when absent) and, within a \
                wave, Namespaces and CustomResourceDefinitions before everything else. A \
                resource in an earlier wave than its Namespace or than the CRD defining its kind \
                fails to apply. A SealedSecret only becomes a Secret once the controller has \
                decrypted it, after it was applied: a pod reading the Secret in the same wave or \
                earlier starts without it and crash-loops, so SealedSecrets need a strictly \
                earlier wave than their consumers. The Application's resources are the checked \
                files under its source `path`, and the output of the chart charter rendered \
                for it.",
    fix: "Give the Namespace or CRD a wave no later than what uses it, and the SealedSecret a \
          wave earlier than its consumers (e.g. `argocd.argoproj.io/sync-wave: \"-1\"` on the \
          SealedSecret).",
    failing_example: Prose(
        "Application `ollama` (path `apps/ollama`) holds SealedSecret `ollama-token` and a \
         Deployment reading Secret `ollama-token`, both without a sync-wave annotation (wave 0): \
         the Deployment starts before the controller has made the Secret.",
    ),
    passing_example: Prose(
        "The same SealedSecret carries `argocd.argoproj.io/sync-wave: \"-1\"`; the Deployment \
         stays in wave 0.",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, ResourceOrder)
}

struct ResourceOrder;

impl SetCheck for ResourceOrder {
    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let mut reported = HashSet::new();
        for app in set
            .resources
            .iter()
            .filter(|resource| is_application(resource))
        {
            let resources = app_resources(app, set.resources, set.files);
            for resource in &resources {
                let wave = Wave::of(resource).effective();
                for provider in &resources {
                    let Some(need) = needs(resource, provider) else {
                        continue;
                    };
                    let provider_wave = Wave::of(provider).effective();
                    let too_early = match need {
                        Need::SealedSecret => wave <= provider_wave,
                        Need::Namespace | Need::Crd => wave < provider_wave,
                    };
                    if !too_early || !reported.insert((resource.index, provider.index)) {
                        continue;
                    }
                    let required = match need {
                        Need::SealedSecret => "a later wave",
                        Need::Namespace | Need::Crd => "the same or a later wave",
                    };
                    let finding = out.report(
                        resource,
                        wave_pointer(resource),
                        format!(
                            "{} (wave {wave}) needs {} {} (wave {provider_wave}) of Application \
                             `{}`: {}; it must be in {required}",
                            resource.display(),
                            need.describe(),
                            provider.display(),
                            app.name,
                            need.consequence(),
                        ),
                    );
                    let target = match need {
                        Need::SealedSecret => provider_wave + 1,
                        Need::Namespace | Need::Crd => provider_wave,
                    };
                    finding.hint = Cow::Owned(format!(
                        "Set `{WAVE}: \"{target}\"` on {}, or an earlier wave on {}.",
                        resource.display(),
                        provider.display()
                    ));
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Need {
    Namespace,
    Crd,
    SealedSecret,
}

impl Need {
    fn describe(self) -> &'static str {
        match self {
            Need::Namespace => "its",
            Need::Crd => "the CRD of its kind,",
            Need::SealedSecret => "the Secret of",
        }
    }

    fn consequence(self) -> &'static str {
        match self {
            Need::Namespace => "applied before its namespace exists, it fails",
            Need::Crd => "applied before its kind exists, it fails",
            Need::SealedSecret => {
                "the controller makes the Secret only after the SealedSecret is applied, so its \
                 pods start without it"
            }
        }
    }
}

/// What `resource` needs of `provider`, if anything.
fn needs(resource: &Resource, provider: &Resource) -> Option<Need> {
    if resource.index == provider.index {
        return None;
    }
    if provider.is("", "Namespace") {
        return (resource.namespace.as_deref() == Some(provider.name.as_str()))
            .then_some(Need::Namespace);
    }
    if is_crd(provider) {
        let kind = crd_kind(provider)?;
        let own = super::deps::Dep::Kind(resource.group().to_owned(), resource.kind.clone());
        return (kind == own).then_some(Need::Crd);
    }
    if is_sealed_secret(provider) {
        let same_namespace = provider.namespace.is_none()
            || resource.namespace.is_none()
            || provider.namespace == resource.namespace;
        let name = sealed_secret_name(provider);
        return (same_namespace && secret_refs(resource).contains(&name))
            .then_some(Need::SealedSecret);
    }
    None
}
