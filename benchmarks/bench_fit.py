"""Time ``LSTMClassifier.fit`` against a plain hand-written torch training loop.

Both train the same network on the same data for the same number of epochs with
the same minibatches' size: one LSTM layer of H units, the last hidden state, a
dense softmax head, cross-entropy, Adam (lr 0.005), global gradient-norm clipping
at 5.0, no L2 term, shuffled minibatches of 64, float32, 2 threads (``--threads``);
one direction, one recurrent step per time step and no validation split on either
side.
The torch loop is what a user would write by hand (``nn.LSTM`` + ``nn.Linear``, no
DataLoader). Runs alternate between the two, after a warm-up of each.

    python benchmarks/bench_fit.py                 # (n, T, F, H) = (4096, 50, 8, 64)
    python benchmarks/bench_fit.py --quick         # a small configuration

torch is optional: without it only sklstm's times are printed.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklstm import LSTMClassifier

BATCH_SIZE, LEARNING_RATE, CLIP_NORM = 64, 0.005, 5.0


def make_data(n, T, F, n_classes=4, seed=0):
    """Random sequences (n, T, F) float32 and labels from their first feature."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T, F)).astype(np.float32)
    score = X[:, :, 0].mean(axis=1)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def time_sklstm(X, y, hidden, epochs):
    # Matched to the torch loop: one direction, one recurrent step per time step
    # (chunk_size=1), all the data trained on (no validation split), no stopping.
    clf = LSTMClassifier(hidden_size=hidden, bidirectional=False, pooling="last",
                         batch_size=BATCH_SIZE, max_iter=epochs,
                         learning_rate_init=LEARNING_RATE, clip_norm=CLIP_NORM,
                         alpha=0.0, early_stopping=False, n_iter_no_change=10**6,
                         chunk_size=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X, y)
        elapsed = time.perf_counter() - start
    assert clf.n_iter_ == epochs
    return elapsed


def time_torch(X, y, hidden, epochs):
    import torch

    torch.manual_seed(0)
    n, _, F = X.shape
    lstm = torch.nn.LSTM(F, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, int(y.max()) + 1)
    params = list(lstm.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=LEARNING_RATE)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    start = time.perf_counter()
    for _ in range(epochs):
        for idx in torch.randperm(n).split(BATCH_SIZE):
            out, _ = lstm(Xt[idx])  # (B, T, H)
            loss = torch.nn.functional.cross_entropy(head(out[:, -1]), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, CLIP_NORM)
            optimizer.step()
    return time.perf_counter() - start


STATISTICS = {"median": statistics.median, "min": min}


def interleaved_times(timers, repeats, statistic, *args):
    """``statistic`` of each timer's times, run alternately (after one warm-up
    each) so that any drift in the machine's load hits them alike."""
    for timer in timers:
        timer(*args)
    times = [[] for _ in timers]
    for _ in range(repeats):
        for timer, record in zip(timers, times):
            record.append(timer(*args))
    return [statistic(record) for record in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--T", type=int, default=50)
    parser.add_argument("--F", type=int, default=8)
    parser.add_argument("--H", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2,
                        help="BLAS threads for sklstm and intra-op threads for torch")
    parser.add_argument("--stat", choices=tuple(STATISTICS), default="median",
                        help="summary of the repeats; 'min' resists load from other "
                             "processes and the machine's slow spells")
    parser.add_argument("--quick", action="store_true",
                        help="(n, T, F, H) = (512, 20, 4, 16), 1 epoch, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        args.n, args.T, args.F, args.H, args.epochs, args.repeats = 512, 20, 4, 16, 1, 1
    X, y = make_data(args.n, args.T, args.F)
    print(f"(n, T, F, H) = ({args.n}, {args.T}, {args.F}, {args.H}), {args.epochs} "
          f"epochs of batch {BATCH_SIZE}, float32, {args.threads} threads, "
          f"{args.stat} of {args.repeats}")
    with threadpool_limits(args.threads):
        compare(args, X, y)


def compare(args, X, y):
    try:
        import torch
    except ImportError:
        (ours,) = interleaved_times([time_sklstm], args.repeats, STATISTICS[args.stat],
                                    X, y, args.H, args.epochs)
        print(f"sklstm LSTMClassifier.fit  {ours:8.3f} s")
        print("torch not installed: no comparison")
        return
    torch.set_num_threads(args.threads)
    ours, theirs = interleaved_times([time_sklstm, time_torch], args.repeats,
                                     STATISTICS[args.stat], X, y, args.H, args.epochs)
    print(f"sklstm LSTMClassifier.fit  {ours:8.3f} s")
    print(f"torch hand-written loop    {theirs:8.3f} s")
    print(f"ratio sklstm / torch       {ours / theirs:8.2f}x")


if __name__ == "__main__":
    main()
