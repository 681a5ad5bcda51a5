"""benchmarks/bench_real_data.py on two small archives written in the .ts format.

The script runs as a user runs it, in a fresh interpreter; the checks read its
table: one row per dataset and configuration, the shapes it read from the files
(equal-length and ragged, one channel and two, class labels and regression
targets), and scores that show the data reached the estimator intact.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_real_data.py"


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
    path.write_text("\n".join(["# a test archive", *header, "@data", *lines]) + "\n")


def make_archives(root):
    rng = np.random.default_rng(0)
    slopes = {"up": 1.0, "down": -1.0}  # class = direction of a noisy ramp
    for split, n in (("TRAIN", 60), ("TEST", 30)):
        labels = rng.choice(list(slopes), n)
        ramps = [slopes[c] * np.linspace(-1, 1, 12)[:, None]
                 + 0.2 * rng.standard_normal((12, 1)) for c in labels]
        (root / "Ramps").mkdir(exist_ok=True)
        write_ts(root / "Ramps" / f"Ramps_{split}.ts", ramps, list(labels),
                 regression=False)

        sums = [rng.standard_normal((int(length), 2)) for length in rng.integers(5, 11, n)]
        targets = [f"{s[:, 0].sum():.6f}" for s in sums]
        (root / "Sums").mkdir(exist_ok=True)
        write_ts(root / "Sums" / f"Sums_{split}.ts", sums, targets, regression=True)


def run_bench(data_dir, *args):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--data-dir", str(data_dir), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    rows = [line.strip("|").split("|") for line in result.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| dataset")]
    return [[cell.strip() for cell in row] for row in rows]


def test_reads_equal_length_classes_and_ragged_regression(tmp_path):
    make_archives(tmp_path)
    rows = run_bench(tmp_path, "--seeds", "2", "--configs", "defaults", "batch 32")
    by_key = {(row[0], row[5]): row for row in rows}
    assert set(by_key) == {(name, config) for name in ("Ramps", "Sums")
                           for config in ("defaults", "batch 32")}

    ramps = by_key["Ramps", "defaults"]
    assert ramps[1:4] == ["60", "12", "1"]  # n_train, T, channels
    assert float(ramps[4]) > 0.9  # 1-NN on clean ramps
    assert float(ramps[6].split()[0]) > 0.9  # the LSTM's mean accuracy

    sums = by_key["Sums", "defaults"]
    assert sums[1:5] == ["60", "5-10", "2", "-"]  # ragged: no 1-NN baseline
    assert float(sums[6].split()[0]) > 0.5  # R^2 of a running sum


def test_reports_a_dataset_it_cannot_run_and_goes_on(tmp_path):
    make_archives(tmp_path)
    gaps = tmp_path / "Gaps"
    gaps.mkdir()
    for split in ("TRAIN", "TEST"):  # the archive writes a missing value as "?"
        text = (tmp_path / "Ramps" / f"Ramps_{split}.ts").read_text()
        head, data = text.split("@data\n")
        first, rest = data.split(",", 1)
        (gaps / f"Gaps_{split}.ts").write_text(f"{head}@data\n?,{rest}")
    rows = run_bench(tmp_path, "--datasets", "Gaps", "Ramps", "--seeds", "1",
                     "--configs", "defaults")
    assert [row[0] for row in rows] == ["Gaps", "Ramps"]
    assert rows[0][1].startswith("skipped: Input X contains NaN")
    assert float(rows[1][6].split()[0]) > 0.9


def test_selects_datasets_by_name(tmp_path):
    make_archives(tmp_path)
    rows = run_bench(tmp_path, "--datasets", "Sums", "--seeds", "1",
                     "--configs", "defaults")
    assert [row[0] for row in rows] == ["Sums"]
