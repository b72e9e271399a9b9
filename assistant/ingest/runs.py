"""Splitting runs of concatenated digits (flattened HTML: ``640020470``) into table cells.

A run has many possible splits; the table's own arithmetic (row total, group total, column balance)
picks the one that fits. Enumeration is bounded, and more than one fitting split means "unknown".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

MAX_STEPS = 200_000


def _parts(token: str, n: int) -> Iterator[tuple[int, ...]]:
    """Every way to cut one digit string into n numbers without leading zeros."""
    if n == 1:
        if token and (token == "0" or not token.startswith("0")):
            yield (int(token),)
        return
    for cut in range(1, len(token) - n + 2):
        head = token[:cut]
        if len(head) > 1 and head.startswith("0"):
            break
        for rest in _parts(token[cut:], n - 1):
            yield (int(head), *rest)


def splits(
    tokens: Sequence[str],
    k: int,
    accept_prefix: Callable[[tuple[int, ...]], bool] | None = None,
    max_steps: int = MAX_STEPS,
) -> tuple[list[tuple[int, ...]], bool]:
    """All ways to read the digit tokens as k numbers (each token ≥ 1 number), filtered by ``accept_prefix``.

    ``accept_prefix`` sees every partial reading (as numbers are added) and may reject it early.
    Returns (readings, complete); ``complete`` is False when the search gave up at ``max_steps``.
    """
    if not tokens or any(not t.isdigit() for t in tokens) or sum(len(t) for t in tokens) < k or len(tokens) > k:
        return [], True
    results: list[tuple[int, ...]] = []
    steps = 0

    def walk(i: int, done: tuple[int, ...]) -> bool:
        nonlocal steps
        steps += 1
        if steps > max_steps:
            return False
        if i == len(tokens):
            if len(done) == k:
                results.append(done)
            return True
        left_tokens = len(tokens) - i - 1
        budget = k - len(done) - left_tokens
        for n in range(1, min(budget, len(tokens[i])) + 1):
            for piece in _parts(tokens[i], n):
                cand = done + piece
                if accept_prefix is not None and not accept_prefix(cand):
                    continue
                if not walk(i + 1, cand):
                    return False
        return True

    complete = walk(0, ())
    return results, complete


def row_total_ok(prefix: tuple[int, ...], width: int) -> bool:
    """A row whose last cell is the sum of the others (section 三: 总计 = the six applicant columns)."""
    if len(prefix) < width:
        return True
    return sum(prefix[: width - 1]) == prefix[width - 1]


def grouped_totals_ok(prefix: tuple[int, ...], group: int) -> bool:
    """Consecutive groups whose last cell is the sum of the group (section 四: five cells per group)."""
    full = len(prefix) - len(prefix) % group
    return all(sum(prefix[g : g + group - 1]) == prefix[g + group - 1] for g in range(0, full, group))
