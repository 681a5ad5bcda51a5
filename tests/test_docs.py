"""The documentation stays true: the README's example runs as written, and the
variants table and docs/variants.md name every registered variant."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sklstm.core import VARIANTS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_example_runs_as_written(tmp_path):
    block = re.search(r"## Example\n\n```python\n(.*?)```", README, re.S).group(1)
    done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    best_params, score = done.stdout.rsplit("} ", 1)
    assert "lstmclassifier__variant" in best_params
    assert float(score) > 0.9
    assert (tmp_path / "digits_lstm.joblib").exists()


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_is_documented(variant):
    table = README[README.index("## The variants"):README.index("## Look inside")]
    assert f"| `{variant}` |" in table
    assert '| `pooling="attention"`' in table
    assert f"`{variant}`" in (ROOT / "docs" / "variants.md").read_text()
