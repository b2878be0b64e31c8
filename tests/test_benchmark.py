"""scripts/benchmark.py: the statements' time read from a build's own debug log."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import load_script

benchmark = load_script("benchmark")

# one build's debug log, as dbt-duckdb and dbt-clickhouse write it
LOG = """\
\x1b[0m09:42:23.354803 [info ] [MainThread]: Running with dbt=1.11.16
\x1b[0m09:42:24.023068 [debug] [ThreadPool]: On list_bench: select 1
\x1b[0m09:42:24.053288 [debug] [ThreadPool]: SQL status: OK in 0.030 seconds
\x1b[0m09:42:25.240621 [debug] [Thread-1 (]: SQL status: OK in 1.250 seconds
\x1b[0m09:42:25.340621 [debug] [Thread-1 (]: dbt_clickhouse adapter: SQL status: OK in 0.25 seconds
\x1b[0m09:42:25.341000 [info ] [Thread-1 (]: 25 of 41 OK created sql incremental model main.x [OK in 0.14s]
\x1b[0m09:42:27.895224 [debug] [MainThread]: Command `cli build` succeeded at 09:42:27 after 4.59 seconds
"""


def test_statement_seconds_sum_the_sql_status_lines_alone(tmp_path: Path) -> None:
    (tmp_path / "dbt.log").write_text(LOG)
    # 0.030 + 1.250 + 0.25, by hand; the node's and the command's times are not statements
    assert benchmark.statement_seconds(tmp_path) == pytest.approx(1.53)


def test_each_build_logs_to_a_folder_emptied_first(tmp_path: Path) -> None:
    folder = tmp_path / "noop"
    folder.mkdir()
    (folder / "dbt.log").write_text(LOG)
    command = benchmark.logged_build(["dbt", "build"], folder)
    assert command == ["dbt", "build", "--log-path", str(folder)]
    assert not folder.exists()
