"""Report sections for a recommender bundle (``record["kind"] == "recommendation"``)."""

from __future__ import annotations

from rightfit.report import _charts as charts
from rightfit.report._page import e, figure, fmt, table

METRICS = ("precision", "recall", "ndcg", "map", "coverage")


def summary(record: dict) -> str:
    chosen = record["chosen"]
    at10 = record["metrics_at_10"]
    best, base = at10[chosen["family"]], at10.get("popularity", {})
    lift = record.get("lift_over_popularity") or {}
    cards = [
        ("chosen", chosen["family"], "by validation NDCG@10 on training users' latest events"),
        ("NDCG@10", fmt(best.get("ndcg"), 4), f"popularity {fmt(base.get('ndcg'), 4)}"),
        ("recall@10", fmt(best.get("recall"), 4), f"popularity {fmt(base.get('recall'), 4)}"),
        ("lift over popularity", f"{lift.get('ndcg_at_10', 0):+.1%}", "NDCG@10, all users"),
    ]
    body = (
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><div class='label'>{e(a)}</div><div class='value'>{e(b)}</div>"
            f"<div class='sub'>{e(c)}</div></div>"
            for a, b, c in cards
        )
        + "</div>"
    )
    body += f"<p>{e(chosen.get('reason', ''))}</p>"
    cold = record.get("cold_start") or {}
    if cold.get("note"):
        body += f"<p><b>Cold start:</b> {e(cold['note'])}</p>"
    return body


def candidates(record: dict) -> str:
    names = list(record["metrics_at_10"])
    at10 = record["metrics_at_10"]
    body = figure(
        charts.grouped_bars(
            names,
            {m: [at10[n].get(m) or 0.0 for n in names] for m in ("precision", "recall", "ndcg")},
            "score at k=10 (held-out interactions)",
            "Candidates against the popularity baseline",
        )
    )
    for k, key in ((10, "metrics_at_10"), (5, "metrics_at_5")):
        metrics = record.get(key) or {}
        body += f"<h3>At k = {k}</h3>" + table(
            ["candidate", *METRICS],
            [[e(n), *[fmt(metrics[n].get(m), 4) for m in METRICS]] for n in metrics],
            set(range(1, len(METRICS) + 1)),
        )
    return body


def evaluation_design(record: dict) -> str:
    split = record.get("split") or {}
    interactions = record.get("interactions") or {}
    rows = [[e(k.replace("_", " ")), e(v)] for k, v in interactions.items()]
    body = f"<p>{e(split.get('description', ''))}</p>"
    if rows:
        body += table(["interactions", ""], rows)
    delivered = record.get("delivered_model") or {}
    if delivered:
        body += table(["delivered model", ""], [[e(k), e(v)] for k, v in delivered.items()])
    return body


SECTIONS = [
    ("summary", "Summary", summary),
    ("candidates", "Candidates and metrics", candidates),
    ("design", "How it was evaluated", evaluation_design),
]
