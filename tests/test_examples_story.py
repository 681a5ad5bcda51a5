"""The story examples run end to end in their quick mode: exit status 0, the printed
tables, the saved images (written to a temporary directory, not docs/images)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the examples draw with the optional extra sklstm[plot]")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run_quick(script, out_dir):
    env = {**os.environ, "SKLSTM_EXAMPLE_QUICK": "1", "MPLBACKEND": "Agg",
           "SKLSTM_EXAMPLE_OUTPUT": str(out_dir)}
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _assert_png(path):
    assert path.is_file(), f"{path.name} was not saved"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_long_term_dependencies_quick(tmp_path):
    out = _run_quick("long_term_dependencies.py", tmp_path)
    assert "predict 1.0" in out
    header = next(line for line in out.splitlines() if line.startswith("variant"))
    assert header.split()[1:3] == ["T=5", "T=10"]
    for variant in ("rnn", "lstm", "gru", "peephole", "coupled"):
        assert any(line.split()[:1] == [variant] and len(line.split()) == 4
                   for line in out.splitlines()), variant
    assert "T=10   solved by " in out
    _assert_png(tmp_path / "long_term_dependencies.png")


def test_inside_the_gates_quick(tmp_path):
    out = _run_quick("inside_the_gates.py", tmp_path)
    for row in ("predict the training mean", "lstm", "no_forget_gate",
                "at marker steps", "elsewhere"):
        assert row in out
    _assert_png(tmp_path / "inside_the_gates.png")
    _assert_png(tmp_path / "gates_heatmap.png")
