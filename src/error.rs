//! The errors a user can meet, and the exit code each gives.

use crate::scenario::ScenarioError;

/// Exit code for bad input: a wrong scenario, a wrong flag, a size that would not fit.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code for a failure of the machine: a file that could not be written.
pub const EXIT_FAILURE: i32 = 1;

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
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Usage(_) => EXIT_BAD_INPUT,
            Error::Write { .. } | Error::Failed(_) => EXIT_FAILURE,
        }
    }
}
