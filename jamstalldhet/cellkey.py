"""The cell-key method: small, consistent noise on the counts of filtered tables.

Why: suppression inside one table cannot stop *differencing*. When a user may choose filters,
"all insatser" minus "all insatser but X" is X's table, suppressed cells included. Statistical
offices that let users build their own tables (ABS TableBuilder, SCB's population statistics
since 2025, Destatis) answer with the cell-key method (Fraser & Wooton 2005; Thompson,
Broadfoot & Elazar 2013; Enderle, Giessing & Tent, *Calculation of risk probabilities for the
cell key method*, 2018, and Destatis' R package ``ptable``), which is what this module does:

1. **Record keys.** Every person has a secret, stable key, an integer uniform in
   ``[0, 2**KEY_BITS)``, derived from the pseudonymous person id with the secret key of
   :mod:`jamstalldhet.personnummer` (keyed BLAKE2b, :func:`record_keys`). It never leaves the
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

import hashlib
import math
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

KEY_BITS: Final = 24
KEY_SCALE: Final = 1 << KEY_BITS
MAX_NOISE: Final = 3  # D
VARIANCE: Final = 2.0  # V
_DOMAIN: Final = b"jamstalldhet-cellnyckel-v1"

IntArray = npt.NDArray[np.int64]


def record_keys(person_ids: object, secret: bytes) -> IntArray:
    """Each person's record key, an integer uniform in ``[0, 2**KEY_BITS)``, vectorised.

    A keyed hash of the pseudonymous id's bytes: a polynomial hash modulo 2**64 with a secret odd
    multiplier (Horner's rule; every byte at every position counts), then two rounds of the SplitMix64 finaliser
    with secret offsets, of which the top ``KEY_BITS`` bits are kept. The secrets come from the
    installation's key through BLAKE2b in a domain of their own, so a record key can never be turned
    back into a pseudonym, and without the key nobody can compute one. Done on the Arrow string
    buffer with numpy: 2 million ids take a fraction of a second (a Python loop took seconds).

    >>> k = record_keys(["p1", "p2", "p1"], b"secret")
    >>> bool(k[0] == k[2]) and bool(k[0] != k[1]) and int(k.max()) < 2**24
    True
    """
    import pyarrow as pa

    seed = hashlib.blake2b(secret, digest_size=32, person=b"cellkey", salt=_DOMAIN[:16]).digest()
    mult = np.uint64(int.from_bytes(seed[0:8], "little") | 1)
    k1, k2 = (np.uint64(int.from_bytes(seed[i : i + 8], "little")) for i in (8, 16))
    arr = pa.array(person_ids, type=pa.large_string()) if not isinstance(person_ids, pa.Array) else person_ids.cast(pa.large_string())
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data_buf = arr.buffers()[2]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    start, end = offsets[:-1], offsets[1:]
    lengths = end - start
    sums = np.zeros(n, dtype=np.uint64)
    # Horner's rule, one byte position at a time over all ids (no per-byte temporaries)
    for p in range(int(lengths.max(initial=0))):
        live = np.flatnonzero(lengths > p)
        sums[live] = sums[live] * mult + data[start[live] + p].astype(np.uint64) + np.uint64(1)
    x = sums + lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for offset in (k1, k2):
        x = x ^ offset
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(64 - KEY_BITS)).astype(np.int64)


def person_keys_of(person_ids: object) -> IntArray:
    """Record keys of pseudonymous person ids (a list, a numpy array or an Arrow string array),
    with this installation's secret key."""
    from .personnummer import secret_key

    return record_keys(person_ids, secret_key())


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
