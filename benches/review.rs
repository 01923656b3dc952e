//! `cargo bench --bench review`: what one admission review costs in process,
//! without TLS, HTTP or a load generator: parse the AdmissionReview, check
//! its object with every rule, encode the answer. The same two reviews as
//! `benches/serve-load.sh` (an allowed ConfigMap, a denied privileged
//! Deployment), each judged `--reviews N` times (default 20,000) on one
//! thread, `--runs N` times (default 5); prints the median cost of one
//! review and what one core answers per second at that cost.

use charter::check::CheckOptions;
use charter::config::{Config, FailOn};
use charter::rules;
use charter::serve::admission::{Judge, review};

mod common;
use common::{measure, median, option};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reviews = option(&args, "--reviews", 20_000);
    let runs = option(&args, "--runs", 5);
    let options = CheckOptions {
        keep_text: false,
        ..CheckOptions::default()
    };
    let judge = match Judge::new(options, Config::default(), rules::builtin(), FailOn::Error) {
        Ok(judge) => judge,
        Err(error) => {
            eprintln!("cannot build the judge: {error}");
            std::process::exit(2);
        }
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reviews");
    println!(
        "machine: {} cores; {reviews} reviews per run, {runs} runs, one thread",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (name, allowed) in [("allowed", true), ("denied", false)] {
        let path = root.join(format!("{name}.json"));
        let body = std::fs::read(&path).unwrap_or_else(|error| {
            eprintln!("{}: {error}", path.display());
            std::process::exit(2);
        });
        match review(&judge, &body) {
            Ok(answer) if answer.allowed == allowed => {}
            Ok(_) => {
                eprintln!("{}: verdict is not `{name}`", path.display());
                std::process::exit(1);
            }
            Err(error) => {
                eprintln!("{}: {}", path.display(), error.message);
                std::process::exit(1);
            }
        }
        let times = measure(runs, || {
            for _ in 0..reviews {
                let _ = review(&judge, &body);
            }
        });
        let each = median(&times).as_secs_f64() / reviews as f64;
        println!(
            "{name:>8}: {:>7.1} µs per review (median run; fastest {:.1} µs), {:>6.0} reviews/s per core",
            each * 1e6,
            times[0].as_secs_f64() / reviews as f64 * 1e6,
            1.0 / each
        );
    }
}
