"""The cell-key method: small, consistent noise on the counts of filtered tables.

Why: suppression inside one table cannot stop *differencing*. When a user may choose filters,
"all insatser" minus "all insatser but X" is X's table, suppressed cells included. Statistical
offices that let users build their own tables (ABS TableBuilder, SCB's population statistics
since 2025, Destatis) answer with the cell-key method (Fraser & Wooton 2005; Thompson,
Broadfoot & Elazar 2013; Enderle, Giessing & Tent, *Calculation of risk probabilities for the
cell key method*, 2018, and Destatis' R package ``ptable``), which is what this module does:

1. **Record keys.** Every person has a secret, stable key, an integer uniform in
   ``[0, 2**KEY_BITS)``, derived from the pseudonymous person id with the secret key of
   :mod:`jamstalldhet.intake.personnummer` (keyed BLAKE2b, :func:`jamstalldhet.intake.record_keys.record_keys`). It never leaves the
   server; the same person has the same key in every import, session and file.
2. **Cell keys.** A cell's key is the fractional part of the sum of its persons' keys
   (integers summed, then taken modulo ``2**KEY_BITS``: exact, independent of order). The same
   persons always give the same cell key, so the same cell always gets the same noise, in every
   view: repeating a query, or reaching the same group of persons by another route, tells
   nothing new.
3. **Perturbation table** (p-table): for a true count ``i`` a probability distribution over the
   noise ``v`` in ``[-D, D]``; the cell key, read as a uniform number in [0, 1), picks ``v`` by
   the inverse of that distribution's cumulative sum. See :func:`ptable`.

Parameters (published: README and the report's "Om siffrorna"): maximum noise ``D = 3``,
noise variance ``V = 2`` for counts of k and more; counts of 1..k−1 never keep their value and
stay below k, and every perturbed count below k (zero included) is shown as ``..``; zero stays zero.

No maintained Python implementation of the p-table exists (Destatis' ``ptable`` and ABS's
tools are R/SAS), so the construction is written here once, with its derivation below.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from ..intake.record_keys import KEY_BITS as KEY_BITS  # re-exported: the p-table's key width
from ..intake.record_keys import KEY_SCALE as KEY_SCALE
from ..intake.record_keys import IntArray

MAX_NOISE: Final = 3  # D
VARIANCE: Final = 2.0  # V


def cell_keys(key_sums: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Cell key in [0, 1) from the (exact, integer-valued) sum of the persons' record keys."""
    sums = np.asarray(key_sums, dtype=np.float64)
    return np.mod(sums, KEY_SCALE) / KEY_SCALE


def _max_entropy(support: npt.NDArray[np.float64], variance: float) -> npt.NDArray[np.float64]:
    """The distribution on ``support`` with mean 0 and the given variance that has the most entropy.

    Derivation: maximising ``-Σ p log p`` subject to ``Σ p = 1``, ``Σ p v = 0`` and
    ``Σ p v² = V`` gives, by Lagrange, ``p(v) ∝ exp(a v + b v²)``. The multipliers ``(a, b)``
    minimise the convex dual ``F(a, b) = log Σ exp(a v + b v²) − b V``, whose gradient is
    ``(E v, E v² − V)`` and whose Hessian is the covariance matrix of ``(v, v²)`` under ``p``;
    Newton's method with step halving finds them in a few iterations. The solution exists
    whenever 0 and V lie strictly inside what the support allows (checked by the tests for
    every row we build). This is the same criterion Destatis' ``ptable`` uses.
    """
    v = support
    lam = np.zeros(2)
    feats = np.vstack([v, v * v])
    target = np.array([0.0, variance])

    def dual(lam_: npt.NDArray[np.float64]) -> float:
        z = lam_ @ feats
        m = float(z.max())
        return m + math.log(float(np.exp(z - m).sum())) - float(lam_[1]) * variance

    for _ in range(200):
        z = lam @ feats
        p = np.exp(z - z.max())
        p /= p.sum()
        mean = feats @ p
        grad = mean - target
        if float(np.abs(grad).max()) < 1e-13:
            break
        cov = (feats * p) @ feats.T - np.outer(mean, mean)
        step = np.linalg.solve(cov + 1e-15 * np.eye(2), grad)
        f0, t = dual(lam), 1.0
        while dual(lam - t * step) > f0 and t > 1e-12:
            t /= 2
        lam = lam - t * step
    z = lam @ feats
    p = np.exp(z - z.max())
    return np.asarray(p / p.sum(), dtype=np.float64)


@cache
def ptable(k: int, max_noise: int = MAX_NOISE, variance: float = VARIANCE) -> tuple[tuple[tuple[int, float], ...], ...]:
    """The perturbation table: row ``i`` is ``((noise, probability), ...)`` for a true count ``i``;
    the last row serves every count from there on.

    * Row 0 is ``((0, 1.0),)``: an empty cell stays empty (nobody is invented); published, it is
      ``..`` like every count below k.
    * Rows ``1 .. k−1`` (small counts) never keep their value and never leave ``0 .. k−1``: the noise
      is uniform over ``-min(i, D) .. min(D, k−1−i)`` without 0. A small count is therefore always
      shown as ``..``, whichever small count it is, so what is shown says nothing about which one
      (a small count pushed to 5–7 would tell that it was at least 2). Its noise need not be unbiased:
      a hidden value is never summed or divided.
    * Rows ``i ≥ k`` have the noise values ``-min(i, D) .. D``, are unbiased (mean noise 0) with
      variance ``V``, and among such distributions are the one of maximum entropy
      (:func:`_max_entropy`), which spreads the probability as evenly as the constraints allow.

    >>> [(v, round(p, 3)) for v, p in ptable(5)[1]]
    [(-1, 0.25), (1, 0.25), (2, 0.25), (3, 0.25)]
    >>> [round(p, 3) for _, p in ptable(5)[5]]
    [0.037, 0.112, 0.216, 0.269, 0.216, 0.112, 0.037]
    """
    if not 1 <= max_noise <= 3:
        raise ValueError("högsta brus D ska vara 1–3")
    rows: list[tuple[tuple[int, float], ...]] = [((0, 1.0),)]
    for i in range(1, max(k, max_noise) + 1):
        if i < k:
            small = [v for v in range(-min(i, max_noise), min(max_noise, k - 1 - i) + 1) if v != 0]
            rows.append(tuple((v, 1.0 / len(small)) for v in small))
            continue
        support = [v for v in range(-min(i, max_noise), max_noise + 1)]
        p = _max_entropy(np.array(support, dtype=np.float64), variance)
        rows.append(tuple((int(v), float(q)) for v, q in zip(support, p, strict=True)))
    return tuple(rows)


def noise(counts: npt.ArrayLike, keys: npt.ArrayLike, k: int) -> IntArray:
    """The noise of each cell: the p-table row of its count, read at its cell key."""
    c = np.asarray(counts, dtype=np.int64)
    u = np.asarray(keys, dtype=np.float64)
    table = ptable(k)
    row = np.minimum(c, len(table) - 1)
    out = np.zeros(c.shape, dtype=np.int64)
    for r in range(1, len(table)):
        sel = row == r
        if not sel.any():
            continue
        values = np.array([v for v, _ in table[r]], dtype=np.int64)
        cum = np.cumsum([p for _, p in table[r]])
        cum[-1] = 1.0
        out[sel] = values[np.minimum(np.searchsorted(cum, u[sel], side="right"), len(values) - 1)]
    return out


def perturb(counts: npt.ArrayLike, key_sums: npt.ArrayLike, k: int) -> IntArray:
    """Perturbed counts: ``count + noise`` (never below 0), the noise fixed by the cell's persons."""
    c = np.asarray(counts, dtype=np.int64)
    out: IntArray = np.maximum(c + noise(c, cell_keys(key_sums), k), 0)
    return out
