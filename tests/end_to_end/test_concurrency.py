"""Load: many threads on one estimator, and grid searches across workers.

- ``predict``, ``predict_proba`` and ``trace`` from 8 threads x 50 calls at once
  give bit-for-bit the sequential results.
- ``GridSearchCV(..., n_jobs=-1)`` runs on joblib's default loky backend and under
  ``joblib.parallel_backend("dask")`` on a ``distributed.LocalCluster`` started here.
- Inside the workers, BLAS runs on few enough threads that workers x BLAS threads
  never exceeds the cores. To see the thread count *during training*, a small
  subclass wraps the optimizer sklstm builds and records ``threadpool_info()`` at
  every update; a scorer hands the record back from the worker.
"""

import logging
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_info

from sklstm import LSTMClassifier
from sklstm.core._parallel import blocks_on_one_blas_thread

from tests.helpers import make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")

N_THREADS, N_CALLS = 8, 50

rng = np.random.RandomState(0)
X = rng.normal(size=(48, 7, 2))
Y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
RAGGED = [X[i, : 2 + i % 6] for i in range(12)]
GRID = {"variant": ["lstm", "gru"], "hidden_size": [3, 5]}


# ------------------------------------------------------------------- threads
@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LSTMClassifier(hidden_size=6, num_layers=2, bidirectional=True,
                              max_iter=3, random_state=0).fit(X, Y)


def _calls(est):
    """Distinct calls on distinct inputs (so any shared scratch state would show)."""
    return [
        lambda: est.predict(X[:20]),
        lambda: est.predict_proba(X[10:]),
        lambda: est.predict_proba(RAGGED),
        lambda: est.predict_log_proba(X[::3]),
        lambda: est.trace(RAGGED[:7], layer=0, direction=1),
        lambda: est.trace(X[5:15], layer=-1, direction=0),
    ]


def _as_arrays(result):
    return [result[k] for k in sorted(result)] if isinstance(result, dict) else [result]


def test_predict_and_trace_are_thread_safe(fitted):
    calls = _calls(fitted)
    expected = [_as_arrays(call()) for call in calls]
    jobs = [k % len(calls) for k in range(N_THREADS * N_CALLS)]
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        results = list(pool.map(lambda k: (k, _as_arrays(calls[k]())), jobs))
    assert len(results) == N_THREADS * N_CALLS
    for k, arrays in results:
        assert len(arrays) == len(expected[k])
        for got, want in zip(arrays, expected[k]):
            np.testing.assert_array_equal(got, want)  # bit for bit, NaN where NaN


# ---------------------------------------------------------- BLAS in workers
class ThreadRecordingClassifier(LSTMClassifier):
    """LSTMClassifier that records the BLAS thread counts seen while training.

    ``blas_threads_`` is the largest BLAS ``num_threads`` reported by
    threadpoolctl at any optimizer update of the last fit.
    """

    def _make_optimizer(self, params):
        optimizer = super()._make_optimizer(params)
        estimator = self
        estimator.blas_threads_ = 0
        update = optimizer.update_params

        def recording_update(*args, **kwargs):
            threads = [d["num_threads"] for d in threadpool_info()
                       if d["user_api"] == "blas"]
            estimator.blas_threads_ = max([estimator.blas_threads_, *threads])
            return update(*args, **kwargs)

        optimizer.update_params = recording_update
        return optimizer


def blas_threads_scorer(estimator, X, y):
    return float(estimator.blas_threads_)


def run_search(n_jobs):
    search = GridSearchCV(
        ThreadRecordingClassifier(max_iter=2, random_state=0), GRID, cv=2, n_jobs=n_jobs,
        scoring={"accuracy": "accuracy", "blas": blas_threads_scorer}, refit="accuracy",
        error_score="raise")
    return search.fit(X, Y)


def check_search(search, n_workers):
    n_fits = len(search.cv_results_["params"]) * 2
    assert n_fits == 8
    assert np.isfinite(search.cv_results_["mean_test_accuracy"]).all()
    assert search.best_estimator_.predict(X).shape == Y.shape
    threads = np.concatenate([search.cv_results_[f"split{i}_test_blas"] for i in range(2)])
    assert (threads >= 1).all(), "BLAS was not seen during training"
    cores = joblib.cpu_count()
    assert threads.max() * min(n_workers, n_fits) <= max(cores, min(n_workers, n_fits)), (
        f"{n_workers} workers x {threads.max():.0f} BLAS threads on {cores} cores")


def test_fit_runs_on_one_blas_thread_and_restores_the_count():
    """sklstm's policy (sklstm/core/_blas.py): one BLAS thread while it computes, in the
    main process too; the process's own count is back once fit returns."""
    def blas():
        return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
    before = blas()
    est = ThreadRecordingClassifier(hidden_size=3, max_iter=1, random_state=0).fit(X, Y)
    assert est.blas_threads_ == 1
    assert blas() == before


def test_grid_search_on_the_threading_backend():
    """Threads share one process's BLAS pool: loky's environment limits do not help.

    Run in a fresh interpreter, as a user's script would: whether the race shows
    depends on the BLAS library's state, which earlier tests in this session change.
    Afterwards the process must have its BLAS threads back (no leaked limit).
    """
    import subprocess
    import textwrap
    from pathlib import Path

    script = textwrap.dedent("""
        import sys, warnings
        sys.path.insert(0, sys.argv[1])
        warnings.simplefilter("ignore")
        import joblib
        import test_concurrency as t
        from threadpoolctl import threadpool_info
        def blas():
            return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
        before = blas()
        for _ in range(3):  # the race does not show every time
            with joblib.parallel_config(backend="threading"):
                search = t.run_search(n_jobs=2)
            t.check_search(search, n_workers=2)
            assert blas() == before, f"BLAS limit leaked: {before} -> {blas()}"
        print("OK")
    """)
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "OK" in done.stdout, done.stderr[-1500:]


def test_grid_search_all_cores_on_loky():
    search = run_search(n_jobs=-1)
    check_search(search, n_workers=joblib.cpu_count())


def test_grid_search_on_a_dask_cluster():
    pytest.importorskip("distributed", reason="dask.distributed is an optional test "
                        "dependency (pip install 'dask[distributed]'); it is in the "
                        "[test] extra")
    import cloudpickle
    from distributed import Client, LocalCluster

    # The worker processes cannot import this test module: ship its classes by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            with joblib.parallel_backend("dask"):
                search = run_search(n_jobs=-1)
            workers = client.scheduler_info()["workers"]
            n_workers = sum(w["nthreads"] for w in workers.values())
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert n_workers == 2
    check_search(search, n_workers=n_workers)


def _budget_inside_an_estimator_call():
    """(split budget, BLAS threads) as the estimators see them while computing."""
    from sklstm.core._blas import blas_threads
    from sklstm.core._parallel import blocks_on_one_blas_thread, thread_budget

    with blocks_on_one_blas_thread():
        return thread_budget(), blas_threads()


def test_loky_workers_split_no_wider_than_joblib_allows():
    """joblib limits each loky worker's BLAS to its share of the cores; the estimators'
    row blocks take that share as their budget, and BLAS stays on one thread."""
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_budget_inside_an_estimator_call)() for _ in range(2))
    share = max(1, joblib.cpu_count() // 2)
    assert results == [(share, 1)] * 2


def test_estimators_split_large_batches_and_learn_the_same(monkeypatch):
    """fit and predict keep BLAS on one thread, yet run a large batch as row blocks over
    the threads BLAS had before; the fitted model is the whole-batch one."""
    import sklstm.core._layer as layer_module
    import sklstm.core._parallel as parallel

    settings = dict(hidden_size=4, max_iter=3, batch_size=48, dtype="float64",
                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = LSTMClassifier(**settings).fit(X, Y)
        monkeypatch.setattr(parallel, "MIN_BLOCK_SIZE", 1)
        monkeypatch.setattr(parallel, "blas_threads", lambda: 2)
        block_counts = []
        map_blocks = layer_module.map_blocks

        def counting_map_blocks(function, blocks):
            block_counts.append(len(blocks))
            return map_blocks(function, blocks)

        monkeypatch.setattr(layer_module, "map_blocks", counting_map_blocks)
        split = LSTMClassifier(**settings).fit(X, Y)
    assert block_counts and set(block_counts) == {2}
    np.testing.assert_allclose(split.predict_proba(X), whole.predict_proba(X), rtol=1e-9)
    np.testing.assert_allclose(split.loss_curve_, whole.loss_curve_, rtol=1e-9)


# ------------------------------------------------------------- composition
def test_grid_search_two_jobs_on_3d_data():
    X, y = make_sequences(n=60)
    search = GridSearchCV(LSTMClassifier(max_iter=3, random_state=0),
                          {"variant": ["lstm", "gru"], "hidden_size": [4, 8]},
                          cv=2, n_jobs=2)
    search.fit(X, y)
    assert set(search.cv_results_["param_variant"]) == {"lstm", "gru"}
    assert search.best_estimator_.predict(X).shape == (60,)


def _blas_threads_in_fit():
    """BLAS threads inside the limit that fit, predict and trace hold."""
    with blocks_on_one_blas_thread():
        return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]


def test_fit_runs_on_one_blas_thread_in_workers_and_outside():
    """The per-step GEMMs are too small to share (sklstm/core/_blas.py): one BLAS thread
    in threading workers and in the main process, the count restored afterwards."""
    before = [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
    with parallel_config(backend="threading"):
        inside = Parallel(n_jobs=2)(delayed(_blas_threads_in_fit)() for _ in range(2))
    assert all(n == 1 for threads in inside for n in threads)
    assert all(n == 1 for n in _blas_threads_in_fit())
    assert [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"] == before
