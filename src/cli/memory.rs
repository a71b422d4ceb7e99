//! Refusing runs that would not fit in memory, before anything is allocated.

use crate::engine;
use crate::error::Error;
use crate::report::chart;
use crate::scenario::{NetworkKind, Scenario, ScenarioError};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Memory this process may use: `MemAvailable` from /proc/meminfo where there is one.
pub fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// The sizes a run's memory depends on, as the refusal states them:
/// `4294967295 (with periods = 8, 2 firms, word_of_mouth.degree = 1000)`.
fn sizes(s: &Scenario) -> String {
    let network = match s.word_of_mouth.network {
        NetworkKind::None => String::new(),
        _ => format!(", word_of_mouth.degree = {}", s.word_of_mouth.degree),
    };
    let firms = match s.firms.len() {
        1 => String::new(),
        n => format!(", {n} firms"),
    };
    format!(
        "{} (with periods = {}{firms}{network})",
        s.customers, s.periods
    )
}

/// An error when the run's estimated memory exceeds what the machine has available.
pub fn check(s: &Scenario, source_name: &str) -> Result<(), Error> {
    check_against(s, source_name, available_bytes())
}

/// [`check`] against `have` bytes, read once for many checks (the points of a sweep).
pub fn check_against(s: &Scenario, source_name: &str, have: Option<u64>) -> Result<(), Error> {
    refuse(s, source_name, have, 0)
}

/// [`check`] for a run that draws its charts, which read its tables back while the
/// run's results are still in memory.
pub fn check_with_charts(s: &Scenario, source_name: &str) -> Result<(), Error> {
    let rows = (s.periods as u64).saturating_mul(s.firms.len() as u64);
    let charts = chart::memory_estimate(rows, chart::Size::SCREEN);
    refuse(s, source_name, available_bytes(), charts)
}

fn refuse(s: &Scenario, source_name: &str, have: Option<u64>, charts: u64) -> Result<(), Error> {
    let run = engine::memory_estimate(s);
    let need = run.saturating_add(charts);
    let Some(have) = have else {
        return Ok(());
    };
    if need > have {
        let need = if charts == 0 {
            gib(need)
        } else {
            format!(
                "{} and its charts about {} more ({} in all; --no-charts draws none)",
                gib(run),
                gib(charts),
                gib(need)
            )
        };
        return Err(ScenarioError::Invalid {
            source_name: source_name.to_string(),
            path: "customers".into(),
            value: sizes(s),
            expected: format!(
                "a size that fits in memory: this run needs about {need}, {} is available",
                gib(have)
            ),
        }
        .into());
    }
    Ok(())
}

/// An error when drawing the charts of the results folders `dirs` would need more
/// memory than is available, from the size of the tables the charts read whole: a
/// run's `timeseries.csv`, a sweep's summary, curves and indices.
pub fn check_plot(dirs: &[std::path::PathBuf], size: chart::Size) -> Result<(), Error> {
    const TABLES: [&str; 4] = [
        "timeseries.csv",
        "sweep_summary.csv",
        "sweep_curve.csv",
        "sensitivity.csv",
    ];
    let Some(have) = available_bytes() else {
        return Ok(());
    };
    let tables: Vec<(std::path::PathBuf, u64)> = dirs
        .iter()
        .flat_map(|d| TABLES.iter().map(move |f| d.join(f)))
        .map(|p| {
            let len = std::fs::metadata(&p).map_or(0, |m| m.len());
            (p, len)
        })
        .collect();
    let bytes: u64 = tables.iter().map(|(_, n)| *n).fold(0, u64::saturating_add);
    let need = bytes
        .saturating_mul(chart::BYTES_PER_TABLE_BYTE)
        .saturating_add(chart::memory_estimate(0, size));
    if need > have {
        let (largest, len) = tables.iter().max_by_key(|(_, n)| *n).expect("a folder");
        return Err(Error::Usage(format!(
            "{}: {:.1} MB: expected tables that fit in memory: their charts need about {}, \
             {} is available",
            largest.display(),
            *len as f64 / 1e6,
            gib(need),
            gib(have)
        )));
    }
    Ok(())
}

/// The largest memory estimates among the runs of a sweep, as many as run at once: a
/// sweep's threads each run one run at a time, so at most this much is taken together.
#[derive(Debug)]
pub struct AtOnce {
    threads: usize,
    /// `(estimate, point)` of the largest runs, smallest on top.
    largest: BinaryHeap<Reverse<(u64, u64)>>,
}

impl AtOnce {
    pub fn new(threads: usize) -> AtOnce {
        AtOnce {
            threads: threads.max(1),
            largest: BinaryHeap::new(),
        }
    }

    /// Counts `runs` runs of `point`, each estimated to need `bytes`.
    pub fn add(&mut self, point: u64, bytes: u64, runs: u64) {
        for _ in 0..runs.min(self.threads as u64) {
            self.largest.push(Reverse((bytes, point)));
            if self.largest.len() > self.threads {
                self.largest.pop();
            }
        }
    }

    /// How many runs can be under way together, and what they need together.
    pub fn together(&self) -> (usize, u64) {
        let sum = self
            .largest
            .iter()
            .fold(0u64, |t, Reverse((b, _))| t.saturating_add(*b));
        (self.largest.len(), sum)
    }

    /// The point of the largest run, and its estimate.
    pub fn largest(&self) -> Option<(u64, u64)> {
        self.largest
            .iter()
            .map(|Reverse((b, p))| (*b, *p))
            .max()
            .map(|(b, p)| (p, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_at_once_are_the_largest_as_many_as_threads() {
        let mut a = AtOnce::new(2);
        assert_eq!(a.together(), (0, 0));
        a.add(0, 10, 5);
        a.add(1, 100, 1);
        a.add(2, 50, 3);
        // Point 1 once and point 2 once: the two largest runs that may overlap.
        assert_eq!(a.together(), (2, 150));
        assert_eq!(a.largest(), Some((1, 100)));
        // One point with many replications: its runs overlap with each other.
        let mut b = AtOnce::new(4);
        b.add(7, 30, 100);
        assert_eq!(b.together(), (4, 120));
        // Fewer runs than threads: only those.
        let mut c = AtOnce::new(8);
        c.add(0, 5, 2);
        assert_eq!(c.together(), (2, 10));
        let mut d = AtOnce::new(2);
        d.add(0, u64::MAX, 2);
        assert_eq!(d.together(), (2, u64::MAX), "saturates");
    }
}
