//! The client for a kubeconfig context, and errors that say which
//! kubeconfig, context and server they are about.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::error::{chain, describe};
use super::{ClusterError, ClusterOptions};

/// A client for one context, and where it came from, for error messages.
pub struct Connection {
    pub client: kube::Client,
    pub context: String,
    /// The kubeconfig file(s), as the user would name them.
    pub source: String,
    pub server: String,
}

impl Connection {
    /// A failed request as a `ClusterError` naming the kubeconfig, the
    /// context and the server.
    pub fn fail(&self, error: &kube::Error) -> ClusterError {
        ClusterError(format!(
            "kubeconfig {}, context `{}`, server {}: {}",
            self.source,
            self.context,
            self.server,
            describe(error)
        ))
    }
}

/// How long to wait for a TCP connection (an unreachable server fails
/// then, not after the kernel's minutes).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one response may take: a page of a large list is slow, a hung
/// server is not waited on forever.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn connect(options: &ClusterOptions) -> Result<Connection, ClusterError> {
    let (kubeconfig, source) = read_kubeconfig(options)?;
    let context = match (&options.context, &kubeconfig.current_context) {
        (Some(context), _) => context.clone(),
        (None, Some(current)) if !current.is_empty() => current.clone(),
        (None, _) => {
            return Err(ClusterError(format!(
                "kubeconfig {source}: no current context is set; name one with --context"
            )));
        }
    };
    if !kubeconfig
        .contexts
        .iter()
        .any(|named| named.name == context)
    {
        let known: Vec<&str> = kubeconfig
            .contexts
            .iter()
            .map(|named| named.name.as_str())
            .collect();
        let known = match known.is_empty() {
            true => "it has none".to_owned(),
            false => format!("it has {}", known.join(", ")),
        };
        return Err(ClusterError(format!(
            "kubeconfig {source}: no context `{context}` ({known})"
        )));
    }
    let settings = KubeConfigOptions {
        context: Some(context.clone()),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &settings)
        .await
        .map_err(|error| {
            ClusterError(format!(
                "kubeconfig {source}, context `{context}`: {}",
                chain(&error)
            ))
        })?;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = Some(READ_TIMEOUT);
    let server = config.cluster_url.to_string();
    let client = kube::Client::try_from(config).map_err(|error| {
        ClusterError(format!(
            "kubeconfig {source}, context `{context}`, server {server}: {}",
            describe(&error)
        ))
    })?;
    Ok(Connection {
        client,
        context,
        source,
        server,
    })
}

/// The kubeconfig named by the options, else those of `$KUBECONFIG`
/// (merged, as kubectl does), else `~/.kube/config`; with how to name it.
fn read_kubeconfig(options: &ClusterOptions) -> Result<(Kubeconfig, String), ClusterError> {
    let paths: Vec<PathBuf> = match (&options.kubeconfig, std::env::var_os("KUBECONFIG")) {
        (Some(path), _) => vec![path.clone()],
        (None, Some(list)) if !list.is_empty() => std::env::split_paths(&list)
            .filter(|path| !path.as_os_str().is_empty())
            .collect(),
        (None, _) => {
            let home = std::env::var_os("HOME")
                .or_else(|| std::env::var_os("USERPROFILE"))
                .ok_or_else(|| {
                    ClusterError(
                        "no kubeconfig: neither --kubeconfig, $KUBECONFIG nor a home directory \
                         for ~/.kube/config"
                            .to_owned(),
                    )
                })?;
            vec![PathBuf::from(home).join(".kube").join("config")]
        }
    };
    let source = paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    let mut merged: Option<Kubeconfig> = None;
    for path in &paths {
        let read = Kubeconfig::read_from(path).map_err(|error| {
            ClusterError(format!("kubeconfig {}: {}", path.display(), chain(&error)))
        })?;
        merged = Some(match merged {
            None => read,
            Some(earlier) => earlier
                .merge(read)
                .map_err(|error| ClusterError(format!("kubeconfig {source}: {}", chain(&error))))?,
        });
    }
    let kubeconfig = merged.ok_or_else(|| ClusterError("$KUBECONFIG names no file".to_owned()))?;
    Ok((kubeconfig, source))
}
