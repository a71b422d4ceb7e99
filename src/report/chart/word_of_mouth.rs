//! `word_of_mouth`: the words heard about each firm per period, positive (from its
//! apostles) above and negative (from its terrorists) below, drawn for runs with a
//! word-of-mouth network (`word_of_mouth.network` not `"none"`).
//!
//! What word of mouth does to a market is in who hears what: `word_of_mouth.toml`'s
//! inconsistent firm makes terrorists, who speak further and weigh more, and it loses
//! share to the steady one. The counts are `wom_positive` and `wom_negative` of
//! `timeseries.csv`: messages that reached a listener, whoever listened. Both panels
//! share one axis from zero, since these are counts (a message is a message in either
//! panel, and their sizes compare at a glance); the firms keep their colours of the
//! `timeseries` chart, and events are marked as there.

use super::Chart;
use super::layout::{self, Axis, Frame, nice_step, number};
use super::results::RunFolder;
use super::selection::Resolved;
use super::style::Style;
use super::timeseries::{Panel, Series, draw_over_time, events_of, firm_colours, rows_of, x_range};
use crate::scenario::NetworkKind;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One firm's words heard per period.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmWords {
    pub firm: String,
    pub colour: RGBColor,
    /// Positive and negative messages about the firm heard, per period.
    pub positive: Series,
    pub negative: Series,
}

/// Words heard about each firm over time.
#[derive(Debug, Clone, PartialEq)]
pub struct WordOfMouth {
    pub frame: Frame,
    pub firms: Vec<FirmWords>,
    /// `(period, what happened)`, marked as on the timeseries chart.
    pub events: Vec<(u32, String)>,
    /// First and last period drawn.
    pub periods: (u32, u32),
}

impl WordOfMouth {
    pub const NAME: &'static str = "word_of_mouth";
    pub const TITLE: &'static str = "Word of mouth heard about each firm, per period";

    /// The title: every firm, or the one selected.
    pub fn title(selection: Option<&Resolved>) -> String {
        match selection.and_then(|s| s.firm.as_deref()) {
            Some(firm) => format!("Word of mouth heard about {firm}, per period"),
            None => Self::TITLE.to_string(),
        }
    }

    /// The chart of a run with a word-of-mouth network; for one without, or a folder
    /// whose `timeseries.csv` lacks the counts, why there is none.
    pub fn from_run(
        run: &RunFolder,
        selection: Option<&Resolved>,
        frame: Frame,
    ) -> Result<WordOfMouth, String> {
        if run.scenario.word_of_mouth.network == NetworkKind::None {
            return Err(
                "word_of_mouth.network = \"none\": nobody talks, so no word is heard".into(),
            );
        }
        if run.timeseries.iter().any(|r| r.words.is_none()) {
            return Err("timeseries.csv has no wom_positive and wom_negative columns".into());
        }
        let colour_of = firm_colours(run);
        let mut firms: Vec<FirmWords> = Vec::new();
        let (mut first, mut last) = (u32::MAX, 0);
        for row in rows_of(run, selection) {
            first = first.min(row.period);
            last = last.max(row.period);
            let (positive, negative) = row.words.unwrap_or((0, 0));
            let at = match firms.iter().position(|f| f.firm == row.firm) {
                Some(i) => i,
                None => {
                    firms.push(FirmWords {
                        firm: row.firm.clone(),
                        colour: colour_of(&row.firm),
                        positive: Vec::new(),
                        negative: Vec::new(),
                    });
                    firms.len() - 1
                }
            };
            let f = &mut firms[at];
            f.positive.push((row.period, Some(positive as f64)));
            f.negative.push((row.period, Some(negative as f64)));
        }
        if let Some(s) = selection {
            (first, last) = s.periods;
        }
        Ok(WordOfMouth {
            frame,
            firms,
            events: events_of(run, selection),
            periods: (first.min(last), last),
        })
    }
}

/// A tick label of a count: 20k rather than 20000 where ticks step by a thousand or
/// more.
fn count(v: f64, step: f64) -> String {
    if step >= 1000.0 && v.abs() < 1e9 && v != 0.0 {
        format!("{}k", number(v / 1000.0, step / 1000.0))
    } else {
        number(v, step)
    }
}

/// The count axis both panels share: from zero to a round value above `max`.
fn count_axis(title: &str, max: f64) -> Axis {
    let max = if max.is_finite() { max.max(1.0) } else { 1.0 };
    let step = nice_step(max, 5).max(1.0);
    let high = (max * 1.04 / step).ceil() * step;
    Axis::linear(title, 0.0, high.max(step), 5, count)
}

impl Chart for WordOfMouth {
    const NAME: &'static str = WordOfMouth::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let max = self
            .firms
            .iter()
            .flat_map(|f| f.positive.iter().chain(&f.negative))
            .filter_map(|(_, v)| *v)
            .fold(0.0, f64::max);
        let names: Vec<(String, RGBColor)> = self
            .firms
            .iter()
            .map(|f| (f.firm.clone(), f.colour))
            .collect();
        let panels = [
            Panel {
                axis: count_axis("Positive words heard", max),
                scale: 1.0,
                lines: self.firms.iter().map(|f| (f.colour, &f.positive)).collect(),
            },
            Panel {
                axis: count_axis("Negative words heard", max),
                scale: 1.0,
                lines: self.firms.iter().map(|f| (f.colour, &f.negative)).collect(),
            },
        ];
        draw_over_time(
            root,
            style,
            &self.frame,
            &names,
            &self.events,
            x_range(self.periods),
            &panels,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tick_in_thousands_from_ten_thousand() {
        let axis = count_axis("Positive words heard", 23_456.0);
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(axis.low, 0.0);
        assert!(axis.high >= 23_456.0, "{}", axis.high);
        assert!(
            labels.contains(&"10k") && labels.contains(&"0"),
            "{labels:?}"
        );
        let small = count_axis("Positive words heard", 37.0);
        let labels: Vec<&str> = small.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert!(labels.contains(&"20") && !labels.iter().any(|l| l.ends_with('k')));
        // No words at all: an axis all the same.
        assert!(count_axis("Negative words heard", 0.0).high >= 1.0);
    }
}
