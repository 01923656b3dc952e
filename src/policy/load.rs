//! Reading the policy directories: `.rego` files (not `_test.rego`) are
//! Conftest modules; YAML files may hold ConstraintTemplates and
//! Constraints. A policy that does not compile stops the run with its file,
//! line and the parser's message: it is charter's input, not a finding.

use std::path::{Path, PathBuf};

use regorus::Engine;

use super::Policies;
use super::conftest::{self, Namespaces};
use super::engines::EngineSet;
use super::gatekeeper::{self, Constraint, Template, TemplateProblem};
use super::rego::{self, Dialect};
use crate::yaml::{Limits, Node};

/// Where policies come from and which packages judge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySettings {
    /// Directories (or single files) to read.
    pub paths: Vec<PathBuf>,
    /// Whether the paths were asked for (`--policy`, `policies:`): a
    /// missing one is an error. The defaults (`policy/`, `rules/rego/`)
    /// are read only where they exist.
    pub required: bool,
    pub namespaces: Namespaces,
}

/// The directories read when none is named.
pub const DEFAULT_DIRS: [&str; 2] = ["policy", "rules/rego"];

impl PolicySettings {
    /// The defaults, relative to `base` (the working directory).
    pub fn defaults(base: &Path) -> PolicySettings {
        PolicySettings {
            paths: DEFAULT_DIRS.iter().map(|dir| base.join(dir)).collect(),
            required: false,
            namespaces: Namespaces::default(),
        }
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PolicyError {
    #[error("policy {path}: {message}")]
    #[diagnostic(code(charter::usage))]
    Read { path: String, message: String },
    #[error("policy {0}")]
    #[diagnostic(code(charter::usage))]
    Compile(rego::RegoError),
    #[error("policy {file}:{line}: {message}")]
    #[diagnostic(code(charter::usage))]
    Invalid {
        file: String,
        line: u32,
        message: String,
    },
}

/// The files under `paths`, sorted, with what they hold.
pub struct PolicyFiles {
    /// `(name, text)` of each `.rego` file that is not a test.
    pub modules: Vec<(String, String)>,
    /// `(name, text)` of each `_test.rego` file.
    pub tests: Vec<(String, String)>,
    /// `(name, text)` of each YAML file.
    pub yaml: Vec<(String, String)>,
}

/// Lists and reads the files under `paths` (a missing default is skipped).
pub fn read_files(paths: &[PathBuf], required: bool) -> Result<PolicyFiles, PolicyError> {
    let mut files = PolicyFiles {
        modules: Vec::new(),
        tests: Vec::new(),
        yaml: Vec::new(),
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for path in paths {
        if !path.exists() {
            match required {
                true => {
                    return Err(PolicyError::Read {
                        path: path.display().to_string(),
                        message: "no such file or directory".into(),
                    });
                }
                false => continue,
            }
        }
        // Hidden files and what `.gitignore` excludes are skipped, as in a
        // walk of manifests: `charter verify` from a repository's root must
        // not read its build directory.
        let walker = ignore::WalkBuilder::new(path).require_git(false).build();
        for entry in walker {
            let entry = entry.map_err(|error| PolicyError::Read {
                path: path.display().to_string(),
                message: error.to_string(),
            })?;
            if entry.file_type().is_some_and(|kind| kind.is_file()) {
                found.push(entry.into_path());
            }
        }
    }
    found.sort();
    found.dedup();
    for path in found {
        let name = path.display().to_string();
        let (list, rego) = match path.extension().and_then(|e| e.to_str()) {
            Some("rego") if name.ends_with("_test.rego") => (&mut files.tests, true),
            Some("rego") => (&mut files.modules, true),
            Some("yaml" | "yml") => (&mut files.yaml, false),
            _ => continue,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => list.push((name, text)),
            Err(error) if rego => {
                return Err(PolicyError::Read {
                    path: name,
                    message: error.to_string(),
                });
            }
            // A YAML file that cannot be read holds no template charter
            // could use; the run goes on without it, and says so.
            Err(error) => eprintln!("charter: {name}: skipped: {error}"),
        }
    }
    Ok(files)
}

/// Reads and compiles the policies `settings` name.
pub fn load(settings: &PolicySettings) -> Result<Policies, PolicyError> {
    let files = read_files(&settings.paths, settings.required)?;
    let names: Vec<String> = files
        .modules
        .iter()
        .chain(&files.yaml)
        .map(|(name, _)| name.clone())
        .collect();
    let Compiled {
        engine: conftest_engine,
        packages,
        ..
    } = compile_modules(&files.modules, &settings.namespaces)?;
    let (templates, template_engines, constraints) = gatekeeper_documents(&files.yaml)?;
    let mut engines: Vec<Engine> = Vec::new();
    if !packages.is_empty() {
        engines.push(conftest_engine);
    }
    engines.extend(template_engines);
    Ok(Policies {
        engines: EngineSet::new(engines),
        conftest: packages,
        templates,
        constraints,
        files: names,
    })
}

/// Modules compiled into one engine: each module's file and package
/// (`data.main`), and the judging rules of the selected packages.
pub struct Compiled {
    pub engine: Engine,
    pub modules: Vec<(String, String)>,
    pub packages: Vec<conftest::Package>,
}

/// Compiles Conftest modules into one engine, and lists the judging rules
/// of the selected packages.
pub fn compile_modules(
    modules: &[(String, String)],
    namespaces: &Namespaces,
) -> Result<Compiled, PolicyError> {
    let mut engine = Engine::new();
    let mut packages = Vec::new();
    for (name, text) in modules {
        let package = rego::add_module(&mut engine, name, text, Dialect::Either)
            .map_err(PolicyError::Compile)?;
        packages.push((name.clone(), package));
    }
    if !modules.is_empty() {
        rego::prepare(&mut engine, "").map_err(PolicyError::Compile)?;
    }
    let judging = conftest::packages(&engine, &packages, namespaces);
    Ok(Compiled {
        engine,
        modules: packages,
        packages: judging,
    })
}

type Gatekeeper = (Vec<Template>, Vec<Engine>, Vec<Constraint>);

/// The templates and Constraints of the policy directories' YAML files;
/// each Constraint must find its template among them.
pub fn gatekeeper_documents(yaml: &[(String, String)]) -> Result<Gatekeeper, PolicyError> {
    let mut templates = Vec::new();
    let mut engines = Vec::new();
    let mut constraints: Vec<(Constraint, String, u32)> = Vec::new();
    for (name, text) in yaml {
        for document in crate::yaml::parse_stream(text, Limits::default()) {
            let Some(root) = &document.root else { continue };
            let api_version = root
                .get("apiVersion")
                .and_then(Node::as_str)
                .unwrap_or_default();
            let kind = root.get("kind").and_then(Node::as_str).unwrap_or_default();
            let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
            let invalid = |line: u32, message: String| PolicyError::Invalid {
                file: name.clone(),
                line,
                message,
            };
            if group == gatekeeper::TEMPLATE_GROUP && kind == "ConstraintTemplate" {
                if let Some(problem) = document.problems.first() {
                    return Err(invalid(problem.mark.line, problem.message.clone()));
                }
                match gatekeeper::read_template(root, name) {
                    Ok((template, engine)) => {
                        templates.push(template);
                        engines.push(engine);
                    }
                    // Said once when loading, as a finding would say it.
                    Err(TemplateProblem::Unsupported { message, .. }) => {
                        eprintln!("charter: {name}: ConstraintTemplate skipped: {message}");
                    }
                    Err(TemplateProblem::Invalid { pointer, message }) => {
                        let line = root.locate(&pointer).0.mark.line;
                        return Err(invalid(line, format!("ConstraintTemplate {message}")));
                    }
                    Err(TemplateProblem::Compile {
                        line,
                        column,
                        error,
                        ..
                    }) => {
                        return Err(PolicyError::Compile(rego::RegoError {
                            file: name.clone(),
                            line,
                            column,
                            ..error
                        }));
                    }
                }
            } else if group == gatekeeper::CONSTRAINT_GROUP {
                let line = root.start.line;
                let constraint = gatekeeper::read_constraint(root, kind)
                    .map_err(|message| invalid(line, format!("{kind} {message}")))?;
                constraints.push((constraint, name.clone(), line));
            }
        }
    }
    let mut bound = Vec::new();
    for (constraint, file, line) in constraints {
        let Some(template) = templates.iter().find(|t| t.kind == constraint.kind) else {
            return Err(PolicyError::Invalid {
                file,
                line,
                message: format!(
                    "{} {}: no ConstraintTemplate in the policy directories defines kind {}",
                    constraint.kind, constraint.name, constraint.kind
                ),
            });
        };
        gatekeeper::check_parameters(template, &constraint).map_err(|message| {
            PolicyError::Invalid {
                file: file.clone(),
                line,
                message: format!("{} {} {message}", constraint.kind, constraint.name),
            }
        })?;
        bound.push(constraint);
    }
    Ok((templates, engines, bound))
}
