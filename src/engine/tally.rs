//! What the engine counts while it simulates, declared once and added up in a fixed order.
//!
//! Each chunk of customers keeps its own tallies; after a period the engine adds the
//! chunks' tallies in chunk order, never in completion order, so sums of floats come out
//! the same for any thread count.

use crate::model::CustomerType;

/// How a tally's field adds another's: counts and sums add, arrays and pairs element by
/// element, nested tallies field by field. Floats add in the order the caller adds
/// tallies (chunk order), so the sums do not depend on the thread count.
pub trait Adds {
    fn add_from(&mut self, other: &Self);
}

impl Adds for u64 {
    #[inline]
    fn add_from(&mut self, other: &u64) {
        *self += *other;
    }
}

impl Adds for f64 {
    #[inline]
    fn add_from(&mut self, other: &f64) {
        *self += *other;
    }
}

impl<T: Adds, const N: usize> Adds for [T; N] {
    #[inline]
    fn add_from(&mut self, other: &[T; N]) {
        for (a, b) in self.iter_mut().zip(other) {
            a.add_from(b);
        }
    }
}

impl<A: Adds, B: Adds> Adds for (A, B) {
    #[inline]
    fn add_from(&mut self, other: &(A, B)) {
        self.0.add_from(&other.0);
        self.1.add_from(&other.1);
    }
}

/// Declares a tally: a struct of counts and sums whose `add` (and [`Adds`]) is made from
/// its field list, so a field added to a tally is added up without another line; a
/// cleared tally is its `Default`.
macro_rules! tally {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $name {
            /// Adds `other`'s counts and sums, field by field.
            #[inline]
            pub fn add(&mut self, other: &$name) {
                $( Adds::add_from(&mut self.$field, &other.$field); )*
            }
        }

        impl Adds for $name {
            #[inline]
            fn add_from(&mut self, other: &$name) {
                self.add(other);
            }
        }
    };
}

tally! {
/// One firm's counts and sums over one period (or, added up, over many).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmTally {
    /// Customers at the start of the period, who each made a decision.
    pub customers: u64,
    /// Customers who joined during the period (prospects and switchers).
    pub acquisitions: u64,
    /// Customers who left during the period.
    pub defections: u64,
    /// Of those, the ones who went outside the market rather than to another firm.
    pub to_outside: u64,
    /// Customers who intended to leave (left or were held as hostages).
    pub intenders: u64,
    /// Customers of each type, in [`CustomerType::ALL`] order.
    pub types: [u64; 6],
    pub sum_cs: f64,
    pub sum_expectation: f64,
    /// Sum of pass-through probabilities P(defect)/(1 − f), and how many there are.
    pub sum_pass: f64,
    pub n_pass: u64,
    /// Revenue: the price paid by every customer who stayed.
    pub revenue: f64,
    /// Margin earned from the customers who stayed.
    pub margin: f64,
    /// Acquisition cost times acquisitions (filled in when the period is summed).
    pub acquisition_spend: f64,
    /// Retention spend times customers (filled in when the period is summed).
    pub retention_spend: f64,
    /// Word-of-mouth messages about the firm heard this period, positive and negative.
    pub wom_positive: u64,
    pub wom_negative: u64,
    /// Complaints made, and complaints settled by outcome.
    pub complaints: u64,
    pub resolved: u64,
    pub resolved_quickly: u64,
    pub unresolved: u64,
    /// Discounted margin earned from the firm's initial customers (its period-0 cohort).
    pub cohort_value: f64,
    pub cohort_decisions: u64,
    pub cohort_stays: u64,
}
}

impl FirmTally {
    /// Profit: margin less acquisition and retention spend.
    pub fn profit(&self) -> f64 {
        self.margin - self.acquisition_spend - self.retention_spend
    }

    pub fn count(&self, t: CustomerType) -> u64 {
        self.types[t as usize]
    }

    /// Share of customers who stayed; `None` without customers.
    pub fn retention(&self) -> Option<f64> {
        (self.customers > 0).then(|| 1.0 - self.defections as f64 / self.customers as f64)
    }

    pub fn mean_cs(&self) -> Option<f64> {
        (self.customers > 0).then(|| self.sum_cs / self.customers as f64)
    }

    pub fn mean_expectation(&self) -> Option<f64> {
        (self.customers > 0).then(|| self.sum_expectation / self.customers as f64)
    }

    /// The R that the mean pass-through implies: `−ln(mean q)`; infinite when no
    /// intending customer could leave; `None` when nobody could intend to.
    pub fn mean_r_eff(&self) -> Option<f64> {
        (self.n_pass > 0)
            .then(|| crate::model::constraint::effective_r(self.sum_pass / self.n_pass as f64))
    }
}

tally! {
/// The empirical retention curve: one bin of CS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CurveBin {
    pub observations: u64,
    pub stayed: u64,
    pub sum_cs: f64,
    pub sum_f: f64,
    /// Sum of 1 − P(defect): the retention the model expects for these observations.
    pub sum_cl: f64,
    pub sum_pass: f64,
    pub n_pass: u64,
}
}

/// One firm's decisions in one CS bin over one period: a row of `curve_by_period.csv`.
/// Only bins with observations are kept, so a run's records grow with the bins its
/// customers occupy, not with every bin of every firm.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PeriodBin {
    /// The firm, in scenario order, and the bin, as [`Bins::index`] numbers them.
    pub firm: u32,
    pub bin: u32,
    pub observations: u64,
    pub stayed: u64,
    pub sum_cs: f64,
    /// Sum of 1 − P(defect), as in [`CurveBin::sum_cl`].
    pub sum_cl: f64,
}

/// The layout of the CS bins: centred on multiples of `width` from 1 to 5, the end bins
/// half as wide, so that "CS near 3" means `[3 − w/2, 3 + w/2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bins {
    pub width: f64,
    pub count: usize,
    /// 1 / width, so that finding a bin multiplies rather than divides.
    per_width: f64,
}

impl Bins {
    pub fn new(width: f64) -> Bins {
        // Centres 1, 1 + w, ... up to 5; when w does not divide 4 the last bin stretches
        // to 5.
        let steps = (4.0 / width + 1e-9).floor() as usize;
        Bins {
            width,
            count: steps + 1,
            per_width: 1.0 / width,
        }
    }

    #[inline]
    pub fn index(&self, cs: f64) -> usize {
        // Truncation is floor here (the value is >= 0 for CS >= 1), and it avoids a libm
        // call on CPUs without SSE4.1 rounding. Through i64, which x86-64 converts in one
        // instruction (u64 takes a dozen); CS is at most 5, far from either limit.
        let i = ((cs - 1.0) * self.per_width + 0.5).max(0.0) as i64 as usize;
        i.min(self.count - 1)
    }

    /// `(low, centre, high)` of bin `i`.
    pub fn bounds(&self, i: usize) -> (f64, f64, f64) {
        let centre = (1.0 + i as f64 * self.width).min(5.0);
        let low = (centre - self.width / 2.0).max(1.0);
        let high = if i + 1 == self.count {
            5.0
        } else {
            (centre + self.width / 2.0).min(5.0)
        };
        (low, centre, high)
    }
}

tally! {
/// Sums for the correlation of CS with staying (point-biserial), over every decision.
///
/// A chunk records only the sums of x (`record_x`); its `n` and `sum_y` are the counts of
/// its retention curve (the same decisions), filled in when the run is summed. Both are
/// whole numbers, which f64 adds exactly, so they equal a running sum of 1s.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Association {
    pub n: f64,
    pub sum_x: f64,
    pub sum_xx: f64,
    pub sum_y: f64,
    pub sum_xy: f64,
}
}

impl Association {
    #[inline]
    pub fn record(&mut self, x: f64, y: bool) {
        let y = y as u8 as f64;
        self.n += 1.0;
        self.sum_x += x;
        self.sum_xx += x * x;
        self.sum_y += y;
        self.sum_xy += x * y;
    }

    /// The sums of x for a decision with CS `x` and outcome `y`, leaving `n` and `sum_y`
    /// to be counted elsewhere.
    #[inline(always)]
    pub fn record_x(&mut self, x: f64, y: bool) {
        let y = y as u8 as f64;
        self.sum_x += x;
        self.sum_xx += x * x;
        self.sum_xy += x * y;
    }

    /// Pearson correlation of x and y; `None` when either does not vary.
    pub fn correlation(&self) -> Option<f64> {
        let n = self.n;
        let cov = self.sum_xy / n - (self.sum_x / n) * (self.sum_y / n);
        let vx = self.sum_xx / n - (self.sum_x / n).powi(2);
        let vy = self.sum_y / n - (self.sum_y / n).powi(2);
        (n > 1.0 && vx > 1e-12 && vy > 1e-12).then(|| cov / (vx * vy).sqrt())
    }
}

tally! {
/// One firm's survey in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SurveyTally {
    /// Customers asked.
    pub sampled: u64,
    /// Customers who answered.
    pub respondents: u64,
    pub sum_score: u64,
    /// Respondents who answered 4 or 5.
    pub top_two: u64,
}
}

tally! {
/// What surveys predicted: reported scores against staying over the survey horizon.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SurveyPrediction {
    /// Reported score (x) against staying through the horizon (y).
    pub association: Association,
    /// Respondents who left within the horizon, and of those the ones who had
    /// reported 4 or 5.
    pub later_defectors: u64,
    pub later_defectors_satisfied: u64,
}
}

impl SurveyPrediction {
    #[inline]
    pub fn record(&mut self, score: u8, stayed: bool) {
        self.association.record(score as f64, stayed);
        if !stayed {
            self.later_defectors += 1;
            self.later_defectors_satisfied += (score >= 4) as u64;
        }
    }
}

/// Complaint episodes by group (indexed by [`Voice`](crate::model::Voice) as `u8`): (episodes, stayed).
pub type ComplaintTable = [(u64, u64); 5];

/// Everything one chunk counts: this period's firm and survey tallies and retention
/// curve per firm, and the whole run's curve, association, complaint table and survey
/// prediction.
///
/// Decisions are recorded into the period's curve of their firm (`period_curve`), and
/// [`ChunkTally::end_period`] adds it into the run's (`curve`): the loops record each
/// decision once, whether or not anybody reads the curve by period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkTally {
    pub firms: Vec<FirmTally>,
    pub survey: Vec<SurveyTally>,
    pub prospects: u64,
    /// This period's bins, firm after firm: bin `i` of firm `j` at `j * bins.count + i`.
    pub period_curve: Vec<CurveBin>,
    pub curve: Vec<CurveBin>,
    pub association: Association,
    pub complaints: ComplaintTable,
    pub prediction: SurveyPrediction,
    bins: Bins,
}

impl ChunkTally {
    pub fn new(n_firms: usize, bins: Bins) -> Self {
        ChunkTally {
            firms: vec![FirmTally::default(); n_firms],
            survey: vec![SurveyTally::default(); n_firms],
            prospects: 0,
            period_curve: vec![CurveBin::default(); n_firms * bins.count],
            curve: vec![CurveBin::default(); bins.count],
            association: Association::default(),
            complaints: [(0, 0); 5],
            prediction: SurveyPrediction::default(),
            bins,
        }
    }

    /// The layout of the retention curve's bins.
    pub fn bins(&self) -> Bins {
        self.bins
    }

    /// Clears the per-period counts, keeping the run-long ones.
    pub fn start_period(&mut self) {
        for f in &mut self.firms {
            *f = FirmTally::default();
        }
        for s in &mut self.survey {
            *s = SurveyTally::default();
        }
        self.period_curve.fill(CurveBin::default());
        self.prospects = 0;
    }

    /// Adds the period's curve into the run's, bin by bin, firms in order.
    pub fn end_period(&mut self) {
        let count = self.bins.count;
        for firm in self.period_curve.chunks_exact(count) {
            for (run, period) in self.curve.iter_mut().zip(firm) {
                run.add(period);
            }
        }
    }
}

/// The chunks' period tallies, added in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodSums {
    pub firms: Vec<FirmTally>,
    pub survey: Vec<SurveyTally>,
    pub prospects: u64,
    /// The period's curve per firm, only the bins with observations, firm after firm.
    pub curve: Vec<PeriodBin>,
}

/// The chunks' period tallies added in chunk order: firms, surveys, prospects, curve.
pub fn sum_period(chunks: &[&ChunkTally], n_firms: usize, bins: Bins) -> PeriodSums {
    let mut firms = vec![FirmTally::default(); n_firms];
    let mut survey = vec![SurveyTally::default(); n_firms];
    let mut bins_of = vec![PeriodBin::default(); n_firms * bins.count];
    let mut prospects = 0;
    for c in chunks {
        for (a, b) in firms.iter_mut().zip(&c.firms) {
            a.add(b);
        }
        for (a, b) in survey.iter_mut().zip(&c.survey) {
            a.add(b);
        }
        for (a, b) in bins_of.iter_mut().zip(&c.period_curve) {
            a.observations += b.observations;
            a.stayed += b.stayed;
            a.sum_cs += b.sum_cs;
            a.sum_cl += b.sum_cl;
        }
        prospects += c.prospects;
    }
    let curve = bins_of
        .into_iter()
        .enumerate()
        .filter(|(_, b)| b.observations > 0)
        .map(|(i, b)| PeriodBin {
            firm: (i / bins.count) as u32,
            bin: (i % bins.count) as u32,
            ..b
        })
        .collect();
    PeriodSums {
        firms,
        survey,
        prospects,
        curve,
    }
}

/// The chunks' run-long tallies, added in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTally {
    pub curve: Vec<CurveBin>,
    pub association: Association,
    pub complaints: ComplaintTable,
    pub prediction: SurveyPrediction,
}

pub fn sum_run(chunks: &[&ChunkTally], bins: Bins) -> RunTally {
    let mut t = RunTally {
        curve: vec![CurveBin::default(); bins.count],
        association: Association::default(),
        complaints: [(0, 0); 5],
        prediction: SurveyPrediction::default(),
    };
    for c in chunks {
        for (a, b) in t.curve.iter_mut().zip(&c.curve) {
            a.add(b);
        }
        let counted = Association {
            n: c.curve.iter().map(|b| b.observations).sum::<u64>() as f64,
            sum_y: c.curve.iter().map(|b| b.stayed).sum::<u64>() as f64,
            ..c.association
        };
        t.association.add(&counted);
        t.complaints.add_from(&c.complaints);
        t.prediction.add(&c.prediction);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_centred_on_multiples_of_the_width() {
        let b = Bins::new(0.25);
        assert_eq!(b.count, 17);
        assert_eq!(b.index(1.0), 0);
        assert_eq!(b.index(1.12), 0);
        assert_eq!(b.index(1.13), 1);
        assert_eq!(b.index(3.0), 8);
        assert_eq!(b.index(5.0), 16);
        assert_eq!(b.bounds(0), (1.0, 1.0, 1.125));
        assert_eq!(b.bounds(8), (2.875, 3.0, 3.125));
        assert_eq!(b.bounds(16), (4.875, 5.0, 5.0));
        let odd = Bins::new(0.3);
        assert_eq!(odd.index(5.0), odd.count - 1);
        assert_eq!(odd.bounds(odd.count - 1).2, 5.0);
    }

    #[test]
    fn correlation_of_perfectly_split_data_is_high() {
        let mut a = Association::default();
        for i in 0..100 {
            let x = i as f64 / 10.0;
            a.record(x, x > 5.0);
        }
        assert!(a.correlation().unwrap() > 0.8);
        assert_eq!(Association::default().correlation(), None);
    }
}
