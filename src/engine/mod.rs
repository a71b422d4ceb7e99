//! The engine: a population in flat arrays, stepped in parallel chunks.
//!
//! Customers live in fixed-size chunks, each a struct of arrays (firm, segment,
//! expectation, …) with its own tallies. A period runs every chunk in parallel with
//! rayon; chunk `i` draws from a generator seeded by (seed, period, i), so a customer's
//! random numbers depend only on where it sits, never on threads. Tallies are added in
//! chunk order afterwards. The hot loop allocates nothing and does no I/O.

pub mod seed;
pub mod tally;

use crate::model::{Customer, Draws, Model, Outcome};
use crate::scenario::Scenario;
use rand::RngExt;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use seed::{Generator, Purpose, uniform};
use tally::{Association, Bins, ChunkTally, CurveBin, FirmTally};

/// Customers per chunk: fixed, so results never depend on the machine.
pub const CHUNK: usize = 4096;

/// Bytes of state per customer (the arrays of [`Chunk`]).
pub const BYTES_PER_CUSTOMER: u64 = 1 + 1 + 4 * 5 + 2;

/// Index of "no firm" in the firm array.
const NO_FIRM: u8 = u8::MAX;

/// One chunk of customers, as parallel arrays.
struct Chunk {
    firm: Vec<u8>,
    segment: Vec<u8>,
    expectation: Vec<f32>,
    standard: Vec<f32>,
    tolerance: Vec<f32>,
    cs: Vec<f32>,
    tenure: Vec<u16>,
    cost_scale: Vec<f32>,
    tally: ChunkTally,
}

/// One period's results.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRecord {
    /// 1-based period number.
    pub period: u32,
    /// Customers outside the market at the start of the period.
    pub prospects: u64,
    /// One tally per firm, in scenario order.
    pub firms: Vec<FirmTally>,
}

/// Everything a run produces; reports turn it into files.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResults {
    pub periods: Vec<PeriodRecord>,
    pub bins: Bins,
    pub curve: Vec<CurveBin>,
    pub association: Association,
    /// Customers times periods.
    pub customer_steps: u64,
}

/// A population and the model it follows.
pub struct Simulation {
    model: Model,
    seed: u64,
    chunks: Vec<Chunk>,
    period: u32,
    bins: Bins,
}

/// Estimated memory of a run of this scenario, in bytes: customer state plus the
/// per-period records kept for the report.
pub fn memory_estimate(s: &Scenario) -> u64 {
    let state = s.customers.saturating_mul(BYTES_PER_CUSTOMER);
    let record = std::mem::size_of::<FirmTally>() as u64;
    let records = (s.periods as u64)
        .saturating_mul(s.firms.len() as u64)
        .saturating_mul(record);
    state.saturating_add(records)
}

impl Simulation {
    /// Draws the initial population. The scenario must be validated.
    pub fn new(s: &Scenario) -> Simulation {
        let model = Model::new(s);
        let n = s.customers as usize;
        let bins = Bins::new(s.report.curve_bin_width);
        let n_chunks = n.div_ceil(CHUNK);
        let chunks = (0..n_chunks)
            .into_par_iter()
            .map(|ci| {
                let len = CHUNK.min(n - ci * CHUNK);
                init_chunk(s, &model, bins, ci, len)
            })
            .collect();
        Simulation {
            model,
            seed: s.seed,
            chunks,
            period: 0,
            bins,
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Runs one period and returns its record.
    pub fn step(&mut self) -> PeriodRecord {
        self.period += 1;
        let period = self.period;
        let (model, seed) = (&self.model, self.seed);
        self.chunks
            .par_iter_mut()
            .enumerate()
            .for_each(|(ci, chunk)| {
                let mut rng = seed::generator(seed, Purpose::Period, period as u64, ci as u64);
                step_chunk(chunk, model, &mut rng);
            });
        let tallies: Vec<&ChunkTally> = self.chunks.iter().map(|c| &c.tally).collect();
        let (firms, prospects) = tally::sum_period(&tallies, self.model.n_firms);
        PeriodRecord {
            period,
            prospects,
            firms,
        }
    }

    /// Runs `periods` periods and gathers the results.
    pub fn run(mut self, periods: u32) -> RunResults {
        let records = (0..periods).map(|_| self.step()).collect();
        self.finish(records)
    }

    /// The run-long results, given the period records collected so far.
    pub fn finish(self, periods: Vec<PeriodRecord>) -> RunResults {
        let tallies: Vec<&ChunkTally> = self.chunks.iter().map(|c| &c.tally).collect();
        let (curve, association) = tally::sum_run(&tallies, self.bins);
        let customers: u64 = self.chunks.iter().map(|c| c.firm.len() as u64).sum();
        RunResults {
            customer_steps: customers * periods.len() as u64,
            periods,
            bins: self.bins,
            curve,
            association,
        }
    }

    /// Customers at each firm and outside right now (firms first, outside last).
    pub fn census(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.model.n_firms + 1];
        for c in &self.chunks {
            for &f in &c.firm {
                let k = if f == NO_FIRM {
                    self.model.n_firms
                } else {
                    f as usize
                };
                counts[k] += 1;
            }
        }
        counts
    }
}

fn init_chunk(s: &Scenario, model: &Model, bins: Bins, ci: usize, len: usize) -> Chunk {
    let mut rng = seed::generator(s.seed, Purpose::Initial, 0, ci as u64);
    let seg_cum = cumulative(s.segments.iter().map(|g| g.share));
    let firm_cum = cumulative(s.firms.iter().map(|f| f.initial_share));
    let init = &s.initial_state;
    let mut chunk = Chunk {
        firm: Vec::with_capacity(len),
        segment: Vec::with_capacity(len),
        expectation: Vec::with_capacity(len),
        standard: Vec::with_capacity(len),
        tolerance: Vec::with_capacity(len),
        cs: Vec::with_capacity(len),
        tenure: Vec::with_capacity(len),
        cost_scale: Vec::with_capacity(len),
        tally: ChunkTally::new(model.n_firms, bins),
    };
    // Geometric tenure with the given mean: P(t) = p (1 − p)^t, p = 1 / (mean + 1).
    let log_keep = (1.0 - 1.0 / (init.tenure + 1.0)).ln();
    for _ in 0..len {
        // A fixed number of draws per customer, whatever the branch.
        let (u_seg, u_out, u_firm, u_tenure) = (
            uniform(&mut rng),
            uniform(&mut rng),
            uniform(&mut rng),
            uniform(&mut rng),
        );
        let z: [f64; 4] = std::array::from_fn(|_| rng.sample(StandardNormal));
        let sg = pick(&seg_cum, u_seg);
        let seg = &s.segments[sg];
        let firm = if u_out < init.outside {
            NO_FIRM
        } else {
            pick(&firm_cum, u_firm) as u8
        };
        let standard = seg.expectation + seg.expectation_sd * z[0];
        let tenure = if log_keep.is_finite() && log_keep < 0.0 {
            ((1.0 - u_tenure).ln() / log_keep)
                .floor()
                .min(u16::MAX as f64) as u16
        } else {
            0
        };
        // Log-normal factor with mean 1 and coefficient of variation `dispersion`.
        let cv = seg.switching_costs.dispersion;
        let sigma2 = (1.0 + cv * cv).ln();
        let cost_scale = (sigma2.sqrt() * z[3] - sigma2 / 2.0).exp();
        chunk.firm.push(firm);
        chunk.segment.push(sg as u8);
        chunk.standard.push(standard as f32);
        chunk.expectation.push(standard as f32);
        chunk
            .tolerance
            .push((seg.tolerance + seg.tolerance_sd * z[1]).max(0.0) as f32);
        chunk
            .cs
            .push((init.cs + init.cs_sd * z[2]).clamp(1.0, 5.0) as f32);
        chunk.tenure.push(tenure);
        chunk.cost_scale.push(cost_scale as f32);
    }
    chunk
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let w: Vec<f64> = weights.collect();
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    let mut out: Vec<f64> = w
        .iter()
        .map(|x| {
            acc += x / total;
            acc
        })
        .collect();
    *out.last_mut().expect("validated: not empty") = 1.0;
    out
}

fn pick(cumulative: &[f64], u: f64) -> usize {
    cumulative
        .iter()
        .position(|&c| u < c)
        .unwrap_or(cumulative.len() - 1)
}

/// The hot loop: every customer of the chunk, one period.
fn step_chunk(chunk: &mut Chunk, model: &Model, rng: &mut Generator) {
    chunk.tally.start_period();
    for i in 0..chunk.firm.len() {
        let draws = Draws {
            z: rng.sample(StandardNormal),
            u_failure: uniform(rng),
            u_decision: uniform(rng),
            u_choice: uniform(rng),
        };
        let f = chunk.firm[i];
        let mut c = Customer {
            firm: (f != NO_FIRM).then_some(f as usize),
            segment: chunk.segment[i] as usize,
            expectation: chunk.expectation[i] as f64,
            standard: chunk.standard[i] as f64,
            tolerance: chunk.tolerance[i] as f64,
            cs: chunk.cs[i] as f64,
            tenure: chunk.tenure[i] as u32,
            cost_scale: chunk.cost_scale[i] as f64,
        };
        match model.step(&mut c, &draws) {
            Outcome::Prospect { joined } => chunk.tally.record_prospect(joined),
            Outcome::Customer(d) => chunk.tally.record(&d),
        }
        chunk.firm[i] = c.firm.map_or(NO_FIRM, |k| k as u8);
        chunk.expectation[i] = c.expectation as f32;
        chunk.cs[i] = c.cs as f32;
        chunk.tenure[i] = c.tenure.min(u16::MAX as u32) as u16;
    }
}
