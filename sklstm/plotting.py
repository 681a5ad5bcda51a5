"""Matplotlib views of a fitted sklstm model: its gates over time, its training.

Each function takes an estimator or a fitted Pipeline whose last step is one.
matplotlib is an optional extra (``pip install "sklstm[plot]"``). Importing this
module does not import it; each function imports it when called and raises an
ImportError that says what to install when it is missing.
"""

from ._plotting import plot_gates, plot_loss_curve

__all__ = ["plot_gates", "plot_loss_curve"]
