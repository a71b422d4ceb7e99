//! The checks of the market's dynamics: word of mouth, complaints, surveys, economics,
//! product lines and events, apart from the customer's own tables.

use super::{Checker, MAX_PERIODS, Res};
use crate::scenario::{Event, FIRM_FIELDS, NetworkKind, Scenario};
use std::collections::HashSet;

impl Scenario {
    pub(super) fn validate_dynamics(&self, c: &Checker) -> Res {
        let w = &self.word_of_mouth;
        if w.network != NetworkKind::None {
            c.check(
                w.degree >= 1 && w.degree <= 1000,
                "word_of_mouth.degree",
                w.degree,
                "a mean degree from 1 to 1000",
            )?;
            if w.network == NetworkKind::SmallWorld {
                c.check(
                    w.degree.is_multiple_of(2),
                    "word_of_mouth.degree",
                    w.degree,
                    "an even degree for the small world (degree/2 neighbours on each side)",
                )?;
            }
        }
        c.probability("word_of_mouth.rewiring", w.rewiring)?;
        c.probability("word_of_mouth.reach", w.reach)?;
        c.non_negative("word_of_mouth.negative_reach", w.negative_reach)?;
        c.non_negative("word_of_mouth.negative_weight", w.negative_weight)?;
        c.non_negative("word_of_mouth.satisfaction_weight", w.satisfaction_weight)?;
        c.non_negative("word_of_mouth.expectation_weight", w.expectation_weight)?;
        c.non_negative("word_of_mouth.appeal_weight", w.appeal_weight)?;

        let k = &self.complaints;
        c.probability("complaints.rate", k.rate)?;
        c.check(
            (1.0..=5.0).contains(&k.threshold) && k.threshold > 1.0,
            "complaints.threshold",
            k.threshold,
            "a satisfaction in (1, 5]",
        )?;
        c.probability("complaints.patience", k.patience)?;
        c.check(
            (1..=100).contains(&k.give_up),
            "complaints.give_up",
            k.give_up,
            "a whole number of periods from 1 to 100",
        )?;
        c.check(
            k.quick <= k.give_up,
            "complaints.quick",
            k.quick,
            &format!(
                "a whole number of periods from 0 (resolved in the period of the complaint) \
                 to complaints.give_up = {}",
                k.give_up
            ),
        )?;
        c.non_negative("complaints.resolved_lift", k.resolved_lift)?;
        c.non_negative("complaints.quick_lift", k.quick_lift)?;
        c.non_negative("complaints.unresolved_drop", k.unresolved_drop)?;
        c.check(
            k.horizon > k.give_up && k.horizon <= 250,
            "complaints.horizon",
            k.horizon,
            &format!(
                "more periods than complaints.give_up = {} (so every complaint is settled), at most 250",
                k.give_up
            ),
        )?;

        let s = &self.survey;
        c.check(
            s.every <= self.periods,
            "survey.every",
            s.every,
            &format!(
                "0 (no survey) or a number of periods up to periods = {}",
                self.periods
            ),
        )?;
        c.probability("survey.sample", s.sample)?;
        c.probability("survey.response_rate", s.response_rate)?;
        c.finite("survey.response_slope", s.response_slope)?;
        c.non_negative("survey.noise", s.noise)?;
        c.check(
            (1..=250).contains(&s.horizon),
            "survey.horizon",
            s.horizon,
            "a whole number of periods from 1 to 250",
        )?;

        let e = &self.economics;
        c.check(
            e.discount_rate.is_finite() && e.discount_rate > -1.0,
            "economics.discount_rate",
            e.discount_rate,
            "a rate per period above -1",
        )?;
        c.positive("product_lines.softness", self.product_lines.softness)?;

        let firm_index = |name: &str| self.firms.iter().position(|f| f.name == name);
        let firm_names = || {
            let n: Vec<&str> = self.firms.iter().map(|f| f.name.as_str()).collect();
            format!("the name of a firm: {}", n.join(", "))
        };
        let mut entering = HashSet::new();
        for (i, ev) in self.events.iter().enumerate() {
            let p = |f: &str| format!("events[{i}].{f}");
            c.check(
                (1..=self.periods).contains(&ev.period()),
                &p("period"),
                ev.period(),
                &format!("a period from 1 to periods = {}", self.periods),
            )?;
            let check_firm = |f: &str| {
                c.check(
                    firm_index(f).is_some(),
                    &p("firm"),
                    format!("{f:?}"),
                    &firm_names(),
                )
            };
            match ev {
                Event::Enter { firm, .. } => {
                    check_firm(firm)?;
                    c.check(
                        entering.insert(firm.clone()),
                        &p("firm"),
                        format!("{firm:?}"),
                        "a firm that enters only once",
                    )?;
                }
                Event::Exit { firm, .. } => check_firm(firm)?,
                Event::SwitchingCost { value, segment, .. } => {
                    c.non_negative(&p("value"), *value)?;
                    if let Some(seg) = segment {
                        let names: Vec<&str> =
                            self.segments.iter().map(|s| s.name.as_str()).collect();
                        c.check(
                            names.contains(&seg.as_str()),
                            &p("segment"),
                            format!("{seg:?}"),
                            &format!("the name of a segment: {}", names.join(", ")),
                        )?;
                    }
                }
                Event::Firm {
                    firm, field, value, ..
                } => {
                    check_firm(firm)?;
                    c.check(
                        FIRM_FIELDS.contains(&field.as_str()),
                        &p("field"),
                        format!("{field:?}"),
                        &format!("one of {}", FIRM_FIELDS.join(", ")),
                    )?;
                    c.finite(&p("value"), *value)?;
                    if matches!(field.as_str(), "failure_rate" | "resolution_rate") {
                        c.probability(&p("value"), *value)?;
                    }
                    if matches!(
                        field.as_str(),
                        "inconsistency"
                            | "failure_severity"
                            | "margin_growth"
                            | "acquisition_cost"
                            | "retention_spend"
                    ) {
                        c.non_negative(&p("value"), *value)?;
                    }
                }
                Event::FailureWave {
                    firm,
                    failure_rate,
                    duration,
                    ..
                } => {
                    if let Some(f) = firm {
                        check_firm(f)?;
                    }
                    c.probability(&p("failure_rate"), *failure_rate)?;
                    c.check(
                        (1..=MAX_PERIODS).contains(duration),
                        &p("duration"),
                        duration,
                        &format!("a whole number of periods from 1 to {MAX_PERIODS}"),
                    )?;
                }
                Event::ComplaintPolicy {
                    firm,
                    resolution_rate,
                    ..
                } => {
                    check_firm(firm)?;
                    c.probability(&p("resolution_rate"), *resolution_rate)?;
                }
            }
        }
        // A firm that enters is absent until then, so it cannot hold initial customers
        // and someone must be in the market at the start.
        let present_share: f64 = self
            .firms
            .iter()
            .filter(|f| !entering.contains(&f.name))
            .map(|f| f.initial_share)
            .sum();
        c.check(
            present_share > 0.0,
            "firms[*].initial_share",
            present_share,
            "at least one firm present at the start (not entering later) with an initial share > 0",
        )?;
        Ok(())
    }
}
