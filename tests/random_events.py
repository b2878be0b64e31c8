"""Small random event sets for the property-based incremental test.

A handful of organizations, two products (session replay, product analytics),
cross-sell and repeat intents, duplicate uuids (identical, or stamped from two
days earlier to three days later, some naming another organization, and an intent's
copy another product or a cross-sell), rows the staging rejects and noise, over about
seven months, so that windows open, close and straddle load boundaries.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from harness import Event

BASE = dt.datetime(2025, 1, 1)
ORGS = ("o1", "o2", "o3", "o4", "o5")
PRODUCTS = ("session_replay", "product_analytics")
USAGE_EVENTS = (
    "recording analyzed",
    "replay list filter added",
    "insight saved",
    "dashboard created",
    "insight viewed",
    "$pageview",
)


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
                copy_properties = {"product_key": draw(st.sampled_from(PRODUCTS)), "intent_context": "onboarding",
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
            properties = {"product_key": draw(st.sampled_from(PRODUCTS)), "intent_context": "onboarding"}
            if kind == "cross_sell":
                properties["type"] = "cross_sell"
            events.append(Event(f"u{index}", "user showed product intent", when, org, properties))
        else:
            events.append(Event(f"u{index}", draw(st.sampled_from(USAGE_EVENTS)), when, org, {}))
    return events
