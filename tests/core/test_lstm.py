"""``"lstm"`` against ``torch.nn.LSTM`` (``sklstm.core._lstm``).

The expected arrays come from ``tests/fixtures/torch_lstm.npz``, written by
``tests/fixtures/make_torch_fixtures.py`` (which needs torch; this test does
not). Everything is float32 and compared to 1e-5.
"""

from pathlib import Path

import numpy as np
import pytest

from sklstm.core import RecurrentLayer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch_lstm.npz"
ATOL = RTOL = 1e-5


@pytest.fixture(scope="module")
def torch_case():
    """Fixture arrays and the sklstm forward/backward on the same weights."""
    with np.load(FIXTURE) as data:
        ref = dict(data)
    B, T, F = ref["X"].shape
    H = ref["h0"].shape[1]
    layer = RecurrentLayer("lstm", input_size=F, hidden_size=H, random_state=0, dtype="float32")
    layer.params = {key: ref[key] for key in ("W", "U", "b")}
    initial_state = {"hidden": ref["h0"], "cell": ref["c0"]}
    out, cache = layer.forward(ref["X"], initial_state=initial_state)
    dX, grads = layer.backward(ref["R"], cache)
    return ref, out, cache, dX, grads


def assert_close(actual, expected):
    assert actual.dtype == np.float32
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


def test_fixture_is_float32_and_gate_layout_matches():
    with np.load(FIXTURE) as data:
        assert all(data[key].dtype == np.float32 for key in data.files)
    layer = RecurrentLayer("lstm", input_size=3, hidden_size=4, dtype="float32")
    assert tuple(layer.gates) == ("input", "forget", "candidate", "output")  # torch: i, f, g, o


def test_outputs_match_torch(torch_case):
    ref, out, _, _, _ = torch_case
    assert_close(out, ref["out"])


@pytest.mark.parametrize("key, torch_key", [("hidden", "h_n"), ("cell", "c_n")])
def test_final_state_matches_torch(torch_case, key, torch_key):
    ref, _, cache, _, _ = torch_case
    assert_close(cache["final_state"][key], ref[torch_key])


def test_input_gradient_matches_torch(torch_case):
    ref, _, _, dX, _ = torch_case
    assert_close(dX, ref["dX"])


@pytest.mark.parametrize("key", ["W", "U", "b"])
def test_weight_gradients_match_torch(torch_case, key):
    ref, _, _, _, grads = torch_case
    assert_close(grads[key], ref["d" + key])


@pytest.mark.parametrize("key, torch_key", [("hidden", "dh0"), ("cell", "dc0")])
def test_initial_state_gradients_match_torch(torch_case, key, torch_key):
    ref, _, _, _, grads = torch_case
    assert_close(grads["initial_state"][key], ref[torch_key])
