//! loyalsim: an agent-based simulator of `CL = R·f(CS)`.
//!
//! Customers carry expectations, a zone of tolerance, cumulative satisfaction and
//! switching costs; loyalty follows satisfaction through an indifference zone, damped by
//! constraints R. See `ARCHITECTURE.md` for the map of the modules and the invariants
//! they keep, and `../shared/MODEL.md` (or `docs/model.md`) for the model itself.
//!
//! The binary (`loyalsim`) is a thin layer over this library: a scenario is read and
//! validated ([`Scenario`]), simulated ([`Simulation`]) into [`RunResults`], and those
//! are written and charted by [`report`]; [`sweep`] runs many points of one scenario,
//! [`calibrate`] fits parameters to published figures.
//!
//! # Example
//!
//! The same customers under a weak and a strong constraint: with common random
//! numbers a stronger constraint can only turn leavers into hostages, so retention
//! cannot fall.
//!
//! ```
//! use loyalsim::{Scenario, Simulation};
//!
//! let retention = |r: &str| -> f64 {
//!     let text = format!(
//!         "name = \"example\"\nseed = 7\ncustomers = 2000\n[constraint]\nr = {r}\n"
//!     );
//!     let scenario = Scenario::parse(&text, "example.toml", &[]).expect("a valid scenario");
//!     let results = Simulation::new(&scenario).run(12);
//!     let (stayed, seen) = results
//!         .curve
//!         .iter()
//!         .fold((0, 0), |(s, n), bin| (s + bin.stayed, n + bin.observations));
//!     stayed as f64 / seen as f64
//! };
//! assert!(retention("2.0") >= retention("0.0"));
//! ```

pub mod calibrate;
pub mod cli;
pub mod dtype;
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
