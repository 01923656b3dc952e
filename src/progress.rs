//! How far a run is, and the bar that shows it on a terminal.
//!
//! The checker only counts (atomics, cheap enough for every file); the bar
//! is drawn by a thread of its own, and only when a person is watching: on
//! standard error, when it is a terminal, once the run has lasted long
//! enough to be worth a bar. Short runs and piped runs never see it.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its bar appears: below this, a bar would only
/// flicker.
pub const DELAY: Duration = Duration::from_millis(500);

const REFRESH: Duration = Duration::from_millis(100);

/// What a run is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    Reading = 0,
    Rendering = 1,
    Checking = 2,
}

impl Stage {
    fn label(self) -> &'static str {
        match self {
            Stage::Reading => "reading files",
            Stage::Rendering => "rendering charts",
            Stage::Checking => "running rules",
        }
    }

    fn from_u8(value: u8) -> Stage {
        match value {
            0 => Stage::Reading,
            1 => Stage::Rendering,
            _ => Stage::Checking,
        }
    }
}

/// Counters a run advances as it goes; shared with the bar's thread.
#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicUsize,
    done: AtomicUsize,
    stage: AtomicU8,
}

impl Progress {
    /// Announces `count` more units of work (files to read, charts to render).
    pub fn add_work(&self, count: usize) {
        self.total.fetch_add(count, Ordering::Relaxed);
    }

    pub fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    pub fn enter(&self, stage: Stage) {
        self.stage.store(stage as u8, Ordering::Relaxed);
    }

    /// `(done, total, stage)`.
    pub fn snapshot(&self) -> (usize, usize, Stage) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
            Stage::from_u8(self.stage.load(Ordering::Relaxed)),
        )
    }
}

/// The bar's thread, when there is one; `finish` removes the bar before the
/// report is printed.
pub struct Bar {
    watching: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Bar {
    /// Starts watching `progress` when standard error is a terminal (and
    /// `wanted`, which callers clear for machine formats); otherwise the bar
    /// does nothing.
    pub fn start(progress: &Arc<Progress>, wanted: bool) -> Bar {
        if !wanted || !std::io::stderr().is_terminal() {
            return Bar { watching: None };
        }
        let progress = Arc::clone(progress);
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            // A run that ends within the delay never shows a bar.
            if !matches!(stopped.recv_timeout(DELAY), Err(RecvTimeoutError::Timeout)) {
                return;
            }
            // Hidden until its first state is whole, so that no half-set
            // bar (a length of 0) is ever drawn.
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("charter: {msg:16} [{bar:30}] {pos}/{len} {elapsed}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            let mut shown = false;
            loop {
                let (done, total, stage) = progress.snapshot();
                bar.set_message(stage.label());
                bar.set_length(total as u64);
                bar.set_position(done.min(total) as u64);
                if !shown {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    shown = true;
                }
                if !matches!(
                    stopped.recv_timeout(REFRESH),
                    Err(RecvTimeoutError::Timeout)
                ) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Bar {
            watching: Some((stop, thread)),
        }
    }

    /// Stops the thread and clears the bar from the terminal.
    pub fn finish(self) {
        if let Some((stop, thread)) = self.watching {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up_across_stages() {
        let progress = Progress::default();
        progress.add_work(3);
        progress.advance();
        progress.advance();
        assert_eq!(progress.snapshot(), (2, 3, Stage::Reading));
        progress.enter(Stage::Rendering);
        progress.add_work(2);
        progress.advance();
        assert_eq!(progress.snapshot(), (3, 5, Stage::Rendering));
    }
}
