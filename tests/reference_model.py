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
class Criterion:
    """Contract 3: an event name, a minimum count (default 1), optionally a property filter."""

    event: str
    min_count: int = DEFAULT_MIN_COUNT
    properties: tuple[tuple[str, str], ...] = ()


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


def _criteria(raw: Sequence[Mapping[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(
        Criterion(
            event=str(item["event"]),
            min_count=int(item.get("min_count", DEFAULT_MIN_COUNT)),
            properties=tuple(sorted((str(k), str(v)) for k, v in (item.get("properties") or {}).items())),
        )
        for item in raw
    )


class _JinjaLiterals(ast.NodeTransformer):
    """Jinja spells the constants true/false/none; Python's literal_eval wants True/False/None."""

    CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.CONSTANTS:
            return ast.copy_location(ast.Constant(self.CONSTANTS[node.id]), node)
        raise ValueError(f"not a literal: {node.id}")


def parse_product_model(path: Path) -> Product:
    """The keyword arguments of the one `{{ product_activation(...) }}` call in a product model file."""
    text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.DOTALL)  # Jinja comments
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
        model=path.stem,
        key=str(kwargs["product"]),
        activation=_criteria(kwargs["activation_criteria"]),
        window_days=window_days,
        survival=_criteria(kwargs["survival_criteria"]),
        survival_months=(int(start), int(end)),
        intent_contexts=None if contexts is None else tuple(str(c) for c in contexts),
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


def stage(events: Iterable[Event], tracked: frozenset[str], now: dt.datetime) -> list[StagedEvent]:
    """stg_events: the usable rows of tracked events, one per uuid.

    Rules (README "Bad input", _staging.yml stg_events_classified):
    - only rows of tracked events (intent events and every event a criterion names) are read;
      the event name is trimmed (columns.md event_name);
    - a row is rejected when its uuid, event name, timestamp or organization is missing, its
      timestamp is before min_event_timestamp or more than max_future_days after the run, or
      its properties are not a JSON object; uuid and organization are trimmed, and an empty
      organization counts as missing (contract 1: "null or empty");
    - among the usable copies of one uuid the earliest wins, then event name, distinct_id,
      organization and properties decide (smallest first); an unusable copy never hides a
      usable one, and a uuid shared with an event no model reads is not compared with it.
    """
    copies: dict[str, list[StagedEvent]] = defaultdict(list)
    for event in events:
        source = event.row()
        name = _trimmed(source["event"]) if source["event"] is not None else None
        if not name or name not in tracked:
            continue  # untracked (not stored) or no event name (rejected)
        if _blank(source["uuid"]) or not usable_time(source["timestamp"], now) or _blank(source[ORG_KEY]):
            continue
        properties = _json_object(source["properties"])
        if properties is None:
            continue
        uuid = _trimmed(source["uuid"])
        copies[uuid].append(StagedEvent(
            uuid=uuid,
            name=name,
            at=source["timestamp"],
            distinct_id=source["distinct_id"],
            org=_trimmed(source[ORG_KEY]),
            properties_text="{}" if source["properties"] is None else source["properties"],
            properties=properties,
        ))
    return [
        # SQL sorts a null distinct_id after every value
        min(rows, key=lambda row: (row.at, row.name, row.distinct_id is None, row.distinct_id or "", row.org,
                                   row.properties_text))
        for rows in copies.values()
    ]


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
        found.append(Intent(event.uuid, event.org, event.at, _trimmed(key).lower(), context, cross_sell))
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
        kept = first.get(intent.org)
        if kept is None or (intent.at, intent.uuid) < (kept.at, kept.uuid):
            first[intent.org] = intent
    return first


# --------------------------------------------------------------------------- activation


def _qualifies(event: StagedEvent, criterion: Criterion) -> bool:
    """README: only events whose JSON property `key` is the string `value` count."""
    return event.name == criterion.event and all(
        isinstance(event.properties.get(key), str) and event.properties[key] == value
        for key, value in criterion.properties
    )


def nth_times(events: Sequence[StagedEvent], criteria: Sequence[Criterion], start: dt.datetime,
              end: dt.datetime) -> list[dt.datetime | None]:
    """Per criterion, the time of its N-th qualifying event in [start, end) (N = min_count), or None."""
    times: list[dt.datetime | None] = []
    for criterion in criteria:
        qualifying = sorted(e.at for e in events if start <= e.at < end and _qualifies(e, criterion))
        times.append(qualifying[criterion.min_count - 1] if len(qualifying) >= criterion.min_count else None)
    return times


def product_rows(product: Product, staged_by_org: Mapping[str, Sequence[StagedEvent]],
                 all_intents: Sequence[Intent], as_of: dt.datetime | None) -> list[Row]:
    """The rows of activation_<product>, one per organization with a first intent."""
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
            now: dt.datetime | None = None) -> Reference:
    """Every product model's rows and the mart's rows, from the source events.

    `as_of`: var as_of (None: the clock rule); `now`: the run's start (for max_future_days).
    """
    products = load_products() if products is None else products
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    tracked = frozenset(INTENT_EVENTS) | {
        criterion.event
        for product in products
        for criterion in (*product.activation, *product.survival,
                          *(c for candidate in product.candidates for c in candidate.criteria))
    }
    staged = stage(events, tracked, now)
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
