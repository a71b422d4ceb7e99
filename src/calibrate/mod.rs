//! Calibration: fit chosen scenario parameters to target figures.
//!
//! A *target file* (TOML, `docs/calibration.md`) names the parameters to fit, by the
//! same dotted paths as `--set`, each with search bounds, and the figures to match: a
//! metric the engine reports (a headline figure, retention in one bin of the retention
//! curve, or a firm's figure), optionally under a market *condition* (more overrides,
//! such as `constraint.r=strong`), with a value and a tolerance. The objective is
//!
//! ```text
//! Σ ((simulated − value) / tolerance)²
//! ```
//!
//! and [`calibrate`] minimises it with the bounded Nelder–Mead search of
//! [`nelder_mead`]: each evaluation applies the candidate values as overrides to the
//! base scenario and runs it once per distinct condition.
//!
//! **Common random numbers.** Every evaluation runs with the base scenario's seed. The
//! engine gives each customer the same draws every period whatever the parameters
//! (`docs/model.md`), so two candidates differ only by what the parameters do, not by
//! luck, and the objective is close to smooth: a small change of a parameter flips a
//! few decisions, not the whole sample. Without this the optimiser would chase noise.
//!
//! Pure: no I/O. Reading the target file and writing the results is the CLI's job.

pub mod nelder_mead;

mod evaluate;
mod fit;
mod search;
mod targets;

pub use evaluate::{measure, objective};
pub use fit::{Fit, FittedParameter, TargetFit};
pub use nelder_mead::Options;
pub use search::{Progress, calibrate, calibrate_with_progress};
pub use targets::{Metric, Parameter, Target, TargetFile};

use std::fmt;

/// The term a target adds to the objective when its metric cannot be measured for a
/// candidate (a curve bin nobody falls in, a firm without customers): as bad as missing
/// by a thousand tolerances.
pub const MISSING_PENALTY: f64 = 1e6;

/// After the search, each parameter is moved by this share of its range either way to
/// see whether the targets pin it down (`FittedParameter::pinned`).
pub const PROFILE_STEP: f64 = 0.05;

/// A calibration that cannot start: one line naming the field, the value and what was
/// expected. Always the input's fault (the target file, the scenario, the options, or
/// fitted values the scenario refuses within the bounds given): the search itself
/// cannot fail, and a fit that does not converge is a result (`Fit::converged`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibrationError(pub String);

impl fmt::Display for CalibrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CalibrationError {}

#[cfg(test)]
mod tests;
