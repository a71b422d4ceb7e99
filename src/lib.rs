//! loyalsim: an agent-based simulator of `CL = R·f(CS)`.
//!
//! Customers carry expectations, a zone of tolerance, cumulative satisfaction and
//! switching costs; loyalty follows satisfaction through an indifference zone, damped by
//! constraints R. See `ARCHITECTURE.md` for the map of the modules and the invariants
//! they keep, and `../shared/MODEL.md` (or `docs/model.md`) for the model itself.

pub mod calibrate;
pub mod cli;
pub mod engine;
pub mod error;
pub mod literature;
pub mod model;
pub mod parameter;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;

pub use engine::{RunResults, Simulation};
pub use scenario::Scenario;
