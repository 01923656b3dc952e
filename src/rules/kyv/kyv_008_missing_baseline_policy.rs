//! KYV-008: a platform without one of its baseline policies.

use globset::GlobMatcher;

use super::{Requirement, is_policy, shipped};
use crate::engine::{Emitter, ResourceSet};
use crate::rules::Example::Prose;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::suppress::glob;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-008",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Platform without a baseline Kyverno policy",
    rationale: "Defence in depth: what charter checks in Git, Kyverno must refuse at admission, \
                so that nothing applied by hand slips past. When the checked paths are declared \
                a whole deployment (`--platform`, or `platform: true` in `.charter.yaml`), the \
                set must hold a Policy or ClusterPolicy for each baseline requirement \
                (`baseline` in `rules/kyverno.yaml`: privileged containers, resource limits, \
                `latest` tags, runAsNonRoot, hostPath, plaintext Secrets), recognised by name.",
    fix: "Add the missing policy (the Kyverno policy library has each of them under the name \
          listed first), or list your own policy's name for the requirement in the `baseline` \
          parameter.",
    failing_example: Prose(
        "charter check --platform deploy/, where deploy/ holds no policy named \
         disallow-privileged-containers (or another name listed for that requirement).",
    ),
    passing_example: Prose(
        "charter check --platform deploy/, where deploy/ holds a ClusterPolicy for every \
         baseline requirement; or any run without --platform.",
    ),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        MissingBaseline::new(&shipped().baseline)
            .unwrap_or_else(|error| panic!("rules/kyverno.yaml: baseline: {error}")),
    )
}

struct MissingBaseline {
    requirements: Vec<(String, Vec<GlobMatcher>)>,
}

impl MissingBaseline {
    fn new(requirements: &[Requirement]) -> Result<Self, String> {
        let requirements = requirements
            .iter()
            .map(|requirement| {
                let names = requirement
                    .names
                    .iter()
                    .map(|name| glob(name, false))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((requirement.requirement.clone(), names))
            })
            .collect::<Result<_, String>>()?;
        Ok(MissingBaseline { requirements })
    }
}

impl SetCheck for MissingBaseline {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "baseline" => {
                    let list: Vec<Requirement> = serde_json::from_value(value.clone())
                        .map_err(|error| format!("`baseline`: {error}"))?;
                    *self = MissingBaseline::new(&list)?;
                }
                other => return Err(format!("has no parameter `{other}` (known: baseline)")),
            }
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        &["baseline"]
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        if !set.platform {
            return;
        }
        let policies: Vec<_> = set.resources.iter().filter(|r| is_policy(r)).collect();
        // Where a missing policy is reported: the first policy, or the
        // first resource when there is none.
        let Some(anchor) = policies.first().copied().or(set.resources.first()) else {
            return;
        };
        for (requirement, names) in &self.requirements {
            let present = policies
                .iter()
                .any(|policy| names.iter().any(|name| name.is_match(&policy.name)));
            if !present {
                let listed: Vec<&str> = names.iter().map(|name| name.glob().glob()).collect();
                out.report(
                    anchor,
                    "",
                    format!(
                        "the platform has no Kyverno policy to {requirement} (looked for {})",
                        listed.join(", ")
                    ),
                );
            }
        }
    }
}
