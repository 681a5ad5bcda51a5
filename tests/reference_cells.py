"""Plain, step-by-step NumPy transcriptions of every recurrent cell variant.

These functions are the independent reference that ``sklstm.core`` is checked
against. They are written from the published equations and the core's contract
(``docs/architecture.md``) alone and share no code with the core: one sequence at a time, one
Python loop over time, one gate at a time, no preallocation, no tricks.

Every cell function has the signature ``cell(X, params, hidden, cell, **side)`` with

- ``X`` (T, F) one sequence, in the order the cell consumes it,
- ``params`` the public layout: ``W`` (F, G*H), ``U`` (H, G*H), ``b`` (G*H,),
  block ``k`` of the last axis belonging to ``GATES[variant][k]``, plus
  peepholes ``p_input``, ``p_forget``, ``p_output`` (H,) and ``R`` (3H, 3H)
  where the variant has them,
- ``hidden`` and ``cell`` (H,) the initial state (``cell`` ignored without a
  memory cell),
- ``side`` the variant's extra keyword arguments: ``lower_cell`` (T, H) for
  ``depth_gated`` and ``grid`` (in the order the cell consumes it, like ``X``)
  and the variant options (``n_modules`` for ``clockwork``, ``depth_priority``
  and ``tied_weights`` for ``grid``),

and returns a dict of (T, H) arrays: ``"hidden"``, ``"cell"`` (if any) and one
entry per gate name, the gate's activation after its nonlinearity.

References
----------
.. [1] Hochreiter & Schmidhuber (1997), "Long Short-Term Memory".
.. [2] Gers & Schmidhuber (2000), "Recurrent nets that time and count".
.. [3] Cho et al. (2014), "Learning Phrase Representations using RNN
   Encoder-Decoder for Statistical Machine Translation".
.. [4] Greff et al. (2015), "LSTM: A Search Space Odyssey".
.. [5] Koutník, Greff, Gomez & Schmidhuber (2014), "A Clockwork RNN".
.. [6] Yao, Cohn, Vylomova, Duh & Dyer (2015), "Depth-Gated LSTM".
.. [7] Jaeger (2001), "The 'echo state' approach to analysing and training
   recurrent neural networks", GMD Report 148.
.. [8] Lukoševičius (2012), "A Practical Guide to Applying Echo State Networks".
.. [9] Kalchbrenner, Danihelka & Graves (2015), "Grid Long Short-Term Memory".
"""

from fractions import Fraction

import numpy as np

LSTM_GATES = ("input", "forget", "candidate", "output")

#: Gate-block names per variant, in the order of the parameters' last axis.
GATES = {
    "rnn": ("candidate",),
    "lstm": LSTM_GATES,
    "peephole": LSTM_GATES,
    "coupled": ("forget", "candidate", "output"),
    "gru": ("reset", "update", "candidate"),
    "no_input_gate": ("forget", "candidate", "output"),
    "no_forget_gate": ("input", "candidate", "output"),
    "no_output_gate": ("input", "forget", "candidate"),
    "no_input_activation": LSTM_GATES,
    "no_output_activation": LSTM_GATES,
    "full_gate_recurrence": LSTM_GATES,
    "clockwork": ("candidate",),
    "depth_gated": LSTM_GATES + ("depth",),
    "esn": ("candidate",),
    # grid: one LSTM transform along time, one along depth
    "grid": LSTM_GATES + tuple("depth_" + name for name in LSTM_GATES),
}

#: Every variant transcribed here; the tests check that this is exactly the
#: set of names registered in ``sklstm.core.VARIANTS``.
ALL_VARIANTS = tuple(GATES)

#: Variants that carry a memory cell.
HAS_CELL = {name: name not in ("rnn", "gru", "clockwork", "esn") for name in GATES}

#: Extra (B, T, H) sequences a variant reads besides X (``forward(..., **side)``).
SIDE_INPUTS = {name: ("lower_cell",) if name in ("depth_gated", "grid") else ()
               for name in GATES}

#: Variant options and their defaults (``RecurrentLayer(variant, ..., **options)``).
OPTIONS = {name: {} for name in GATES} | {
    "clockwork": {"n_modules": 4},
    "esn": {"spectral_radius": 1.0, "leak_rate": 1.0, "input_scaling": 1.0,
            "density": "auto"},
    "grid": {"tied_weights": False, "depth_priority": True},
}

#: Variants whose weights are a fixed random reservoir, drawn their own way (not
#: Glorot / orthogonal / zero biases) and never trained by the estimators.
RESERVOIRS = ("esn",)

#: The sequences a layer passes up, ``out`` and ``cell_output``, among the cell
#: function's results: the recurrent state, but the grid's depth dimension.
OUTPUTS = {name: ("hidden", "cell") for name in GATES}
OUTPUTS["grid"] = ("depth_hidden", "depth_cell")

#: Variant-specific arrays beyond W, U and b.
EXTRA_PARAMS = {
    "rnn": (),
    "lstm": (),
    "peephole": ("p_input", "p_forget", "p_output"),
    "coupled": (),
    "gru": (),
    "no_input_gate": ("p_forget", "p_output"),
    "no_forget_gate": ("p_input", "p_output"),
    "no_output_gate": ("p_input", "p_forget"),
    "no_input_activation": ("p_input", "p_forget", "p_output"),
    "no_output_activation": ("p_input", "p_forget", "p_output"),
    "full_gate_recurrence": ("p_input", "p_forget", "p_output", "R"),
    "clockwork": (),
    "depth_gated": ("p_input", "p_forget", "p_output", "p_depth", "p_lower"),
    "esn": (),
    "grid": (),
}


def sigmoid(a):
    """Logistic function σ(a) = 1 / (1 + exp(-a))."""
    return 1.0 / (1.0 + np.exp(-a))


def identity(a):
    """The identity, for the ablations that drop an activation function."""
    return a


def gate_weights(params, gates, name):
    """Return the (W, U, b) block of gate ``name``: (F, H), (H, H), (H,)."""
    H = params["U"].shape[0]
    k = gates.index(name)
    cols = slice(k * H, (k + 1) * H)
    return params["W"][:, cols], params["U"][:, cols], params["b"][cols]


def pre_activation(x, h_prev, params, gates, name):
    """x_t @ W + h_{t-1} @ U + b for the block of gate ``name``, (H,)."""
    W, U, b = gate_weights(params, gates, name)
    return x @ W + h_prev @ U + b


def _stack(steps):
    """List of per-step dicts of (H,) -> dict of (T, H)."""
    return {key: np.array([step[key] for step in steps]) for key in steps[0]}


# ----------------------------------------------------------------------------
# Simple RNN and GRU
# ----------------------------------------------------------------------------


def rnn(X, params, hidden, cell=None):
    """Elman RNN: h_t = tanh(x_t W + h_{t-1} U + b)."""
    gates = GATES["rnn"]
    h = hidden
    steps = []
    for x in X:
        g = np.tanh(pre_activation(x, h, params, gates, "candidate"))
        h = g
        steps.append({"hidden": h, "candidate": g})
    return _stack(steps)


def gru(X, params, hidden, cell=None):
    """GRU of Cho et al. (2014), reset gate applied before the recurrent product.

    r_t = σ(x_t W_r + h_{t-1} U_r + b_r)
    z_t = σ(x_t W_z + h_{t-1} U_z + b_z)
    g_t = tanh(x_t W_g + (r_t ⊙ h_{t-1}) U_g + b_g)
    h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ g_t
    """
    gates = GATES["gru"]
    W_g, U_g, b_g = gate_weights(params, gates, "candidate")
    h = hidden
    steps = []
    for x in X:
        r = sigmoid(pre_activation(x, h, params, gates, "reset"))
        z = sigmoid(pre_activation(x, h, params, gates, "update"))
        g = np.tanh(x @ W_g + (r * h) @ U_g + b_g)
        h = (1.0 - z) * h + z * g
        steps.append({"hidden": h, "reset": r, "update": z, "candidate": g})
    return _stack(steps)


# ----------------------------------------------------------------------------
# LSTM family (Hochreiter & Schmidhuber 1997; Gers & Schmidhuber 2000;
# Greff et al. 2015). Each variant is the vanilla peephole LSTM of Greff et
# al. with the one change that paper (or the issue, for "lstm"/"coupled")
# names; the switches below are exactly those changes.
# ----------------------------------------------------------------------------


def _lstm_family(
    X,
    params,
    hidden,
    cell,
    gates,
    *,
    peepholes=False,
    coupled=False,
    gate_recurrence=False,
    block_input=np.tanh,
    cell_output=np.tanh,
):
    """Peephole LSTM step loop of Greff et al. (2015), Sec. 2, with switches.

    i_t = σ(x_t W_i + h_{t-1} U_i + p_i ⊙ c_{t-1} + b_i)   (1 if no input gate)
    f_t = σ(x_t W_f + h_{t-1} U_f + p_f ⊙ c_{t-1} + b_f)   (1 if no forget gate)
    g_t = block_input(x_t W_g + h_{t-1} U_g + b_g)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    o_t = σ(x_t W_o + h_{t-1} U_o + p_o ⊙ c_t + b_o)       (1 if no output gate)
    h_t = o_t ⊙ cell_output(c_t)

    ``coupled``: i_t = 1 - f_t. ``gate_recurrence``: the input, forget and
    output pre-activations also receive [i_{t-1}, f_{t-1}, o_{t-1}] @ R, with
    zeros before the first step. Peephole terms are used only where the
    variant has the gate and ``peepholes`` is True.
    """
    H = hidden.shape[0]
    h, c = hidden, cell
    # previous step's gate activations for the full gate recurrence
    i_prev, f_prev, o_prev = np.zeros(H), np.zeros(H), np.zeros(H)
    steps = []
    for x in X:
        pre = {name: pre_activation(x, h, params, gates, name) for name in gates}
        if gate_recurrence:
            fed_back = np.concatenate([i_prev, f_prev, o_prev]) @ params["R"]  # (3H,)
            pre["input"] = pre["input"] + fed_back[:H]
            pre["forget"] = pre["forget"] + fed_back[H : 2 * H]
            pre["output"] = pre["output"] + fed_back[2 * H :]
        step = {}

        if "forget" in gates:
            peep = params["p_forget"] * c if peepholes else 0.0
            f = sigmoid(pre["forget"] + peep)
            step["forget"] = f
        else:
            f = np.ones(H)

        if "input" in gates:
            peep = params["p_input"] * c if peepholes else 0.0
            i = sigmoid(pre["input"] + peep)
            step["input"] = i
        elif coupled:
            i = 1.0 - f
        else:
            i = np.ones(H)

        g = block_input(pre["candidate"])
        step["candidate"] = g
        c = f * c + i * g

        if "output" in gates:
            peep = params["p_output"] * c if peepholes else 0.0
            o = sigmoid(pre["output"] + peep)
            step["output"] = o
        else:
            o = np.ones(H)

        h = o * cell_output(c)
        i_prev, f_prev, o_prev = i, f, o
        step["hidden"], step["cell"] = h, c
        steps.append(step)
    return _stack(steps)


def lstm(X, params, hidden, cell):
    """LSTM with forget gate, no peepholes (as torch.nn.LSTM)."""
    return _lstm_family(X, params, hidden, cell, GATES["lstm"])


def peephole(X, params, hidden, cell):
    """Peephole LSTM (Gers & Schmidhuber 2000): the vanilla LSTM of Greff et al."""
    return _lstm_family(X, params, hidden, cell, GATES["peephole"], peepholes=True)


def coupled(X, params, hidden, cell):
    """Coupled input and forget gate, i_t = 1 - f_t, no peepholes."""
    return _lstm_family(X, params, hidden, cell, GATES["coupled"], coupled=True)


def no_input_gate(X, params, hidden, cell):
    """Greff et al. NIG: i_t = 1 (no input block, no p_input)."""
    return _lstm_family(X, params, hidden, cell, GATES["no_input_gate"], peepholes=True)


def no_forget_gate(X, params, hidden, cell):
    """Greff et al. NFG: f_t = 1 (no forget block, no p_forget)."""
    return _lstm_family(X, params, hidden, cell, GATES["no_forget_gate"], peepholes=True)


def no_output_gate(X, params, hidden, cell):
    """Greff et al. NOG: o_t = 1 (no output block, no p_output)."""
    return _lstm_family(X, params, hidden, cell, GATES["no_output_gate"], peepholes=True)


def no_input_activation(X, params, hidden, cell):
    """Greff et al. NIAF: the block input g_t is the bare pre-activation."""
    return _lstm_family(
        X, params, hidden, cell, GATES["no_input_activation"],
        peepholes=True, block_input=identity,
    )


def no_output_activation(X, params, hidden, cell):
    """Greff et al. NOAF: h_t = o_t ⊙ c_t."""
    return _lstm_family(
        X, params, hidden, cell, GATES["no_output_activation"],
        peepholes=True, cell_output=identity,
    )


def full_gate_recurrence(X, params, hidden, cell):
    """Greff et al. FGR: gates also see the previous step's i, f, o through R."""
    return _lstm_family(
        X, params, hidden, cell, GATES["full_gate_recurrence"],
        peepholes=True, gate_recurrence=True,
    )


# ----------------------------------------------------------------------------
# Clockwork RNN (Koutník et al. 2014)
# ----------------------------------------------------------------------------


def clockwork_modules(H, n_modules):
    """Unit ranges ``[(start, stop), ...]`` of the modules, fastest first.

    The documentation promises sizes "as equal as possible, fastest first";
    which modules take the extra units is the core's convention (read from
    its ``module_sizes``), restated here in exact arithmetic: the boundary
    before module ``k`` is ``k * H / n_modules`` rounded half to even. So
    H=5, n_modules=4 gives sizes (1, 1, 2, 1) and H=6, n_modules=4 gives
    (2, 1, 1, 2).
    """
    bounds = [round(Fraction(k * H, n_modules)) for k in range(n_modules + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(n_modules)]


def clockwork(X, params, hidden, cell=None, n_modules=4):
    """Clockwork RNN, Koutník et al. (2014), Sec. 3, written module by module.

    Module k (k = 0 fastest) has the clock period 2**k. At step t, counted
    from 0 at the sequence's first processed step,

        h_t[k] = tanh(x_t W[:, k] + sum_{j >= k} h_{t-1}[j] U[j, k] + b[k])
                                                      if t % 2**k == 0
        h_t[k] = h_{t-1}[k]                           otherwise

    where ``[k]`` are module k's units (columns) and ``U[j, k]`` the block
    from source module j (rows) to target module k (columns): recurrent
    connections only from slower-or-equal modules to faster ones. The other
    blocks of ``U`` are never read, whatever they hold. The ``candidate``
    block is the new hidden state, as in the plain RNN.
    """
    H = hidden.shape[0]
    modules = clockwork_modules(H, n_modules)
    W, U, b = gate_weights(params, GATES["clockwork"], "candidate")
    h = hidden
    steps = []
    for t, x in enumerate(X):
        h_new = np.empty(H)
        for k, (start, stop) in enumerate(modules):
            if t % 2**k != 0:  # off the clock: keep the state
                h_new[start:stop] = h[start:stop]
                continue
            pre = x @ W[:, start:stop] + b[start:stop]
            for j, (source_start, source_stop) in enumerate(modules):
                if j >= k:  # slower-or-equal source module
                    pre = pre + h[source_start:source_stop] @ U[source_start:source_stop, start:stop]
            h_new[start:stop] = np.tanh(pre)
        h = h_new
        steps.append({"hidden": h, "candidate": h})
    return _stack(steps)


def clockwork_connectivity(H, n_modules):
    """(H, H) bool: True where ``U``'s entry is a connection (source row's
    module >= target column's module), built from the module ranges."""
    connected = np.zeros((H, H), dtype=bool)
    modules = clockwork_modules(H, n_modules)
    for j, (source_start, source_stop) in enumerate(modules):
        for k, (start, stop) in enumerate(modules):
            if j >= k:
                connected[source_start:source_stop, start:stop] = True
    return connected


# ----------------------------------------------------------------------------
# Depth-gated LSTM (Yao et al. 2015)
# ----------------------------------------------------------------------------


def depth_gated(X, params, hidden, cell, lower_cell):
    """Depth-gated LSTM, Yao et al. (2015), Eq. (3)-(9) on the peephole LSTM.

    ``lower_cell`` (T, H) is the cell of the layer below at the same steps.

    i_t = σ(x_t W_i + h_{t-1} U_i + p_i ⊙ c_{t-1} + b_i)
    f_t = σ(x_t W_f + h_{t-1} U_f + p_f ⊙ c_{t-1} + b_f)
    g_t = tanh(x_t W_g + h_{t-1} U_g + b_g)
    d_t = σ(x_t W_d + b_d + p_depth ⊙ c_{t-1} + p_lower ⊙ lower_c_t)   (no h_{t-1})
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t + d_t ⊙ lower_c_t
    o_t = σ(x_t W_o + h_{t-1} U_o + p_o ⊙ c_t + b_o)
    h_t = o_t ⊙ tanh(c_t)

    The depth block of ``U`` is never read.
    """
    gates = GATES["depth_gated"]
    W_d, _, b_d = gate_weights(params, gates, "depth")
    h, c = hidden, cell
    steps = []
    for x, lower in zip(X, lower_cell):
        i = sigmoid(pre_activation(x, h, params, gates, "input") + params["p_input"] * c)
        f = sigmoid(pre_activation(x, h, params, gates, "forget") + params["p_forget"] * c)
        g = np.tanh(pre_activation(x, h, params, gates, "candidate"))
        d = sigmoid(x @ W_d + b_d + params["p_depth"] * c + params["p_lower"] * lower)
        c = f * c + i * g + d * lower
        o = sigmoid(pre_activation(x, h, params, gates, "output") + params["p_output"] * c)
        h = o * np.tanh(c)
        steps.append({"hidden": h, "cell": c, "input": i, "forget": f,
                      "candidate": g, "output": o, "depth": d})
    return _stack(steps)


# ----------------------------------------------------------------------------
# Echo state network (Jaeger 2001; Lukoševičius 2012)
# ----------------------------------------------------------------------------


def esn(X, params, hidden, cell=None, leak_rate=1.0, **drawing):
    """Leaky-integrator ESN reservoir, Lukoševičius (2012), Eq. (2)-(3), with
    ``W_in`` = ``W`` (input), Jaeger's ``W`` = ``U`` (reservoir), bias ``b``:

    x~(n) = tanh(u(n) W + x(n-1) U + b)
    x(n)  = (1 - a) x(n-1) + a x~(n)          a = leak_rate

    ``drawing`` (spectral radius, input scaling, density) only shapes the initial
    weights, not the equations. Traced: ``"candidate"`` = x~(n), ``"hidden"`` = x(n).
    """
    x = hidden
    steps = []
    for u in X:
        x_tilde = np.tanh(pre_activation(u, x, params, GATES["esn"], "candidate"))
        x = (1.0 - leak_rate) * x + leak_rate * x_tilde
        steps.append({"hidden": x, "candidate": x_tilde})
    return _stack(steps)


def spectral_radius(matrix):
    """Largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))
# Grid LSTM (Kalchbrenner, Danihelka & Graves 2015), the 2-D grid over (t, layer)
# ----------------------------------------------------------------------------


def lstm_transform(H_in, memory, params, gates):
    """One LSTM transform of the paper's Eq. (1)-(2) (their block's ``LSTM(H, m, W)``),
    with ``o * tanh(m)`` for the printed ``tanh(o * m)``, as the public implementations.

    ``H_in = (hidden, x)`` is the concatenation [hidden; x] of the incoming hidden
    vectors, read through ``U`` (hidden) and ``W`` (x) of the four blocks ``gates``
    (input, forget, candidate, output, in that order); ``memory`` (H,) the incoming
    memory of this dimension. Returns (new hidden, new memory, the four activations).
    """
    hidden, x = H_in
    i = sigmoid(pre_activation(x, hidden, params, GATES["grid"], gates[0]))
    f = sigmoid(pre_activation(x, hidden, params, GATES["grid"], gates[1]))
    g = np.tanh(pre_activation(x, hidden, params, GATES["grid"], gates[2]))
    o = sigmoid(pre_activation(x, hidden, params, GATES["grid"], gates[3]))
    m = f * memory + i * g
    return o * np.tanh(m), m, (i, f, g, o)


def grid(X, params, hidden, cell, lower_cell=None, tied_weights=False, depth_priority=True):
    """One layer of a 2-D Grid LSTM: the blocks (t, l) of one l, t = 1, 2, ...

    The block receives ``(hidden, cell)`` along time (from t-1) and, along depth,
    ``x_t`` (the hidden vector from the layer below, or the data at the bottom,
    where the paper's projection ``I x_t`` folds into ``W``) and ``lower_cell_t``
    (zero at the bottom of a stack: ``lower_cell=None``). Eq. (4) of the paper, one
    transform per dimension on H = [hidden_{t-1}; x_t]; with the priority dimension
    depth (``depth_priority``) the depth transform reads H' = [hidden_t; x_t], the
    time transform's new hidden vector instead of the old one. ``tied_weights`` is a
    property of a stack (the network shares the arrays), not of one layer.
    """
    time_gates = LSTM_GATES
    depth_gates = tuple("depth_" + name for name in LSTM_GATES)
    h, c = hidden, cell
    steps = []
    for t, x in enumerate(X):
        below = np.zeros_like(c) if lower_cell is None else lower_cell[t]
        h_new, c, time_acts = lstm_transform((h, x), c, params, time_gates)
        depth_reads = h_new if depth_priority else h
        depth_h, depth_c, depth_acts = lstm_transform((depth_reads, x), below, params,
                                                      depth_gates)
        h = h_new
        step = {"hidden": h, "cell": c, "depth_hidden": depth_h, "depth_cell": depth_c}
        step.update(zip(time_gates, time_acts))
        step.update(zip(depth_gates, depth_acts))
        steps.append(step)
    return _stack(steps)


def grid_stack(X, layers, options):
    """A whole stack of grid layers, block by block over the 2-D grid, one sequence.

    ``layers`` is a list of public parameter dicts, bottom first. Column ``t`` of
    the grid is computed from the bottom up: block (t, 0) reads x_t and a zero depth
    memory, block (t, l) reads the depth hidden and memory vectors of block
    (t, l-1). Returns the top block's depth hidden vectors (T, H): what the
    network pools.
    """
    H = layers[0]["U"].shape[0]
    states = [(np.zeros(H), np.zeros(H)) for _ in layers]  # along time, per layer
    priority = options.get("depth_priority", True)
    time_gates = LSTM_GATES
    depth_gates = tuple("depth_" + name for name in LSTM_GATES)
    top = []
    for x in X:
        up, memory = x, np.zeros(H)  # what flows along depth, from the bottom
        for level, params in enumerate(layers):
            h, c = states[level]
            h_new, c_new, _ = lstm_transform((h, up), c, params, time_gates)
            up, memory, _ = lstm_transform((h_new if priority else h, up), memory,
                                           params, depth_gates)
            states[level] = (h_new, c_new)
        top.append(up)
    return np.array(top)


#: Variant name -> reference cell function.
REFERENCE = {
    "rnn": rnn,
    "lstm": lstm,
    "peephole": peephole,
    "coupled": coupled,
    "gru": gru,
    "no_input_gate": no_input_gate,
    "no_forget_gate": no_forget_gate,
    "no_output_gate": no_output_gate,
    "no_input_activation": no_input_activation,
    "no_output_activation": no_output_activation,
    "full_gate_recurrence": full_gate_recurrence,
    "clockwork": clockwork,
    "depth_gated": depth_gated,
    "esn": esn,
    "grid": grid,
}


# ----------------------------------------------------------------------------
# The batch contract of the core, assembled one sequence at a time
# ----------------------------------------------------------------------------


def reference_layer(variant, X, params, mask=None, initial_state=None, reverse=False,
                    lower_cell=None, options=None):
    """Run the reference cell over a right-padded batch, per the issue-2 contract.

    Parameters
    ----------
    variant : str
    X : ndarray (B, T, F)
    params : dict of ndarray, the public layout
    mask : ndarray (B, T) of bool or None
        True at valid steps, a prefix of each row.
    initial_state : dict or None
        ``{"hidden": (B, H), "cell": (B, H)}``; zeros when None.
    reverse : bool
        Run each sequence from its last valid step back to its first.
    lower_cell : ndarray (B, T, H) or None
        For ``depth_gated`` and ``grid`` (where None is the bottom of a
        stack): aligned with input positions, so read in processing order
        like ``X``.
    options : dict or None
        Variant options (``n_modules``); the defaults of ``OPTIONS`` otherwise.

    Returns
    -------
    out : ndarray (B, T, H)
        Hidden states aligned with input positions (the grid's depth hidden
        vectors, ``OUTPUTS``); padded positions repeat the last valid one
        (forward) or hold the initial hidden state (reverse).
    trace : dict of ndarray (B, T, H)
        Reference internals, NaN at padded positions.
    final_state : dict of ndarray (B, H)
        State after each sequence's last processed step.
    cell_out : ndarray (B, T, H) or None
        The cell aligned like ``out`` (padded positions: the last valid cell
        forward, the initial cell in reverse); None without a cell.
    """
    B, T, _ = X.shape
    H = params["U"].shape[0]
    if mask is None:
        mask = np.ones((B, T), dtype=bool)
    if initial_state is None:
        initial_state = {"hidden": np.zeros((B, H)), "cell": np.zeros((B, H))}
    h0 = initial_state["hidden"]
    c0 = initial_state.get("cell", np.zeros((B, H)))
    cell_fn = REFERENCE[variant]
    settings = {**OPTIONS[variant], **(options or {})}
    out_key, cell_key = OUTPUTS[variant]

    out = np.empty((B, T, H))
    cell_out = np.empty((B, T, H)) if HAS_CELL[variant] else None
    trace = {}
    final_state = {"hidden": np.empty((B, H))}
    if HAS_CELL[variant]:
        final_state["cell"] = np.empty((B, H))
    for b in range(B):
        length = int(mask[b].sum())
        sequence = X[b, :length]  # (L, F)
        side = dict(settings)
        if "lower_cell" in SIDE_INPUTS[variant] and lower_cell is not None:
            side["lower_cell"] = lower_cell[b, :length]  # (L, H)
        if reverse:
            sequence = sequence[::-1]
            side = {key: value[::-1] if key in SIDE_INPUTS[variant] else value
                    for key, value in side.items()}
        steps = cell_fn(sequence, params, h0[b], c0[b], **side)  # each (L, H)
        for key, state in final_state.items():
            state[b] = steps[key][-1]
        if reverse:
            steps = {key: value[::-1] for key, value in steps.items()}
        for key, value in steps.items():
            trace.setdefault(key, np.full((B, T, H), np.nan))[b, :length] = value
        out[b, :length] = steps[out_key]
        out[b, length:] = h0[b] if reverse else steps[out_key][-1]
        if cell_out is not None:
            cell_out[b, :length] = steps[cell_key]
            cell_out[b, length:] = c0[b] if reverse else steps[cell_key][-1]
    return out, trace, final_state, cell_out


# ----------------------------------------------------------------------------
# Test data
# ----------------------------------------------------------------------------


def random_params(params, rng, scale=0.5):
    """Random non-zero arrays with the keys, shapes and dtypes of ``params``."""
    return {
        key: (scale * rng.standard_normal(value.shape)).astype(value.dtype)
        for key, value in params.items()
    }


def ragged_mask(lengths, T):
    """Right-padding mask (B, T) of bool from per-sequence lengths."""
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def random_initial_state(variant, B, H, rng, dtype="float64"):
    """Random ``{"hidden", "cell"}`` initial state (no "cell" without a cell)."""
    keys = ("hidden", "cell") if HAS_CELL[variant] else ("hidden",)
    return {key: (0.5 * rng.standard_normal((B, H))).astype(dtype) for key in keys}


def random_side_inputs(variant, B, T, H, rng, dtype="float64"):
    """The variant's side inputs as keyword arguments of ``forward``: for
    ``depth_gated`` and ``grid``, ``{"lower_cell": (B, T, H)}`` (cell-like values);
    else ``{}``."""
    return {key: rng.standard_normal((B, T, H)).astype(dtype) for key in SIDE_INPUTS[variant]}


def variant_cases(clockwork_modules=(1, 2, 3), esn_leak_rates=(0.3,)):
    """``(variant, options)`` for every variant with its default options, plus
    ``clockwork`` with each number of modules in ``clockwork_modules``, ``esn``
    with each leak rate in ``esn_leak_rates`` and ``grid`` without the priority
    dimension.

    Returns a list of ``(id, variant, options)``.
    """
    cases = [(name, name, {}) for name in ALL_VARIANTS]
    cases += [(f"clockwork-n_modules={n}", "clockwork", {"n_modules": n})
              for n in clockwork_modules]
    cases += [(f"esn-leak_rate={a}", "esn", {"leak_rate": a}) for a in esn_leak_rates]
    cases.append(("grid-depth_priority=False", "grid", {"depth_priority": False}))
    return cases
