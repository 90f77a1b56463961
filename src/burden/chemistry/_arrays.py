"""The one array coercion the chemistry functions share (floats and arrays alike)."""

import numpy as np


def _a(x) -> np.ndarray:
    """``x`` as a float numpy array (scalars become 0-d arrays)."""
    return np.asarray(x, dtype=float)
