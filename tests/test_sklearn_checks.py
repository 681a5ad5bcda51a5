"""scikit-learn's estimator checks over LSTMClassifier and LSTMRegressor.

Each instance is small (hidden_size 6-8) so the whole suite stays fast, with
enough epochs to pass the checks that demand learning (``check_classifiers_train``,
``check_regressors_train``).

``check_sample_weight_equivalence_on_dense_data`` compares a fit on repeated samples
with a fit on integer weights at ``rtol=1e-7``. The two differ only by rounding
(1e-16), but Adam's nearly sign-sized steps make training on its 15 samples chaotic
once the loss is close to zero, and tens of such epochs grow the rounding to 1e-7
(scikit-learn runs the same check on MLPClassifier with lbfgs, and on MLPRegressor
with sgd and tol=1e-2, for this reason). Stopping when the loss levels off
(``tol=3e-3``) at a moderate step size (``learning_rate_init=0.01``) keeps the two
fits within 1e-8 of each other.

They compute in float64: several checks compare two computations of the same
prediction (on permuted or sliced samples, on repeated versus weighted samples) at
``rtol=1e-7``, a float64 tolerance. In float32 the results agree to about 1e-7
relative, as BLAS rounds differently with the batch's composition;
``tests/test_base.py`` checks the float32 default at float32 tolerances.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklstm import LSTMClassifier, LSTMRegressor

# tol=3e-3, n_iter_no_change=5: stop once the loss levels off (see the docstring).
# early_stopping=False: a validation split is random, so repeated samples and integer
# weights would be split differently (as with MLPRegressor(early_stopping=True));
# "auto" holds one out for a regressor with a linear part from 50 samples on.
# input_noise=0: for the same reason, the noise's draws depend on the rows a batch
# holds, so a zero weight is not a removed row (as with dropout); the noise itself is
# tested in tests/test_input_noise.py. So do random crops' (tests/test_chunking.py).
_SMALL = dict(hidden_size=8, max_iter=100, learning_rate_init=0.01, tol=3e-3,
              n_iter_no_change=5, early_stopping=False, input_noise=0.0, dtype="float64",
              random_state=0)

CONFIGS = [
    dict(),  # the default variant
    dict(variant="gru"),
    dict(variant="peephole"),
    dict(num_layers=2, bidirectional=True, pooling="mean", hidden_size=6),
    dict(variant="esn", leak_rate=0.5),  # a closed-form readout (regressor), or the loop
    dict(variant="grid", num_layers=2, tied_weights=True, bidirectional=False, hidden_size=4),
    # each step reads 4 steps at a stride of 2; unshifted, since the shifts' draws
    # depend on the rows a batch holds, as the noise's do (tests/test_chunking.py)
    dict(chunk_size=2, chunk_overlap=1.0, shift_chunks=False),
]

ESTIMATORS = [cls(**{**_SMALL, **config})
              for cls in (LSTMClassifier, LSTMRegressor)
              for config in CONFIGS + [dict(input_noise=0.1), dict(crop_fraction=0.9)]]


def _expected_failures(estimator):
    """With input noise or crops, a zero weight is not a removed row (see above)."""
    if estimator.input_noise == 0 and estimator.crop_fraction == 1:
        return {}
    return {"check_sample_weight_equivalence_on_dense_data":
            "the input noise's or the crops' draws depend on the rows a batch holds"}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
