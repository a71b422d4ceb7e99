"""loyalsim from Python: why satisfied customers still leave.

Runs and studies of the loyalsim engine (``CL = R·f(CS)``) from a notebook, with no
subprocess and no copy of the model: the package calls the same library as the
``loyalsim`` command, which reads and checks the scenario, simulates and writes.

>>> import loyalsim
>>> run = loyalsim.run("scenarios/competitive.toml", set={"constraint.r": 2}, seed=7)
>>> run.timeseries            # pandas DataFrame; run.to_polars() for Polars
>>> study = loyalsim.sweep("scenarios/constraint_benchmark.toml", threads=2)
>>> study.points              # one row per point of the sweep

A run's tables come over as Arrow arrays built from the engine's own columns (no CSV in
between): the columns, order and types of the files ``loyalsim run`` writes, each
column's meaning in its Arrow field metadata (``run.tables``) and in the pandas frame's
``attrs["meanings"]``. A sweep streams its runs to a folder by design (resumable, never
the whole study in memory); its tables are read back from that folder in their declared
types. See docs/python.md.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
import warnings as _warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Union

import pyarrow as pa
import pyarrow.csv as pacsv

from . import _native
from ._native import ScenarioError

__version__ = _native.__version__
__all__ = [
    "run",
    "sweep",
    "Run",
    "Study",
    "ScenarioError",
    "LoyalsimWarning",
    "RUN_TABLES",
]

#: The tables of a run, in the order ``loyalsim run`` writes their CSV files.
RUN_TABLES = ("timeseries", "curve", "curve_by_period", "survey", "complaints")

Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any], None]
Settings = Union[Mapping[str, Any], Iterable[str], None]


class LoyalsimWarning(UserWarning):
    """What the command prints as ``warning:``: a setting that changes nothing, shares
    normalised, a file written for a sweep run once."""


def _scenario(scenario: Scenario) -> tuple:
    """The native module's form of a scenario: a file, TOML text, a dict, or the
    built-in showcase (``None``)."""
    if scenario is None:
        return ("showcase",)
    if isinstance(scenario, Mapping):
        return ("table", dict(scenario))
    if isinstance(scenario, os.PathLike):
        return ("file", os.fspath(scenario))
    if isinstance(scenario, str):
        # TOML text has a newline or an `=`; a path has neither (or names a file).
        looks_like_text = "\n" in scenario or "=" in scenario
        if looks_like_text and not os.path.isfile(scenario):
            return ("text", scenario, "scenario (text)")
        return ("file", scenario)
    raise TypeError(
        "scenario: expected a path, TOML text, a dict or None (the showcase), "
        f"got {type(scenario).__name__}"
    )


def _literal(value: Any) -> str:
    """A Python value as ``--set`` reads it: TOML's spelling of booleans, numbers
    (``inf`` included) and arrays; a string as written (``constraint.r=low``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):  # int, numpy's integers
        return str(int(value))
    if isinstance(value, numbers.Real):  # float, numpy's floats (SALib's samples)
        value = float(value)
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        items = [json.dumps(v) if isinstance(v, str) else _literal(v) for v in value]
        return "[" + ", ".join(items) + "]"
    raise TypeError(
        f"set: expected a boolean, a number, a string or a list, got {type(value).__name__}"
    )


def _settings(set: Settings) -> list:
    """``set=`` as ``--set`` assignments: a dict of dotted paths, or ``PATH=VALUE``
    strings."""
    if set is None:
        return []
    if isinstance(set, str):
        return [set]
    if isinstance(set, Mapping):
        return [f"{path}={_literal(value)}" for path, value in set.items()]
    return [str(s) for s in set]


def _warn(messages: Iterable[str], stacklevel: int) -> None:
    """Issues the command's warnings, attributed to the caller's line ``stacklevel``
    frames up (1: the caller of this function)."""
    for message in messages:
        _warnings.warn(message, LoyalsimWarning, stacklevel=stacklevel + 1)


def _arrow_type(dtype: str) -> pa.DataType:
    return {"int": pa.int64(), "float": pa.float64(), "string": pa.string()}[dtype]


def _field(name: str, dtype: str, meaning: str) -> pa.Field:
    return pa.field(
        name, _arrow_type(dtype), metadata={"meaning": meaning, "dtype": dtype}
    )


def _frame_table(name: str, columns: list) -> pa.Table:
    """An Arrow table from the native module's columns: the values' bytes wrapped as
    buffers (no parsing), strings as a list."""
    arrays, fields = [], []
    for column, meaning, dtype, data, validity in columns:
        if dtype == "string":
            array = pa.array(data, type=pa.string())
        else:
            buffers = [
                None if validity is None else pa.py_buffer(validity),
                pa.py_buffer(data),
            ]
            array = pa.Array.from_buffers(_arrow_type(dtype), len(data) // 8, buffers)
        arrays.append(array)
        fields.append(_field(column, dtype, meaning))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"table": name}))


def _meanings(table: pa.Table) -> dict:
    return {
        f.name: (f.metadata or {}).get(b"meaning", b"").decode() for f in table.schema
    }


def _pandas(table: pa.Table):
    frame = table.to_pandas()
    frame.attrs["meanings"] = _meanings(table)
    return frame


def _polars(table: pa.Table):
    try:
        import polars as pl
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_polars needs Polars: pip install 'loyalsim[polars]'"
        ) from e
    return pl.from_arrow(table)


class _Tables:
    """What runs and studies share: named Arrow tables, as pandas or Polars."""

    tables: dict
    _frames: dict

    def _cached(self, name: str):
        """The table as pandas, made once."""
        if name not in self._frames:
            self._frames[name] = self.to_pandas(name)
        return self._frames[name]

    def _table(self, name: str) -> pa.Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(
                f"no table {name!r}; the tables are {', '.join(self.tables)}"
            ) from None

    def to_pandas(self, table: str):
        """The table as a pandas DataFrame, the columns' meanings in
        ``attrs["meanings"]``."""
        return _pandas(self._table(table))

    def to_polars(self, table: str = "timeseries"):
        """The table as a Polars DataFrame (Polars keeps no column metadata: see
        :meth:`meanings`)."""
        return _polars(self._table(table))

    def meanings(self, table: str) -> dict:
        """Each column's meaning, from the metric and column tables."""
        return _meanings(self._table(table))


class Run(_Tables):
    """A finished run: its tables (``timeseries``, ``curve``, ``curve_by_period``,
    ``survey``, ``complaints``) as pandas frames, ``summary`` (summary.json as a dict),
    the scenario as run, its warnings and, when ``out`` was given, the files written."""

    def __init__(self, native: dict, out: Optional[Path]):
        self.tables = {name: _frame_table(name, cols) for name, cols in native["frames"]}
        self.summary = json.loads(native["summary"])
        #: The scenario as it ran (overrides applied, defaults filled in), as TOML.
        self.scenario = native["scenario"]
        self.source = native["source"]
        self.warnings = list(native["warnings"])
        self.elapsed = native["elapsed"]
        self.out = out
        self.files = native["files"]
        self._frames: dict = {}

    @property
    def timeseries(self):
        """One row per period and firm (timeseries.csv)."""
        return self._cached("timeseries")

    @property
    def curve(self):
        """The retention curve across the indifference zone, one row per CS bin
        (curve.csv)."""
        return self._cached("curve")

    @property
    def curve_by_period(self):
        """The retention curve per period window and firm (curve_by_period.csv)."""
        return self._cached("curve_by_period")

    @property
    def survey(self):
        """The sampled customers' survey answers (survey.csv)."""
        return self._cached("survey")

    @property
    def complaints(self):
        """Complaints and their handling (complaints.csv)."""
        return self._cached("complaints")

    def __repr__(self) -> str:
        rows = ", ".join(f"{n}: {t.num_rows} rows" for n, t in self.tables.items())
        return f"<loyalsim.Run {self.summary.get('name', self.source)!r} ({rows})>"


def run(
    scenario: Scenario = None,
    *,
    set: Settings = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    charts: bool = True,
) -> Run:
    """Run one scenario, as ``loyalsim run`` does.

    ``scenario`` is a path, TOML text, a dict of the TOML's tables, or ``None`` for the
    built-in showcase. ``set`` takes the dotted paths of ``--set``, as a dict
    (``{"constraint.r": 2}``) or as ``"PATH=VALUE"`` strings; ``seed`` is ``--seed``;
    ``threads`` the threads to simulate on (the result does not depend on them).
    With ``out``, the run's folder is also written as ``loyalsim run --out`` writes it,
    charts included unless ``charts=False``.

    A bad scenario raises :class:`ScenarioError` (a ``ValueError``) with the command's
    one-line message; its warnings are issued as :class:`LoyalsimWarning`. The GIL is
    released while it simulates, and Ctrl-C (``KeyboardInterrupt``) stops it before the
    next period.
    """
    native = _native.run(
        _scenario(scenario),
        _settings(set),
        seed=seed,
        threads=threads,
        out=None if out is None else os.fspath(out),
        charts=charts,
    )
    _warn(native["warnings"], stacklevel=2)
    return Run(native, None if out is None else Path(out))


def _read_csv(path: Path, columns: list) -> pa.Table:
    """A sweep's CSV file in its declared column types: an empty cell is a missing
    float, ``inf`` an infinity, and a string is never read as missing."""
    fields = [_field(name, dtype, meaning) for name, dtype, meaning in columns]
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={f.name: f.type for f in fields},
            null_values=[""],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if table.column_names != [f.name for f in fields]:
        raise RuntimeError(
            f"{path}: columns {table.column_names} are not the declared "
            f"{[f.name for f in fields]}"
        )
    return table.cast(pa.schema(fields, metadata={"table": path.stem}))


class Study(_Tables):
    """A finished sweep: ``runs`` (sweep.csv, one row per run), ``points``
    (sweep_summary.csv, one row per point, replications aggregated), ``curve``
    (sweep_curve.csv, the retention curve per point), ``indices`` (sensitivity.csv,
    for a sensitivity design; else ``None``) and ``timeseries`` (every run's periods,
    when the sweep kept them), as pandas frames; ``dir`` is the sweep's folder."""

    _FILES = {
        "runs": "sweep.csv",
        "points": "sweep_summary.csv",
        "curve": "sweep_curve.csv",
        "indices": "sensitivity.csv",
    }

    def __init__(self, native: dict, keep: Any = None):
        self.dir = Path(native["dir"])
        self.n_runs = native["runs"]
        self.resumed_from = native["resumed_from"]
        self.warnings = list(native["warnings"])
        self.summary_markdown = native["summary_markdown"]
        self.charts = list(native["charts"])
        self.timeseries_format = native["timeseries"]
        self._columns = dict(native["files"])
        self._keep = keep  # a temporary folder lives as long as the study
        self.tables = {
            name: _read_csv(self.dir / file, self._columns[file])
            for name, file in self._FILES.items()
            if file in self._columns
        }
        self._frames: dict = {}

    @property
    def runs(self):
        """One row per run: the swept fields, the replication, the seed and every
        metric (sweep.csv)."""
        return self._cached("runs")

    @property
    def points(self):
        """One row per point: each metric aggregated over the replications as the
        metric table says (sweep_summary.csv)."""
        return self._cached("points")

    @property
    def curve(self):
        """The retention curve of each point, per CS bin (sweep_curve.csv)."""
        return self._cached("curve")

    @property
    def indices(self):
        """Sobol' indices with their confidence intervals (sensitivity.csv), for a
        sensitivity design; ``None`` for a grid."""
        return self._cached("indices") if "indices" in self.tables else None

    @property
    def timeseries(self):
        """Every run's periods (sweep_timeseries.csv or the Parquet folder), read on
        first use; ``None`` when the sweep kept none."""
        if "timeseries" not in self.tables:
            if self.timeseries_format == "csv":
                file = "sweep_timeseries.csv"
                self.tables["timeseries"] = _read_csv(self.dir / file, self._columns[file])
            elif self.timeseries_format == "parquet":
                import pyarrow.parquet as pq

                self.tables["timeseries"] = pq.read_table(
                    self.dir / "sweep_timeseries.parquet"
                )
            else:
                return None
        return self._cached("timeseries")

    def __repr__(self) -> str:
        return f"<loyalsim.Study {self.dir} ({self.n_runs} runs)>"


def _progress_bar(progress: Any) -> tuple:
    """``started`` and ``progress`` callbacks for the native sweep: the caller's own
    ``progress(done, runs)``, or a tqdm bar when ``progress`` is true and tqdm is
    installed."""
    if callable(progress):
        return None, progress, lambda: None
    if not progress:
        return None, None, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, None, lambda: None
    bar: dict = {}

    def started(runs: int, _warnings: list) -> None:
        bar["bar"] = tqdm(total=runs, unit="run", desc="loyalsim sweep")

    def advance(done: int, runs: int) -> None:
        b = bar["bar"]
        b.update(done - b.n)

    def close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return started, advance, close


def sweep(
    scenario: Scenario = None,
    *,
    set: Settings = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    timeseries: Optional[str] = None,
    charts: Optional[bool] = None,
    progress: Union[bool, Callable[[int, int], Any]] = True,
) -> Study:
    """Run a sweep (a grid or a sensitivity design: the scenario's ``[sweep]``), as
    ``loyalsim sweep`` does.

    ``scenario``, ``set``, ``seed`` and ``threads`` as for :func:`run`. With ``out``,
    the sweep's folder is written there as ``loyalsim sweep --out`` writes it (charts
    included unless ``charts=False``), and a folder an interrupted call left is resumed;
    without it, into a temporary folder that lives as long as the returned
    :class:`Study` (no charts unless ``charts=True``). ``timeseries`` is ``"csv"``,
    ``"parquet"`` or ``"none"`` (``--timeseries``). ``progress`` is a callable
    ``progress(done, runs)`` called after each batch of runs, or ``True`` for a tqdm bar
    when tqdm is installed, or ``False``. Ctrl-C, or an exception of ``progress``,
    stops the sweep after the batch under way; with ``out``, what was done is kept and
    the same call resumes it.
    """
    keep = None
    if out is None:
        keep = tempfile.TemporaryDirectory(prefix="loyalsim-sweep-")
        folder = Path(keep.name) / "sweep"
        charts = bool(charts)
    else:
        folder = Path(out)
        charts = True if charts is None else charts
    started, advance, close = _progress_bar(progress)

    def on_start(runs: int, warnings: list) -> None:
        # Called by the native sweep, itself called by sweep(): the caller is 3 up.
        _warn(warnings, stacklevel=3)
        if started is not None:
            started(runs, warnings)

    try:
        native = _native.sweep(
            _scenario(scenario),
            _settings(set),
            os.fspath(folder),
            seed=seed,
            threads=threads,
            timeseries=timeseries,
            charts=charts,
            started=on_start,
            progress=advance,
        )
    finally:
        close()
    return Study(native, keep)
