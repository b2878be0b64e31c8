"""Your own events (docs/your-events.md): PostHog's S3 Parquet export as it is, var org_key's
property paths, the excluded organizations and the check that fails a build whose source is
mostly rejected. Expected rows are worked out by hand, and checked against the reference model."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness import BUILD_WITHOUT_TESTS, PROJECT_DIR, DbtError, Event, Warehouse
from reference_model import OrgKey, compute, load_products, rejections
from test_incremental import assert_incremental_equals_full_refresh
from test_products import IGNORED
from test_reference_model import expected_snapshot, mismatches

DAY = dt.datetime(2025, 1, 10, 9)
SURVEYS = {"product_key": "surveys"}
LAUNCH = "survey launched"  # product_surveys: one within 30 days of intent


def at(days: float) -> dt.datetime:
    return DAY + dt.timedelta(days=days)


def intent(uuid: str, days: float, properties: dict[str, Any], org: str | None = None) -> Event:
    return Event(uuid, "user showed product intent", at(days), org, {**SURVEYS, **properties})


def surveys(warehouse: Warehouse) -> dict[str, bool]:
    return {row["org_id"]: row["activated"] for row in warehouse.rows("product_surveys", "org_id")}


def reasons(warehouse: Warehouse) -> dict[str, int]:
    return dict(warehouse.query("select rejection_reason, count(*) from stg_events_rejected group by 1"))


def tracked(warehouse: Warehouse) -> frozenset[str]:
    return frozenset(name for (name,) in warehouse.query("select event_name from stg_tracked_events"))


def assert_reference_agrees(warehouse: Warehouse, events: list[Event], org_key: OrgKey,
                            excluded: frozenset[str] | None = None) -> None:
    """Every product model, the mart and the rejections by reason equal the reference model's."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    reference = compute(events, load_products(warehouse.project_dir), now=now, org_key=org_key, excluded=excluded)
    problems = mismatches(expected_snapshot(reference), warehouse.snapshot())
    assert not problems, "\n".join(problems[:20])
    seed = excluded if excluded is not None else frozenset({"example_internal_org", "example_test_org"})
    assert reasons(warehouse) == rejections(events, tracked(warehouse), now, org_key, seed)


# An export's organization, wherever PostHog puts it. Worked out by hand:
# o1 from properties.$group_0 (ingestion's copy), o2 from $groups.organization (the SDK's),
# o3's $group_0 wins over its $groups, o4's blank and o6's numeric $group_0 give way to
# $groups (trimmed), and l5 names only another group type: missing_organization.
EXPORT_EVENTS = [
    intent("i1", 0, {"$group_0": "o1"}),
    Event("l1", LAUNCH, at(1), None, {"$group_0": "o1"}),
    intent("i2", 0, {"$groups": {"organization": "o2", "project": "x"}}),
    Event("l2", LAUNCH, at(2), None, {"$groups": {"organization": "o2"}}),
    intent("i3", 0, {"$group_0": "o3", "$groups": {"organization": "other"}}),
    Event("l3", LAUNCH, at(3), None, {"$groups": {"organization": "other"}}),
    intent("i4", 0, {"$group_0": "  ", "$groups": {"organization": " o4 "}}),
    Event("l5", LAUNCH, at(1), None, {"$groups": {"project": "p5"}}),
    intent("i6", 0, {"$group_0": 42, "$groups": {"organization": "o6"}}),
]


def test_a_posthog_s3_export_builds_as_it_is(warehouse: Warehouse) -> None:
    """No $group_0 column, zoned times, team_id and other columns, no var set: the organization
    comes from properties.$group_0, then properties.$groups.organization."""
    warehouse.load_export(EXPORT_EVENTS)
    warehouse.build()  # with the data tests: the reconciliation, and fewer than half rejected
    assert surveys(warehouse) == {"o1": True, "o2": True, "o3": False, "o4": False, "o6": False}
    assert reasons(warehouse) == {"missing_organization": 1}
    assert warehouse.query("select intent_at from product_surveys where org_id = 'o1'") == [(DAY,)]
    [(recorded,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")
    assert '"org_key": "$group_0", "org_key_properties": [["$group_0"], ["$groups", "organization"]]' in recorded
    assert_reference_agrees(warehouse, EXPORT_EVENTS, OrgKey(has_column=False))

    # Another group type is read anew: the record changed, so every row is read again.
    warehouse.build(vars={"org_group_type": "project"})
    assert surveys(warehouse) == {"o1": True, "o3": False, "x": False}
    assert reasons(warehouse) == {"missing_organization": 4}  # l2, l3, i4, i6 (l5 is p5's)
    assert_reference_agrees(warehouse, EXPORT_EVENTS, OrgKey(org_group_type="project", has_column=False))


def test_a_source_with_the_organization_column_reads_only_the_column(warehouse: Warehouse) -> None:
    """With a $group_0 column (PostHog's own events table, the sample data) the column alone
    counts, as before: the properties' keys are not read, and the record is today's."""
    events = [
        intent("i1", 0, {"$group_0": "p1"}, org="o1"),
        Event("l1", LAUNCH, at(1), "o1", {"$groups": {"organization": "p1"}}),
        intent("i2", 0, {"$groups": {"organization": "p2"}}, org="o2"),
        intent("i3", 0, {"$group_0": "p3"}, org=None),
    ]
    warehouse.load(events)
    warehouse.build("--exclude-resource-type", "test")
    assert surveys(warehouse) == {"o1": True, "o2": False}
    assert reasons(warehouse) == {"missing_organization": 1}
    [(recorded,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")
    assert '"org_key": "$group_0"' in recorded and "org_key_properties" not in recorded
    assert_reference_agrees(warehouse, events, OrgKey())


def test_a_nested_org_key_path_takes_keys_with_dots_and_slashes_whole(warehouse: Warehouse) -> None:
    """org_key ['properties', 'a.b/c', 'org~id']: the key "org~id" inside the top-level key
    "a.b/c". A top-level key "a.b/c.org~id", or nested a -> b/c, is another place; a number
    is no organization."""
    org_key = ["properties", "a.b/c", "org~id"]
    events = [
        intent("i1", 0, {"a.b/c": {"org~id": " n1 "}}, org="column"),
        Event("l1", LAUNCH, at(1), None, {"a.b/c": {"org~id": "n1"}}),
        intent("i2", 0, {"a.b/c.org~id": "n2", "a": {"b/c": {"org~id": "n2"}}}, org="column"),
        intent("i3", 0, {"a.b/c": {"org~id": 3}}),
        intent("i4", 0, {"a.b/c": "n4"}),
        Event("l4", LAUNCH, at(1), None, {"a.b/c": {"org~id": "n4", "x": 1}}),
    ]
    warehouse.load(events)
    warehouse.build("--exclude-resource-type", "test", vars={"org_key": org_key})
    assert surveys(warehouse) == {"n1": True}
    assert reasons(warehouse) == {"missing_organization": 3}
    [(recorded,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")
    assert '"org_key": ["properties", "a.b/c", "org~id"]' in recorded
    assert_reference_agrees(warehouse, events, OrgKey(tuple(org_key)))
    # properties.<key> keeps today's meaning: ONE top-level key, dots and slashes included
    warehouse.build("--exclude-resource-type", "test", vars={"org_key": "properties.a.b/c.org~id"})
    assert surveys(warehouse) == {"n2": False}


@pytest.mark.parametrize(("org_key", "fix"), [
    # the default on an export: neither place holds a key
    (None, r"this source has no \$group_0 column, and neither properties\.\$group_0 nor "
           r"properties\.\$groups\.organization holds a key on these rows\. Set var org_group_type"),
    # the natural guess: one top-level key named "$groups.organization"
    ("properties.$groups.organization",
     r'var org_key "properties\.\$groups\.organization" reads the ONE top-level property "\$groups\.organization",'
     r' which these rows lack\. For nested keys give a list: org_key: \["properties", "\$groups", "organization"\]'),
])
def test_an_export_mostly_rejected_fails_naming_the_reason_its_count_and_the_fix(
        warehouse: Warehouse, org_key: str | None, fix: str) -> None:
    """Three of the four tracked rows have their organization under a group type nobody set
    (company), one under $group_0: 75% rejected, more than var max_rejected_share's 50%."""
    warehouse.load_export([
        intent("i1", 0, {"$groups": {"company": "c1"}}),
        Event("l1", LAUNCH, at(1), None, {"$groups": {"company": "c1"}}),
        intent("i2", 0, {"$groups": {"company": "c2"}}),
        intent("i3", 0, {"$group_0": "o3"}),
    ])
    given = {} if org_key is None else {"org_key": org_key}
    leading = 3 if org_key is None else 4
    with pytest.raises(DbtError, match=(
            rf"{leading} of the 4 tracked source rows are rejected \({25 * leading}\.0%, more than var "
            rf"max_rejected_share 0\.5\)\. Leading reason: missing_organization \({leading} rows\)\. Fix: {fix}")):
        warehouse.build(vars=given)
    # the marts after the failing check were skipped, not built empty
    assert not warehouse.query(
        "select table_name from information_schema.tables where table_name = 'activation_funnel_monthly'"
        + (f" and table_schema = '{warehouse.schema}'" if warehouse.engine == "clickhouse" else ""))
    # the threshold is a var: 1 accepts the source as it is
    warehouse.build(vars={**given, "max_rejected_share": 1})
    if org_key is None:
        warehouse.build(vars={"org_group_type": "company"})
        assert surveys(warehouse) == {"c1": True, "c2": False, "o3": False}


def test_excluded_organizations_are_rejected_with_the_reason_and_reconciled(warehouse: Warehouse) -> None:
    """The shipped seed's example_internal_org: its events enter no funnel, are rejected as
    excluded_organization, and the reconciliation test (in the build) still adds up. A copy of
    one of its events stamped in another organization is that organization's."""
    events = [
        intent("i1", 0, {}, org="o1"),
        Event("l1", LAUNCH, at(1), "o1"),
        intent("i2", 0, {}, org=" example_internal_org "),
        Event("l2", LAUNCH, at(1), "example_internal_org"),
        Event("l3", LAUNCH, at(2), "example_test_org"),
        Event("l2", LAUNCH, at(3), "o1"),  # same uuid as l2: its only usable copy
    ]
    warehouse.load(events)
    warehouse.build()
    assert surveys(warehouse) == {"o1": True}
    assert reasons(warehouse) == {"excluded_organization": 3}  # i2, l2's copy there, l3
    assert warehouse.query("select count(*) from stg_events") == [(3,)]  # i1, l1, l2's copy in o1
    assert_reference_agrees(warehouse, events, OrgKey())


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, copy, ignore=IGNORED)
    return copy


def write_seed(project: Path, org_ids: list[str]) -> None:
    rows = "".join(f"{org_id},test\n" for org_id in org_ids)
    (project / "seeds" / "excluded_organizations.csv").write_text("org_id,reason\n" + rows)


def test_incremental_runs_with_exclusions_equal_a_full_refresh_and_a_seed_change_is_read_anew(
        project_copy: Path, tmp_path: Path, engine: str) -> None:
    """o2 is excluded, then the seed changes to exclude o3 instead. o2's events are older than
    the look-back (o9's intent is 200 days later): only a whole read brings them back, which the
    next plain build does since stg_tracked_events records the seed's keys."""
    write_seed(project_copy, ["o2"])
    warehouse = Warehouse(tmp_path / "run", project_dir=project_copy, engine=engine)
    first = [intent("i1", 0, {}, org="o1"), intent("i2", 0, {}, org="o2"), Event("l2", LAUNCH, at(1), "o2"),
             intent("i3", 5, {}, org="o3")]
    second = [Event("l1", LAUNCH, at(2), "o1"), Event("l3", LAUNCH, at(6), "o3"), intent("i9", 200, {}, org="o9")]
    warehouse.load(first)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    warehouse.load(second)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert surveys(warehouse) == {"o1": True, "o3": True, "o9": False}
    assert reasons(warehouse) == {"excluded_organization": 2}
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)
    [(before,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")

    write_seed(project_copy, ["o3"])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert surveys(warehouse) == {"o1": True, "o2": True, "o9": False}
    assert reasons(warehouse) == {"excluded_organization": 2}
    [(after,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")
    assert after != before
    assert_reference_agrees(warehouse, first + second, OrgKey(), excluded=frozenset({"o3"}))
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)

    # An empty seed records nothing: the record of a warehouse built before the seed existed.
    write_seed(project_copy, [])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    [(emptied,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")
    assert "excluded_organizations" not in emptied and "excluded_organizations" in after
    assert sorted(surveys(warehouse)) == ["o1", "o2", "o3", "o9"]
