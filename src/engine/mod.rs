//! The engine: a population in flat arrays, stepped in parallel chunks.
//!
//! Customers live in fixed-size chunks, each a struct of arrays (firm, segment,
//! expectation, …) with its own tallies. A period runs every chunk in parallel with
//! rayon; chunk `i` draws from a generator seeded by (seed, period, i), so a customer's
//! random numbers depend only on where it sits, never on threads. Tallies are added in
//! chunk order afterwards. The hot loop (`kernel`) allocates nothing and does no I/O.
//!
//! Word of mouth is double-buffered: during a period every customer reads what its
//! neighbours said in the previous period (`talk`, one byte per customer, read-only
//! while chunks run) and writes what it says now into its chunk; the chunks' words are
//! copied into `talk` after the period. Whether a neighbour's word reaches a listener is
//! decided by a counter-based hash of (seed, period, speaker, listener), so it depends
//! on nothing else. Surveys draw the same way, so they never disturb the customers'
//! random streams.

pub mod draw;
pub mod events;
mod kernel;
pub mod network;
pub mod seed;
pub mod tally;

use crate::model::Model;
use crate::scenario::{NetworkKind, Scenario};
use draw::Key;
use events::Timeline;
use network::{GraphKind, Network};
use rayon::prelude::*;
use tally::{
    Bins, ChunkTally, ComplaintTable, CurveBin, FirmTally, PeriodBin, SurveyPrediction, SurveyTally,
};

/// Customers per chunk: fixed, so results never depend on the machine.
pub const CHUNK: usize = 4096;

/// Bytes of state per customer (the arrays of a `Chunk` plus the shared word of mouth).
pub const BYTES_PER_CUSTOMER: u64 = 1 + 1 + 4 * 5 + 2 + 5 + 1 + 1;
/// Bytes more per customer when critical incidents are remembered apart.
pub const BYTES_PER_INCIDENT_MEMORY: u64 = 4;

/// Index of "no firm" in the firm array.
const NO_FIRM: u8 = u8::MAX;

/// Word of mouth in one byte: the firm talked about, and whether well or badly.
const TALK_POSITIVE: u8 = 0x40;
const TALK_NEGATIVE: u8 = 0x80;
const TALK_FIRM: u8 = 0x3F;

/// Labels of the hash streams.
const STREAM_WORD_OF_MOUTH: u64 = 3;
const STREAM_SURVEY: u64 = 4;

/// One chunk of customers, as parallel arrays.
struct Chunk {
    /// Index of the chunk's first customer in the population.
    start: usize,
    firm: Vec<u8>,
    segment: Vec<u8>,
    expectation: Vec<f32>,
    standard: Vec<f32>,
    tolerance: Vec<f32>,
    cs: Vec<f32>,
    tenure: Vec<u16>,
    cost_scale: Vec<f32>,
    episode: Vec<u8>,
    voice: Vec<u8>,
    /// The incident memory in CS points, only when the scenario remembers critical
    /// incidents apart (and `cs` then holds the routine memory); empty otherwise.
    incident: Vec<f32>,
    /// Last reported survey score (0: none being followed) and periods since.
    reported: Vec<u8>,
    reported_age: Vec<u8>,
    /// Still with the firm it had at the start of the run.
    cohort: Vec<bool>,
    /// What the customer said this period (see `TALK_*`).
    talk: Vec<u8>,
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
    /// Labels of the events that fired at the start of the period.
    pub events: Vec<String>,
    /// Whether each firm was in the market during the period.
    pub present: Vec<bool>,
    /// The survey per firm, in periods with a survey.
    pub survey: Option<Vec<SurveyTally>>,
    /// The period's retention curve per firm: its bins with observations.
    pub curve: Vec<PeriodBin>,
}

/// Everything a run produces; reports turn it into files.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResults {
    pub periods: Vec<PeriodRecord>,
    pub bins: Bins,
    pub curve: Vec<CurveBin>,
    pub association: tally::Association,
    /// Complaint episodes by group, indexed by [`Voice`](crate::model::Voice) as `u8`: (episodes, stayed).
    pub complaints: ComplaintTable,
    pub survey_prediction: SurveyPrediction,
    /// Customers of each firm at the start of the run (the cohort whose lifetime value
    /// is simulated).
    pub initial_customers: Vec<u64>,
    /// Customers times periods.
    pub customer_steps: u64,
    /// Undirected links of the word-of-mouth network.
    pub network_edges: u64,
}

/// A population and the model it follows.
pub struct Simulation {
    scenario: Scenario,
    model: Model,
    timeline: Timeline,
    seed: u64,
    /// The key of the customers' draws, from the seed.
    key: Key,
    /// The instruction set of the step's vector loops: the widest the processor has.
    isa: draw::Isa,
    chunks: Vec<Chunk>,
    network: Network,
    /// What every customer said in the previous period.
    talk: Vec<u8>,
    period: u32,
    bins: Bins,
    /// 1/(1 + i)^period, for the cohort's lifetime value.
    discount: f64,
    initial_customers: Vec<u64>,
    /// Run every phase of the step (tests compare it with the phases a chunk needs).
    every_phase: bool,
}

fn graph_kind(s: &Scenario) -> GraphKind {
    let w = &s.word_of_mouth;
    match w.network {
        NetworkKind::None => GraphKind::None,
        NetworkKind::SmallWorld => GraphKind::SmallWorld {
            degree: w.degree,
            rewiring: w.rewiring,
        },
        NetworkKind::Random => GraphKind::Random { degree: w.degree },
    }
}

/// Estimated memory of a run of this scenario, in bytes: customer state, the network,
/// each chunk's curves (the run's and the period's per firm), and the per-period
/// records kept for the report (the period's curve at most one bin per customer).
pub fn memory_estimate(s: &Scenario) -> u64 {
    let incidents = s
        .satisfaction
        .incident_memory
        .is_some_and(|m| m != s.satisfaction.memory);
    let per_customer = BYTES_PER_CUSTOMER
        + if incidents {
            BYTES_PER_INCIDENT_MEMORY
        } else {
            0
        };
    let state = s.customers.saturating_mul(per_customer);
    let network = Network::estimate_bytes(s.customers, graph_kind(s));
    let firms = s.firms.len() as u64;
    let bins = Bins::new(s.report.curve_bin_width).count as u64;
    let curves = s
        .customers
        .div_ceil(CHUNK as u64)
        .saturating_mul((firms + 1).saturating_mul(bins))
        .saturating_mul(std::mem::size_of::<CurveBin>() as u64);
    let record = (std::mem::size_of::<FirmTally>() + std::mem::size_of::<SurveyTally>()) as u64;
    let period_bins = firms
        .saturating_mul(bins)
        .min(s.customers)
        .saturating_mul(std::mem::size_of::<PeriodBin>() as u64);
    let records =
        (s.periods as u64).saturating_mul(firms.saturating_mul(record).saturating_add(period_bins));
    state
        .saturating_add(network)
        .saturating_add(curves)
        .saturating_add(records)
}

impl Simulation {
    /// Draws the initial population and builds the network. The scenario must be validated.
    pub fn new(s: &Scenario) -> Simulation {
        Simulation::build(s, draw::Isa::detect())
    }

    fn build(s: &Scenario, isa: draw::Isa) -> Simulation {
        let model = Model::new(s);
        let n = s.customers as usize;
        let bins = Bins::new(s.report.curve_bin_width);
        let n_chunks = n.div_ceil(CHUNK);
        let chunks: Vec<Chunk> = (0..n_chunks)
            .into_par_iter()
            .map(|ci| {
                let len = CHUNK.min(n - ci * CHUNK);
                init_chunk(s, &model, bins, isa, ci, len)
            })
            .collect();
        let network = Network::build(n, graph_kind(s), s.seed);
        let mut sim = Simulation {
            scenario: s.clone(),
            timeline: Timeline::new(s),
            model,
            seed: s.seed,
            key: Key::new(s.seed),
            isa,
            chunks,
            network,
            talk: vec![0; n],
            period: 0,
            bins,
            discount: 1.0,
            initial_customers: Vec::new(),
            every_phase: false,
        };
        sim.initial_customers = sim.census()[..s.firms.len()].to_vec();
        sim
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Runs every chunk with every phase of the step on (engine/kernel/), even where the
    /// scenario uses none of the rare features: the results are the same, bit for bit,
    /// only slower. For the tests that keep it so on generated scenarios
    /// (tests/properties.rs).
    pub fn with_every_phase(mut self) -> Simulation {
        self.every_phase = true;
        self
    }

    /// The same simulation, drawn afresh (initial population included) and run on the
    /// baseline instruction set, whatever the processor has: the same bytes, for the
    /// tests that keep them so. Before the first period only.
    pub fn with_baseline_instructions(self) -> Simulation {
        assert_eq!(self.period, 0, "with_baseline_instructions after a period");
        let every_phase = self.every_phase;
        Simulation {
            every_phase,
            ..Simulation::build(&self.scenario, draw::Isa::Baseline)
        }
    }

    /// Runs one period and returns its record.
    pub fn step(&mut self) -> PeriodRecord {
        self.period += 1;
        let period = self.period;
        let fired = self.timeline.fire(period, &mut self.scenario);
        if !fired.is_empty() {
            self.model = Model::with_presence(&self.scenario, self.timeline.present());
        }
        self.discount /= 1.0 + self.scenario.economics.discount_rate;
        let survey_now = {
            let every = self.scenario.survey.every;
            every > 0 && period.is_multiple_of(every)
        };
        let ctx = Context {
            model: &self.model,
            scenario: &self.scenario,
            network: &self.network,
            talk: &self.talk,
            key: self.key,
            isa: self.isa,
            period,
            wom_base: seed::derive(self.seed, &[STREAM_WORD_OF_MOUTH, period as u64]),
            survey_base: survey_now
                .then(|| seed::derive(self.seed, &[STREAM_SURVEY, period as u64])),
            discount: self.discount,
            every_phase: self.every_phase,
        };
        self.chunks
            .par_iter_mut()
            .for_each(|chunk| kernel::step_chunk(chunk, &ctx));
        // Publish this period's words for the next period, chunk by chunk (without a
        // network nobody talks, and every word stays silent).
        if self.network.edges() > 0 {
            self.talk
                .par_chunks_mut(CHUNK)
                .zip(self.chunks.par_iter())
                .for_each(|(dst, chunk)| dst.copy_from_slice(&chunk.talk));
        }
        let tallies: Vec<&ChunkTally> = self.chunks.iter().map(|c| &c.tally).collect();
        let tally::PeriodSums {
            mut firms,
            survey,
            prospects,
            curve,
        } = tally::sum_period(&tallies, self.model.n_firms, self.bins);
        for (j, f) in firms.iter_mut().enumerate() {
            f.acquisition_spend = f.acquisitions as f64 * self.model.acquisition_cost[j];
            f.retention_spend = f.customers as f64 * self.model.retention_spend[j];
        }
        PeriodRecord {
            period,
            prospects,
            firms,
            events: fired,
            present: self.model.present.clone(),
            survey: survey_now.then_some(survey),
            curve,
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
        let run = tally::sum_run(&tallies, self.bins);
        let customers: u64 = self.chunks.iter().map(|c| c.firm.len() as u64).sum();
        RunResults {
            customer_steps: customers * periods.len() as u64,
            periods,
            bins: self.bins,
            curve: run.curve,
            association: run.association,
            complaints: run.complaints,
            survey_prediction: run.prediction,
            initial_customers: self.initial_customers,
            network_edges: self.network.edges() as u64,
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

    /// The word-of-mouth network.
    pub fn network(&self) -> &Network {
        &self.network
    }
}

/// What every chunk reads during a period.
struct Context<'a> {
    model: &'a Model,
    scenario: &'a Scenario,
    network: &'a Network,
    talk: &'a [u8],
    /// The key of the customers' draws (engine/draw/).
    key: Key,
    /// The instruction set of the vector loops.
    isa: draw::Isa,
    period: u32,
    wom_base: u64,
    survey_base: Option<u64>,
    discount: f64,
    every_phase: bool,
}

fn init_chunk(
    s: &Scenario,
    model: &Model,
    bins: Bins,
    isa: draw::Isa,
    ci: usize,
    len: usize,
) -> Chunk {
    let key = Key::new(s.seed);
    let seg_cum = cumulative(s.segments.iter().map(|g| g.share));
    let firm_cum = cumulative(
        s.firms
            .iter()
            .zip(&model.present)
            .map(|(f, &here)| if here { f.initial_share } else { 0.0 }),
    );
    let init = &s.initial_state;
    let mut chunk = Chunk {
        start: ci * CHUNK,
        firm: Vec::with_capacity(len),
        segment: Vec::with_capacity(len),
        expectation: Vec::with_capacity(len),
        standard: Vec::with_capacity(len),
        tolerance: Vec::with_capacity(len),
        cs: Vec::with_capacity(len),
        tenure: Vec::with_capacity(len),
        cost_scale: Vec::with_capacity(len),
        episode: vec![0; len],
        voice: vec![0; len],
        incident: if model.incident_memory.is_some() {
            vec![0.0; len]
        } else {
            Vec::new()
        },
        reported: vec![0; len],
        reported_age: vec![0; len],
        cohort: Vec::with_capacity(len),
        talk: vec![0; len],
        tally: ChunkTally::new(model.n_firms, bins),
    };
    // Geometric tenure with the given mean: P(t) = p (1 − p)^t, p = 1 / (mean + 1).
    let log_keep = (1.0 - 1.0 / (init.tenure + 1.0)).ln();
    let mut draws = draw::Initial::new();
    for k in 0..len {
        // The customer's draws (engine/draw/): four uniforms and four normals, all
        // taken whatever the branch, in period 0, a block of customers at a time.
        let lane = k % draw::BLOCK;
        if lane == 0 {
            let first = (ci * CHUNK + k) as u64;
            draws.draw(isa, key, first, draw::BLOCK.min(len - k));
        }
        let [u_seg, u_out, u_firm, u_tenure] = std::array::from_fn(|i| draws.u[i][lane]);
        let z: [f64; 4] = std::array::from_fn(|i| draws.z[i][lane]);
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
        chunk.cohort.push(firm != NO_FIRM);
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
    // Rounding must not leave the last option with weight unreachable, nor give any
    // probability to the zero-weight options after it (firms that enter later).
    if let Some(last) = w.iter().rposition(|&x| x > 0.0) {
        for c in &mut out[last..] {
            *c = 1.0;
        }
    }
    out
}

fn pick(cumulative: &[f64], u: f64) -> usize {
    cumulative
        .iter()
        .position(|&c| u < c)
        .unwrap_or(cumulative.len() - 1)
}
