"""scikit-learn's estimator checks over LSTMClassifier and LSTMRegressor.

Each instance is small (hidden_size 8-12) so the whole suite stays fast, with
enough epochs to pass the checks that demand learning (``check_classifiers_train``,
``check_regressors_train``).

They compute in float64: several checks compare two computations of the same
prediction (on permuted or sliced samples, on repeated versus weighted samples) at
``rtol=1e-7``, a float64 tolerance. In float32 the results agree to about 1e-7
relative, as BLAS rounds differently with the batch's composition;
``tests/test_estimators.py`` checks the float32 default at float32 tolerances.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklstm import LSTMClassifier, LSTMRegressor

_SMALL = dict(hidden_size=8, max_iter=60, learning_rate_init=0.02, dtype="float64",
              random_state=0)

CONFIGS = [
    dict(),  # the default variant
    dict(variant="gru"),
    dict(variant="peephole", solver="sgd", learning_rate_init=0.1),
    dict(num_layers=2, bidirectional=True, pooling="mean", hidden_size=6),
]

ESTIMATORS = [cls(**{**_SMALL, **config})
              for cls in (LSTMClassifier, LSTMRegressor) for config in CONFIGS]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
