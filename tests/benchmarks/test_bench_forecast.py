"""benchmarks/bench_forecast.py on a small synthetic series given by --csv.

The script runs as a user runs it, in a fresh interpreter, without statsmodels, aeon
or sktime. The checks read its tables: the baselines' RMSE equal to the forecasts
worked out by hand on the holdout, the sklstm cells filled for both horizons, and
summary lines that agree with the rows."""

import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_forecast.py"


def load_script(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPT.parent))  # it imports bench_real_data
    spec = importlib.util.spec_from_file_location("bench_forecast", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tables(stdout):
    """[{series: {header: cell}}] per Markdown table printed, in order."""
    found, header = [], None
    for line in stdout.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "series":
            header = cells
            found.append({})
        else:
            found[-1][cells[0]] = dict(zip(header, cells))
    return found


def test_csv_series_runs_and_its_baselines_are_right(tmp_path):
    t = np.arange(72)
    values = 10 + 0.1 * t + np.sin(2 * np.pi * t / 12)
    index = pd.date_range("2000-01", periods=72, freq="MS")
    path = tmp_path / "wave.csv"
    pd.DataFrame({"value": values}, index=index).rename_axis("month").to_csv(path)

    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--csv", str(path), "--seeds", "2",
         "--configs", "defaults", "--horizon", "6"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    one_step, six_steps = tables(result.stdout)
    row = one_step["wave"]
    assert (row["n"], row["train / holdout"], row["w"], row["m"]) == (
        "72", "57 / 15", "12", "12")

    starts = np.arange(56, 71)  # origins: the last training row .. the last but one
    naive = math.sqrt(np.mean((values[starts + 1] - values[starts]) ** 2))
    seasonal = math.sqrt(np.mean((values[starts + 1] - values[starts - 11]) ** 2))
    assert float(row["naive"]) == pytest.approx(naive, rel=1e-3)  # 4 digits
    assert float(row["seasonal naive"]) == pytest.approx(seasonal, rel=1e-3)
    assert float(row["RidgeCV"]) < 0.1 * naive  # 12 lags see trend and season

    mean, spread, worst = re.fullmatch(r"(\S+) ± (\S+) \((\S+)\)",
                                       row["sklstm defaults"]).groups()
    assert float(mean) > 0 and float(worst) >= float(mean)
    assert re.fullmatch(r"\d+\.\d \(\d+\.\d\)", row["fit s (defaults)"])

    starts6 = np.arange(56, 66)  # every origin with its six targets in the holdout
    actual = np.stack([values[starts6 + h] for h in range(1, 7)], axis=1)
    naive6 = math.sqrt(np.mean((actual - values[starts6, None]) ** 2))
    assert float(six_steps["wave"]["naive"]) == pytest.approx(naive6, rel=1e-3)
    assert "±" in six_steps["wave"]["sklstm defaults"]

    wins = float(mean) <= float(row["RidgeCV"])
    assert (f"one step, sklstm defaults: RMSE <= RidgeCV on {int(wins)} of 1 series"
            in result.stdout)
    assert "6 steps, sklstm defaults: RMSE <= naive on" in result.stdout


def test_seasonal_naive_and_csv_season(tmp_path, monkeypatch):
    bench = load_script(monkeypatch)
    path = tmp_path / "quarters.csv"
    index = pd.date_range("2000-01", periods=20, freq="QS")
    pd.DataFrame({"gdp": np.arange(20.0)}, index=index).to_csv(path)
    series, season, window = bench.read_csv(path)
    assert (series.name, len(series), season, window) == ("quarters", 20, 4, 4)
    values = np.arange(40.0)
    starts = np.array([20, 25])
    # horizons beyond the season reach back two seasons: s[t + h - 2m]
    forecast = bench.seasonal_naive(values, starts, 6, 4)
    np.testing.assert_array_equal(forecast[0], [17, 18, 19, 20, 17, 18])
    assert bench.seasonal_naive(values, starts, 3, None) is None
    np.testing.assert_array_equal(bench.naive(values, starts, 2, None),
                                  [[20, 20], [25, 25]])


def test_a_forecast_equal_to_a_baseline_up_to_float32_rounding_counts_as_at_or_below(
        monkeypatch):
    bench = load_script(monkeypatch)
    runs = {"sklstm defaults": [{"rmse": 107.2628993}], "RidgeCV": [{"rmse": 107.2628965}],
            "naive": [{"rmse": 151.5}]}
    above = {"sklstm defaults": [{"rmse": 20.6854}], "RidgeCV": [{"rmse": 20.6793}],
             "naive": [{"rmse": 52.49}]}
    lines = bench.summary({"shampoo": runs, "airline": above}, ["defaults"], 1)
    assert lines[0].startswith("- one step, sklstm defaults: RMSE <= RidgeCV on 1 of 2 "
                               "series (shampoo)")
