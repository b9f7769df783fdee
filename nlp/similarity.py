"""The two-sided similarity measures alignment is built from (see :mod:`nlp.alignment`).

Pure array functions over a trailing state axis: stance agreement scaled by the issue's typical
stance, and semantic similarity of positions centred on their mean.
"""

from __future__ import annotations

import numpy as np


def pairwise_cosine(directions: np.ndarray) -> np.ndarray:
    """Pairwise cosine ``(..., n, n)`` of ``(..., n, k)`` vectors (NaN rows stay NaN)."""
    directions = np.asarray(directions, dtype=np.float32)
    norms = np.linalg.norm(directions, axis=-1, keepdims=True)
    valid = np.isfinite(norms) & (norms > 1e-12)
    # zeros instead of NaN rows keep the product on the fast BLAS path; mask afterwards
    unit = np.where(valid, directions / np.where(valid, norms, 1.0), 0.0).astype(np.float32)
    product = (unit @ np.swapaxes(unit, -1, -2)).astype(np.float64)
    missing = ~valid[..., 0]
    product[np.broadcast_to(missing[..., :, None], product.shape)] = np.nan
    product[np.broadcast_to(missing[..., None, :], product.shape)] = np.nan
    return product


def centre_positions(directions: np.ndarray, min_centre: int = 5) -> np.ndarray:
    """Directions ``(..., n, k)`` minus the mean of their finite rows (when at least
    ``min_centre`` rows are finite; otherwise unchanged)."""
    directions = np.asarray(directions, dtype=np.float64)
    finite = np.isfinite(directions).all(axis=-1)
    count = finite.sum(axis=-1)
    total = np.where(finite[..., None], directions, 0.0).sum(axis=-2)
    mean = total / np.maximum(count, 1)[..., None]
    mean = np.where((count >= min_centre)[..., None], mean, 0.0)
    return directions - mean[..., None, :]


def stance_scale(stances: np.ndarray) -> np.ndarray:
    """The typical stance on an issue: root mean square of the finite stances ``(..., n)``."""
    finite = np.isfinite(stances)
    count = finite.sum(axis=-1)
    total = np.where(finite, stances ** 2, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.where(count > 0, total / np.maximum(count, 1), np.nan))


def stance_agreement(stances: np.ndarray, scale: np.ndarray | float | None = None) -> np.ndarray:
    """Pairwise stance agreement ``(..., n, n)`` in [-1, 1] (see the module docstring).

    Args:
        stances: ``(..., n)`` mean stances in [-1, 1], NaN where a state took no side.
        scale: the issue's typical stance (default: :func:`stance_scale` of ``stances``);
            bootstrap replicates are scored with the estimate's scale.
    """
    stances = np.asarray(stances, dtype=np.float64)
    if scale is None:
        with np.errstate(all="ignore"):
            scale = stance_scale(stances)
    scale = np.asarray(scale, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        product = stances[..., :, None] * stances[..., None, :]
        value = product / (scale[..., None, None] ** 2)
    value = np.where(np.isfinite(value), value, np.nan)
    return np.clip(value, -1.0, 1.0)


def cosine_scale(cosines: np.ndarray) -> np.ndarray:
    """The typical similarity on an issue: root mean square of the off-diagonal finite cosines
    of ``(..., n, n)``."""
    n = cosines.shape[-1]
    off = ~np.eye(n, dtype=bool)
    values = np.where(off & np.isfinite(cosines), cosines ** 2, 0.0)
    count = (off & np.isfinite(cosines)).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.where(count > 0, values.sum(axis=(-2, -1)) / np.maximum(count, 1),
                                np.nan))


def semantic_similarity(directions: np.ndarray, *, min_centre: int = 5,
                        scale: np.ndarray | float | None = None,
                        relative: bool = True) -> np.ndarray:
    """Centred cosine ``(..., n, n)`` of positions ``(..., n, k)``, relative to the issue's typical
    similarity (divided by :func:`cosine_scale`, clipped to [-1, 1]) when ``relative``."""
    cosines = pairwise_cosine(centre_positions(directions, min_centre))
    if not relative:
        return cosines
    if scale is None:
        scale = cosine_scale(cosines)
    scale = np.asarray(scale, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = cosines / scale[..., None, None]
    value = np.where(np.isfinite(value), value, np.nan)
    diagonal = np.eye(cosines.shape[-1], dtype=bool)
    return np.where(diagonal & np.isfinite(cosines), 1.0, np.clip(value, -1.0, 1.0))
