"""BLAS's thread count: the budget the core computes with, and one thread where needed.

The core reads BLAS's thread count as its own budget: a large batch may be split over
that many threads (``_parallel.py``), each computing with one BLAS thread. The
estimators hold one BLAS thread for the whole of ``fit``, ``partial_fit``, ``predict``
and ``trace`` (keeping the budget from before for row blocks): one time step's product,
``(B, H) @ (H, G*H)`` with B and H in the tens, gains little from a second thread on an
idle machine, and with two OpenBLAS threads, fits of hidden_size 32 to 256 ran 6-25x
slower whenever the other core was busy; inside joblib workers every extra BLAS thread
oversubscribes the cores. So the estimators parallelise over fits (``n_jobs``) and over
row blocks, not inside a step.

BLAS thread counts are process-wide, and many threads may compute at once
(``GridSearchCV`` on joblib's threading backend, ``predict`` from a web server's
threads). One counter under one lock holds the limit while any of them runs: the
first to start sets it, the last to finish restores the count from before.
threadpoolctl >= 3.8 lets only one thread at a time change OpenBLAS's
process-wide pool; each change here hands that right back at once, so the
thread that restores the count need not be the one that limited it.
"""

import threading
from contextlib import contextmanager

import threadpoolctl

__all__ = ["blas_threads", "single_blas_thread"]

_LOCK = threading.Lock()
_STATE = {"users": 0, "limiter": None, "controller": None}


def _release_blas_control():
    """Let any thread change OpenBLAS's limit next (no-op before threadpoolctl 3.8)."""
    openblas = getattr(threadpoolctl, "OpenBLASController", None)
    release = getattr(openblas, "clear_controlling_thread", None)
    if release is not None:
        release()  # only clears if this thread took control


def _controller():
    if _STATE["controller"] is None:  # inspecting the loaded libraries takes ms
        _STATE["controller"] = threadpoolctl.ThreadpoolController()
    return _STATE["controller"]


def blas_threads():
    """The number of threads BLAS may use now (the fewest, if several are loaded).

    This is what ``threadpoolctl.threadpool_limits``, ``OPENBLAS_NUM_THREADS`` or
    joblib's workers allow, and 1 inside :func:`single_blas_thread`.
    """
    blas = _controller().select(user_api="blas")
    counts = [lib.get_num_threads() for lib in blas.lib_controllers]
    return min(counts, default=1)


def _limit():
    """Limit BLAS to one thread; the limiter that restores the previous count."""
    limiter = _controller().limit(limits=1, user_api="blas")
    _release_blas_control()
    return limiter


@contextmanager
def single_blas_thread():
    """Run the block with BLAS on one thread, then restore it once no block runs.

    Safe to enter from many threads at once and to nest.
    """
    with _LOCK:
        if _STATE["users"] == 0:
            _STATE["limiter"] = _limit()
        _STATE["users"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["users"] -= 1
            if _STATE["users"] == 0:
                _STATE["limiter"].restore_original_limits()
                _release_blas_control()
                _STATE["limiter"] = None

