//! Charts for papers and decks, drawn from results folders.
//!
//! Every chart is drawn from what a results folder holds (`timeseries.csv`,
//! `curve.csv`, `curve_by_period.csv`, `complaints.csv`, `summary.json`,
//! `scenario.toml`), never from a simulation in memory:
//! `loyalsim run` writes its tables, then draws its charts by reading them back through
//! [`draw_run`], the same function `loyalsim plot` calls, so a redraw reproduces a run's
//! charts byte for byte. Reading the scenario to evaluate the theoretical loyalty curve
//! f(CS) is allowed; simulating is not.
//!
//! Each chart is a plain-data struct (one file each) implementing [`Chart`]: it can be
//! built from a results folder or, later, from a sweep, and drawn to PNG and SVG by
//! [`render`]. `style` fixes the font (embedded, so no system font is ever looked up,
//! and SVG text is drawn as its outlines by `svg_text`), the palette and the sizes;
//! `layout` places text, legends and axes from measured text so nothing is clipped or
//! overlaps.
//!
//! Run charts: [`RetentionCurve`] (the Jones & Sasser figure), [`Timeseries`],
//! [`TypeMix`], [`ComplaintOrdering`] (TARP's table) when customers could complain, and
//! [`WordOfMouth`] when they talk. They draw the whole run, or the window of periods
//! and the firm of a [`Selection`] (`--periods`, `--firm`).
//! A chart that does not apply to the runs at hand is left out, with the reason in
//! [`ChartFiles::skipped`]; one asked for by name (`options.only`, `--chart`) that
//! cannot be drawn is a [`ChartError::Input`] saying why. Comparison charts over several runs: [`RetentionCurves`],
//! [`CorrelationVsR`], [`Heatmap`].
//!
//! Sweep charts ([`draw_sweep`]), drawn from a sweep's results folder (`sweep.rs` reads
//! it): [`RetentionCurves`] of its points (from `sweep_curve.csv`), a [`MetricChart`]
//! per metric against a swept field, [`CorrelationVsR`] against the points' effective
//! R, [`Heatmap`] of a grid over two fields, and [`Sensitivity`] of a Morris or Sobol'
//! study. Legends and axes of comparisons and sweeps say fields and values in words
//! (`words.rs`), and their series stay apart where they overprint (`series.rs`).

mod compare;
mod complaints;
mod correlation_vs_r;
mod draw;
mod heatmap;
mod layout;
mod metric;
mod render;
mod results;
mod retention_curve;
mod retention_curves;
mod selection;
mod sensitivity;
mod series;
mod style;
mod subtitle;
mod svg_text;
mod sweep;
#[cfg(test)]
mod tests;
mod text;
mod timeseries;
mod types;
mod word_of_mouth;
mod words;

pub use compare::Comparison;
pub use complaints::{ComplaintOrdering, Reference};
pub use correlation_vs_r::{CorrelationVsR, RunPoint};
pub use draw::{MAX_SERIES, draw_comparison, draw_complaints, draw_run, draw_sweep};
pub use heatmap::Heatmap;
pub use layout::Frame;
pub use metric::{DEFAULT_METRICS, MetricChart, MetricLine, MetricPoint, XScale};
pub use render::{BYTES_PER_ROW, BYTES_PER_TABLE_BYTE, memory_estimate, render};
pub use results::{
    ComplaintGroup, CurveBin, FirmPeriod, ResultsError, RunFolder, SUMMARY_METRICS, Summary,
};
pub use retention_curve::{RetentionCurve, Zones};
pub use retention_curves::{CurveSeries, PointGroup, RetentionCurves};
pub use selection::{Periods, Resolved, Selection};
pub use sensitivity::{Estimate, Panel, Sensitivity, Study};
pub use series::Look;
pub use style::Size;
pub use subtitle::{run_subtitle, selected_subtitle, thousands};
pub use sweep::{SensitivityRow, SweepCurveBin, SweepFolder, SweepPoint, is_sweep_folder};
pub use timeseries::Timeseries;
pub use types::TypeMix;
pub use word_of_mouth::WordOfMouth;

use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;

/// The charts `loyalsim run` draws for one run, in order; `complaints` only for runs in
/// which customers could complain, `word_of_mouth` only for runs with a network.
pub const RUN_CHARTS: [&str; 5] = [
    RetentionCurve::NAME,
    Timeseries::NAME,
    TypeMix::NAME,
    ComplaintOrdering::NAME,
    WordOfMouth::NAME,
];
/// The charts drawn over several runs, in order.
pub const COMPARISON_CHARTS: [&str; 3] =
    [RetentionCurves::NAME, CorrelationVsR::NAME, Heatmap::NAME];
/// The charts drawn of a sweep, in order; `metric` is one file per metric
/// (`metric_retention.png`, …).
pub const SWEEP_CHARTS: [&str; 5] = [
    RetentionCurves::NAME,
    MetricChart::NAME,
    CorrelationVsR::NAME,
    Heatmap::NAME,
    Sensitivity::NAME,
];

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    Png,
    Svg,
    #[default]
    Both,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "png" => Ok(Format::Png),
            "svg" => Ok(Format::Svg),
            "both" => Ok(Format::Both),
            _ => Err("expected png, svg or both".into()),
        }
    }
}

/// How to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    pub size: Size,
    pub format: Format,
    /// Replaces every chart's title; `Some("")` leaves titles out.
    pub title: Option<String>,
    /// Only these charts (by name); all when empty.
    pub only: Vec<String>,
    /// The metric to show (`--metric`): what a comparison heatmap maps (a
    /// `summary.json` metric), or a sweep's one metric chart and its heatmap (a name of
    /// the metric table). `None`: retention for heatmaps, [`DEFAULT_METRICS`] for a
    /// sweep's metric charts.
    pub metric: Option<String>,
    /// The periods and firm a run's charts draw (`--periods`, `--firm`); the whole run
    /// by default. Not for comparisons.
    pub selection: Selection,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            size: Size::SCREEN,
            format: Format::Both,
            title: None,
            only: Vec::new(),
            metric: None,
            selection: Selection::default(),
        }
    }
}

impl ChartOptions {
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.asks_for(name)
    }

    /// Whether `name` was asked for by name, so that not drawing it is an error.
    fn asks_for(&self, name: &str) -> bool {
        self.only.iter().any(|o| o == name)
    }

    fn frame(&self, title: &str, subtitle: String) -> Frame {
        Frame {
            title: self.title.clone().unwrap_or_else(|| title.to_string()),
            subtitle,
        }
    }
}

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Bad input: not a results folder, a missing column, an unknown chart name.
    #[error("{0}")]
    Input(String),
    #[error("cannot draw {chart}: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
}

impl From<ResultsError> for ChartError {
    fn from(e: ResultsError) -> Self {
        ChartError::Input(e.to_string())
    }
}

/// A chart: plain data that knows how to draw itself on any plotters backend.
pub trait Chart {
    /// The chart's name (`--chart`), and its file stem unless [`Chart::file_stem`]
    /// says otherwise: `retention_curve` gives `retention_curve.png` and `.svg`.
    const NAME: &'static str;
    /// The file stem, for charts drawn once per something (`metric_retention`).
    fn file_stem(&self) -> String {
        Self::NAME.to_string()
    }
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &style::Style,
    ) -> layout::Drawn<DB>;
}

/// What [`draw_run`] and [`draw_comparison`] wrote: the files written, and why any
/// chart was left out (`"heatmap: needs exactly two …"`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartFiles {
    pub files: Vec<String>,
    pub skipped: Vec<String>,
}
