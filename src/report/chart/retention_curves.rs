//! `retention_curves`: the Jones & Sasser figure over several runs or the points of a
//! sweep, one observed retention curve each (per market, or per level of a varied
//! parameter such as the constraint strength) on the same zones, with 95% intervals.
//!
//! Of runs, the zones are those of the first run's loyalty curve when every run has the
//! same ones, otherwise the defaults (see `retention_curve`); of a sweep, those of its
//! base scenario, or the defaults when the sweep varies the loyalty curve. A sweep's
//! curves come from `sweep_curve.csv` (each point's bins pooled over its replications,
//! with Wilson intervals); a sweep without that file has no such chart.
//!
//! With two varied fields, colour shows the first and marker and line style the second;
//! otherwise each curve has its own colour and marker. A sweep's points are grouped by
//! the swept fields that are not numbers (the form of the constraint), each group a line
//! style with a legend of its own, its members by colour and marker in the order of the
//! sweep. Series that lie on each other stay apart (`series`: line styles, markers
//! moved sideways a little, lines over a white halo), and the retention axis reaches a
//! little past 100%, so a curve of an infinite constraint, at 100% throughout, is drawn
//! inside the data area rather than along its edge.

use super::Chart;
use super::compare::Comparison;
use super::layout::{
    self, Axis, Entry, Frame, Key, Legend, Rect, draw_axes, header, number, plot_rect,
};
use super::results::{CurveBin, RunFolder};
use super::retention_curve::{Zones, cs_axis, inner, zoned_panel};
use super::series::{Look, dodge, place};
use super::style::{Style, line};
use super::sweep::SweepFolder;
use super::words;
use crate::scenario::Loyalty;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One run's or point's observed curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveSeries {
    pub bins: Vec<CurveBin>,
    pub look: Look,
}

/// Observed retention curves of several runs or sweep points.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionCurves {
    pub frame: Frame,
    pub series: Vec<CurveSeries>,
    /// What colours, markers and line styles stand for, one legend per group.
    pub legends: Vec<Legend>,
    pub zones: Zones,
}

/// Percent the retention axis reaches beyond 100 (and below 0), so a curve at 100% (or
/// a bin at 0%) is drawn inside the data area, not on its edge.
const HEADROOM: f64 = 4.0;

impl RetentionCurves {
    pub const NAME: &'static str = "retention_curves";
    pub const TITLE: &'static str = "Retention across the zones of satisfaction, by run";
    pub const SWEEP_TITLE: &'static str =
        "Retention across the zones of satisfaction, by point of the sweep";

    /// One curve per run. With two varied fields, colour shows the first and marker and
    /// line style the second; otherwise each run has its own colour and marker.
    pub fn from_runs(runs: &[RunFolder], comparison: &Comparison, frame: Frame) -> RetentionCurves {
        let same_zones = runs
            .windows(2)
            .all(|w| Zones::of(&w[0].scenario.loyalty) == Zones::of(&w[1].scenario.loyalty));
        let zones = match runs.first() {
            Some(r) if same_zones => Zones::of(&r.scenario.loyalty),
            _ => Zones::of(&Loyalty::default()),
        };
        let heading = |h: &str| Some(format!("{h}:"));
        if comparison.fields.len() == 2 {
            let (a, b) = (comparison.levels(0), comparison.levels(1));
            let series = runs
                .iter()
                .zip(&comparison.values)
                .map(|(r, v)| {
                    let second = b.iter().position(|l| *l == v[1]).unwrap_or(0);
                    CurveSeries {
                        bins: r.curve.clone(),
                        look: Look {
                            colour: a.iter().position(|l| *l == v[0]).unwrap_or(0),
                            shape: second,
                            dash: second,
                        },
                    }
                })
                .collect();
            let colours = Legend {
                heading: heading(&comparison.names[0]),
                entries: comparison
                    .level_words(0)
                    .into_iter()
                    .enumerate()
                    .map(|(i, label)| Entry {
                        label,
                        key: Key::Line {
                            color: Look::nth(i).color(),
                            width: line::DATA,
                            dashed: false,
                        },
                    })
                    .collect(),
                heading_room: 0.0,
            };
            let styles = Legend {
                heading: heading(&comparison.names[1]),
                entries: comparison
                    .level_words(1)
                    .into_iter()
                    .enumerate()
                    .map(|(i, label)| Entry {
                        label,
                        key: Look {
                            colour: 0,
                            shape: i,
                            dash: i,
                        }
                        .style_key(),
                    })
                    .collect(),
                heading_room: 0.0,
            };
            return RetentionCurves {
                frame,
                series,
                legends: vec![colours, styles],
                zones,
            };
        }
        let legend = Legend {
            heading: comparison.heading.as_deref().and_then(heading),
            entries: comparison
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| Entry {
                    label: label.clone(),
                    key: Look::nth(i).key(),
                })
                .collect(),
            heading_room: 0.0,
        };
        RetentionCurves {
            frame,
            series: runs
                .iter()
                .enumerate()
                .map(|(i, r)| CurveSeries {
                    bins: r.curve.clone(),
                    look: Look::nth(i),
                })
                .collect(),
            legends: vec![legend],
            zones,
        }
    }

    /// One curve per point of a sweep, from its `sweep_curve.csv`, or why there is none.
    /// Points are grouped by the swept fields that are not numbers (a line style and a
    /// legend each), their members told apart by colour and marker.
    pub fn from_sweep(folder: &SweepFolder, frame: Frame) -> Result<RetentionCurves, String> {
        let Some(curve) = &folder.curve else {
            return Err(format!(
                "the folder has no {} (the pooled retention curve of every point)",
                super::sweep::CURVE
            ));
        };
        if folder.points.len() > super::MAX_SERIES {
            return Err(format!(
                "{} points are more curves than the {} a chart tells apart; a sweep of                  fewer points draws them, and sweep_curve.csv holds them all",
                folder.points.len(),
                super::MAX_SERIES
            ));
        }
        let zones = if folder.paths.iter().any(|p| p.starts_with("loyalty.")) {
            Zones::of(&Loyalty::default())
        } else {
            Zones::of(&folder.scenario.loyalty)
        };
        let mut series = Vec::new();
        let mut legends = Vec::new();
        for (g, group) in folder.groups().iter().enumerate() {
            let mut entries = Vec::new();
            for (rank, (i, label)) in group.members.iter().enumerate() {
                let point = folder.points[*i].point;
                let mut bins: Vec<(u64, CurveBin)> = curve
                    .iter()
                    .filter(|b| b.point == point)
                    .map(|b| {
                        (
                            b.bin,
                            CurveBin {
                                cs: b.cs_mid,
                                observations: b.observations,
                                retention: b.retention,
                                interval: b.interval,
                                expected: b.cl_theory,
                            },
                        )
                    })
                    .collect();
                bins.sort_by_key(|(bin, _)| *bin);
                let look = Look {
                    colour: rank,
                    shape: rank,
                    dash: g,
                };
                entries.push(Entry {
                    label: label.clone(),
                    key: look.key(),
                });
                series.push(CurveSeries {
                    bins: bins.into_iter().map(|(_, b)| b).collect(),
                    look,
                });
            }
            legends.push(Legend {
                heading: group.heading.as_ref().map(|h| format!("{h}:")),
                entries,
                heading_room: 0.0,
            });
        }
        if series
            .iter()
            .all(|s| s.bins.iter().all(|b| b.observations == 0))
        {
            return Err(format!(
                "{} has no observations at any point of sweep_summary.csv",
                super::sweep::CURVE
            ));
        }
        Ok(RetentionCurves {
            frame,
            series,
            legends,
            zones,
        })
    }
}

/// The retention axis in percent, ticks from 0 to 100, reaching [`HEADROOM`] past
/// them at the top and half that below.
fn retention_axis() -> Axis {
    let mut y = Axis::linear("Retention per period (%)", 0.0, 100.0, 5, number);
    y.high = 100.0 + HEADROOM;
    y.low = -HEADROOM / 2.0;
    y
}

impl Chart for RetentionCurves {
    const NAME: &'static str = RetentionCurves::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let (x, y) = (cs_axis(), retention_axis());
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        let width = area.right - probe.left;
        let mut legends = self.legends.clone();
        Legend::align(&mut legends, style);
        // Every legend keeps its heading; stacked, they take at most a quarter of the
        // figure together, the later ones saying how many entries they left out.
        for legend in legends {
            legend.draw(root, style, probe.left, top, width)?;
            top += legend.height(style, width);
        }
        top += style.px(4.0);
        let rect = zoned_panel(root, style, Rect { top, ..area }, &x, &y, &self.zones)?;
        let n = self.series.len();
        // Bins are about a sixteenth of the scale wide; series move apart within a
        // sixth of a bin, so a curve stays over its bin.
        let room = rect.width() / 16 / 6;
        let py = |v: f64| place(v * 100.0, y.low, y.high, rect.bottom, rect.top);
        let px = |k: usize, cs: f64| {
            place(cs, x.low, x.high, rect.left, rect.right) + dodge(style, k, n, room)
        };
        let lines: Vec<Vec<Option<(i32, i32)>>> = self
            .series
            .iter()
            .enumerate()
            .map(|(k, s)| {
                s.bins
                    .iter()
                    .filter(|b| b.observations > 0)
                    .map(|b| b.retention.map(|r| (px(k, b.cs), py(r))))
                    .collect()
            })
            .collect();
        for (s, points) in self.series.iter().zip(&lines) {
            s.look.draw_halo(root, style, points)?;
        }
        for (s, points) in self.series.iter().zip(&lines) {
            s.look.draw_line(root, style, points)?;
        }
        for (k, s) in self.series.iter().enumerate() {
            for b in s.bins.iter().filter(|b| b.observations > 0) {
                let Some(r) = b.retention else { continue };
                let interval = b.interval.map(|(lo, hi)| (py(lo), py(hi)));
                s.look
                    .draw_point(root, style, (px(k, b.cs), py(r)), interval)?;
            }
        }
        draw_axes(root, style, rect, &x, true, &y)
    }
}

/// What a sweep's points have in common and what tells them apart, for the legends of
/// `retention_curves`: the group's heading, and each member's label.
#[derive(Debug, Clone, PartialEq)]
pub struct PointGroup {
    /// "Structural form, procedural switching cost"; `None` for a single group of
    /// points that vary in several fields.
    pub heading: Option<String>,
    /// Index into [`SweepFolder::points`] and label, in the sweep's order.
    pub members: Vec<(usize, String)>,
}

impl SweepFolder {
    /// The points grouped by the swept fields that are not numbers and vary (the form
    /// of the constraint); in a group, each point is labelled by the varying fields that
    /// apply there. Where one field alone varies in a group, it goes into the heading
    /// and the labels are its values ("R = 0 (none)", "0.5"). A structural point's
    /// label gives its effective R when the constraint is what varies.
    pub fn groups(&self) -> Vec<PointGroup> {
        let varying = self.varying();
        let (categorical, numeric): (Vec<usize>, Vec<usize>) =
            varying.iter().partition(|&&k| !self.is_numeric(k));
        let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            let key: Vec<String> = categorical
                .iter()
                .map(|&k| {
                    if self.applies[i][k] {
                        p.values[k].clone()
                    } else {
                        String::new()
                    }
                })
                .collect();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        groups
            .into_iter()
            .map(|(key, members)| {
                let name: Vec<String> = categorical
                    .iter()
                    .zip(&key)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(&k, v)| words::labelled(&self.paths[k], v, &self.scenario))
                    .collect();
                let inside: Vec<usize> = numeric
                    .iter()
                    .copied()
                    .filter(|&k| {
                        let mut seen: Vec<&String> = Vec::new();
                        for &i in &members {
                            if self.applies[i][k] && !seen.contains(&&self.points[i].values[k]) {
                                seen.push(&self.points[i].values[k]);
                            }
                        }
                        seen.len() > 1
                    })
                    .collect();
                let one = (inside.len() == 1).then(|| inside[0]);
                let heading = match (name.is_empty(), one) {
                    (true, Some(k)) => Some(words::capitalised(&self.field_words(k))),
                    (true, None) => None,
                    (false, Some(k)) => Some(words::capitalised(&format!(
                        "{}, {}",
                        name.join(", "),
                        self.field_words(k)
                    ))),
                    (false, None) => Some(words::capitalised(&name.join(", "))),
                };
                let members = members
                    .into_iter()
                    .map(|i| (i, self.member_label(i, &inside, one)))
                    .collect();
                PointGroup { heading, members }
            })
            .collect()
    }

    fn member_label(&self, i: usize, inside: &[usize], one: Option<usize>) -> String {
        let p = &self.points[i];
        let mut label = match one {
            Some(k) => words::value(&self.paths[k], &p.values[k]),
            None => {
                let parts: Vec<String> = inside
                    .iter()
                    .filter(|&&k| self.applies[i][k])
                    .map(|&k| words::labelled(&self.paths[k], &p.values[k], &self.scenario))
                    .collect();
                if parts.is_empty() {
                    format!("point {}", p.point)
                } else {
                    parts.join(", ")
                }
            }
        };
        let constraint_varies = inside
            .iter()
            .any(|&k| words::shapes_constraint(&self.paths[k]));
        if constraint_varies
            && self.form(i) == "structural"
            && let Some(r) = p.mean("mean_r_eff")
        {
            label.push_str(&format!(" (R_eff = {})", short_r(r)));
        }
        label
    }
}

/// An effective R in two decimals, ∞ when infinite.
fn short_r(r: f64) -> String {
    if r.is_infinite() {
        "∞".into()
    } else if r.abs() >= 1e6 {
        super::retention_curve::short(r)
    } else {
        format!("{r:.2}")
    }
}
