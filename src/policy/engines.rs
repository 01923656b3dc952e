//! Compiled policies shared by worker threads: each thread evaluates with
//! its own clone of each engine (evaluation mutates an engine), made once
//! per thread and kept until the thread meets other policies.

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use regorus::Engine;

/// Engines compiled and prepared once, for any number of threads.
pub struct EngineSet {
    /// Tells one set from another in a thread's cache.
    id: u64,
    engines: Vec<Mutex<Engine>>,
}

impl std::fmt::Debug for EngineSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EngineSet({} engines)", self.engines.len())
    }
}

thread_local! {
    static CLONES: RefCell<(u64, Vec<Engine>)> = const { RefCell::new((0, Vec::new())) };
}

impl EngineSet {
    pub fn new(engines: Vec<Engine>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        EngineSet {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            engines: engines.into_iter().map(Mutex::new).collect(),
        }
    }

    /// A clone of engine `index`, to build another set from.
    pub fn engine(&self, index: usize) -> Option<Engine> {
        self.engines.get(index).map(|engine| {
            engine
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        })
    }

    pub fn len(&self) -> usize {
        self.engines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    /// Runs `work` with this thread's clones of the engines, in the order
    /// they were given.
    pub fn with<R>(&self, work: impl FnOnce(&mut [Engine]) -> R) -> R {
        CLONES.with(|clones| {
            let mut clones = clones.borrow_mut();
            if clones.0 != self.id {
                let engines = self
                    .engines
                    .iter()
                    .map(|engine| {
                        engine
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .clone()
                    })
                    .collect();
                *clones = (self.id, engines);
            }
            work(&mut clones.1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_evaluates_with_its_own_clone() {
        let mut engine = Engine::new();
        engine
            .add_policy("p.rego".into(), "package p\n\nx := input.n".into())
            .expect("compiles");
        let set = EngineSet::new(vec![engine]);
        let results: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|n| {
                    let set = &set;
                    scope.spawn(move || {
                        set.with(|engines| {
                            let input = crate::policy::rego::object([(
                                "n",
                                regorus::Value::from(n as i64),
                            )]);
                            engines[0].set_input(input);
                            engines[0]
                                .eval_rule("data.p.x".into())
                                .map(|value| value.to_string())
                                .unwrap_or_default()
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("no panic"))
                .collect()
        });
        assert_eq!(results, ["0", "1", "2", "3"]);
    }
}
