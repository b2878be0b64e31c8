"""An independent reference implementation of the activation contract, in plain Python.

Written from the prose only (the contract /work/shared/activation-semantics.md,
docs/overview.md, docs/columns.md, README.md, the column descriptions in
models/**/*.yml and the vars in dbt_project.yml), never from the models' SQL, so
that tests/test_reference_model.py can compare the two row for row
(differential testing). Each rule names the sentence it comes from.

The product definitions are inputs: they are read from the declarative
product_activation() calls in models/products/*.sql by a small parser.
"""

from __future__ import annotations

import ast
import calendar
import csv
import datetime as dt
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import PROJECT_DIR, Event

# dbt_project.yml, vars: activation (their documented defaults).
ORG_KEY = "$group_0"
INTENT_EVENTS = ("user showed product intent", "onboarding product selected")
MIN_EVENT_TIMESTAMP = dt.datetime(2000, 1, 1)
MAX_FUTURE_DAYS = 1
# README "Adding a product" / contract 3-4: the defaults of a product_activation() call.
DEFAULT_ACTIVATION_WINDOW_DAYS = 30
DEFAULT_SURVIVAL_WINDOW_MONTHS = (3, 4)
DEFAULT_MIN_COUNT = 1

Row = dict[str, Any]


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Condition:
    """Contract 3a, property conditions: a property (a path of keys, PATHS: a string is one
    top-level key taken whole), an operator and a typed value (none for is set / is not set)."""

    path: tuple[str, ...]
    op: str
    value: Any = None


@dataclass(frozen=True)
class Criterion:
    """Contract 3 and 3a: any of some event names, a minimum count (default 1), property
    conditions that must all hold, optionally a property whose distinct values are counted
    instead of events; or, with `any_of`, met when any of these criteria is."""

    events: tuple[str, ...] = ()
    min_count: int = DEFAULT_MIN_COUNT
    conditions: tuple[Condition, ...] = ()
    distinct: tuple[str, ...] | None = None
    any_of: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Candidate:
    name: str
    criteria: tuple[Criterion, ...]
    window_days: int


@dataclass(frozen=True)
class Product:
    model: str
    key: str
    activation: tuple[Criterion, ...]
    window_days: int
    survival: tuple[Criterion, ...]
    survival_months: tuple[int, int]
    intent_contexts: tuple[str, ...] | None = None
    candidates: tuple[Candidate, ...] = ()
    intent_conditions: tuple[Condition, ...] = ()


def _path(raw: str | Sequence[str]) -> tuple[str, ...]:
    """PATHS.md: a string names one top-level key whole; a list names nested keys from the top."""
    return (raw,) if isinstance(raw, str) else tuple(raw)


def _conditions(raw: Sequence[Mapping[str, Any]]) -> tuple[Condition, ...]:
    return tuple(Condition(_path(item["property"]), item.get("op", "eq"),
                           tuple(item["value"]) if isinstance(item.get("value"), list) else item.get("value"))
                 for item in raw)


def _criterion(item: Mapping[str, Any]) -> Criterion:
    if "any_of" in item:
        return Criterion(any_of=tuple(_criterion(alternative) for alternative in item["any_of"]))
    event = item["event"]
    return Criterion(
        events=(event,) if isinstance(event, str) else tuple(event),
        min_count=int(item.get("min_count", DEFAULT_MIN_COUNT)),
        # "A string value alone keeps today's meaning": properties {key: value} is key = value
        conditions=tuple(Condition((str(k),), "eq", v) for k, v in (item.get("properties") or {}).items())
        + _conditions(item.get("where") or ()),
        distinct=None if item.get("distinct") is None else _path(item["distinct"]),
    )


def _criteria(raw: Sequence[Mapping[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(_criterion(item) for item in raw)


def event_names(criteria: Iterable[Criterion]) -> set[str]:
    return {name for criterion in criteria for part in (criterion.any_of or (criterion,)) for name in part.events}


class _JinjaLiterals(ast.NodeTransformer):
    """Jinja spells the constants true/false/none; Python's literal_eval wants True/False/None."""

    CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.CONSTANTS:
            return ast.copy_location(ast.Constant(self.CONSTANTS[node.id]), node)
        raise ValueError(f"not a literal: {node.id}")


def parse_product_model(path: Path) -> Product:
    """The keyword arguments of the one `{{ product_activation(...) }}` call in a product model file."""
    return parse_product_model_text(path.read_text(), path.stem)


def parse_product_model_text(source: str, model: str) -> Product:
    """As parse_product_model, from the file's text and the model's name."""
    path = model
    text = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)  # Jinja comments
    match = re.search(r"\{\{-?\s*(product_activation\s*\(.*\))\s*-?\}\}", text, flags=re.DOTALL)
    if match is None:
        raise ValueError(f"{path}: no product_activation() call")
    call = ast.parse(match.group(1), mode="eval").body
    assert isinstance(call, ast.Call) and not call.args, f"{path}: keyword arguments only"
    kwargs: dict[str, Any] = {}
    for keyword in call.keywords:
        assert keyword.arg is not None
        kwargs[keyword.arg] = ast.literal_eval(_JinjaLiterals().visit(keyword.value))
    window_days = int(kwargs.get("activation_window_days", DEFAULT_ACTIVATION_WINDOW_DAYS))
    start, end = kwargs.get("survival_window_months", DEFAULT_SURVIVAL_WINDOW_MONTHS)
    contexts = kwargs.get("intent_contexts")
    return Product(
        model=model,
        key=str(kwargs["product"]),
        activation=_criteria(kwargs["activation_criteria"]),
        window_days=window_days,
        survival=_criteria(kwargs["survival_criteria"]),
        survival_months=(int(start), int(end)),
        intent_contexts=None if contexts is None else tuple(str(c) for c in contexts),
        intent_conditions=_conditions(kwargs.get("intent_conditions") or ()),
        candidates=tuple(
            Candidate(
                name=str(candidate["name"]),
                criteria=_criteria(candidate["activation_criteria"]),
                # Ambiguous in the prose: a candidate without its own window is read as
                # having the product's (for the shipped products that equals the 30-day default).
                window_days=int(candidate.get("activation_window_days", window_days)),
            )
            for candidate in kwargs.get("candidates") or ()
        ),
    )


def load_products(project_dir: Path = PROJECT_DIR) -> list[Product]:
    """Every product declared under models/products/ (one product_activation() call per file)."""
    return [parse_product_model(path) for path in sorted((project_dir / "models" / "products").glob("*.sql"))]


def load_cross_sell_contexts(project_dir: Path = PROJECT_DIR) -> frozenset[str]:
    """Contract 2: the seed listing the cross-sell contexts (matched exactly, _seeds.yml)."""
    with (project_dir / "seeds" / "cross_sell_intent_contexts.csv").open(newline="") as file:
        return frozenset(row["intent_context"] for row in csv.DictReader(file))


# --------------------------------------------------------------------------- calendar


def add_months(moment: dt.datetime | dt.date, months: int) -> dt.datetime:
    """Calendar months, clamped to the month's last day (Jan 31 + 1 month = Feb 28), time kept.

    _unit_tests.yml of the products: "Jan 31 + 3 months is Apr 30, + 4 months is May 31";
    test_cross_adapter.py's docstring: "adding months is clamped".
    """
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def month_start(moment: dt.datetime) -> dt.date:
    """columns.md intent_month: first day of the month of intent_at."""
    return dt.date(moment.year, moment.month, 1)


# --------------------------------------------------------------------------- staging


@dataclass(frozen=True)
class StagedEvent:
    """A row of stg_events: a usable source row, one per uuid."""

    uuid: str
    name: str
    at: dt.datetime
    distinct_id: str | None
    org: str
    properties_text: str
    properties: dict[str, Any]


def _trimmed(value: str) -> str:
    """README: surrounding spaces are ignored: ASCII spaces, not tabs or other Unicode spaces."""
    return value.strip(" ")


def _blank(value: str | None) -> bool:
    return value is None or _trimmed(value) == ""


def _json_object(text: str | None) -> dict[str, Any] | None:
    """README "Bad input": null properties count as {}; properties that are not a JSON object are rejected."""
    if text is None:
        return {}
    try:
        # the first of repeated keys counts, as the engines' JSON functions read it
        value = json.loads(text, object_pairs_hook=lambda pairs: dict(reversed(pairs)))
        # a lone surrogate escape (\ud800) is no Unicode text: the engines reject the document
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def usable_time(moment: dt.datetime | None, now: dt.datetime) -> bool:
    """_staging.yml: rejected when the timestamp is missing, before var min_event_timestamp, or
    more than var max_future_days after the run."""
    return (
        moment is not None
        and moment >= MIN_EVENT_TIMESTAMP
        and moment <= now + dt.timedelta(days=MAX_FUTURE_DAYS)
    )


@dataclass(frozen=True)
class OrgKey:
    """Where the organization is (dbt_project.yml vars org_key and org_group_type, docs/your-events.md).

    `org_key`: a column name; 'properties.<key>', one top-level key taken whole; or a list
    ['properties', key, ...], keys nested from the top. `has_column`: whether the source has the
    column; the default '$group_0' on a source without it (PostHog's batch exports) reads
    properties.$group_0, then properties.$groups.<org_group_type>.
    """

    org_key: str | tuple[str, ...] = ORG_KEY
    org_group_type: str = "organization"
    has_column: bool = True

    def paths(self) -> list[tuple[str, ...]] | None:
        """The property paths read, the first found winning; None when a column is read."""
        if not isinstance(self.org_key, str):
            return [tuple(self.org_key[1:])]
        if self.org_key.startswith("properties."):
            return [(self.org_key[len("properties."):],)]
        if self.org_key == "$group_0" and not self.has_column:
            return [("$group_0",), ("$groups", self.org_group_type)]
        return None

    def read(self, source: Mapping[str, Any], properties: dict[str, Any] | None) -> str | None:
        """The row's organization, trimmed; None when blank, or when a property is not a JSON
        string (README "Variables": any other value, or properties that are not a JSON object,
        count as no organization)."""
        paths = self.paths()
        if paths is None:
            value = source[str(self.org_key)]
            return None if _blank(value) else _trimmed(value)
        for path in paths:
            found: Any = properties
            for key in path:
                found = found.get(key) if isinstance(found, dict) else None
            if isinstance(found, str) and not _blank(found):
                return _trimmed(found)
        return None


def load_excluded_organizations(project_dir: Path = PROJECT_DIR) -> frozenset[str]:
    """Contract 2a: the seed of excluded organizations (matched exactly on the trimmed key, _seeds.yml)."""
    with (project_dir / "seeds" / "excluded_organizations.csv").open(newline="") as file:
        return frozenset(row["org_id"] for row in csv.DictReader(file))


def classify(events: Iterable[Event], tracked: frozenset[str], now: dt.datetime, org_key: OrgKey = OrgKey(),
             excluded: frozenset[str] = frozenset()) -> list[tuple[str | None, StagedEvent | None]]:
    """Every stored source row (tracked, or with no event name) with its rejection reason (None when
    usable) and, when usable, the row as stg_events would hold it; duplicates not yet decided.

    Rules (README "Bad input", _staging.yml stg_events_classified), the first that applies:
    missing uuid, missing event name, missing timestamp, before min_event_timestamp, more than
    max_future_days after the run, missing organization ("null or empty", contract 1), an
    organization in the seed excluded_organizations (contract 2a), properties not a JSON object.
    uuid, event name and organization are trimmed; events no model reads are not stored.
    """
    rows: list[tuple[str | None, StagedEvent | None]] = []
    for event in events:
        source = event.row()
        name = _trimmed(source["event"]) if source["event"] is not None else None
        if name and name not in tracked:
            continue
        properties = _json_object(source["properties"])
        org = org_key.read(source, properties)
        moment = source["timestamp"]
        reason = (
            "missing_uuid" if _blank(source["uuid"])
            else "missing_event_name" if not name
            else "missing_timestamp" if moment is None
            else "timestamp_before_min" if moment < MIN_EVENT_TIMESTAMP
            else "timestamp_in_future" if moment > now + dt.timedelta(days=MAX_FUTURE_DAYS)
            else "missing_organization" if org is None
            else "excluded_organization" if org in excluded
            else "properties_not_json_object" if properties is None
            else None
        )
        if reason is not None:
            rows.append((reason, None))
            continue
        assert name and org is not None and properties is not None
        rows.append((None, StagedEvent(
            uuid=_trimmed(source["uuid"]),
            name=name,
            at=moment,
            distinct_id=source["distinct_id"],
            org=org,
            properties_text="{}" if source["properties"] is None else source["properties"],
            properties=properties,
        )))
    return rows


def _earliest_copy(row: StagedEvent) -> tuple[Any, ...]:
    # SQL sorts a null distinct_id after every value
    return (row.at, row.name, row.distinct_id is None, row.distinct_id or "", row.org, row.properties_text)


def stage(events: Iterable[Event], tracked: frozenset[str], now: dt.datetime, org_key: OrgKey = OrgKey(),
          excluded: frozenset[str] = frozenset()) -> list[StagedEvent]:
    """stg_events: the usable rows of tracked events (classify), one per uuid: among the usable
    copies of one uuid the earliest wins, then event name, distinct_id, organization and properties
    decide (smallest first); an unusable copy never hides a usable one, and a uuid shared with an
    event no model reads is not compared with it."""
    copies: dict[str, list[StagedEvent]] = defaultdict(list)
    for _, row in classify(events, tracked, now, org_key, excluded):
        if row is not None:
            copies[row.uuid].append(row)
    return [min(rows, key=_earliest_copy) for rows in copies.values()]


def rejections(events: Iterable[Event], tracked: frozenset[str], now: dt.datetime, org_key: OrgKey = OrgKey(),
               excluded: frozenset[str] = frozenset()) -> dict[str, int]:
    """stg_events_rejected's rows by reason: classify's reasons, and duplicate_uuid for every
    usable copy that is not its uuid's winner."""
    counts: dict[str, int] = defaultdict(int)
    usable: dict[str, int] = defaultdict(int)
    for reason, row in classify(events, tracked, now, org_key, excluded):
        if reason is not None:
            counts[reason] += 1
        elif row is not None:
            usable[row.uuid] += 1
    for copies in usable.values():
        if copies > 1:
            counts["duplicate_uuid"] += copies - 1
    return dict(counts)


def clock(events: Iterable[Event], now: dt.datetime) -> dt.datetime | None:
    """int_activation_clock (no var as_of): the latest source event with a usable time, read by a
    model or not (overview.md "Maturity")."""
    times = [event.timestamp for event in events if event.timestamp is not None and usable_time(event.timestamp, now)]
    return max(times, default=None)


@dataclass(frozen=True)
class Intent:
    uuid: str
    org: str
    at: dt.datetime
    product: str
    context: str | None
    cross_sell: bool
    properties: Mapping[str, Any] = field(default_factory=dict)


def intents(staged: Iterable[StagedEvent], cross_sell_contexts: frozenset[str]) -> list[Intent]:
    """stg_intent_events (contract 2, columns.md product, _staging.yml):
    product = properties.product_key when a string, lowercased and trimmed (none otherwise);
    context = properties.intent_context when a string; cross-sell when properties.type is the
    string 'cross_sell' or the context is listed in the seed (a missing type is not cross-sell)."""
    found = []
    for event in staged:
        if event.name not in INTENT_EVENTS:
            continue
        key = event.properties.get("product_key")
        if not isinstance(key, str):
            continue
        context = event.properties.get("intent_context")
        context = context if isinstance(context, str) else None
        kind = event.properties.get("type")
        cross_sell = (isinstance(kind, str) and kind == "cross_sell") or (
            context is not None and context in cross_sell_contexts)
        found.append(Intent(event.uuid, event.org, event.at, _trimmed(key).lower(), context, cross_sell,
                            event.properties))
    return found


def first_intents(all_intents: Iterable[Intent], product: Product) -> dict[str, Intent]:
    """Per organization, the first non-cross-sell intent for the product (contract 2): cross-sell
    intents removed first, then the earliest, ties broken by the smallest uuid; a product with
    intent_contexts counts only intents from those contexts (README "Adding a product")."""
    first: dict[str, Intent] = {}
    for intent in all_intents:
        if intent.product != product.key or intent.cross_sell:
            continue
        if product.intent_contexts is not None and intent.context not in product.intent_contexts:
            continue
        # contract 2a: intent conditions restrict which intents can be the first one
        if not all(holds(condition, intent.properties) for condition in product.intent_conditions):
            continue
        kept = first.get(intent.org)
        if kept is None or (intent.at, intent.uuid) < (kept.at, kept.uuid):
            first[intent.org] = intent
    return first


# --------------------------------------------------------------------------- activation


_MISSING = object()


def lookup(properties: Mapping[str, Any], path: Sequence[str]) -> Any:
    """Contract 3a, nested properties: the value at the path of keys, or _MISSING when a key is
    absent or a step is not an object. JSON null is returned as None."""
    value: Any = properties
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _kind(value: Any) -> str | None:
    """Contract 3a: 'a string matches only a JSON string, a number only a JSON number, a
    boolean only a JSON boolean' (Python's True == 1, hence the kinds)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _equal(found: Any, value: Any) -> bool:
    """Typed equality: 5 equals 5.0, never "5"."""
    return _kind(found) is not None and _kind(found) == _kind(value) and found == value


NEGATIONS = {"neq": "eq", "not_in": "in", "not_contains": "contains", "is_not_set": "is_set"}


def holds(condition: Condition, properties: Mapping[str, Any]) -> bool:
    """Contract 3a: every positive condition is false on a missing (or JSON null) property; the
    negative ones (not equals, none of, does not contain, is not set) are their positive's
    negation, so they hold there."""
    if condition.op in NEGATIONS:
        return not holds(Condition(condition.path, NEGATIONS[condition.op], condition.value), properties)
    found = lookup(properties, condition.path)
    if found is _MISSING or found is None:
        return False
    if condition.op == "is_set":
        return True
    if condition.op == "eq":
        return _equal(found, condition.value)
    if condition.op == "in":
        return any(_equal(found, value) for value in condition.value)
    if condition.op == "contains":
        return isinstance(found, str) and condition.value in found
    # greater than, at least, less than, at most: numbers only
    if _kind(found) != "number":
        return False
    compare = {"gt": float.__gt__, "gte": float.__ge__, "lt": float.__lt__, "lte": float.__le__}[condition.op]
    return bool(compare(float(found), float(condition.value)))


def _json_value(value: Any) -> tuple[str, Any]:
    """Contract 3a, distinct counts: values 'compared as JSON values' (5 and 5.0 are one, "5" another)."""
    kind = _kind(value)
    if kind == "number":
        return kind, float(value)
    if kind is not None:
        return kind, value
    return "json", json.dumps(value, sort_keys=True)


def met_time(events: Sequence[StagedEvent], criterion: Criterion, start: dt.datetime,
             end: dt.datetime) -> dt.datetime | None:
    """When a criterion was met in [start, end), or None.

    Contract 3: the time of the N-th qualifying event (N = min_count). 3a: an event qualifies when
    its name is any of the criterion's and every condition holds; a distinct count counts the
    distinct non-null values of its property (events without it do not count) and is met at the
    first event at which the N-th distinct value has been seen; an alternative is met at the
    earliest moment one of its criteria is met."""
    if criterion.any_of:
        times = [time for part in criterion.any_of if (time := met_time(events, part, start, end)) is not None]
        return min(times, default=None)
    qualifying = sorted((e for e in events if start <= e.at < end and e.name in criterion.events
                         and all(holds(condition, e.properties) for condition in criterion.conditions)),
                        key=lambda e: (e.at, e.uuid))
    if criterion.distinct is not None:
        seen: set[tuple[str, Any]] = set()
        firsts = []
        for event in qualifying:
            value = lookup(event.properties, criterion.distinct)
            if value is _MISSING or value is None or _json_value(value) in seen:
                continue
            seen.add(_json_value(value))
            firsts.append(event)
        qualifying = firsts
    return qualifying[criterion.min_count - 1].at if len(qualifying) >= criterion.min_count else None


def nth_times(events: Sequence[StagedEvent], criteria: Sequence[Criterion], start: dt.datetime,
              end: dt.datetime) -> list[dt.datetime | None]:
    """Per criterion, when it was met in [start, end) (met_time), or None."""
    return [met_time(events, criterion, start, end) for criterion in criteria]


def product_rows(product: Product, staged_by_org: Mapping[str, Sequence[StagedEvent]],
                 all_intents: Sequence[Intent], as_of: dt.datetime | None) -> list[Row]:
    """The rows of product_<product>, one per organization with a first intent."""
    rows = []
    for org, intent in sorted(first_intents(all_intents, product).items()):
        events = staged_by_org.get(org, ())
        # Contract 3: window [intent_at, intent_at + activation window); activated when every
        # criterion reached its count; activated_at the latest of the criteria's N-th events.
        window_end = intent.at + dt.timedelta(days=product.window_days)
        reached = nth_times(events, product.activation, intent.at, window_end)
        activated = all(time is not None for time in reached)
        activated_at = max(time for time in reached if time is not None) if activated else None
        # Contract 4: survival in [intent_at + start months, intent_at + end months), for everyone.
        start_months, end_months = product.survival_months
        survival_end = add_months(intent.at, end_months)
        survived = all(
            time is not None
            for time in nth_times(events, product.survival, add_months(intent.at, start_months), survival_end))
        # columns.md activated_candidates: the candidates met within each one's own window,
        # in the order declared, comma-separated; empty when none.
        met = [
            candidate.name for candidate in product.candidates
            if all(time is not None for time in nth_times(
                events, candidate.criteria, intent.at, intent.at + dt.timedelta(days=candidate.window_days)))
        ]
        rows.append({
            "org_id": org,
            "product": product.key,
            "intent_at": intent.at,
            "intent_month": month_start(intent.at),
            "intent_context": intent.context,
            "activated": activated,
            "activated_at": activated_at,
            "survived": survived,
            "retained": activated and survived,
            "activated_candidates": ",".join(met),
            # Contract 5: final once as_of >= intent_at + the window (end).
            "activation_final": as_of is not None and as_of >= window_end,
            "survival_final": as_of is not None and as_of >= survival_end,
        })
    return rows


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


# Contract 6a: "Wilson score interval, 95% (z = 1.959964)".
Z = 1.959964


def wilson(successes: int, trials: int) -> tuple[float | None, float | None]:
    """Contract 6a: with p = k/n, centre = (p + z^2/(2n)) / (1 + z^2/n), half-width =
    z * sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n); low = centre - half, high = centre + half;
    null when n = 0. (Held in [0, 1]: _marts.yml, every bound is a rate.)"""
    if trials == 0:
        return None, None
    p, n = successes / trials, trials
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    # the bounds at k = 0 and k = n are exactly 0 and 1 (centre = half there)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def relative_survival(a: int, n1: int, c: int, n2: int) -> tuple[float | None, float | None, float | None]:
    """Contract 6a: (a/n1) / (c/n2) with its Katz log interval
    exp(ln RR +- z*sqrt(1/a - 1/n1 + 1/c - 1/n2)); null when a cell is 0 (the 2x2 table's
    cells: a, n1 - a, c, n2 - c, as _marts.yml says)."""
    if 0 in (a, n1 - a, c, n2 - c):
        return None, None, None
    ratio = (a / n1) / (c / n2)
    spread = Z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return ratio, math.exp(math.log(ratio) - spread), math.exp(math.log(ratio) + spread)


def interval_columns(intent: int, activated: int, survived: int, retained: int) -> Row:
    """The mart's contract-6a columns for one cohort."""
    columns: Row = {}
    for rate, (k, n) in {"activation_rate": (activated, intent), "baseline_survival_rate": (survived, intent),
                         "retention_rate": (retained, activated)}.items():
        columns[f"{rate}_low"], columns[f"{rate}_high"] = wilson(k, n)
    (columns["relative_survival"], columns["relative_survival_low"],
     columns["relative_survival_high"]) = relative_survival(retained, activated, survived - retained,
                                                            intent - activated)
    return columns


def mart_rows(products: Sequence[Product], rows_by_model: Mapping[str, Sequence[Row]],
              as_of: dt.datetime | None) -> list[Row]:
    """activation_funnel_monthly (contract 6): one row per product and intent month that has an
    organization; is_mature when first day of the next month + end of the survival window <= as_of."""
    mart = []
    for product in products:
        months: dict[dt.date, list[Row]] = defaultdict(list)
        for row in rows_by_model[product.model]:
            months[row["intent_month"]].append(row)
        for month, rows in sorted(months.items()):
            intent_orgs = len(rows)
            activated = sum(row["activated"] for row in rows)
            survived = sum(row["survived"] for row in rows)
            retained = sum(row["retained"] for row in rows)
            baseline = _ratio(survived, intent_orgs)
            retention = _ratio(retained, activated)
            next_month = add_months(month, 1)
            mart.append({
                "product": product.key,
                "intent_month": month,
                "intent_orgs": intent_orgs,
                "activated_orgs": activated,
                "activation_rate": _ratio(activated, intent_orgs),
                "survived_orgs": survived,
                "baseline_survival_rate": baseline,
                "retained_orgs": retained,
                "retention_rate": retention,
                # null when the baseline is 0 or nobody activated (_marts.yml)
                "retention_lift": None if retention is None or not baseline else retention / baseline,
                "is_mature": as_of is not None and add_months(next_month, product.survival_months[1]) <= as_of,
                **interval_columns(intent_orgs, activated, survived, retained),
            })
    return mart


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """Contract 6a: "by nearest rank (the smallest value with at least p% of the values at or
    below it)". Found by that sentence, not by a rank formula: the first sorted value whose
    position covers p% of them."""
    ordered = sorted(values)
    for position, value in enumerate(ordered, start=1):
        if position * 100 >= percent * len(ordered):
            return value
    return None


def time_to_activate_rows(products: Sequence[Product], rows_by_model: Mapping[str, Sequence[Row]]) -> list[Row]:
    """activation_time_to_activate (contract 6a): per product and intent month, the median, 75th and
    90th percentile of activated_at - intent_at over the activated, in days (_evidence.yml: fractional,
    to the microsecond); is_final once every organization's activation is final."""
    found = []
    day = dt.timedelta(days=1)
    for product in products:
        months: dict[dt.date, list[Row]] = defaultdict(list)
        for row in rows_by_model[product.model]:
            months[row["intent_month"]].append(row)
        for month, rows in sorted(months.items()):
            micros = [(row["activated_at"] - row["intent_at"]) // dt.timedelta(microseconds=1)
                      for row in rows if row["activated"]]
            figures = {name: nearest_rank(micros, percent) for name, percent in
                       (("median_days", 50), ("p75_days", 75), ("p90_days", 90))}
            found.append({
                "product": product.key,
                "intent_month": month,
                "intent_orgs": len(rows),
                "activated_orgs": len(micros),
                **{name: None if value is None else value / (day // dt.timedelta(microseconds=1))
                   for name, value in figures.items()},
                "is_final": all(row["activation_final"] for row in rows),
            })
    return found


def retention_curve_rows(products: Sequence[Product], rows_by_model: Mapping[str, Sequence[Row]],
                         staged_by_org: Mapping[str, Sequence[StagedEvent]], as_of: dt.datetime | None,
                         horizon: int = 12) -> list[Row]:
    """activation_retention_curves (contract 6a): per product, intent month and k = 1..horizon, the
    share of the activated and of the not activated meeting the survival criteria in
    [intent + k months, intent + k+1 months); a point only once that window has closed for the
    whole month (first day of the next month + k+1 months <= as_of, as contract 5 judges months)."""
    found = []
    for product in products:
        months: dict[dt.date, list[Row]] = defaultdict(list)
        for row in rows_by_model[product.model]:
            months[row["intent_month"]].append(row)
        for month, rows in sorted(months.items()):
            for k in range(1, horizon + 1):
                if as_of is None or add_months(add_months(month, 1), k + 1) > as_of:
                    continue
                counts = {"activated": [0, 0], "not_activated": [0, 0]}
                for row in rows:
                    events = staged_by_org.get(row["org_id"], ())
                    met = all(time is not None for time in nth_times(
                        events, product.survival, add_months(row["intent_at"], k), add_months(row["intent_at"], k + 1)))
                    group = counts["activated" if row["activated"] else "not_activated"]
                    group[0] += 1
                    group[1] += met
                point: Row = {"product": product.key, "intent_month": month, "months_after_intent": k}
                for name, (orgs, survived) in counts.items():
                    low, high = wilson(survived, orgs)
                    point.update({f"{name}_orgs": orgs, f"{name}_survived_orgs": survived,
                                  f"{name}_survival_rate": _ratio(survived, orgs),
                                  f"{name}_survival_rate_low": low, f"{name}_survival_rate_high": high})
                found.append(point)
    return found


def signal_rows(products: Sequence[Product], rows_by_model: Mapping[str, Sequence[Row]], events: Iterable[Event],
                as_of: dt.datetime | None, top: int = 30, thresholds: Sequence[int] = (1, 2, 3, 5, 10)) -> list[Row]:
    """activation_signals (docs/evidence.md "Discovery", _evidence.yml): per product over its mature
    months, the `top` event names (intent events left out) done by the most intent organizations in
    [intent_at, intent_at + activation window), ties by name; each at every threshold: organizations
    with at least that many events of the name (copies of a uuid count once; rows without a uuid,
    name or organization do not count), their survival, relative survival against the others;
    ranked by the interval's low bound (null as 0), then organizations, name, threshold."""
    by_org: dict[str, list[tuple[str, str, dt.datetime]]] = defaultdict(list)
    for event in events:
        source = event.row()
        name = _trimmed(source["event"]) if source["event"] is not None else ""
        if not name or name in INTENT_EVENTS or _blank(source["uuid"]) or _blank(source[ORG_KEY]):
            continue
        if source["timestamp"] is None:
            continue
        by_org[_trimmed(source[ORG_KEY])].append((_trimmed(source["uuid"]), name, source["timestamp"]))
    found = []
    for product in products:
        end_months = product.survival_months[1]
        cohort = [row for row in rows_by_model[product.model]
                  if as_of is not None and add_months(add_months(row["intent_month"], 1), end_months) <= as_of]
        counts: dict[str, dict[str, int]] = {}
        for row in cohort:
            window_end = row["intent_at"] + dt.timedelta(days=product.window_days)
            uuids: dict[str, set[str]] = defaultdict(set)
            for uuid, name, at in by_org.get(row["org_id"], ()):
                if row["intent_at"] <= at < window_end:
                    uuids[name].add(uuid)
            counts[row["org_id"]] = {name: len(ids) for name, ids in uuids.items()}
        orgs_by_name: dict[str, int] = defaultdict(int)
        for per_name in counts.values():
            for name in per_name:
                orgs_by_name[name] += 1
        names = sorted(orgs_by_name, key=lambda name: (-orgs_by_name[name], name))[:top]
        intent, survived = len(cohort), sum(row["survived"] for row in cohort)
        rows = []
        for rank, name in enumerate(names, start=1):
            for threshold in sorted(set(thresholds)):
                reached = [row for row in cohort if counts[row["org_id"]].get(name, 0) >= threshold]
                a = sum(row["survived"] for row in reached)
                low, high = wilson(a, len(reached))
                ratio, ratio_low, ratio_high = relative_survival(a, len(reached), survived - a, intent - len(reached))
                rows.append({
                    "product": product.key, "event_name": name, "event_rank": rank, "min_events": threshold,
                    "intent_orgs": intent, "survived_orgs": survived, "reached_orgs": len(reached),
                    "reached_survived_orgs": a, "reached_survival_rate": _ratio(a, len(reached)),
                    "reached_survival_rate_low": low, "reached_survival_rate_high": high,
                    "relative_survival": ratio, "relative_survival_low": ratio_low,
                    "relative_survival_high": ratio_high,
                    "is_separation_shown": ratio_low is not None and ratio_low > 1,
                })
        rows.sort(key=lambda row: (-(row["relative_survival_low"] or 0), -row["reached_orgs"], row["event_name"],
                                   row["min_events"]))
        for position, row in enumerate(rows, start=1):
            found.append({"product": row["product"], "signal_rank": position, **row})
    return found


@dataclass
class Reference:
    as_of: dt.datetime | None
    products: dict[str, list[Row]] = field(default_factory=dict)
    mart: list[Row] = field(default_factory=list)
    time_to_activate: list[Row] = field(default_factory=list)
    retention_curves: list[Row] = field(default_factory=list)
    signals: list[Row] = field(default_factory=list)


def compute(events: Sequence[Event], products: Sequence[Product] | None = None, as_of: dt.datetime | None = None,
            now: dt.datetime | None = None, org_key: OrgKey = OrgKey(),
            excluded: frozenset[str] | None = None) -> Reference:
    """Every product model's rows and the mart's rows, from the source events.

    `as_of`: var as_of (None: the clock rule); `now`: the run's start (for max_future_days);
    `org_key`: where the organization is; `excluded`: the excluded organizations (None: the seed's).
    """
    products = load_products() if products is None else products
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    tracked = frozenset(INTENT_EVENTS) | {
        name
        for product in products
        for name in event_names((*product.activation, *product.survival,
                                 *(c for candidate in product.candidates for c in candidate.criteria)))
    }
    excluded = load_excluded_organizations() if excluded is None else excluded
    staged = stage(events, tracked, now, org_key, excluded)
    as_of = as_of if as_of is not None else clock(events, now)
    all_intents = intents(staged, load_cross_sell_contexts())
    by_org: dict[str, list[StagedEvent]] = defaultdict(list)
    for event in staged:
        by_org[event.org].append(event)
    reference = Reference(as_of)
    for product in products:
        reference.products[product.model] = product_rows(product, by_org, all_intents, as_of)
    reference.mart = mart_rows(products, reference.products, as_of)
    reference.time_to_activate = time_to_activate_rows(products, reference.products)
    reference.retention_curves = retention_curve_rows(products, reference.products, by_org, as_of)
    reference.signals = signal_rows(products, reference.products, events, as_of)
    return reference
