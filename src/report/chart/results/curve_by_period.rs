//! The retention curve of a selection (a window of periods, one firm), added up from
//! `curve_by_period.csv` while it is streamed: apart from the tables read whole, as the
//! table may be several times the size of `timeseries.csv`.

use super::{CurveBin, ResultsError, RunFolder, malformed};

impl RunFolder {
    /// The retention curve of periods `first..=last` and, when `firm` names one, of
    /// that firm alone, added up from `curve_by_period.csv` as it is read (the table
    /// may be several times the size of `timeseries.csv`, and is never held whole).
    /// Bins without observations in the selection are left out.
    pub fn curve_of(
        &self,
        (first, last): (u32, u32),
        firm: Option<&str>,
    ) -> Result<Vec<CurveBin>, ResultsError> {
        let path = self.dir.join(CURVE_BY_PERIOD);
        if !path.is_file() {
            return Err(malformed(
                &path,
                "no such file: charts of a window of periods or of one firm (--periods, \
                 --firm) are drawn from it; this folder was written before runs wrote it, \
                 so run its scenario.toml again",
            ));
        }
        let mut reader =
            csv::Reader::from_path(&path).map_err(|e| malformed(&path, e.to_string()))?;
        let header = reader
            .headers()
            .map_err(|e| malformed(&path, e.to_string()))?
            .clone();
        let names = [
            "period",
            "firm",
            "cs_mid",
            "observations",
            "stayed",
            "cs_mean",
            "cl_theory",
        ];
        let mut at = [0usize; 7];
        for (slot, name) in at.iter_mut().zip(names) {
            *slot = header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| malformed(&path, format!("no column `{name}`")))?;
        }
        #[derive(Default)]
        struct Sums {
            observations: u64,
            stayed: u64,
            sum_cs: f64,
            sum_cl: f64,
        }
        // Bins by their centre, in millionths of a CS point: ordered along the scale.
        let mut bins: std::collections::BTreeMap<i64, Sums> = Default::default();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| malformed(&path, e.to_string()))?;
            let cell = |k: usize| row.get(at[k]).unwrap_or("").trim();
            let bad = |k: usize, expected: &str| {
                malformed(
                    &path,
                    format!(
                        "row {}: `{}` = {:?}: expected {expected}",
                        i + 1,
                        names[k],
                        cell(k)
                    ),
                )
            };
            let whole = |k: usize| cell(k).parse::<u64>().map_err(|_| bad(k, "a whole number"));
            let number = |k: usize, lo: f64, hi: f64, expected: &str| {
                cell(k)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (lo..=hi).contains(v))
                    .ok_or_else(|| bad(k, expected))
            };
            let period = whole(0)?;
            if period < first as u64 || period > last as u64 {
                continue;
            }
            if firm.is_some_and(|f| f != cell(1)) {
                continue;
            }
            let mid = number(2, 1.0, 5.0, "a CS from 1 to 5")?;
            let observations = whole(3)?;
            let stayed = whole(4)?;
            if stayed > observations {
                return Err(bad(4, &format!("at most the {observations} observations")));
            }
            let cs = number(5, 1.0, 5.0, "a CS from 1 to 5")?;
            let cl = number(6, 0.0, 1.0, "a share from 0 to 1")?;
            let sums = bins.entry((mid * 1e6).round() as i64).or_default();
            sums.observations = sums.observations.saturating_add(observations);
            sums.stayed = sums.stayed.saturating_add(stayed);
            sums.sum_cs += cs * observations as f64;
            sums.sum_cl += cl * observations as f64;
        }
        Ok(bins
            .into_values()
            .filter(|b| b.observations > 0)
            .map(|b| {
                let n = b.observations as f64;
                CurveBin {
                    cs: b.sum_cs / n,
                    observations: b.observations,
                    retention: Some(b.stayed as f64 / n),
                    interval: crate::stats::wilson(b.stayed, b.observations),
                    expected: Some((b.sum_cl / n).clamp(0.0, 1.0)),
                }
            })
            .collect())
    }
}

/// The file [`RunFolder::curve_of`] reads.
pub const CURVE_BY_PERIOD: &str = "curve_by_period.csv";
