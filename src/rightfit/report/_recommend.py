"""Report sections for a recommender bundle (``record["kind"] == "recommendation"``).

A lift over popularity means little without the rules it was measured under and how sure it
is, so the page states the protocol in plain words (are already-bought items excluded, how
many held-out purchases were re-purchases), who was evaluated (cold-start users get popular
items from every candidate, so the users with a history are where candidates differ), and each
candidate's lift with its 95 % interval and verdict. The plain-words helpers are shared with
the terminal summary (``rightfit.cli._show``). Records from older runs lack some keys: every
read is a ``.get`` and a missing part is left out.
"""

from __future__ import annotations

from rightfit.report import _charts as charts
from rightfit.report._page import e, figure, fmt, table

METRICS = ("precision", "recall", "ndcg", "map", "coverage")
BOOTSTRAP_METRICS = (("ndcg_at_10", "NDCG@10"), ("recall_at_10", "recall@10"))


def protocol_words(record: dict) -> list[str]:
    """The evaluation protocol in two plain sentences (the second when the share is known)."""
    protocol = record.get("protocol") or {}
    repeats = bool(record.get("repeats", protocol.get("repeats_allowed", False)))
    if repeats:
        words = [
            "Already-bought items included (--repeats): they may be recommended and "
            "re-purchases count as targets, for every candidate, popularity included."
        ]
    else:
        words = [
            "Already-bought items excluded (the default): never recommended and not counted "
            "as targets, for every candidate, popularity included."
        ]
    share = protocol.get("repeat_share_of_held_out_pairs")
    if share is not None:
        held_out = (
            f"{share * 100:.1f} % of the held-out purchases of users with a history were "
            "re-purchases of items they had bought before"
        )
        words.append(
            f"{held_out}; they count as targets here."
            if repeats
            else f"{held_out}; run with --repeats to recommend them."
        )
    return words


def user_counts(record: dict) -> tuple[int, int] | None:
    """(users with a history, cold-start users) among the evaluated users, when recorded."""
    cold = record.get("cold_start") or {}
    evaluated, n_cold = cold.get("evaluated_users"), cold.get("cold_start_users")
    if evaluated is None or n_cold is None:
        return None
    return evaluated - n_cold, n_cold


def users_words(record: dict) -> str | None:
    """How many evaluated users had a history and how many were cold-start."""
    counts = user_counts(record)
    if counts is None:
        return None
    known, cold = counts
    return (
        f"{known + cold:,} users evaluated: {known:,} with a purchase history and {cold:,} "
        "cold-start (no history: every candidate serves them the most popular items, all-time "
        "or, for trending and candidates with a popularity half-life, recent ones)."
    )


def signed(value: float | None, digits: int = 4) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def interval(ci: dict | None, digits: int = 4) -> str:
    """``+0.0120 [+0.0040, +0.0200]`` from a ``lift_ci`` metric entry."""
    if not ci:
        return "–"
    low, high = ci.get("ci95") or (None, None)
    return f"{signed(ci.get('difference'), digits)} [{signed(low, digits)}, {signed(high, digits)}]"


def verdicts(candidate: dict) -> list[str]:
    """The candidate's verdicts against popularity (all users, then users with a history)."""
    return [candidate[k] for k in ("verdict", "verdict_known_users") if candidate.get(k)]


def _chosen(record: dict) -> dict:
    family = record["chosen"]["family"]
    return next((c for c in record.get("candidates") or [] if c.get("family") == family), {})


def _cards(record: dict) -> list[tuple[str, str, str]]:
    chosen = record["chosen"]
    at10 = record["metrics_at_10"]
    best, base = at10[chosen["family"]], at10.get("popularity", {})
    lift = record.get("lift_over_popularity") or {}
    entry = _chosen(record)
    counts = user_counts(record)
    everyone = f" · all {sum(counts):,} users" if counts else ""
    cards = [
        ("chosen", chosen["family"], "by validation NDCG@10 on training users' latest events"),
        ("NDCG@10", fmt(best.get("ndcg"), 4), f"popularity {fmt(base.get('ndcg'), 4)}{everyone}"),
    ]
    known = entry.get("at_10_known_users")
    base_known = next(
        (
            c.get("at_10_known_users") or {}
            for c in record.get("candidates") or []
            if c.get("family") == "popularity"
        ),
        {},
    )
    if known:
        cards.append(
            (
                "NDCG@10, users with a history",
                fmt(known.get("ndcg"), 4),
                f"popularity {fmt(base_known.get('ndcg'), 4)}"
                + (f" · {counts[0]:,} users" if counts else ""),
            )
        )
    cards.append(
        ("recall@10", fmt(best.get("recall"), 4), f"popularity {fmt(base.get('recall'), 4)}")
    )
    ci = (entry.get("lift_ci") or {}).get("ndcg_at_10")
    cards.append(
        (
            "lift over popularity",
            f"{lift.get('ndcg_at_10') or 0:+.1%}",
            f"NDCG@10, all users; difference {interval(ci)} (95 %)" if ci else "NDCG@10, all users",
        )
    )
    return cards


def summary(record: dict) -> str:
    body = (
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><div class='label'>{e(a)}</div><div class='value'>{e(b)}</div>"
            f"<div class='sub'>{e(c)}</div></div>"
            for a, b, c in _cards(record)
        )
        + "</div>"
    )
    found = verdicts(_chosen(record))
    if found:
        body += "<p><b>Against popularity (95 % interval):</b></p><ul class='tight'>"
        body += "".join(f"<li>{e(v)}</li>" for v in found) + "</ul>"
    body += f"<p>{e(record['chosen'].get('reason', ''))}</p>"
    body += f"<p><b>Protocol:</b> {e(' '.join(protocol_words(record)))}</p>"
    users = users_words(record)
    if users:
        body += f"<p><b>Users:</b> {e(users)}</p>"
    cold = record.get("cold_start") or {}
    if cold.get("note"):
        body += f"<p><b>Cold start:</b> {e(cold['note'])}</p>"
    return body


def _group_table(record: dict) -> str:
    """NDCG and recall at 10 for all users beside the users with a history and cold-start."""
    evaluated = [c for c in record.get("candidates") or [] if c.get("at_10")]
    if not any(c.get("at_10_known_users") for c in evaluated):
        return ""
    counts = user_counts(record)
    known, cold = counts if counts else ("?", "?")
    headers = [
        "candidate",
        "NDCG@10 all users",
        "recall@10 all users",
        f"NDCG@10 with a history ({fmt(known)})",
        f"recall@10 with a history ({fmt(known)})",
        f"NDCG@10 cold-start ({fmt(cold)})",
    ]
    rows = [
        [
            e(c["family"]),
            fmt(c["at_10"].get("ndcg"), 4),
            fmt(c["at_10"].get("recall"), 4),
            fmt((c.get("at_10_known_users") or {}).get("ndcg"), 4),
            fmt((c.get("at_10_known_users") or {}).get("recall"), 4),
            fmt((c.get("at_10_cold_start_users") or {}).get("ndcg"), 4),
        ]
        for c in evaluated
    ]
    return "<h3>All users and users with a history (k = 10)</h3>" + table(
        headers, rows, set(range(1, len(headers)))
    )


def _lift_table(record: dict) -> str:
    """Each candidate's difference from popularity with its interval, P(better) and verdict."""
    rows = []
    for c in record.get("candidates") or []:
        for suffix, who in (("", "all users"), ("_known_users", "with a history")):
            ci = c.get(f"lift_ci{suffix}")
            if not ci:
                continue
            cells = [e(c["family"]), e(who)]
            for key, _ in BOOTSTRAP_METRICS:
                cells += [e(interval(ci.get(key))), fmt((ci.get(key) or {}).get("p_better"), 3)]
            rows.append([*cells, e(c.get(f"verdict{suffix}", ""))])
    if not rows:
        return ""
    method = (record.get("lift_uncertainty") or {}).get("method", "paired bootstrap over users")
    resamples = (record.get("lift_uncertainty") or {}).get("resamples")
    note = f"{method}" + (f"; {resamples:,} resamples" if resamples else "")
    headers = ["candidate", "users"]
    for _, label in BOOTSTRAP_METRICS:
        headers += [f"{label} difference [95 % interval]", "P(better)"]
    return (
        "<h3>Against popularity: difference with its 95 % interval</h3>"
        + table([*headers, "verdict"], rows, {2, 3, 4, 5})
        + f"<p class='muted'>{e(note)}. Reported only: the choice is made on validation.</p>"
    )


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
    body += _lift_table(record) + _group_table(record)
    for k, key in ((10, "metrics_at_10"), (5, "metrics_at_5")):
        metrics = record.get(key) or {}
        body += f"<h3>At k = {k}, all users</h3>" + table(
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
    body += "".join(f"<p>{e(s)}</p>" for s in protocol_words(record))
    protocol = record.get("protocol") or {}
    rules = [
        [e(k.replace("_", " ")), e(protocol[k])]
        for k in ("repeats", "targets", "served_lists", "users_counted", "repeat_note")
        if protocol.get(k)
    ]
    if rules:
        body += table(["protocol", ""], rules)
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
