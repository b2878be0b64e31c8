"""The project's sample generator (scripts/generate_events.py), as Event lists for tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from harness import GENERATOR, Event


def sample_events(events: int, seed: int) -> list[Event]:
    with tempfile.TemporaryDirectory() as directory:
        GENERATOR.generate(Path(directory), events=events, seed=seed)
        table = pq.read_table(directory)
    return [
        Event(
            uuid=row["uuid"],
            event=row["event"],
            timestamp=row["timestamp"],
            org=row["$group_0"],
            properties=row["properties"],
            distinct_id=row["distinct_id"],
        )
        for row in table.to_pylist()
    ]
