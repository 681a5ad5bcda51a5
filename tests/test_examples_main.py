"""The examples in examples/, run in their quick mode (SKLSTM_EXAMPLE_QUICK=1).

Each example runs in a fresh interpreter, as a user would run it, with its plots
going to a temporary directory. The checks read what the example printed: the
table header, one row per model or variant, the metric lines, and that the plots
it promises exist. The figures themselves are not checked here (quick mode trains
for a few epochs only); the full-run figures are in docs/benchmarks.md.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NUMBER = r"\d+\.\d+"


def run_example(name, output_dir, *, hide_matplotlib=False, cwd=ROOT):
    """Run examples/<name> in quick mode from ``cwd``; return its stdout (asserting
    exit 0). Plots go to ``output_dir``, or where the example puts them by default
    when it is None."""
    env = {**os.environ, "SKLSTM_EXAMPLE_QUICK": "1", "MPLBACKEND": "Agg"}
    env.pop("SKLSTM_EXAMPLE_OUTPUT", None)
    if output_dir is not None:
        env["SKLSTM_EXAMPLE_OUTPUT"] = str(output_dir)
    command = [sys.executable, str(EXAMPLES / name)]
    if hide_matplotlib:  # run as on a machine without matplotlib
        code = ("import runpy, sys; sys.modules['matplotlib'] = None; "
                f"sys.argv = [{str(EXAMPLES / name)!r}]; "
                f"runpy.run_path(sys.argv[0], run_name='__main__')")
        command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def table_rows(stdout, names):
    """{name: the printed table row that starts with name}."""
    rows = {}
    for line in stdout.splitlines():
        for name in names:
            if re.match(rf"{re.escape(name)}\s", line):
                rows[name] = line
    return rows


def test_quickstart(tmp_path):
    variants = ["lstm", "gru", "peephole", "coupled", "rnn"]
    out = run_example("quickstart.py", tmp_path, hide_matplotlib=True)
    assert re.search(r"model\s+CV accuracy\s+test accuracy\s+fit time", out)
    rows = table_rows(out, [*variants, "1-NN"])
    assert sorted(rows) == sorted([*variants, "1-NN"])  # the variants and the baseline
    for row in rows.values():  # CV mean ± std, test accuracy, fit time
        assert re.search(rf"{NUMBER} ± {NUMBER}\s+{NUMBER}\s+{NUMBER}s$", row), row
    # 1-NN on the pixels scores about 0.99 on digits, also on quick mode's subset
    assert float(re.findall(NUMBER, rows["1-NN"])[2]) > 0.95
    assert re.search(r"fit time: one fit on all \d+ training sequences \(not per fold\)",
                     out)
    best = re.search(rf"best variant by CV: (\w+); its test accuracy: ({NUMBER})",
                     out)
    assert best and best.group(1) in variants
    assert 0 <= float(best.group(2)) <= 1
    assert list(tmp_path.iterdir()) == []  # quickstart draws nothing


def test_compare_variants(tmp_path):
    from sklstm.core import VARIANTS

    out = run_example("compare_variants.py", tmp_path)
    assert re.search(r"configuration\s+test accuracy\s+fit time", out)
    names = [*VARIANTS, "lstm, attention pooling"]
    rows = table_rows(out, names)
    assert sorted(rows) == sorted(names)  # every registered variant, and attention
    for row in rows.values():
        assert re.search(rf"{NUMBER} ± {NUMBER}\s+{NUMBER} ± {NUMBER}s$", row), row
    assert (tmp_path / "compare_variants.png").stat().st_size > 0


def test_compare_variants_without_matplotlib(tmp_path):
    out = run_example("compare_variants.py", tmp_path, hide_matplotlib=True)
    assert re.search(r"configuration\s+test accuracy\s+fit time", out)
    assert "matplotlib is not installed: plot skipped" in out
    assert list(tmp_path.iterdir()) == []


def test_forecasting(tmp_path):
    """Run without SKLSTM_EXAMPLE_OUTPUT, from tmp_path: the plot goes to the current
    directory, not into the repository's docs/images."""
    figure = ROOT / "docs" / "images" / "forecasting.png"
    before = figure.stat().st_mtime_ns
    out = run_example("forecasting.py", None, cwd=tmp_path)
    assert "TimeSeriesSplit" in out and "gap=1" in out
    assert re.search(r"variant\s+window\s+epochs\s+CV RMSE", out)
    assert re.search(r"holdout, one step ahead \(29 months", out)
    rows = table_rows(out, ["LSTM", "seasonal naive", "naive yoy growth"])
    assert len(rows) == 3
    metrics = {name: [float(v) for v in re.findall(NUMBER, row)]
               for name, row in rows.items()}
    assert all(len(v) == 2 and v[0] >= v[1] > 0 for v in metrics.values())  # RMSE >= MAE
    # The seasonal-naive forecast does not depend on training: its figures are fixed.
    assert metrics["seasonal naive"] == pytest.approx([46.08, 41.31], abs=0.01)
    assert (tmp_path / "forecasting.png").stat().st_size > 0
    assert figure.stat().st_mtime_ns == before


def test_variable_length(tmp_path):
    out = run_example("variable_length.py", tmp_path)
    lengths = re.search(r"lengths (\d+)-(\d+)", out)
    assert lengths and int(lengths.group(1)) < 40 and int(lengths.group(2)) > 100
    assert re.search(r"model\s+test accuracy\s+fit time", out)
    rows = table_rows(out, ["1-NN, zero-padded", "lstm, ragged", "gru, ragged"])
    assert len(rows) == 3
    for row in rows.values():
        accuracy = float(re.findall(NUMBER, row)[0])
        assert 0 <= accuracy <= 1


# ------------------------------------------------------------------ examples
@pytest.mark.parametrize("script", ["digits_sequences.py", "regression.py"])
def test_examples_run_in_quick_mode(script):
    env = dict(os.environ, SKLSTM_EXAMPLE_QUICK="1")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / script)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "test " in result.stdout and "fit time" in result.stdout
