"""Splitting runs of concatenated digits (flattened HTML: ``640020470``) into table cells.

A run has many possible splits; the table's own arithmetic (row total, group total, column balance)
picks the one that fits. The search adds one number at a time, lets the caller reject a partial
reading at once, and stops at a step budget, so a long run cannot stall a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_STEPS = 200_000


def splits(
    tokens: Sequence[str],
    k: int,
    accept_prefix: Callable[[tuple[int, ...]], bool] | None = None,
    max_steps: int = MAX_STEPS,
) -> tuple[list[tuple[int, ...]], bool]:
    """All ways to read the digit tokens as k numbers (each token ≥ 1 number, no leading zeros).

    ``accept_prefix`` sees every partial reading as numbers are added and may reject it early.
    Returns (readings, complete); ``complete`` is False when the search gave up at ``max_steps``.
    """
    if not tokens or any(not t.isdigit() for t in tokens) or sum(len(t) for t in tokens) < k or len(tokens) > k:
        return [], True
    results: list[tuple[int, ...]] = []
    steps = 0

    def walk(ti: int, pos: int, done: tuple[int, ...]) -> bool:
        """Continue in token ``ti`` at character ``pos``; False once the step budget is spent."""
        nonlocal steps
        steps += 1
        if steps > max_steps:
            return False
        token = tokens[ti]
        tokens_left = len(tokens) - ti - 1
        # numbers still needed after this one must fit: at least one per later token
        for end in range(pos + 1, len(token) + 1):
            piece = token[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            reading = (*done, int(piece))
            need = k - len(reading)
            if end == len(token):
                if need < tokens_left or (tokens_left == 0 and need != 0):
                    continue
            elif need < 1 + tokens_left or need > len(token) - end + sum(len(t) for t in tokens[ti + 1 :]):
                continue
            if accept_prefix is not None and not accept_prefix(reading):
                continue
            if end == len(token):
                if tokens_left == 0:
                    results.append(reading)
                elif not walk(ti + 1, 0, reading):
                    return False
            elif not walk(ti, end, reading):
                return False
        return True

    complete = walk(0, 0, ())
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
