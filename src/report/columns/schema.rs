//! Every file's columns as the docs and the schema list them: [`tables`] gathers the
//! declarations of all the tables, which the docs, the Python test's schema and the
//! sweep writers' column names are all read from.

use super::sweep::{BIN_COLUMN, described, sensitivity};
use super::{
    Column, Dtype, SUMMARY_STATS, SWEEP_CURVE, complaints, curve, curve_by_period, survey,
    sweep_metrics, sweep_run, timeseries,
};

/// A column as the docs and the schema list it.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub name: String,
    pub dtype: Dtype,
    pub meaning: String,
}

impl<R> From<&Column<R>> for Described {
    fn from(c: &Column<R>) -> Described {
        Described {
            name: c.name.to_string(),
            dtype: c.dtype,
            meaning: c.meaning.to_string(),
        }
    }
}

/// An entry of a file's columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Column(Described),
    /// A sweep's swept fields, one column each, named by their paths, with the types
    /// [`crate::parameter::Plan::dtypes`] gives them.
    Swept,
}

/// The name of a swept field's column in the sweep file `file`: its path, or
/// `swept.PATH` where the file has a column of that name already (`customers` in the
/// time series: the scenario's, beside each firm's), so that no file has two columns of
/// one name, which Polars refuses to load.
pub fn swept_column(file: &str, path: &str) -> String {
    let taken = tables()
        .into_iter()
        .find(|(f, _)| *f == file)
        .is_some_and(|(_, entries)| {
            entries
                .iter()
                .any(|e| matches!(e, Entry::Column(c) if c.name == path))
        });
    if taken {
        format!("swept.{path}")
    } else {
        path.to_string()
    }
}

/// Every CSV file loyalsim writes, with its columns in order.
pub fn tables() -> Vec<(&'static str, Vec<Entry>)> {
    fn all<R>(columns: &[Column<R>]) -> impl Iterator<Item = Entry> + '_ {
        columns.iter().map(|c| Entry::Column(c.into()))
    }
    let run: Vec<Entry> = all(&sweep_run()).chain([Entry::Swept]).collect();
    let mut summary = vec![
        Entry::Column(Described {
            name: "point".into(),
            dtype: Dtype::Int,
            meaning: "point of the design, from 0".into(),
        }),
        Entry::Swept,
        Entry::Column(Described {
            name: "runs".into(),
            dtype: Dtype::Int,
            meaning: "runs of the point".into(),
        }),
    ];
    for m in sweep_metrics() {
        for (stat, meaning) in SUMMARY_STATS {
            summary.push(Entry::Column(Described {
                name: format!("{}_{stat}", m.name),
                dtype: Dtype::Float,
                meaning: format!("`{}`: {meaning}", m.name),
            }));
        }
    }
    // `point` and the swept fields, then the pooled bin.
    let pooled = summary[..2]
        .iter()
        .cloned()
        .chain(described(&SWEEP_CURVE))
        .collect();
    vec![
        ("timeseries.csv", all(&timeseries()).collect()),
        ("curve.csv", all(&curve()).collect()),
        ("curve_by_period.csv", all(&curve_by_period()).collect()),
        ("survey.csv", all(&survey()).collect()),
        ("complaints.csv", all(&complaints()).collect()),
        (
            "sweep.csv",
            run.iter()
                .cloned()
                .chain(sweep_metrics().into_iter().map(Entry::Column))
                .collect(),
        ),
        (
            "sweep_timeseries.csv",
            run.iter().cloned().chain(all(&timeseries())).collect(),
        ),
        ("sweep_summary.csv", summary),
        ("sweep_curve.csv", pooled),
        (
            "sweep_curve_runs.csv",
            run.iter()
                .cloned()
                .chain(described(&[BIN_COLUMN]))
                .chain(all(&curve()))
                .collect(),
        ),
        ("sensitivity.csv", sensitivity()),
    ]
}
