//! `charter serve`: the admission webhook.
//!
//! HTTPS only (rustls, TLS 1.2 and 1.3, HTTP/1.1). `POST /validate` judges
//! an AdmissionReview with the rules and configuration `charter check`
//! uses; `/healthz`, `/readyz` and `/metrics` serve the kubelet and
//! Prometheus. SIGTERM stops accepting, finishes what is in flight, and exits.

pub mod admission;
pub mod log;
pub mod metrics;
pub mod tls;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio_rustls::TlsAcceptor;

use admission::{BadRequest, Judge};
use metrics::{Metrics, Verdict};
use tls::CertStore;

/// The API server sends at most 3 MiB of request body to a webhook.
pub const MAX_BODY: usize = 3 * 1024 * 1024;
/// A client that has not finished its TLS handshake or sent its headers by
/// then is dropped: slow clients must not hold connections forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Bodies up to this size are judged on the async worker that read them;
/// larger ones on rayon's pool (see `judge`).
const JUDGE_INLINE_UP_TO: usize = 64 * 1024;

pub struct ServeOptions {
    pub listen: String,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    /// Longest time one review may take, well under the webhook's
    /// `timeoutSeconds` so the API server gets an answer, not a timeout.
    pub deadline: Duration,
    /// Longest wait for in-flight requests after SIGTERM.
    pub drain: Duration,
    /// Worker threads (default: one per core).
    pub workers: Option<usize>,
}

struct State {
    judge: Judge,
    metrics: Metrics,
    certs: Arc<CertStore>,
    ready: AtomicBool,
    deadline: Duration,
}

/// Runs the server until SIGTERM or SIGINT.
pub fn run(options: ServeOptions, judge: Judge) -> Result<(), String> {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = options.workers {
        runtime.worker_threads(workers);
    }
    let runtime = runtime
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?;
    runtime.block_on(serve(options, judge))
}

async fn serve(options: ServeOptions, judge: Judge) -> Result<(), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = Arc::new(CertStore::load(
        &options.tls_cert,
        &options.tls_key,
        Arc::clone(&provider),
    )?);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| format!("TLS configuration: {error}"))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::clone(&certs) as Arc<dyn rustls::server::ResolvesServerCert>);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let address: SocketAddr = options
        .listen
        .parse()
        .map_err(|error| format!("--listen {}: {error} (expected IP:PORT)", options.listen))?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    let bound = listener
        .local_addr()
        .map_err(|error| format!("cannot read the bound address: {error}"))?;
    let mut terminate = signal(SignalKind::terminate())
        .map_err(|error| format!("cannot watch SIGTERM: {error}"))?;
    let mut interrupt =
        signal(SignalKind::interrupt()).map_err(|error| format!("cannot watch SIGINT: {error}"))?;

    let state = Arc::new(State {
        judge,
        metrics: Metrics::default(),
        certs,
        ready: AtomicBool::new(true),
        deadline: options.deadline,
    });
    let graceful = GracefulShutdown::new();
    log::event(
        "info",
        "listening",
        &[
            ("address", Value::from(bound.to_string())),
            (
                "deadline_ms",
                Value::from(options.deadline.as_millis() as u64),
            ),
        ],
    );
    let signal_name = loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait a little
                        // rather than spin; the listener itself is still fine.
                        log::event("error", "accept failed", &[("error", Value::from(error.to_string()))]);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                // Before each handshake: a rotated pair serves this connection.
                state.certs.refresh();
                let acceptor = acceptor.clone();
                let state = Arc::clone(&state);
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => tls,
                        // Failed handshakes are the client's business (and
                        // probes of a port scanner): not worth a log line each.
                        _ => return,
                    };
                    let service = hyper::service::service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(route(state, request).await) }
                    });
                    let mut http = hyper::server::conn::http1::Builder::new();
                    http.timer(TokioTimer::new())
                        .header_read_timeout(Some(HANDSHAKE_TIMEOUT));
                    let connection = http.serve_connection(TokioIo::new(tls), service);
                    let _ = watcher.watch(connection).await;
                });
            }
            _ = terminate.recv() => break "SIGTERM",
            _ = interrupt.recv() => break "SIGINT",
        }
    };
    // No new connections from here; the readiness probe fails so the
    // endpoint leaves the Service while in-flight reviews finish.
    drop(listener);
    state.ready.store(false, Ordering::SeqCst);
    log::event(
        "info",
        "draining",
        &[
            ("signal", Value::from(signal_name)),
            ("connections", Value::from(graceful.count() as u64)),
        ],
    );
    match tokio::time::timeout(options.drain, graceful.shutdown()).await {
        Ok(()) => log::event("info", "stopped", &[]),
        Err(_) => log::event(
            "warn",
            "stopped with connections still open after the drain period",
            &[("drain_seconds", Value::from(options.drain.as_secs()))],
        ),
    }
    Ok(())
}

type Answer = Response<Full<Bytes>>;

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn text(status: StatusCode, body: impl Into<String>) -> Answer {
    let mut body = body.into();
    body.push('\n');
    reply(status, "text/plain; charset=utf-8", body)
}

async fn route(state: Arc<State>, request: Request<Incoming>) -> Answer {
    match (request.method(), request.uri().path()) {
        (&Method::POST, "/validate") => validate(state, request).await,
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") => match state.ready.load(Ordering::SeqCst) {
            true => text(StatusCode::OK, "ready"),
            false => text(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
        },
        (&Method::GET, "/metrics") => reply(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            state.metrics.render(&state.certs),
        ),
        (_, "/validate" | "/healthz" | "/readyz" | "/metrics") => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed: POST /validate, GET /healthz, /readyz, /metrics",
        ),
        (_, path) => text(StatusCode::NOT_FOUND, format!("no endpoint {path}")),
    }
}

/// Why a review got no verdict.
enum Failure {
    Bad(BadRequest),
    Deadline,
    Internal(String),
}

async fn validate(state: Arc<State>, request: Request<Incoming>) -> Answer {
    let started = Instant::now();
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let outcome = match declared {
        // Refused before reading a byte of it.
        Some(length) if length > MAX_BODY as u64 => Err(Failure::Bad(too_large())),
        _ => match tokio::time::timeout(state.deadline, judge(Arc::clone(&state), request)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::Deadline),
        },
    };
    let latency = started.elapsed();
    let latency_ms = Value::from((latency.as_secs_f64() * 1e6).round() / 1e3);
    match outcome {
        Ok(answer) => {
            let verdict = match answer.allowed {
                true => Verdict::Allowed,
                false => Verdict::Denied,
            };
            state.metrics.record(verdict, latency);
            state
                .metrics
                .record_findings(answer.findings.iter().copied());
            let subject = &answer.subject;
            let rules: Vec<Value> = answer
                .findings
                .iter()
                .map(|(rule, _)| Value::from(*rule))
                .collect();
            log::event(
                "info",
                "admission review",
                &[
                    ("uid", Value::from(subject.uid.as_str())),
                    ("operation", Value::from(subject.operation.as_str())),
                    ("kind", Value::from(subject.kind.as_str())),
                    ("namespace", Value::from(subject.namespace.as_str())),
                    ("name", Value::from(subject.name.as_str())),
                    ("dry_run", Value::from(subject.dry_run)),
                    ("verdict", Value::from(verdict.as_str())),
                    ("rules", Value::Array(rules)),
                    ("latency_ms", latency_ms),
                ],
            );
            reply(StatusCode::OK, "application/json", answer.body)
        }
        Err(failure) => {
            state.metrics.record(Verdict::Error, latency);
            let (status, message) = match failure {
                Failure::Bad(bad) => (
                    StatusCode::from_u16(bad.status).unwrap_or(StatusCode::BAD_REQUEST),
                    bad.message,
                ),
                Failure::Deadline => (
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "no verdict within the {} ms deadline",
                        state.deadline.as_millis()
                    ),
                ),
                Failure::Internal(message) => (StatusCode::INTERNAL_SERVER_ERROR, message),
            };
            log::event(
                "warn",
                "admission review refused",
                &[
                    ("status", Value::from(status.as_u16())),
                    ("verdict", Value::from(Verdict::Error.as_str())),
                    ("error", Value::from(message.as_str())),
                    ("latency_ms", latency_ms),
                ],
            );
            text(status, message)
        }
    }
}

fn too_large() -> BadRequest {
    BadRequest {
        status: 413,
        message: format!(
            "request body over {} bytes (the API server's limit is 3 MiB)",
            MAX_BODY
        ),
    }
}

/// Reads the body (at most `MAX_BODY`) and judges it off the async workers.
async fn judge(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<admission::Answer, Failure> {
    let body = Limited::new(request.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|error| {
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Failure::Bad(too_large())
            } else {
                Failure::Bad(BadRequest {
                    status: 400,
                    message: format!("cannot read the request body: {error}"),
                })
            }
        })?
        .to_bytes();
    // An ordinary object (a Deployment is a few KiB) is judged right here on
    // the async worker: it takes a fraction of a millisecond, and handing
    // it to another thread and back cost more than that in wake-ups, and
    // most of the tail latency under load (README, Performance). A large
    // object would hold the worker for milliseconds, stalling the other
    // connections it serves, so it goes to rayon's pool (one thread per
    // core), where the engine's parallel steps run inline and the deadline
    // can still answer for it. (Judging every review on a blocking thread,
    // `spawn_blocking`, meant 64 threads for 64 clients and 100 MiB.)
    if body.len() <= JUDGE_INLINE_UP_TO {
        return match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            admission::review(&state.judge, &body)
        })) {
            Ok(verdict) => verdict.map_err(Failure::Bad),
            Err(_) => Err(judging_failed()),
        };
    }
    let (send, receive) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        // A panic in a rule must cost one answer, not the process (rayon
        // aborts on a panic that escapes a spawned task).
        let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            admission::review(&state.judge, &body)
        }));
        // The receiver is gone only when the deadline passed: nobody waits.
        let _ = send.send(verdict);
    });
    match receive.await {
        Ok(Ok(verdict)) => verdict.map_err(Failure::Bad),
        Ok(Err(_)) => Err(judging_failed()),
        Err(_) => Err(Failure::Internal(
            "the review stopped before its verdict".to_owned(),
        )),
    }
}

/// A panic in a rule costs one answer, not the process.
fn judging_failed() -> Failure {
    Failure::Internal(
        "charter failed while judging this object (a bug: please report it)".to_owned(),
    )
}
