"""docs/python.md runs as written: its ```python blocks, in order, in one namespace,
from the repository's root folder (where its paths start), with matplotlib drawing to
files. A block that raises fails the test and names the block."""

import os
import re
import warnings
from pathlib import Path

import loyalsim

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "python.md"


def blocks():
    return re.findall(r"^```python\n(.*?)^```$", PAGE.read_text(), re.S | re.M)


def test_the_walkthrough_has_code():
    found = blocks()
    assert len(found) >= 6
    text = "\n".join(found)
    # The three uses: a run, a plotted benchmark, a SALib loop driving loyalsim.
    for needed in ("loyalsim.run(", "loyalsim.sweep(", "savefig(", "SALib"):
        assert needed in text, needed


def test_the_walkthrough_runs_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": "walkthrough"}
    with warnings.catch_warnings():
        # The benchmark's structural points ignore constraint.r, and say so.
        warnings.simplefilter("ignore", loyalsim.LoyalsimWarning)
        for i, code in enumerate(blocks(), 1):
            try:
                exec(compile(code, f"docs/python.md, block {i}", "exec"), namespace)
            except Exception as e:
                raise AssertionError(f"docs/python.md, block {i} raised {e!r}:\n{code}") from e
    chart = ROOT / "output" / "python" / "constraint_benchmark.png"
    assert chart.is_file() and chart.stat().st_size > 10_000
    assert namespace["study"].n_runs == 100
    st = namespace["indices"].to_df()[0]["ST"]
    assert st.idxmax() == "constraint.r"
    assert (namespace["sensitivity"].indices["index"] == "ST").any()
