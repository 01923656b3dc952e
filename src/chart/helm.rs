//! Running `helm template`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{HelmSettings, Render};

/// The `helm` command charter renders with.
#[derive(Debug, Clone)]
pub struct Helm {
    bin: PathBuf,
}

/// Why a chart has no rendered output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Helm ran and refused: its message.
    Refused(String),
    /// Helm could not be run at all.
    NotRun(String),
}

impl Helm {
    /// The `helm` named in the settings, or the first on `PATH`. `Err` says
    /// why there is none, naming the flag that provides one.
    pub fn locate(settings: &HelmSettings) -> Result<Helm, String> {
        if let Some(bin) = &settings.bin {
            // Absolute, so that `--helm-bin helm-wrapper` runs that file and
            // is not looked up on PATH.
            return match bin.is_file() {
                true => Ok(Helm {
                    bin: crate::input::absolute(bin),
                }),
                false => Err(format!(
                    "{}: no such helm command (--helm-bin)",
                    bin.display()
                )),
            };
        }
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join("helm"))
            .find(|candidate| is_executable(candidate))
            .map(|bin| Helm { bin })
            .ok_or_else(|| {
                "no `helm` on PATH (install Helm, or name one with --helm-bin)".to_owned()
            })
    }

    /// The command line of a render, as a user would type it (value files
    /// written inline in the Application are passed on standard input).
    pub fn arguments(render: &Render, settings: &HelmSettings) -> Vec<String> {
        let mut arguments = vec![
            "template".to_owned(),
            render.release.clone(),
            render.chart.display().to_string(),
        ];
        if let Some(namespace) = &render.namespace {
            arguments.extend(["--namespace".to_owned(), namespace.clone()]);
        }
        // ArgoCD's order: the Application's value files, its inline values,
        // then what this run adds.
        for file in &render.value_files {
            arguments.extend(["--values".to_owned(), file.display().to_string()]);
        }
        if render.inline_values.is_some() {
            arguments.extend(["--values".to_owned(), "-".to_owned()]);
        }
        for file in &settings.values {
            arguments.extend(["--values".to_owned(), file.display().to_string()]);
        }
        for expression in &render.set {
            arguments.extend(["--set".to_owned(), expression.clone()]);
        }
        for expression in &render.set_string {
            arguments.extend(["--set-string".to_owned(), expression.clone()]);
        }
        for expression in &settings.set {
            arguments.extend(["--set".to_owned(), expression.clone()]);
        }
        arguments
    }

    /// Renders one chart: the manifests `helm template` printed.
    pub fn render(&self, render: &Render, settings: &HelmSettings) -> Result<String, Failure> {
        let mut command = Command::new(&self.bin);
        command
            .args(Self::arguments(render, settings))
            .stdin(match render.inline_values {
                Some(_) => Stdio::piped(),
                None => Stdio::null(),
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let not_run = |error: std::io::Error| {
            Failure::NotRun(format!("cannot run {}: {error}", self.bin.display()))
        };
        let mut child = command.spawn().map_err(not_run)?;
        // Written from a thread: a chart with large values must not block on
        // a pipe Helm reads only after it starts writing.
        let writer = match (render.inline_values.clone(), child.stdin.take()) {
            (Some(values), Some(mut stdin)) => Some(std::thread::spawn(move || {
                let _ = stdin.write_all(values.as_bytes());
            })),
            _ => None,
        };
        let output = wait_with_deadline(child, settings.timeout).map_err(not_run)?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let Some(output) = output else {
            return Err(Failure::Refused(format!(
                "helm did not finish within {} s and was stopped (--helm-timeout)",
                settings.timeout.as_secs()
            )));
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let message = stderr.trim();
            let message = message.strip_prefix("Error: ").unwrap_or(message);
            return Err(Failure::Refused(match message.is_empty() {
                true => format!("helm exited with {}", output.status),
                false => message.to_owned(),
            }));
        }
        String::from_utf8(output.stdout)
            .map_err(|_| Failure::Refused("helm's output is not UTF-8 text".to_owned()))
    }
}

/// The process's output, or `None` when it ran past `deadline` (it is
/// killed then). Both pipes are drained from threads while the process is
/// watched, so neither a full pipe nor a stuck helm can hang the run.
fn wait_with_deadline(mut child: Child, deadline: Duration) -> std::io::Result<Option<Output>> {
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Ok(Some(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }))
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
