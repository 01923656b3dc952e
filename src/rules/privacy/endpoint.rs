//! Hosts: finding them in text, telling cluster-local ones from the
//! internet, and the data of PRIV-003 and PRIV-004 (`rules/privacy.yaml`).

use std::net::IpAddr;
use std::sync::OnceLock;

use globset::GlobMatcher;
use regex::RegexSet;
use serde::Deserialize;

const SHIPPED: &str = include_str!("../../../rules/privacy.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PrivacyData {
    pub cluster_domains: Vec<String>,
    pub inference_providers: Vec<Provider>,
    pub litellm_hosted_providers: Vec<String>,
    pub litellm_hosted_model_names: Vec<String>,
    pub reporters: Vec<Reporter>,
    pub langsmith_tracing: Vec<String>,
    pub langsmith_endpoints: Vec<String>,
    pub litellm_saas_callbacks: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Provider {
    pub name: String,
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Reporter {
    pub name: String,
    pub sends: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Regexes on values that identify the service (a PostHog project key).
    #[serde(default)]
    pub values: Vec<String>,
    /// Regexes on setting names whose value is an endpoint: reported when
    /// its host is outside the cluster.
    #[serde(default)]
    pub endpoint_names: Vec<String>,
    /// Regexes on setting names that turn the service on when non-empty.
    #[serde(default)]
    pub non_empty_names: Vec<String>,
}

pub fn shipped() -> &'static PrivacyData {
    static DATA: OnceLock<PrivacyData> = OnceLock::new();
    DATA.get_or_init(|| crate::rules::shipped_data("privacy.yaml", SHIPPED))
}

/// Host patterns (`*` is one DNS label), found in any text with or
/// without a scheme: one regex set, one pattern per named group of hosts,
/// so a text is read once by a DFA whatever the number of hosts.
pub struct HostFinder {
    set: RegexSet,
    names: Vec<String>,
}

impl HostFinder {
    pub fn new<'p>(
        groups: impl IntoIterator<Item = (String, &'p [String])>,
    ) -> Result<HostFinder, String> {
        let mut patterns = Vec::new();
        let mut names = Vec::new();
        for (name, hosts) in groups {
            if hosts.is_empty() {
                continue;
            }
            let hosts: Vec<String> = hosts.iter().map(|host| host_pattern(host)).collect();
            // A host is delimited by anything that cannot be part of a name.
            patterns.push(format!(
                "(?i)(?:^|[^a-z0-9.-])(?:{})(?:$|[^a-z0-9.-]|\\.$|\\.[^a-z0-9-])",
                hosts.join("|")
            ));
            names.push(name);
        }
        let set = RegexSet::new(&patterns).map_err(|error| error.to_string())?;
        Ok(HostFinder { set, names })
    }

    /// The names of the groups whose hosts appear in `text`.
    pub fn find(&self, text: &str) -> Vec<&str> {
        if self.names.is_empty() {
            return Vec::new();
        }
        self.set
            .matches(text)
            .into_iter()
            .map(|index| self.names[index].as_str())
            .collect()
    }
}

fn host_pattern(host: &str) -> String {
    host.split('*')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join("[a-z0-9-]+")
}

/// Decides whether a host is inside the cluster.
#[derive(Debug, Clone)]
pub struct Locality {
    cluster_domains: Vec<String>,
    allowed: Vec<GlobMatcher>,
}

impl Default for Locality {
    fn default() -> Self {
        Locality {
            cluster_domains: shipped().cluster_domains.clone(),
            allowed: Vec::new(),
        }
    }
}

impl Locality {
    /// Adds hosts (globs) that count as local: the platform's own
    /// services outside the cluster (a NAS, an internal mirror).
    pub fn allow(&mut self, patterns: &[String]) -> Result<(), String> {
        for pattern in patterns {
            self.allowed
                .push(crate::suppress::glob(&pattern.to_ascii_lowercase(), false)?);
        }
        Ok(())
    }

    pub fn set_cluster_domains(&mut self, domains: Vec<String>) {
        self.cluster_domains = domains;
    }

    pub fn is_local(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || self.allowed.iter().any(|glob| glob.is_match(&host)) {
            return true;
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(address) = bare.parse::<IpAddr>() {
            return is_private(address);
        }
        if !host.contains('.') || host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if host.ends_with(".svc") {
            return true;
        }
        self.cluster_domains
            .iter()
            .any(|domain| host.ends_with(&format!(".{domain}")))
    }
}

fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The host of an endpoint written as a URL (`https://user@host:443/x`),
/// a `host:port` pair or a bare host. `None` when there is no host to
/// judge (empty, a `${VAR}` or `os.environ/` reference).
pub fn host_of(endpoint: &str) -> Option<&str> {
    let endpoint = endpoint.trim().trim_matches(['"', '\'']);
    if endpoint.is_empty()
        || endpoint.contains("${")
        || endpoint.starts_with("os.environ/")
        || endpoint.starts_with('$')
    {
        return None;
    }
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split(']').next()?
    } else if authority.matches(':').count() > 1 {
        authority
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_endpoints_of_every_form() {
        let locality = {
            let mut locality = Locality::default();
            locality.allow(&["*.homelab.lan".to_owned()]).unwrap();
            locality
        };
        for endpoint in [
            "http://ollama.ai-backend.svc:11434",
            "http://ollama.ai-backend.svc.cluster.local:11434/v1",
            "http://litellm:4000",
            "litellm",
            "http://localhost:4318",
            "http://127.0.0.1:8080",
            "http://10.43.0.12:4317",
            "https://172.20.1.1",
            "http://192.168.1.50:11434",
            "http://100.64.0.7",
            "http://[fd00::1]:4317",
            "http://[::1]:4317",
            "https://models.homelab.lan/v1",
            "otel-collector.monitoring.svc:4317",
        ] {
            let host = host_of(endpoint).unwrap_or_else(|| panic!("a host in {endpoint}"));
            assert!(locality.is_local(host), "{endpoint} is local");
        }
        for endpoint in [
            "https://api.openai.com/v1",
            "https://otlp.eu01.nr-data.net:4317",
            "http://8.8.8.8",
            "https://o123.ingest.sentry.io/4",
            "http://[2001:db8::1]:4317",
            "api.honeycomb.io:443",
        ] {
            let host = host_of(endpoint).unwrap();
            assert!(!locality.is_local(host), "{endpoint} is not local");
        }
        assert_eq!(host_of("os.environ/OPENAI_API_BASE"), None);
        assert_eq!(host_of("${OTLP}"), None);
        assert_eq!(
            host_of("https://key@o1.ingest.sentry.io/2"),
            Some("o1.ingest.sentry.io")
        );
    }

    #[test]
    fn every_provider_is_found_in_text() {
        let data = shipped();
        let finder = HostFinder::new(
            data.inference_providers
                .iter()
                .map(|provider| (provider.name.clone(), provider.hosts.as_slice())),
        )
        .unwrap();
        for provider in &data.inference_providers {
            for host in &provider.hosts {
                let concrete = host.replace('*', "us-east-1");
                let text =
                    format!("OPENAI_API_BASE_URLS=http://ollama:11434/v1;https://{concrete}/v1");
                assert_eq!(finder.find(&text), [provider.name.as_str()], "{text}");
            }
        }
        assert!(
            finder
                .find("https://api.openai.com.evil.example")
                .is_empty()
        );
        assert!(finder.find("http://myapi.openai.company.local").is_empty());
        assert!(finder.find("notollama.com").is_empty());
    }
}
