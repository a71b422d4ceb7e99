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

use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, Shape, fit, header, nice_step, number,
    text, text_up, text_width, wrap,
};
use super::retention_curve::inner;
use super::series::{Look, place, whisker};
use super::style::{Style, line, palette, pt};
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

/// A factor's name in two lines of about equal width, broken at the space that makes
/// the longer line shortest (one line when it has no space).
fn halves(style: &Style, name: &str) -> Vec<String> {
    let best = name
        .match_indices(' ')
        .map(|(i, _)| {
            let (a, b) = (name[..i].trim(), name[i..].trim());
            let w = text_width(style, a, pt::TICK).max(text_width(style, b, pt::TICK));
            (w, a, b)
        })
        .min_by_key(|(w, _, _)| *w);
    match best {
        Some((w, a, b)) if w < text_width(style, name, pt::TICK) => vec![a.into(), b.into()],
        _ => vec![name.to_string()],
    }
}

/// The lines of a panel's title (the metric, three lines at most) in `width` pixels.
fn title_lines(style: &Style, panel: &Panel, width: i32) -> Vec<String> {
    wrap(style, &panel.title, pt::AXIS_TITLE, width, 3)
}

/// The height of panel titles of `lines` lines and their seed-noise line.
fn title_height(style: &Style, lines: usize) -> i32 {
    let em = style.size.px(pt::AXIS_TITLE);
    (lines as f64 * em * 1.2 + style.size.px(pt::ANNOTATION) * 1.3) as i32 + style.px(6.0)
}

/// Draws a panel's title and its seed noise at the top of `rect`.
fn panel_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    panel: &Panel,
    rect: Rect,
) -> layout::Drawn<DB> {
    let em = style.size.px(pt::AXIS_TITLE);
    let mut y = rect.top;
    for l in title_lines(style, panel, rect.width()) {
        y += (em * 1.2) as i32;
        text(
            root,
            style,
            &l,
            pt::AXIS_TITLE,
            palette::INK,
            (rect.left, y),
            Align::Left,
        )?;
    }
    let noise = match panel.noise {
        Some(n) => format!("seed noise {:.1}%", 100.0 * n),
        None => "seed noise unknown".into(),
    };
    y += (style.size.px(pt::ANNOTATION) * 1.3) as i32;
    let noise = fit(style, &noise, pt::ANNOTATION, rect.width());
    text(
        root,
        style,
        &noise,
        pt::ANNOTATION,
        palette::MUTED,
        (rect.left, y),
        Align::Left,
    )
}

/// Ticks and tick labels below `rect` for `axis`, the axis line, and `title` under
/// them when given.
fn x_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    axis: &Axis,
) -> layout::Drawn<DB> {
    let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
    root.draw(&PathElement::new(
        vec![(rect.left, rect.bottom), (rect.right, rect.bottom)],
        s,
    ))?;
    let tick = style.px(3.0);
    let baseline = rect.bottom + tick * 2 + (style.size.px(pt::TICK) * 0.8) as i32;
    for (v, l) in &axis.ticks {
        let px = place(*v, axis.low, axis.high, rect.left, rect.right);
        root.draw(&PathElement::new(
            vec![(px, rect.bottom), (px, rect.bottom + tick)],
            s,
        ))?;
        text(
            root,
            style,
            l,
            pt::TICK,
            palette::INK,
            (px, baseline),
            Align::Center,
        )?;
    }
    if !axis.title.is_empty() {
        let y = baseline + style.px(5.0) + style.size.px(pt::AXIS_TITLE) as i32;
        let title = fit(style, &axis.title, pt::AXIS_TITLE, rect.width());
        text(
            root,
            style,
            &title,
            pt::AXIS_TITLE,
            palette::INK,
            ((rect.left + rect.right) / 2, y),
            Align::Center,
        )?;
    }
    Ok(())
}

/// Height below a panel for its ticks, labels and axis title.
fn x_axis_height(style: &Style, titled: bool) -> i32 {
    let tick = style.px(3.0);
    let mut h = tick * 2 + (style.size.px(pt::TICK) * 1.1) as i32;
    if titled {
        h += style.px(5.0) + (style.size.px(pt::AXIS_TITLE) * 1.25) as i32;
    }
    h
}

/// Vertical grid lines at the axis' ticks.
fn x_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    axis: &Axis,
) -> layout::Drawn<DB> {
    let s = palette::GRID.stroke_width(style.px(line::GRID) as u32);
    for (v, _) in &axis.ticks {
        let px = place(*v, axis.low, axis.high, rect.left, rect.right);
        root.draw(&PathElement::new(
            vec![(px, rect.top), (px, rect.bottom)],
            s,
        ))?;
    }
    Ok(())
}

/// An axis from 0 (or below, for estimates below 0) to past the largest value.
fn index_axis(title: &str, values: impl Iterator<Item = f64>, count: usize) -> Axis {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1e-9);
    let step = nice_step(span, count);
    // Up to a tick past the largest value; down to the smallest as it is (an estimate
    // a little below 0 needs no tick of its own).
    let high = (hi / step).ceil() * step;
    let mut a = Axis::linear(title, lo, high.max(lo + step), count, number);
    // A little room so that nothing lies on the frame.
    let pad = (a.high - a.low) * 0.02;
    a.low -= pad;
    a.high += pad;
    a
}

fn estimates(p: &Panel) -> impl Iterator<Item = f64> + '_ {
    p.indices
        .iter()
        .flat_map(|(a, b)| [a, b])
        .flatten()
        .flat_map(|e| {
            let (lo, hi) = e.interval.unwrap_or((e.value, e.value));
            [e.value, lo, hi]
        })
}

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

impl Sensitivity {
    /// Panels side by side, at most five to a row, sharing the factors' rows (named at
    /// the left of each row of panels) and the scale.
    fn draw_sobol<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        body: Rect,
    ) -> layout::Drawn<DB> {
        let n = self.panels.len().max(1);
        let factors = self.factors.len().max(1) as i32;
        let mut axis = index_axis("", self.panels.iter().flat_map(estimates), 5);
        let em = style.size.px(pt::TICK);
        let axis_h = x_axis_height(style, false);
        let last_row_title = x_axis_height(style, true) - axis_h;
        // Factor names take two lines where the rows of one row of panels have room
        // for two, so the panels keep their width.
        let band_of = |rows: usize, title_lines: usize| -> f64 {
            let gaps = style.px(10.0) * (rows as i32 - 1);
            let row_h = (body.height() - gaps) / rows as i32;
            (row_h - title_height(style, title_lines) - axis_h - last_row_title) as f64
                / factors as f64
        };
        let two_lines = band_of(1, 3) >= em * 2.2;
        let labels: Vec<Vec<String>> = self
            .factors
            .iter()
            .map(|f| {
                if two_lines {
                    halves(style, f)
                } else {
                    vec![f.clone()]
                }
            })
            .collect();
        let widest = labels
            .iter()
            .flatten()
            .map(|l| text_width(style, l, pt::TICK))
            .max()
            .unwrap_or(0);
        let labels_w = widest.min(body.width() * 7 / 20) + style.px(6.0);
        // Wide enough that the tick labels of neighbouring panels do not meet.
        let tick_w = axis
            .ticks
            .iter()
            .map(|(_, l)| text_width(style, l, pt::TICK))
            .max()
            .unwrap_or(0);
        let gap = style.px(10.0).max(tick_w + style.px(4.0));
        // As many panels to a row (five at most) as keep a panel wide enough for its
        // seed noise, the longest word of its title and its ticks, and the factors'
        // rows tall enough for their names; a narrow figure takes more rows of
        // panels only where the rows stay tall enough.
        let needed = self
            .panels
            .iter()
            .flat_map(|p| p.title.split(' '))
            .map(|w| text_width(style, w, pt::AXIS_TITLE))
            .chain([
                text_width(style, "seed noise 100.0%", pt::ANNOTATION),
                tick_w * (axis.ticks.len() as i32 + 1),
            ])
            .max()
            .unwrap_or(0)
            + style.px(4.0);
        let room = body.width() - labels_w;
        let line_h = em * 1.1 * if two_lines { 2.0 } else { 1.0 };
        let wide = |k: usize| (room - gap * (k as i32 - 1)) / k as i32 >= needed;
        let tall = |k: usize| band_of(n.div_ceil(k), 3) >= line_h;
        let most = n.min(5);
        let per_row = (1..=most)
            .rev()
            .find(|&k| wide(k) && tall(k))
            .or_else(|| (1..=most).rev().find(|&k| tall(k)))
            .unwrap_or(most);
        let rows = n.div_ceil(per_row);
        let row_h = (body.height() - gap * (rows as i32 - 1)) / rows as i32;
        let panel_w = (body.width() - labels_w - gap * (per_row as i32 - 1)) / per_row as i32;
        // Panels share their rows of factors, so their titles take the same height.
        let lines = self
            .panels
            .iter()
            .map(|p| title_lines(style, p, panel_w).len())
            .max()
            .unwrap_or(1)
            .max(1);
        let title_h = title_height(style, lines);
        for (p, panel) in self.panels.iter().enumerate() {
            let (r, c) = ((p / per_row) as i32, (p % per_row) as i32);
            let left = body.left + labels_w + c * (panel_w + gap);
            let cell = Rect {
                left,
                right: left + panel_w,
                top: body.top + r * (row_h + gap),
                bottom: body.top + r * (row_h + gap) + row_h,
            };
            panel_title(root, style, panel, cell)?;
            let rect = Rect {
                top: cell.top + title_h,
                bottom: cell.bottom - axis_h - last_row_title,
                ..cell
            };
            if rect.height() <= 0 || rect.width() <= 0 {
                continue;
            }
            x_grid(root, style, rect, &axis)?;
            let band = rect.height() as f64 / self.factors.len().max(1) as f64;
            let px = |v: f64| place(v, axis.low, axis.high, rect.left, rect.right);
            let zero = px(0.0);
            for (j, (s1, st)) in panel.indices.iter().enumerate() {
                let y0 = rect.top as f64 + band * j as f64;
                let bar = (band * 0.32).max(1.0);
                // ST above, S1 below, around the band's middle.
                for (k, (est, colour)) in [(st, ST_COLOUR), (s1, S1_COLOUR)].iter().enumerate() {
                    let Some(e) = est else { continue };
                    let a = (y0 + band * 0.5 + (k as f64 - 1.0) * bar).round() as i32;
                    let b = (a as f64 + bar).round() as i32;
                    let x = px(e.value);
                    root.draw(&Rectangle::new(
                        [(zero.min(x), a), (zero.max(x), b.max(a + 1))],
                        colour.filled(),
                    ))?;
                    if let Some((lo, hi)) = e.interval {
                        let mid = (a + b) / 2;
                        let s = palette::INK.stroke_width(style.px(line::INTERVAL) as u32);
                        root.draw(&PathElement::new(vec![(px(lo), mid), (px(hi), mid)], s))?;
                        let cap = ((b - a) / 3).max(1);
                        for x in [px(lo), px(hi)] {
                            root.draw(&PathElement::new(vec![(x, mid - cap), (x, mid + cap)], s))?;
                        }
                    }
                }
                // Names where their rows have room: every one, or on rows too
                // short for a line, every so many.
                let every = ((line_h / band).ceil() as usize).max(1);
                if c == 0 && j % every == 0 {
                    let lines = &labels[j];
                    let lead = em * 1.1;
                    let first = y0 + band * 0.5 + em * 0.36 - lead * (lines.len() - 1) as f64 / 2.0;
                    for (k, l) in lines.iter().enumerate() {
                        let l = fit(style, l, pt::TICK, labels_w - style.px(6.0));
                        text(
                            root,
                            style,
                            &l,
                            pt::TICK,
                            palette::INK,
                            (rect.left - style.px(6.0), (first + lead * k as f64) as i32),
                            Align::Right,
                        )?;
                    }
                }
            }
            // The 0 line and the axis.
            let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
            root.draw(&PathElement::new(
                vec![(zero, rect.top), (zero, rect.bottom)],
                s,
            ))?;
            x_axis(root, style, rect, &axis)?;
            // One axis title under each row of panels.
            if c == 0 {
                let last = (p + per_row).min(n) - 1;
                let right =
                    body.left + labels_w + (last % per_row) as i32 * (panel_w + gap) + panel_w;
                axis.title = "Sobol' index: share of the metric's variance".into();
                let title = fit(style, &axis.title, pt::AXIS_TITLE, right - rect.left);
                let y = rect.bottom + axis_h + style.px(5.0) + style.size.px(pt::AXIS_TITLE) as i32;
                text(
                    root,
                    style,
                    &title,
                    pt::AXIS_TITLE,
                    palette::INK,
                    ((rect.left + right) / 2, y),
                    Align::Center,
                )?;
                axis.title = String::new();
            }
        }
        Ok(())
    }

    /// A grid of scatter panels, each with its own scale.
    fn draw_morris<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        body: Rect,
    ) -> layout::Drawn<DB> {
        let n = self.panels.len().max(1);
        let cols = if n <= 3 {
            n
        } else {
            (n as f64).sqrt().ceil() as usize
        };
        let rows = n.div_ceil(cols);
        let gap = style.px(14.0);
        let cell_w = (body.width() - gap * (cols as i32 - 1)) / cols as i32;
        let cell_h = (body.height() - gap * (rows as i32 - 1)) / rows as i32;
        for (p, panel) in self.panels.iter().enumerate() {
            let (r, c) = ((p / cols) as i32, (p % cols) as i32);
            let cell = Rect {
                left: body.left + c * (cell_w + gap),
                right: body.left + c * (cell_w + gap) + cell_w,
                top: body.top + r * (cell_h + gap),
                bottom: body.top + r * (cell_h + gap) + cell_h,
            };
            panel_title(root, style, panel, cell)?;
            let title_h = title_height(style, title_lines(style, panel, cell.width()).len().max(1));
            let mu: Vec<f64> = panel
                .indices
                .iter()
                .flat_map(|(m, _)| m)
                .flat_map(|e| [e.value, e.interval.map_or(e.value, |i| i.1)])
                .collect();
            let sigma: Vec<f64> = panel
                .indices
                .iter()
                .flat_map(|(_, s)| s)
                .flat_map(|e| [e.value, e.interval.map_or(e.value, |i| i.1)])
                .collect();
            let mut x = index_axis("", mu.into_iter(), 4);
            let y = index_axis("", sigma.into_iter(), 4);
            let y_labels = y
                .ticks
                .iter()
                .map(|(_, l)| text_width(style, l, pt::TICK))
                .max()
                .unwrap_or(0);
            let rect = Rect {
                left: cell.left
                    + (style.size.px(pt::AXIS_TITLE) * 1.3) as i32
                    + y_labels
                    + style.px(6.0),
                right: cell.right - style.px(4.0),
                top: cell.top + title_h,
                bottom: cell.bottom - x_axis_height(style, true),
            };
            if rect.height() <= 0 || rect.width() <= 0 {
                continue;
            }
            let px = |v: f64| place(v, x.low, x.high, rect.left, rect.right);
            let py = |v: f64| place(v, y.low, y.high, rect.bottom, rect.top);
            x_grid(root, style, rect, &x)?;
            let grid = palette::GRID.stroke_width(style.px(line::GRID) as u32);
            let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
            let tick = style.px(3.0);
            for (v, l) in &y.ticks {
                let yy = py(*v);
                root.draw(&PathElement::new(
                    vec![(rect.left, yy), (rect.right, yy)],
                    grid,
                ))?;
                root.draw(&PathElement::new(
                    vec![(rect.left - tick, yy), (rect.left, yy)],
                    s,
                ))?;
                text(
                    root,
                    style,
                    l,
                    pt::TICK,
                    palette::INK,
                    (
                        rect.left - tick * 2,
                        yy + (style.size.px(pt::TICK) * 0.36) as i32,
                    ),
                    Align::Right,
                )?;
            }
            root.draw(&PathElement::new(
                vec![(rect.left, rect.top), (rect.left, rect.bottom)],
                s,
            ))?;
            let title_x = cell.left + (style.size.px(pt::AXIS_TITLE) * 0.85) as i32;
            let y_title = longest_fitting(
                style,
                &["σ (spread of effects)", "σ (spread)", "σ"],
                rect.height(),
            );
            text_up(
                root,
                style,
                y_title,
                pt::AXIS_TITLE,
                palette::INK,
                (title_x, (rect.top + rect.bottom) / 2),
            )?;
            // σ = μ*, as far as both axes reach.
            let end = x.high.min(y.high);
            if end > 0.0 {
                layout::dashed(
                    root,
                    &[(px(0.0), py(0.0)), (px(end), py(end))],
                    palette::MUTED,
                    style.px(line::GRID * 2.0),
                    (style.size.px(3.0), style.size.px(2.5)),
                )?;
            }
            // Markers and intervals, then labels where they fit.
            let r = style.px(line::MARKER);
            let mut taken: Vec<Rect> = Vec::new();
            let mut placed: Vec<(usize, (i32, i32))> = Vec::new();
            for (j, (m, sg)) in panel.indices.iter().enumerate() {
                let (Some(m), Some(sg)) = (m, sg) else {
                    continue;
                };
                let at = (px(m.value), py(sg.value));
                let look = Look::nth(j);
                if let Some((lo, hi)) = sg.interval {
                    whisker(root, style, at.0, (py(lo), py(hi)), look.color())?;
                }
                if let Some((lo, hi)) = m.interval {
                    let st = look.color().stroke_width(style.px(line::INTERVAL) as u32);
                    root.draw(&PathElement::new(vec![(px(lo), at.1), (px(hi), at.1)], st))?;
                }
                look.draw_point(root, style, at, None)?;
                taken.push(Rect {
                    left: at.0 - r,
                    right: at.0 + r,
                    top: at.1 - r,
                    bottom: at.1 + r,
                });
                placed.push((j, at));
            }
            let em = style.size.px(pt::ANNOTATION);
            for (j, at) in placed {
                // Whole or not at all: the legend names every factor.
                let label = &self.factors[j];
                let w = text_width(style, label, pt::ANNOTATION);
                let h = em as i32;
                let pad = r + style.px(2.0);
                // Beside the marker on its line, right or left; else above or below it.
                let baseline = at.1 + (h as f64 * 0.36) as i32;
                let candidates = [
                    (at.0 + pad, baseline),
                    (at.0 - pad - w, baseline),
                    (at.0 - w / 2, at.1 - pad),
                    (at.0 - w / 2, at.1 + pad + (h as f64 * 0.75) as i32),
                ];
                let fits = |&(x0, base): &(i32, i32)| {
                    let b = Rect {
                        left: x0,
                        right: x0 + w,
                        top: base - (h as f64 * 0.75) as i32,
                        bottom: base + h / 5,
                    };
                    let inside = b.left >= rect.left
                        && b.right <= rect.right
                        && b.top >= rect.top
                        && b.bottom <= rect.bottom;
                    let free = taken.iter().all(|t| {
                        b.right < t.left || b.left > t.right || b.bottom < t.top || b.top > t.bottom
                    });
                    (inside && free).then_some(b)
                };
                if let Some((spot, b)) = candidates.iter().find_map(|c| fits(c).map(|b| (*c, b))) {
                    taken.push(b);
                    text(
                        root,
                        style,
                        label,
                        pt::ANNOTATION,
                        palette::INK,
                        spot,
                        Align::Left,
                    )?;
                }
            }
            x.title = longest_fitting(
                style,
                &["μ* (mean absolute effect)", "μ* (mean |effect|)", "μ*"],
                rect.width(),
            )
            .into();
            x_axis(root, style, rect, &x)?;
        }
        Ok(())
    }
}

/// The first of `titles` (longest first) that fits in `room` pixels as an axis title,
/// or the last.
fn longest_fitting<'a>(style: &Style, titles: &[&'a str], room: i32) -> &'a str {
    titles
        .iter()
        .find(|t| text_width(style, t, pt::AXIS_TITLE) <= room)
        .or(titles.last())
        .copied()
        .unwrap_or("")
}
