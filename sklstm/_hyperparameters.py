"""The estimators' hyperparameters: their constraints, which ones shape the network,
and the numpydoc sections both estimators share.

``fit`` checks every hyperparameter against :data:`PARAMETER_CONSTRAINTS` (scikit-learn's
``_param_validation`` rules, through :mod:`sklstm._sklearn_private`).
"""

from numbers import Integral, Real

import numpy as np

from ._network import POOLINGS
from ._optimizers import OPTIMIZERS
from ._sklearn_private import Interval, Options, StrOptions
from .core import VARIANTS

#: Hyperparameters fixed once a network is built (and the variant's options,
#: ``sklstm.core.variant_options``, such as clockwork's ``n_modules``): they shape its
#: weights, or, for ``window``, the samples it reads.
ARCHITECTURE = ("variant", "hidden_size", "num_layers", "bidirectional", "pooling",
                "dtype", "window", "chunk_size", "chunk_overlap", "scale_sequences")

PARAMETER_CONSTRAINTS = {
    "variant": [StrOptions(set(VARIANTS))],
    "hidden_size": [Interval(Integral, 1, None, closed="left")],
    "num_layers": [Interval(Integral, 1, None, closed="left")],
    "bidirectional": ["boolean"],
    "pooling": [StrOptions(set(POOLINGS))],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "forget_bias": [Interval(Real, None, None, closed="neither")],
    "n_modules": [Interval(Integral, 1, None, closed="left")],
    "spectral_radius": [Interval(Real, 0, None, closed="left")],
    "leak_rate": [Interval(Real, 0, 1, closed="right")],
    "input_scaling": [Interval(Real, 0, None, closed="neither")],
    "density": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="right")],
    "tied_weights": ["boolean"],
    "depth_priority": ["boolean"],
    "solver": [StrOptions(set(OPTIMIZERS))],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "clip_norm": [None, Interval(Real, 0, None, closed="neither")],
    "early_stopping": [StrOptions({"auto"}), "boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "tol": [Interval(Real, 0, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "dtype": [StrOptions({"float32", "float64"})],
    "window": [None, Interval(Integral, 1, None, closed="left")],
    "chunk_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "chunk_overlap": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
    "shift_chunks": ["boolean"],
    "scale_sequences": [StrOptions({"auto"}), "boolean"],
    "input_noise": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
    "crop_fraction": [Interval(Real, 0, 1, closed="right")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
}


_PARAMETERS_DOC = """\
    variant : str, default="lstm"
        The recurrent cell: any name in ``sklstm.core.VARIANTS`` ("lstm",
        "gru", "peephole", "rnn", ...). "esn" is an echo state network: a fixed
        random reservoir of which only the readout (pooling and head) is
        fitted, in one solve (see Notes).

    hidden_size : int, default=32
        Units per recurrent layer and direction.

    num_layers : int, default=1
        Stacked recurrent layers; each takes the (concatenated) outputs of the
        one below. ``"depth_gated"`` and ``"grid"``, which pass memory cells
        between layers, need 2 or more.

    bidirectional : bool, default=True
        Add a layer reading each sequence backwards beside every forward layer.
        On the UCR/UEA collection of ``benchmarks/bench_real_data.py`` (mean
        of 3 seeds) two directions were more accurate than one on 10 of the 12
        classification sets tried and on 1 of the 3 regression sets, at twice
        the cost per epoch (docs/benchmarks.md). ``trace`` and ``plot_gates``
        show the forward layer unless asked for ``direction=1``.

    pooling : {"last", "mean", "max", "concat", "attention"}
        Default "concat" for LSTMClassifier, "last" for LSTMRegressor (each
        measured best on the real sets of ``benchmarks/bench_real_data.py``).
        How the top layer's outputs become one vector per sequence: the last
        valid hidden state of each direction (for the reverse direction the
        state at step 0, after reading the whole sequence backwards), the
        mean or the largest value of each unit over the valid steps, "concat"
        the three side by side (ULMFiT's concat pooling, Howard & Ruder 2018),
        or a learned additive attention over the valid steps (Bahdanau et al.
        2015), whose weights per step ``trace`` reports as ``"attention"``.

    dropout : float, default=0.0
        Inverted-dropout rate between layers and before the dense head, in
        training only.

    forget_bias : float, default=1.0
        Initial forget-gate bias (Jozefowicz et al. 2015); ignored by cells
        without a forget gate.

    n_modules : int, default=4
        Clock modules of the ``"clockwork"`` variant (periods 1, 2, 4, ...,
        needs ``hidden_size >= n_modules``); ignored by the other variants.

    spectral_radius : float, default=1.0
        ``"esn"`` only: the largest absolute eigenvalue the reservoir's
        recurrent weights are scaled to. Greater for tasks that need a longer
        memory of the input, smaller for those that depend on recent steps;
        1 is the starting point of Lukoševičius (2012). Ignored by the other
        variants, as are the three below.

    leak_rate : float in (0, 1], default=1.0
        ``"esn"`` only: the leaky integration ``hidden_t = (1 - leak_rate) *
        h_{t-1} + leak_rate * tanh(...)``; 1 is Jaeger's plain reservoir, lower
        values follow slower inputs.

    input_scaling : float, default=1.0
        ``"esn"`` only: the input weights and biases are uniform in
        ``[-input_scaling, input_scaling]`` (for standardised inputs; smaller
        keeps the units near their linear range).

    density : float in (0, 1] or "auto", default="auto"
        ``"esn"`` only: share of the non-zero recurrent weights of each
        reservoir unit; "auto" connects each unit to 10 others (all of a
        smaller reservoir), the guide's fixed number irrespective of size.

    tied_weights : bool, default=False
        ``"grid"`` only: share the blocks' weights across the layers (the
        tied Grid LSTM of Kalchbrenner et al. 2015): one ``U`` and ``b`` for
        the stack, one ``W`` for the layers above the bottom, each trained on
        the sum of its layers' gradients. Ignored by the other variants.

    depth_priority : bool, default=True
        ``"grid"`` only: the depth transform of each block reads the time
        transform's new hidden vector (the paper's priority dimension); False
        computes both transforms from the same incoming vectors. Ignored by
        the other variants.

    solver : {"adam", "sgd"}, default="adam"
        Adam, or stochastic gradient descent with (Nesterov) momentum.

    learning_rate_init : float, default=0.005
        Step size. Recurrent nets with Adam train well at 1e-3 to 1e-2; for
        "sgd" try 0.05 to 0.5.

    batch_size : int or "auto", default="auto"
        Sequences per minibatch; "auto" is ``min(64, n_samples)``. Batches
        group sequences of similar length.

    max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training set). "auto" is 100
        epochs, or as many as make 1000 optimizer updates where an epoch makes
        fewer than 10 (a set of 100 sequences is 2 updates an epoch): small sets
        need more passes, and the stopping rule ends training once it stops
        improving. On the Trace set (100 series, 3 seeds) 100 epochs scored
        0.717 and 500 epochs 0.987.

    alpha : float, default=1e-4
        L2 penalty on every weight array (not the biases), divided by the
        batch's total sample weight as in ``MLPClassifier``.

    clip_norm : float or None, default=5.0
        Global L2 norm the gradient is clipped to before each step; None turns
        clipping off.

    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the training set, stop when the
        loss on it stops improving, and restore the weights of the epoch of
        the highest score on it (accuracy, R^2; the latest of equal epochs).
        The score, as in ``MLPClassifier``, and not the loss: on a few dozen
        held-out sequences the log-loss is lowest long before the accuracy is
        highest. "auto" does so when the training set has at least
        1000 samples (sequences, or windows of a series), or 50 where a
        regressor fits a linear part (``LSTMRegressor(linear=...)``), and,
        like False, watches the training loss otherwise. The split is random, except with
        ``window``, where it is the last rows in time order. For single-output
        classification it is stratified when it can be: when every class has
        two samples or more and both sides of the split have room for every
        class. ``do_early_stopping_`` says what the last fit did.

    validation_fraction : float, default=0.1
        Share of the training set held out for early stopping.

    n_iter_no_change : int or "auto", default="auto"
        Epochs without an improvement of ``tol`` before training stops. "auto"
        is 10 epochs that also make at least 200 optimizer updates, so that a
        small training set (one minibatch an epoch) is not stopped after a few
        steps.

    tol : float, default=1e-4
        Smallest decrease of the watched loss (the validation loss with early
        stopping, else the training loss) that counts as an improvement.
        Training ends on the weights of the best epoch (the highest
        validation score, or the lowest training loss); an epoch whose
        training loss jumps above twice the lowest so far is undone (the best
        weights come back) and the learning rate is halved.

    shuffle : bool, default=True
        Shuffle the minibatches every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. An int gives identical models on every fit.

    verbose : bool or int, default=False
        Print one line per epoch: its number, training loss, validation score
        (with early stopping) and elapsed seconds.

    warm_start : bool, default=False
        Continue from the current weights (and optimizer state) on the next
        call to ``fit`` instead of reinitialising. Continuing, like
        ``partial_fit``, needs the hyperparameters that shape the network
        (``variant``, ``hidden_size``, ``num_layers``, ``bidirectional``,
        ``pooling``, ``dtype``, ``window``, and the variant's options:
        ``n_modules`` for clockwork, the four reservoir options for "esn",
        ``tied_weights`` and ``depth_priority`` for "grid") as
        they were when it was built; a fitted model predicts with those,
        whatever ``set_params`` did since. For "esn" see Notes.

    dtype : {"float32", "float64"}, default="float32"
        Precision of weights and computations. float32 is about twice as fast.

    window : int or None, default=None
        Read a 2-D X as one long time series, rows in time order and columns
        the features: sample ``i`` is the window of the ``window`` rows up to
        row ``i`` (fewer for the first rows), one prediction per row. None
        reads X as one sequence per sample. See "Input formats" in the README
        and ``docs/forecasting.md`` (choosing ``TimeSeriesSplit``'s ``gap``).

    chunk_size : int or "auto", default="auto"
        Consecutive time steps read together as one input vector of
        ``chunk_size * n_features`` values, as the row-by-row MNIST LSTM reads
        an image: the recurrence runs ``chunk_size`` times fewer steps, which
        makes long series far easier (and faster) to learn. "auto" keeps
        sequences of up to 32 steps as they are and reads longer ones in the
        smallest chunks that make at most 32 steps of the longest training
        sequence (``chunk_size_``). 1 reads every step. A last chunk that is
        only partly filled is padded with zeros; ``trace`` reports one step per
        chunk.

    chunk_overlap : float or "auto", default="auto"
        How far each chunk also reads into the chunks after it, as a fraction
        of ``chunk_size_``: a step reads ``chunk_size_ + chunk_overlap_``
        consecutive time steps (``chunk_overlap_``, the steps, rounded half
        up) at a stride of ``chunk_size_``, as a convolution whose kernel is
        wider than its stride, so that a pattern cut by one chunk boundary is
        seen whole by one step. 1.0 reads two chunks a step; 0 none. Steps
        past a sequence's end read zeros. "auto" is 1.0 where ``chunk_size_``
        is more than one step, and 0 for sequences read step by step.

    shift_chunks : bool, default=True
        With chunks of more than one step, training by gradient reads each
        sequence, every epoch, shifted later by a random number of steps (0 to
        ``chunk_size_ - 1``, its first step repeated in front), so that the chunk
        boundaries fall elsewhere each time and the network learns a pattern
        wherever the boundaries cut it. Where the boundaries carry no meaning,
        prediction does not pin them to one place either: it averages the
        network's raw output over the sequences read at ``chunk_phases_`` (4, at
        most ``chunk_size_``) phases evenly spread over a chunk, each shifted the
        same way (``i * chunk_size_ // chunk_phases_`` steps later, ``i`` from 0);
        so does the validation set. No effect with ``chunk_size_`` 1 or on an echo
        state network's readout.

    scale_sequences : "auto" or bool, default="auto"
        Read each sequence standardised by its own mean and standard deviation
        (per feature), beside that mean and the log of that deviation as
        ``2 * n_features`` more inputs at every step, standardised over the
        training sequences (``sequence_scaling_``): sequences recorded at very
        different scales become comparable shapes, and their levels and sizes
        stay known. "auto" does so for sequences (not windows of one series)
        whose own deviations spread over more than two orders of magnitude in
        some feature (the 90th percentile over 100 times the 10th), where a
        scaler fitted over the whole set leaves most sequences close to zero.

    input_noise : "auto" or float, default="auto"
        Standard deviation of the Gaussian noise added to every input value of
        every training batch (Bishop 1995: training with noise is a smoothness
        penalty), as a fraction of that input's standard deviation over the
        training set as the network reads it; prediction and the validation
        set read the inputs as they are. "auto" is 0.1 for ``LSTMClassifier``
        reading sequences, and 0 (no noise) for ``LSTMRegressor``, for windows
        of one series (``window``) and for an echo state network's readout.
        The draws depend on the rows a batch holds, so with noise a sample of
        weight 0 is not quite a removed sample (as with ``dropout``).

    crop_fraction : float in (0, 1], default=1.0
        Where training shifts chunks (``shift_chunks``; at any ``chunk_size``),
        each training batch reads this fraction of every sequence's steps
        (rounded half up), from a start drawn anew each time (window slicing, Le
        Guennec et al. 2016), and a prediction averages the network's raw output
        over ``chunk_phases_`` (4) crops of the same length whose starts are
        spread evenly from the first step to the last possible one (the
        validation set too). It teaches the network that a pattern may sit
        anywhere: on periodic signals 0.9 gains (PigCVP's blood pressure 0.43 ->
        0.54, ACSF1's power draw 0.81 -> 0.83), but it costs series whose
        classes depend on where a pattern falls or on their ends (Covid3Month's
        trends -0.04, ArrowHead's outlines -0.02; ``docs/benchmarks.md``). 1.0
        reads whole sequences. No effect on an echo state network's readout.

    momentum : float, default=0.9
        Momentum of "sgd".

    nesterovs_momentum : bool, default=True
        Nesterov's momentum for "sgd".

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate.

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate.

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
"""

_ATTRIBUTES_DOC = """\
    n_features_in_ : int
        Features seen during fit: per time step for 3-D input, the number of
        columns (time steps) for 2-D univariate rows.

    input_spec_ : InputSpec
        How the model reads X, fixed in fit: a frozen record of ``window``,
        ``input_format`` ("2d", "3d" or "ragged"), ``n_step_features`` (1 for
        2-D univariate rows), ``n_features_in`` and ``feature_names_in``.
        ``predict``, ``trace``, ``partial_fit`` and
        :func:`sklstm.plotting.plot_gates` read X through it, so a later
        ``set_params(window=...)`` does not change how X is read.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when X was a DataFrame with string column names.

    chunk_size_ : int
        Time steps per input vector of the network (``chunk_size`` resolved).

    chunk_overlap_ : int
        Time steps of the following chunks each input vector also reads
        (``chunk_overlap`` resolved).

    chunk_phases_ : int
        Phases of the chunk boundaries a prediction averages over
        (``shift_chunks``): 1, or where training shifts chunks of several steps
        4 (at most ``chunk_size_`` unless cropped). :meth:`trace` reads the first
        phase, whole.

    crop_fraction_ : float
        Fraction of each sequence a training batch and each prediction reading
        reads (``crop_fraction``; 1.0 where training does not shift chunks).

    sequence_scaling_ : dict or None
        None unless each sequence is read on its own scale (``scale_sequences``);
        then ``"floor"`` (n_features,), the smallest deviation that counts as
        one, and ``"center"``, ``"spread"`` (2 * n_features,), how the sequences'
        means and log deviations are standardised.

    n_outputs_ : int
        Outputs of the dense head.

    out_activation_ : str
        Output activation: "identity", "logistic" or "softmax".

    network_ : RecurrentNetwork
        The trained network: its layers, pooling and head, as built (a later
        ``set_params`` of ``pooling`` or ``hidden_size`` does not change it).

    layers_ : list of tuple of RecurrentLayer
        ``network_``'s layers (the same objects): one tuple per layer, bottom to
        top, with one :class:`sklstm.core.RecurrentLayer` per direction (forward
        first).

    head_ : dict of ndarray
        ``network_``'s dense head (the same arrays): ``"head_W"``
        (n_directions * hidden_size, n_outputs) and ``"head_b"`` (n_outputs,).

    n_iter_ : int
        Epochs run by the last call to ``fit``; ``partial_fit`` adds one per
        call, as in ``MLPClassifier``. For a solved "esn" readout: 1 for the
        ridge's solve, the number of L-BFGS iterations for the classifier's.

    t_ : int
        Training samples seen by the optimizer, over all calls.

    loss_curve_ : list of float
        Training loss (with the L2 term) of every epoch, over all calls (for a
        solved "esn" readout, after each solve or L-BFGS iteration).

    best_loss_ : float or None
        Lowest training loss; None with early stopping.

    do_early_stopping_ : bool
        Whether the last call held out a validation set (``early_stopping``
        resolved).

    validation_scores_ : list of float or None
        Validation score of every epoch with early stopping, else None.

    best_validation_score_ : float or None
        With early stopping, the validation score of the epoch whose weights
        were kept (the highest, the latest of equals); else None.
"""

_NOTES_DOC = """\
    The network is a stack of :class:`sklstm.core.RecurrentLayer` objects
    (pure NumPy, exact backpropagation through time), a pooling step and a
    dense head, trained by minibatch Adam or SGD on the loss of
    ``MLPClassifier`` / ``MLPRegressor``, with global gradient-norm clipping.

    ``variant="esn"`` (Jaeger 2001; Lukoševičius 2012) trains no recurrent
    weight: its reservoirs are drawn once from ``random_state`` and the
    reservoir runs once per call; with "last" or "mean" pooling ``fit``
    solves the head on the pooled states, in closed form for the regressor
    (ridge regression, penalty ``alpha``; ``partial_fit`` accumulates its
    sufficient statistics, so chunks give the fit on all of them) and by
    L-BFGS for the classifier (logistic regression; ``partial_fit`` is one
    epoch of Adam or SGD). The solved readouts use every sample: no
    validation set, no dropout; ``alpha`` is their only regulariser, so
    raise it when the states outnumber the samples. With attention pooling
    the head and attention train by the loop. ``docs/variants.md`` has the
    details and the defaults' sources.

    Pickles and ``joblib.dump`` files hold the configuration and the weights
    only: the optimizer's moment estimates are dropped, so a loaded model
    predicts exactly as before, and ``warm_start`` or ``partial_fit`` on it
    continues from its weights with a fresh optimizer. Within one session the
    optimizer state carries over between calls.

    The saved object records the sklstm version; loading it under another
    version warns with :class:`sklstm.exceptions.InconsistentVersionWarning`.
    For files from someone you do not trust, use ``skops.io`` rather than
    pickle (see ``docs/persistence.md``).

    ``fit``, ``partial_fit``, ``predict`` and ``trace`` run BLAS on one thread,
    in the main process and in joblib workers alike: the recurrent matrix
    products of one time step are too small to share between cores (two
    threads were 6-25x slower on a busy 2-core machine, and no faster on an
    idle one at batch 64, hidden_size 64). Parallelism comes from running fits
    side by side (``GridSearchCV(n_jobs=...)``), which never oversubscribes the
    cores. The limit is process-wide while any such call runs, and the
    previous thread count comes back when the last one ends.
"""


def docstring(template):
    """Fill the shared parameter, attribute and notes sections into a docstring."""
    def decorate(cls):
        cls.__doc__ = template.format(parameters=_PARAMETERS_DOC.rstrip(),
                                      attributes=_ATTRIBUTES_DOC.rstrip(),
                                      notes=_NOTES_DOC.rstrip())
        return cls
    return decorate
