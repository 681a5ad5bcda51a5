"""A large batch split into row blocks that threads run side by side.

The sequences of a batch are independent from the first step to the last, so each
block of rows can run the whole recurrence on its own thread, with no hand-off
between steps. It pays because NumPy releases the GIL inside its elementwise loops,
the bulk of a step's time once the gate blocks are large; below that size the
threads lose more to passing the GIL back and forth around every call than they gain
(measured whole against split, alternating, in one process; ``docs/benchmarks.md``).

The threads come from BLAS's own budget (:func:`~sklstm.core._blas.blas_threads`):
what ``threadpoolctl``, ``OPENBLAS_NUM_THREADS`` or joblib's workers allow BLAS is
what the core allows itself, and while the blocks run, each computes with one BLAS
thread. Inside :func:`~sklstm.core._blas.single_blas_thread` the budget is one, and
nothing is split, unless the block was entered through :func:`blocks_on_one_blas_thread`,
which keeps the budget from before (the estimators compute this way).
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager

from ._blas import blas_threads, single_blas_thread

#: Fewest gate activations per step, ``rows * G * H``, that a block of rows must hold.
MIN_BLOCK_SIZE = 2**15

_POOL = {"pid": None, "executor": None}
_POOL_LOCK = threading.Lock()
_BUDGET = threading.local()  # .threads: set by blocks_on_one_blas_thread, else unset


def thread_budget():
    """How many threads a batch may be split over, from this thread, now."""
    threads = getattr(_BUDGET, "threads", None)
    return blas_threads() if threads is None else threads


@contextmanager
def blocks_on_one_blas_thread():
    """Run the block with BLAS on one thread, yet split large batches over as many
    threads as BLAS had before: one BLAS thread per step loop, whatever the batch."""
    previous = getattr(_BUDGET, "threads", None)
    _BUDGET.threads = thread_budget()
    try:
        with single_blas_thread():
            yield
    finally:
        _BUDGET.threads = previous


def row_blocks(batch, width):
    """Slices of the ``batch`` rows, one per thread: a single one unless a step's gate
    activations, ``batch * width`` with ``width = G * H``, fill at least two blocks
    of ``MIN_BLOCK_SIZE`` and the budget has a thread for each."""
    n_blocks = min(batch * width // MIN_BLOCK_SIZE, batch)
    if n_blocks >= 2:  # asking BLAS for its thread count costs ~5 us: only when it matters
        n_blocks = min(thread_budget(), n_blocks)
    if n_blocks < 2:
        return [slice(0, batch)]
    bounds = [batch * k // n_blocks for k in range(n_blocks + 1)]
    return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]


def map_blocks(function, blocks):
    """``[function(block) for block in blocks]``, one thread per block.

    The first block runs on the calling thread and the others on a pool kept for the
    life of the process (so their scratch memory, per thread, outlives the call),
    all with one BLAS thread. Every block finishes before an exception propagates.
    """
    if len(blocks) == 1:
        return [function(blocks[0])]
    with single_blas_thread():
        futures = [_executor().submit(function, block) for block in blocks[1:]]
        try:
            first = function(blocks[0])
        finally:
            wait(futures)
    return [first] + [future.result() for future in futures]


def _executor():
    """The pool of this process, made anew after a fork (whose child has no threads)."""
    with _POOL_LOCK:
        if _POOL["pid"] != os.getpid():
            _POOL["executor"] = ThreadPoolExecutor(thread_name_prefix="sklstm")
            _POOL["pid"] = os.getpid()
        return _POOL["executor"]
