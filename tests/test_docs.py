"""The documentation stays true: the README's example runs as written, every other
Python block of the README runs in order after it (on a subset of the digits, to be
quick), and the variants table and docs/variants.md name every registered variant."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sklstm.core import VARIANTS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.S | re.M)
EXAMPLE = re.search(r"## Example\n\n```python\n(.*?)```", README, re.S).group(1)
# The Beyond one machine block names a real cluster's scheduler; the test starts one.
DASK_CLIENT = 'Client("tcp://scheduler:8786")'
# Run before the blocks, to be quick: the digits shrink to their first 200 images
# (every class is there: the dataset cycles through the digits), the estimators'
# default max_iter to 10 epochs, and plots go to the Agg backend.
QUICK = """\
import matplotlib
matplotlib.use("Agg")
import sklearn.datasets
import sklstm
_load_digits = sklearn.datasets.load_digits
def _first_digits(return_X_y=False):
    X, y = _load_digits(return_X_y=True)
    return X[:200], y[:200]
sklearn.datasets.load_digits = _first_digits
for _estimator in (sklstm.LSTMClassifier, sklstm.LSTMRegressor):
    _estimator.__init__.__kwdefaults__["max_iter"] = 10
"""


def run_python(code, cwd):
    """Run ``code`` in a fresh interpreter in ``cwd``; its stdout (asserting exit 0)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_readme_example_runs_as_written(tmp_path):
    out = run_python(EXAMPLE, tmp_path)
    best_params, score = out.rsplit("} ", 1)
    assert "lstmclassifier__variant" in best_params
    assert float(score) > 0.9
    assert (tmp_path / "digits_lstm.joblib").exists()


def test_readme_python_blocks_run_in_order(tmp_path):
    """Every Python block but the cluster one, pasted in order into one session, as a
    reader would: the gates of the example's model, the comparison of every variant."""
    assert BLOCKS[0] == EXAMPLE
    blocks = [block for block in BLOCKS if DASK_CLIENT not in block]
    assert len(blocks) == len(BLOCKS) - 1 >= 3
    out = run_python(QUICK + "\n".join(blocks), tmp_path)
    rows = dict(line.split() for line in out.splitlines()[1:])  # after the example's line
    assert sorted(rows) == sorted(VARIANTS)  # every variant scored, none failed
    assert all(0 <= float(score) <= 1 for score in rows.values())


def test_readme_dask_block_runs_on_a_local_cluster(tmp_path):
    pytest.importorskip("distributed", reason="the README's cluster block needs "
                        "dask.distributed (pip install 'dask[distributed]', in .[test])")
    (dask_block,) = [block for block in BLOCKS if DASK_CLIENT in block]
    cluster = ("Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=False, "
               "dashboard_address=None))")
    data = ("from sklearn.datasets import load_digits\n"  # 120 digits, 6 x 5 fits
            "X_train, y_train = load_digits(return_X_y=True)\n"
            "X_train, y_train = X_train[:120].reshape(-1, 8, 8) / 16, y_train[:120]\n")
    code = (data + dask_block.replace(DASK_CLIENT, cluster)
            .replace("from dask.distributed import Client",
                     "from dask.distributed import Client, LocalCluster")
            + "\nprint(sorted(search.best_params_))\nclient.close()\n")
    out = run_python(code, tmp_path)
    assert out.splitlines()[-1] == "['hidden_size', 'variant']"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_is_documented(variant):
    table = README[README.index("## The variants"):README.index("## Look inside")]
    assert f"| `{variant}` |" in table
    assert '| `pooling="attention"`' in table
    assert f"`{variant}`" in (ROOT / "docs" / "variants.md").read_text()


def test_estimator_docstrings_point_at_public_documentation():
    from sklstm import LSTMClassifier, LSTMRegressor

    from sklstm.preprocessing import SequenceScaler

    assert "sklstm._data" not in SequenceScaler.__doc__
    for estimator in (LSTMClassifier, LSTMRegressor):
        doc = estimator.__doc__
        assert "sklstm._data" not in doc  # a private module is no documentation
        window = doc[doc.index("    window : "):]
        window = window[:window.index("\n\n")]
        assert '"Input formats" in the README' in window and "docs/forecasting.md" in window


@pytest.mark.parametrize("name", ["sklstm.trace", "sklstm.variant_grid",
                                  "sklstm.plotting.plot_gates",
                                  "sklstm.plotting.plot_loss_curve",
                                  "sklstm.LSTMClassifier.fit",
                                  "sklstm.LSTMClassifier.score",
                                  "sklstm.LSTMRegressor.trace"])
def test_help_shows_no_runs_of_stray_spaces(name):
    """A docstring line continued with a backslash keeps the next line's indent:
    help() showed 'or                 (n_samples, n_timesteps)'."""
    import pydoc

    text = pydoc.render_doc(name, renderer=pydoc.plaintext)
    types = re.findall(r"^ *(\w+ : .*)$", text, re.M)  # "x : array-like of shape ..."
    assert len(types) >= 3
    assert not [line for line in types if re.search(r"\S {3,}\S", line)]
