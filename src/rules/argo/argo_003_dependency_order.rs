//! ARGO-003: an Application syncs no later than an Application it depends
//! on, or applications depend on each other in a cycle.

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};

use super::app::{
    PLAN_PARAMETERS, PlanInUse, WAVE, Wave, app_resources, is_application, named, shipped,
    wave_pointer,
};
use super::deps::{Dep, needed, provided};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Prose;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-003",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Application not in a later sync wave than an application it depends on",
    rationale: "Sync waves only help when they follow the real dependencies. charter derives \
                them from the manifests: an Application's resources are the files under its \
                source `path` that were checked, the output of the chart charter rendered for \
                it (a chart directory at that path), plus what the plan (`rules/waves.yaml`, \
                `provides`) says its upstream Helm chart installs. An application that creates custom \
                resources of a kind another application's CRDs define, or whose pods read a \
                Secret, run as a ServiceAccount or call a Service (`name.namespace.svc` in an env \
                value) another application provides, must sync in a strictly later wave: in the \
                same or an earlier wave, a cold start fails with unknown kinds, missing Secrets \
                and crash loops until someone syncs by hand. Applications that depend on each \
                other in a cycle cannot be ordered at all; the cycle is reported once, at its \
                first application. When only single files were checked (a pre-commit run), the \
                findings are only `info`.",
    fix: "Move the consumer to a later wave than its provider (or the provider earlier), \
          following the plan; break a cycle by moving the shared resource (a Secret, a CRD) \
          into the application that syncs first.",
    failing_example: Prose(
        "Application `litellm` (wave 5, path `apps/litellm`) reads Secret `ollama-token`, \
         which the SealedSecret in `apps/ollama/` of Application `ollama` (wave 5 too) \
         provides: `litellm` must be in a later wave than `ollama`.",
    ),
    passing_example: Prose(
        "Application `ollama` in wave 5 provides Secret `ollama-token` from its SealedSecret; \
         Application `open-webui`, which reads it, is in wave 6.",
    ),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        DependencyOrder {
            plan: PlanInUse::default(),
            partial_severity: shipped().partial_set_severity,
        },
    )
}

struct DependencyOrder {
    plan: PlanInUse,
    partial_severity: Severity,
}

/// An edge of the dependency graph: the consumer needs `dep` from the provider.
struct Edge {
    consumer: usize,
    provider: usize,
    dep: Dep,
}

impl SetCheck for DependencyOrder {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.plan.configure(params, &["partialSetSeverity"])?;
        if let Some(value) = params.get("partialSetSeverity") {
            self.partial_severity = serde_json::from_value(value.clone())
                .map_err(|_| "`partialSetSeverity` is error, warning or info".to_owned())?;
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        PLAN_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        Some(self.plan.knowledge())
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let severity = match set.partial {
            true => out.severity().min(self.partial_severity),
            false => out.severity(),
        };
        let partial = if set.partial {
            " (only some files were checked)"
        } else {
            ""
        };
        let apps: Vec<&Resource> = set
            .resources
            .iter()
            .filter(|resource| is_application(resource))
            .collect();
        let plan = self.plan.get();
        let mut provides = Vec::new();
        let mut needs = Vec::new();
        for app in &apps {
            let resources = app_resources(app, set.resources, set.files);
            provides.push(provided(&resources, plan.entry_for(app)));
            let mut wanted: Vec<Dep> = Vec::new();
            for resource in &resources {
                for dep in needed(resource) {
                    if !wanted.contains(&dep) {
                        wanted.push(dep);
                    }
                }
            }
            needs.push(wanted);
        }
        let edges = edges(&provides, &needs);
        let components = strongly_connected(apps.len(), &edges);
        let waves: Vec<i64> = apps.iter().map(|app| Wave::of(app).effective()).collect();

        let mut reported = HashSet::new();
        for edge in &edges {
            if components[edge.consumer] == components[edge.provider]
                || waves[edge.consumer] > waves[edge.provider]
                || !reported.insert((edge.consumer, edge.provider))
            {
                continue;
            }
            let (consumer, provider) = (apps[edge.consumer], apps[edge.provider]);
            let (consumer_wave, provider_wave) = (waves[edge.consumer], waves[edge.provider]);
            let finding = out.report(
                consumer,
                wave_pointer(consumer),
                format!(
                    "{} (wave {consumer_wave}) uses {} from {} (wave {provider_wave}): it must \
                     sync in a later wave, or a cold start finds the {} missing{partial}",
                    named(consumer),
                    edge.dep,
                    named(provider),
                    what(&edge.dep),
                ),
            );
            finding.severity = severity;
            finding.hint = Cow::Owned(format!(
                "Set `{WAVE}: \"{}\"` (or later) on `{}`, or move `{}` to an earlier wave.",
                provider_wave + 1,
                consumer.name,
                provider.name
            ));
        }

        // One finding per cycle, at its first application in set order.
        let mut seen_components = HashSet::new();
        for start in 0..apps.len() {
            let component = components[start];
            let members: Vec<usize> = (0..apps.len())
                .filter(|&index| components[index] == component)
                .collect();
            if members.len() < 2 || !seen_components.insert(component) {
                continue;
            }
            let cycle = cycle_through(start, &members, &edges);
            let mut steps = Vec::new();
            for pair in cycle.windows(2) {
                if let Some(edge) = edges
                    .iter()
                    .find(|edge| edge.consumer == pair[0] && edge.provider == pair[1])
                {
                    steps.push(format!(
                        "`{}` uses {} from `{}`",
                        apps[pair[0]].name, edge.dep, apps[pair[1]].name
                    ));
                }
            }
            let path: Vec<&str> = cycle
                .iter()
                .map(|&index| apps[index].name.as_str())
                .collect();
            let others: Vec<&str> = members
                .iter()
                .filter(|index| !cycle.contains(index))
                .map(|&index| apps[index].name.as_str())
                .collect();
            let also = if others.is_empty() {
                String::new()
            } else {
                format!(" (also entangled: {})", others.join(", "))
            };
            let finding = out.report(
                apps[start],
                wave_pointer(apps[start]),
                format!(
                    "Applications depend on each other in a cycle, {}: {}{also}; no sync-wave \
                     order can satisfy them{partial}",
                    path.join(" -> "),
                    steps.join("; "),
                ),
            );
            finding.severity = severity;
            finding.hint = Cow::Borrowed(
                "Break the cycle: move the shared resource (a Secret, a CRD, a Service) into the \
                 application that must sync first, then order the others after it.",
            );
        }
    }
}

fn what(dep: &Dep) -> &'static str {
    match dep {
        Dep::Kind(..) => "kind",
        Dep::Secret(..) => "Secret",
        Dep::ServiceAccount(..) => "ServiceAccount",
        Dep::Service(..) => "Service",
        Dep::StorageClass(..) => "StorageClass",
    }
}

/// Consumer-provider pairs, each with the first dependency that links them.
fn edges(provides: &[Vec<Dep>], needs: &[Vec<Dep>]) -> Vec<Edge> {
    let mut edges = Vec::new();
    for (consumer, wanted) in needs.iter().enumerate() {
        for (provider, offered) in provides.iter().enumerate() {
            if provider == consumer {
                continue;
            }
            // A kind or name the consumer provides itself is not a dependency.
            let own = &provides[consumer];
            let dep = wanted.iter().find(|dep| {
                !own.iter().any(|mine| mine.satisfies(dep))
                    && offered.iter().any(|theirs| theirs.satisfies(dep))
            });
            if let Some(dep) = dep {
                edges.push(Edge {
                    consumer,
                    provider,
                    dep: dep.clone(),
                });
            }
        }
    }
    edges
}

/// The strongly connected component of every node (Tarjan, iterative).
fn strongly_connected(count: usize, edges: &[Edge]) -> Vec<usize> {
    let mut successors = vec![Vec::new(); count];
    for edge in edges {
        successors[edge.consumer].push(edge.provider);
    }
    let mut index = vec![usize::MAX; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut stack = Vec::new();
    let mut component = vec![usize::MAX; count];
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..count {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, position in its successor list)
        let mut work = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut position)) = work.last_mut() {
            if let Some(&next) = successors[node].get(*position) {
                *position += 1;
                if index[next] == usize::MAX {
                    index[next] = next_index;
                    low[next] = next_index;
                    next_index += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// A shortest cycle from `start` back to itself inside `members`, as the
/// list of nodes with `start` at both ends.
fn cycle_through(start: usize, members: &[usize], edges: &[Edge]) -> Vec<usize> {
    let mut previous: Vec<(usize, usize)> = Vec::new();
    let mut queue = VecDeque::from([start]);
    let mut visited = HashSet::from([start]);
    while let Some(node) = queue.pop_front() {
        for edge in edges.iter().filter(|edge| edge.consumer == node) {
            let next = edge.provider;
            if !members.contains(&next) {
                continue;
            }
            if next == start {
                let mut path = vec![start, node];
                let mut at = node;
                while at != start {
                    let Some(&(_, before)) = previous.iter().find(|(n, _)| *n == at) else {
                        break;
                    };
                    path.push(before);
                    at = before;
                }
                path.reverse();
                return path;
            }
            if visited.insert(next) {
                previous.push((next, node));
                queue.push_back(next);
            }
        }
    }
    vec![start]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(consumer: usize, provider: usize) -> Edge {
        Edge {
            consumer,
            provider,
            dep: Dep::StorageClass("x".into()),
        }
    }

    #[test]
    fn components_and_cycles() {
        // 0 -> 1 -> 2 -> 0, 3 -> 0, 4 alone.
        let edges = [edge(0, 1), edge(1, 2), edge(2, 0), edge(3, 0)];
        let components = strongly_connected(5, &edges);
        assert_eq!(components[0], components[1]);
        assert_eq!(components[1], components[2]);
        assert_ne!(components[3], components[0]);
        assert_ne!(components[4], components[3]);
        assert_eq!(cycle_through(0, &[0, 1, 2], &edges), [0, 1, 2, 0]);
        assert_eq!(cycle_through(1, &[0, 1, 2], &edges), [1, 2, 0, 1]);
    }
}
