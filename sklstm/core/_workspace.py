"""Per-thread scratch memory that the backward passes reuse from call to call.

Fresh memory is slow here: every new page costs a page fault on its first write
(about 3 microseconds on the virtual machines sklstm was measured on), and glibc hands
large freed blocks back to the kernel, so a backward pass that allocated its
temporaries anew faulted in ~900 pages per call at (B, T, H) = (64, 50, 32), over a
third of its time. Temporaries that never leave a call (gradient buffers and the
copies laid out for the weight-gradient GEMMs) come from here instead; nothing
returned to a caller may alias these buffers. Thread-local, so concurrent calls from
several threads stay independent.
"""

import math
import threading

import numpy as np


class Workspace(threading.local):
    """Named, growable flat buffers, one set per thread."""

    def __init__(self):
        self._buffers = {}

    def empty(self, name, shape, dtype):
        """An uninitialised array of ``shape`` viewing the buffer called ``name``."""
        dtype = np.dtype(dtype)
        size = math.prod(shape)  # np.prod costs more than the rest of the call
        buffer = self._buffers.get((name, dtype))
        if buffer is None or buffer.size < size:
            buffer = self._buffers[(name, dtype)] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)

    def zeros(self, name, shape, dtype):
        array = self.empty(name, shape, dtype)
        array.fill(0)
        return array

    def clear(self):
        """Release this thread's buffers."""
        self._buffers.clear()


#: The workspace of the core's backward passes.
SCRATCH = Workspace()
