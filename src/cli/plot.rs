//! `loyalsim plot`: charts drawn again from results folders, of one run, a comparison
//! of runs or a sweep, without simulating anything.

use super::{PlotArgs, claim_folder, memory, say};
use crate::error::Error;
use crate::report::chart::{self, ChartOptions};
use std::path::Path;

pub(super) fn plot(args: PlotArgs) -> Result<(), Error> {
    let options = ChartOptions {
        size: args.size,
        format: args.format,
        title: args.title.clone(),
        only: args.only.clone(),
        metric: args.metric.clone(),
        selection: args.selection.selection(),
    };
    memory::check_plot(&args.dirs, options.size)?;
    if let [dir] = &args.dirs[..] {
        let out = args.out.clone().unwrap_or_else(|| dir.clone());
        let _lock = claim_folder(&out)?;
        let drawn = if chart::is_sweep_folder(dir) {
            chart::draw_sweep(dir, &out, &options)
        } else {
            chart::draw_run(dir, &out, &options)
        }?;
        if !args.quiet {
            report_drawn(&out, &drawn);
        }
        return Ok(());
    }
    if !options.selection.is_whole() {
        return Err(Error::Usage(format!(
            "--periods, --firm: draw the charts of one run; {} results folders are compared \
             over their whole runs",
            args.dirs.len()
        )));
    }
    let Some(out) = &args.out else {
        return Err(Error::Usage(format!(
            "plot: {} results folders are compared into one set of charts; say where with --out DIR",
            args.dirs.len()
        )));
    };
    let _lock = claim_folder(out)?;
    let drawn = chart::draw_comparison(&args.dirs, out, &options)?;
    if !args.quiet {
        report_drawn(out, &drawn);
    }
    Ok(())
}

/// "wrote DIR/ (files)", unless nothing was, then why each chart was left out.
fn report_drawn(out: &Path, drawn: &chart::ChartFiles) {
    if !drawn.files.is_empty() {
        say(&format!(
            "wrote {}/ ({})\n",
            out.display(),
            drawn.files.join(", ")
        ));
    }
    for why in &drawn.skipped {
        eprintln!("loyalsim: no {why}");
    }
}
