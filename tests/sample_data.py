"""The project's sample generator (scripts/generate_events.py), as Event lists for tests."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq

from harness import PROJECT_DIR, Event


def generator() -> ModuleType:
    path = PROJECT_DIR / "scripts" / "generate_events.py"
    spec = importlib.util.spec_from_file_location("generate_events", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def sample_events(events: int, seed: int) -> list[Event]:
    with tempfile.TemporaryDirectory() as directory:
        generator().generate(Path(directory), events=events, seed=seed)
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
