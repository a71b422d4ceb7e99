//! The counts the page's headline, `loyalsim literature`'s summary and its exit status
//! share, so that the three cannot say different things: claims about customers and
//! rows that hold by construction apart, by verdict. A stated departure is counted as
//! a departure, never as met.

use super::{Outcome, Row, Verdict};

/// Rows of one basis, by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub met: usize,
    pub not_met: usize,
    pub departs: usize,
    pub departure_met: usize,
}

impl Count {
    /// The verdicts of `rows`.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a Row>) -> Count {
        let mut c = Count::default();
        for r in rows {
            c.add(r.verdict());
        }
        c
    }

    fn add(&mut self, v: Verdict) {
        *match v {
            Verdict::Met => &mut self.met,
            Verdict::NotMet => &mut self.not_met,
            Verdict::Departs => &mut self.departs,
            Verdict::DepartureMet => &mut self.departure_met,
        } += 1;
    }

    pub fn rows(&self) -> usize {
        self.met + self.not_met + self.departs + self.departure_met
    }

    /// What goes after the met count: ", 2 departures stated, 1 not met", with
    /// `not_met` the words for a row that fails ("not met", "do not hold").
    pub(super) fn rest(&self, always_departures: bool, not_met: &str) -> String {
        let mut out = String::new();
        if always_departures || self.departs > 0 {
            let n = self.departs;
            out += &format!(", {n} departure{} stated", s(n));
        }
        if self.not_met > 0 {
            out += &format!(", {} {not_met}", self.not_met);
        }
        if self.departure_met > 0 {
            let n = self.departure_met;
            out += &format!(", {n} stated departure{} now met (update the note)", s(n));
        }
        out
    }
}

/// The plural's "s" for `n` things.
fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The counts the page's headline, the command's summary and its exit status share:
/// claims and construction rows apart, by verdict, and the checks that could not run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub claims: Count,
    pub construction: Count,
    /// Checks whose scenario could not be loaded or read.
    pub errors: usize,
}

impl Tally {
    pub fn of(outcomes: &[Outcome]) -> Tally {
        let rows = || {
            outcomes
                .iter()
                .filter_map(|o| o.rows.as_ref().ok())
                .flatten()
        };
        Tally {
            claims: Count::of(rows().filter(|r| r.is_claim())),
            construction: Count::of(rows().filter(|r| !r.is_claim())),
            errors: outcomes.iter().filter(|o| o.rows.is_err()).count(),
        }
    }

    /// Every row met or departing as stated, and every check ran.
    pub fn as_stated(&self) -> bool {
        self.errors == 0
            && [self.claims, self.construction]
                .iter()
                .all(|c| c.not_met == 0 && c.departure_met == 0)
    }

    /// "11 of 17 figures met, 6 departures stated" (", 1 not met" when one fails): the
    /// claims about customers only. Departures are never counted as met.
    pub fn claims_line(&self) -> String {
        let c = &self.claims;
        let mut out = format!("{} of {} figure{} met", c.met, c.rows(), s(c.rows()));
        out += &c.rest(true, "not met");
        if self.errors > 0 {
            let n = self.errors;
            out += &format!(", {n} check{} could not run", s(n));
        }
        out
    }

    /// "25 of 25 hold": the rows that hold by construction.
    pub fn construction_line(&self) -> String {
        let c = &self.construction;
        format!(
            "{} of {} hold{}",
            c.met,
            c.rows(),
            c.rest(false, "do not hold")
        )
    }
}
