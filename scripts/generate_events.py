"""Generates deterministic, PostHog-shaped sample events as Parquet files.

Organizations sign up over the period, show intent for one to three of the
seven example products (sometimes through cross-sell first, sometimes through
the legacy event, sometimes twice), then activate, half-engage or do nothing,
and use the product again months later, activated ones more often. The
properties make the example definitions' conditions meaningful: intents
carry a `realm` (mostly cloud), recordings a `recording_id` (the same
recording is often opened again), replay filters a `filter_count`, SQL
queries a `query` (some read the `events` table), and product analytics is
used by viewing or saving insights. One in 200
also shows intent for llm_observability, which no model declares (the README's
example of adding a product) and no event of the set activates. Noise
events fill the set up to the requested size; a few rows have no
organization, and some events are sent twice with one uuid.

The simulation runs day by day and writes each day as it goes, so memory
stays small whatever the size: only events planned for future days are held.
The same arguments always give the same files.

    python scripts/generate_events.py --events 1000000 --out data/sample/events
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("uuid", pa.string()),
        ("event", pa.string()),
        ("timestamp", pa.timestamp("us")),
        ("distinct_id", pa.string()),
        ("properties", pa.string()),
        ("$group_0", pa.string()),
    ]
)
ROWS_PER_FILE = 2_000_000
ROWS_PER_GROUP = 250_000
DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Product:
    key: str
    # (event, count needed, properties) that make up activation
    activation: tuple[tuple[str, int, dict[str, str]], ...]
    window_days: int
    usage_events: tuple[str, ...]


PRODUCTS = (
    Product("session_replay", (("recording analyzed", 5, {}), ("replay list filter added", 1, {})), 30,
            ("recording analyzed",)),
    Product("product_analytics", (("insight saved", 3, {}), ("dashboard created", 1, {})), 30,
            ("insight viewed", "insight viewed", "insight saved")),
    Product("feature_flags", (("feature flag created", 2, {"filter_type": "property"}),
                              ("feature flag updated", 2, {"filter_type": "property"})), 14, ("feature flag updated",)),
    Product("experiments", (("experiment launched", 1, {}),), 14, ("experiment viewed",)),
    Product("surveys", (("survey launched", 1, {}),), 30, ("survey response viewed",)),
    Product("error_tracking", (("error tracking issue resolved", 1, {}),), 30, ("error tracking issue viewed",)),
    Product("data_warehouse", (("data warehouse source connected", 1, {}), ("sql query run", 1, {})), 30,
            ("sql query run",)),
)
# PostHog's intent query keeps realm = 'cloud'; self-hosted and older events differ
REALMS = ("cloud",) * 17 + ("hosted-clickhouse", "hosted-clickhouse", None)
WAREHOUSE_QUERIES = ("select * from stripe_charges", "select count() from hubspot_contacts",
                     "select plan, sum(amount) from stripe_invoices group by plan")
EVENTS_QUERIES = ("select count() from events", "select event from events limit 100")
INTENT_CONTEXTS = ("onboarding product selected", "product home", "quick start", "billing", "settings")
CROSS_SELL_CONTEXTS = (
    "taxonomic filter empty state",
    "create_experiment_from_funnel_button",
    "web_analytics_insight",
    "action_view_recordings",
    "feature_flag_create_insight",
)
NOISE_EVENTS = ("$pageview", "$autocapture", "$pageleave", "$identify")
NOISE_PROPERTIES = tuple(
    json.dumps({"$current_url": f"https://app.example.com/{page}", "$browser": browser})
    for page in ("home", "insights", "replay", "flags", "settings", "billing")
    for browser in ("Chrome", "Firefox", "Safari")
)

# (day offset, microsecond of day, event, org, distinct_id, properties)
Planned = tuple[int, int, str, str | None, str, str]


def hex_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.getrandbits(48):012x}"


def uuid_text(bits: int) -> str:
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{text[16:20]}-{text[20:32]}"


def with_realm(rng: random.Random, properties: Mapping[str, object]) -> str:
    realm = rng.choice(REALMS)
    return json.dumps(properties if realm is None else {**properties, "realm": realm})


def usage_properties(rng: random.Random, event: str, recordings: list[str], reads_events: float) -> str:
    """Properties of a product event: a recording (often one opened before), a filter, a query."""
    if event == "recording analyzed":
        if not recordings or rng.random() < 0.7:
            recordings.append(hex_id(rng, "rec_"))
        return json.dumps({"recording_id": rng.choice(recordings)})
    if event == "replay list filter added":
        return json.dumps({"filter_count": rng.randint(1, 3)})
    if event == "sql query run":
        return json.dumps({"query": rng.choice(EVENTS_QUERIES if rng.random() < reads_events else WAREHOUSE_QUERIES)})
    return "{}"


def intent_properties(rng: random.Random, product: str, cross_sell: bool) -> tuple[str, str]:
    """Event name and properties of one intent."""
    if cross_sell:
        if rng.random() < 0.5:
            other = rng.choice([p.key for p in PRODUCTS if p.key != product])
            properties = {"product_key": product, "intent_context": rng.choice(INTENT_CONTEXTS),
                          "type": "cross_sell", "from": other, "to": product}
        else:
            properties = {"product_key": product, "intent_context": rng.choice(CROSS_SELL_CONTEXTS)}
        return "user showed product intent", with_realm(rng, properties)
    key = product
    if rng.random() < 0.01:  # odd case and spaces: staging normalizes them
        key = f" {product.title()} "
    if rng.random() < 0.15:
        return "onboarding product selected", with_realm(
            rng, {"product_key": key, "intent_context": "onboarding product selected"})
    return "user showed product intent", with_realm(
        rng, {"product_key": key, "intent_context": rng.choice(INTENT_CONTEXTS), "is_first_intent_for_product": True})


def plan_org(rng: random.Random, signup_day: int, days: int) -> list[Planned]:
    """All product-related events of one organization, as day offsets."""
    org = hex_id(rng, "org_")
    users = [hex_id(rng, "user_") for _ in range(rng.randint(1, 5))]
    planned: list[Planned] = []

    def add(day: int, event: str, properties: str = "{}") -> None:
        if 0 <= day < days:
            planned.append((day, rng.randrange(DAY_US), event, org, rng.choice(users), properties))

    for product in rng.sample(PRODUCTS, rng.choice((1, 1, 2, 2, 3))):
        intent_day = signup_day + rng.choice((0, 0, 0, 1, 3, 10, 30))
        cross_sell_only = rng.random() < 0.04
        if cross_sell_only or rng.random() < 0.15:
            add(intent_day - rng.randint(1, 20), *intent_properties(rng, product.key, cross_sell=True))
        if cross_sell_only:
            continue
        add(intent_day, *intent_properties(rng, product.key, cross_sell=False))
        if rng.random() < 0.2:
            add(intent_day + rng.randint(5, 60), *intent_properties(rng, product.key, cross_sell=False))
        if rng.random() < 0.1:  # activity before intent never counts
            add(intent_day - rng.randint(1, 5), product.activation[0][0])
        engagement = rng.random()
        activated = engagement < 0.4
        recordings: list[str] = []
        for event, needed, properties in product.activation:
            if activated:
                count = needed + rng.randint(0, 3)
            elif engagement < 0.6:
                count = rng.randint(0, max(0, needed - 1))
            else:
                count = 0
            if event == "recording analyzed" and activated:
                # `count` different recordings, some opened again (these add nothing)
                recordings += [hex_id(rng, "rec_") for _ in range(count)]
                count += rng.randint(0, 3)
            for number in range(count):
                if properties:
                    text = json.dumps(properties)
                elif event == "recording analyzed" and activated:
                    text = json.dumps({"recording_id": recordings[number % len(recordings)]})
                else:
                    # an activating organization's first query reads warehouse tables
                    text = usage_properties(rng, event, recordings, 0.0 if activated and number == 0 else 0.3)
                add(intent_day + rng.randrange(product.window_days - 1), event, text)
            if properties and activated and rng.random() < 0.5:  # look-alikes that must not count
                add(intent_day + rng.randrange(product.window_days), event, json.dumps({"filter_type": "rollout"}))
        if rng.random() < (0.6 if activated else 0.25):
            for _ in range(rng.randint(1, 6)):
                event = rng.choice(product.usage_events)
                add(intent_day + rng.randint(60, 150), event, usage_properties(rng, event, recordings, 0.3))
    if rng.random() < 0.005:  # a product no model declares
        add(signup_day, "user showed product intent", json.dumps({"product_key": "llm_observability"}))
    return planned


def generate(out_dir: Path, events: int, seed: int = 42, start: dt.date = dt.date(2025, 1, 1),
             days: int = 365) -> int:
    """Writes about `events` rows to out_dir/events-NNNNN.parquet; returns the rows written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("events-*.parquet"):
        old.unlink()
    rng = random.Random(seed)
    org_count = max(40, events // 150)
    signups: dict[int, int] = defaultdict(int)
    for _ in range(org_count):
        signups[int(rng.random() ** 1.3 * days * 0.9)] += 1
    start_us = (start - dt.date(1970, 1, 1)).days * DAY_US
    pending: dict[int, list[Planned]] = defaultdict(list)
    active: list[tuple[str | None, list[str]]] = []
    writer = RollingWriter(out_dir)
    planned_per_org = 40.0
    orgs_seen = planned_total = 0
    for day in range(days):
        for _ in range(signups.get(day, 0)):
            planned = plan_org(rng, day, days)
            orgs_seen += 1
            planned_total += len(planned)
            planned_per_org = planned_total / orgs_seen
            for item in planned:
                pending[item[0]].append(item)
            active.append((planned[0][3], sorted({item[4] for item in planned})) if planned else (None, []))
        todays = pending.pop(day, [])
        orgs_left = org_count - orgs_seen
        budget = events - writer.rows - sum(map(len, pending.values())) - orgs_left * planned_per_org
        noise = max(0, int(budget / (days - day)) - len(todays))
        members = [entry for entry in active if entry[0] is not None]
        for _ in range(noise if members else 0):
            org, users = rng.choice(members)
            draw = rng.random()
            if draw < 0.01:
                org = None
            elif draw < 0.013:
                org = ""
            todays.append((day, rng.randrange(DAY_US), rng.choice(NOISE_EVENTS), org, rng.choice(users),
                           rng.choice(NOISE_PROPERTIES)))
        writer.write_day(rng, start_us + day * DAY_US, todays, pending, day)
    writer.close()
    return writer.rows


class RollingWriter:
    """Writes days of events into Parquet files of about ROWS_PER_FILE rows."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.rows = 0  # appended so far, flushed or not
        self.file_rows = 0
        self.files = 0
        self.writer: pq.ParquetWriter | None = None
        self.buffer: dict[str, list[object]] = {name: [] for name in SCHEMA.names}

    def write_day(self, rng: random.Random, day_start_us: int, todays: list[Planned],
                  pending: dict[int, list[Planned]], day: int) -> None:
        todays.sort(key=lambda item: item[1])
        for _, micro, event, org, user, properties in todays:
            uuid = uuid_text(rng.getrandbits(128))
            self.append(uuid, event, day_start_us + micro, user, properties, org)
            if rng.random() < 0.005:  # sent twice: the copy may arrive a day or two later
                later = rng.choice((0, 1, 2))
                if later:
                    pending[day + later].append((day, micro, event, org, user, properties))
                self.append(uuid, event, day_start_us + micro, user, properties, org)
        if len(self.buffer["uuid"]) >= ROWS_PER_GROUP:
            self.flush()

    def append(self, uuid: str, event: str, micros: int, user: str, properties: str, org: str | None) -> None:
        for name, value in zip(SCHEMA.names, (uuid, event, micros, user, properties, org)):
            self.buffer[name].append(value)
        self.rows += 1

    def flush(self) -> None:
        count = len(self.buffer["uuid"])
        if not count:
            return
        if self.writer is None or self.file_rows >= ROWS_PER_FILE:
            self.close_file()
            path = self.out_dir / f"events-{self.files:05d}.parquet"
            self.writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
            self.files += 1
        self.writer.write_table(pa.Table.from_pydict(self.buffer, schema=SCHEMA))
        self.file_rows += count
        self.buffer = {name: [] for name in SCHEMA.names}

    def close_file(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
            self.file_rows = 0

    def close(self) -> None:
        self.flush()
        self.close_file()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000, help="about how many rows to write")
    parser.add_argument("--out", type=Path, required=True, help="directory for the Parquet files")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2025, 1, 1))
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    began = time.perf_counter()
    rows = generate(args.out, args.events, args.seed, args.start, args.days)
    files = len(list(args.out.glob("events-*.parquet")))
    print(f"wrote {rows} events in {files} files to {args.out} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
