"""Embedding gather and scatter-add.

The scatter-add is partitioned by vocabulary rows: every block scans all ids
in order and adds only those in its range, so each gradient row receives its
terms in id order (``np.add.at``'s order) whatever the partition.
"""
from __future__ import annotations

from ._jit import kernel


@kernel()
def gather_rows(ids, table, out, r0, r1):
    """out[r] = table[ids[r]] for r in r0:r1; ids (m,), table (v, d), out (m, d)."""
    d = table.shape[1]
    for r in range(r0, r1):
        k = ids[r]
        for j in range(d):
            out[r, j] = table[k, j]



@kernel()
def scatter_add_vocab(ids, dy, grad, v0, v1):
    """grad[v0:v1] = Σ over r with ids[r] in [v0, v1) of dy[r], in r order; grad (v, d)."""
    d = grad.shape[1]
    for k in range(v0, v1):
        for j in range(d):
            grad[k, j] = 0
    for r in range(ids.shape[0]):
        k = ids[r]
        if v0 <= k < v1:
            for j in range(d):
                grad[k, j] += dy[r, j]
