//! charter: checks Kubernetes manifests against the constitution of a
//! privacy-first, GitOps-run AI platform.
//!
//! The pipeline of a run, in module order: [`input`] finds and reads files,
//! [`yaml`] parses them with positions, [`loader`] turns documents into
//! [`resource::Resource`]s, [`engine`] runs the [`rules`], [`suppress`]
//! applies exemptions, and [`report`] prints the result. [`check`] wires
//! these together; [`cli`] is the command line on top.

pub mod audit;
pub mod baseline;
pub mod changes;
pub mod chart;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod config_file;
pub mod context;
pub mod date;
pub mod engine;
pub mod environment;
pub mod finding;
pub mod git;
pub mod input;
pub mod kyverno;
pub mod leak;
pub mod loader;
pub mod policy;
pub mod progress;
pub mod redact;
pub mod report;
pub mod resource;
pub mod rules;
pub mod schema;
pub mod sealed;
pub mod selector;
pub mod serve;
pub mod source;
pub mod suppress;
pub mod workload;
pub mod yaml;
