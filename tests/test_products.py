"""Adding a product is one model file; a wrong call fails at compile time, clearly."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunnerResult

from harness import PROJECT_DIR, DbtError, Event, Warehouse, node_results
from sample_data import sample_events

IGNORED = shutil.ignore_patterns(".git", ".venv", "target", "data", "logs", "*.duckdb", "__pycache__")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, copy, ignore=IGNORED)
    return copy


def list_product_model(project: Path, name: str) -> None:
    """Adds `name` to var product_models in the project's dbt_project.yml: the one line a new product needs."""
    path = project / "dbt_project.yml"
    text = path.read_text()
    assert text.count("    product_models:\n") == 1
    path.write_text(text.replace("    product_models:\n", f"    product_models:\n      - {name}\n"))


def remove_product_model(project: Path, name: str) -> None:
    """Removes a product as a user does: its model file and its line in var product_models."""
    (project / "models" / "products" / f"{name}.sql").unlink()
    path = project / "dbt_project.yml"
    text = path.read_text()
    assert text.count(f"      - {name}\n") == 1
    path.write_text(text.replace(f"      - {name}\n", ""))


def add_product_model(project: Path, name: str, call: str) -> None:
    """A new product as a user adds one: its model file and its line in var product_models."""
    (project / "models" / "products" / f"{name}.sql").write_text(call)
    list_product_model(project, name)


def test_a_new_product_model_file_reaches_the_mart(project_copy: Path, tmp_path: Path) -> None:
    """Added to a project built before: a build of the new model alone stops,
    since the staging never read its events; with its parents it counts them."""
    warehouse = Warehouse(tmp_path / "run", project_dir=project_copy)
    start = dt.datetime(2025, 3, 3, 9)
    warehouse.load([
        Event("a", "user showed product intent", start, "o1", {"product_key": "llm_observability"}),
        Event("b", "generation traced", start + dt.timedelta(days=1), "o1"),
        Event("c", "generation traced", start + dt.timedelta(days=2), "o1"),
        Event("d", "user showed product intent", start, "o2", {"product_key": "llm_observability"}),
        Event("e", "generation traced", start + dt.timedelta(days=8), "o2"),  # 7-day window: too late
        Event("f", "generation traced", start + dt.timedelta(days=9), "o2"),
    ])
    warehouse.build()
    add_product_model(project_copy, "product_llm_observability", """\
{{ product_activation(
    product='llm_observability',
    activation_criteria=[{'event': 'generation traced', 'min_count': 2}],
    activation_window_days=7,
    survival_criteria=[{'event': 'trace viewed'}],
    survival_window_months=[3, 4],
) }}
""")
    with pytest.raises(DbtError, match="product 'llm_observability': the staging has not read the history of "
                                       '"generation traced", "trace viewed"'):
        warehouse.build("-s", "product_llm_observability")
    warehouse.build("-s", "+product_llm_observability")
    assert warehouse.query("select org_id, activated from product_llm_observability order by org_id") \
        == [("o1", True), ("o2", False)]
    warehouse.build()
    rows = warehouse.query(
        "select intent_month, intent_orgs, activated_orgs from activation_funnel_monthly"
        " where product = 'llm_observability'")
    assert rows == [(dt.date(2025, 3, 1), 2, 1)]
    assert warehouse.query("select model_name from int_activation_products where product = 'llm_observability'") \
        == [("product_llm_observability",)]


VALID = {
    "product": "'broken'",
    "activation_criteria": "[{'event': 'x'}]",
    "activation_window_days": "30",
    "survival_criteria": "[{'event': 'y'}]",
    "survival_window_months": "[3, 4]",
}
LEFT_OUT = None


@pytest.mark.parametrize(
    ("argument", "value", "named"),
    [
        ("activation_criteria", "[{'evnt': 'x'}]", "activation_criteria[0]"),
        ("activation_criteria", "[{'event': 'x', 'min_count': 0}]", "activation_criteria[0].min_count"),
        ("activation_criteria", "[]", "activation_criteria"),
        ("survival_criteria", "[{'event': 'y', 'properties': {'plan': 3}}]", "survival_criteria[0].properties.plan"),
        ("activation_window_days", "0", "activation_window_days"),
        # a string is not a number: the message quotes it, or it would read like a valid value
        ("activation_window_days", "'30'", "activation_window_days' must be a whole number of days > 0, got \"30\""),
        ("activation_criteria", "[{'event': 'x', 'min_count': '3'}]",
         "activation_criteria[0].min_count' must be a whole number >= 1, got \"3\""),
        ("survival_window_months", "[4, 3]", "survival_window_months"),
        ("survival_window_months", "[3]", "survival_window_months"),
        ("intent_contexts", "[]", "intent_contexts"),
        ("windw_days", "3", "windw_days"),
        # a required argument left out says so (Jinja passes it as undefined); without
        # `product` the message names the model file (there is no product to name)
        ("product", LEFT_OUT, "product' is required"),
        ("activation_criteria", LEFT_OUT, "activation_criteria' is required"),
        ("survival_criteria", LEFT_OUT, "survival_criteria' is required"),
        # the staging trims spaces off event names: such a criterion would never match
        ("activation_criteria", "[{'event': ' x'}]", "activation_criteria[0].event' has leading or trailing spaces, "
                                                     "got \" x\""),
        ("survival_criteria", "[{'event': 'y', 'min_count': 2}, {'event': 'z '}]",
         "survival_criteria[1].event' has leading or trailing spaces, got \"z \""),
        ("candidates", "[{'name': 'two', 'activation_criteria': [{'event': 'x  '}]}]",
         "candidates[0].activation_criteria[0].event' has leading or trailing spaces, got \"x  \""),
        # each problem of a candidate's name has its own message, quoting the name
        ("candidates", "[{'activation_criteria': [{'event': 'x'}]}]", "candidates[0].name' is required"),
        ("candidates", "[{'name': 'Three Recordings', 'activation_criteria': [{'event': 'x'}]}]",
         "candidates[0].name' must be lowercase letters, digits and _, got \"Three Recordings\""),
        ("candidates", "[{'name': 'two, three', 'activation_criteria': [{'event': 'x'}]}]",
         "candidates[0].name' must be lowercase letters, digits and _, got \"two, three\""),
        ("candidates", "[{'name': 'current', 'activation_criteria': [{'event': 'x'}]}]",
         "candidates[0].name' must not be \"current\", the name activation_candidates gives the product's own"),
        ("candidates", "[{'name': 'two', 'activation_criteria': [{'event': 'x'}]},"
                       " {'name': 'three', 'activation_criteria': [{'event': 'x'}]},"
                       " {'name': 'two', 'activation_criteria': [{'event': 'y'}]}]",
         "candidates[2].name' must be unique among the candidates, got \"two\", the name of candidates[0] too"),
    ],
)
def test_a_wrong_argument_fails_at_compile_time_naming_product_and_argument(
    project_copy: Path, tmp_path: Path, argument: str, value: str | None, named: str
) -> None:
    # parse-time Jinja, the same whatever the engine: DuckDB only
    arguments = {**VALID, argument: value}
    body = ",\n    ".join(f"{key}={text}" for key, text in arguments.items() if text is not LEFT_OUT)
    add_product_model(project_copy, "activation_broken", f"{{{{ product_activation(\n    {body},\n) }}}}\n")
    with pytest.raises(DbtError) as failure:
        Warehouse(tmp_path / "run", project_dir=project_copy).dbt("parse")
    message = str(failure.value)
    call = "product_activation() in model activation_broken" if arguments["product"] is LEFT_OUT \
        else "product_activation(product=\"broken\")"
    # `named` is the argument, closed by its quote, or that quote and what follows it
    assert f"{call}: argument '{named}" + ("" if "'" in named else "'") in message
    assert 'product=""' not in message


def test_two_models_declaring_one_product_is_an_error(project_copy: Path, tmp_path: Path) -> None:
    shutil.copy(project_copy / "models/products/product_surveys.sql",
                project_copy / "models/products/activation_surveys_again.sql")
    list_product_model(project_copy, "activation_surveys_again")
    warehouse = Warehouse(tmp_path / "run", project_dir=project_copy)
    warehouse.load([Event("a", "$pageview", dt.datetime(2025, 1, 1), "o1")])
    with pytest.raises(DbtError, match="product 'surveys' is declared by two models"):
        warehouse.build()


def test_intent_contexts_restrict_which_intents_count(project_copy: Path, tmp_path: Path) -> None:
    add_product_model(project_copy, "activation_onboarded_surveys", """\
{{ product_activation(
    product='onboarded_surveys',
    activation_criteria=[{'event': 'survey launched'}],
    survival_criteria=[{'event': 'survey response viewed'}],
    intent_contexts=['onboarding'],
) }}
""")
    warehouse = Warehouse(tmp_path / "run", project_dir=project_copy)
    day = dt.datetime(2025, 4, 1, 9)
    intent = "user showed product intent"
    warehouse.load([
        # o1: the billing intent comes first but does not count; the onboarding one does.
        Event("a", intent, day, "o1", {"product_key": "onboarded_surveys", "intent_context": "billing"}),
        Event("b", intent, day + dt.timedelta(days=40), "o1",
              {"product_key": "onboarded_surveys", "intent_context": "onboarding"}),
        Event("c", "survey launched", day + dt.timedelta(days=45), "o1"),
        # o2: only a billing intent: no row at all.
        Event("d", intent, day, "o2", {"product_key": "onboarded_surveys", "intent_context": "billing"}),
        # o3: an onboarding intent that is cross-sell does not count either.
        Event("e", intent, day, "o3",
              {"product_key": "onboarded_surveys", "intent_context": "onboarding", "type": "cross_sell"}),
    ])
    warehouse.build()
    rows = warehouse.rows("activation_onboarded_surveys", "org_id")
    assert [(row["org_id"], row["intent_at"], row["activated"]) for row in rows] == [
        ("o1", day + dt.timedelta(days=40), True)]


WARNINGS_TEST = "product_definitions_match_the_events"


def warnings_test_result(result: dbtRunnerResult) -> tuple[str, int]:
    """The status and failure count of the singular test warning about definitions the data lacks."""
    [node_result] = [node_result for node_result in node_results(result)
                     if node_result.node.name == WARNINGS_TEST]
    assert node_result.failures is not None, "the test did not run"
    return str(node_result.status), node_result.failures


def test_a_definition_naming_what_the_data_lacks_warns_and_the_build_stays_green(
    project_copy: Path, tmp_path: Path, engine: str
) -> None:
    """The sample names only what it has: pass. Then a product key no intent uses, events
    nobody sends and an intent context no intent has: a warning, one row each, and the
    build succeeds."""
    warehouse = Warehouse(tmp_path / "run", project_dir=project_copy, engine=engine)
    warehouse.load([
        *sample_events(events=5_000, seed=23),
        Event("w1", "user showed product intent", dt.datetime(2025, 3, 3, 9), "w_org",
              {"product_key": "widgets", "intent_context": "billing"}),
    ])
    assert warnings_test_result(warehouse.build()) == ("pass", 0)
    add_product_model(project_copy, "activation_widgets", """\
{{ product_activation(
    product='widgets',
    activation_criteria=[{'event': 'survey launched'}],
    survival_criteria=[{'event': 'widget kept'}],
    intent_contexts=['billing', 'no such context'],
    candidates=[{'name': 'quick', 'activation_criteria': [{'event': 'widget kept'}, {'event': 'widget made'}]}],
) }}
""")
    add_product_model(project_copy, "activation_gadgets", """\
{{ product_activation(
    product='gadgets',
    activation_criteria=[{'event': 'survey launched'}],
    survival_criteria=[{'event': 'survey response viewed'}],
) }}
""")
    result = warehouse.build()
    # gadgets: no intent; widgets: 'widget kept' (survival and candidate) and 'widget made'
    # nobody sends, no intent in context 'no such context'; 'survey launched' and 'billing' are there
    assert warnings_test_result(result) == ("warn", 4)
    # the build log names each finding (log_definition_findings), not only their count
    logged = [line.split(f"{WARNINGS_TEST}: ", 1)[1] for line in (project_copy / "logs" / "dbt.log").read_text().splitlines()
              if f"{WARNINGS_TEST}: product '" in line]
    assert sorted(logged) == [
        "product 'gadgets', product 'gadgets': no organization has an intent for this product key (no row in"
        " stg_product_intents): is it the properties.product_key the intent events send?",
        "product 'widgets', event 'widget kept': no event in stg_events has this name (named by survival_criteria,"
        " candidate 'quick'): criteria naming it are never met",
        "product 'widgets', event 'widget made': no event in stg_events has this name (named by candidate 'quick'):"
        " criteria naming it are never met",
        "product 'widgets', intent_context 'no such context': no intent for this product has this intent_context"
        " (in stg_intent_events), so intent_contexts admits no intent through it",
    ]
    warehouse.dbt("test", "--store-failures", "-s", WARNINGS_TEST)
    audit_schema = ("main" if engine == "duckdb" else warehouse.schema) + "_dbt_test__audit"
    assert warehouse.query(f"select product, kind, named_value, reason from {audit_schema}.{WARNINGS_TEST}"
                           " order by product, kind, named_value") == [
        ("gadgets", "product", "gadgets",
         "no organization has an intent for this product key (no row in stg_product_intents): "
         "is it the properties.product_key the intent events send?"),
        ("widgets", "event", "widget kept",
         "no event in stg_events has this name (named by survival_criteria, candidate 'quick'): "
         "criteria naming it are never met"),
        ("widgets", "event", "widget made",
         "no event in stg_events has this name (named by candidate 'quick'): criteria naming it are never met"),
        ("widgets", "intent_context", "no such context",
         "no intent for this product has this intent_context (in stg_intent_events), "
         "so intent_contexts admits no intent through it"),
    ]
