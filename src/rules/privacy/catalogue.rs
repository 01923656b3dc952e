//! The telemetry catalogue (`rules/telemetry.yaml`): per component, how to
//! recognise it and every phone-home setting it has. Users extend or
//! override it with the `PRIV` family's `components` parameter.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

use super::switch::Values;
use super::version::VersionRange;

const SHIPPED: &str = include_str!("../../../rules/telemetry.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CatalogueFile {
    components: Vec<ComponentSpec>,
}

/// A component as written in the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComponentSpec {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub recognise: Recognise,
    /// Environment the official image sets, in force unless a manifest
    /// overrides it.
    #[serde(default)]
    pub image_env: BTreeMap<String, String>,
    #[serde(default)]
    pub settings: Vec<SettingSpec>,
    /// In a user's override: drop the shipped component of this id.
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Recognise {
    /// Regexes on the container image.
    #[serde(default)]
    pub images: Vec<String>,
    /// Regexes on the container's command and args joined by spaces; with
    /// `images`, both must match.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Regexes on environment variable names that reveal the component in any image.
    #[serde(default)]
    pub env: Vec<String>,
    /// Helm chart names, for ArgoCD Applications' values.
    #[serde(default)]
    pub charts: Vec<String>,
    /// A Helm value of those charts that, set false, means the chart does
    /// not deploy the component (`grafana.enabled` of kube-prometheus-stack).
    #[serde(default)]
    pub chart_toggle: Option<String>,
    /// Ids of components whose images bundle this one.
    #[serde(default)]
    pub embedded_in: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Usage statistics, diagnostics, heartbeats.
    Telemetry,
    /// Version and update checks.
    UpdateCheck,
    /// Templates, news, banners, price lists fetched from the vendor.
    ContentFetch,
    /// Vendor cloud features reachable from the local install.
    Cloud,
    /// Browser-side analytics and third-party sharing.
    Analytics,
    /// Model downloads from a public hub at run time (PRIV-005).
    ModelDownload,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Telemetry => "telemetry",
            Kind::UpdateCheck => "update check",
            Kind::ContentFetch => "vendor content fetch",
            Kind::Cloud => "vendor cloud access",
            Kind::Analytics => "analytics",
            Kind::ModelDownload => "model download",
        }
    }
}

/// `on` and `off` (YAML 1.1 reads them as booleans, so both forms come in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    On,
    Off,
}

impl<'de> Deserialize<'de> for Default {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match word(deserializer)?.as_str() {
            "on" | "true" => Ok(Default::On),
            "off" | "false" => Ok(Default::Off),
            other => Err(serde::de::Error::custom(format!(
                "default is `on` or `off`, not `{other}`"
            ))),
        }
    }
}

/// How far the catalogue's row was checked against the project's own
/// source or docs. Unverified rows are listed, not enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    Yes,
    Partly,
    No,
}

impl<'de> Deserialize<'de> for Verified {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match word(deserializer)?.as_str() {
            "yes" | "true" => Ok(Verified::Yes),
            "partly" => Ok(Verified::Partly),
            "no" | "false" => Ok(Verified::No),
            other => Err(serde::de::Error::custom(format!(
                "verified is `yes`, `partly` or `no`, not `{other}`"
            ))),
        }
    }
}

/// A word that YAML 1.1 may have read as a boolean, back as a word.
fn word<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Bool(flag) => Ok(flag.to_string()),
        serde_json::Value::String(text) => Ok(text.to_ascii_lowercase()),
        other => Err(serde::de::Error::custom(format!(
            "expected a word, not {other}"
        ))),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingSpec {
    pub id: String,
    pub kind: Kind,
    /// What the feature is, for messages ("usage statistics").
    pub title: String,
    /// What it sends (or fetches).
    pub sends: String,
    /// Where to.
    pub to: String,
    pub default: Default,
    /// Image versions the setting applies to (`>=3.0.0, <4`); a tag that is
    /// not a version counts as inside.
    #[serde(default)]
    pub versions: Option<String>,
    pub source: String,
    pub verified: Verified,
    /// Ways to turn the feature off (or on); any one reading "off" wins.
    #[serde(default)]
    pub switches: Vec<SwitchSpec>,
    /// Another setting of the component that must be on for this one to matter.
    #[serde(default)]
    pub requires: Option<String>,
    /// Variables whose presence makes the program ignore the off switches.
    #[serde(default)]
    pub unless_set: Vec<String>,
    /// What to do when no switch exists (shown in the hint).
    #[serde(default)]
    pub fix: Option<String>,
}

/// One place a setting can be written, and how the program reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SwitchSpec {
    #[serde(default)]
    pub env: Option<String>,
    /// A command-line flag (`--usage-stats`); matched with one or two
    /// leading dashes, ignoring case.
    #[serde(default)]
    pub flag: Option<String>,
    /// A key in a configuration file carried by a ConfigMap.
    #[serde(default)]
    pub file: Option<FileKey>,
    /// A Helm value path of the component's charts (`defaultSettings.upgradeChecker`).
    #[serde(default)]
    pub helm: Option<String>,
    /// A flag inside list-valued Helm values that the chart hands to the
    /// program as arguments (Traefik's `globalArguments`).
    #[serde(default)]
    pub helm_flag: Option<HelmFlag>,
    /// Values that turn the feature off; any other value leaves it on.
    #[serde(default)]
    pub off: Option<Values>,
    /// Values that turn the feature on; any other value turns it off.
    #[serde(default)]
    pub on: Option<Values>,
    /// Compare values ignoring ASCII case.
    #[serde(default)]
    pub caseless: bool,
    /// A flag written without a value means `true`.
    #[serde(default)]
    pub boolean: bool,
    /// The value the hint proposes (default: the first `off` value).
    #[serde(default)]
    pub recommend: Option<String>,
}

/// `helmFlag:` of a switch: `flag` looked up in the argument lists at the
/// Helm value paths `lists`, in the order the chart passes them (the last
/// occurrence wins, as the program's flag parser has it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HelmFlag {
    pub lists: Vec<String>,
    pub flag: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileKey {
    /// File names: ConfigMap data keys (or mounted item paths) that hold the file.
    pub names: Vec<String>,
    /// Dotted key path inside the file (`analytics.reporting_enabled`; for
    /// INI files `section.key`).
    pub path: String,
    /// The ConfigMap the program reads by name through the API, rather
    /// than a file mounted into the container.
    #[serde(default)]
    pub config_map: Option<String>,
}

/// A component ready to match.
#[derive(Debug)]
pub struct Component {
    pub spec: ComponentSpec,
    pub settings: Vec<Setting>,
}

#[derive(Debug)]
pub struct Setting {
    pub spec: SettingSpec,
    pub versions: Option<VersionRange>,
}

impl Setting {
    /// Whether the setting is enforced: verified rows only.
    pub fn enforced(&self) -> bool {
        self.spec.verified != Verified::No
    }
}

#[derive(Debug)]
pub struct Catalogue {
    pub components: Vec<Component>,
    /// Every component's recognition patterns in one set per field, so a
    /// container is matched against the whole catalogue in one pass each.
    images: PatternSet,
    commands: PatternSet,
    env: PatternSet,
}

/// Patterns of many components in one regex set; `owner[i]` is the
/// component of pattern `i`.
#[derive(Debug)]
struct PatternSet {
    set: RegexSet,
    owner: Vec<usize>,
}

impl PatternSet {
    fn new(components: &[Component], field: impl Fn(&Recognise) -> &Vec<String>) -> Self {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (index, component) in components.iter().enumerate() {
            for pattern in field(&component.spec.recognise) {
                patterns.push(pattern.as_str());
                owner.push(index);
            }
        }
        // Each pattern compiled alone already; together they compile too.
        let set = RegexSet::new(patterns).unwrap_or_else(|_| RegexSet::empty());
        PatternSet { set, owner }
    }

    /// Marks the components with a pattern matching `text`.
    fn mark(&self, text: &str, hits: &mut [bool]) {
        for index in self.set.matches(text).iter() {
            hits[self.owner[index]] = true;
        }
    }
}

/// A component found in a container, and whether the image is its own
/// (then the image tag is its version).
pub struct Recognised<'c> {
    pub component: &'c Component,
    pub own_image: bool,
}

impl Catalogue {
    /// The shipped catalogue. It is compiled in and covered by tests, so a
    /// broken one never reaches a user.
    pub fn shipped() -> &'static [ComponentSpec] {
        static SPECS: OnceLock<Vec<ComponentSpec>> = OnceLock::new();
        SPECS.get_or_init(|| {
            let file: CatalogueFile = crate::rules::shipped_data("telemetry.yaml", SHIPPED);
            file.components
        })
    }

    /// Compiles `specs`; the message names the component and field at fault.
    pub fn compile(specs: &[ComponentSpec]) -> Result<Catalogue, String> {
        let mut components = Vec::new();
        for spec in specs.iter().filter(|spec| !spec.disabled) {
            let regexes = |field: &str, patterns: &[String]| {
                patterns
                    .iter()
                    .map(|pattern| {
                        Regex::new(pattern).map_err(|error| {
                            format!("component `{}`: recognise.{field}: {error}", spec.id)
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let mut settings = Vec::new();
            for setting in &spec.settings {
                let at = format!("component `{}`, setting `{}`", spec.id, setting.id);
                for switch in &setting.switches {
                    check_switch(switch).map_err(|message| format!("{at}: {message}"))?;
                }
                let versions = match &setting.versions {
                    Some(text) => Some(
                        VersionRange::parse(text)
                            .map_err(|message| format!("{at}: versions: {message}"))?,
                    ),
                    None => None,
                };
                if let Some(required) = &setting.requires
                    && !spec.settings.iter().any(|other| &other.id == required)
                {
                    return Err(format!("{at}: requires unknown setting `{required}`"));
                }
                settings.push(Setting {
                    spec: setting.clone(),
                    versions,
                });
            }
            regexes("images", &spec.recognise.images)?;
            regexes("commands", &spec.recognise.commands)?;
            regexes("env", &spec.recognise.env)?;
            components.push(Component {
                settings,
                spec: spec.clone(),
            });
        }
        Ok(Catalogue {
            images: PatternSet::new(&components, |r| &r.images),
            commands: PatternSet::new(&components, |r| &r.commands),
            env: PatternSet::new(&components, |r| &r.env),
            components,
        })
    }

    /// The shipped catalogue with a user's components merged in: a
    /// component with a shipped id replaces it (or, with `disabled: true`,
    /// removes it); others are added.
    pub fn merged(user: &[ComponentSpec], replace_builtin: bool) -> Result<Catalogue, String> {
        let mut specs: Vec<ComponentSpec> = match replace_builtin {
            true => Vec::new(),
            false => Self::shipped().to_vec(),
        };
        for component in user {
            match specs.iter_mut().find(|spec| spec.id == component.id) {
                Some(existing) => *existing = component.clone(),
                None => specs.push(component.clone()),
            }
        }
        Self::compile(&specs)
    }

    /// The components a container runs: by its own image and command line
    /// (with both patterns, both must match), by the variables it sets,
    /// then those bundled in a recognised one.
    pub fn recognise<'n>(
        &self,
        image: &str,
        command_line: &str,
        env_names: impl IntoIterator<Item = &'n str>,
    ) -> Vec<Recognised<'_>> {
        let count = self.components.len();
        let (mut by_image, mut by_command, mut by_env) =
            (vec![false; count], vec![false; count], vec![false; count]);
        self.images.mark(image, &mut by_image);
        self.commands.mark(command_line, &mut by_command);
        for name in env_names {
            self.env.mark(name, &mut by_env);
        }
        let mut found: Vec<Recognised<'_>> = Vec::new();
        for (index, component) in self.components.iter().enumerate() {
            let recognise = &component.spec.recognise;
            let own = match (recognise.images.is_empty(), recognise.commands.is_empty()) {
                (false, false) => by_image[index] && by_command[index],
                (false, true) => by_image[index],
                (true, false) => by_command[index],
                (true, true) => false,
            };
            if own || by_env[index] {
                found.push(Recognised {
                    component,
                    own_image: own && !recognise.images.is_empty(),
                });
            }
        }
        let hosts: Vec<&str> = found.iter().map(|r| r.component.spec.id.as_str()).collect();
        let embedded: Vec<&Component> = self
            .components
            .iter()
            .filter(|component| {
                !hosts.contains(&component.spec.id.as_str())
                    && component
                        .spec
                        .recognise
                        .embedded_in
                        .iter()
                        .any(|host| hosts.contains(&host.as_str()))
            })
            .collect();
        found.extend(embedded.into_iter().map(|component| Recognised {
            component,
            own_image: false,
        }));
        found
    }

    pub fn find(&self, id: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|component| component.spec.id == id)
    }

    /// The names of the components, for `charter explain`.
    pub fn names(specs: &[ComponentSpec]) -> String {
        let names: Vec<&str> = specs
            .iter()
            .filter(|spec| !spec.disabled)
            .map(|spec| spec.display_name())
            .collect();
        names.join(", ")
    }
}

impl ComponentSpec {
    pub fn display_name(&self) -> &str {
        match self.name.is_empty() {
            true => &self.id,
            false => &self.name,
        }
    }
}

fn check_switch(switch: &SwitchSpec) -> Result<(), String> {
    let places = [
        switch.env.is_some(),
        switch.flag.is_some(),
        switch.file.is_some(),
        switch.helm.is_some(),
        switch.helm_flag.is_some(),
    ];
    if places.iter().filter(|set| **set).count() != 1 {
        return Err("a switch names exactly one of env, flag, file, helm, helmFlag".into());
    }
    if switch.off.is_some() == switch.on.is_some() {
        return Err("a switch says either which values turn it `off` or which turn it `on`".into());
    }
    if switch.on.is_some() && switch.recommend.is_none() {
        return Err(
            "a switch given by its `on` values needs `recommend` (the value to set)".into(),
        );
    }
    Ok(())
}

/// The `PRIV` family's catalogue parameters: `components` (merged into
/// the shipped catalogue) and `replaceBuiltinComponents`.
pub fn from_parameters(params: &crate::rules::Parameters) -> Result<Option<Catalogue>, String> {
    let replace = match params.get("replaceBuiltinComponents") {
        None => false,
        Some(value) => value
            .as_bool()
            .ok_or("`replaceBuiltinComponents` is true or false")?,
    };
    let user: Vec<ComponentSpec> = match params.get("components") {
        None if !replace => return Ok(None),
        None => Vec::new(),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|error| format!("`components`: {error}"))?,
    };
    Catalogue::merged(&user, replace).map(Some)
}

/// The compiled shipped catalogue, shared by the rules until a user's
/// configuration gives them their own.
pub fn shipped() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::compile(Catalogue::shipped())
            .unwrap_or_else(|error| panic!("rules/telemetry.yaml: {error}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_compiles_and_ids_are_unique() {
        let catalogue = shipped();
        let mut ids: Vec<&str> = catalogue
            .components
            .iter()
            .map(|c| c.spec.id.as_str())
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "component ids repeat");
        for component in &catalogue.components {
            let mut settings: Vec<&str> = component
                .settings
                .iter()
                .map(|s| s.spec.id.as_str())
                .collect();
            let count = settings.len();
            settings.sort_unstable();
            settings.dedup();
            assert_eq!(
                settings.len(),
                count,
                "setting ids repeat in `{}`",
                component.spec.id
            );
            for embedding in &component.spec.recognise.embedded_in {
                assert!(
                    catalogue.find(embedding).is_some(),
                    "`{}` is embedded in unknown `{embedding}`",
                    component.spec.id
                );
            }
        }
    }

    #[test]
    fn a_user_component_replaces_adds_or_removes() {
        let user: Vec<ComponentSpec> = serde_json::from_value(serde_json::json!([
            {"id": "vllm", "disabled": true},
            {"id": "in-house", "name": "In-house app", "recognise": {"images": ["^registry.local/app"]},
             "settings": [{"id": "beacon", "kind": "telemetry", "title": "beacon", "sends": "pings",
                           "to": "https://beacon.example", "default": "on", "source": "our docs",
                           "verified": "yes", "switches": [{"env": "BEACON", "off": ["off"]}]}]}
        ]))
        .unwrap();
        let merged = Catalogue::merged(&user, false).unwrap();
        assert!(merged.find("vllm").is_none());
        assert!(merged.find("in-house").is_some());
        assert!(merged.find("traefik").is_some());
        let replaced = Catalogue::merged(&user, true).unwrap();
        assert_eq!(replaced.components.len(), 1);
        let broken: Vec<ComponentSpec> = serde_json::from_value(serde_json::json!([
            {"id": "x", "settings": [{"id": "s", "kind": "telemetry", "title": "t", "sends": "s",
              "to": "t", "default": "on", "source": "s", "verified": "yes",
              "switches": [{"env": "A", "flag": "--a", "off": ["1"]}]}]}
        ]))
        .unwrap();
        assert_eq!(
            Catalogue::merged(&broken, false).unwrap_err(),
            "component `x`, setting `s`: a switch names exactly one of env, flag, file, helm, helmFlag"
        );
    }
}
