"""Renders the mart, the candidates and the evidence models as one self-contained HTML page.

Per product: its definition in words; organizations with intent, activated
and retained by intent month, immature months shaded (their retention is not
final); activation rate, baseline survival and retention of the activated
with their 95% intervals as bands, immature months as open markers off the
lines; retention curves of the activated against the not activated (when
activation_retention_curves is built); time to activate; the candidate
definitions with their intervals and the recommendation's reason; and the
top discovery signals (when activation_signals is built). Charts are inline
SVG (matplotlib): the page needs no network and opens from disk. How to read
the intervals: docs/evidence.md.

    python scripts/report.py --out target/activation_report.html
    python scripts/report.py --engine clickhouse --out target/activation_report.html
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("svg")  # no display needed
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, selectable
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

import show_mart  # noqa: E402  (scripts/ is on the path when run as a script)

MART = "select * from activation_funnel_monthly order by product, intent_month"
CANDIDATES = "select * from activation_candidates order by product, candidate"
CLOCK = "select as_of from int_activation_clock"
PRODUCTS = "select * from int_activation_products order by product"
TIME_TO_ACTIVATE = "select * from activation_time_to_activate order by product, intent_month"
# built only when asked (vars build_retention_curves, build_signals): absent, their sections say how
CURVES = "select * from activation_retention_curves order by product, intent_month, months_after_intent"
SIGNALS = "select * from activation_signals where signal_rank <= 10 order by product, signal_rank"
Rows = list[dict[str, Any]]


def svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: inline in HTML


def month_axis(first: date, last: date) -> list[str]:
    """Every month from `first` to `last` as YYYY-MM, months without intents included."""
    return [str(month) for month in np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)]


def funnel_chart(product: str, months: list[dict[str, Any]]) -> str:
    """Bars per intent month on a continuous monthly axis: a month without
    intents keeps its place, empty, so that gaps show as gaps."""
    figure, axes = plt.subplots(figsize=(8, 3.2))
    by_month = {row["intent_month"].strftime("%Y-%m"): row for row in months}
    labels = month_axis(min(row["intent_month"] for row in months), max(row["intent_month"] for row in months))
    rows = [by_month.get(label) for label in labels]
    plotted = [(position, row) for position, row in enumerate(rows) if row is not None]
    width = 0.27
    for offset, column, name in ((-width, "intent_orgs", "intent"), (0, "activated_orgs", "activated"),
                                 (width, "retained_orgs", "retained")):
        axes.bar([position + offset for position, _ in plotted], [row[column] for _, row in plotted], width,
                 label=name)
    for position, row in plotted:
        if not row["is_mature"]:
            # the id names the month in the SVG, for readers of the markup and for the tests
            axes.axvspan(position - 0.5, position + 0.5, color="0.9", zorder=0,
                         gid=f"immature-{product}-{labels[position]}")
    axes.set_xlim(-0.5, len(labels) - 0.5)
    # every month has a tick; past two years only every n-th is labelled
    step = -(-len(labels) // 24)
    axes.set_xticks(range(len(labels)), [label if index % step == 0 else "" for index, label in enumerate(labels)],
                    rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("organizations")
    axes.set_title(f"{product}: intent, activated, retained (shaded: immature month)", fontsize=10)
    # outside the plot area, right of it, so that it covers no bar
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return svg(figure)


def candidates_chart(product: str, candidates: list[dict[str, Any]]) -> str:
    """The chart and, under it, the candidates it cannot place (no lift: nobody
    activated, or nobody survived). Candidates on one point share one label."""
    figure, axes = plt.subplots(figsize=(5, 3.2))
    labels: dict[tuple[float, float], list[str]] = {}
    unplotted = []
    for row in candidates:
        rate, lift = row["activation_rate"], row["retention_lift"]
        if rate is None or lift is None:
            unplotted.append(row["candidate"])
            continue
        recommended = bool(row["is_recommended"])
        axes.scatter([rate], [lift], s=60 if recommended else 30, zorder=3,
                     color="tab:green" if recommended else "tab:gray",
                     gid=f"{'recommended' if recommended else 'candidate'}-{product}-{row['candidate']}")
        labels.setdefault((rate, lift), []).append(row["candidate"] + (" (recommended)" if recommended else ""))
    for point, names in labels.items():
        axes.annotate(", ".join(names), point, fontsize=7, xytext=(4, 3), textcoords="offset points")
    axes.axhline(1.0, color="0.6", linewidth=0.8, linestyle="--")
    axes.set_xlabel("activation rate")
    axes.set_ylabel("retention lift")
    axes.set_title(f"{product}: candidate definitions", fontsize=10)
    caption = f"<figcaption>not plotted (no lift): {html.escape(', '.join(unplotted))}</figcaption>"
    return svg(figure) + (caption if unplotted else "")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def interval(row: dict[str, Any], column: str, as_percent: bool = True) -> str:
    """A figure with its 95% interval, e.g. 66.7% [20.8%, 93.9%]; a dash when null."""
    def shown(value: float | None) -> str:
        return percent(value) if as_percent else ("–" if value is None else f"{value:.2f}")
    if row.get(column) is None:
        return "–"
    return f"{shown(row[column])} [{shown(row.get(column + '_low'))}, {shown(row.get(column + '_high'))}]"


def criteria_words(criteria: Any) -> str:
    """Criteria (JSON text or a list) in words: '5 × different recordings (recording analyzed) and
    1 × replay list filter added'. Forms this page does not know are shown as their JSON."""
    items = json.loads(criteria) if isinstance(criteria, str) else criteria
    return " and ".join(criterion_words(item) for item in items or []) or "none"


def criterion_words(item: Any) -> str:
    """One criterion of the language (docs/criteria.md) in words."""
    if isinstance(item, dict) and item.get("any_of"):
        return "(" + " or ".join(criterion_words(part) for part in item["any_of"]) + ")"
    if not isinstance(item, dict) or "event" not in item:
        return json.dumps(item)
    event = item["event"]
    name = " or ".join(event) if isinstance(event, list) else str(event)
    if item.get("distinct"):
        noun = item.get("label") or f"different {json.dumps(item['distinct'])} values"
        text = f"{item.get('min_count', 1)} {noun} of {name}"
    else:
        text = f"{item.get('min_count', 1)} × {name}"
    if item.get("properties"):
        text += f" where {json.dumps(item['properties'])}"
    for condition in item.get("where") or []:
        value = f" {json.dumps(condition['value'])}" if "value" in condition else ""
        text += f" where {json.dumps(condition['property'])} {condition.get('op', 'eq')}{value}"
    return text


def definition_words(product: dict[str, Any]) -> str:
    contexts = product.get("intent_contexts")
    return (f"Activated: {criteria_words(product['activation_criteria'])} within "
            f"{product['activation_window_days']} days of intent. Survived: "
            f"{criteria_words(product['survival_criteria'])} in months {product['survival_window_start_months']}"
            f" to {product['survival_window_end_months']} after intent"
            + (f". Intent contexts: {', '.join(json.loads(contexts))}" if contexts else "") + ".")


def rates_chart(product: str, months: Rows) -> str:
    """Activation rate, baseline survival and retention of the activated per intent month, each
    with its 95% Wilson band over mature months; immature months as open markers, off the lines
    and bands, since their survival is not final."""
    figure, axes = plt.subplots(figsize=(8, 3.2))
    labels = month_axis(min(row["intent_month"] for row in months), max(row["intent_month"] for row in months))
    position = {label: index for index, label in enumerate(labels)}
    for column, colour in (("activation_rate", "tab:blue"), ("baseline_survival_rate", "tab:gray"),
                           ("retention_rate", "tab:green")):
        mature = [row for row in months if row["is_mature"] and row[column] is not None]
        xs = [position[row["intent_month"].strftime("%Y-%m")] for row in mature]
        axes.plot(xs, [row[column] for row in mature], marker="o", color=colour, label=column.replace("_", " "))
        lows, highs = [row[column + "_low"] for row in mature], [row[column + "_high"] for row in mature]
        axes.fill_between(xs, lows, highs, color=colour, alpha=0.15, linewidth=0)
        # bars too: a band needs two months to show
        axes.errorbar(xs, [row[column] for row in mature],
                      yerr=[[row[column] - low for row, low in zip(mature, lows)],
                            [high - row[column] for row, high in zip(mature, highs)]],
                      fmt="none", ecolor=colour, alpha=0.5, capsize=3)
        for row in months:
            if not row["is_mature"] and row[column] is not None:
                month = row["intent_month"].strftime("%Y-%m")
                axes.scatter([position[month]], [row[column]], facecolors="none", edgecolors=colour, zorder=3,
                             gid=f"partial-{column}-{product}-{month}")
    axes.set_xlim(-0.5, len(labels) - 0.5)
    axes.set_ylim(0, 1)
    step = -(-len(labels) // 24)
    axes.set_xticks(range(len(labels)), [label if index % step == 0 else "" for index, label in enumerate(labels)],
                    rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("share")
    axes.set_title(f"{product}: rates with 95% intervals (open marker: immature, not final)", fontsize=10)
    axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return svg(figure)


def curves_chart(product: str, points: Rows) -> str:
    """Survival in month k after intent, activated against not activated, pooled over the intent
    months whose month-k window has closed (each point's organizations summed)."""
    figure, axes = plt.subplots(figsize=(5, 3.2))
    for group, colour in (("activated", "tab:green"), ("not_activated", "tab:gray")):
        by_k: dict[int, list[int]] = {}
        for row in points:
            totals = by_k.setdefault(row["months_after_intent"], [0, 0])
            totals[0] += row[f"{group}_survived_orgs"]
            totals[1] += row[f"{group}_orgs"]
        ks = sorted(k for k, (_, orgs) in by_k.items() if orgs)
        axes.plot(ks, [by_k[k][0] / by_k[k][1] for k in ks], marker="o", color=colour,
                  label=group.replace("_", " "), gid=f"curve-{group}-{product}")
    axes.set_ylim(0, 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("months after intent")
    axes.set_ylabel("share using the product")
    axes.set_title(f"{product}: retention curves", fontsize=10)
    axes.legend(fontsize=8, frameon=False)
    return svg(figure)


def html_table(class_name: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{class_name}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def time_to_activate_table(rows: Rows) -> str:
    return "<h3>Time to activate (days from intent, nearest rank)</h3>" + html_table(
        "time-to-activate", ["intent month", "activated", "median", "p75", "p90", "final"],
        [[row["intent_month"].strftime("%Y-%m"), str(row["activated_orgs"]), days(row["median_days"]),
          days(row["p75_days"]), days(row["p90_days"]), "yes" if row["is_final"] else "no: windows still open"]
         for row in rows])


def recommendation_reason(candidates: Rows) -> str:
    recommended = next((row for row in candidates if row["is_recommended"]), None)
    if recommended is None:
        return ("No candidate is recommended: none is both broad and large enough with its activated"
                " organizations retaining better than the baseline.")
    reason = (f"Recommended: {recommended['candidate']}, the best among the eligible candidates"
              f" (retention {interval(recommended, 'retention_rate')}, lift "
              f"{'–' if recommended['retention_lift'] is None else format(recommended['retention_lift'], '.2f')}).")
    if recommended["is_lead_clear"]:
        reason += " Its lead is clear: its interval on the deciding figure lies above the runner-up's."
    else:
        reason += (" Its lead is not clear: its interval on the deciding figure overlaps the runner-up's,"
                   " so the data do not tell the two apart.")
    if not recommended["is_separation_shown"]:
        reason += (" Its relative survival is not shown above 1 (its interval includes 1, or a zero cell"
                   " leaves it undefined): not shown to separate retainers.")
    return reason


def candidates_table(candidates: Rows) -> str:
    rows = [[row["candidate"], "yes" if row["is_recommended"] else "", str(row["activated_orgs"]),
             interval(row, "activation_rate"), interval(row, "retention_rate"),
             interval(row, "relative_survival", as_percent=False),
             "yes" if row["is_separation_shown"] else "no"] for row in candidates]
    return ("<h3>Candidate definitions (mature months, 95% intervals)</h3>"
            + html_table("candidates", ["candidate", "recommended", "activated", "activation rate",
                                        "retention of activated",
                                        "relative survival", "separates retainers"], rows)
            + f'<p class="reason">{html.escape(recommendation_reason(candidates))}</p>')


def signals_table(signals: Rows) -> str:
    rows = [[str(row["signal_rank"]), f"{row['event_name']} ≥ {row['min_events']}", str(row["reached_orgs"]),
             interval(row, "reached_survival_rate"), interval(row, "relative_survival", as_percent=False)]
            for row in signals]
    return ("<h3>Discovery: top signals in the activation window</h3>"
            + html_table("signals", ["rank", "event at least", "organizations", "their survival",
                                     "relative survival"], rows))


def as_rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()


def render(mart: Rows, candidates: Rows, as_of: Any = None, products: Rows | None = None,
           time_to_activate: Rows | None = None, curves: Rows | None = None, signals: Rows | None = None) -> str:
    """The page; the evidence arguments are optional (None: that model was not built)."""
    definitions = {row["product"]: row for row in products or []}
    sections = []
    for product in sorted({row["product"] for row in mart}):
        months = [row for row in mart if row["product"] == product]
        product_candidates = [row for row in candidates if row["product"] == product]
        charts = [funnel_chart(product, months), rates_chart(product, months)]
        if len(product_candidates) > 1:
            charts.append(candidates_chart(product, product_candidates))
        product_curves = [row for row in curves or [] if row["product"] == product]
        if product_curves:
            charts.append(curves_chart(product, product_curves))
        parts = []
        if product in definitions:
            parts.append(f'<p class="definition">{html.escape(definition_words(definitions[product]))}</p>')
        parts += [f'<figure class="chart">{chart}</figure>' for chart in charts]
        if curves is None:
            parts.append('<p class="not-built">Retention curves: not built (dbt build -s activation_retention_curves'
                         " --vars '{build_retention_curves: true}').</p>")
        product_times = [row for row in time_to_activate or [] if row["product"] == product]
        if product_times:
            parts.append(time_to_activate_table(product_times))
        if product_candidates:
            parts.append(candidates_table(product_candidates))
        product_signals = [row for row in signals or [] if row["product"] == product]
        if product_signals:
            parts.append(signals_table(product_signals))
        elif signals is None:
            parts.append('<p class="not-built">Discovery: not built (dbt build -s activation_signals'
                         " --vars '{build_signals: true}').</p>")
        sections.append(f'<section class="product" id="{html.escape(product)}"><h2>{html.escape(product)}</h2>'
                        + "".join(parts) + "</section>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Product activation</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}} figure{{display:inline-block;margin:0 1em 1em 0}}
svg{{max-width:100%;height:auto}} table{{border-collapse:collapse;margin:0.5em 0 1em}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:0.85em;text-align:left}}</style></head>
<body><h1>Product activation</h1>
<p id="as-of">Figures as of {html.escape(str(as_of))} (the latest event, or var as_of).</p>
<p>Per product and intent month: organizations that showed intent, those that activated, and those
activated that still used the product in month 3. Shaded months are not mature yet: their survival
windows are still open, so their retention is not final. Months without intents keep their place on
the axis, empty. The rates chart draws each rate with its 95% interval as a band over mature months;
an immature month is an open marker, not on the line. Second chart, for products with candidate
definitions: each one's activation rate against its retention lift over mature months (above 1: the
organizations it activates retain better than the product's average). Intervals that overlap do not
tell two figures apart; a relative survival whose interval includes 1 does not show that activation
separates retainers (docs/evidence.md).</p>
{"".join(sections)}
</body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["duckdb", "clickhouse"], default="duckdb")
    parser.add_argument("--database", default=os.environ.get("ACTIVATION_DUCKDB_PATH", "target/activation.duckdb"),
                        help="DuckDB file the project was built into")
    parser.add_argument("--out", type=Path, default=Path("target/activation_report.html"))
    args = parser.parse_args()
    write_report(args.engine, args.database, args.out)
    print(f"wrote {args.out}")


def query(engine: str, database: str, sql: str) -> Rows:
    """The rows of one query, as dicts."""
    return as_rows(show_mart.fetch(engine, sql, database))


def optional_query(engine: str, database: str, sql: str) -> Rows | None:
    """The rows of a model built only when asked; None when it is not there."""
    try:
        return query(engine, database, sql)
    except Exception:  # noqa: BLE001 - each engine raises its own error for a missing table
        return None


def write_report(engine: str, database: str, out: Path) -> None:
    mart = query(engine, database, MART)
    candidates = query(engine, database, CANDIDATES)
    as_of = next(iter(query(engine, database, CLOCK)), {}).get("as_of")
    page = render(mart, candidates, as_of=as_of, products=query(engine, database, PRODUCTS),
                  time_to_activate=query(engine, database, TIME_TO_ACTIVATE),
                  curves=optional_query(engine, database, CURVES), signals=optional_query(engine, database, SIGNALS))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page)


if __name__ == "__main__":
    main()
