"""Every file loyalsim writes loads with its documented types, whatever the run.

The files are read by tools that guess each column's type from its text. This test
runs loyalsim on shipped scenarios chosen so that every file has rows, infinities and
missing values (a market with complaints, a survey, word of mouth and an event; a
monopoly whose constraint is infinite; two small sweeps), then loads every CSV file
with pandas, Polars and DuckDB at their default settings and checks each column's type
against the type declared in src/report/columns/, which the Rust tests write into
schema.json beside this file (so the two cannot drift). It also checks that `inf` is
read as a float infinity and an empty cell as missing, by every tool; and that in every
JSON file a number is a number or null, of the same type in every run, with infinity
only ever as `null` plus `KEY_infinite: true`.

A column that is empty in every row of a file (`events` when nothing fired) has no
type a reader can see: Polars and DuckDB load it as text, pandas as float. Such a
column is accepted with any type, provided every tool loads all of it as missing; and
every declared column must be checked with values in at least one file, so no column
escapes the check by being empty everywhere.

Run with pytest (CI: .ci/run). LOYALSIM_BIN names the binary (default:
target/debug/loyalsim, which `cargo test` builds).
"""

import csv
import json
import math
import os
import subprocess
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BIN = Path(os.environ.get("LOYALSIM_BIN", ROOT / "target" / "debug" / "loyalsim"))
SCHEMA = json.loads((Path(__file__).parent / "schema.json").read_text())["files"]

# What each run is, and why it is here.
RUNS = {
    # Every table has rows: complaints, a survey every 4 periods, word of mouth, and
    # the scenario's event at period 30.
    "full": [
        "run", SCENARIOS / "service_recovery.toml",
        "--set", "customers=2000",
        "--set", "survey.every=4",
        "--set", "word_of_mouth.network=small_world",
    ],
    # R = inf: mean_r_eff and r_eff are infinite, and without discounting so is the
    # closed-form lifetime value.
    "monopoly_inf": [
        "run", SCENARIOS / "monopoly.toml",
        "--set", "customers=2000",
        "--set", "periods=6",
        "--set", "constraint.monopoly=inf",
        "--set", "economics.discount_rate=0",
    ],
    # A sweep with level names, an infinite level and a float field.
    "sweep": [
        "sweep", SCENARIOS / "constraint_benchmark.toml",
        "--set", "customers=300",
        "--set", "periods=3",
        "--set", "sweep.replications=2",
    ],
    # The same with an integer field and a float field given partly as integers.
    "sweep_typed": [
        "sweep", SCENARIOS / "constraint_benchmark.toml",
        "--set", "customers=300",
        "--set", "periods=3",
        "--set", "sweep.replications=2",
        "--set", "sweep.vary.1.path=periods",
        "--set", "sweep.vary.1.values=[2, 2, 3, 3, 3, 2, 2, 3, 3, 3]",
        "--set", "sweep.vary.2.values=[0, 0.5, 1, 2, 1000, 0, 0.5, 1, 2, 3]",
    ],
    # The first of two shards of it, for sweep_curve_runs.csv (a shard keeps its runs'
    # curves for the merge).
    "shard": [
        "sweep", SCENARIOS / "constraint_benchmark.toml",
        "--set", "customers=300",
        "--set", "periods=3",
        "--set", "sweep.replications=2",
        "--shard", "1/2",
    ],
    # The first sweep again, its time series as Parquet.
    "parquet": [
        "sweep", SCENARIOS / "constraint_benchmark.toml",
        "--set", "customers=300",
        "--set", "periods=3",
        "--set", "sweep.replications=2",
        "--timeseries", "parquet",
    ],
    # A sensitivity study (Sobol'), for sensitivity.csv: every factor a float range.
    "sensitivity": [
        "sweep", SCENARIOS / "constraint_sensitivity.toml",
        "--set", "customers=200",
        "--set", "periods=3",
        "--set", "sweep.samples=4",
    ],
}

# The swept columns' types, known from the sweeps above.
BENCHMARK = {
    "constraint.form": "string",
    "constraint.r": "float",
    "segments.0.switching_costs.procedural": "float",
}
SWEPT = {
    "sweep": BENCHMARK,
    "shard": BENCHMARK,
    "parquet": BENCHMARK,
    "sweep_typed": {
        "constraint.form": "string",
        "periods": "int",
        "segments.0.switching_costs.procedural": "float",
    },
    "sensitivity": {
        path: "float"
        for path in [
            "segments.0.switching_costs.procedural",
            "segments.0.switching_costs.financial",
            "segments.0.switching_costs.relational",
            "constraint.convenience",
            "constraint.inertia",
            "firms.0.value.service",
            "firms.0.inconsistency",
            "firms.0.resolution_rate",
        ]
    },
}

# A calibration, for fit.json.
TARGET = """
[[parameter]]
path = "constraint.r"
from = 0.0
to = 3.0

[[target]]
metric = "retention"
value = 0.8
tolerance = 0.05

[[target]]
metric = "mean_r_eff"
value = 1.0
tolerance = 0.5
"""


@pytest.fixture(scope="session")
def outputs(tmp_path_factory):
    """Runs loyalsim once per run above; the results folder of each, by name."""
    assert BIN.exists(), f"{BIN}: build it first (cargo build), or set LOYALSIM_BIN"
    base = tmp_path_factory.mktemp("loyalsim")
    dirs = {}
    for name, args in RUNS.items():
        dirs[name] = base / name
        command = [BIN, *args, "--quiet", "--out", dirs[name]]
        if args[0] in ("run", "sweep"):
            command.append("--no-charts")
        subprocess.run([str(a) for a in command], check=True)
    target = base / "target.toml"
    target.write_text(TARGET)
    dirs["calibration"] = base / "calibration"
    subprocess.run(
        [
            str(BIN), "calibrate", str(SCENARIOS / "competitive.toml"),
            "--target", str(target),
            "--set", "customers=1000", "--set", "periods=5",
            "--max-evals", "6", "--quiet", "--out", str(dirs["calibration"]),
        ],
        check=True,
    )
    return dirs


def csv_files(outputs):
    """(run, file name, path, expected [(column, dtype)]) of every CSV file written."""
    found = []
    for run, folder in outputs.items():
        for path in sorted(folder.glob("*.csv")):
            assert path.name in SCHEMA, f"{run}/{path.name}: not in schema.json"
            expected = []
            for entry in SCHEMA[path.name]:
                if entry.get("swept"):
                    paths = swept_paths(folder)
                    assert paths == list(SWEPT[run]), f"{run}: swept {paths}"
                    expected += [(swept_column(path.name, p), SWEPT[run][p]) for p in paths]
                else:
                    expected.append((entry["name"], entry["dtype"]))
            found.append((run, path.name, path, expected))
    return found


def swept_column(file, path):
    """A swept field's column: its path, or `swept.PATH` where the file has a column of
    that name already (columns::swept_column)."""
    taken = any(e.get("name") == path for e in SCHEMA[file])
    return f"swept.{path}" if taken else path


def swept_paths(folder):
    """The swept fields of a sweep, from its resolved scenario."""
    scenario = tomllib.loads((folder / "scenario.toml").read_text())
    return [v["path"] for v in scenario["sweep"]["vary"]]


def raw_columns(path):
    """Each column's cells as written: {column: [text, ...]}."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return {name: [row[i] for row in body] for i, name in enumerate(header)}


def declaration(file, column):
    """Which declaration a column comes from: a sweep's timeseries columns are
    timeseries.csv's."""
    timeseries = {e["name"] for e in SCHEMA["timeseries.csv"]}
    run_columns = {e["name"] for e in SCHEMA["sweep.csv"] if "name" in e}
    if file == "sweep_timeseries.csv" and column in timeseries and column not in run_columns:
        return ("timeseries.csv", column)
    return (file, column)


def test_every_csv_file_is_written_and_declared(outputs):
    written = {name for _, name, _, _ in csv_files(outputs)}
    assert written == set(SCHEMA), f"written {sorted(written)}, declared {sorted(SCHEMA)}"


def test_headers_are_the_declared_columns(outputs):
    for run, name, path, expected in csv_files(outputs):
        assert list(raw_columns(path)) == [c for c, _ in expected], f"{run}/{name}"


# Each tool: load a file with default settings; a column's type as int, float, string,
# bool or something else; and per column, how many values are missing and infinite.


def kind_of_pandas(s):
    """A pandas column's type as int, float, string, bool or something else."""
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "float"
    if pd.api.types.is_string_dtype(s):
        return "string"
    return str(s.dtype)


def kind_of_polars(dtype):
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    if dtype == pl.String:
        return "string"
    return str(dtype)


def kind_of_duckdb(t):
    if t in DUCKDB_INTS:
        return "int"
    if t in ("DOUBLE", "FLOAT"):
        return "float"
    if t == "VARCHAR":
        return "string"
    if t == "BOOLEAN":
        return "bool"
    return t


DUCKDB_INTS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
               "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}


def load_pandas(path):
    frame = pd.read_csv(path)

    def kind(column):
        return kind_of_pandas(frame[column])

    def counts(column):
        s = frame[column]
        infinite = int(s.map(lambda x: isinstance(x, float) and math.isinf(x)).sum())
        return int(s.isna().sum()), infinite

    return kind, counts


def load_polars(path):
    frame = pl.read_csv(path)

    def kind(column):
        return kind_of_polars(frame.schema[column])

    def counts(column):
        s = frame[column]
        infinite = int(s.is_infinite().sum()) if s.dtype.is_float() else 0
        return s.null_count(), infinite

    return kind, counts


def load_duckdb(path):
    db = duckdb.connect()
    db.execute(f"CREATE TABLE t AS SELECT * FROM read_csv_auto('{path}')")
    types = {row[0]: row[1] for row in db.execute("DESCRIBE t").fetchall()}

    def kind(column):
        return kind_of_duckdb(types[column])

    def counts(column):
        quoted = '"' + column.replace('"', '""') + '"'
        infinite = "0"
        if types[column] in ("DOUBLE", "FLOAT"):
            infinite = f"count(*) FILTER (WHERE isinf({quoted}))"
        missing, inf = db.execute(
            f"SELECT count(*) - count({quoted}), {infinite} FROM t"
        ).fetchone()
        return int(missing), int(inf)

    return kind, counts


@pytest.mark.parametrize("tool", [load_pandas, load_polars, load_duckdb],
                         ids=["pandas", "polars", "duckdb"])
def test_every_column_loads_with_its_documented_type(outputs, tool):
    checked, problems = set(), []
    for run, name, path, expected in csv_files(outputs):
        raw = raw_columns(path)
        kind, counts = tool(path)
        for column, dtype in expected:
            cells = raw[column]
            where = f"{run}/{name}: `{column}`"
            empty = sum(c == "" for c in cells)
            if empty == len(cells):
                # No value to show a type: any type, but all of it missing.
                if counts(column)[0] != len(cells):
                    problems.append(f"{where}: empty in the file but not all missing")
                continue
            checked.add(declaration(name, column))
            if tool is load_duckdb and kind(column) == "DATE" and set(cells) - {""} == {"inf"}:
                # DuckDB's DATE has an infinity, spelt `inf` too, and its sniffer tries
                # DATE before DOUBLE: a column of nothing but `inf` (mean_r_eff of a
                # monopoly, r_eff of a monopoly's curve, whose empty cells are bins
                # nobody reached) loads as DATE. Files that pandas and Polars write say
                # `inf` just the same; docs/scenario.md tells DuckDB users to give the type.
                continue
            if kind(column) != dtype:
                problems.append(f"{where}: loaded as {kind(column)}, documented {dtype}")
                continue
            missing, infinite = counts(column)
            # NaN: a swept field a point does not use (not applicable). pandas counts
            # it as missing; Polars and DuckDB keep it as a float NaN, not a null.
            nan = sum(c == "NaN" for c in cells)
            expected_missing = empty + (nan if tool is load_pandas else 0)
            if dtype in ("int", "float") and missing != expected_missing:
                problems.append(
                    f"{where}: {missing} missing, {empty} empty and {nan} NaN cells"
                )
            if dtype == "float" and infinite != sum(c in ("inf", "-inf") for c in cells):
                problems.append(f"{where}: {infinite} infinite, cells say otherwise")
    assert not problems, "\n".join(problems)
    declared = {declaration(file, e["name"]) for file, entries in SCHEMA.items()
                for e in entries if "name" in e}
    assert declared <= checked, f"never checked with values: {sorted(declared - checked)}"


def test_infinity_and_missing_appear_in_the_files(outputs):
    """The runs above do exercise what the checks are about."""
    cells = {
        (run, name): raw_columns(path) for run, name, path, _ in csv_files(outputs)
    }
    r_eff = cells[("monopoly_inf", "timeseries.csv")]["mean_r_eff"]
    assert set(r_eff) == {"inf"}, r_eff
    assert "inf" in cells[("sweep", "sweep.csv")]["mean_r_eff"]
    assert "inf" in cells[("sweep", "sweep_summary.csv")]["mean_r_eff_mean"]
    assert "" in cells[("monopoly_inf", "complaints.csv")]["retention"]
    procedural = cells[("sweep_typed", "sweep.csv")]["segments.0.switching_costs.procedural"]
    # Idle at the reduced points (0 to 4): not applicable, NaN; used at the structural.
    assert procedural[:4] == ["NaN"] * 4, procedural
    assert procedural[10:14] == ["0.0", "0.0", "0.5", "0.5"], procedural
    assert cells[("sweep_typed", "sweep.csv")]["periods"][:5] == ["2", "2", "2", "2", "3"]


# Parquet


def parquet_types(run, outputs):
    """The documented types of a sweep's time series: sweep_timeseries.csv's."""
    expected = []
    for entry in SCHEMA["sweep_timeseries.csv"]:
        if entry.get("swept"):
            expected += [(swept_column("sweep_timeseries.csv", p), t) for p, t in SWEPT[run].items()]
        else:
            expected.append((entry["name"], entry["dtype"]))
    return expected


def test_the_parquet_time_series_loads_in_every_tool_as_the_csv_does(outputs):
    """`--timeseries parquet`: the folder of parts reads as one table in pandas (a
    folder), Polars (a glob) and DuckDB (a glob), with the documented types, and holds
    the very values of the CSV sweep of the same scenario."""
    folder = outputs["parquet"] / "sweep_timeseries.parquet"
    parts = sorted(folder.glob("*.parquet"))
    assert [p.name for p in parts] == ["part-000000.parquet"], parts
    manifest = json.loads((outputs["parquet"] / "manifest.json").read_text())
    rows = manifest["files"]["sweep_timeseries.parquet/part-000000.parquet"]["rows"]
    expected = parquet_types("parquet", outputs)
    csv_frame = pd.read_csv(outputs["sweep"] / "sweep_timeseries.csv")
    assert len(csv_frame) == rows

    frame = pd.read_parquet(folder)
    assert [(c, kind_of_pandas(frame[c])) for c in frame.columns] == expected
    # `events` is text: "" where nothing happened, which a CSV reader takes as missing.
    assert (frame["events"] == "").all() and csv_frame["events"].isna().all()
    csv_frame["events"] = csv_frame["events"].astype("str").where(csv_frame["events"].notna(), "")
    pd.testing.assert_frame_equal(frame, csv_frame, check_dtype=False)

    pframe = pl.read_parquet(str(folder / "*.parquet"))
    assert [(c, kind_of_polars(pframe.schema[c])) for c in pframe.columns] == expected
    assert pframe.height == rows
    # Polars keeps NaN (a swept field idle at a point) as NaN, not null, as for CSV.
    from_csv = pl.read_csv(outputs["sweep"] / "sweep_timeseries.csv")
    from_csv = from_csv.with_columns(pl.col("events").cast(pl.String).fill_null(""))
    assert pframe.equals(from_csv)

    db = duckdb.connect()
    db.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{folder}/*.parquet')")
    types = [(r[0], r[1]) for r in db.execute("DESCRIBE t").fetchall()]
    assert [(c, kind_of_duckdb(t)) for c, t in types] == expected
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == rows
    # Infinity is an IEEE infinity, missing a null, in every tool.
    inf = db.execute("SELECT count(*) FROM t WHERE isinf(mean_r_eff)").fetchone()[0]
    assert inf == int(csv_frame["mean_r_eff"].map(math.isinf).sum()) > 0


# JSON


def walk(value, path=""):
    """(path, value) of every leaf; firm names and list positions become `*`. The
    resolved scenario is left out: it is the input as scenario.toml says it, where a
    strength is a number or a level name ("strong", "inf") by design."""
    if isinstance(value, dict):
        for key, v in value.items():
            if path == "" and key == "scenario":
                continue
            step = "*" if path.endswith(("firms", "final_customers")) else key
            yield from walk(v, f"{path}.{step}" if path else step)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, f"{path}[*]")
    else:
        yield path, value


def objects(value):
    """Every JSON object in `value`, the resolved scenario left out."""
    if isinstance(value, dict):
        yield value
        for key, v in value.items():
            if key != "scenario":
                yield from objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from objects(v)


def json_files(outputs):
    for run, folder in outputs.items():
        for path in sorted(folder.glob("*.json")):
            yield run, path.name, json.loads(path.read_text())


# Fields that can be infinite, so always come with their flag.
UNBOUNDED = {
    "summary.json": ["mean_r_eff", "firms.*.clv_closed_form",
                     "firms.*.clv_closed_form_at_cohort_retention"],
    "fit.json": ["parameters[*].objective_down", "parameters[*].objective_up",
                 "targets[*].simulated", "targets[*].start_simulated"],
}


def test_json_numbers_keep_one_type_and_infinity_one_form(outputs):
    types, problems, infinite = {}, [], set()
    for run, name, doc in json_files(outputs):
        paths = set()
        for path, value in walk(doc):
            paths.add(path)
            where = f"{run}/{name}: {path}"
            if isinstance(value, float) and not math.isfinite(value):
                problems.append(f"{where}: {value} is not JSON")
            if isinstance(value, str) and value.strip().lower() in ("inf", "-inf", "nan", "infinity"):
                problems.append(f"{where}: the number {value!r} as a string")
            if value is not None:
                types.setdefault((name, path), set()).add(type(value).__name__)
            if path.endswith("_infinite") and value is True:
                infinite.add((run, path))
        for number in UNBOUNDED.get(name, []):
            if number in paths and f"{number}_infinite" not in paths:
                problems.append(f"{run}/{name}: {number} without {number}_infinite")
        for o in objects(doc):
            for key, flag in o.items():
                if not key.endswith("_infinite"):
                    continue
                number = key[: -len("_infinite")]
                if not isinstance(flag, bool):
                    problems.append(f"{run}/{name}: {key} = {flag!r} is not a bool")
                elif number not in o:
                    problems.append(f"{run}/{name}: {key} without `{number}` beside it")
                elif flag and o[number] is not None:
                    problems.append(f"{run}/{name}: {key} but {number} = {o[number]}")
                elif o[number] is not None and not isinstance(o[number], float):
                    problems.append(f"{run}/{name}: {number} = {o[number]!r}")
    for (name, path), seen in types.items():
        if len(seen) > 1:
            problems.append(f"{name}: {path} is {sorted(seen)} in different runs")
    assert not problems, "\n".join(problems)
    # The runs do have infinities, and fit.json its flags.
    assert ("monopoly_inf", "mean_r_eff_infinite") in infinite, infinite
    assert ("monopoly_inf", "firms.*.clv_closed_form_infinite") in infinite, infinite
    assert types.get(("fit.json", "targets[*].simulated_infinite")) == {"bool"}, types
    assert types.get(("fit.json", "targets[*].simulated")) == {"float"}, types


def test_summaries_load_in_pandas_with_numeric_columns(outputs):
    summaries = [doc for _, name, doc in json_files(outputs) if name == "summary.json"]
    assert len(summaries) == 2
    frame = pd.json_normalize([{k: v for k, v in s.items() if k != "scenario"}
                               for s in summaries])
    numeric = ["retention", "correlation_cs_staying", "hostage_share", "mean_r_eff",
               "satisfied_defector_share", "decisions", "defections"]
    for column in numeric:
        assert pd.api.types.is_numeric_dtype(frame[column]), \
            f"{column}: {frame[column].dtype}"
    assert pd.api.types.is_bool_dtype(frame["mean_r_eff_infinite"])
    assert frame["mean_r_eff_infinite"].tolist() == [False, True]
    firm_columns = [c for c in frame.columns
                    if c.startswith("firms.") and not c.endswith("_infinite")]
    assert firm_columns
    for column in firm_columns:
        # A column null in both runs (a lifetime value infinite in the monopoly, absent
        # from the other run's firms) shows no type.
        if frame[column].notna().any():
            assert pd.api.types.is_numeric_dtype(frame[column]), \
                f"{column}: {frame[column].dtype}"
