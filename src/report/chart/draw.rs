//! The entry points: which charts a run's, several runs' or a sweep's results folder
//! gets, which are left out and why, and the names asked for checked before anything is
//! drawn.

use super::render::{create_dir, render};
use super::subtitle::{run_subtitle, selected_subtitle};
use super::{
    COMPARISON_CHARTS, ChartError, ChartFiles, ChartOptions, Comparison, ComplaintOrdering,
    CorrelationVsR, DEFAULT_METRICS, Heatmap, MetricChart, RUN_CHARTS, RetentionCurve,
    RetentionCurves, RunFolder, SUMMARY_METRICS, SWEEP_CHARTS, Sensitivity, SweepFolder,
    Timeseries, TypeMix, WordOfMouth, is_sweep_folder,
};
use std::path::{Path, PathBuf};

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
    if let Some(m) = &options.metric {
        return Err(ChartError::Input(format!(
            "--metric {m}: changes nothing for one run's charts; expected it with several \
             runs (the heatmap's metric) or a sweep's folder (its metric chart)"
        )));
    }
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
