"""One BLAS thread while sklstm computes.

The recurrent core runs one small matrix product per time step,
``(B, H) @ (H, G*H)`` with B and H in the tens: too small to share between
cores. With two OpenBLAS threads, fits ran 6-25x slower on a 2-core machine
whose other core was busy (hidden_size 32 to 256), and no faster on an idle one
(B = H = 64); inside joblib workers every extra BLAS thread oversubscribes the
cores. So ``fit``, ``partial_fit``, ``predict`` and ``trace`` run BLAS on one
thread, in the main process and in workers alike; parallelism comes from
running fits side by side (``n_jobs``).

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

__all__ = ["single_blas_thread"]

_LOCK = threading.Lock()
_STATE = {"users": 0, "limiter": None, "controller": None}


def _release_blas_control():
    """Let any thread change OpenBLAS's limit next (no-op before threadpoolctl 3.8)."""
    openblas = getattr(threadpoolctl, "OpenBLASController", None)
    release = getattr(openblas, "clear_controlling_thread", None)
    if release is not None:
        release()  # only clears if this thread took control


def _limit():
    """Limit BLAS to one thread; the limiter that restores the previous count."""
    if _STATE["controller"] is None:  # inspecting the loaded libraries takes ms
        _STATE["controller"] = threadpoolctl.ThreadpoolController()
    limiter = _STATE["controller"].limit(limits=1, user_api="blas")
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
