"""Adding a product is one model file; a wrong call fails at compile time, clearly."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from harness import PROJECT_DIR, DbtError, Event, Warehouse

IGNORED = shutil.ignore_patterns(".git", ".venv", "target", "data", "logs", "*.duckdb", "__pycache__")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, copy, ignore=IGNORED)
    return copy


def add_product_model(project: Path, name: str, call: str) -> None:
    (project / "models" / "products" / f"{name}.sql").write_text(call)


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
    add_product_model(project_copy, "activation_llm_observability", """\
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
        warehouse.build("-s", "activation_llm_observability")
    warehouse.build("-s", "+activation_llm_observability")
    assert warehouse.query("select org_id, activated from activation_llm_observability order by org_id") \
        == [("o1", True), ("o2", False)]
    warehouse.build()
    rows = warehouse.query(
        "select intent_month, intent_orgs, activated_orgs from activation_funnel_monthly"
        " where product = 'llm_observability'")
    assert rows == [(dt.date(2025, 3, 1), 2, 1)]
    assert warehouse.query("select model_name from int_activation_products where product = 'llm_observability'") \
        == [("activation_llm_observability",)]


VALID = {
    "activation_criteria": "[{'event': 'x'}]",
    "activation_window_days": "30",
    "survival_criteria": "[{'event': 'y'}]",
    "survival_window_months": "[3, 4]",
}


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
        ("candidates", "[{'name': 'two, three', 'activation_criteria': [{'event': 'x'}]}]", "candidates[0].name"),
        ("candidates", "[{'name': 'current', 'activation_criteria': [{'event': 'x'}]}]", "candidates[0].name"),
    ],
)
def test_a_wrong_argument_fails_at_compile_time_naming_product_and_argument(
    project_copy: Path, tmp_path: Path, argument: str, value: str, named: str
) -> None:
    arguments = {**VALID, argument: value}
    body = ",\n    ".join(f"{key}={text}" for key, text in arguments.items())
    add_product_model(project_copy, "activation_broken", f"{{{{ product_activation(\n    product='broken',\n    {body},\n) }}}}\n")
    with pytest.raises(DbtError) as failure:
        Warehouse(tmp_path / "run", project_dir=project_copy).dbt("parse")
    message = str(failure.value)
    assert "product_activation(product=\"broken\")" in message
    # `named` is the argument, closed by its quote, or that quote and what follows it
    assert f"argument '{named}" + ("" if "'" in named else "'") in message


def test_two_models_declaring_one_product_is_an_error(project_copy: Path, tmp_path: Path) -> None:
    shutil.copy(project_copy / "models/products/activation_surveys.sql",
                project_copy / "models/products/activation_surveys_again.sql")
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
