//! What both benchmarks need: options, a timing loop, peak memory.

#![allow(dead_code, reason = "each benchmark uses a different subset")]

use std::time::{Duration, Instant};

/// The value after `name` on the command line, or `default`.
pub fn option(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|arg| arg == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Times `runs` runs of `work` after one warm-up run, sorted fastest first.
/// What `work` returns is dropped after the clock stops.
pub fn measure<T>(runs: usize, mut work: impl FnMut() -> T) -> Vec<Duration> {
    drop(work());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let result = work();
            let elapsed = started.elapsed();
            drop(result);
            elapsed
        })
        .collect();
    times.sort();
    times
}

pub fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

/// Largest resident set of any waited-for child, in KiB (Linux reports KiB).
/// Run children before growing this process: a child forked from a large
/// process is charged its pages.
pub fn children_peak_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given and touches nothing else.
    let status = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    if status != 0 {
        return 0;
    }
    // SAFETY: getrusage succeeded, so the struct is initialised.
    unsafe { usage.assume_init() }.ru_maxrss
}

/// One line of figures: the median, the fastest run and resources per
/// second of the median.
pub fn report(label: &str, resources: usize, times: &[Duration]) {
    let median = median(times);
    let fastest = times.iter().min().copied().unwrap_or_default();
    println!(
        "{label:<40} {:>8.1} ms ({:.1} ms)  {:>9.0} resources/s",
        median.as_secs_f64() * 1000.0,
        fastest.as_secs_f64() * 1000.0,
        resources as f64 / median.as_secs_f64(),
    );
}

/// One line of figures for work that is not per resource.
pub fn report_time(label: &str, times: &[Duration]) {
    let fastest = times.iter().min().copied().unwrap_or_default();
    println!(
        "{label:<40} {:>8.1} ms ({:.1} ms)",
        median(times).as_secs_f64() * 1000.0,
        fastest.as_secs_f64() * 1000.0,
    );
}
