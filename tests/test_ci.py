"""CI checks the package pip installed, not only the checkout.

``.ci/run`` runs the README's two commands, then ``.ci/smoke_test.py`` from a
temporary directory. The full CI run takes minutes; here the script is read and the
smoke test itself is run both ways: on an importable sklstm, and on one imported
from the checkout, which it must refuse.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / ".ci" / "smoke_test.py"


def run_smoke(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # sklstm from this checkout
    return subprocess.run([sys.executable, str(SMOKE), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_ci_runs_the_smoke_test_from_outside_the_checkout_after_the_readme_commands():
    script = (ROOT / ".ci" / "run").read_text()
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0
    readme_commands = script.index('done <<< "$commands"')
    smoke = re.search(r'\(cd "\$outside" && python "\$checkout/\.ci/smoke_test\.py" '
                      r'"\$checkout"\)', script)
    assert smoke and smoke.start() > readme_commands
    assert re.search(r'^outside=\$\(mktemp -d\)$', script, re.M)


def test_smoke_test_fits_predicts_saves_and_loads(tmp_path):
    done = run_smoke(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("smoke test passed: sklstm ")
    assert list(tmp_path.iterdir()) == []  # its files go to a temporary directory


def test_smoke_test_refuses_sklstm_imported_from_the_checkout(tmp_path):
    done = run_smoke(tmp_path, str(ROOT))
    assert done.returncode != 0
    assert "imported from the checkout" in done.stderr
