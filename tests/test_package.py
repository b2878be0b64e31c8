"""This project as a dbt package of another project (docs/as-a-package.md).

A tiny host project adds it with a `local:` entry in packages.yml (dbt deps
copies nothing from the network), switches its seven example products off,
declares one product in a model file of its own with the same macro call,
and sets the package's vars. Its tables must equal this project's for the
same product and events.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from compare import without
from harness import PROJECT_DIR, DbtError, Warehouse, failure_messages, node_results, write_events
from sample_data import sample_events

HOST_MODEL = "surveys_activation"


def write_host(host: Path, events: Path, database: Path) -> None:
    """The host project: its own name, the package, one product model. product_models at the
    top level of vars (its own models read it while parsing); events_path under activation:
    (only the package's nodes see it, and the host's product model through them)."""
    (host / "models").mkdir(parents=True)
    (host / "packages.yml").write_text(f"packages:\n  - local: {PROJECT_DIR}\n")
    (host / "dbt_project.yml").write_text(textwrap.dedent(f"""\
        name: analytics
        version: "1.0.0"
        config-version: 2
        profile: analytics
        vars:
          product_models: [{HOST_MODEL}]
          activation:
            events_path: "{events}/*.parquet"
        models:
          activation:
            products:
              +enabled: false
        """))
    (host / "models" / f"{HOST_MODEL}.sql").write_text(
        (PROJECT_DIR / "models" / "products" / "product_surveys.sql").read_text()
        .replace("{{ product_activation(", "{{ activation.product_activation("))
    (host / "profiles.yml").write_text(textwrap.dedent(f"""\
        analytics:
          target: dev
          outputs:
            dev:
              type: duckdb
              path: "{database}"
              threads: 4
              settings:
                TimeZone: UTC
        """))


def host_dbt(host: Path, *args: str) -> None:
    result = dbtRunner().invoke([*args, "--project-dir", str(host), "--profiles-dir", str(host)])
    if not result.success:
        raise DbtError(f"dbt {' '.join(args)} failed in the host project: {failure_messages(result)}")


def test_a_host_project_gets_the_same_tables_for_its_own_product(tmp_path: Path) -> None:
    events = sample_events(events=5_000, seed=23)
    project = Warehouse(tmp_path / "project")
    project.load(events)
    project.build()

    host = tmp_path / "host"
    # the host's database is where this warehouse reads, through the harness's row helpers
    hosted = Warehouse(tmp_path / "hosted")
    write_events(tmp_path / "host-events" / "load.parquet", events)
    write_host(host, tmp_path / "host-events", hosted.database)
    host_dbt(host, "deps", "--quiet")
    result = dbtRunner().invoke(["build", "--quiet", "--project-dir", str(host), "--profiles-dir", str(host)])
    assert result.success, failure_messages(result)
    ran = {node_result.node.name for node_result in node_results(result)}
    # the example products stay off; the seed, the marts and the package's tests come along
    assert "product_surveys" not in ran
    assert {HOST_MODEL, "cross_sell_intent_contexts", "activation_funnel_monthly", "activation_candidates",
            "activation_nudges", "product_models_agree_with_their_definition"} <= ran

    # definition_hash covers the names of all products' events, which differ: left out
    assert without(hosted.rows(HOST_MODEL, "org_id"), ["definition_hash"]) \
        == without(project.rows("product_surveys", "org_id"), ["definition_hash"])
    assert len(project.rows("product_surveys", "org_id")) > 0
    for relation, order in (("activation_funnel_monthly", "intent_month"), ("activation_candidates", "candidate"),
                            ("activation_nudges", "org_id, criterion_index")):
        surveys = f"(select * from {relation} where product = 'surveys') as rows"
        assert hosted.rows(relation, order) == project.rows(surveys, order), relation
    assert hosted.query("select product, model_name from int_activation_products") == [("surveys", HOST_MODEL)]


def test_a_host_product_model_left_out_of_the_list_stops_parse_naming_the_top_level_line(tmp_path: Path) -> None:
    """In a host project the line goes at the top level of vars: the message says so."""
    host = tmp_path / "host"
    write_host(host, tmp_path / "host-events", Warehouse(tmp_path / "hosted").database)
    (host / "models" / "widgets_activation.sql").write_text("""\
{{ activation.product_activation(
    product='widgets',
    activation_criteria=[{'event': 'widget made'}],
    survival_criteria=[{'event': 'widget kept'}],
) }}
""")
    host_dbt(host, "deps", "--quiet")
    with pytest.raises(DbtError, match="product 'widgets': model widgets_activation is not in var product_models, so"
                                       " the marts would not read it. Add the line `- widgets_activation` to the list"
                                       r" under vars: product_models: \(top level, so that your product models see it"
                                       r" too\) in dbt_project.yml"):
        host_dbt(host, "parse")
