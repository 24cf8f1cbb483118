"""Report sections for a segmentation bundle (``record["kind"] == "segmentation"``)."""

from __future__ import annotations

from rightfit.report import _charts as charts
from rightfit.report._page import e, figure, fmt, table
from rightfit.report._tabular import cleaning, data_profile

CRITERIA = ("silhouette", "davies_bouldin", "calinski_harabasz", "bic", "stability")


def summary(record: dict) -> str:
    chosen = record["chosen"]
    stability = record.get("stability", {}).get("chosen")
    cards = [
        ("segments", f"{record['k']}", f"{chosen['algorithm']} (k={chosen['k']})"),
        ("stability", fmt(stability, 3), "agreement on bootstrap resamples (adjusted Rand)"),
        ("rows segmented", fmt(record["data"].get("n_segmented_rows")), record["data"]["source"]),
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
    return body + f"<p>{e(chosen.get('reason', ''))}</p>"


def choice(record: dict) -> str:
    candidates = record["candidates"]
    chosen = (record["chosen"]["algorithm"], record["chosen"]["k"])
    figs = [
        figure(charts.criteria_chart(candidates, name, chosen))
        for name in ("silhouette", "stability", "davies_bouldin", "bic")
        if any(c.get(name) is not None for c in candidates)
    ]
    body = f"<p>{e(record.get('selection_rule', ''))}</p>"
    body += f"<div class='charts'>{''.join(figs)}</div>"
    body += table(
        ["algorithm", "k", *[c.replace("_", " ") for c in CRITERIA], "smallest share", "status"],
        [
            [
                e(c["algorithm"]),
                fmt(c["k"]),
                *[fmt(c.get(n), 3) for n in CRITERIA],
                fmt(c.get("smallest_share"), 3),
                e(c.get("status", "")),
            ]
            for c in candidates
        ],
        set(range(1, 8)),
    )
    return body


def profiles(record: dict) -> str:
    body = "<ul>" + "".join(f"<li>{e(p['sentence'])}</li>" for p in record["profiles"]) + "</ul>"
    if record.get("map"):
        body += figure(charts.segment_map_chart(record["map"]))
    for p in record["profiles"]:
        rows = [
            [e(d["feature"]), *_values(d), fmt(d.get("effect"), 2)]
            for d in p["features"]
            if d.get("sets_apart")
        ]
        if rows:
            body += f"<h3>Segment {p['segment']} ({p['share']:.0%})</h3>"
            body += table(["feature", "segment", "overall", "effect (sd)"], rows, {3})
    return body


def _values(d: dict) -> list[str]:
    """(segment, overall) in the user's units: medians with the middle half, or a level's share."""
    if d.get("type") == "categorical":
        level = d["level"]
        return [f"{d['segment_share']:.0%} {e(level)}", f"{d['overall_share']:.0%} {e(level)}"]
    return [
        f"median {fmt(d['segment_median'], 2)} ({fmt(d['segment_low'], 2)}–"
        f"{fmt(d['segment_high'], 2)})",
        f"median {fmt(d['overall_median'], 2)}",
    ]


SECTIONS = [
    ("summary", "Summary", summary),
    ("profiles", "Segments in plain words", profiles),
    ("choice", "How k and the algorithm were chosen", choice),
    ("data", "Data profile", data_profile),
    ("cleaning", "Cleaning log", cleaning),
]
