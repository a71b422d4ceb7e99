//! Unit tests of the Parquet time series: every cell of its column's kind, a resumed
//! sink's files, the blocks and the names of parts and pieces.

use super::schema::Values;
use super::sink::{names_in, parse_piece, piece_name};
use super::*;
use crate::parameter::Plan;
use crate::report::columns::{self, Cell};
use crate::scenario::Scenario;
use std::fs;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// A sweep of `runs` tiny runs whose second firm enters late (missing means).
fn tiny(runs: u32) -> (Plan, toml::Table) {
    let text = format!(
        "customers = 30\nperiods = 3\n\
         [[firms]]\nname = \"A\"\n[[firms]]\nname = \"B\"\n\
         [[events]]\nperiod = 2\nkind = \"enter\"\nfirm = \"B\"\n\
         [sweep]\nreplications = {runs}\ntimeseries = \"parquet\"\n\
         [[sweep.vary]]\npath = \"constraint.r\"\nvalues = [\"inf\"]\n"
    );
    let mut base = Scenario::parse(&text, "tiny", &[]).unwrap();
    let plan = Plan::new(base.sweep.as_ref().unwrap(), base.seed).unwrap();
    base.sweep = None;
    let table = base.to_table();
    (plan.typed(&table).unwrap(), table)
}

fn columns_of(plan: &Plan, schema: &Schema, table: &toml::Table, i: u64) -> Columns {
    let points: Vec<OnceLock<_>> = plan.points.iter().map(|_| OnceLock::new()).collect();
    match crate::sweep::one_run(plan, Some(schema), table, &points, i)
        .unwrap()
        .2
    {
        crate::sweep::RunSeries::Parquet(c) => c,
        _ => panic!("a Parquet sweep's run gives columns"),
    }
}

#[test]
fn every_cell_is_of_its_column_s_kind() {
    let (plan, table) = tiny(1);
    let schema = Schema::new(&plan);
    let run = plan.run(0);
    let scenario = plan.scenario(&table, &run).unwrap();
    let results = crate::engine::Simulation::new(&scenario).run(scenario.periods);
    let report = crate::report::RunReport {
        scenario: &scenario,
        results: &results,
        elapsed: std::time::Duration::ZERO,
        threads: 1,
        warnings: &[],
    };
    let cols = columns::timeseries();
    let (mut rows, mut nulls) = (0, 0);
    for r in report.timeseries_rows() {
        for (j, c) in cols.iter().enumerate() {
            let cell = (c.value)(&r);
            nulls += (cell == Cell::Float(None)) as u32;
            assert_eq!(
                cell.dtype(),
                schema.kinds[4 + plan.paths.len() + j],
                "{}",
                c.name
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 6);
    assert!(
        nulls > 0,
        "the entrant's means are missing before it enters"
    );
    let c = columns_of(&plan, &schema, &table, 0);
    // A strength is a number, as in the CSV: "inf" is an infinite double.
    assert!(
        matches!(&c.values[4], Values::Float(x, _) if x.len() == 6 && x.iter().all(|v| v.is_infinite())),
        "constraint.r"
    );
}

fn listing(dir: &Path) -> Vec<String> {
    names_in(dir).unwrap().into_iter().map(|(n, _)| n).collect()
}

/// Appends runs `from..to` to `sink`, committing as the sweep does.
fn feed(sink: &mut Sink, plan: &Plan, table: &toml::Table, from: u64, to: u64) {
    for i in from..to {
        sink.append(columns_of(plan, &sink.schema(), table, i));
        let at = i + 1;
        if (at - from).is_multiple_of(16) || at == to || at.is_multiple_of(PART_RUNS) {
            sink.commit().unwrap();
            sink.tidy().unwrap();
        }
    }
}

#[test]
fn a_reopened_sink_keeps_what_was_committed_and_nothing_else() {
    let (plan, table) = tiny(300);
    let schema = Arc::new(Schema::new(&plan));
    let whole = tempfile::tempdir().unwrap();
    let mut sink = Sink::open(whole.path(), schema.clone(), 0, 300, 0).unwrap();
    feed(&mut sink, &plan, &table, 0, 300);
    sink.close().unwrap();
    assert!(!whole.path().join(PIECES).exists());
    let parts = whole.path().join(DIR);
    assert_eq!(listing(&parts), [part_name(0), part_name(1)]);

    let work = tempfile::tempdir().unwrap();
    let (w, pieces, partial) = (work.path(), work.path().join(PIECES), work.path().join(DIR));
    let mut sink = Sink::open(w, schema.clone(), 0, 300, 0).unwrap();
    feed(&mut sink, &plan, &table, 0, 272);
    drop(sink);
    assert_eq!(listing(&partial), [part_name(0)]);
    assert_eq!(listing(&pieces), [piece_name(256, 272)]);
    // What a process killed after its commit of run 272 may leave: a piece and a
    // part written but not committed, a piece of the finished block not yet removed.
    for stray in [
        pieces.join(piece_name(272, 288)),
        pieces.join(piece_name(240, 256)),
        pieces.join("runs-x.parquet"),
        partial.join(part_name(1)),
    ] {
        fs::write(stray, b"half written").unwrap();
    }
    let mut sink = Sink::open(w, schema.clone(), 0, 300, 272).unwrap();
    assert_eq!(listing(&partial), [part_name(0)]);
    assert_eq!(listing(&pieces), [piece_name(256, 272)]);
    feed(&mut sink, &plan, &table, 272, 300);
    sink.close().unwrap();
    for k in 0..2 {
        let name = part_name(k);
        assert!(fs::read(parts.join(&name)).unwrap() == fs::read(partial.join(&name)).unwrap());
    }

    // Committed runs whose pieces are gone: refused, not papered over.
    let gone = tempfile::tempdir().unwrap();
    let mut sink = Sink::open(gone.path(), schema.clone(), 0, 300, 0).unwrap();
    feed(&mut sink, &plan, &table, 0, 32);
    drop(sink);
    fs::remove_file(gone.path().join(PIECES).join(piece_name(0, 16))).unwrap();
    let e = Sink::open(gone.path(), schema, 0, 300, 32).err().unwrap();
    assert!(e.to_string().contains("missing"), "{e}");
}

#[test]
fn blocks_are_fixed_by_run_index_and_clipped_to_the_slice() {
    let b: Vec<_> = blocks(0, 600).collect();
    assert_eq!(b, [(0, 0, 256), (1, 256, 512), (2, 512, 600)]);
    let b: Vec<_> = blocks(200, 300).collect();
    assert_eq!(b, [(0, 200, 256), (1, 256, 300)]);
    assert_eq!(blocks(256, 512).collect::<Vec<_>>(), [(1, 256, 512)]);
    assert_eq!(blocks(5, 5).count(), 0);
    assert_eq!(part_name(3), "part-000003.parquet");
    assert_eq!(parse_piece(&piece_name(16, 32)), Some((16, 32)));
}
