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
mod heatmap;
mod layout;
mod metric;
mod results;
mod retention_curve;
mod retention_curves;
mod selection;
mod sensitivity;
mod series;
mod style;
mod svg_text;
mod sweep;
mod text;
mod timeseries;
mod types;
mod word_of_mouth;
mod words;

pub use compare::Comparison;
pub use complaints::{ComplaintOrdering, Reference};
pub use correlation_vs_r::{CorrelationVsR, RunPoint};
pub use heatmap::Heatmap;
pub use layout::Frame;
pub use metric::{DEFAULT_METRICS, MetricChart, MetricLine, MetricPoint, XScale};
pub use results::{
    ComplaintGroup, CurveBin, FirmPeriod, ResultsError, RunFolder, SUMMARY_METRICS, Summary,
};
pub use retention_curve::{RetentionCurve, Zones};
pub use retention_curves::{CurveSeries, PointGroup, RetentionCurves};
pub use selection::{Periods, Resolved, Selection};
pub use sensitivity::{Estimate, Panel, Sensitivity, Study};
pub use series::Look;
pub use style::Size;
pub use sweep::{SensitivityRow, SweepCurveBin, SweepFolder, SweepPoint, is_sweep_folder};
pub use timeseries::Timeseries;
pub use types::TypeMix;
pub use word_of_mouth::WordOfMouth;

use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;
use std::path::{Path, PathBuf};

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

/// Draws `chart` into the folder `out` as PNG and/or SVG; returns the file names.
pub fn render<C: Chart>(
    chart: &C,
    out: &Path,
    options: &ChartOptions,
) -> Result<Vec<String>, ChartError> {
    let mut files = Vec::new();
    let size = options.size;
    // Checked here too, not only where --size is parsed: the drawing buffer of a PNG
    // grows with the pixels, and a library caller may ask for any size.
    let sides = 1..=Size::MAX_SIDE;
    let dpi = 0.0..=Size::MAX_DPI;
    if !sides.contains(&size.width)
        || !sides.contains(&size.height)
        || !dpi.contains(&size.dpi)
        || size.dpi == 0.0
    {
        return Err(ChartError::Input(format!(
            "chart size {}x{} at {} dpi: expected 1 to {} pixels a side, above 0 to {} dpi",
            size.width,
            size.height,
            size.dpi,
            Size::MAX_SIDE,
            Size::MAX_DPI
        )));
    }
    let stem = chart.file_stem();
    if matches!(options.format, Format::Png | Format::Both) {
        let name = format!("{stem}.png");
        write_file(out, &name, &png(chart, size)?)?;
        files.push(name);
    }
    if matches!(options.format, Format::Svg | Format::Both) {
        let name = format!("{stem}.svg");
        write_file(out, &name, svg(chart, size)?.as_bytes())?;
        files.push(name);
    }
    Ok(files)
}

fn draw_error<C: Chart>(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw {
        chart: C::NAME,
        message: e.to_string(),
    }
}

/// Bytes the charts hold per row of `timeseries.csv` (a period and a firm) while they
/// are drawn: the table read back, its rows, the series. Measured at about 0.9 kB (a
/// run of 200,000 periods took 175 MB more with its charts than without).
pub const BYTES_PER_ROW: u64 = 1024;

/// Bytes the charts hold per byte of `timeseries.csv` (about 100 bytes a row).
pub const BYTES_PER_TABLE_BYTE: u64 = 10;

/// About how many bytes drawing the charts of a run with `rows` rows of `timeseries.csv`
/// takes at `size`: the tables read back and the drawing buffer of a PNG.
pub fn memory_estimate(rows: u64, size: Size) -> u64 {
    let k = supersample(size) as u64;
    let buffer = (size.width as u64 * k) * (size.height as u64 * k) * 3;
    rows.saturating_mul(BYTES_PER_ROW).saturating_add(buffer)
}

/// Pixels drawn per pixel written, in each direction: the bitmap backend does not
/// smooth lines, so charts are drawn this much larger and averaged down. Three for
/// screen and print sizes; less for very large figures, whose drawing buffer would
/// otherwise take gigabytes (and whose lines are smoother by their size alone).
fn supersample(size: Size) -> u32 {
    match size.width as u64 * size.height as u64 {
        0..=5_000_000 => 3,
        5_000_001..=12_000_000 => 2,
        _ => 1,
    }
}

/// The chart as PNG bytes: RGB, with the pixel density of `size` so that word
/// processors place a print figure at its size in inches.
fn png<C: Chart>(chart: &C, size: Size) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (size.width, size.height);
    let k = supersample(size);
    let large = Size {
        width: w * k,
        height: h * k,
        dpi: size.dpi * k as f64,
    };
    let mut drawn = vec![255u8; large.width as usize * large.height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut drawn, (large.width, large.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error::<C>)?;
        chart
            .draw(&root, &style::Style::new(large, false))
            .map_err(draw_error::<C>)?;
        root.present().map_err(draw_error::<C>)?;
    }
    let pixels = downsample(&drawn, w as usize, h as usize, k as usize);
    let mut bytes = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    let per_metre = (size.dpi / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(::png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: ::png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(draw_error::<C>)?;
    writer.write_image_data(&pixels).map_err(draw_error::<C>)?;
    writer.finish().map_err(draw_error::<C>)?;
    Ok(bytes)
}

/// Averages each `k` × `k` block of an RGB image `k` times the size of `w` × `h`.
/// `while` loops over plain indices: this also runs in unoptimised test builds, where
/// iterator adapters cost a call each.
fn downsample(large: &[u8], w: usize, h: usize, k: usize) -> Vec<u8> {
    let stride = w * k * 3;
    let n = (k * k) as u32;
    let mut out = vec![0u8; w * h * 3];
    let mut sums = vec![0u32; w * 3];
    let mut y = 0;
    while y < h {
        sums.fill(0);
        let mut i = y * k * stride;
        let end = i + k * stride;
        let mut j = 0;
        while i < end {
            // Columns k·x .. k·x + k − 1 of a source row add into output column x.
            sums[j] += large[i] as u32;
            sums[j + 1] += large[i + 1] as u32;
            sums[j + 2] += large[i + 2] as u32;
            i += 3;
            if i.is_multiple_of(k * 3) {
                j += 3;
                if j == w * 3 {
                    j = 0;
                }
            }
        }
        let o = y * w * 3;
        let mut c = 0;
        while c < w * 3 {
            out[o + c] = ((sums[c] + n / 2) / n) as u8;
            c += 1;
        }
        y += 1;
    }
    out
}

/// The chart as SVG, its text as outlines of the embedded font (`svg_text.rs`).
fn svg<C: Chart>(chart: &C, size: Size) -> Result<String, ChartError> {
    let mut text = String::new();
    let (drawn, placed) = svg_text::collect(|| -> Result<(), ChartError> {
        let root =
            SVGBackend::with_string(&mut text, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error::<C>)?;
        chart
            .draw(&root, &style::Style::new(size, true))
            .map_err(draw_error::<C>)?;
        root.present().map_err(draw_error::<C>)?;
        Ok(())
    });
    drawn?;
    svg_text::outline(&text, &placed).map_err(draw_error::<C>)
}

/// Writes a file whole: into a hidden temporary name, then renamed. The name is the
/// same for every process, so one left by a killed `plot` is overwritten by the next:
/// only one command at a time writes into a folder (`report::lock`).
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ChartError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.partial"));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|source| ChartError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn create_dir(dir: &Path) -> Result<(), ChartError> {
    std::fs::create_dir_all(dir).map_err(|source| ChartError::Write {
        path: dir.display().to_string(),
        source,
    })
}

/// A chart asked for by name that cannot be drawn: `--chart heatmap: no heatmap: …`.
fn cannot_draw(name: &str, why: &str) -> ChartError {
    ChartError::Input(format!("--chart {name}: no {name} chart: {why}"))
}

fn check_names(options: &ChartOptions, known: &[&str], what: &str) -> Result<(), ChartError> {
    for name in &options.only {
        if !known.contains(&name.as_str()) {
            return Err(ChartError::Input(format!(
                "--chart {name}: not a chart of {what}; expected one of {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// "showcase · seed 20261123 · 100,000 customers · 60 periods".
pub fn run_subtitle(s: &Summary) -> String {
    format!(
        "{} · seed {} · {} customers · {} periods",
        s.name,
        s.seed,
        thousands(s.customers),
        s.periods
    )
}

/// [`run_subtitle`], with the window and firm of a selection in place of the run's
/// periods: "monopoly_entry · seed 1 · 100,000 customers · periods 20–40 of 40 ·
/// firm Incumbent".
pub fn selected_subtitle(s: &Summary, selection: Option<&Resolved>) -> String {
    let Some(sel) = selection else {
        return run_subtitle(s);
    };
    let (a, b) = sel.periods;
    let periods = if (a, b) == (1, sel.of) {
        format!("{} periods", s.periods)
    } else {
        sel.describe_periods()
    };
    let firm = sel
        .firm
        .as_ref()
        .map_or(String::new(), |f| format!(" · firm {f}"));
    format!(
        "{} · seed {} · {} customers · {periods}{firm}",
        s.name,
        s.seed,
        thousands(s.customers)
    )
}

/// 100000 → "100,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What [`draw_run`] and [`draw_comparison`] wrote: the files written, and why any
/// chart was left out (`"heatmap: needs exactly two …"`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartFiles {
    pub files: Vec<String>,
    pub skipped: Vec<String>,
}

/// Why the `complaints` chart is not drawn for a selection.
const POOLED: &str =
    "complaints.csv pools the whole run and every firm: drawn without --periods and --firm";

/// Draws the charts of the results folder `dir` into `out` (often `dir` itself).
///
/// The `complaints` chart is drawn only for runs in which customers could complain
/// (`complaints.rate > 0`), and `word_of_mouth` only for runs with a word-of-mouth
/// network; for other runs they are left out silently, or, when `options.only` names
/// one, the call is a [`ChartError::Input`] saying why, before anything is drawn.
///
/// With a selection (`options.selection`: a window of periods, one firm) the charts
/// draw that part of the run and their subtitles say which; a window outside the run
/// or a firm not in it is a [`ChartError::Input`] naming it. `complaints.csv` pools the
/// whole run, so the `complaints` chart is then left out, saying why in
/// [`ChartFiles::skipped`].
pub fn draw_run(dir: &Path, out: &Path, options: &ChartOptions) -> Result<ChartFiles, ChartError> {
    check_names(options, &RUN_CHARTS, "a run")?;
    let run = RunFolder::read(dir)?;
    let firms: Vec<String> = run.scenario.firms.iter().map(|f| f.name.clone()).collect();
    let selection = options
        .selection
        .resolve(run.summary.periods.min(u32::MAX as u64) as u32, &firms)
        .map_err(ChartError::Input)?;
    let selection = selection.as_ref();
    let subtitle = selected_subtitle(&run.summary, selection);
    let complaints = options.wants(ComplaintOrdering::NAME).then(|| {
        ComplaintOrdering::from_run(
            &run,
            options.frame(ComplaintOrdering::TITLE, subtitle.clone()),
        )
        .and_then(|chart| match selection {
            Some(_) => Err(POOLED.to_string()),
            None => Ok(chart),
        })
    });
    let words = options.wants(WordOfMouth::NAME).then(|| {
        WordOfMouth::from_run(
            &run,
            selection,
            options.frame(&WordOfMouth::title(selection), subtitle.clone()),
        )
    });
    for (name, chart) in [
        (
            ComplaintOrdering::NAME,
            complaints.as_ref().map(|c| c.as_ref().err()),
        ),
        (WordOfMouth::NAME, words.as_ref().map(|c| c.as_ref().err())),
    ] {
        if let Some(Some(why)) = chart
            && options.asks_for(name)
        {
            return Err(cannot_draw(name, why));
        }
    }
    if let Some(s) = selection
        && !run
            .timeseries
            .iter()
            .any(|r| s.has(r.period, &r.firm) && r.customers > 0)
    {
        return Err(ChartError::Input(format!(
            "{}: no customer decided in {}; expected a selection with customers",
            s.options(),
            s.describe()
        )));
    }
    let curve = options
        .wants(RetentionCurve::NAME)
        .then(|| {
            RetentionCurve::from_run(
                &run,
                selection,
                options.frame(RetentionCurve::TITLE, subtitle.clone()),
            )
        })
        .transpose()?;
    create_dir(out)?;
    let mut drawn = ChartFiles::default();
    if let Some(chart) = &curve {
        drawn.files.extend(render(chart, out, options)?);
    }
    if options.wants(Timeseries::NAME) {
        let chart = Timeseries::from_run(
            &run,
            selection,
            options.frame(&Timeseries::title(&run, selection), subtitle.clone()),
        );
        drawn.files.extend(render(&chart, out, options)?);
    }
    if options.wants(TypeMix::NAME) {
        let chart = TypeMix::from_run(
            &run,
            selection,
            options.frame(&TypeMix::title(selection), subtitle.clone()),
        );
        drawn.files.extend(render(&chart, out, options)?);
    }
    // Not asked for by name and not for this run: left out silently; left out for a
    // selection, saying why.
    match &complaints {
        Some(Ok(chart)) => drawn.files.extend(render(chart, out, options)?),
        Some(Err(why)) if why == POOLED => drawn
            .skipped
            .push(format!("{} chart: {why}", ComplaintOrdering::NAME)),
        _ => {}
    }
    if let Some(Ok(chart)) = &words {
        drawn.files.extend(render(chart, out, options)?);
    }
    Ok(drawn)
}

/// Draws the `complaints` chart of the results folder `dir` into `out` (PNG and/or SVG
/// as `options.format` says; `options.only` is not consulted), with `reference` — a
/// legend label and four shares in [0, 1] in TARP's order (did not complain,
/// complained and unresolved, resolved, resolved quickly), e.g.
/// `("TARP (published)", [0.09, 0.19, 0.54, 0.82])` — marked on the bars when given.
/// Returns the files written.
///
/// A run without complaints (`complaints.rate = 0`), or reference values outside
/// [0, 1], is a [`ChartError::Input`] saying so.
pub fn draw_complaints(
    dir: &Path,
    out: &Path,
    options: &ChartOptions,
    reference: Option<(&str, [f64; 4])>,
) -> Result<Vec<String>, ChartError> {
    if let Some((label, values)) = reference
        && let Some(v) = values.iter().find(|v| !(0.0..=1.0).contains(*v))
    {
        return Err(ChartError::Input(format!(
            "reference {label:?}: {v} is not a share in [0, 1] (write 54% as 0.54)"
        )));
    }
    let run = RunFolder::read(dir)?;
    let frame = options.frame(ComplaintOrdering::TITLE, run_subtitle(&run.summary));
    let mut chart = ComplaintOrdering::from_run(&run, frame).map_err(|why| {
        ChartError::Input(format!(
            "{}: no {} chart: {why}",
            dir.display(),
            ComplaintOrdering::NAME
        ))
    })?;
    if let Some((label, values)) = reference {
        chart = chart.with_reference(label, values);
    }
    create_dir(out)?;
    render(&chart, out, options)
}

/// Draws the comparison charts of several results folders into `out`.
pub fn draw_comparison(
    dirs: &[PathBuf],
    out: &Path,
    options: &ChartOptions,
) -> Result<ChartFiles, ChartError> {
    check_names(options, &COMPARISON_CHARTS, "several runs")?;
    let metric = options.metric.as_deref().unwrap_or("retention");
    if !SUMMARY_METRICS.contains(&metric) {
        return Err(ChartError::Input(format!(
            "--metric {metric}: expected one of {} (of summary.json, for comparisons)",
            SUMMARY_METRICS.join(", ")
        )));
    }
    if let Some(d) = dirs.iter().find(|d| is_sweep_folder(d)) {
        return Err(ChartError::Input(format!(
            "{} is a sweep's results folder: plot it alone (`loyalsim plot {}`); several \
             folders are compared as runs",
            d.display(),
            d.display()
        )));
    }
    let mut runs = dirs
        .iter()
        .map(|d| RunFolder::read(d))
        .collect::<Result<Vec<_>, _>>()?;
    // Legends and lines follow the varied values (none, low, …, inf), not folder order.
    let order = Comparison::of(&runs).order();
    runs = order.into_iter().map(|i| runs[i].clone()).collect();
    let comparison = Comparison::of(&runs);
    let subtitle = comparison.subtitle(&runs);
    let heatmap = options.wants(Heatmap::NAME).then(|| {
        Heatmap::from_runs(
            &runs,
            &comparison,
            metric,
            options.frame(Heatmap::TITLE, subtitle.clone()),
        )
    });
    if let Some(Err(why)) = &heatmap
        && options.asks_for(Heatmap::NAME)
    {
        return Err(cannot_draw(Heatmap::NAME, why));
    }
    create_dir(out)?;
    let mut drawn = ChartFiles::default();
    if options.wants(RetentionCurves::NAME) {
        let chart = RetentionCurves::from_runs(
            &runs,
            &comparison,
            options.frame(RetentionCurves::TITLE, subtitle.clone()),
        );
        drawn.files.extend(render(&chart, out, options)?);
    }
    if options.wants(CorrelationVsR::NAME) {
        let chart = CorrelationVsR::from_runs(
            &runs,
            &comparison,
            options.frame(CorrelationVsR::TITLE, subtitle.clone()),
        );
        drawn.files.extend(render(&chart, out, options)?);
    }
    match &heatmap {
        Some(Ok(chart)) => drawn.files.extend(render(chart, out, options)?),
        // Not asked for by name: left out, saying why.
        Some(Err(why)) => drawn.skipped.push(format!("{}: {why}", Heatmap::NAME)),
        None => {}
    }
    Ok(drawn)
}

/// A chart of a sweep, built before anything is drawn.
enum SweepChart {
    Curves(RetentionCurves),
    Metric(MetricChart),
    Correlation(CorrelationVsR),
    Heatmap(Heatmap),
    Sensitivity(Sensitivity),
}

impl SweepChart {
    fn render(&self, out: &Path, options: &ChartOptions) -> Result<Vec<String>, ChartError> {
        match self {
            SweepChart::Curves(c) => render(c, out, options),
            SweepChart::Metric(c) => render(c, out, options),
            SweepChart::Correlation(c) => render(c, out, options),
            SweepChart::Heatmap(c) => render(c, out, options),
            SweepChart::Sensitivity(c) => render(c, out, options),
        }
    }
}

/// The most lines (curves, series) a sweep's chart draws: beyond it the colours and
/// markers repeat and the legend no longer fits; such a chart is left out, saying why.
pub const MAX_SERIES: usize = 12;

/// Draws the charts of the sweep results folder `dir` (it has `manifest.json` and
/// `sweep_summary.csv`) into `out` (often `dir` itself), with the options of
/// [`draw_run`]; `options.metric` picks the one metric of the `metric` chart and the
/// heatmap, from the metric table.
///
/// A chart that does not apply to the kind of sweep (`sensitivity` of a grid; `metric`,
/// `retention_curves`, `correlation_vs_r` and `heatmap` of a Morris or Sobol' study,
/// whose points are samples for its indices, not settings to compare) is left out
/// silently; one that applies but cannot be
/// drawn from the folder (`retention_curves` without `sweep_curve.csv`, `heatmap` of a
/// zip) is left out with the reason in [`ChartFiles::skipped`]. Either, when
/// `options.only` names it, is a [`ChartError::Input`] saying why, before anything is
/// drawn.
pub fn draw_sweep(
    dir: &Path,
    out: &Path,
    options: &ChartOptions,
) -> Result<ChartFiles, ChartError> {
    check_names(options, &SWEEP_CHARTS, "a sweep")?;
    if let Some(m) = &options.metric
        && crate::report::metrics::find(m).is_none()
    {
        return Err(ChartError::Input(format!(
            "--metric {m}: expected one of {}",
            crate::report::metrics::names()
        )));
    }
    let folder = SweepFolder::read(dir)?;
    let subtitle = folder.subtitle();
    let sensitive = folder.sweep.design.is_sensitivity();
    // (name, chart or why not, whether it applies to this kind of sweep)
    let mut built: Vec<(&'static str, Result<SweepChart, String>, bool)> = Vec::new();
    if options.wants(RetentionCurves::NAME) {
        let frame = options.frame(RetentionCurves::SWEEP_TITLE, subtitle.clone());
        let chart = RetentionCurves::from_sweep(&folder, frame).map(SweepChart::Curves);
        built.push((RetentionCurves::NAME, chart, !sensitive));
    }
    if options.wants(MetricChart::NAME) {
        let metrics: Vec<&str> = match &options.metric {
            Some(m) => vec![m.as_str()],
            None => DEFAULT_METRICS.to_vec(),
        };
        for m in metrics {
            let frame = options.frame(&MetricChart::title(m), subtitle.clone());
            let chart = MetricChart::from_sweep(&folder, m, frame).map(SweepChart::Metric);
            built.push((MetricChart::NAME, chart, !sensitive));
        }
    }
    if options.wants(CorrelationVsR::NAME) {
        let frame = options.frame(CorrelationVsR::TITLE, subtitle.clone());
        let chart = CorrelationVsR::from_sweep(&folder, frame).map(SweepChart::Correlation);
        built.push((CorrelationVsR::NAME, chart, !sensitive));
    }
    if options.wants(Heatmap::NAME) {
        let metric = options.metric.as_deref().unwrap_or("retention");
        let frame = options.frame(Heatmap::TITLE, subtitle.clone());
        let chart = Heatmap::from_sweep(&folder, metric, frame).map(SweepChart::Heatmap);
        built.push((Heatmap::NAME, chart, !sensitive));
    }
    if options.wants(Sensitivity::NAME) {
        let chart = Sensitivity::from_sweep(&folder, options.metric.as_deref(), |study| {
            options.frame(Sensitivity::title(study), subtitle.clone())
        })
        .map(SweepChart::Sensitivity);
        built.push((Sensitivity::NAME, chart, sensitive));
    }
    for (name, chart, _) in &built {
        if let Err(why) = chart
            && options.asks_for(name)
        {
            return Err(cannot_draw(name, why));
        }
    }
    create_dir(out)?;
    let mut drawn = ChartFiles::default();
    for (name, chart, applies) in built {
        match chart {
            Ok(chart) => drawn.files.extend(chart.render(out, options)?),
            Err(why) => {
                let note = format!("{name}: {why}");
                if applies && !drawn.skipped.contains(&note) {
                    drawn.skipped.push(note);
                }
            }
        }
    }
    Ok(drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_averages_blocks() {
        // A 4 × 2 image of 2 × 2 blocks: white, black | black, white rows.
        let mut large = Vec::new();
        for row in 0..4 {
            for col in 0..4 {
                let white = (col < 2) == (row < 2);
                large.extend([if white { 255 } else { 0 }; 3]);
            }
        }
        assert_eq!(
            downsample(&large, 2, 2, 2),
            [255, 255, 255, 0, 0, 0, 0, 0, 0, 255, 255, 255]
        );
        let grey: Vec<u8> = [0u8, 255, 255, 0].iter().flat_map(|v| [*v; 3]).collect();
        assert_eq!(downsample(&grey, 1, 1, 2), [128, 128, 128]);
    }

    /// Draws `chart` to SVG at sizes from one pixel to long strips, and to PNG at the
    /// small ones and the default (the layout is the same for both; PNGs of thousands
    /// of pixels are slow in a test build).
    fn draws_at_every_size<C: Chart>(chart: &C) {
        for size in [
            Size::SCREEN,
            Size::PRINT,
            Size::pixels(400, 300),
            Size::pixels(8000, 300),
            Size::pixels(400, 8000),
            Size::pixels(10, 10),
            Size::pixels(1, 1),
        ] {
            let at = format!("{} at {}x{}", C::NAME, size.width, size.height);
            let svg = svg(chart, size).unwrap_or_else(|e| panic!("{at}: {e}"));
            // Text is outlined: no <text> is left for a viewer to set in its own font.
            let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{at}: {e}"));
            assert!(!doc.descendants().any(|n| n.has_tag_name("text")), "{at}");
            // Texts are fitted to the figure, not written out whole: at most a few
            // hundred characters fit across (or up) 2100 pixels.
            if size.width.max(size.height) <= 2100 {
                for label in doc.descendants().filter_map(|n| n.attribute("aria-label")) {
                    assert!(label.chars().count() < 300, "{at}: {label}");
                }
            }
            if size == Size::SCREEN || size.width.max(size.height) <= 400 {
                png(chart, size).unwrap_or_else(|e| panic!("{at}: {e}"));
            }
        }
    }

    fn long(prefix: &str) -> String {
        format!("{prefix} {}", "N".repeat(1000))
    }

    fn frame() -> Frame {
        Frame {
            title: long("title"),
            subtitle: long("subtitle"),
        }
    }

    #[test]
    fn charts_with_texts_wider_than_the_figure_draw_at_any_size() {
        let line = |v: f64| (1..=12).map(|p| (p, Some(v))).collect::<Vec<_>>();
        let firms = (0..40)
            .map(|i| timeseries::FirmSeries {
                firm: long(&format!("firm {i}")),
                colour: style::palette::series(i),
                share: line(0.025),
                retention: line(0.9),
            })
            .collect();
        // Six events in one period, a long one, and one in every period.
        let six = (0..6)
            .map(|i| format!("A value.product = {i}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut events = vec![(3, six), (5, long("exits"))];
        events.extend((1..=12).map(|p| (p, long("event"))));
        events.sort_by_key(|(p, _)| *p);
        draws_at_every_size(&Timeseries {
            frame: frame(),
            firms,
            events: events.clone(),
            periods: (1, 12),
            with_share: true,
        });
        draws_at_every_size(&WordOfMouth {
            frame: frame(),
            firms: (0..40)
                .map(|i| word_of_mouth::FirmWords {
                    firm: long(&format!("firm {i}")),
                    colour: style::palette::series(i),
                    positive: line(1e300),
                    negative: line(0.0),
                })
                .collect(),
            events: events.clone(),
            periods: (1, 12),
        });
        draws_at_every_size(&TypeMix {
            frame: frame(),
            periods: (1..=12).map(|p| (p, [1, 2, 3, 4, 5, 6])).collect(),
            events,
        });

        let bins: Vec<CurveBin> = (0..16)
            .map(|i| CurveBin {
                cs: 1.125 + 0.25 * i as f64,
                observations: 10,
                retention: Some(0.5),
                interval: Some((0.4, 0.6)),
                expected: Some(0.55),
            })
            .collect();
        let scenario = crate::scenario::Scenario::default();
        let mut structural = scenario.clone();
        structural.constraint.form = crate::scenario::ConstraintForm::Structural;
        for s in [&scenario, &structural] {
            draws_at_every_size(&RetentionCurve {
                frame: frame(),
                bins: bins.clone(),
                theory: retention_curve::Theory::of(s, &bins, Some(1e300)),
                zones: Zones::of(&s.loyalty),
            });
        }
        let labels: Vec<String> = (0..30).map(|i| long(&format!("run {i}"))).collect();
        let legend = |heading: &str| layout::Legend {
            heading: Some(long(heading)),
            entries: labels
                .iter()
                .enumerate()
                .map(|(i, l)| layout::Entry {
                    label: l.clone(),
                    key: Look::nth(i).key(),
                })
                .collect(),
            heading_room: 0.0,
        };
        draws_at_every_size(&RetentionCurves {
            frame: frame(),
            series: (0..30)
                .map(|i| CurveSeries {
                    bins: bins.clone(),
                    look: Look {
                        colour: i,
                        shape: i,
                        dash: i,
                    },
                })
                .collect(),
            legends: vec![legend("field"), legend("other field")],
            zones: Zones::of(&scenario.loyalty),
        });
        let huge = [0.0, 1e300, f64::INFINITY];
        draws_at_every_size(&CorrelationVsR {
            frame: frame(),
            groups: labels
                .iter()
                .map(|l| {
                    let points = huge
                        .map(|r| RunPoint {
                            r,
                            correlation: 0.1,
                            interval: Some((-1.0, 1e300)),
                        })
                        .to_vec();
                    (l.clone(), points)
                })
                .collect(),
            left_out: 3,
            unit: "run",
            interval_label: long("interval"),
            lines: true,
        });
        for x in [XScale::Numbers, XScale::Categories(labels.clone())] {
            draws_at_every_size(&MetricChart {
                frame: frame(),
                metric: "profit".into(),
                y_title: long("y"),
                percent: false,
                x_title: long("x"),
                x,
                heading: Some(long("heading")),
                lines: labels
                    .iter()
                    .map(|l| MetricLine {
                        label: l.clone(),
                        points: huge
                            .iter()
                            .zip([-1e300, 0.5, 1e300])
                            .map(|(&x, mean)| MetricPoint {
                                x,
                                mean,
                                interval: Some((mean - 1.0, f64::MAX)),
                            })
                            .collect(),
                    })
                    .collect(),
                connect: true,
                notes: vec![long("note"), long("note")],
                interval_label: long("interval"),
            });
        }
        let estimate = |v: f64| {
            Some(Estimate {
                value: v,
                interval: Some((-v, 1e300)),
            })
        };
        for study in [Study::Sobol, Study::Morris] {
            draws_at_every_size(&Sensitivity {
                frame: frame(),
                study,
                factors: labels.clone(),
                panels: (0..12)
                    .map(|i| Panel {
                        title: long(&format!("metric {i}")),
                        noise: (i % 2 == 0).then_some(0.5),
                        indices: (0..30)
                            .map(|j| (estimate(j as f64 * 1e299), estimate(0.5)))
                            .collect(),
                    })
                    .collect(),
                order: long("order"),
            });
        }
        draws_at_every_size(&Heatmap {
            frame: frame(),
            x: (long("x field"), labels.clone()),
            y: (long("y field"), labels.clone()),
            values: vec![vec![Some(1e300); 30]; 30],
            metric: long("metric"),
            percent: false,
        });
        let group = |g: &str| ComplaintGroup {
            group: g.into(),
            episodes: 10,
            stayed: 5,
            retention: Some(0.5),
            interval: Some((0.4, 0.6)),
        };
        draws_at_every_size(
            &ComplaintOrdering {
                frame: frame(),
                groups: ["a", "b", "c", "d"].map(group).to_vec(),
                horizon: 4,
                reference: None,
            }
            .with_reference(&long("published"), [0.09, 0.19, 0.54, 0.82]),
        );
    }

    #[test]
    fn sizes_beyond_the_limit_are_refused_before_drawing() {
        let dir = tempfile::tempdir().unwrap();
        let chart = TypeMix {
            frame: frame(),
            periods: vec![(1, [1; 6])],
            events: Vec::new(),
        };
        for size in [
            Size::pixels(100_000, 100_000),
            Size::pixels(0, 10),
            Size {
                width: 100,
                height: 100,
                dpi: f64::NAN,
            },
        ] {
            let options = ChartOptions {
                size,
                ..Default::default()
            };
            let e = render(&chart, dir.path(), &options)
                .unwrap_err()
                .to_string();
            assert!(e.contains("8000 pixels a side"), "{e}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
