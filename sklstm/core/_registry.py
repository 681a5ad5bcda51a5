"""The registry of cell variants: adding a variant is registering one cell object."""

_CELLS = {}


def register(name, cell):
    """Make ``cell`` available to :class:`RecurrentLayer` as ``variant=name``."""
    if name in _CELLS:
        raise ValueError(f"variant {name!r} is already registered")
    _CELLS[name] = cell
    return cell


def registered_names():
    """The registered variant names, in registration order."""
    return tuple(_CELLS)


def get_cell(name):
    """The cell registered as ``name``; a ValueError listing the choices otherwise."""
    if not isinstance(name, str) or name not in _CELLS:
        raise ValueError(
            f"Unknown variant {name!r}; expected one of {registered_names()}."
        )
    return _CELLS[name]


def stack_variants(name, num_layers):
    """The variant of each layer of a ``num_layers`` stack of ``name``, bottom to top.

    A variant that reads the cell of the layer below (``"depth_gated"``, ``"grid"``)
    needs a layer below it, and one layer alone is a ValueError: a depth-gated stack
    starts with a layer of its base variant, as in Yao et al. (2015); a grid stack
    with a grid layer that reads zero memory from below, as the paper's bottom row
    of blocks (its depth cell would carry nothing in a stack of one).

    Parameters
    ----------
    name : str
        A name in ``VARIANTS``.
    num_layers : int
        Layers in the stack.

    Returns
    -------
    variants : tuple of str
        One variant name per layer, bottom first; ``(name,) * num_layers`` for
        every variant that reads nothing from the layer below.

    Examples
    --------
    >>> from sklstm.core import stack_variants
    >>> stack_variants("depth_gated", 3)
    ('peephole', 'depth_gated', 'depth_gated')
    >>> stack_variants("grid", 2)
    ('grid', 'grid')
    """
    cell = get_cell(name)
    if not cell.side_inputs:
        return (name,) * num_layers
    if num_layers < 2:
        raise ValueError(
            f"variant {name!r} connects the memory cells of adjacent layers (a layer "
            f"reads the cell of the layer below), so it needs num_layers >= 2; got "
            f"{num_layers}."
        )
    return (cell.bottom_variant,) + (name,) * (num_layers - 1)


def variant_options(name):
    """Variant-specific options of ``name`` and their defaults (a dict, often empty).

    ``RecurrentLayer(name, ..., **options)`` takes them.

    Parameters
    ----------
    name : str
        A name in ``VARIANTS``.

    Returns
    -------
    options : dict of str to default value

    Examples
    --------
    >>> from sklstm.core import variant_options
    >>> variant_options("clockwork")
    {'n_modules': 4}
    >>> variant_options("grid")
    {'tied_weights': False, 'depth_priority': True}
    """
    return dict(get_cell(name).options)
