"""The echo state network's reservoir (``sklstm.core._esn``): how it is drawn and its
options' checks. Its equations, exact backward and thread blocks run in the suites
over every registered cell (``test_cells.py``, ``test_layer.py``, ``test_parallel.py``)."""

import numpy as np
import pytest

from sklstm.core import RecurrentLayer

from tests.reference_cells import spectral_radius


# ------------------------------------------------------------------ the reservoir
@pytest.mark.parametrize("radius", [0.5, 0.95, 1.0, 1.3])
@pytest.mark.parametrize("hidden_size, density", [(4, "auto"), (30, "auto"), (50, 0.05),
                                                  (12, 1.0)])
def test_drawn_reservoir_has_the_spectral_radius_and_density(radius, hidden_size, density):
    layer = RecurrentLayer("esn", input_size=3, hidden_size=hidden_size, random_state=1,
                           dtype="float64", spectral_radius=radius, density=density)
    U = layer.params["U"]  # (H, H): column j holds unit j's recurrent inputs
    assert spectral_radius(U) == pytest.approx(radius, rel=1e-12)
    per_unit = min(hidden_size, 10) if density == "auto" else max(1, round(density * hidden_size))
    assert ((U != 0).sum(axis=0) == per_unit).all()
    float32 = RecurrentLayer("esn", input_size=3, hidden_size=hidden_size, random_state=1,
                             spectral_radius=radius, density=density).params["U"]
    assert spectral_radius(float32.astype(np.float64)) == pytest.approx(radius, rel=1e-6)


def test_input_weights_and_bias_are_uniform_in_the_input_scaling():
    layer = RecurrentLayer("esn", input_size=40, hidden_size=50, random_state=0,
                           dtype="float64", input_scaling=0.3)
    for key in ("W", "b"):
        values = layer.params[key]
        assert np.abs(values).max() <= 0.3 and np.abs(values).max() > 0.28
        assert values.std() == pytest.approx(0.3 / np.sqrt(3), rel=0.1)


@pytest.mark.parametrize("options, message", [
    ({"spectral_radius": -1.0}, "spectral_radius"), ({"leak_rate": 0.0}, "leak_rate"),
    ({"leak_rate": 1.5}, "leak_rate"), ({"input_scaling": 0}, "input_scaling"),
    ({"density": 0.0}, "density"), ({"density": "sparse"}, "density"),
])
def test_bad_reservoir_options_name_the_option(options, message):
    with pytest.raises(ValueError, match=rf"{message} must be a real number in"):
        RecurrentLayer("esn", input_size=2, hidden_size=4, **options)
