//! `charter serve`: the real binary on loopback, a certificate made here
//! with rcgen, and real HTTPS clients (reqwest, and raw rustls where the test
//! needs to hold a request half-sent).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use serde_json::{Value, json};

/// A certificate authority made for one test.
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

    /// A server certificate for 127.0.0.1: (certificate PEM, key PEM, DER).
    fn leaf(&self, name: &str) -> (String, String, Vec<u8>) {
        let key = KeyPair::generate().expect("leaf key");
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("leaf certificate");
        (cert.pem(), key.serialize_pem(), cert.der().to_vec())
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }
}

/// Writes a file the way the kubelet updates a mounted Secret: a new file
/// renamed over the old one, so a reader never sees half of it.
fn replace(path: &Path, text: &str) {
    let temporary = path.with_extension("new");
    std::fs::write(&temporary, text).expect("write the new file");
    std::fs::rename(&temporary, path).expect("rename it into place");
}

/// A running `charter serve`, stopped when dropped.
struct Server {
    child: Child,
    address: String,
    logs: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
    ca: Ca,
    der: Vec<u8>,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::start_with(extra, None)
    }

    /// Starts the server with a fresh CA and certificate, and `config` as
    /// its `.charter.yaml` when given (else `--no-config`).
    fn start_with(extra: &[&str], config: Option<&str>) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca = Ca::new("charter test CA");
        let (cert_pem, key_pem, der) = ca.leaf("charter-webhook");
        let cert = dir.path().join("tls.crt");
        let key = dir.path().join("tls.key");
        std::fs::write(&cert, cert_pem).expect("write cert");
        std::fs::write(&key, key_pem).expect("write key");
        let mut args: Vec<String> = vec![
            "serve".into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--tls-cert".into(),
            cert.display().to_string(),
            "--tls-key".into(),
            key.display().to_string(),
        ];
        match config {
            Some(text) => {
                let path = dir.path().join(".charter.yaml");
                std::fs::write(&path, text).expect("write config");
                args.push("--config".into());
                args.push(path.display().to_string());
            }
            None => args.push("--no-config".into()),
        }
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("charter serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (found, address) = std::sync::mpsc::channel();
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(event) = serde_json::from_str::<Value>(&line)
                    && event["msg"] == "listening"
                {
                    let _ = found.send(event["address"].as_str().unwrap_or("").to_owned());
                }
                sink.lock().expect("log lock").push(line);
            }
        });
        let address = match address.recv_timeout(Duration::from_secs(30)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "charter serve did not log its address; logs:\n{}",
                    logs.lock().expect("log lock").join("\n")
                );
            }
        };
        Server {
            child,
            address,
            logs,
            _dir: dir,
            cert,
            key,
            ca,
            der,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.address)
    }

    /// A client trusting the test CA (and `more`), one connection per
    /// client: a new client is a new TLS handshake.
    fn client(&self, more: &[&Ca]) -> reqwest::blocking::Client {
        let mut builder = reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .tls_info(true)
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(30));
        for ca in std::iter::once(&self.ca).chain(more.iter().copied()) {
            builder = builder.add_root_certificate(
                reqwest::Certificate::from_pem(ca.pem().as_bytes()).expect("CA PEM"),
            );
        }
        builder.build().expect("client")
    }

    fn post(&self, body: impl Into<Vec<u8>>) -> (u16, String) {
        let response = self
            .client(&[])
            .post(self.url("/validate"))
            .header("content-type", "application/json")
            .body(body.into())
            .send()
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().expect("a body"))
    }

    /// Sends a review and returns its `response`.
    fn review(&self, review: &Value) -> Value {
        let (status, body) = self.post(review.to_string());
        assert_eq!(status, 200, "body: {body}");
        let answer: Value = serde_json::from_str(&body).expect("the answer is JSON");
        assert_eq!(answer["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(answer["kind"], "AdmissionReview");
        answer["response"].clone()
    }

    fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client(&[])
            .get(self.url(path))
            .send()
            .expect("the server answers");
        (response.status().as_u16(), response.text().expect("a body"))
    }

    fn logs(&self) -> Vec<Value> {
        self.logs
            .lock()
            .expect("log lock")
            .iter()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"))
            })
            .collect()
    }

    /// Waits for a log event with this message.
    fn wait_for_log(&self, msg: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(event) = self.logs().into_iter().find(|event| event["msg"] == msg) {
                return event;
            }
            assert!(
                Instant::now() < deadline,
                "no `{msg}` log; logs: {:?}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits");
        // SAFETY: kill(2) with a pid this test spawned and still owns.
        let result = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(result, 0, "SIGTERM sent");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request(uid: &str, operation: &str, object: Value) -> Value {
    let kind = object["kind"].as_str().unwrap_or("").to_owned();
    let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
    let namespace = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let (object, old) = match operation {
        "DELETE" => (Value::Null, object),
        _ => (object, Value::Null),
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": kind},
            "resource": {"group": "", "version": "v1", "resource": "objects"},
            "name": name,
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": "alice"},
            "object": object,
            "oldObject": old,
            "dryRun": false
        }
    })
}

fn privileged_deployment(namespace: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{
                    "name": "web",
                    "image": "nginx:1.27",
                    "securityContext": {"privileged": true}
                }]}
            }
        }
    })
}

fn config_map() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "team"},
        "data": {"LOG_LEVEL": "info"}
    })
}

fn messages(response: &Value) -> String {
    response["status"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn warnings(response: &Value) -> Vec<String> {
    response["warnings"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|w| w.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_clean_object_is_allowed_with_its_uid() {
    let server = Server::start(&[]);
    let response = server.review(&request("uid-allow-1", "CREATE", config_map()));
    assert_eq!(response["uid"], "uid-allow-1");
    assert_eq!(response["allowed"], true);
    assert_eq!(warnings(&response), Vec::<String>::new());
    let annotation = response["auditAnnotations"]["partial-set-rules"]
        .as_str()
        .expect("the skipped whole-set rules are named");
    assert!(
        annotation.starts_with("ARGO-003,") && annotation.contains("SEC-013"),
        "{annotation}"
    );
    assert!(annotation.contains("was skipped"), "{annotation}");
}

#[test]
fn an_error_finding_denies_naming_rule_path_and_fix() {
    let server = Server::start(&[]);
    let response = server.review(&request(
        "uid-deny-1",
        "CREATE",
        privileged_deployment("team"),
    ));
    assert_eq!(response["uid"], "uid-deny-1");
    assert_eq!(response["allowed"], false);
    let message = messages(&response);
    assert!(
        message.starts_with("charter: 3 findings at or above `error`:\n"),
        "{message}"
    );
    assert!(
        message.contains(
            "\n- POD-001 at /spec/template/spec/containers/0/securityContext/privileged: \
             Deployment team/web container `web` runs privileged (`securityContext.privileged: \
             true`): root in it is root on the node (fix: Set in container `web`: \
             securityContext: privileged: false)"
        ),
        "{message}"
    );
    for rule in ["POD-002 at ", "POD-003 at "] {
        assert!(message.contains(&format!("\n- {rule}")), "{message}");
    }
    // Warnings of a denied object still come back.
    assert!(
        warnings(&response).contains(
            &"HELM-005 at /spec/template/spec/containers/0/image: Deployment team/web container \
              `web` image `nginx:1.27` is not pinned by digest: the registry can change what the \
              tag points at"
                .to_owned()
        ),
        "{:?}",
        warnings(&response)
    );
}

#[test]
fn warnings_come_back_on_an_allowed_object() {
    let server = Server::start(&[]);
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "team", "labels": {
            "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]}
    });
    let response = server.review(&request("uid-warn-1", "CREATE", service));
    assert_eq!(response["allowed"], true);
    let warnings = warnings(&response);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("NET-001 at /spec/type: "),
        "{warnings:?}"
    );
}

#[test]
fn a_secret_in_a_config_map_is_denied_without_its_value() {
    let server = Server::start(&[]);
    let secret = "sk-proj-Zq8vN3xK5mR7tY2wP9aL4cE6hJ1bF0dG";
    let object = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "app", "namespace": "team"},
        "data": {"OPENAI_API_KEY": secret}
    });
    let (status, body) = server.post(request("uid-leak-1", "CREATE", object).to_string());
    assert_eq!(status, 200);
    assert!(
        !body.contains(secret),
        "the answer repeats the secret: {body}"
    );
    let response: Value = serde_json::from_str::<Value>(&body).expect("JSON")["response"].clone();
    assert_eq!(response["allowed"], false);
    let message = messages(&response);
    assert!(
        message.contains("- SEC-003 at /data/OPENAI_API_KEY: "),
        "{message}"
    );
    // Nor do the logs.
    server.wait_for_log("admission review");
    let logs = server.logs.lock().expect("log lock").join("\n");
    assert!(!logs.contains(secret), "the logs hold the secret: {logs}");
}

#[test]
fn delete_and_connect_are_allowed_and_dry_run_is_judged() {
    let server = Server::start(&[]);
    let response = server.review(&request(
        "uid-del-1",
        "DELETE",
        privileged_deployment("team"),
    ));
    assert_eq!(
        (response["uid"].as_str(), response["allowed"].as_bool()),
        (Some("uid-del-1"), Some(true))
    );
    let mut connect = request("uid-conn-1", "CONNECT", privileged_deployment("team"));
    connect["request"]["object"] =
        json!({"kind": "PodExecOptions", "apiVersion": "v1", "metadata": {}});
    let response = server.review(&connect);
    assert_eq!(response["allowed"], true);
    let mut dry = request("uid-dry-1", "UPDATE", privileged_deployment("team"));
    dry["request"]["dryRun"] = json!(true);
    let response = server.review(&dry);
    assert_eq!(response["allowed"], false);
    assert!(messages(&response).contains("- POD-001 at "));
    let logged = server
        .logs()
        .into_iter()
        .find(|event| event["uid"] == "uid-dry-1")
        .expect("the dry run is logged");
    assert_eq!(logged["dry_run"], true);
    assert_eq!(logged["verdict"], "denied");
    assert_eq!(logged["kind"], "Deployment");
    assert_eq!(logged["namespace"], "team");
    assert_eq!(logged["name"], "web");
    assert!(logged["latency_ms"].as_f64().is_some());
}

const EXEMPTING_CONFIG: &str = "exemptions:\n  - rules: [POD-001, POD-002, POD-003]\n    namespace: sandbox\n    reason: the sandbox runs throwaway privileged demos\n";

#[test]
fn exemptions_of_the_configuration_apply() {
    let server = Server::start_with(&[], Some(EXEMPTING_CONFIG));
    let response = server.review(&request(
        "uid-ex-1",
        "CREATE",
        privileged_deployment("sandbox"),
    ));
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(
        response["auditAnnotations"]["suppressed-rules"],
        "POD-002,POD-003,POD-001"
    );
    let response = server.review(&request(
        "uid-ex-2",
        "CREATE",
        privileged_deployment("team"),
    ));
    assert_eq!(response["allowed"], false);
}

fn self_excused() -> Value {
    let mut object = privileged_deployment("team");
    object["metadata"]["annotations"] = json!({
        "charter.io/ignore": "POD-001,POD-002,POD-003",
        "charter.io/ignore-reason": "a node debugging tool"
    });
    object
}

#[test]
fn inline_ignores_apply_unless_turned_off() {
    let server = Server::start(&[]);
    let response = server.review(&request("uid-in-1", "CREATE", self_excused()));
    assert_eq!(response["allowed"], true, "{response}");
    let strict = Server::start(&["--no-inline-ignores"]);
    let response = strict.review(&request("uid-in-2", "CREATE", self_excused()));
    assert_eq!(response["allowed"], false);
    assert!(messages(&response).contains("- POD-001 at "));
}

#[test]
fn bad_input_is_refused_with_a_clear_status() {
    let server = Server::start(&[]);
    let good = request("uid-bad", "CREATE", config_map());
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "malformed JSON",
            b"{\"apiVersion\": ".to_vec(),
            400,
            "body is not an AdmissionReview: at `apiVersion`: EOF while parsing a value at line 1 column 15",
        ),
        (
            "not JSON",
            b"hello".to_vec(),
            400,
            "body is not an AdmissionReview: expected value",
        ),
        (
            "wrong apiVersion",
            {
                let mut review = good.clone();
                review["apiVersion"] = json!("admission.k8s.io/v1beta1");
                review.to_string().into_bytes()
            },
            400,
            "expected apiVersion `admission.k8s.io/v1` and kind `AdmissionReview`, got `admission.k8s.io/v1beta1` and `AdmissionReview`",
        ),
        (
            "wrong kind",
            {
                let mut review = good.clone();
                review["kind"] = json!("ConfigMap");
                review.to_string().into_bytes()
            },
            400,
            "expected apiVersion `admission.k8s.io/v1` and kind `AdmissionReview`, got `admission.k8s.io/v1` and `ConfigMap`",
        ),
        (
            "missing request",
            json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"})
                .to_string()
                .into_bytes(),
            400,
            "the AdmissionReview has no `request`",
        ),
        (
            "missing uid",
            {
                let mut review = good.clone();
                review["request"]
                    .as_object_mut()
                    .expect("request")
                    .remove("uid");
                review.to_string().into_bytes()
            },
            400,
            "body is not an AdmissionReview: at `request`: missing field `uid`",
        ),
        (
            "empty uid",
            {
                let mut review = good.clone();
                review["request"]["uid"] = json!("");
                review.to_string().into_bytes()
            },
            400,
            "`request.uid` is empty",
        ),
        (
            "CREATE without an object",
            {
                let mut review = good.clone();
                review["request"]["object"] = Value::Null;
                review.to_string().into_bytes()
            },
            400,
            "`request.object` is missing: a CREATE must carry the object",
        ),
    ];
    for (case, body, status, message) in cases {
        let (got_status, got_body) = server.post(body);
        assert_eq!(got_status, status, "{case}: {got_body}");
        assert!(
            got_body.starts_with(message),
            "{case}: expected `{message}`, got `{got_body}`"
        );
    }
    // Over the API server's limit: refused from the declared length, before
    // the body is sent (a client still writing would see the connection close).
    let mut stream = raw_connection(&server);
    write!(
        stream,
        "POST /validate HTTP/1.1\r\nhost: charter\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        3 * 1024 * 1024 + 1
    )
    .expect("headers");
    stream.flush().expect("flush");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with(
            "\r\n\r\nrequest body over 3145728 bytes (the API server's limit is 3 MiB)\n"
        ),
        "{answer}"
    );
    // Still serving after all of that.
    assert_eq!(server.review(&good)["allowed"], true);
    assert_eq!(server.get("/validate").0, 405);
    assert_eq!(server.get("/nowhere").0, 404);
}

#[test]
fn health_readiness_and_metrics() {
    let server = Server::start(&[]);
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_owned()));
    assert_eq!(server.get("/readyz"), (200, "ready\n".to_owned()));
    server.review(&request("uid-m-1", "CREATE", config_map()));
    server.review(&request("uid-m-2", "CREATE", privileged_deployment("team")));
    server.review(&request("uid-m-3", "CREATE", privileged_deployment("team")));
    assert_eq!(server.post(b"{".to_vec()).0, 400);
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    let lines: Vec<&str> = metrics.lines().collect();
    for expected in [
        "charter_admission_requests_total{verdict=\"allowed\"} 1",
        "charter_admission_requests_total{verdict=\"denied\"} 2",
        "charter_admission_requests_total{verdict=\"error\"} 1",
        "charter_admission_duration_seconds_bucket{le=\"+Inf\"} 4",
        "charter_admission_duration_seconds_count 4",
        "charter_admission_findings_total{rule=\"POD-001\",severity=\"error\"} 2",
        "charter_admission_findings_total{rule=\"HELM-005\",severity=\"warning\"} 2",
        "charter_tls_reloads_total{result=\"success\"} 0",
        "charter_tls_reloads_total{result=\"failure\"} 0",
        "# TYPE charter_admission_duration_seconds histogram",
    ] {
        assert!(
            lines.contains(&expected),
            "missing `{expected}` in:\n{metrics}"
        );
    }
    // Buckets fine enough for sub-millisecond answers.
    for bound in ["0.0001", "0.00025", "0.0005", "0.00075", "0.001"] {
        assert!(
            metrics.contains(&format!(
                "charter_admission_duration_seconds_bucket{{le=\"{bound}\"}} "
            )),
            "{metrics}"
        );
    }
}

/// The certificate the server presented on a new connection.
fn presented(server: &Server, more: &[&Ca]) -> Vec<u8> {
    let response = server
        .client(more)
        .get(server.url("/healthz"))
        .send()
        .expect("the server answers");
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("TLS info")
        .to_vec()
}

#[test]
fn a_rotated_certificate_serves_the_next_connection_and_a_bad_one_is_ignored() {
    let server = Server::start(&[]);
    assert_eq!(presented(&server, &[]), server.der);
    let next_ca = Ca::new("rotated CA");
    let (cert_pem, key_pem, der) = next_ca.leaf("charter-webhook-rotated");
    replace(&server.key, &key_pem);
    replace(&server.cert, &cert_pem);
    // Written one file at a time: a connection may see the new key with the
    // old certificate (a failed reload) before both are in place.
    assert_eq!(presented(&server, &[&next_ca]), der);
    server.wait_for_log("tls certificate reloaded");

    // A broken pair: the key does not belong to the certificate.
    let (_, other_key, _) = next_ca.leaf("unrelated");
    replace(&server.key, &other_key);
    assert_eq!(presented(&server, &[&next_ca]), der, "the good pair stays");
    let event =
        server.wait_for_log("tls certificate not reloaded; the previous one stays in service");
    assert!(
        event["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("do not make a usable pair")),
        "{event}"
    );
    replace(&server.cert, "not a certificate\n");
    assert_eq!(presented(&server, &[&next_ca]), der);
    let metrics = server
        .client(&[&next_ca])
        .get(server.url("/metrics"))
        .send()
        .and_then(|response| response.text())
        .expect("metrics");
    assert!(
        metrics.contains("charter_tls_reloads_total{result=\"failure\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("charter_tls_reloads_total{result=\"success\"} 1"),
        "{metrics}"
    );
}

/// A raw TLS connection, to hold a request half-sent.
fn raw_connection(server: &Server) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    raw_connection_with(server, rustls::DEFAULT_VERSIONS)
}

/// A raw TLS connection offering only `versions`.
fn raw_connection_with(
    server: &Server,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from(
            server.ca.cert.der().to_vec(),
        ))
        .expect("CA into the root store");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(versions)
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("server name");
    let connection =
        rustls::ClientConnection::new(Arc::new(config), name).expect("client connection");
    let tcp = TcpStream::connect(&server.address).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    rustls::StreamOwned::new(connection, tcp)
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_refuses_new_ones() {
    let mut server = Server::start(&[]);
    let body = request("uid-drain-1", "CREATE", config_map()).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = raw_connection(&server);
    write!(
        stream,
        "POST /validate HTTP/1.1\r\nhost: charter\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{first}",
        body.len()
    )
    .expect("half the request");
    stream.flush().expect("flush");
    // The server has the headers: the request is in flight.
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    server.wait_for_log("draining");
    // No new connections once draining.
    assert!(
        TcpStream::connect(&server.address).is_err(),
        "a new connection was accepted after SIGTERM"
    );
    stream.write_all(rest.as_bytes()).expect("the rest");
    stream.flush().expect("flush");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("\"uid\":\"uid-drain-1\""), "{answer}");
    assert!(answer.contains("\"allowed\":true"), "{answer}");
    let status = server.child.wait().expect("the server exits");
    assert!(status.success(), "{status:?}");
    server.wait_for_log("stopped");
}

#[test]
fn many_concurrent_connections_are_served() {
    let server = Arc::new(Server::start(&[]));
    let handles: Vec<_> = (0..32)
        .map(|n| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                let uid = format!("uid-c-{n}");
                let object = match n % 2 {
                    0 => config_map(),
                    _ => privileged_deployment("team"),
                };
                let response = server.review(&request(&uid, "CREATE", object));
                assert_eq!(response["uid"], uid.as_str());
                assert_eq!(response["allowed"], n % 2 == 0);
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a client thread");
    }
}

/// The arguments the chart's Deployment passes, as written in its template.
fn chart_args() -> Vec<String> {
    let template =
        common::repo_root().join("deploy/charts/charter-webhook/templates/deployment.yaml");
    let text = std::fs::read_to_string(&template).expect("the chart's deployment template");
    let start = text
        .find("          args:\n")
        .expect("the container has args")
        + "          args:\n".len();
    text[start..]
        .lines()
        .map_while(|line| line.trim_start().strip_prefix("- "))
        .map(|arg| arg.replace("{{ .Values.port }}", "8443"))
        .collect()
}

#[test]
fn the_charts_flags_are_accepted_and_a_missing_certificate_is_a_clear_error() {
    let args = chart_args();
    assert_eq!(
        args,
        [
            "serve",
            "--listen",
            "0.0.0.0:8443",
            "--tls-cert",
            "/tls/tls.crt",
            "--tls-key",
            "/tls/tls.key",
            "--config",
            "/config/.charter.yaml"
        ]
    );
    // Same flags, with paths that exist here (the cert path does not).
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join(".charter.yaml");
    std::fs::write(&config, "failOn: error\n").expect("config");
    let missing = dir.path().join("tls.crt");
    let args: Vec<String> = args
        .iter()
        .map(|arg| match arg.as_str() {
            "0.0.0.0:8443" => "127.0.0.1:0".to_owned(),
            "/tls/tls.crt" | "/tls/tls.key" => missing.display().to_string(),
            "/config/.charter.yaml" => config.display().to_string(),
            other => other.to_owned(),
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = common::charter_in(dir.path(), &args, None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{}: ", missing.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn a_review_past_the_deadline_gets_504_and_the_server_goes_on() {
    let server = Server::start(&["--deadline-ms", "300"]);
    // A client that stops halfway through its body holds the review past
    // the deadline: the answer must come from the server, not the client.
    let mut stream = raw_connection(&server);
    let started = Instant::now();
    write!(
        stream,
        "POST /validate HTTP/1.1\r\nhost: charter\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"apiVersion\""
    )
    .expect("part of a request");
    stream.flush().expect("flush");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let waited = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 504 Gateway Timeout\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("no verdict within the 300 ms deadline\n"),
        "{answer}"
    );
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(
        server.review(&request("uid-after", "CREATE", config_map()))["allowed"],
        true
    );
}

#[test]
fn tls_1_2_and_1_3_are_both_served() {
    let server = Server::start(&[]);
    for (version, name) in [
        (&rustls::version::TLS12, rustls::ProtocolVersion::TLSv1_2),
        (&rustls::version::TLS13, rustls::ProtocolVersion::TLSv1_3),
    ] {
        let mut stream = raw_connection_with(&server, &[version]);
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: charter\r\nconnection: close\r\n\r\n")
            .expect("request");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 200 OK\r\n"),
            "{name:?}: {answer}"
        );
        assert_eq!(stream.conn.protocol_version(), Some(name));
    }
}

#[test]
fn schemas_of_the_configured_crd_directories_judge_custom_resources() {
    let crds = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        crds.path().join("gadget.yaml"),
        "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
",
    )
    .expect("write CRD");
    let config = format!("strict: true\ncrdDirs: [\"{}\"]\n", crds.path().display());
    let server = Server::start_with(&[], Some(&config));
    let gadget = |spec: Value| {
        json!({
            "apiVersion": "example.com/v1",
            "kind": "Gadget",
            "metadata": {"name": "g", "namespace": "team"},
            "spec": spec
        })
    };
    let response = server.review(&request("uid-crd-1", "CREATE", gadget(json!({"size": 3}))));
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(warnings(&response), Vec::<String>::new());
    let annotation = response["auditAnnotations"]["partial-set-rules"]
        .as_str()
        .unwrap_or_default();
    assert!(!annotation.contains("SCHEMA"), "{annotation}");

    let response = server.review(&request(
        "uid-crd-2",
        "CREATE",
        gadget(json!({"size": "big"})),
    ));
    assert_eq!(response["allowed"], false, "{response}");
    assert!(
        messages(&response)
            .contains("SCHEMA-001 at /spec/size: `spec.size`: \"big\" is not of type \"integer\""),
        "{}",
        messages(&response)
    );
    let response = server.review(&request("uid-crd-3", "CREATE", gadget(json!({"sise": 3}))));
    assert_eq!(response["allowed"], false, "{response}");
    assert!(
        messages(&response).contains(
            "unknown field `sise` in `spec` of example.com/v1 Gadget: did you mean `size`?"
        ),
        "{}",
        messages(&response)
    );
}

#[test]
fn rego_policies_judge_reviews_as_check_judges_files() {
    let policy = common::repo_root().join("tests/policies/conftest/policy");
    let policy = policy.to_str().expect("UTF-8 path");
    let server = Server::start(&["--policy", policy]);
    let response = server.review(&request(
        "uid-rego-1",
        "CREATE",
        privileged_deployment("ai"),
    ));
    assert_eq!(response["allowed"], false);
    let message = messages(&response);
    assert!(
        message.contains(
            "\n- REGO-main.violation_privileged: Deployment/web: container \"web\" is privileged"
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "\n- REGO-main.deny_run_as_root at /spec/template/spec/containers/0: Deployment/web: \
             container \"web\" may run as root; set securityContext.runAsNonRoot: true"
        ),
        "{message}"
    );
    // Conftest's `exception` holds in the webhook too: Deployment ai/ollama
    // may run as root, and says nothing of it.
    let mut ollama = privileged_deployment("ai");
    ollama["metadata"]["name"] = json!("ollama");
    let response = server.review(&request("uid-rego-2", "CREATE", ollama));
    assert!(!messages(&response).contains("REGO-main.deny_run_as_root"));
    assert!(messages(&response).contains("REGO-main.violation_privileged"));
}

#[test]
fn kyverno_policies_judge_reviews_as_check_judges_files() {
    let policies = common::repo_root().join("deploy/policies/baseline.yaml");
    let policies = policies.to_str().expect("UTF-8 path");
    let server = Server::start(&["--kyverno-policies", policies]);
    let response = server.review(&request(
        "uid-kyverno-1",
        "CREATE",
        privileged_deployment("ai-backend"),
    ));
    assert_eq!(response["allowed"], false);
    let message = messages(&response);
    // The Pod rule judges the Deployment through its autogenerated rule, at
    // the field the pattern names.
    assert!(
        message.contains(
            "\n- KYV-charter-disallow-privileged-containers/autogen-privileged-containers at \
             /spec/template/spec/containers/0/securityContext/privileged: validation error: \
             Privileged containers are not allowed (constitution, article 2). rule \
             autogen-privileged-containers failed at path \
             /spec/template/spec/containers/0/securityContext/privileged/"
        ),
        "{message}"
    );
    // The policy excludes gpu-operator: the same Deployment there is not
    // refused by it.
    let response = server.review(&request(
        "uid-kyverno-2",
        "CREATE",
        privileged_deployment("gpu-operator"),
    ));
    assert!(
        !messages(&response).contains("KYV-charter-disallow-privileged-containers"),
        "{}",
        messages(&response)
    );
}
