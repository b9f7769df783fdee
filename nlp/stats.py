"""Small statistical helpers shared by the analysis modules."""

from __future__ import annotations

import numpy as np


def nan_percentiles(samples: np.ndarray, q: tuple[float, float]) -> tuple[np.ndarray, ...]:
    """Percentiles over axis 0 ignoring NaN, much faster than ``np.nanpercentile`` for stacks.

    Args:
        samples: ``(n_boot, ...)`` replicates.
        q: percentiles in [0, 100].

    Returns:
        One array of shape ``samples.shape[1:]`` per percentile (NaN where no finite sample).
    """
    ordered = np.sort(np.where(np.isfinite(samples), samples, np.inf), axis=0)
    finite = np.isfinite(samples).sum(axis=0)
    out = []
    for p in q:
        position = np.clip(np.round(p / 100 * (finite - 1)).astype(int), 0, None)
        value = np.take_along_axis(ordered, position[None, ...], axis=0)[0]
        out.append(np.where(finite > 0, value, np.nan))
    return tuple(out)
