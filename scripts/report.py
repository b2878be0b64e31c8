"""Renders the mart and the candidates as one self-contained HTML page.

Per product: organizations with intent, activated and retained by intent
month, immature months shaded (their retention is not final); and, per
candidate definition, activation rate against retention lift, the
recommended one highlighted. Charts are inline SVG (matplotlib): the page
needs no network and opens from disk.

    python scripts/report.py --out target/activation_report.html
    python scripts/report.py --engine clickhouse --out target/activation_report.html
"""

from __future__ import annotations

import argparse
import html
import io
import os
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("svg")  # no display needed
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, selectable
import matplotlib.pyplot as plt  # noqa: E402

import show_mart  # noqa: E402  (scripts/ is on the path when run as a script)

MART = "select * from activation_funnel_monthly order by product, intent_month"
CANDIDATES = "select * from activation_candidates order by product, candidate"


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


def as_rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()


def render(mart: list[dict[str, Any]], candidates: list[dict[str, Any]]) -> str:
    sections = []
    for product in sorted({row["product"] for row in mart}):
        months = [row for row in mart if row["product"] == product]
        product_candidates = [row for row in candidates if row["product"] == product]
        charts = [funnel_chart(product, months)]
        if len(product_candidates) > 1:
            charts.append(candidates_chart(product, product_candidates))
        sections.append(f'<section class="product" id="{html.escape(product)}"><h2>{html.escape(product)}</h2>'
                        + "".join(f'<figure class="chart">{chart}</figure>' for chart in charts) + "</section>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Product activation</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}} figure{{display:inline-block;margin:0 1em 1em 0}}
svg{{max-width:100%;height:auto}}</style></head>
<body><h1>Product activation</h1>
<p>Per product and intent month: organizations that showed intent, those that activated, and those
activated that still used the product in month 3. Shaded months are not mature yet: their survival
windows are still open, so their retention is not final. Months without intents keep their place on
the axis, empty. Second chart, for products with candidate
definitions: each one's activation rate against its retention lift over mature months (above 1: the
organizations it activates retain better than the product's average).</p>
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


def write_report(engine: str, database: str, out: Path) -> None:
    mart = as_rows(show_mart.fetch(engine, MART, database))
    candidates = as_rows(show_mart.fetch(engine, CANDIDATES, database))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(mart, candidates))


if __name__ == "__main__":
    main()
