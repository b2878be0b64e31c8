"""Small random event sets for the property-based incremental test.

A handful of organizations, two products (session replay, product analytics),
cross-sell and repeat intents, duplicate uuids (identical, or stamped from two
days earlier to three days later, some naming another organization, and an intent's
copy another product or a cross-sell), rows the staging rejects and noise, over about
seven months, so that windows open, close and straddle load boundaries.
Properties use the criteria language's cases: recordings opened again, ids
that are numbers, strings or null, intents from several realms, and for the
surveys events (tests/test_reference_model.py's criteria lab) values of
every JSON type, nested objects and a top-level key holding a dot and a slash.
"""

from __future__ import annotations

import datetime as dt

from typing import Any

from hypothesis import strategies as st

from harness import Event

BASE = dt.datetime(2025, 1, 1)
ORGS = ("o1", "o2", "o3", "o4", "o5")
PRODUCTS = ("session_replay", "product_analytics", "surveys")
USAGE_EVENTS = (
    "recording analyzed",
    "replay list filter added",
    "insight saved",
    "dashboard created",
    "insight viewed",
    "survey launched",
    "survey response viewed",
    "$pageview",
)
MISSING = object()
# values of every JSON type, some equal as JSON values (1 and 1.0), some only alike ("1")
VALUES: tuple[Any, ...] = ("x", "xy", "y", 1, 1.0, 2, 2.5, "1", True, False, None, {"k": 1}, MISSING)
NESTED: tuple[Any, ...] = ({"k": "x"}, {"k": 1}, {"k": None}, {}, "x", MISSING)


def _optional(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not MISSING}


@st.composite
def event_properties(draw: st.DrawFn, event: str) -> dict[str, Any]:
    """Properties for a usage event: what the example products' and the lab's conditions read."""
    if event == "recording analyzed":
        return _optional(recording_id=draw(st.sampled_from(("r1", "r2", "r3", "r4", "r5", "r6", 1, 1.0, None,
                                                            MISSING))))
    if event == "replay list filter added":
        return _optional(filter_count=draw(st.sampled_from((1, 2, 2.0, "2", None, MISSING))))
    if event in ("survey launched", "survey response viewed"):
        return _optional(**{"v": draw(st.sampled_from(VALUES)), "o": draw(st.sampled_from(NESTED)),
                            "a.b/c": draw(st.sampled_from(("x", "zx", MISSING))),
                            # a decoy: the nested path a -> b/c is not the key "a.b/c"
                            "a": draw(st.sampled_from(({"b/c": "x"}, MISSING)))})
    return {}


def intent_properties(draw: st.DrawFn, product: str) -> dict[str, Any]:
    return {"product_key": product, "intent_context": "onboarding",
            **_optional(realm=draw(st.sampled_from(("cloud", "cloud", "hosted-clickhouse", None, MISSING))))}


@st.composite
def event_sets(draw: st.DrawFn) -> list[Event]:
    count = draw(st.integers(min_value=5, max_value=120))
    events: list[Event] = []
    for index in range(count):
        when = BASE + dt.timedelta(
            days=draw(st.integers(0, 210)), seconds=draw(st.integers(0, 86_399))
        )
        org = draw(st.sampled_from(ORGS))
        kind = draw(st.sampled_from(("intent", "cross_sell", "usage", "usage", "usage", "duplicate", "bad")))
        if kind == "duplicate" and events:
            copied = draw(st.sampled_from(events))
            # 0: an identical copy; negative: an earlier copy, which wins if it arrives later
            shift = dt.timedelta(hours=draw(st.integers(-48, 72)))
            # a copy may disagree with the original: an earlier one that wins moves the
            # event (an intent: the first intent) to another organization or product
            copy_org = draw(st.sampled_from((copied.org, copied.org, org)))
            copy_properties = copied.properties
            if copied.event == "user showed product intent" and draw(st.booleans()):
                copy_properties = {**intent_properties(draw, draw(st.sampled_from(PRODUCTS))),
                                   **draw(st.sampled_from(({}, {"type": "cross_sell"})))}
            events.append(copied if copied.timestamp is None else
                          Event(copied.uuid, copied.event, copied.timestamp + shift, copy_org, copy_properties,
                                distinct_id="copy"))
            continue
        if kind == "bad":
            events.append(draw(st.sampled_from((
                Event(f"u{index}", "recording analyzed", None, org),  # no time: read again on every run
                Event(f"u{index}", "recording analyzed", dt.datetime(1990, 1, 1), org),
                Event(None, "recording analyzed", when, org),
                Event(f"u{index}", "recording analyzed", when, None),
                Event(f"u{index}", "recording analyzed", when, org, "[1]"),
            ))))
            continue
        if kind in ("intent", "cross_sell"):
            properties = intent_properties(draw, draw(st.sampled_from(PRODUCTS)))
            if kind == "cross_sell":
                properties["type"] = "cross_sell"
            events.append(Event(f"u{index}", "user showed product intent", when, org, properties))
        else:
            name = draw(st.sampled_from(USAGE_EVENTS))
            events.append(Event(f"u{index}", name, when, org, draw(event_properties(name))))
    return events
