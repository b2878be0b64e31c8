"""The DAG dbt sees: the marts ref() every product model of var product_models.

So dbt runs the product models first with any number of threads, a
selection `product_<product>+` rebuilds the marts, the docs' lineage
shows the edges, and a product model left out of the list stops dbt parse.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compare import assert_same_rows
from harness import PROJECT_DIR, PRODUCT_MODELS, DbtError, Warehouse, node_results
from sample_data import sample_events
from test_products import add_product_model

IGNORED = shutil.ignore_patterns(".git", ".venv", "target", "data", "logs", "*.duckdb", "__pycache__")
# Every model that reads the product models' tables, and the test that does.
READERS = ("activation_funnel_monthly", "activation_candidates", "activation_nudges")
READING_TEST = "product_models_agree_with_their_definition"


def every_relation(warehouse: Warehouse) -> dict[str, list[dict[str, object]]]:
    """The rows of every table and view the build left, by name."""
    if warehouse.engine == "duckdb":
        names = warehouse.query("select table_name from information_schema.tables where table_schema = 'main'")
    else:
        names = warehouse.query(f"select name from system.tables where database = '{warehouse.schema}'")
    return {name: warehouse.rows(name, "1") for (name,) in sorted(names)}


def test_threads_8_build_what_threads_1_builds(tmp_path: Path, engine: str) -> None:
    """Two databases from the same events (the same source location, so the same
    definition hashes), one built with one thread, one with eight: every table
    and view holds the same rows."""
    one = Warehouse(tmp_path, engine=engine)
    one.load(sample_events(events=5_000, seed=23))
    # the other database reads the same files (DuckDB) or events table (ClickHouse)
    eight = Warehouse(tmp_path, engine=engine, generation=1,
                      extra_vars={"events_database": f"{one.schema}_events"})
    one.dbt("build", "--quiet", "--threads", "1")
    eight.dbt("build", "--quiet", "--threads", "8")
    built_with_one, built_with_eight = every_relation(one), every_relation(eight)
    assert set(READERS) | set(PRODUCT_MODELS) <= built_with_one.keys()
    assert all(built_with_one[name] for name in READERS if name != "activation_nudges")  # something compared
    assert_same_rows(built_with_one, built_with_eight, "threads 1 vs threads 8")


def test_the_lineage_shows_every_product_model_feeding_each_reader(tmp_path: Path) -> None:
    """The manifest (what dbt docs draws) has an edge from every product
    model, a new one too, to each mart and to the test that reads them."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    add_product_model(project, "activation_widgets", """\
{{ product_activation(
    product='widgets',
    activation_criteria=[{'event': 'widget made'}],
    survival_criteria=[{'event': 'widget kept'}],
) }}
""")
    warehouse = Warehouse(tmp_path / "run", project_dir=project)
    warehouse.dbt("parse")
    manifest = json.loads((tmp_path / "run" / "target" / "manifest.json").read_text())
    parents = {node["name"]: set(node["depends_on"]["nodes"]) for node in manifest["nodes"].values()
               if node["resource_type"] in ("model", "test")}
    products = {f"model.activation.{name}" for name in (*PRODUCT_MODELS, "activation_widgets")}
    for reader in (*READERS, READING_TEST):
        assert products <= parents[reader], f"{reader} lacks {sorted(products - parents[reader])}"


def test_a_product_model_left_out_of_the_list_stops_parse_naming_it_and_the_line(tmp_path: Path) -> None:
    """A new model file without its line in var product_models: dbt parse stops,
    naming the product, the model and the line to add."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    (project / "models" / "products" / "activation_widgets.sql").write_text("""\
{{ product_activation(
    product='widgets',
    activation_criteria=[{'event': 'widget made'}],
    survival_criteria=[{'event': 'widget kept'}],
) }}
""")
    with pytest.raises(DbtError) as failure:
        Warehouse(tmp_path / "run", project_dir=project).dbt("parse")
    assert ("product 'widgets': model activation_widgets is not in var product_models, so the marts would not"
            " read it. Add the line `- activation_widgets` to the list under vars: activation: product_models:"
            " in dbt_project.yml") in str(failure.value)


@pytest.mark.parametrize("value", ["product_surveys", [""], ["product_surveys", "product_surveys"]])
def test_a_wrong_product_models_var_stops_parse_naming_it(tmp_path: Path, value: object) -> None:
    with pytest.raises(DbtError, match="var product_models must be a list of product model names, each once, got "
                                       + json.dumps(value).replace("[", r"\[").replace("]", r"\]")):
        Warehouse(tmp_path).dbt("parse", vars={"product_models": value})


def test_a_product_and_its_children_rebuild_the_readers(tmp_path: Path, engine: str) -> None:
    """`dbt build -s product_surveys+` builds the marts and the test that
    reads the product models, after the product model, and they read its
    rows: a mart emptied by hand is whole again."""
    warehouse = Warehouse(tmp_path, engine=engine)
    warehouse.load(sample_events(events=5_000, seed=23))
    warehouse.build()
    before = warehouse.rows("activation_funnel_monthly", "product, intent_month")
    assert any(row["product"] == "surveys" for row in before)
    warehouse.execute("delete from activation_funnel_monthly where 1 = 1")
    result = warehouse.build("-s", "product_surveys+")
    ran = [node_result.node.name for node_result in node_results(result)]
    assert set(READERS) | {READING_TEST} <= set(ran)
    assert all(ran.index(reader) > ran.index("product_surveys") for reader in READERS)
    assert warehouse.rows("activation_funnel_monthly", "product, intent_month") == before


def test_a_mart_built_without_its_product_models_stops_when_their_tables_are_missing(tmp_path: Path) -> None:
    """Selected without the product models on a new warehouse, a mart stops
    naming the missing table and the selection to run, not with the engine's
    'table does not exist'. Jinja: DuckDB covers it."""
    warehouse = Warehouse(tmp_path)
    warehouse.load(sample_events(events=500, seed=23))
    with pytest.raises(DbtError, match="the table of product model 'product_data_warehouse' does not exist yet,"
                                       " and this run does not build it. Run a plain dbt build, or select it too:"
                                       " dbt build -s \\+activation_funnel_monthly"):
        warehouse.dbt("run", "--quiet", "-s", "+int_activation_clock", "int_activation_products",
                      "activation_funnel_monthly")
