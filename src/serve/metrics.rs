//! Prometheus counters and the latency histogram, in the text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::tls::CertStore;

/// Upper bounds of the latency buckets, in seconds: fine below a
/// millisecond, where a single object is judged, and up to the deadline.
pub const BUCKETS: [f64; 15] = [
    0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5,
];

/// What an admission request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied,
    /// Bad input (4xx), or no answer within the deadline.
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Error => "error",
        }
    }
}

#[derive(Default)]
pub struct Metrics {
    allowed: AtomicU64,
    denied: AtomicU64,
    errors: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    /// Sum of latencies in nanoseconds.
    latency_sum_ns: AtomicU64,
    latency_count: AtomicU64,
    /// Unsuppressed findings by rule id and severity.
    findings: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
}

impl Metrics {
    pub fn record(&self, verdict: Verdict, latency: Duration) {
        let counter = match verdict {
            Verdict::Allowed => &self.allowed,
            Verdict::Denied => &self.denied,
            Verdict::Error => &self.errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let seconds = latency.as_secs_f64();
        // Cumulative buckets are summed at render time; each observation
        // lands in the first bucket that holds it (or only in +Inf).
        if let Some(index) = BUCKETS.iter().position(|&bound| seconds <= bound) {
            self.buckets[index].fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_sum_ns.fetch_add(nanos, Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_findings<'a>(&self, found: impl IntoIterator<Item = (&'static str, &'a str)>) {
        let mut findings = match self.findings.lock() {
            Ok(findings) => findings,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (rule, severity) in found {
            let severity: &'static str = match severity {
                "error" => "error",
                "warning" => "warning",
                _ => "info",
            };
            *findings.entry((rule, severity)).or_default() += 1;
        }
    }

    pub fn render(&self, certs: &CertStore) -> String {
        let mut out = String::with_capacity(4096);
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        out.push_str(
            "# HELP charter_admission_requests_total Admission reviews answered, by verdict.\n\
             # TYPE charter_admission_requests_total counter\n",
        );
        for (verdict, counter) in [
            ("allowed", &self.allowed),
            ("denied", &self.denied),
            ("error", &self.errors),
        ] {
            let _ = writeln!(
                out,
                "charter_admission_requests_total{{verdict=\"{verdict}\"}} {}",
                load(counter)
            );
        }
        out.push_str(
            "# HELP charter_admission_duration_seconds Time from request to answer.\n\
             # TYPE charter_admission_duration_seconds histogram\n",
        );
        let mut cumulative = 0;
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += load(bucket);
            let _ = writeln!(
                out,
                "charter_admission_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = load(&self.latency_count);
        let _ = writeln!(
            out,
            "charter_admission_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "charter_admission_duration_seconds_sum {}",
            load(&self.latency_sum_ns) as f64 / 1e9
        );
        let _ = writeln!(out, "charter_admission_duration_seconds_count {count}");
        out.push_str(
            "# HELP charter_admission_findings_total Unsuppressed findings in admitted and denied objects, by rule.\n\
             # TYPE charter_admission_findings_total counter\n",
        );
        let findings = match self.findings.lock() {
            Ok(findings) => findings.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        for ((rule, severity), count) in findings {
            let _ = writeln!(
                out,
                "charter_admission_findings_total{{rule=\"{rule}\",severity=\"{severity}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP charter_tls_reloads_total Certificate reloads after the files changed, by result.\n\
             # TYPE charter_tls_reloads_total counter\n",
        );
        let _ = writeln!(
            out,
            "charter_tls_reloads_total{{result=\"success\"}} {}",
            load(&certs.reloads_ok)
        );
        let _ = writeln!(
            out,
            "charter_tls_reloads_total{{result=\"failure\"}} {}",
            load(&certs.reloads_failed)
        );
        out
    }
}
