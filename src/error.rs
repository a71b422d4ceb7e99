//! The errors a user can meet, and the exit code each gives.

use crate::calibrate::CalibrationError;
use crate::report::atomic::TargetError;
use crate::report::chart::ChartError;
use crate::scenario::ScenarioError;
use crate::sweep::SweepError;

/// Exit code for bad input: a wrong scenario, a wrong flag, a size that would not fit.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for a failure of the machine: a file that could not be written.
pub const EXIT_FAILURE: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write results to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    /// The command ran but its answer is "no" (a published figure not reproduced) or
    /// something it needed failed: exit code 1.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::Usage(_) => EXIT_BAD_INPUT,
            Error::Write { .. } | Error::Failed(_) => EXIT_FAILURE,
        }
    }
}

/// A refused results folder is the user's to fix (exit 2); one that could not be
/// prepared is the machine's (exit 1).
impl From<TargetError> for Error {
    fn from(e: TargetError) -> Error {
        match e {
            TargetError::Refused(message) => Error::Usage(format!("--out {message}")),
            TargetError::Io { path, source } => Error::Write { path, source },
        }
    }
}

/// Charts: a folder or option that cannot be drawn is bad input; a file that cannot be
/// written, or a chart that cannot be drawn, a failure to write.
impl From<ChartError> for Error {
    fn from(e: ChartError) -> Error {
        match e {
            ChartError::Input(message) => Error::Usage(message),
            ChartError::Write { path, source } => Error::Write { path, source },
            e @ ChartError::Draw { .. } => Error::Write {
                path: "charts".into(),
                source: std::io::Error::other(e.to_string()),
            },
        }
    }
}

/// Calibration: every error is the input's (see [`CalibrationError`]), exit 2.
impl From<CalibrationError> for Error {
    fn from(e: CalibrationError) -> Error {
        Error::Usage(e.0)
    }
}

/// Sweeps: bad input, a file that cannot be written, or a check that failed.
impl From<SweepError> for Error {
    fn from(e: SweepError) -> Error {
        match e {
            SweepError::Input(message) => Error::Usage(message),
            SweepError::Io { path, source } => Error::Write { path, source },
            SweepError::Failed(message) => Error::Failed(message),
            stopped @ SweepError::Stopped { .. } => Error::Failed(stopped.to_string()),
        }
    }
}
