//! The live-cluster reader of `charter audit --cluster`.
//!
//! CI has no cluster, so these tests run against recorded responses: a local
//! HTTPS server, started here with a CA and certificate made by rcgen,
//! answers the Kubernetes discovery endpoints (`/api`, `/apis`, `/api/v1`,
//! `/apis/GROUP/VERSION`) and the list endpoints from the JSON bodies kept in
//! `fixtures/cluster/` (see its README), in the shape a k3s 1.31 API server
//! gives them. kube's client reaches it through a kubeconfig written for
//! each test, as it would a real cluster.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use charter::check::{CheckOptions, Prepared, check_texts};
use charter::cluster::{ClusterOptions, Listing, fetch};
use charter::config::Config;
use charter::date::Date;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};

/// The bearer token the recorded cluster accepts.
const TOKEN: &str = "fixture-token";

/// The `continue` token of the first page of ConfigMaps in the recording.
const CONFIGMAP_TOKEN: &str = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTE4MjczLCJzdGFydCI6Imt1YmUtc3lzdGVtL2t1YmUtcm9vdC1jYS5jcnRcdTAwMDAifQ";

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).expect("CA certificate");
        Ca { cert, key }
    }

    /// A server certificate for 127.0.0.1: (certificate DER, key DER).
    fn leaf(&self) -> (Vec<u8>, Vec<u8>) {
        let key = KeyPair::generate().expect("leaf key");
        let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, "k3s");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("leaf certificate");
        (cert.der().to_vec(), key.serialize_der())
    }
}

/// The recorded API server, on a loopback port, stopped when dropped.
struct ApiServer {
    port: u16,
    ca: Ca,
    /// Every request's path and query, in order.
    requests: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ApiServer {
    fn start() -> ApiServer {
        let ca = Ca::new("k3s-server-ca");
        let (cert, key) = ca.leaf();
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
        )
        .expect("server TLS configuration");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            runtime.block_on(serve(listener, acceptor, seen, stopped));
        });
        ApiServer {
            port,
            ca,
            requests,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("request log").clone()
    }

    /// A kubeconfig in `dir`: context `akula` (current) reaches this server
    /// with its CA and token; `wrong-token` with a refused token;
    /// `untrusted` with another CA; `unreachable` points at a closed port.
    fn kubeconfig(&self, dir: &Path) -> PathBuf {
        let ca = STANDARD.encode(self.ca.cert.pem());
        let stranger = STANDARD.encode(Ca::new("another CA").cert.pem());
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("address")
            .port();
        let port = self.port;
        let text = format!(
            "apiVersion: v1
kind: Config
current-context: akula
clusters:
- name: k3s
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority-data: {ca}
- name: k3s-untrusted
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority-data: {stranger}
- name: gone
  cluster:
    server: https://127.0.0.1:{closed}
    certificate-authority-data: {ca}
contexts:
- name: akula
  context: {{cluster: k3s, user: audit}}
- name: wrong-token
  context: {{cluster: k3s, user: intruder}}
- name: untrusted
  context: {{cluster: k3s-untrusted, user: audit}}
- name: unreachable
  context: {{cluster: gone, user: audit}}
users:
- name: audit
  user: {{token: {TOKEN}}}
- name: intruder
  user: {{token: not-the-token}}
"
        );
        let path = dir.join("kubeconfig");
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    seen: Arc<Mutex<Vec<String>>>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stopped => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let acceptor = acceptor.clone();
        let seen = Arc::clone(&seen);
        tokio::spawn(async move {
            // A client that does not trust the certificate fails here.
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let seen = Arc::clone(&seen);
                async move { Ok::<_, Infallible>(answer(&request, &seen)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code});
    (code, body)
}

/// What the recorded cluster answers. Discovery is answered in the plain
/// (not aggregated) form: kube's client asks for no other (its requests
/// carry no aggregated-discovery `Accept`, which the listing test checks),
/// and a real server answers such a request with that form too.
fn answer(request: &Request<Incoming>, seen: &Mutex<Vec<String>>) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    // A client asking for aggregated discovery
    // (`as=APIGroupDiscoveryList`) would get another document from a real
    // server than the plain one recorded here: logged, so the test can
    // check that kube's client does not ask for it.
    let aggregated = request
        .headers()
        .get_all("accept")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| accept.contains("APIGroupDiscoveryList"));
    if let Ok(mut seen) = seen.lock() {
        let mut line = match query.is_empty() {
            true => path.clone(),
            false => format!("{path}?{query}"),
        };
        if aggregated {
            line.push_str(" [aggregated discovery asked for]");
        }
        seen.push(line);
    }
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    let (code, body) = match authorized {
        false => status(401, "Unauthorized", "Unauthorized"),
        true => recorded(&path, &query),
    };
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a response")
}

fn read_recording(relative: &str) -> Option<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cluster")
        .join(relative);
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).expect("recordings are JSON"))
}

/// The recording for `path`: `fixtures/cluster/PATH.json`, its second page
/// in `PATH.continue.json`. A namespaced list
/// (`.../namespaces/NS/PLURAL`) is the cluster-wide recording cut to that
/// namespace, as the API server would answer it. A recorded Status is
/// answered with its code.
fn recorded(path: &str, query: &str) -> (u16, Value) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (file, namespace) = match segments.as_slice() {
        ["api", version, "namespaces", namespace, plural] => {
            (format!("api/{version}/{plural}"), Some(*namespace))
        }
        ["apis", group, version, "namespaces", namespace, plural] => {
            (format!("apis/{group}/{version}/{plural}"), Some(*namespace))
        }
        _ => (segments.join("/"), None),
    };
    let Some(mut body) = read_recording(&format!("{file}.json")) else {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    };
    if body["kind"] == "Status" {
        let code = body["code"].as_u64().and_then(|c| u16::try_from(c).ok());
        return (code.unwrap_or(500), body);
    }
    let token = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("continue="));
    if let Some(token) = token {
        if body.pointer("/metadata/continue").and_then(Value::as_str) != Some(token) {
            return status(410, "Expired", "the provided continue parameter is too old");
        }
        body = read_recording(&format!("{file}.continue.json")).expect("the second page");
    }
    if let (Some(namespace), Some(items)) = (namespace, body["items"].as_array_mut()) {
        items.retain(|item| item.pointer("/metadata/namespace") == Some(&json!(namespace)));
    }
    (200, body)
}

fn options(kubeconfig: &Path) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        ..ClusterOptions::default()
    }
}

fn names(listing: &Listing) -> Vec<&str> {
    listing
        .objects
        .iter()
        .map(|object| object.name.as_str())
        .collect()
}

fn text_of<'a>(listing: &'a Listing, name: &str) -> &'a str {
    &listing
        .objects
        .iter()
        .find(|object| object.name == name)
        .unwrap_or_else(|| panic!("{name} is listed"))
        .text
}

const FORBIDDEN_POLICIES: &str = "forbidden (403): policies.kyverno.io is forbidden: User \
     \"system:serviceaccount:charter:audit\" cannot list resource \"policies\" in API group \
     \"kyverno.io\" at the cluster scope";
const METRICS_DOWN: &str =
    "503 ServiceUnavailable: the server is currently unable to handle the request";

#[test]
fn lists_every_listable_kind_of_the_current_context() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let listing = fetch(&options(&server.kubeconfig(dir.path()))).expect("the cluster is read");

    assert_eq!(listing.context, "akula");
    assert_eq!(
        names(&listing),
        [
            "cluster:akula/ClusterPolicy.kyverno.io/disallow-privileged-containers",
            "cluster:akula/Namespace/argocd",
            "cluster:akula/Namespace/default",
            "cluster:akula/Namespace/kube-system",
            "cluster:akula/Namespace/shop",
            "cluster:akula/argocd/Application.argoproj.io/shop",
            "cluster:akula/argocd/ConfigMap/kube-root-ca.crt",
            "cluster:akula/default/ConfigMap/kube-root-ca.crt",
            "cluster:akula/default/Service/kubernetes",
            "cluster:akula/default/ServiceAccount/default",
            "cluster:akula/kube-system/ConfigMap/coredns",
            "cluster:akula/kube-system/ConfigMap/kube-root-ca.crt",
            "cluster:akula/shop/ConfigMap/kube-root-ca.crt",
            "cluster:akula/shop/ConfigMap/web-config",
            "cluster:akula/shop/Deployment.apps/web",
            "cluster:akula/shop/NetworkPolicy.networking.k8s.io/default-deny",
            "cluster:akula/shop/Secret/db-credentials",
            "cluster:akula/shop/Service/web",
            "cluster:akula/shop/ServiceAccount/default",
        ]
    );
    // The ReplicaSet web-7c5d9b8f6d is the Deployment's: left out, counted.
    assert_eq!(listing.owned, 1);
    // Secrets cert-manager and the cluster wrote at run time: left out,
    // each with the reason from rules/cluster-audit.yaml.
    assert_eq!(
        listing.generated,
        [
            (
                "cluster:akula/shop/Secret/web-tls".to_owned(),
                "a certificate and key cert-manager issued for a Certificate".to_owned()
            ),
            (
                "cluster:akula/shop/Secret/build-bot-token".to_owned(),
                "a token the cluster issued for a ServiceAccount".to_owned()
            ),
        ]
    );
    assert!(
        !names(&listing)
            .iter()
            .any(|name| name.contains("ReplicaSet"))
    );
    // The group that cannot be discovered and the kind RBAC forbids are
    // reported, and everything else is still listed.
    assert_eq!(
        listing.skipped,
        [
            ("metrics.k8s.io/v1beta1".to_owned(), METRICS_DOWN.to_owned()),
            (
                "kyverno.io/v1/Policy".to_owned(),
                FORBIDDEN_POLICIES.to_owned()
            ),
        ]
    );
    let ignored: Vec<&str> = listing
        .ignored
        .iter()
        .map(|(kind, _)| kind.as_str())
        .collect();
    assert_eq!(
        ignored,
        [
            "v1/ComponentStatus",
            "v1/Endpoints",
            "v1/Event",
            "v1/Node",
            "apps/v1/ControllerRevision",
            "events.k8s.io/v1/Event",
            "coordination.k8s.io/v1/Lease",
        ]
    );
    assert!(listing.ignored.iter().all(|(_, reason)| !reason.is_empty()));

    let requests = server.requests();
    // Paging: the ConfigMaps come in two responses, the second asked for
    // with the first one's `continue` token.
    let configmaps: Vec<&String> = requests
        .iter()
        .filter(|request| request.starts_with("/api/v1/configmaps"))
        .collect();
    assert_eq!(
        configmaps,
        [
            "/api/v1/configmaps?&limit=500",
            &format!("/api/v1/configmaps?&limit=500&continue={CONFIGMAP_TOKEN}"),
        ]
    );
    // Discovery reads the preferred version of each group, never another
    // version, nor the ignored kinds' lists.
    assert!(requests.contains(&"/apis/kyverno.io/v1".to_owned()));
    assert!(
        !requests.iter().any(|r| r.contains("[aggregated")),
        "the plain discovery documents are what this client reads: {requests:?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("/apis/kyverno.io/v2beta1"))
    );
    let lists: Vec<&String> = requests.iter().filter(|r| r.contains('?')).collect();
    assert!(
        !lists
            .iter()
            .any(|r| r.contains("/events?") || r.contains("/leases?") || r.contains("/nodes?")),
        "{lists:?}"
    );
    assert!(
        requests
            .iter()
            .filter(|r| r.contains('?'))
            .all(|r| r.contains("limit=500")),
        "{requests:?}"
    );
}

#[test]
fn server_managed_fields_are_stripped() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let listing = fetch(&options(&server.kubeconfig(dir.path()))).expect("the cluster is read");

    let deployment: Value =
        serde_json::from_str(text_of(&listing, "cluster:akula/shop/Deployment.apps/web"))
            .expect("the text is JSON");
    let top: Vec<&String> = deployment.as_object().expect("an object").keys().collect();
    assert_eq!(top, ["apiVersion", "kind", "metadata", "spec"]);
    assert_eq!(deployment["apiVersion"], "apps/v1");
    assert_eq!(deployment["kind"], "Deployment");
    // The revision annotation was the only one: the annotations go too.
    assert_eq!(
        deployment["metadata"],
        json!({"name": "web", "namespace": "shop",
               "labels": {"app": "web", "app.kubernetes.io/instance": "shop"}})
    );
    assert_eq!(
        deployment.pointer("/spec/template/spec/containers/0/securityContext/privileged"),
        Some(&json!(true))
    );

    for object in &listing.objects {
        let value: Value = serde_json::from_str(&object.text).expect("the text is JSON");
        for gone in [
            "/status",
            "/metadata/managedFields",
            "/metadata/uid",
            "/metadata/resourceVersion",
            "/metadata/creationTimestamp",
            "/metadata/generation",
            "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
        ] {
            assert_eq!(value.pointer(gone), None, "{} keeps {gone}", object.name);
        }
        assert!(value["apiVersion"].is_string() && value["kind"].is_string());
    }

    // kubectl's last-applied copy is gone, so the Secret's value is there
    // once, not twice.
    let secret = text_of(&listing, "cluster:akula/shop/Secret/db-credentials");
    assert_eq!(
        secret.matches("Rml4dHVyZS1GQUtFLXBhc3N3b3JkLTE=").count(),
        1
    );
    let config: Value =
        serde_json::from_str(text_of(&listing, "cluster:akula/shop/ConfigMap/web-config"))
            .expect("JSON");
    assert_eq!(
        config["metadata"],
        json!({"name": "web-config", "namespace": "shop",
               "labels": {"app.kubernetes.io/instance": "shop"}})
    );
}

#[test]
fn a_namespace_lists_only_its_namespaced_objects() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let options = ClusterOptions {
        namespace: Some("shop".to_owned()),
        ..options(&server.kubeconfig(dir.path()))
    };
    let listing = fetch(&options).expect("the namespace is read");
    assert_eq!(
        names(&listing),
        [
            "cluster:akula/shop/ConfigMap/kube-root-ca.crt",
            "cluster:akula/shop/ConfigMap/web-config",
            "cluster:akula/shop/Deployment.apps/web",
            "cluster:akula/shop/NetworkPolicy.networking.k8s.io/default-deny",
            "cluster:akula/shop/Secret/db-credentials",
            "cluster:akula/shop/Service/web",
            "cluster:akula/shop/ServiceAccount/default",
        ]
    );
    assert_eq!(listing.owned, 1);
    assert_eq!(
        listing.skipped,
        [
            ("metrics.k8s.io/v1beta1".to_owned(), METRICS_DOWN.to_owned()),
            (
                "kyverno.io/v1/Policy".to_owned(),
                FORBIDDEN_POLICIES.to_owned()
            ),
        ]
    );
    let requests = server.requests();
    let lists: Vec<&String> = requests.iter().filter(|r| r.contains('?')).collect();
    assert!(
        lists.iter().all(|r| r.contains("/namespaces/shop/")),
        "only the namespace's lists: {lists:?}"
    );
    // Cluster-scoped kinds are not even asked for.
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("/api/v1/namespaces?"))
    );
    assert!(!requests.iter().any(|r| r.contains("clusterpolicies")));
    assert_eq!(
        lists
            .iter()
            .filter(|r| r.starts_with("/api/v1/namespaces/shop/configmaps"))
            .count(),
        2
    );
}

#[test]
fn the_listing_is_checked_with_the_ordinary_rules() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let listing = fetch(&options(&server.kubeconfig(dir.path()))).expect("the cluster is read");

    let options = CheckOptions::default();
    let config = Config::default();
    let rules = charter::rules::builtin();
    let prepared = Prepared::new(&options, &config).expect("built-in data");
    let inputs = listing
        .objects
        .iter()
        .map(|object| (object.name.clone(), object.text.clone()))
        .collect();
    let today = Date::today_utc();
    let outcome = check_texts(&prepared, &options, &config, &rules, inputs, today);
    assert_eq!(outcome.resources.len(), listing.objects.len());
    let mut by_object: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for finding in &outcome.findings {
        by_object
            .entry(outcome.files[finding.file].name.as_str())
            .or_default()
            .push(finding.rule.id);
    }
    for rules in by_object.values_mut() {
        rules.sort_unstable();
    }
    // The Secret and the privileged Deployment, as the brief's cases; and
    // what else the recorded cluster really has wrong: an Application
    // outside the wave plan, in the default project, from a repository not
    // on the allow list; a Kyverno policy only auditing; workloads and
    // Services without the recommended labels; an image by tag.
    let expected: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("cluster:akula/shop/Secret/db-credentials", vec!["SEC-001"]),
        (
            "cluster:akula/shop/Deployment.apps/web",
            vec![
                "HELM-003",
                "HELM-005",
                // The cluster's own ClusterPolicy, applied to the cluster.
                "KYV-disallow-privileged-containers/autogen-privileged-containers",
                "POD-001",
                "POD-002",
                "POD-003",
                "POD-004",
                "POD-005",
                "POD-009",
                "POD-010",
                "POD-012",
                "POD-013",
            ],
        ),
        (
            "cluster:akula/argocd/Application.argoproj.io/shop",
            vec!["ARGO-001", "ARGO-009", "ARGO-011"],
        ),
        (
            "cluster:akula/ClusterPolicy.kyverno.io/disallow-privileged-containers",
            vec!["KYV-007"],
        ),
        ("cluster:akula/default/Service/kubernetes", vec!["HELM-003"]),
        ("cluster:akula/shop/Service/web", vec!["HELM-003"]),
    ]);
    assert_eq!(by_object, expected);
}

#[test]
fn an_unknown_context_is_named_with_the_kubeconfig() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let kubeconfig = server.kubeconfig(dir.path());
    let options = ClusterOptions {
        context: Some("production".to_owned()),
        ..options(&kubeconfig)
    };
    let error = fetch(&options).expect_err("no such context");
    assert_eq!(
        error.to_string(),
        format!(
            "kubeconfig {}: no context `production` (it has akula, wrong-token, untrusted, \
             unreachable)",
            kubeconfig.display()
        )
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_missing_kubeconfig_is_named() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let missing = dir.path().join("no-such-kubeconfig");
    let error = fetch(&options(&missing)).expect_err("no kubeconfig");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("kubeconfig {}: ", missing.display())),
        "{message}"
    );
    assert!(message.contains("No such file or directory"), "{message}");
}

/// A context's failure as `(prefix, rest)`: the message names the
/// kubeconfig, the context and the server first.
fn failure(context: &str) -> (String, String, String) {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let kubeconfig = server.kubeconfig(dir.path());
    let options = ClusterOptions {
        context: Some(context.to_owned()),
        ..options(&kubeconfig)
    };
    let error = fetch(&options).expect_err("the context fails").to_string();
    let prefix = format!(
        "kubeconfig {}, context `{context}`, server ",
        kubeconfig.display()
    );
    let port = server.port;
    (error, prefix, format!("https://127.0.0.1:{port}/"))
}

#[test]
fn an_unreachable_server_is_one_clear_error() {
    let (error, prefix, _) = failure("unreachable");
    assert!(error.starts_with(&prefix), "{error}");
    assert!(
        error
            .contains(": cannot reach the API server (connection refused): client error (Connect)"),
        "{error}"
    );
}

#[test]
fn an_untrusted_certificate_is_a_tls_failure() {
    let (error, prefix, server) = failure("untrusted");
    assert_eq!(
        error,
        format!(
            "{prefix}{server}: TLS failure: client error (Connect): invalid peer certificate: \
             UnknownIssuer"
        )
    );
}

#[test]
fn refused_credentials_are_said_as_such() {
    let (error, prefix, server) = failure("wrong-token");
    assert_eq!(
        error,
        format!(
            "{prefix}{server}: the server refused the credentials (401 Unauthorized): \
             Unauthorized"
        )
    );
}

#[test]
fn charter_audit_of_the_cluster_writes_its_report() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let kubeconfig = server.kubeconfig(dir.path());
    let report = dir.path().join("live.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(["audit", "--cluster", "--no-config", "--kubeconfig"])
        .arg(&kubeconfig)
        .arg("--report")
        .arg(&report)
        .current_dir(dir.path())
        .output()
        .expect("charter runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("a report")).expect("JSON");
    assert!(stderr.contains("; report written to "), "{stderr}");
    assert_eq!(
        report["target"],
        json!({"kind": "cluster", "context": "akula", "namespace": null})
    );
    // What the reader left out is in the report, each with its reason.
    let not_checked: Vec<&str> = report["not_checked"]
        .as_array()
        .expect("not_checked")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for line in [
        format!("kyverno.io/v1/Policy could not be listed: {FORBIDDEN_POLICIES}"),
        format!("metrics.k8s.io/v1beta1 could not be listed: {METRICS_DOWN}"),
        "cluster:akula/shop/Secret/build-bot-token left out: a token the cluster issued for a ServiceAccount".to_owned(),
        "1 object left out because a listed controller owns it (its findings would be the owner's)".to_owned(),
    ] {
        assert!(not_checked.contains(&line.as_str()), "{line}: {not_checked:#?}");
    }
    // Checked as a whole platform: KYV-008 (no baseline policy) applies,
    // which no partial set reports.
    let found: Vec<(String, String)> = report["principles"]
        .as_array()
        .expect("principles")
        .iter()
        .flat_map(|p| p["families"].as_array().into_iter().flatten())
        .flat_map(|f| f["resources"].as_array().into_iter().flatten())
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .map(|item| {
            (
                item["rule"].as_str().unwrap_or_default().to_owned(),
                item["file"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (rule, object) in [
        ("SEC-001", "cluster:akula/shop/Secret/db-credentials"),
        ("POD-001", "cluster:akula/shop/Deployment.apps/web"),
        (
            "KYV-008",
            "cluster:akula/ClusterPolicy.kyverno.io/disallow-privileged-containers",
        ),
    ] {
        assert!(
            found.contains(&(rule.to_owned(), object.to_owned())),
            "{rule} on {object}: {found:?}"
        );
    }
}
