//! Refusing runs that would not fit in memory, before anything is allocated.

use crate::engine;
use crate::error::Error;
use crate::scenario::{Scenario, ScenarioError};

/// Memory this process may use: `MemAvailable` from /proc/meminfo where there is one.
fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// An error when the run's estimated memory exceeds what the machine has available.
pub fn check(s: &Scenario, source_name: &str) -> Result<(), Error> {
    let need = engine::memory_estimate(s);
    let Some(have) = available_bytes() else {
        return Ok(());
    };
    if need > have {
        return Err(ScenarioError::Invalid {
            source_name: source_name.to_string(),
            path: "customers".into(),
            value: format!("{} (with periods = {})", s.customers, s.periods),
            expected: format!(
                "a size that fits in memory: this run needs about {}, {} is available",
                gib(need),
                gib(have)
            ),
        }
        .into());
    }
    Ok(())
}
