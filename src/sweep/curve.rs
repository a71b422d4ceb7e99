//! The retention curve of every point of a sweep, pooled over its replications.
//!
//! Each run's curve goes into `sweep_curve_runs.csv` as it finishes (a row per run and
//! CS bin: the run's prefix, `bin`, then curve.csv's columns), streamed and resumed with
//! the other files. When the sweep is complete (or merged), `sweep_curve.csv` is made
//! from it, as `sweep_summary.csv` is made from `sweep.csv`: a row per point and bin,
//! the observations and stays added over the point's runs, the retention with its 95%
//! Wilson interval, and the model's f(CS) and expected CL as observation-weighted
//! means. Rows of one point are contiguous (runs are in point order), so memory holds
//! one point's bins at a time, and a merge gives the same bytes as one process.

use crate::report::columns::{Cell, SWEEP_CURVE, push_csv_field, push_csv_record};
use crate::stats::wilson;
use std::io::{self, Write};
use std::path::Path;

/// One bin of one point, being pooled.
#[derive(Debug, Clone, Default)]
struct Bin {
    bounds: [String; 3],
    runs: u64,
    observations: u64,
    stayed: u64,
    /// Σ observations × the run's mean: of CS, f(CS) and expected CL.
    cs: f64,
    f: f64,
    cl: f64,
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Reads `runs_csv` (the per-run curves) and writes `pooled_csv`; `n_paths` swept
/// fields follow the four run columns.
pub fn pool(runs_csv: &Path, pooled_csv: &Path, n_paths: usize) -> io::Result<()> {
    let mut reader = csv::Reader::from_path(runs_csv)?;
    let header = reader.headers()?.clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| invalid(format!("{}: no column {name}", runs_csv.display())))
    };
    let (point_col, bin_col, obs, stayed) =
        (at("point")?, at("bin")?, at("observations")?, at("stayed")?);
    let means = [at("cs_mean")?, at("f_theory")?, at("cl_theory")?];
    let bounds = [at("cs_low")?, at("cs_mid")?, at("cs_high")?];
    let mut out = io::BufWriter::new(std::fs::File::create(pooled_csv)?);
    let mut head: Vec<u8> = b"point,".to_vec();
    for p in header.iter().skip(4).take(n_paths) {
        push_csv_field(&mut head, p.as_bytes());
        head.push(b',');
    }
    let names: Vec<&str> = SWEEP_CURVE.iter().map(|c| c.0).collect();
    head.extend_from_slice(names.join(",").as_bytes());
    head.push(b'\n');
    out.write_all(&head)?;
    // The point being pooled: its number, swept values (as written) and bins.
    let mut current: Option<(String, Vec<String>, Vec<Bin>)> = None;
    let emit = |c: (String, Vec<String>, Vec<Bin>), out: &mut dyn Write| -> io::Result<()> {
        let mut prefix = Vec::new();
        push_csv_field(&mut prefix, c.0.as_bytes());
        prefix.push(b',');
        for v in &c.1 {
            push_csv_field(&mut prefix, v.as_bytes());
            prefix.push(b',');
        }
        let mut rows = Vec::new();
        for (i, b) in c.2.iter().enumerate() {
            let per =
                |sum: f64| Cell::Float((b.observations > 0).then(|| sum / b.observations as f64));
            let interval = wilson(b.stayed, b.observations);
            let bound = |k: usize| Cell::Float(b.bounds[k].parse::<f64>().ok());
            push_csv_record(
                &mut rows,
                &prefix,
                [
                    Cell::Int(i as u64),
                    bound(0),
                    bound(1),
                    bound(2),
                    Cell::Int(b.runs),
                    Cell::Int(b.observations),
                    Cell::Int(b.stayed),
                    Cell::Float(
                        (b.observations > 0).then(|| b.stayed as f64 / b.observations as f64),
                    ),
                    Cell::Float(interval.map(|(lo, _)| lo)),
                    Cell::Float(interval.map(|(_, hi)| hi)),
                    per(b.cs),
                    per(b.f),
                    per(b.cl),
                ]
                .into_iter(),
            );
        }
        out.write_all(&rows)
    };
    for row in reader.records() {
        let row = row?;
        let point = row.get(point_col).unwrap_or("").to_string();
        if current.as_ref().is_some_and(|c| c.0 != point) {
            emit(current.take().expect("checked"), &mut out)?;
        }
        let c = current.get_or_insert_with(|| {
            let values = row.iter().skip(4).take(n_paths).map(String::from).collect();
            (point.clone(), values, Vec::new())
        });
        let bin: usize = row
            .get(bin_col)
            .and_then(|b| b.parse().ok())
            .ok_or_else(|| invalid(format!("{}: a row without its bin", runs_csv.display())))?;
        if c.2.len() <= bin {
            c.2.resize(bin + 1, Bin::default());
        }
        let b = &mut c.2[bin];
        let number = |k: usize| row.get(k).and_then(|v| v.parse::<f64>().ok());
        let count = |k: usize| row.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        b.bounds = bounds.map(|k| row.get(k).unwrap_or("").to_string());
        let n = count(obs);
        b.runs += 1;
        b.observations += n;
        b.stayed += count(stayed);
        // A bin without observations has no f or CL to weigh.
        if n > 0 {
            let [cs, f, cl] = means.map(|k| n as f64 * number(k).unwrap_or(0.0));
            b.cs += cs;
            b.f += f;
            b.cl += cl;
        }
    }
    if let Some(c) = current.take() {
        emit(c, &mut out)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_added_over_a_point_s_runs_and_means_weighted_by_observations() {
        let dir = tempfile::tempdir().unwrap();
        let (runs, pooled) = (dir.path().join("runs.csv"), dir.path().join("pooled.csv"));
        let head = "run,point,replicate,seed,constraint.r,bin,cs_low,cs_mid,cs_high,\
                    observations,stayed,retention,retention_low,retention_high,cs_mean,\
                    f_theory,cl_theory,r_eff\n";
        // Point 0: two runs; point 1: one run with an empty bin.
        let rows = "0,0,0,11,0.5,0,1.0,1.0,1.5,10,5,0.5,,,1.2,0.25,0.5,0.5\n\
                    0,0,0,11,0.5,1,1.5,2.0,2.5,0,0,,,,,,,\n\
                    1,0,1,12,0.5,0,1.0,1.0,1.5,30,27,0.9,,,1.4,0.75,0.9,0.5\n\
                    1,0,1,12,0.5,1,1.5,2.0,2.5,2,2,1.0,,,2.1,0.5,1.0,0.5\n\
                    2,1,0,13,inf,0,1.0,1.0,1.5,0,0,,,,,,,\n";
        std::fs::write(&runs, format!("{head}{rows}")).unwrap();
        pool(&runs, &pooled, 1).unwrap();
        let text = std::fs::read_to_string(&pooled).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "point,constraint.r,bin,cs_low,cs_mid,cs_high,runs,observations,stayed,\
             retention,retention_low,retention_high,cs_mean,f_theory,cl_theory"
        );
        let (lo, hi) = wilson(32, 40).unwrap();
        assert_eq!(
            lines[1],
            format!(
                "0,0.5,0,1.0,1.0,1.5,2,40,32,0.8,{},{},1.35,0.625,0.8",
                crate::report::columns::csv_float(lo),
                crate::report::columns::csv_float(hi)
            )
        );
        assert!(
            lines[2].starts_with("0,0.5,1,1.5,2.0,2.5,2,2,2,1.0,"),
            "{}",
            lines[2]
        );
        // No observations: no retention, interval or means.
        assert_eq!(lines[3], "1,inf,0,1.0,1.0,1.5,1,0,0,,,,,,");
        assert_eq!(lines.len(), 4);
    }
}
