//! `sensitivity`: what a Morris or Sobol' study found, from its `sensitivity.csv`, a
//! panel per metric analysed.
//!
//! Sobol': per factor two bars, ST (the share of the metric's variance the factor has
//! a hand in, alone or with others; the ranking) and S1 (the share it explains alone),
//! each with its 95% bootstrap interval. The panels sit side by side and share the
//! factors' rows, in one order, by ST of the first metric, so a factor is read across
//! the metrics on one line; they also share the since the indices are shares of
//! variance and compare across metrics. Estimates below 0 (S1 of a factor that does
//! nothing is 0 plus noise) are drawn as they are, left of the 0 line. S2, when the
//! study has it, is left to the table (`sensitivity.csv`).
//!
//! Morris: per metric, μ* (the mean absolute elementary effect, the ranking) against σ
//! (their spread: non-linearity or interaction), each factor a marker of its own
//! colour and shape with its intervals, named in the legend and, where there is room
//! beside its marker, by a label. The dashed diagonal σ = μ* marks where effects vary
//! as much as they are large.
//!
//! Each panel's title gives the seed noise of the metric (the share of its variance
//! across runs that replicates of one point show): where it is large, the indices are
//! less sharp. Factors are named in words (`words`); a Morris group by its name.

mod morris;
mod panel;
mod sobol;

use super::layout::{self, Entry, Frame, Key, Legend, Rect, Shape, header};
use super::retention_curve::inner;
use super::series::Look;
use super::style::{Style, line, palette};
use super::sweep::SweepFolder;
use super::{Chart, words};
use crate::parameter::Design;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Which analysis the study made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Study {
    Sobol,
    Morris,
}

/// An index's estimate and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

/// One metric's indices, a pair per factor in [`Sensitivity::factors`] order: (S1, ST)
/// for Sobol', (μ*, σ) for Morris.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The metric in words.
    pub title: String,
    /// Share of the metric's variance across runs that is seed noise.
    pub noise: Option<f64>,
    pub indices: Vec<(Option<Estimate>, Option<Estimate>)>,
}

/// The chart of a sensitivity study.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    pub frame: Frame,
    pub study: Study,
    /// The factors in words, in the order drawn.
    pub factors: Vec<String>,
    pub panels: Vec<Panel>,
    /// "by ST of retention per period", for the legend.
    pub order: String,
}

impl Sensitivity {
    pub const NAME: &'static str = "sensitivity";

    pub fn title(study: Study) -> &'static str {
        match study {
            Study::Sobol => "Which factors move the metrics: Sobol' indices",
            Study::Morris => "Which factors move the metrics: Morris elementary effects",
        }
    }

    /// The chart of the study in `folder`, of every metric analysed or of `metric`
    /// alone, or why there is none.
    pub fn from_sweep(
        folder: &SweepFolder,
        metric: Option<&str>,
        frame: impl Fn(Study) -> Frame,
    ) -> Result<Sensitivity, String> {
        let study = match folder.sweep.design {
            Design::Sobol => Study::Sobol,
            Design::Morris => Study::Morris,
            _ => {
                return Err(format!(
                    "the sweep is a {}, not a sensitivity design (morris or sobol)",
                    folder.design_words()
                ));
            }
        };
        let Some(rows) = &folder.sensitivity else {
            return Err(format!(
                "the folder has no {} (a whole study writes one; a shard does not, its \
                 merge does)",
                super::sweep::SENSITIVITY
            ));
        };
        let (first, second) = match study {
            Study::Sobol => ("S1", "ST"),
            Study::Morris => ("mu_star", "sigma"),
        };
        let ranking = match study {
            Study::Sobol => "ST",
            Study::Morris => "mu_star",
        };
        let mut metrics: Vec<&str> = Vec::new();
        let mut factors: Vec<&str> = Vec::new();
        for r in rows
            .iter()
            .filter(|r| r.index == first || r.index == second)
        {
            if !metrics.contains(&r.metric.as_str()) {
                metrics.push(&r.metric);
            }
            if !factors.contains(&r.factor.as_str()) {
                factors.push(&r.factor);
            }
        }
        if metrics.is_empty() {
            return Err(format!(
                "{} has no {first} or {second} indices",
                super::sweep::SENSITIVITY
            ));
        }
        if let Some(m) = metric {
            if !metrics.contains(&m) {
                return Err(format!(
                    "the study did not analyse {m}; it analysed {}",
                    metrics.join(", ")
                ));
            }
            metrics = vec![m];
        }
        let find = |metric: &str, factor: &str, index: &str| {
            rows.iter()
                .find(|r| r.metric == metric && r.factor == factor && r.index == index)
                .and_then(|r| {
                    r.value.map(|value| Estimate {
                        value,
                        interval: r.interval,
                    })
                })
        };
        // One order for every panel: by the ranking index of the first metric.
        let rank = |f: &str| find(metrics[0], f, ranking).map_or(f64::NEG_INFINITY, |e| e.value);
        factors.sort_by(|a, b| rank(b).total_cmp(&rank(a)));
        let panels = metrics
            .iter()
            .map(|m| Panel {
                title: words::metric_name(m),
                noise: rows
                    .iter()
                    .find(|r| r.metric == *m && r.index == "noise_share")
                    .and_then(|r| r.value),
                indices: factors
                    .iter()
                    .map(|f| (find(m, f, first), find(m, f, second)))
                    .collect(),
            })
            .collect();
        let said = |f: &str| {
            if folder.paths.iter().any(|p| p == f) {
                words::capitalised(&words::field(f, &folder.scenario))
            } else {
                words::capitalised(&f.replace('_', " "))
            }
        };
        let ranked_by = match study {
            Study::Sobol => "ST",
            Study::Morris => "μ*",
        };
        Ok(Sensitivity {
            frame: frame(study),
            study,
            factors: factors.iter().map(|f| said(f)).collect(),
            panels,
            order: format!(
                "factors ranked by {ranked_by} of {}",
                words::lower_first(&words::metric_name(metrics[0]))
            ),
        })
    }

    fn legend(&self) -> Legend {
        let mut entries = match self.study {
            Study::Sobol => vec![
                Entry {
                    label: "ST (total): its share of the variance, alone and with others".into(),
                    key: Key::Fill(ST_COLOUR),
                },
                Entry {
                    label: "S1 (first order): its share alone".into(),
                    key: Key::Fill(S1_COLOUR),
                },
            ],
            Study::Morris => self
                .factors
                .iter()
                .enumerate()
                .map(|(i, f)| Entry {
                    label: f.clone(),
                    key: Key::Marker {
                        color: Look::nth(i).color(),
                        shape: Look::nth(i).shape(),
                    },
                })
                .collect(),
        };
        entries.push(Entry {
            label: format!("95% bootstrap interval; {}", self.order),
            key: Key::Interval {
                color: palette::INK,
                shape: Shape::Circle,
            },
        });
        if self.study == Study::Morris {
            entries.push(Entry {
                label: "σ = μ*".into(),
                key: Key::Line {
                    color: palette::MUTED,
                    width: line::GRID * 2.0,
                    dashed: true,
                },
            });
        }
        Legend {
            heading: None,
            entries,
            heading_room: 0.0,
        }
    }
}

const ST_COLOUR: RGBColor = palette::BLUE;
const S1_COLOUR: RGBColor = palette::ORANGE;

impl Chart for Sensitivity {
    const NAME: &'static str = Sensitivity::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let legend = self.legend();
        legend.draw(root, style, area.left, top, area.width())?;
        top += legend.height(style, area.width()) + style.px(6.0);
        let body = Rect { top, ..area };
        match self.study {
            Study::Sobol => self.draw_sobol(root, style, body),
            Study::Morris => self.draw_morris(root, style, body),
        }
    }
}
