//! Range and consistency checks, each failure naming the field path, the value and
//! what is allowed. Types were already checked by deserialisation.

mod dynamics;
mod loyalty;

use super::{Scenario, ScenarioError};
use std::collections::HashSet;

/// Most product lines a firm may have (the engine keeps their draws on the stack).
pub const MAX_LINES: usize = 16;

/// Most firms or segments a scenario may have (firm indices are one byte in the engine,
/// and choice tables grow with the square of the firm count).
pub const MAX_FIRMS: usize = 64;
pub const MAX_SEGMENTS: usize = 64;
/// Customers are indexed by `u32` in the engine.
pub const MAX_CUSTOMERS: u64 = u32::MAX as u64;
pub const MAX_PERIODS: u32 = 1_000_000;
/// Largest magnitude of a number a scenario gives (prices, margins, values, costs,
/// event values): far beyond any market, and small enough that no sum the run keeps
/// (margins over up to 4·10⁹ customers and 10⁶ periods) can overflow to infinity.
pub const MAX_MAGNITUDE: f64 = 1e12;
/// Longest name of a scenario, segment, firm or product line, in characters: names are
/// folder names, CSV cells, legend entries and chart labels.
pub const MAX_NAME_CHARS: usize = 100;

struct Checker<'a> {
    source: &'a str,
}

impl Checker<'_> {
    fn fail(&self, path: &str, value: impl ToString, expected: &str) -> ScenarioError {
        ScenarioError::Invalid {
            source_name: self.source.to_string(),
            path: path.to_string(),
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }

    fn check(&self, ok: bool, path: &str, value: impl ToString, expected: &str) -> Res {
        if ok {
            Ok(())
        } else {
            Err(self.fail(path, value, expected))
        }
    }

    fn non_negative(&self, path: &str, v: f64) -> Res {
        self.check(
            v.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&v),
            path,
            v,
            "a number from 0 to 1e12",
        )
    }

    fn finite(&self, path: &str, v: f64) -> Res {
        self.check(
            v.is_finite() && v.abs() <= MAX_MAGNITUDE,
            path,
            v,
            "a number from -1e12 to 1e12",
        )
    }

    fn positive(&self, path: &str, v: f64) -> Res {
        self.check(
            v.is_finite() && v > 0.0 && v <= MAX_MAGNITUDE,
            path,
            v,
            "a number above 0, at most 1e12",
        )
    }

    fn probability(&self, path: &str, v: f64) -> Res {
        self.check((0.0..=1.0).contains(&v), path, v, "a probability in [0, 1]")
    }

    fn on_scale(&self, path: &str, v: f64) -> Res {
        self.check(
            (1.0..=5.0).contains(&v),
            path,
            v,
            "a satisfaction in [1, 5]",
        )
    }

    fn unique_names<'n>(&self, list: &str, names: impl Iterator<Item = &'n str>) -> Res {
        let mut seen = HashSet::new();
        for (i, name) in names.enumerate() {
            let path = format!("{list}[{i}].name");
            self.check(!name.trim().is_empty(), &path, "\"\"", "a non-empty name")?;
            self.check(
                name.chars().count() <= MAX_NAME_CHARS,
                &path,
                format!("{name:?}"),
                &format!("a name of at most {MAX_NAME_CHARS} characters"),
            )?;
            self.check(
                seen.insert(name),
                &path,
                format!("{name:?}"),
                "a name not used by another entry",
            )?;
        }
        Ok(())
    }
}

type Res = Result<(), ScenarioError>;

fn fmt_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", items.join(", "))
}

impl Scenario {
    /// Checks every value; the first problem found is returned.
    pub fn validate(&self, source: &str) -> Result<(), ScenarioError> {
        let c = Checker { source };
        c.check(
            valid_name(&self.name),
            "name",
            format!("{:?}", self.name),
            &format!(
                "a non-empty name of at most {MAX_NAME_CHARS} characters, without `/`, `\\` \
                 or a leading `.` (it names the output folder)"
            ),
        )?;
        c.check(
            (1..=MAX_PERIODS).contains(&self.periods),
            "periods",
            self.periods,
            &format!("a whole number from 1 to {MAX_PERIODS}"),
        )?;
        c.check(
            (1..=MAX_CUSTOMERS).contains(&self.customers),
            "customers",
            self.customers,
            &format!("a whole number from 1 to {MAX_CUSTOMERS}"),
        )?;

        c.check(
            (1..=MAX_SEGMENTS).contains(&self.segments.len()),
            "segments",
            format!("{} segments", self.segments.len()),
            &format!("from 1 to {MAX_SEGMENTS} segments"),
        )?;
        c.unique_names("segments", self.segments.iter().map(|s| s.name.as_str()))?;
        for (i, s) in self.segments.iter().enumerate() {
            let p = |f: &str| format!("segments[{i}].{f}");
            c.positive(&p("share"), s.share)?;
            for (name, w) in ["product", "service", "personnel", "image"]
                .iter()
                .zip(s.value_weights.as_array())
            {
                c.non_negative(&p(&format!("value_weights.{name}")), w)?;
            }
            for (name, w) in ["money", "time", "energy", "psychic"]
                .iter()
                .zip(s.cost_weights.as_array())
            {
                c.non_negative(&p(&format!("cost_weights.{name}")), w)?;
            }
            c.finite(&p("expectation"), s.expectation)?;
            c.non_negative(&p("expectation_sd"), s.expectation_sd)?;
            c.non_negative(&p("tolerance"), s.tolerance)?;
            c.non_negative(&p("tolerance_sd"), s.tolerance_sd)?;
            let sc = &s.switching_costs;
            c.non_negative(&p("switching_costs.procedural"), sc.procedural)?;
            c.non_negative(&p("switching_costs.financial"), sc.financial)?;
            c.non_negative(&p("switching_costs.relational"), sc.relational)?;
            c.non_negative(&p("switching_costs.dispersion"), sc.dispersion)?;
        }

        c.check(
            (1..=MAX_FIRMS).contains(&self.firms.len()),
            "firms",
            format!("{} firms", self.firms.len()),
            &format!("from 1 to {MAX_FIRMS} firms"),
        )?;
        c.unique_names("firms", self.firms.iter().map(|f| f.name.as_str()))?;
        for (i, f) in self.firms.iter().enumerate() {
            let p = |x: &str| format!("firms[{i}].{x}");
            for (name, v) in ["product", "service", "personnel", "image"]
                .iter()
                .zip(f.value.as_array())
            {
                c.finite(&p(&format!("value.{name}")), v)?;
            }
            c.finite(&p("price"), f.price)?;
            c.finite(&p("costs.time"), f.costs.time)?;
            c.finite(&p("costs.energy"), f.costs.energy)?;
            c.finite(&p("costs.psychic"), f.costs.psychic)?;
            c.non_negative(&p("inconsistency"), f.inconsistency)?;
            c.probability(&p("failure_rate"), f.failure_rate)?;
            c.non_negative(&p("failure_severity"), f.failure_severity)?;
            c.non_negative(&p("initial_share"), f.initial_share)?;
            c.finite(&p("margin"), f.margin)?;
            c.non_negative(&p("margin_growth"), f.margin_growth)?;
            c.non_negative(&p("acquisition_cost"), f.acquisition_cost)?;
            c.non_negative(&p("retention_spend"), f.retention_spend)?;
            c.probability(&p("resolution_rate"), f.resolution_rate)?;
            c.unique_names(
                &format!("firms[{i}].lines"),
                f.lines.iter().map(|l| l.name.as_str()),
            )?;
            c.check(
                f.lines.len() <= MAX_LINES,
                &p("lines"),
                format!("{} lines", f.lines.len()),
                &format!("at most {} product lines", MAX_LINES),
            )?;
            for (k, line) in f.lines.iter().enumerate() {
                c.finite(&p(&format!("lines[{k}].offset")), line.offset)?;
                if let Some(rate) = line.failure_rate {
                    c.probability(&p(&format!("lines[{k}].failure_rate")), rate)?;
                }
            }
        }
        let total_share: f64 = self.firms.iter().map(|f| f.initial_share).sum();
        c.check(
            total_share > 0.0,
            "firms[*].initial_share",
            total_share,
            "at least one firm with an initial share > 0",
        )?;

        let s = &self.satisfaction;
        c.non_negative("satisfaction.tolerance_slope", s.tolerance_slope)?;
        c.non_negative("satisfaction.gain_slope", s.gain_slope)?;
        c.non_negative("satisfaction.loss_slope", s.loss_slope)?;
        c.check(
            s.saturation > 0.0 && s.saturation.is_finite(),
            "satisfaction.saturation",
            s.saturation,
            "a score > 0 (the scale of the smooth bound tanh(score / saturation))",
        )?;
        c.check(
            (0.0..1.0).contains(&s.memory),
            "satisfaction.memory",
            s.memory,
            "a weight in [0, 1) (1 would freeze satisfaction forever)",
        )?;
        if let Some(m) = s.incident_memory {
            c.check(
                (0.0..1.0).contains(&m),
                "satisfaction.incident_memory",
                m,
                "a weight in [0, 1) (1 would keep an incident forever)",
            )?;
        }
        c.probability("satisfaction.adaptation", s.adaptation)?;
        c.probability("satisfaction.anchor", s.anchor)?;
        c.probability("satisfaction.market_pull", s.market_pull)?;
        let pulls = s.adaptation + s.anchor + s.market_pull;
        c.check(
            pulls <= 1.0,
            "satisfaction.adaptation + anchor + market_pull",
            pulls,
            "a sum <= 1 (expectations would overshoot)",
        )?;
        c.on_scale("satisfaction.new_customer_cs", s.new_customer_cs)?;

        self.validate_loyalty(&c)?;

        let k = &self.constraint;
        c.check(
            k.r.value() >= 0.0,
            "constraint.r",
            k.r,
            "a number >= 0, inf, or one of none, low, medium, strong, infinite",
        )?;
        c.positive("constraint.kappa", k.kappa)?;
        c.check(
            k.monopoly.value() >= 0.0,
            "constraint.monopoly",
            k.monopoly,
            "a number >= 0, inf, or one of none, low, medium, strong, infinite",
        )?;
        c.non_negative("constraint.convenience", k.convenience)?;
        c.non_negative("constraint.inertia", k.inertia)?;
        c.positive("constraint.relational_growth", k.relational_growth)?;

        c.non_negative("choice.beta", self.choice.beta)?;
        c.finite("choice.outside_value", self.choice.outside_value)?;
        c.probability("choice.prospect_rate", self.choice.prospect_rate)?;

        let init = &self.initial_state;
        c.probability("initial_state.outside", init.outside)?;
        c.on_scale("initial_state.cs", init.cs)?;
        c.non_negative("initial_state.cs_sd", init.cs_sd)?;
        c.non_negative("initial_state.tenure", init.tenure)?;

        let t = &self.types;
        c.on_scale("types.terrorist", t.terrorist)?;
        c.on_scale("types.satisfied", t.satisfied)?;
        c.on_scale("types.apostle", t.apostle)?;
        c.check(
            t.terrorist < t.satisfied,
            "types.terrorist",
            t.terrorist,
            &format!("a value below types.satisfied = {}", t.satisfied),
        )?;
        c.check(
            t.satisfied <= t.apostle,
            "types.apostle",
            t.apostle,
            &format!("a value at or above types.satisfied = {}", t.satisfied),
        )?;

        self.validate_dynamics(&c)?;

        let w = self.report.curve_bin_width;
        c.check(
            (0.01..=4.0).contains(&w),
            "report.curve_bin_width",
            w,
            "a width in [0.01, 4] on the CS scale",
        )?;
        Ok(())
    }
}

fn valid_name(name: &str) -> bool {
    !name.trim().is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && name.chars().count() <= MAX_NAME_CHARS
}

#[cfg(test)]
mod tests;
