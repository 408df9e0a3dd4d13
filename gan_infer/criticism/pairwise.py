"""Blocked pairwise squared distances, the engine of the distance-based metrics.

``||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y`` in float64, block by block: the
work is matrix products (BLAS) and the extra memory is one
``(batch_size, block_size)`` block at a time, never an ``(n, m, D)`` array.
"""

import numpy as np

__all__ = ["row_sq_norms", "sq_distance_blocks"]


def row_sq_norms(x, block_size):
    """||x_i||^2 in float64, converting one block at a time."""
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], block_size):
        xb = np.asarray(x[start : start + block_size], dtype=np.float64)
        out[start : start + block_size] = np.einsum("ij,ij->i", xb, xb)
    return out


def sq_distance_blocks(a, b, batch_size, block_size, b_sq_norms=None):
    """Yield (row_slice, col_slice, squared distances) covering a x b.

    Blocks are converted to float64 as they are used, so a float32 input never
    gets a full float64 copy. The expansion can go slightly negative for
    near-identical rows by cancellation; those are clamped to 0.
    """
    if b_sq_norms is None:
        b_sq_norms = row_sq_norms(b, block_size)
    for i0 in range(0, a.shape[0], batch_size):
        rows = slice(i0, min(i0 + batch_size, a.shape[0]))
        ab = np.asarray(a[rows], dtype=np.float64)
        a_norms = np.einsum("ij,ij->i", ab, ab)
        for j0 in range(0, b.shape[0], block_size):
            cols = slice(j0, min(j0 + block_size, b.shape[0]))
            bb = np.asarray(b[cols], dtype=np.float64)
            d2 = ab @ bb.T
            d2 *= -2.0
            d2 += a_norms[:, None]
            d2 += b_sq_norms[None, cols]
            np.maximum(d2, 0.0, out=d2)
            yield rows, cols, d2
            # Drop this block before building the next, so two never coexist.
            del bb, d2
