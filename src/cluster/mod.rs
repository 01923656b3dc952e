//! Live-cluster input for `charter audit --cluster`: the resources of a
//! kubeconfig context, listed through the API and stripped of the fields the
//! server manages, as texts the ordinary checker reads.
//!
//! `connect` reads the kubeconfig, `discover` finds the listable kinds,
//! `list` pages through each, `owned` leaves out what a listed controller
//! made, `strip` turns each object back into a manifest, and `name` says
//! what findings are reported against. What is skipped and stripped is data:
//! `rules/cluster-audit.yaml`.

mod connect;
mod discover;
mod error;
mod list;
mod name;
mod owned;
mod settings;
mod strip;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

pub use list::PAGE_SIZE;
pub use name::object_name;

/// Which cluster and how much of it.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// The kubeconfig context [default: the current context].
    pub context: Option<String>,
    /// Only this namespace (cluster-scoped kinds are then left out).
    pub namespace: Option<String>,
    /// The kubeconfig file [default: $KUBECONFIG, else ~/.kube/config].
    pub kubeconfig: Option<PathBuf>,
}

/// One live resource as a manifest text (JSON, which the YAML loader reads),
/// under the name findings are reported against:
/// `cluster:CONTEXT/NAMESPACE/KIND/NAME`, or `cluster:CONTEXT/KIND/NAME` for
/// cluster-scoped objects, KIND qualified by its group (`Deployment.apps`;
/// see `object_name`).
#[derive(Debug, Clone)]
pub struct LiveObject {
    pub name: String,
    pub text: Arc<str>,
}

/// Everything listed, plus the kinds that could not be listed and why
/// (forbidden by RBAC, the API failing): reported, never silently dropped.
#[derive(Debug, Default)]
pub struct Listing {
    /// The context the objects came from.
    pub context: String,
    /// Sorted by name.
    pub objects: Vec<LiveObject>,
    /// `(apiVersion/kind, reason)` of kinds that could not be listed, and
    /// `(group/version, reason)` of API groups that could not be discovered.
    pub skipped: Vec<(String, String)>,
    /// `(apiVersion/kind, reason)` of kinds not listed by design
    /// (`rules/cluster-audit.yaml`: events, leases, endpoints...).
    pub ignored: Vec<(String, String)>,
    /// Objects left out because a listed controller made them (the
    /// ReplicaSets and Pods of a Deployment, the Jobs of a CronJob): their
    /// findings would be the owner's, repeated.
    pub owned: usize,
    /// `(object name, reason)` of Secrets the cluster or a controller wrote
    /// at run time (ServiceAccount tokens, cert-manager's certificates, Helm
    /// release records; `rules/cluster-audit.yaml`): left out, since no one
    /// committed their values.
    pub generated: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ClusterError(pub String);

/// Lists every listable kind of the cluster (or of one namespace).
pub fn fetch(options: &ClusterOptions) -> Result<Listing, ClusterError> {
    let settings = settings::Settings::builtin()
        .map_err(|error| ClusterError(format!("charter's built-in data is broken: {error}")))?;
    // One thread: the reader waits on the network, and a check run that
    // follows gets the cores.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ClusterError(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(read(options, &settings))
}

async fn read(
    options: &ClusterOptions,
    settings: &settings::Settings,
) -> Result<Listing, ClusterError> {
    let connection = connect::connect(options).await?;
    let namespace = options.namespace.as_deref();
    let discovered = discover::discover(&connection.client, namespace.is_some(), settings)
        .await
        .map_err(|error| connection.fail(&error))?;
    let mut skipped = discovered.failed;
    let mut listed: Vec<(&discover::Kind, Value)> = Vec::new();
    for kind in &discovered.kinds {
        let within = namespace.filter(|_| kind.namespaced);
        match list::list_all(&connection.client, kind, within).await {
            Ok(items) => listed.extend(items.into_iter().map(|item| (kind, item))),
            Err(list::ListError::Request(kube::Error::Api(response))) => {
                skipped.push((kind.label(), error::describe_status(&response)));
            }
            Err(list::ListError::Malformed(why)) => skipped.push((kind.label(), why)),
            // The connection or the credentials failed: so would every
            // other kind.
            Err(list::ListError::Request(other)) => return Err(connection.fail(&other)),
        }
    }
    let uids = owned::uids(listed.iter().map(|(_, item)| item));
    let mut listing = Listing {
        context: connection.context.clone(),
        skipped,
        ignored: discovered.ignored,
        ..Listing::default()
    };
    for (kind, item) in listed {
        if owned::by_listed_controller(&item, &uids) {
            listing.owned += 1;
            continue;
        }
        if kind.group.is_empty() && kind.kind == "Secret" {
            if let Some(reason) = settings.generated_secret(&item) {
                let object = item
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let namespace = item.pointer("/metadata/namespace").and_then(Value::as_str);
                listing.generated.push((
                    object_name(&connection.context, "", "Secret", namespace, object),
                    reason.to_owned(),
                ));
                continue;
            }
        }
        listing
            .objects
            .push(live_object(&connection.context, kind, item, settings)?);
    }
    listing.objects.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(listing)
}

fn live_object(
    context: &str,
    kind: &discover::Kind,
    item: Value,
    settings: &settings::Settings,
) -> Result<LiveObject, ClusterError> {
    let metadata = |field: &str| {
        item.pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let object_namespace = metadata("namespace");
    let object = metadata("name").unwrap_or_default();
    let name = object_name(
        context,
        &kind.group,
        &kind.kind,
        object_namespace.as_deref(),
        &object,
    );
    let manifest = strip::strip(
        item,
        &kind.api_version,
        &kind.kind,
        &settings.stripped_fields,
    );
    // Never the object in the message: it may be a Secret.
    let mut text = serde_json::to_string_pretty(&manifest)
        .map_err(|error| ClusterError(format!("{name}: cannot be written as JSON: {error}")))?;
    text.push('\n');
    Ok(LiveObject {
        name,
        text: Arc::from(text),
    })
}
