//! Decides, for every container and every ArgoCD Helm source of a set,
//! which catalogue settings phone home: written on, written with a value
//! the program does not read as off, or on by default and never turned off.

use std::collections::HashSet;

use super::catalogue::{Catalogue, Component, Default, HelmFlag, Setting, SwitchSpec};
use super::switch::Reading;
use crate::config_file;
use crate::environment::{EnvValue, Environment, Objects, Origin};
use crate::resource::Resource;
use crate::source::{Mark, SourceFile};
use crate::workload::Container;
use crate::yaml::node::escape_token;
use crate::yaml::{self, Node};

/// Where something is written: a field of a resource, and optionally a
/// finer position inside it (a line of a file carried in a string).
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub resource: &'a Resource,
    pub pointer: String,
    pub mark: Option<Mark>,
}

#[derive(Debug, Clone)]
pub enum State {
    /// Turned on where it is written (`NAME=value`, a flag, a file key).
    /// `fix` is the value to write instead.
    On { written: String, fix: String },
    /// Written to turn it off, in words the program does not accept.
    NotAccepted {
        written: String,
        works: String,
        fix: String,
    },
    /// Nothing turns it off. `fix` is the line to add.
    ByDefault { fix: String },
}

#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    pub component: &'a Component,
    pub setting: &'a Setting,
    pub state: State,
    pub place: Place<'a>,
    /// The workload (and container) or Application concerned, for messages.
    pub subject: String,
}

impl Verdict<'_> {
    /// "vLLM usage statistics".
    pub fn feature(&self) -> String {
        format!(
            "{} {}",
            self.component.spec.display_name(),
            self.setting.spec.title
        )
    }

    /// "anonymous usage report ... to https://stats.vllm.ai".
    pub fn consequence(&self) -> String {
        format!("{} to {}", self.setting.spec.sends, self.setting.spec.to)
    }
}

/// Every phone-home verdict of the set, one per place.
pub fn verdicts<'a>(
    catalogue: &'a Catalogue,
    resources: &'a [Resource],
    files: &[SourceFile],
) -> Vec<Verdict<'a>> {
    let objects = Objects::new(resources);
    let mut verdicts = Vec::new();
    for resource in resources {
        if let Some(pod) = resource.pod_template() {
            let volumes = pod
                .spec
                .get("volumes")
                .and_then(Node::items)
                .unwrap_or_default();
            for container in pod.containers() {
                let context =
                    ContainerContext::new(catalogue, resource, &container, volumes, &objects);
                context.judge(&mut verdicts);
            }
        }
        judge_argo_application(catalogue, resource, files, &mut verdicts);
    }
    // A ConfigMap shared by several workloads is one place to fix.
    let mut seen = HashSet::new();
    verdicts.retain(|verdict: &Verdict<'_>| {
        seen.insert((
            verdict.component.spec.id.clone(),
            verdict.setting.spec.id.clone(),
            verdict.place.resource.index,
            verdict.place.pointer.clone(),
            verdict.place.mark,
        ))
    });
    verdicts
}

struct ContainerContext<'a, 'c> {
    resource: &'a Resource,
    container: &'c Container<'a>,
    image: &'a str,
    components: Vec<(&'a Component, bool)>,
    environment: Environment<'a>,
    tokens: Vec<&'a str>,
    files: Vec<MountedFile<'a>>,
    objects: &'c Objects<'a>,
}

/// A ConfigMap key visible to the container as a file.
struct MountedFile<'a> {
    names: Vec<&'a str>,
    config_map: &'a Resource,
    key: &'a str,
    text: &'a str,
    node: &'a Node,
}

impl<'a, 'c> ContainerContext<'a, 'c> {
    fn new(
        catalogue: &'a Catalogue,
        resource: &'a Resource,
        container: &'c Container<'a>,
        volumes: &'a [Node],
        objects: &'c Objects<'a>,
    ) -> Self {
        let image = container.image().unwrap_or("");
        let tokens: Vec<&'a str> = ["command", "args"]
            .iter()
            .filter_map(|field| container.fields.get(field).and_then(Node::items))
            .flatten()
            .filter_map(Node::as_str)
            .flat_map(str::split_whitespace)
            .collect();
        let command_line = tokens.join(" ");
        let written_env: Vec<&str> = container.env().filter_map(|var| var.name).collect();
        let components: Vec<(&'a Component, bool)> = catalogue
            .recognise(image, &command_line, written_env)
            .into_iter()
            .map(|found| (found.component, found.own_image))
            .collect();
        let image_env = components.iter().flat_map(|(component, own)| {
            // Only the image's own component says what the image sets.
            own.then_some(&component.spec.image_env)
                .into_iter()
                .flatten()
                .map(|(name, value)| (name.as_str(), value.as_str()))
        });
        let environment = Environment::of(resource, container, objects, image_env);
        let files = mounted_files(resource, container, volumes, objects);
        ContainerContext {
            resource,
            container,
            image,
            components,
            environment,
            tokens,
            files,
            objects,
        }
    }

    fn subject(&self) -> String {
        format!(
            "container `{}` of {}",
            self.container.name().unwrap_or("?"),
            self.resource.display()
        )
    }

    fn judge(&self, verdicts: &mut Vec<Verdict<'a>>) {
        for &(component, own_image) in &self.components {
            for setting in component.settings.iter().filter(|s| s.enforced()) {
                if own_image
                    && let Some(range) = &setting.versions
                    && !range.admits_image(self.image)
                {
                    continue;
                }
                if let Some(required) = &setting.spec.requires
                    && let Some(required) =
                        component.settings.iter().find(|s| &s.spec.id == required)
                    && matches!(self.outcome(required), Outcome::Off)
                {
                    continue;
                }
                let (state, place) = match self.outcome(setting) {
                    Outcome::Off | Outcome::Unknown => continue,
                    Outcome::Found(state, place) => (state, place),
                    Outcome::Unset => {
                        // A feature with no switch at all is stopped at the
                        // network (PRIV-006), not here.
                        let no_switch = setting.spec.switches.is_empty();
                        if setting.spec.default == Default::Off
                            || self.environment.incomplete
                            || no_switch
                        {
                            continue;
                        }
                        let blocker = setting
                            .spec
                            .unless_set
                            .iter()
                            .find(|name| self.environment.get(name).is_some());
                        let fix = match blocker {
                            Some(blocker) => format!(
                                "`{blocker}` is set, and while it is the program ignores its off switch: remove it, or block the destination with a default-deny egress NetworkPolicy"
                            ),
                            None => container_fix(setting, self.container.name().unwrap_or("?")),
                        };
                        let pointer = match self.container.fields.get("image") {
                            Some(_) => format!("{}/image", self.container.pointer),
                            None => self.container.pointer.clone(),
                        };
                        (
                            State::ByDefault { fix },
                            Place {
                                resource: self.resource,
                                pointer,
                                mark: None,
                            },
                        )
                    }
                };
                verdicts.push(Verdict {
                    component,
                    setting,
                    state,
                    place,
                    subject: self.subject(),
                });
            }
        }
    }

    /// What the container's switches make of `setting`.
    fn outcome(&self, setting: &Setting) -> Outcome<'a> {
        let ignored_off = setting.spec.unless_set.iter().find(|name| {
            self.environment
                .get(name)
                .is_some_and(|var| var.value != EnvValue::Known("".into()))
        });
        let mut observations = Vec::new();
        for switch in &setting.spec.switches {
            if let Some(name) = &switch.env
                && let Some(var) = self.environment.get(name)
            {
                let place = match &var.origin {
                    Origin::Workload { pointer } => Place {
                        resource: self.resource,
                        pointer: pointer.clone(),
                        mark: None,
                    },
                    Origin::Object {
                        resource, pointer, ..
                    } => Place {
                        resource,
                        pointer: pointer.clone(),
                        mark: None,
                    },
                    Origin::Image => Place {
                        resource: self.resource,
                        pointer: format!("{}/image", self.container.pointer),
                        mark: None,
                    },
                };
                match &var.value {
                    EnvValue::Known(value) => {
                        observations.push((
                            switch,
                            value.to_string(),
                            format!("{name}={value}"),
                            place,
                        ));
                    }
                    EnvValue::Unknown => return Outcome::Unknown,
                }
            }
            if let Some(flag) = &switch.flag
                && let Some((index, value, separate)) =
                    find_flag(&self.tokens, flag, switch.boolean)
            {
                let pointer = self.token_pointer(index);
                let written = match separate {
                    true => format!("{} {value}", self.tokens[index]),
                    false => self.tokens[index].to_owned(),
                };
                observations.push((
                    switch,
                    value,
                    written,
                    Place {
                        resource: self.resource,
                        pointer,
                        mark: None,
                    },
                ));
            }
            if let Some(file) = &switch.file {
                let found = match &file.config_map {
                    Some(name) => self
                        .objects
                        .config_map(self.resource.namespace.as_deref(), name)
                        .into_iter()
                        .flat_map(|config_map| {
                            config_map
                                .object
                                .get("data")
                                .and_then(Node::entries)
                                .unwrap_or_default()
                                .iter()
                                .filter(|entry| file.names.iter().any(|n| n == entry.key.as_ref()))
                                .filter_map(move |entry| {
                                    Some((
                                        config_map,
                                        entry.key.as_ref(),
                                        entry.node.as_str()?,
                                        &entry.node,
                                    ))
                                })
                        })
                        .collect::<Vec<_>>(),
                    None => self
                        .files
                        .iter()
                        .filter(|mounted| {
                            mounted
                                .names
                                .iter()
                                .any(|name| file.names.iter().any(|n| n == name))
                        })
                        .map(|mounted| {
                            (mounted.config_map, mounted.key, mounted.text, mounted.node)
                        })
                        .collect(),
                };
                for (config_map, key, text, node) in found {
                    if let Some(setting) = config_file::lookup(key, text, &file.path) {
                        observations.push((
                            switch,
                            setting.value.clone(),
                            format!("{}: {}", file.path, setting.value),
                            Place {
                                resource: config_map,
                                pointer: format!("/data/{}", escape_token(key)),
                                mark: setting.mark.map(|mark| node.mark_within(mark)),
                            },
                        ));
                    }
                }
            }
        }
        decide(observations, ignored_off.map(String::as_str))
    }

    fn token_pointer(&self, index: usize) -> String {
        let mut seen = 0;
        for field in ["command", "args"] {
            for (position, item) in self
                .container
                .fields
                .get(field)
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let count = item
                    .as_str()
                    .map_or(0, |text| text.split_whitespace().count());
                if index < seen + count {
                    return format!("{}/{field}/{position}", self.container.pointer);
                }
                seen += count;
            }
        }
        self.container.pointer.clone()
    }
}

enum Outcome<'a> {
    Off,
    /// Set from somewhere charter cannot read: assume the writer's intent.
    Unknown,
    Found(State, Place<'a>),
    Unset,
}

type Observation<'s, 'a> = (&'s SwitchSpec, String, String, Place<'a>);

/// Any switch reading "off" wins; then a value the program does not
/// accept; then one that turns the feature on.
fn decide<'a>(observations: Vec<Observation<'_, 'a>>, ignored_off: Option<&str>) -> Outcome<'a> {
    if observations.is_empty() {
        return Outcome::Unset;
    }
    let readings: Vec<Reading> = observations
        .iter()
        .map(|(switch, value, _, _)| switch.read(value))
        .collect();
    if let Some(blocker) = ignored_off {
        if let Some((_, _, written, place)) = observations
            .into_iter()
            .zip(&readings)
            .find(|(_, reading)| **reading == Reading::Off)
            .map(|(observation, _)| observation)
        {
            let works = format!("the program ignores the switch while `{blocker}` is set");
            let fix = format!(
                "remove `{blocker}`, or block the destination with a default-deny egress NetworkPolicy"
            );
            return Outcome::Found(
                State::NotAccepted {
                    written,
                    works,
                    fix,
                },
                place,
            );
        }
        return Outcome::Unset;
    }
    if readings.contains(&Reading::Off) {
        return Outcome::Off;
    }
    let mut pairs: Vec<(Observation<'_, 'a>, Reading)> =
        observations.into_iter().zip(readings).collect();
    pairs.sort_by_key(|(_, reading)| match reading {
        Reading::NotAccepted { .. } => 0,
        _ => 1,
    });
    let ((switch, _, written, place), reading) = pairs.swap_remove(0);
    let fix = switch_fix(switch);
    match reading {
        Reading::NotAccepted { works } => Outcome::Found(
            State::NotAccepted {
                written,
                works,
                fix,
            },
            place,
        ),
        _ => Outcome::Found(State::On { written, fix }, place),
    }
}

/// How to write `switch` so that it reads off.
fn switch_fix(switch: &SwitchSpec) -> String {
    let value = switch.recommendation();
    if let Some(name) = &switch.env {
        format!("set `{name}` to `\"{value}\"`")
    } else if let Some(flag) = &switch.flag {
        format!("write `{flag}={value}`")
    } else if let Some(file) = &switch.file {
        format!(
            "set `{}: {value}` in `{}`",
            file.path,
            file.names.join("`/`")
        )
    } else if switch.is_helm() {
        switch.helm_fix()
    } else {
        String::new()
    }
}

/// `--name=value`, `--name value`, or `--name` alone (a boolean flag:
/// `true`). One or two dashes, any case. Returns the token index, the
/// value, and whether the value is the next token.
fn find_flag(tokens: &[&str], flag: &str, boolean: bool) -> Option<(usize, String, bool)> {
    let wanted = flag.trim_start_matches('-');
    let mut found = None;
    for (index, token) in tokens.iter().enumerate() {
        if !token.starts_with('-') {
            continue;
        }
        let bare = token.trim_start_matches('-');
        let (name, value) = match bare.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (bare, None),
        };
        if !name.eq_ignore_ascii_case(wanted) {
            continue;
        }
        let (value, separate) = match value {
            Some(value) => (value.trim_matches(['"', '\'']).to_owned(), false),
            None if boolean => ("true".to_owned(), false),
            None => match tokens.get(index + 1).filter(|next| !next.starts_with('-')) {
                Some(next) => (next.to_string(), true),
                None => (String::new(), false),
            },
        };
        // The last occurrence wins, as with most flag parsers.
        found = Some((index, value, separate));
    }
    found
}

/// ConfigMap keys mounted into the container, by the file names they get.
fn mounted_files<'a>(
    resource: &'a Resource,
    container: &Container<'a>,
    volumes: &'a [Node],
    objects: &Objects<'a>,
) -> Vec<MountedFile<'a>> {
    let mounted: Vec<&str> = container
        .fields
        .get("volumeMounts")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|mount| mount.get("name").and_then(Node::as_str))
        .collect();
    let mut files = Vec::new();
    for volume in volumes {
        if !volume
            .get("name")
            .and_then(Node::as_str)
            .is_some_and(|name| mounted.contains(&name))
        {
            continue;
        }
        let mut sources: Vec<&Node> = volume.get("configMap").into_iter().collect();
        sources.extend(
            volume
                .pointer("/projected/sources")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|source| source.get("configMap")),
        );
        for source in sources {
            let Some(name) = source.get("name").and_then(Node::as_str) else {
                continue;
            };
            let Some(config_map) = objects.config_map(resource.namespace.as_deref(), name) else {
                continue;
            };
            let items = source.get("items").and_then(Node::items);
            for entry in config_map
                .object
                .get("data")
                .and_then(Node::entries)
                .unwrap_or_default()
            {
                let Some(text) = entry.node.as_str() else {
                    continue;
                };
                let mut names = vec![entry.key.as_ref()];
                if let Some(items) = items {
                    let Some(item) = items
                        .iter()
                        .find(|item| item.get("key").and_then(Node::as_str) == Some(&entry.key))
                    else {
                        continue;
                    };
                    if let Some(path) = item.get("path").and_then(Node::as_str) {
                        names.push(path.rsplit('/').next().unwrap_or(path));
                    }
                }
                files.push(MountedFile {
                    names,
                    config_map,
                    key: &entry.key,
                    text,
                    node: &entry.node,
                });
            }
        }
    }
    files
}

/// The hint for a setting nothing turns off in a container: the exact
/// line to add.
fn container_fix(setting: &Setting, container: &str) -> String {
    if let Some(fix) = &setting.spec.fix {
        return fix.clone();
    }
    let switches = &setting.spec.switches;
    let chosen = switches
        .iter()
        .find(|switch| switch.env.is_some())
        .or_else(|| switches.iter().find(|switch| switch.flag.is_some()))
        .or_else(|| switches.iter().find(|switch| switch.file.is_some()))
        .or_else(|| switches.first());
    let Some(switch) = chosen else {
        return "block the destination with a default-deny egress NetworkPolicy".to_owned();
    };
    let value = switch.recommendation();
    if let Some(name) = &switch.env {
        format!(
            "add to the env of container `{container}`:\n  - name: {name}\n    value: \"{value}\""
        )
    } else if let Some(flag) = &switch.flag {
        format!("add `{flag}={value}` to the args of container `{container}`")
    } else if let Some(file) = &switch.file {
        let where_ = match &file.config_map {
            Some(name) => format!("ConfigMap `{name}`, key `{}`", file.names.join("`/`")),
            None => format!("the mounted `{}`", file.names.join("` or `")),
        };
        format!("set `{}: {value}` in {where_}", file.path)
    } else if switch.is_helm() {
        format!("{} of the chart", switch.helm_fix())
    } else {
        String::new()
    }
}

/// Helm values of an ArgoCD Application (or ApplicationSet template)
/// installing a catalogued chart.
fn judge_argo_application<'a>(
    catalogue: &'a Catalogue,
    resource: &'a Resource,
    files: &[SourceFile],
    verdicts: &mut Vec<Verdict<'a>>,
) {
    let spec = match (resource.group(), resource.kind.as_str()) {
        ("argoproj.io", "Application") => "/spec",
        ("argoproj.io", "ApplicationSet") => "/spec/template/spec",
        _ => return,
    };
    let mut sources = vec![format!("{spec}/source")];
    let count = resource
        .get(&format!("{spec}/sources"))
        .and_then(Node::items)
        .map_or(0, <[Node]>::len);
    sources.extend((0..count).map(|index| format!("{spec}/sources/{index}")));
    for source in sources {
        let Some(chart) = resource
            .get(&format!("{source}/chart"))
            .and_then(Node::as_str)
        else {
            continue;
        };
        let helm = resource.get(&format!("{source}/helm"));
        let values = HelmValues::read(helm, files);
        for component in catalogue
            .components
            .iter()
            .filter(|component| component.spec.recognise.charts.iter().any(|c| c == chart))
            .filter(|component| deployed_by_chart(component, &values))
        {
            for setting in component.settings.iter().filter(|s| s.enforced()) {
                let helm_switches: Vec<&SwitchSpec> = setting
                    .spec
                    .switches
                    .iter()
                    .filter(|s| s.is_helm())
                    .collect();
                let Some(first) = helm_switches.first() else {
                    continue;
                };
                if let Some(required) = &setting.spec.requires
                    && let Some(required) =
                        component.settings.iter().find(|s| &s.spec.id == required)
                    && matches!(
                        helm_outcome(required, &values, resource, &source),
                        Outcome::Off
                    )
                {
                    continue;
                }
                let (state, place) = match helm_outcome(setting, &values, resource, &source) {
                    Outcome::Off | Outcome::Unknown => continue,
                    Outcome::Found(state, place) => (state, place),
                    Outcome::Unset => {
                        // Values files we cannot see may set it.
                        if setting.spec.default == Default::Off || values.unseen_value_files {
                            continue;
                        }
                        let fix = format!(
                            "{} in `{source}/helm/valuesObject` (or `values`)",
                            first.helm_fix()
                        );
                        (
                            State::ByDefault { fix },
                            Place {
                                resource,
                                pointer: format!("{source}/chart"),
                                mark: None,
                            },
                        )
                    }
                };
                verdicts.push(Verdict {
                    component,
                    setting,
                    state,
                    place,
                    subject: format!("{} (chart `{chart}`)", resource.display()),
                });
            }
        }
    }
}

/// Whether the chart deploys the component: not when its `chartToggle`
/// value is set false.
fn deployed_by_chart(component: &Component, values: &HelmValues<'_>) -> bool {
    let Some(toggle) = &component.spec.recognise.chart_toggle else {
        return true;
    };
    values
        .lookup(toggle)
        .is_none_or(|(value, ..)| !matches!(value.trim(), "false" | "False" | "FALSE"))
}

/// What an ArgoCD source's Helm values make of `setting`.
fn helm_outcome<'a>(
    setting: &Setting,
    values: &HelmValues<'_>,
    resource: &'a Resource,
    source: &str,
) -> Outcome<'a> {
    let mut observations = Vec::new();
    for switch in setting.spec.switches.iter().filter(|s| s.is_helm()) {
        let found = match (&switch.helm, &switch.helm_flag) {
            (Some(key), _) => values
                .lookup(key)
                .map(|found| (format!("{key}: {}", found.0), found)),
            (None, Some(flag)) => values.lookup_flag(flag, switch.boolean),
            (None, None) => None,
        };
        if let Some((setting_written, (value, pointer, mark, file))) = found {
            let written = match file {
                Some(file) => format!("{setting_written}` in `{file}"),
                None => setting_written,
            };
            observations.push((
                switch,
                value.clone(),
                written,
                Place {
                    resource,
                    pointer: format!("{source}/helm{pointer}"),
                    mark,
                },
            ));
        }
    }
    decide(observations, None)
}

/// The Helm values of one ArgoCD source: inline, and the value files it
/// names when they are among the checked files.
struct HelmValues<'a> {
    object: Option<&'a Node>,
    /// `values` (a YAML string) parsed, with the string node for positions.
    text: Option<(Node, &'a Node)>,
    parameters: Vec<(usize, &'a str, String)>,
    /// `valueFiles` found in the checked set: index, name, root.
    files: Vec<(usize, String, Node)>,
    /// Whether some value file is not in the checked set.
    unseen_value_files: bool,
}

impl<'a> HelmValues<'a> {
    fn read(helm: Option<&'a Node>, sources: &[SourceFile]) -> Self {
        let object = helm.and_then(|helm| helm.get("valuesObject"));
        let text = helm.and_then(|helm| helm.get("values")).and_then(|node| {
            let text = node.as_str()?;
            let root = yaml::parse_stream(text, yaml::Limits::default())
                .into_iter()
                .find_map(|document| document.root)?;
            Some((root, node))
        });
        let parameters = helm
            .and_then(|helm| helm.get("parameters"))
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(index, parameter)| {
                let name = parameter.get("name")?.as_str()?;
                let value = crate::environment::scalar(parameter.get("value")?)?;
                Some((index, name, value.into_owned()))
            })
            .collect();
        let mut files = Vec::new();
        let mut unseen_value_files = false;
        let names = helm
            .and_then(|helm| helm.get("valueFiles"))
            .and_then(Node::items)
            .unwrap_or_default();
        for (index, name) in names.iter().enumerate() {
            match name.as_str().and_then(|name| value_file(name, sources)) {
                Some((shown, root)) => files.push((index, shown, root)),
                None => unseen_value_files = true,
            }
        }
        HelmValues {
            object,
            text,
            parameters,
            files,
            unseen_value_files,
        }
    }

    /// The value of `flag` in the argument lists it may be in: the last
    /// occurrence, the lists taken in the chart's order. Returns the list's
    /// path with the flag as written, and where it is.
    fn lookup_flag(&self, flag: &HelmFlag, boolean: bool) -> Option<(String, Found)> {
        let mut last = None;
        for list in &flag.lists {
            let Some((node, pointer, mark, file)) = self.node_at(list) else {
                continue;
            };
            let tokens: Vec<&str> = node
                .items()
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            if let Some((index, value, _)) = find_flag(&tokens, &flag.flag, boolean) {
                let written = format!("{list}: [{}]", tokens[index]);
                let pointer = match pointer.ends_with("/values") || file.is_some() {
                    true => pointer,
                    false => format!("{pointer}/{index}"),
                };
                last = Some((written, (value, pointer, mark, file)));
            }
        }
        last
    }

    /// The node at dotted `key` in `valuesObject`, `values` or the value
    /// files, in ArgoCD's order of precedence.
    fn node_at(&self, key: &str) -> Option<(&Node, String, Option<Mark>, Option<String>)> {
        let path = helm_value_pointer(key);
        if let Some(node) = self.object.and_then(|object| object.pointer(&path)) {
            return Some((node, format!("/valuesObject{path}"), None, None));
        }
        if let Some((root, string)) = &self.text
            && let Some(node) = root.pointer(&path)
        {
            let mark = Some(string.mark_within(node.start));
            return Some((node, "/values".to_owned(), mark, None));
        }
        self.files.iter().rev().find_map(|(index, name, root)| {
            let node = root.pointer(&path)?;
            let shown = format!("{name}:{}", node.start.line);
            Some((node, format!("/valueFiles/{index}"), None, Some(shown)))
        })
    }

    /// The value at dotted `key`: parameters beat `valuesObject`, which
    /// beats `values`, which beat the value files, the last one first
    /// (ArgoCD's order). Returns the value, the pointer under `helm`, a
    /// finer mark for `values` strings, and the value file it is in.
    fn lookup(&self, key: &str) -> Option<Found> {
        if let Some((index, _, value)) = self
            .parameters
            .iter()
            .rev()
            .find(|(_, name, _)| *name == key)
        {
            return Some((
                value.clone(),
                format!("/parameters/{index}/value"),
                None,
                None,
            ));
        }
        let (node, pointer, mark, file) = self.node_at(key)?;
        let value = crate::environment::scalar(node)?;
        Some((value.into_owned(), pointer, mark, file))
    }
}

/// The JSON pointer of a dotted Helm value path, written as Helm's `--set`
/// writes it: a dot inside a key is escaped (`grafana\.ini.analytics`).
fn helm_value_pointer(key: &str) -> String {
    let mut pointer = String::new();
    let mut part = String::new();
    let mut characters = key.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' if characters.peek() == Some(&'.') => {
                part.push('.');
                characters.next();
            }
            '.' => {
                pointer.push('/');
                pointer.push_str(&escape_token(&std::mem::take(&mut part)));
            }
            other => part.push(other),
        }
    }
    pointer.push('/');
    pointer.push_str(&escape_token(&part));
    pointer
}

/// A Helm value found: the value, the pointer under `helm`, a finer mark for
/// `values` strings, and the value file (with its line) it is in.
type Found = (String, String, Option<Mark>, Option<String>);

/// A `valueFiles` entry (`$values/deploy/longhorn/values.yaml` in a
/// multi-source app, or a path in the chart's repository) found among the
/// checked files: its shown name and parsed root.
fn value_file(name: &str, sources: &[SourceFile]) -> Option<(String, Node)> {
    let relative = match name.strip_prefix('$') {
        Some(rest) => rest.split_once('/')?.1,
        None => name,
    };
    if relative.contains("://") || relative.is_empty() {
        return None;
    }
    let wanted: Vec<&str> = relative
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let source = sources.iter().find(|source| {
        source.path.as_deref().is_some_and(|path| {
            let parts: Vec<String> = path
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            parts.len() >= wanted.len()
                && parts[parts.len() - wanted.len()..]
                    .iter()
                    .zip(&wanted)
                    .all(|(a, b)| a == b)
        })
    })?;
    // Text is kept only for human output; the file is on disk otherwise.
    let text = match &source.text {
        Some(text) => text.to_string(),
        None => std::fs::read_to_string(source.path.as_deref()?).ok()?,
    };
    let root = yaml::parse_stream(&text, yaml::Limits::default())
        .into_iter()
        .find_map(|document| document.root)?;
    Some((source.name.clone(), root))
}

#[cfg(test)]
mod tests {
    use super::helm_value_pointer;

    #[test]
    fn helm_paths_split_at_unescaped_dots() {
        assert_eq!(
            helm_value_pointer("defaultSettings.upgradeChecker"),
            "/defaultSettings/upgradeChecker"
        );
        assert_eq!(
            helm_value_pointer(r"grafana.grafana\.ini.analytics.reporting_enabled"),
            "/grafana/grafana.ini/analytics/reporting_enabled"
        );
        assert_eq!(helm_value_pointer("a/b.c"), "/a~1b/c");
    }
}
