"""The core's threads: a large batch split into row blocks that run side by side.

Splitting must change nothing but the time: every output and gradient of a split call
equals the whole call's, for every variant, masked, reversed, with an initial state
and side inputs; BLAS's thread count is the budget, the step loops run on one BLAS
thread, and everything is restored however a call ends.
"""

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import sklstm.core._blas as blas
import sklstm.core._parallel as parallel
from sklstm.core import RecurrentLayer
from sklstm.core._blas import blas_threads
from sklstm.core._cell import BackwardSteps

from tests.reference_cells import (
    ragged_mask,
    random_initial_state,
    random_params,
    random_side_inputs,
    variant_cases,
)

B, T, F, H = 5, 6, 2, 4
LENGTHS = (6, 2, 6, 5, 1)  # the first block of a 3-way split has no padding
CASES = [pytest.param(variant, options, id=case_id)
         for case_id, variant, options in variant_cases()]


def split_three_ways(monkeypatch):
    """Any batch of at least 3 rows splits into 3 blocks, whatever the machine."""
    monkeypatch.setattr(parallel, "blas_threads", lambda: 3)
    monkeypatch.setattr(parallel, "MIN_BLOCK_SIZE", 1)


def make_case(variant, options, seed=0):
    layer = RecurrentLayer(variant, input_size=F, hidden_size=H, random_state=seed,
                           dtype="float64", **options)
    rng = np.random.default_rng(seed + 1)
    layer.params = layer.cell.mask_params(random_params(layer.params, rng))
    inputs = {
        "X": rng.standard_normal((B, T, F)),
        "initial_state": random_initial_state(variant, B, H, rng),
        **random_side_inputs(variant, B, T, H, rng),
    }
    d_out = rng.standard_normal((B, T, H))
    d_cell = rng.standard_normal((B, T, H)) if layer.has_cell else None
    return layer, inputs, d_out, d_cell


def run(layer, inputs, d_out, d_cell, mask, reverse, input_grad=True):
    """Everything a caller gets from a forward and a backward call."""
    out, cache = layer.forward(mask=mask, reverse=reverse, **inputs)
    results = {"out": out, **{f"final_{k}": v for k, v in cache["final_state"].items()}}
    if layer.has_cell:
        results["cell_output"] = layer.cell_output(cache)
    dX, grads = layer.backward(d_out, cache, d_cell=d_cell, input_grad=input_grad)
    results["dX"] = dX
    for key, value in grads.items():
        if key == "initial_state":
            results.update({f"d_initial_{k}": v for k, v in value.items()})
        else:
            results["d_" + key] = value
    return results, cache


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])
@pytest.mark.parametrize("variant, options", CASES)
def test_split_batch_equals_the_whole_batch(variant, options, masked, reverse, monkeypatch):
    layer, inputs, d_out, d_cell = make_case(variant, options)
    mask = ragged_mask(LENGTHS, T) if masked else None
    whole, cache = run(layer, inputs, d_out, d_cell, mask, reverse)
    assert "blocks" not in cache  # a batch this small runs whole by default
    split_three_ways(monkeypatch)
    split, cache = run(layer, inputs, d_out, d_cell, mask, reverse)
    assert [rows for rows, _ in cache["blocks"]] == [slice(0, 1), slice(1, 3), slice(3, 5)]
    assert whole.keys() == split.keys()
    for key, value in whole.items():
        assert split[key].shape == value.shape, key
        np.testing.assert_allclose(split[key], value, rtol=1e-12, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize("variant, options", CASES)
def test_without_input_grad_dX_is_none_and_the_rest_unchanged(variant, options, split,
                                                               monkeypatch):
    layer, inputs, d_out, d_cell = make_case(variant, options)
    if split:
        split_three_ways(monkeypatch)
    mask = ragged_mask(LENGTHS, T)
    full, _ = run(layer, inputs, d_out, d_cell, mask, reverse=False)
    lean, _ = run(layer, inputs, d_out, d_cell, mask, reverse=False, input_grad=False)
    assert full.pop("dX").shape == (B, T, F) and lean.pop("dX") is None
    assert full.keys() == lean.keys()
    for key, value in full.items():
        np.testing.assert_array_equal(lean[key], value, err_msg=key)


def test_row_blocks_follow_the_blas_budget_and_the_block_size(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BLOCK_SIZE", 100)
    monkeypatch.setattr(parallel, "blas_threads", lambda: 1)
    assert parallel.row_blocks(1000, 40) == [slice(0, 1000)]  # no thread to spare
    monkeypatch.setattr(parallel, "blas_threads", lambda: 4)
    assert parallel.row_blocks(4, 40) == [slice(0, 4)]  # 160 activations: one block
    assert parallel.row_blocks(5, 40) == [slice(0, 2), slice(2, 5)]
    assert parallel.row_blocks(1000, 40) == [slice(0, 250), slice(250, 500),
                                             slice(500, 750), slice(750, 1000)]
    monkeypatch.setattr(parallel, "MIN_BLOCK_SIZE", 1)
    assert parallel.row_blocks(3, 40) == [slice(0, 1), slice(1, 2), slice(2, 3)]


def test_threads_default_to_what_blas_may_use():
    layer = RecurrentLayer("lstm", input_size=1, hidden_size=64, random_state=0)
    X = np.zeros((4 * parallel.MIN_BLOCK_SIZE // (4 * 64), 3, 1), dtype=np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        _, cache = layer.forward(X)
    assert "blocks" not in cache
    with threadpool_limits(limits=2, user_api="blas"):
        _, cache = layer.forward(X)
    assert len(cache["blocks"]) == 2


def test_blocks_compute_on_one_blas_thread_and_the_count_comes_back(monkeypatch):
    """A whole call keeps BLAS's count; split blocks run their loops on one BLAS thread
    each (no oversubscription); after either, the count is what it was."""
    layer, inputs, d_out, d_cell = make_case("peephole", {})
    seen = []
    cell_class = type(layer.cell)  # spied on in the class: the cell objects are shared
    forward, cut = cell_class.forward, BackwardSteps.cut

    def spy_forward(*args, **kwargs):
        seen.append(("forward", blas_threads()))
        return forward(*args, **kwargs)

    def spy_cut(self, *args):  # called at every step of every backward loop
        seen.append(("backward", blas_threads()))
        return cut(self, *args)

    monkeypatch.setattr(cell_class, "forward", spy_forward)
    monkeypatch.setattr(BackwardSteps, "cut", spy_cut)
    with threadpool_limits(limits=2, user_api="blas"):
        for split in (False, True):
            if split:
                split_three_ways(monkeypatch)
            _, cache = layer.forward(**inputs)
            layer.backward(d_out, cache, d_cell=d_cell)
            assert ("blocks" in cache) == split
            assert blas_threads() == 2
            assert {kind for kind, _ in seen} == {"forward", "backward"}
            assert all(count == (1 if split else 2) for _, count in seen), seen
            seen.clear()


def test_every_block_finishes_before_an_error_propagates(monkeypatch):
    split_three_ways(monkeypatch)
    layer, inputs, d_out, d_cell = make_case("lstm", {})
    finished = threading.Event()
    forward_rows = layer._forward_rows

    def failing_first_block(checked, rows, reverse):
        if rows.start == 0:
            raise RuntimeError("block 0 failed")
        time.sleep(0.2)
        result = forward_rows(checked, rows, reverse)
        if rows.start == 3:
            finished.set()
        return result

    monkeypatch.setattr(layer, "_forward_rows", failing_first_block)
    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(RuntimeError, match="block 0 failed"):
            layer.forward(**inputs)
        assert finished.is_set()
        assert blas_threads() == 2
    monkeypatch.undo()
    out, _ = layer.forward(**inputs)  # the layer and the pool still work
    assert np.isfinite(out).all()


def _split_forward_in_child(queue):
    layer, inputs, _, _ = make_case("gru", {})
    out, cache = layer.forward(**inputs)
    queue.put((len(cache["blocks"]), float(out.sum())))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the pool's fork handling only matters where fork exists")
def test_a_forked_child_gets_a_pool_of_its_own(monkeypatch):
    split_three_ways(monkeypatch)
    layer, inputs, _, _ = make_case("gru", {})
    expected = float(layer.forward(**inputs)[0].sum())  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_split_forward_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0, "the forked child hung or failed on a split forward"
    n_blocks, total = queue.get(timeout=5)
    assert n_blocks == 3
    assert total == pytest.approx(expected, rel=1e-12)


def test_blocks_on_one_blas_thread_keeps_the_budget_from_before():
    with threadpool_limits(limits=2, user_api="blas"):
        with blas.single_blas_thread():
            assert parallel.thread_budget() == 1  # plain limit: nothing to split over
        with parallel.blocks_on_one_blas_thread():
            assert (parallel.thread_budget(), blas_threads()) == (2, 1)
            with parallel.blocks_on_one_blas_thread():  # nested: the outer budget holds
                assert (parallel.thread_budget(), blas_threads()) == (2, 1)
            seen = ThreadPoolExecutor(1).submit(parallel.thread_budget).result()
            assert seen == 1  # the budget is this thread's, not every thread's
        assert (parallel.thread_budget(), blas_threads()) == (2, 2)
