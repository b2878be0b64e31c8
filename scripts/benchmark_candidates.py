"""What comparing candidate definitions costs: the session_replay product model
and activation_candidates with only the current definition, then with ten (the
current one and nine candidates), over the same events. The product model
evaluates all of them in its one pass over the events, so ten should cost far
less than ten times one.

For each count, the project (copied to a scratch directory, with session_replay
its only product and the candidates written into its model) is built once; then
both models are rebuilt from scratch (`dbt run --full-refresh -s
product_session_replay activation_candidates`) three times, and the fastest
sum of their execution times (run_results.json) is kept. Prints a markdown table.

    python scripts/benchmark_candidates.py --events 1000000 --engine duckdb
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import benchmark

CURRENT = """{'event': 'recording analyzed', 'min_count': 5}, {'event': 'replay list filter added'}"""
NINE_CANDIDATES = [
    "{'name': 'one_recording', 'activation_criteria': [{'event': 'recording analyzed'}]}",
    "{'name': 'three_recordings', 'activation_criteria': [{'event': 'recording analyzed', 'min_count': 3}]}",
    "{'name': 'ten_recordings', 'activation_criteria': [{'event': 'recording analyzed', 'min_count': 10}]}",
    "{'name': 'one_filter', 'activation_criteria': [{'event': 'replay list filter added'}]}",
    f"{{'name': 'current_in_14_days', 'activation_criteria': [{CURRENT}], 'activation_window_days': 14}}",
    f"{{'name': 'current_in_7_days', 'activation_criteria': [{CURRENT}], 'activation_window_days': 7}}",
    "{'name': 'two_filters', 'activation_criteria': [{'event': 'replay list filter added', 'min_count': 2}]}",
    "{'name': 'recordings_and_filters', 'activation_criteria': [{'event': 'recording analyzed', 'min_count': 3},"
    " {'event': 'replay list filter added', 'min_count': 2}]}",
    "{'name': 'chrome_recording', 'activation_criteria': [{'event': 'recording analyzed',"
    " 'properties': {'$browser': 'Chrome'}}]}",
]


def product_model(candidates: list[str]) -> str:
    listed = f"\n    candidates=[{', '.join(candidates)}]," if candidates else ""
    return f"""{{{{ product_activation(
    product='session_replay',
    activation_criteria=[{CURRENT}],
    survival_criteria=[{{'event': 'recording analyzed'}}],{listed}
) }}}}
"""


def candidates_seconds(project: Path, dbt: list[str], common: list[str], env: dict[str, str],
                       runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        subprocess.run([*dbt, "run", "--full-refresh", "-s", "product_session_replay", "activation_candidates",
                        *common], cwd=project, env=env, check=True, stdout=subprocess.DEVNULL)
        results = json.loads((project / "target" / "run_results.json").read_text())["results"]
        times.append(sum(result["execution_time"] for result in results))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=sorted(benchmark.TARGETS), default="duckdb")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=benchmark.PROJECT_DIR / "data" / "benchmark")
    args = parser.parse_args()
    history, _ = benchmark.prepare(args.events, args.work)
    python = sys.executable
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(benchmark.PROJECT_DIR, project,
                        ignore=shutil.ignore_patterns(".venv", ".git", "data", "target", "logs"))
        # session_replay alone, so that the models' time is its definitions' time
        for path in (project / "models" / "products").glob("*"):
            if path.name not in ("product_session_replay.sql", "_products.yml"):
                path.unlink()
        shutil.copy(project / "profiles.example.yml", project / "profiles.yml")
        env = {**os.environ, "DBT_PROFILES_DIR": str(project), "ACTIVATION_DUCKDB_PATH": f"{scratch}/bench.duckdb"}
        dbt = [str(Path(python).parent / "dbt")]
        if args.engine == "duckdb":
            dbt_vars = {"events_path": str(history / "events.parquet")}
        else:
            # a server of its own, which dies with this process
            import clickhouse_server

            server = clickhouse_server.start(clickhouse_server.Server(
                Path(scratch) / "clickhouse", clickhouse_server.free_port(), clickhouse_server.free_port(),
                "activation", "benchmark"), tied_to_parent=True)
            env.update(CLICKHOUSE_PORT=str(server.http_port), CLICKHOUSE_USER=server.user,
                       CLICKHOUSE_PASSWORD=server.password)
            dbt_vars = {"events_database": "posthog"}  # where load-events puts them
            subprocess.run([python, str(project / "scripts" / "clickhouse_server.py"), "load-events",
                            str(history / "events.parquet")], cwd=project, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        # the only product model left: the marts ref() the ones var product_models lists
        all_vars = {**dbt_vars, "product_models": ["product_session_replay"]}
        common = ["--quiet", "--target", benchmark.TARGETS[args.engine], "--vars", json.dumps(all_vars)]
        for candidates in ([], NINE_CANDIDATES):
            (project / "models" / "products" / "product_session_replay.sql").write_text(product_model(candidates))
            subprocess.run([*dbt, "build", "--full-refresh", "--exclude-resource-type", "test",
                            "--exclude-resource-type", "unit_test", *common], cwd=project, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            rows.append((len(candidates) + 1, candidates_seconds(project, dbt, common, env)))
        if args.engine == "clickhouse":
            clickhouse_server.stop(server.folder)
    (_, one), _ = rows
    print(f"| definitions of session_replay | product model + activation_candidates seconds ({args.engine}, "
          f"{args.events:,} events) | x one |\n|---:|---:|---:|")
    for count, seconds in rows:
        print(f"| {count} | {seconds:.2f} | {seconds / one:.2f} |")


if __name__ == "__main__":
    main()
