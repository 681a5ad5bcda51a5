"""A parameter grid that compares cell variants, each given what it needs."""

from sklearn.model_selection import ParameterGrid

from .core import VARIANTS, stack_variants, variant_options

__all__ = ["variant_grid"]

#: Parameters that only some variants take (``n_modules`` of "clockwork", the
#: reservoir options of "esn", ``tied_weights`` and ``depth_priority`` of "grid").
_VARIANT_OPTIONS = frozenset(name for variant in VARIANTS
                             for name in variant_options(variant))


def variant_grid(variants=None, *, prefix="", **params):
    """Parameter grid comparing recurrent cell variants, each with what it needs.

    ``GridSearchCV(LSTMClassifier(), {"variant": VARIANTS})`` fails for
    ``"depth_gated"`` and ``"grid"``, which read the cell of the layer below and so
    need ``num_layers >= 2``; and a variant option such as ``n_modules`` in the grid
    refits every other variant once per value for nothing. This grid gives each
    variant only what applies to it:

    - ``num_layers``: the values of ``params["num_layers"]`` the variant can
      stack (the default, 1, when not given); a variant that can stack none of
      them gets the smallest number it can, 2 for ``"depth_gated"`` and ``"grid"``;
    - variant options (``n_modules`` of ``"clockwork"``, the reservoir options of
      ``"esn"``, ``tied_weights`` and ``depth_priority`` of ``"grid"``; see
      :func:`sklstm.core.variant_options`): only to the variants that take them;
    - every other parameter: to every variant.

    Parameters
    ----------
    variants : list of str, str or None, default=None
        Names in ``sklstm.core.VARIANTS``, in the order to search; None for all.
    prefix : str, default=""
        Put before every parameter name: the estimator's step name and ``"__"``
        when it sits in a Pipeline, e.g. ``"lstmclassifier__"``.
    **params : list
        More parameters to search, each a list of values, as in ``param_grid``
        (``hidden_size=[32, 64]``).

    Returns
    -------
    param_grid : list of dict
        For ``GridSearchCV(param_grid=...)``; variants that need the same grid
        share one dict, so ``variant`` may take values from several dicts.

    Raises
    ------
    ValueError
        For an unknown variant, an empty ``variants``, or ``variant`` among
        ``**params``.
    TypeError
        For a parameter whose values are not a list (scikit-learn's check).

    See Also
    --------
    sklstm.core.stack_variants : The layers of a stack of one variant.

    Examples
    --------
    >>> from sklstm import variant_grid
    >>> grid = variant_grid(["lstm", "gru", "depth_gated"], hidden_size=[16, 32])
    >>> for entry in grid:
    ...     print(entry)
    {'variant': ['lstm', 'gru'], 'hidden_size': [16, 32]}
    {'variant': ['depth_gated'], 'hidden_size': [16, 32], 'num_layers': [2]}
    >>> [entry["variant"] for entry in variant_grid(n_modules=[2, 4])][1:]
    [['clockwork'], ['depth_gated', 'grid']]
    >>> variant_grid(["lstm", "grid"], tied_weights=[False, True])[1]
    {'variant': ['grid'], 'tied_weights': [False, True], 'num_layers': [2]}
    """
    variants = _check_variants(variants)
    if "variant" in params:
        raise ValueError("Pass the variants to compare as the first argument of "
                         "variant_grid, not as variant=[...].")
    for name, values in params.items():
        ParameterGrid({name: values})  # scikit-learn's own check of each value list
    entries = {}  # (the parameters it takes, its layers) -> (its grid, its variants)
    for variant in variants:
        grid = _grid_for(variant, params)
        key = (tuple(grid), tuple(grid.get("num_layers", ())))
        entries.setdefault(key, (grid, []))[1].append(variant)
    return [{f"{prefix}variant": names,
             **{f"{prefix}{name}": list(values) for name, values in grid.items()}}
            for grid, names in entries.values()]


def _check_variants(variants):
    if isinstance(variants, str):  # one name
        variants = [variants]
    variants = list(VARIANTS if variants is None else variants)
    unknown = [name for name in variants if name not in VARIANTS]
    if unknown or not variants:
        raise ValueError(f"variants must be a non-empty list of names in "
                         f"sklstm.core.VARIANTS {VARIANTS}; got {variants!r}.")
    return variants


def _grid_for(variant, params):
    """The parameters of ``params`` that apply to ``variant``, with the layers it
    can stack."""
    options = variant_options(variant)
    grid = {name: values for name, values in params.items() if name != "num_layers"
            and (name not in _VARIANT_OPTIONS or name in options)}
    stackable = [n for n in params.get("num_layers", [1]) if _can_stack(variant, n)]
    if "num_layers" in params or stackable != [1]:
        grid["num_layers"] = stackable or [_fewest_layers(variant)]
    return grid


def _can_stack(variant, num_layers):
    """True when ``num_layers`` layers of ``variant`` form a valid stack."""
    try:
        stack_variants(variant, num_layers)
    except ValueError:
        return False
    return True


def _fewest_layers(variant, most=3):
    """The smallest number of layers ``variant`` can stack (1 to ``most``)."""
    return next(n for n in range(1, most + 1) if _can_stack(variant, n))
