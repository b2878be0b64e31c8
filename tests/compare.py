"""Row-for-row comparison of the models between two builds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

Snapshot = dict[str, list[dict[str, Any]]]


def differences(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """Rows only in `left`, and rows only in `right` (as multisets: a duplicated row counts)."""
    left_rows = Counter(tuple(sorted(row.items())) for row in left)
    right_rows = Counter(tuple(sorted(row.items())) for row in right)
    return sorted(left_rows - right_rows, key=repr), sorted(right_rows - left_rows, key=repr)


def without(rows: list[dict[str, Any]], columns: Collection[str]) -> list[dict[str, Any]]:
    """The rows with `columns` left out."""
    return [{name: value for name, value in row.items() if name not in columns} for row in rows]


def assert_same_rows(left: Snapshot, right: Snapshot, label: str, ignored_columns: Collection[str] = ()) -> None:
    """Every relation holds the same rows in both snapshots, in both directions
    (`ignored_columns` left out of every row)."""
    assert left.keys() == right.keys()
    problems = []
    for relation in left:
        only_left, only_right = differences(without(left[relation], ignored_columns),
                                            without(right[relation], ignored_columns))
        if only_left or only_right:
            problems.append(
                f"{relation}: {len(only_left)} rows only in the first, {len(only_right)} only in the"
                f" second; e.g. {only_left[:2]} vs {only_right[:2]}"
            )
    assert not problems, f"{label}:\n" + "\n".join(problems)
