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


def variant_options(name):
    """Variant-specific options of ``name`` and their defaults (a dict, often empty).

    >>> variant_options("clockwork")
    {'n_modules': 4}
    """
    return dict(get_cell(name).options)
