//! The `PRIV` family: privacy first (constitution, article 1): all
//! inference local, no telemetry, self-contained operation. The telemetry
//! catalogue is `rules/telemetry.yaml`; endpoints and reporters are in
//! `rules/privacy.yaml`; the egress rules' defaults are in `rules/egress.yaml`.

pub mod catalogue;
mod egress;
mod endpoint;
mod phone_home;
mod priv_001_phone_home_on;
mod priv_002_phone_home_by_default;
mod priv_003_inference_leaves_cluster;
mod priv_004_external_reporting;
mod priv_005_model_download;
mod priv_006_no_default_deny_egress;
mod priv_007_egress_to_internet;
mod strings;
pub mod switch;
mod version;

use catalogue::{Catalogue, Kind};
use phone_home::Verdict;

use super::{Parameters, Rule, SetCheck};
use crate::engine::{Emitter, ResourceSet};

pub fn rules() -> Vec<Rule> {
    vec![
        priv_001_phone_home_on::rule(),
        priv_002_phone_home_by_default::rule(),
        priv_003_inference_leaves_cluster::rule(),
        priv_004_external_reporting::rule(),
        priv_005_model_download::rule(),
        priv_006_no_default_deny_egress::rule(),
        priv_007_egress_to_internet::rule(),
    ]
}

/// The family parameters that change the catalogue.
const CATALOGUE_PARAMETERS: &[&str] = &["components", "replaceBuiltinComponents"];

/// The catalogue a rule uses: the shipped one, or the shipped one merged
/// with a user's `components`.
#[derive(Default)]
struct CatalogueInUse {
    configured: Option<Catalogue>,
}

impl CatalogueInUse {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        if let Some(key) = params
            .keys()
            .find(|key| !CATALOGUE_PARAMETERS.contains(&key.as_str()))
        {
            return Err(format!(
                "has no parameter `{key}` (known: {})",
                CATALOGUE_PARAMETERS.join(", ")
            ));
        }
        self.configured = catalogue::from_parameters(params)?;
        Ok(())
    }

    fn get(&self) -> &Catalogue {
        self.configured
            .as_ref()
            .unwrap_or_else(|| catalogue::shipped())
    }

    /// The components with enforced settings of the kinds `wanted` picks,
    /// for `charter explain`.
    fn knowledge(&self, wanted: fn(Kind) -> bool) -> String {
        let mut lines = Vec::new();
        for component in &self.get().components {
            let settings: Vec<String> = component
                .settings
                .iter()
                .filter(|setting| setting.enforced() && wanted(setting.spec.kind))
                .map(|setting| setting.spec.title.clone())
                .collect();
            if !settings.is_empty() {
                lines.push(format!(
                    "- {} ({})",
                    component.spec.display_name(),
                    settings.join(", ")
                ));
            }
        }
        format!(
            "{} components, from rules/telemetry.yaml:\n{}",
            lines.len(),
            lines.join("\n")
        )
    }

    /// Reports the verdicts `wanted` picks.
    fn report(
        &self,
        set: &ResourceSet<'_>,
        out: &mut Emitter<'_>,
        wanted: impl Fn(&Verdict<'_>) -> Option<(String, Option<String>)>,
    ) {
        for verdict in phone_home::verdicts(self.get(), set.resources, set.files) {
            let Some((message, hint)) = wanted(&verdict) else {
                continue;
            };
            let place = &verdict.place;
            let finding = out.report(place.resource, &place.pointer, message);
            if let Some(mark) = place.mark {
                finding.mark = mark;
            }
            if let Some(hint) = hint {
                finding.hint = hint.into();
            }
        }
    }
}

fn is_phone_home(kind: Kind) -> bool {
    kind != Kind::ModelDownload
}

/// A finding's message and, when it has a better one than the rule's
/// fix, its hint.
type Judgement = Option<(String, Option<String>)>;

/// A rule over the catalogue's verdicts: PRIV-001, PRIV-002 and PRIV-005
/// differ only in the kinds of setting they cover and what they say.
struct CatalogueRule {
    catalogue: CatalogueInUse,
    kinds: fn(Kind) -> bool,
    judge: fn(&Verdict<'_>) -> Judgement,
}

impl CatalogueRule {
    fn new(kinds: fn(Kind) -> bool, judge: fn(&Verdict<'_>) -> Judgement) -> Self {
        CatalogueRule {
            catalogue: CatalogueInUse::default(),
            kinds,
            judge,
        }
    }
}

impl SetCheck for CatalogueRule {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.catalogue.configure(params)
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        CATALOGUE_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        Some(self.catalogue.knowledge(self.kinds))
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        self.catalogue.report(set, out, |verdict| {
            match (self.kinds)(verdict.setting.spec.kind) {
                true => (self.judge)(verdict),
                false => None,
            }
        });
    }
}

/// The family parameters that say what is local.
const LOCALITY_PARAMETERS: &[&str] = &["localHosts", "clusterDomains"];

/// Takes `localHosts` and `clusterDomains`; any other key but `own` is refused.
fn configure_locality(
    locality: &mut endpoint::Locality,
    params: &Parameters,
    own: &[&str],
) -> Result<(), String> {
    for (key, value) in params {
        let list = || -> Result<Vec<String>, String> {
            serde_json::from_value(value.clone())
                .map_err(|_| format!("`{key}` must be a list of strings"))
        };
        match key.as_str() {
            "localHosts" => locality.allow(&list()?)?,
            "clusterDomains" => locality.set_cluster_domains(list()?),
            other if own.contains(&other) => {}
            other => {
                let mut known: Vec<&str> = LOCALITY_PARAMETERS.to_vec();
                known.extend(own);
                return Err(format!(
                    "has no parameter `{other}` (known: {})",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(())
}
