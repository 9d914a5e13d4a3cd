//! Stage timings of a run, kept as data (the library never prints them): how long reading,
//! sorting, evaluating, the digest, the findings file and each workbook sheet took. The
//! `audit --timings` command and `benches/pipeline.rs` print them.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One stage and how long it took (wall clock).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub name: String,
    pub took: Duration,
}

/// The stages of a run, in the order they finished. Shared by reference: stages that run on
/// other threads (the findings file beside the workbook) record into the same list.
#[derive(Debug, Default)]
pub struct Timings {
    stages: Mutex<Vec<Stage>>,
}

impl Timings {
    /// Runs `f` and records how long it took as `name`.
    pub fn time<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        self.record(name, t.elapsed());
        out
    }

    /// Records a stage measured elsewhere.
    pub fn record(&self, name: &str, took: Duration) {
        if let Ok(mut s) = self.stages.lock() {
            s.push(Stage {
                name: name.to_string(),
                took,
            });
        }
    }

    /// The stages recorded so far.
    pub fn stages(&self) -> Vec<Stage> {
        self.stages.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_order_across_threads() {
        let t = Timings::default();
        assert_eq!(t.time("a", || 1 + 1), 2);
        std::thread::scope(|s| {
            s.spawn(|| t.record("b", Duration::from_millis(3)));
        });
        let names: Vec<_> = t.stages().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
