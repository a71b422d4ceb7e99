"""The Python package gives what the command gives.

A run's frames are compared with the CSV files `loyalsim run` writes for the same
scenario and seed, read in the types tests/python/schema.json declares (written from
the Rust column tables): the same tables, columns and order; integers and strings
equal; missing floats and infinities in the same cells; every other float equal to the
file's nine decimals. A sweep from Python writes the same files as `loyalsim sweep`,
byte for byte. A bad scenario raises ScenarioError with the line the command prints.
Also: a dict scenario equals its file, threads change nothing, the GIL is released,
Ctrl-C and a raising progress callback stop the work, and a stopped sweep resumes.

LOYALSIM_BIN names the command (default target/debug/loyalsim, built with `cargo build`
when missing).
"""

import _thread
import json
import math
import os
import subprocess
import threading
import time
import tomllib
import warnings
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import loyalsim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SCHEMA = json.loads((ROOT / "tests" / "python" / "schema.json").read_text())["files"]
ARROW = {"int": pa.int64(), "float": pa.float64(), "string": pa.string()}

# A market in which every table has rows: complaints, a survey, word of mouth.
FULL = SCENARIOS / "service_recovery.toml"
FULL_SET = {"customers": 2000, "survey.every": 4, "word_of_mouth.network": "small_world"}
SMALL_SWEEP = {"customers": 300, "periods": 4, "sweep.replications": 2}


@pytest.fixture(scope="session")
def cli():
    """The command, built if it is not there."""
    binary = Path(os.environ.get("LOYALSIM_BIN", ROOT / "target" / "debug" / "loyalsim"))
    if "LOYALSIM_BIN" not in os.environ and not binary.exists():
        subprocess.run(
            ["cargo", "build", "--quiet", "--bin", "loyalsim"], cwd=ROOT, check=True
        )
    assert binary.exists(), f"no loyalsim command at {binary}"

    def run(*args, check=True):
        done = subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, text=True
        )
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return run


def assignments(settings):
    return [a for path, value in settings.items() for a in ("--set", f"{path}={value}")]


def read_declared(path: Path, columns: list) -> pa.Table:
    """A CSV file in the declared types: empty = missing float, text never missing."""
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={c["name"]: ARROW[c["dtype"]] for c in columns},
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def assert_same_values(frame: pa.Table, file: pa.Table, where: str):
    assert frame.column_names == file.column_names, where
    assert frame.num_rows == file.num_rows, where
    for name in frame.column_names:
        ours, theirs = frame.column(name), file.column(name)
        assert ours.type == theirs.type, f"{where}: {name} is {ours.type}, not {theirs.type}"
        a, b = ours.to_pylist(), theirs.to_pylist()
        if ours.type != pa.float64():
            assert a == b, f"{where}: {name}"
            continue
        for row, (x, y) in enumerate(zip(a, b)):
            at = f"{where}: {name}, row {row}: {x} against the file's {y}"
            if x is None or y is None:
                assert x is None and y is None, at
            elif math.isinf(x) or math.isinf(y):
                assert x == y, at
            else:
                assert abs(x - y) <= 5e-10 * max(1.0, abs(y)) + 1e-12, at


def test_run_frames_equal_the_commands_csv_files(cli, tmp_path):
    out = tmp_path / "cli"
    cli("run", FULL, *assignments(FULL_SET), "--seed", 7, "--out", out, "--no-charts")
    run = loyalsim.run(FULL, set=FULL_SET, seed=7)
    written = sorted(p.name for p in out.glob("*.csv"))
    assert sorted(f"{name}.csv" for name in run.tables) == written
    assert tuple(run.tables) == loyalsim.RUN_TABLES
    for name, table in run.tables.items():
        file = f"{name}.csv"
        declared = SCHEMA[file]
        assert table.column_names == [c["name"] for c in declared], file
        assert table.num_rows > 0, f"{file} has no rows: the comparison would be empty"
        assert_same_values(table, read_declared(out / file, declared), file)
    summary = json.loads((out / "summary.json").read_text())
    for key in ("elapsed_s", "steps_per_s", "threads"):
        summary.pop(key)
        run.summary.pop(key)
    assert run.summary == summary


def test_frames_are_typed_and_described():
    run = loyalsim.run(FULL, set=FULL_SET, seed=3)
    for name, table in run.tables.items():
        declared = {c["name"]: c["dtype"] for c in SCHEMA[f"{name}.csv"]}
        for field in table.schema:
            meta = field.metadata
            assert meta[b"dtype"].decode() == declared[field.name]
            assert meta[b"meaning"], f"{name}.{field.name} has no meaning"
        frame = run.to_pandas(name)
        assert set(frame.attrs["meanings"]) == set(table.column_names)
        for column, dtype in declared.items():
            kind = frame[column].dtype.kind
            assert kind == {"int": "i", "float": "f"}.get(dtype, kind), (name, column)
            if dtype == "string":
                assert kind in "OT", (name, column, frame[column].dtype)
    polars = run.to_polars("timeseries")
    assert isinstance(polars, pl.DataFrame)
    assert polars.schema["customers"] == pl.Int64 and polars.schema["share"] == pl.Float64
    assert polars.height == run.timeseries.shape[0]
    assert isinstance(run.timeseries, pd.DataFrame)
    assert run.summary["seed"] == 3


def test_a_dict_or_text_scenario_is_its_file():
    table = tomllib.loads(FULL.read_text())
    from_file = loyalsim.run(FULL, set=FULL_SET, seed=5)
    from_dict = loyalsim.run(table, set=FULL_SET, seed=5)
    from_text = loyalsim.run(FULL.read_text(), set=FULL_SET, seed=5)
    for other in (from_dict, from_text):
        for name in loyalsim.RUN_TABLES:
            assert other.tables[name].equals(from_file.tables[name]), name


def test_threads_change_nothing():
    one = loyalsim.run(FULL, set=FULL_SET, threads=1)
    two = loyalsim.run(FULL, set=FULL_SET, threads=2)
    for name in loyalsim.RUN_TABLES:
        assert one.tables[name].equals(two.tables[name]), name


@pytest.mark.parametrize(
    "settings",
    [
        ["customers=-5"],
        ["constraint.r=sideways"],
        ["firms.9.price=1"],
        ["no equals sign"],
    ],
)
def test_a_bad_scenario_raises_the_commands_line(cli, settings):
    done = cli("run", FULL, *[a for s in settings for a in ("--set", s)], check=False)
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ")
    with pytest.raises(loyalsim.ScenarioError) as raised:
        loyalsim.run(FULL, set=settings)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == line.removeprefix("error: ")


def test_a_bad_dict_names_the_field():
    with pytest.raises(loyalsim.ScenarioError, match="customers"):
        loyalsim.run({"customers": "many"})
    with pytest.raises(loyalsim.ScenarioError, match=r"firms\.0\.price"):
        loyalsim.run({"firms": [{"name": "A", "price": object()}]})
    with pytest.raises(loyalsim.ScenarioError, match="does-not-exist.toml"):
        loyalsim.run("does-not-exist.toml")


def test_warnings_are_warnings(cli):
    scenario = SCENARIOS / "constraint_benchmark.toml"
    settings = {"customers": 200, "periods": 2}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loyalsim.run(scenario, set=settings)
    ours = [str(w.message) for w in caught if w.category is loyalsim.LoyalsimWarning]
    assert all(w.filename == __file__ for w in caught), "attributed to the caller's line"
    printed = cli("run", scenario, *assignments(settings), "--out", "/dev/null/x", check=False)
    theirs = [l.removeprefix("warning: ") for l in printed.stderr.splitlines() if l.startswith("warning: ")]
    assert ours and ours == theirs


def test_the_showcase_and_a_written_folder(tmp_path):
    run = loyalsim.run(set={"customers": 500, "periods": 3}, out=tmp_path / "show", charts=False)
    assert run.summary["name"] == "showcase"
    assert (tmp_path / "show" / "timeseries.csv").is_file()
    assert "timeseries.csv" in run.files
    written = read_declared(tmp_path / "show" / "timeseries.csv", SCHEMA["timeseries.csv"])
    assert_same_values(run.tables["timeseries"], written, "timeseries.csv")


def test_sweep_writes_what_the_command_writes(cli, tmp_path):
    scenario = SCENARIOS / "constraint_benchmark.toml"
    cli("sweep", scenario, *assignments(SMALL_SWEEP), "--out", tmp_path / "cli", "--no-charts")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loyalsim.LoyalsimWarning)
        study = loyalsim.sweep(scenario, set=SMALL_SWEEP, out=tmp_path / "py", charts=False, progress=False)
    for file in ("sweep.csv", "sweep_summary.csv", "sweep_curve.csv", "sweep_timeseries.csv"):
        assert (tmp_path / "py" / file).read_bytes() == (tmp_path / "cli" / file).read_bytes(), file
    assert study.n_runs == 20 and study.runs.shape[0] == 20
    assert study.points.shape[0] == 10
    assert study.runs["constraint.r"].dtype == "float64"
    assert math.isinf(study.runs["constraint.r"].max())
    assert study.indices is None
    assert study.timeseries.shape[0] == 20 * 4 * 4
    assert study.runs.attrs["meanings"]["retention"]
    assert isinstance(study.to_polars("points"), pl.DataFrame)


def test_a_sensitivity_sweep_has_its_indices():
    study = loyalsim.sweep(
        SCENARIOS / "constraint_sensitivity.toml",
        set={"customers": 200, "periods": 3, "sweep.samples": 4},
        timeseries="none",
        progress=False,
    )
    indices = study.indices
    assert indices is not None and len(indices) > 0
    assert {"metric", "factor"} <= set(indices.columns)
    assert study.timeseries is None
    assert not (study.dir / "sweep_timeseries.csv").exists()


def test_progress_reports_and_a_raising_callback_stops_a_sweep_that_then_resumes(tmp_path):
    scenario = SCENARIOS / "constraint_benchmark.toml"
    calls = []

    def stop_after_first(done, runs):
        calls.append((done, runs))
        raise RuntimeError("enough")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loyalsim.LoyalsimWarning)
        with pytest.raises(RuntimeError, match="enough"):
            loyalsim.sweep(scenario, set=SMALL_SWEEP, out=tmp_path / "s", charts=False, progress=stop_after_first)
        assert calls and calls[0][1] == 20 and calls[0][0] < 20
        seen = []
        resumed = loyalsim.sweep(
            scenario, set=SMALL_SWEEP, out=tmp_path / "s", charts=False,
            progress=lambda done, runs: seen.append(done),
        )
        whole = loyalsim.sweep(scenario, set=SMALL_SWEEP, out=tmp_path / "whole", charts=False, progress=False)
    assert resumed.resumed_from == calls[0][0]
    assert seen[-1] == 20
    for file in ("sweep.csv", "sweep_summary.csv", "sweep_curve.csv"):
        assert (tmp_path / "s" / file).read_bytes() == (tmp_path / "whole" / file).read_bytes(), file


def test_ctrl_c_stops_a_run():
    # 2,000,000 customers for 400 periods: minutes, unless it stops.
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            loyalsim.run(set={"customers": 2_000_000, "periods": 400, "survey.every": 0})
    finally:
        timer.cancel()
    assert time.monotonic() - start < 20


def test_ctrl_c_stops_a_sweep_which_then_resumes(tmp_path):
    scenario = SCENARIOS / "constraint_benchmark.toml"
    settings = {"customers": 20_000, "periods": 60, "sweep.replications": 4}
    timer = threading.Timer(0.3, _thread.interrupt_main)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loyalsim.LoyalsimWarning)
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                loyalsim.sweep(scenario, set=settings, out=tmp_path / "s", charts=False,
                               timeseries="none", progress=False)
        finally:
            timer.cancel()
        assert not (tmp_path / "s").exists(), "a stopped sweep is not published"
        resumed = loyalsim.sweep(scenario, set=settings, out=tmp_path / "s", charts=False,
                                 timeseries="none", progress=False)
    assert 0 < resumed.resumed_from < 40
    assert resumed.runs.shape[0] == 40


def test_a_parquet_time_series_is_the_csv_one():
    scenario = SCENARIOS / "constraint_benchmark.toml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", loyalsim.LoyalsimWarning)
        as_csv = loyalsim.sweep(scenario, set=SMALL_SWEEP, progress=False)
        as_parquet = loyalsim.sweep(scenario, set=SMALL_SWEEP, timeseries="parquet", progress=False)
    a, b = as_csv.timeseries, as_parquet.timeseries
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9)
    for column in a.columns:
        assert a[column].dtype.kind == b[column].dtype.kind, column


def test_the_gil_is_released_while_simulating():
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        start = time.monotonic()
        loyalsim.run(set={"customers": 300_000, "periods": 40})
        end = time.monotonic()
    finally:
        done.set()
        ticker.join()
    during = [t for t in ticks if start < t < end]
    assert end - start > 0.2, "the run is too short to tell"
    # With the GIL held the ticker would stop for the whole run.
    assert len(during) > 10, (len(during), end - start)
