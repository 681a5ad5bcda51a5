"""benchmarks/bench_adding_esn.py runs in its quick mode."""


def test_adding_problem_benchmark_runs(monkeypatch, capsys):
    """benchmarks/bench_adding_esn.py in quick mode: a row per reservoir, a cell per
    length (the full run's figures are in docs/benchmarks.md)."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_adding_esn.py"
    spec = importlib.util.spec_from_file_location("bench_adding_esn", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("SKLSTM_EXAMPLE_QUICK", "1")
    module.main(["--sizes", "4", "--leak-rates", "1", "0.5"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines()
            if line.startswith(("predict", "H="))]
    assert [row[0] for row in rows] == ["predict", "H=4,", "H=4,"]
    assert all(len(row) == 5 for row in rows[1:])  # label (2 words), T=5, T=10, CPU s
