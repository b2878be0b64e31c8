"""The criteria language (contract 3a), feature by feature, on hand-worked events, on both engines.

One project copy replaces five example products by labs:
- surveys: one candidate per operator on the property `v`, whose value each organization
  sets to another JSON type (string, number, 1.0, "1", booleans, null, missing, object);
- feature_flags: one candidate per path: nested keys, top-level keys holding a dot, a slash
  or a tilde, and the look-alikes that must not match;
- error_tracking: 3 different values of `issue` (repeats, nulls, 1 vs 1.0 vs "1", events
  before intent);
- experiments: an alternative (2 launches, or a view with n >= 5) and a list of event names;
- data_warehouse: intent conditions (realm = cloud, $groups.plan is not 'internal').
Expected values are worked out by hand from the contract, in the tables below.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from compare import assert_same_rows
from harness import BUILD_WITHOUT_TESTS, ENGINES, PROJECT_DIR, DbtError, Event, Warehouse

pytestmark = pytest.mark.xdist_group("criteria_language")

IGNORED = shutil.ignore_patterns(".git", ".venv", "target", "data", "logs", "*.duckdb", "__pycache__")
T0 = dt.datetime(2025, 3, 3, 10)
INTENT = "user showed product intent"

OPS = [  # (candidate, condition on v)
    ("eq_x", "{'property': 'v', 'op': 'eq', 'value': 'x'}"),
    ("eq_1", "{'property': 'v', 'value': 1}"),
    ("eq_true", "{'property': 'v', 'op': 'eq', 'value': true}"),
    ("eq_false", "{'property': 'v', 'op': 'eq', 'value': false}"),
    ("neq_x", "{'property': 'v', 'op': 'neq', 'value': 'x'}"),
    ("in_xy_1", "{'property': 'v', 'op': 'in', 'value': ['xy', 1]}"),
    ("not_in_x_1", "{'property': 'v', 'op': 'not_in', 'value': ['x', 1]}"),
    ("contains_x", "{'property': 'v', 'op': 'contains', 'value': 'x'}"),
    ("not_contains_x", "{'property': 'v', 'op': 'not_contains', 'value': 'x'}"),
    ("gt_1", "{'property': 'v', 'op': 'gt', 'value': 1}"),
    ("gte_1", "{'property': 'v', 'op': 'gte', 'value': 1}"),
    ("lt_3", "{'property': 'v', 'op': 'lt', 'value': 3}"),
    ("lte_1", "{'property': 'v', 'op': 'lte', 'value': 1.0}"),
    ("is_set", "{'property': 'v', 'op': 'is_set'}"),
    ("is_not_set", "{'property': 'v', 'op': 'is_not_set'}"),
]
MISSING = object()
OP_ORGS: dict[str, Any] = {  # organization: its survey's v
    "v_x": "x", "v_xy": "xy", "v_1": 1, "v_1f": 1.0, "v_s1": "1", "v_true": True, "v_false": False,
    "v_null": None, "v_missing": MISSING, "v_3": 3, "v_obj": {"k": "x"},
}
NEGATIVE = {"v_null", "v_missing"}  # no value: only the negative conditions hold
OP_EXPECTED = {
    "eq_x": {"v_x"},
    "eq_1": {"v_1", "v_1f"},  # 5 equals 5.0, never "5"
    "eq_true": {"v_true"},
    "eq_false": {"v_false"},
    "neq_x": set(OP_ORGS) - {"v_x"},
    "in_xy_1": {"v_xy", "v_1", "v_1f"},
    "not_in_x_1": set(OP_ORGS) - {"v_x", "v_1", "v_1f"},
    "contains_x": {"v_x", "v_xy"},  # strings only: not the object holding "x"
    "not_contains_x": set(OP_ORGS) - {"v_x", "v_xy"},
    "gt_1": {"v_3"},
    "gte_1": {"v_1", "v_1f", "v_3"},
    "lt_3": {"v_1", "v_1f"},
    "lte_1": {"v_1", "v_1f"},
    "is_set": set(OP_ORGS) - NEGATIVE,
    "is_not_set": NEGATIVE,
}

PATHS = [  # (candidate, property path as written in the call)
    ("nested", "['$groups', 'organization']"),
    ("dotted", "'a.b'"),
    ("slashed", "'a/b'"),
    ("tilde", "['t~1', 'x/y']"),
    ("one_item_list", "['a.b']"),
]
PATH_ORGS: dict[str, dict[str, Any]] = {
    "p_nested": {"$groups": {"organization": "acme"}},
    "p_dotted_key": {"$groups.organization": "acme", "a.b": "acme"},
    "p_nested_ab": {"a": {"b": "acme"}},  # a -> b is not the key "a.b"
    "p_slash_key": {"a/b": "acme"},
    "p_nested_slash": {"a": {"b": "acme"}, "$groups": "acme"},  # $groups is no object
    "p_tilde": {"t~1": {"x/y": "acme"}},
    "p_tilde_look_alike": {"t/": {"x/y": "acme"}, "t~1": {"x": {"y": "acme"}}},
}
PATH_EXPECTED = {
    "nested": {"p_nested"},
    "dotted": {"p_dotted_key"},
    "slashed": {"p_slash_key"},
    "tilde": {"p_tilde"},
    "one_item_list": {"p_dotted_key"},
}


def days(number: float) -> dt.datetime:
    return T0 + dt.timedelta(days=number)


def lab_models() -> dict[str, str]:
    ops = ",\n        ".join(
        f"{{'name': '{name}', 'activation_criteria': [{{'event': 'survey launched', 'where': [{condition}]}}]}}"
        for name, condition in OPS)
    paths = ",\n        ".join(
        f"{{'name': '{name}', 'activation_criteria': [{{'event': 'feature flag created', "
        f"'where': [{{'property': {path}, 'op': 'eq', 'value': 'acme'}}]}}]}}"
        for name, path in PATHS)
    return {
        "product_surveys": f"""{{{{ product_activation(
    product='surveys',
    activation_criteria=[{{'event': 'survey launched'}}],
    survival_criteria=[{{'event': 'survey response viewed'}}],
    candidates=[
        {ops}
    ],
) }}}}
""",
        "product_feature_flags": f"""{{{{ product_activation(
    product='feature_flags',
    activation_criteria=[{{'event': 'feature flag created'}}],
    survival_criteria=[{{'event': 'feature flag updated'}}],
    candidates=[
        {paths}
    ],
) }}}}
""",
        "product_error_tracking": """{{ product_activation(
    product='error_tracking',
    activation_criteria=[{'event': 'error tracking issue resolved', 'min_count': 3, 'distinct': 'issue'}],
    survival_criteria=[{'event': 'error tracking issue viewed'}],
) }}
""",
        "product_experiments": """{{ product_activation(
    product='experiments',
    activation_criteria=[
        {'any_of': [
            {'event': 'experiment launched', 'min_count': 2},
            {'event': 'experiment viewed', 'where': [{'property': 'n', 'op': 'gte', 'value': 5}]},
        ]},
        {'event': ['experiment paused', 'experiment concluded']},
    ],
    survival_criteria=[{'event': 'experiment viewed'}],
) }}
""",
        "product_data_warehouse": """{{ product_activation(
    product='data_warehouse',
    activation_criteria=[{'event': 'data warehouse source connected'}],
    survival_criteria=[{'event': 'sql query run'}],
    intent_conditions=[
        {'property': 'realm', 'op': 'eq', 'value': 'cloud'},
        {'property': ['$groups', 'plan'], 'op': 'neq', 'value': 'internal'},
    ],
) }}
""",
    }


def lab_project(root: Path) -> Path:
    project = root / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    for model, text in lab_models().items():
        (project / "models" / "products" / f"{model}.sql").write_text(text)
    return project


def intent(uuid: str, org: str, when: dt.datetime, product: str, **extra: Any) -> Event:
    return Event(uuid, INTENT, when, org, {"product_key": product, "realm": "cloud", **extra})


def hand_events() -> list[Event]:
    events: list[Event] = []
    for org, value in OP_ORGS.items():
        events.append(intent(f"{org}-i", org, T0, "surveys"))
        events.append(Event(f"{org}-e", "survey launched", days(1), org, {} if value is MISSING else {"v": value}))
    for org, properties in PATH_ORGS.items():
        events.append(intent(f"{org}-i", org, T0, "feature_flags"))
        events.append(Event(f"{org}-e", "feature flag created", days(1), org, properties))
    # distinct counts of `issue`, 3 needed
    resolved = "error tracking issue resolved"
    issues: dict[str, list[tuple[float, Any]]] = {
        "d1": [(1, "a"), (2, "a"), (3, "b"), (4, "c")],  # met at day 4
        "d2": [(1, "a"), (2, None), (3, MISSING), (4, "b"), (5, 1)],  # null and missing count not: day 5
        "d3": [(1, 1), (2, 1.0), (3, "1")],  # 1 and 1.0 are one value: 2 values only
        "d4": [(1, True), (2, "true"), (3, {"x": 1})],  # three types, three values: day 3
        "d5": [(-1, "a"), (1, "b"), (2, "c"), (3, "a")],  # "a" before intent does not count: day 3
        "d6": [(1, "a"), (2, "b"), (30, "c")],  # the third at intent + 30 days: outside
    }
    for org, seen in issues.items():
        events.append(intent(f"{org}-i", org, T0, "error_tracking"))
        events += [Event(f"{org}-{number}", resolved, days(day), org, {} if value is MISSING else {"issue": value})
                   for number, (day, value) in enumerate(seen)]
    # alternatives: 2 launches, or one view with n >= 5; and paused or concluded
    experiment_events: dict[str, list[tuple[float, str, dict[str, Any]]]] = {
        "a1": [(2, "experiment launched", {}), (5, "experiment launched", {}), (3, "experiment viewed", {"n": 7}),
               (1, "experiment paused", {})],  # the view first: day 3
        "a2": [(1, "experiment launched", {}), (2, "experiment viewed", {"n": 4}),
               (6, "experiment concluded", {})],  # neither alternative
        "a3": [(1, "experiment launched", {}), (2, "experiment launched", {}),
               (10, "experiment concluded", {})],  # alternative at day 2, the list at day 10
        "a4": [(4, "experiment viewed", {"n": 5.0}), (1, "experiment paused", {}),
               (2, "experiment concluded", {})],  # day 4
        "a5": [(1, "experiment viewed", {"n": "9"}), (3, "experiment launched", {}),
               (1, "experiment paused", {})],  # "9" is no number
    }
    for org, items in experiment_events.items():
        events.append(intent(f"{org}-i", org, T0, "experiments"))
        events += [Event(f"{org}-{number}", name, days(day), org, properties)
                   for number, (day, name, properties) in enumerate(items)]
    # intent conditions
    warehouse = "data_warehouse"
    events += [
        intent("i1-a", "i1", days(2), warehouse),
        intent("i2-a", "i2", days(2), warehouse, realm="hosted-clickhouse"), intent("i2-b", "i2", days(7), warehouse),
        Event("i3-a", INTENT, days(2), "i3", {"product_key": warehouse}),  # no realm: never a first intent
        intent("i4-a", "i4", days(0), warehouse, type="cross_sell"), intent("i4-b", "i4", days(3), warehouse),
        intent("i5-a", "i5", days(2), warehouse, **{"$groups": {"plan": "internal"}}),
        intent("i5-b", "i5", days(4), warehouse, **{"$groups": {"plan": None}}),
    ]
    # session replay (the shipped product), for the nudges: 3 different recordings of 5, and no filter
    events.append(intent("n1-i", "n1", days(15), "session_replay"))
    events += [Event(f"n1-r{number}", "recording analyzed", days(16 + number / 10), "n1", {"recording_id": recording})
               for number, recording in enumerate(("r1", "r1", "r2", "r3", "r2"))]
    return events


@pytest.fixture(scope="module", params=ENGINES)
def lab(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Warehouse:
    root = tmp_path_factory.mktemp("criteria")
    # as_of: every activation window open, for the nudges
    warehouse = Warehouse(root / "run", project_dir=lab_project(root), engine=request.param,
                          extra_vars={"as_of": "2025-03-25 00:00:00"})
    warehouse.load(hand_events())
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    return warehouse


def candidates_met(warehouse: Warehouse, model: str) -> dict[str, set[str]]:
    return {org: set(filter(None, met.split(","))) for org, met in
            warehouse.query(f"select org_id, activated_candidates from {model}")}


def by_candidate(expected: dict[str, set[str]], orgs: Any) -> dict[str, set[str]]:
    return {org: {name for name, members in expected.items() if org in members} for org in orgs}


def test_each_operator_on_strings_numbers_booleans_null_and_missing(lab: Warehouse) -> None:
    assert candidates_met(lab, "product_surveys") == by_candidate(OP_EXPECTED, OP_ORGS)


def test_paths_name_nested_keys_and_top_level_keys_with_dots_slashes_and_tildes(lab: Warehouse) -> None:
    assert candidates_met(lab, "product_feature_flags") == by_candidate(PATH_EXPECTED, PATH_ORGS)


def test_a_distinct_count_is_met_when_the_nth_different_value_is_first_seen(lab: Warehouse) -> None:
    rows = dict(lab.query("select org_id, activated_at from product_error_tracking"))
    assert rows == {"d1": days(4), "d2": days(5), "d3": None, "d4": days(3), "d5": days(3), "d6": None}


def test_an_alternative_is_met_at_the_earliest_of_its_criteria(lab: Warehouse) -> None:
    rows = dict(lab.query("select org_id, activated_at from product_experiments"))
    assert rows == {"a1": days(3), "a2": None, "a3": days(10), "a4": days(4), "a5": None}


def test_intent_conditions_choose_the_first_intent_among_those_passing(lab: Warehouse) -> None:
    rows = dict(lab.query("select org_id, intent_at from product_data_warehouse"))
    assert rows == {"i1": days(2), "i2": days(7), "i4": days(3), "i5": days(4)}


def test_nudges_report_progress_in_banner_words(lab: Warehouse) -> None:
    rows = lab.query("select org_id, criterion_index, criterion_event, required_events, qualifying_events, progress"
                     " from activation_nudges where org_id in ('n1', 'a2', 'a5', 'd3') order by org_id, criterion_index")
    assert rows == [
        ("a2", 0, "experiment launched", 2, 1, '1 of 2 "experiment launched" events'),
        ("a5", 0, "experiment launched", 2, 1, '1 of 2 "experiment launched" events'),
        ("d3", 0, "error tracking issue resolved", 3, 2, "2 of 3 different issue values"),
        ("n1", 0, "recording analyzed", 5, 3, "3 of 5 different recordings"),
        ("n1", 1, "replay list filter added", 1, 0, '0 of 1 "replay list filter added" events'),
    ]


def test_incremental_loads_equal_a_full_refresh_with_every_feature(tmp_path: Path, engine: str) -> None:
    """The hand-worked events in four loads by time, each followed by a build."""
    warehouse = Warehouse(tmp_path / "run", project_dir=lab_project(tmp_path), engine=engine)
    events = sorted(hand_events(), key=lambda event: (event.timestamp, event.uuid))
    for load in (events[:30], events[30:60], events[60:90], events[90:]):
        warehouse.load(load)
        warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    incremental = warehouse.snapshot()
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet", "--full-refresh")
    assert_same_rows(incremental, warehouse.snapshot(), "incremental runs vs --full-refresh")


def test_a_changed_condition_computes_every_organization_again(tmp_path: Path, engine: str) -> None:
    """eq_x becomes v = 'xy': no new event arrives, yet every organization's candidates change."""
    project = lab_project(tmp_path)
    warehouse = Warehouse(tmp_path / "run", project_dir=project, engine=engine)
    warehouse.load(hand_events())
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    hashes = {row[0] for row in warehouse.query("select definition_hash from product_surveys")}
    model = project / "models" / "products" / "product_surveys.sql"
    model.write_text(model.read_text().replace(OPS[0][1], "{'property': 'v', 'op': 'eq', 'value': 'xy'}"))
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert {org for org, met in candidates_met(warehouse, "product_surveys").items() if "eq_x" in met} == {"v_xy"}
    assert not hashes & {row[0] for row in warehouse.query("select definition_hash from product_surveys")}


VALID_CRITERION = "{'event': 'x'}"


@pytest.mark.parametrize(("criterion", "message"), [
    ("{'event': 'x', 'where': [{'property': 'v', 'op': 'like', 'value': 'x'}]}",
     "activation_criteria[1].where[0].op' must be one of eq, neq, in, not_in, contains, not_contains, gt, gte, lt,"
     " lte, is_set, is_not_set, got \"like\""),
    ("{'event': 'x', 'where': [{'property': 'v', 'op': 'gt', 'value': '5'}]}",
     "activation_criteria[1].where[0].value' must be a number for op gt (comparisons take numbers), got \"5\""),
    ("{'event': 'x', 'where': [{'property': 'v', 'op': 'in', 'value': []}]}",
     "activation_criteria[1].where[0].value' must be a non-empty list of strings, numbers or booleans for op in,"
     " got []"),
    ("{'event': []}", "activation_criteria[1].event' must be an event name or a non-empty list of event names, got []"),
    ("{'event': 'x', 'where': [{'property': ['$groups', ''], 'value': 'x'}]}",
     "activation_criteria[1].where[0].property' must be a property name, or a list of nested keys"),
    ("{'event': 'x', 'distinct': ''}", "activation_criteria[1].distinct' must be a property name"),
    ("{'event': 'x', 'distinct': []}", "activation_criteria[1].distinct' must be a property name"),
    ("{'event': 'x', 'where': [{'property': 'v', 'op': 'is_set', 'value': true}]}",
     "activation_criteria[1].where[0].value' must be left out: is_set takes no value, got true"),
    ("{'event': 'x', 'where': [{'property': 'v'}]}", "activation_criteria[1].where[0].value' is required for op eq"),
    ("{'any_of': []}", "activation_criteria[1].any_of' must be a non-empty list of criteria, got []"),
    ("{'any_of': [{'event': 'x'}], 'min_count': 2}",
     "activation_criteria[1]' has unknown key 'min_count' beside any_of"),
    ("{'any_of': [{'any_of': [{'event': 'x'}]}]}",
     "activation_criteria[1].any_of[0].any_of' cannot be inside another any_of"),
    ("{'event': 'x', 'where': {'v': 'x'}}", "activation_criteria[1].where' must be a non-empty list of conditions"),
])
def test_a_wrong_criterion_fails_at_parse_time_naming_product_path_and_value(
    tmp_path: Path, criterion: str, message: str
) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    (project / "models" / "products" / "product_surveys.sql").write_text(f"""\
{{{{ product_activation(
    product='surveys',
    activation_criteria=[{VALID_CRITERION}, {criterion}],
    survival_criteria=[{VALID_CRITERION}],
) }}}}
""")
    with pytest.raises(DbtError) as failure:
        Warehouse(tmp_path / "run", project_dir=project).dbt("parse", "--quiet")
    assert "product_activation(product=\"surveys\"): argument '" + message in str(failure.value)


def test_a_wrong_intent_condition_fails_at_parse_time(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    (project / "models" / "products" / "product_surveys.sql").write_text("""\
{{ product_activation(
    product='surveys',
    activation_criteria=[{'event': 'x'}],
    survival_criteria=[{'event': 'y'}],
    intent_conditions=[{'property': 'realm', 'op': 'eq', 'value': none}],
) }}
""")
    with pytest.raises(DbtError, match="argument 'intent_conditions\\[0\\].value' must be a string, a number or a"
                                       " boolean for op eq, got null"):
        Warehouse(tmp_path / "run", project_dir=project).dbt("parse", "--quiet")
