"""k-means with k-means++ seeding, in numpy, for cluster pseudo-labels.

Arthur & Vassilvitskii 2007 (k-means++ seeding), then Lloyd's iterations.
A few thousand feature vectors of a few hundred dimensions take well under
a second, so no accelerator is needed and the result does not depend on
the device.
"""

from __future__ import annotations

import numpy as np

# Lloyd's iterations per restart; the digits converge in about 20.
_ITERATIONS = 100
# Distance computations are chunked to bound memory (rows x clusters).
_CHUNK = 4096


def _row_norms(x: np.ndarray) -> np.ndarray:
    """(N, 1) squared norms of the rows, computed once per clustering."""
    return (x**2).sum(1, keepdims=True)


def _squared_distances(
    x: np.ndarray, centers: np.ndarray, x_norms: np.ndarray
) -> np.ndarray:
    """(N, K) squared Euclidean distances, computed in row chunks.

    ``x_norms`` is ``_row_norms(x)``: the seeding and every iteration reuse
    it, which more than halves the time of a clustering.
    """
    norms = (centers**2).sum(1)
    out = np.empty((len(x), len(centers)), np.float64)
    for start in range(0, len(x), _CHUNK):
        rows = x[start : start + _CHUNK]
        d = x_norms[start : start + _CHUNK] - 2.0 * rows @ centers.T + norms
        out[start : start + _CHUNK] = np.maximum(d, 0.0)
    return out


def _seed_centers(
    x: np.ndarray, k: int, rng: np.random.Generator, x_norms: np.ndarray
) -> np.ndarray:
    """k-means++: each new center drawn with probability ~ D(x)^2."""
    centers = [x[rng.integers(len(x))]]
    nearest = _squared_distances(x, np.stack(centers), x_norms)[:, 0]
    for _ in range(1, k):
        total = nearest.sum()
        # All points coincide with chosen centers: any point will do, and
        # the caller has checked that k distinct points exist.
        p = nearest / total if total > 0 else None
        centers.append(x[rng.choice(len(x), p=p)])
        nearest = np.minimum(
            nearest, _squared_distances(x, centers[-1][None], x_norms)[:, 0]
        )
    return np.stack(centers)


def kmeans(
    x: np.ndarray, k: int, *, seed: int = 0, restarts: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Clusters the rows of x into k groups.

    Args:
        x: (N, F) features, N >= k with at least k distinct rows.
        k: Number of clusters, >= 1.
        seed: Seed of the k-means++ draws.
        restarts: Seedings tried; the one with the least within-cluster
            sum of squares is kept.

    Returns:
        (centers (k, F) float64, assignment (N,) int64 in [0, k)).

    Raises:
        ValueError: If x has fewer than k distinct rows.
    """
    x = np.asarray(x, np.float64)
    distinct = len(np.unique(x, axis=0))
    if distinct < k:
        raise ValueError(
            f"Cannot form {k} clusters from {distinct} distinct samples. "
            f"Give at least {k} different samples, or ask for at most "
            f"{distinct} clusters."
        )
    rng = np.random.default_rng(seed)
    x_norms = _row_norms(x)
    best = None
    for _ in range(restarts):
        centers = _seed_centers(x, k, rng, x_norms)
        previous = None
        for _ in range(_ITERATIONS):
            d = _squared_distances(x, centers, x_norms)
            assignment = d.argmin(1)
            if previous is not None and np.array_equal(assignment, previous):
                break
            previous = assignment
            for j in range(k):
                members = x[assignment == j]
                if len(members):
                    centers[j] = members.mean(0)
                else:
                    # An emptied cluster takes the point worst served now.
                    far = d[np.arange(len(x)), assignment].argmax()
                    centers[j] = x[far]
                    assignment[far] = j
        inertia = d[np.arange(len(x)), assignment].sum()
        if best is None or inertia < best[0]:
            best = (inertia, centers.copy(), assignment.copy())
    return best[1], best[2]
