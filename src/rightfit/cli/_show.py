"""Plain-text views of a bundle record for the terminal."""

from __future__ import annotations

import math
from pathlib import Path


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


def leaderboard_lines(record: dict, top: int = 10) -> list[str]:
    """The best trial of each family (the full list is in ``rightfit info --json``)."""
    entries = record["leaderboard"]["entries"]
    metric = record["metric"]
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["family"]] = counts.get(e["family"], 0) + 1
    best: dict[str, dict] = {}
    for e in entries:  # entries are ranked: a family's first ok entry is its best
        if e["status"] == "ok":
            best.setdefault(e["family"], e)
    for e in entries:  # families with no successful trial show their first failure
        best.setdefault(e["family"], e)
    lines = [
        f"  {'family':<14} {'best cv ' + metric:>16} {'± std':>9} {'seconds':>8} "
        f"{'trials':>7}  status"
    ]
    for family, e in list(best.items())[:top]:
        lines.append(
            f"  {family:<14} {_fmt(e['cv_score']):>16} {_fmt(e['cv_std']):>9} "
            f"{e['fit_seconds']:>8.1f} {counts[family]:>7}  {e['status']}"
        )
    lines.append(f"  {len(entries)} trials in all (each with its parameters: rightfit info --json)")
    return lines


def evaluation_lines(record: dict) -> list[str]:
    evaluation = record.get("evaluation")
    if not evaluation:
        return ["  no blind test (--test-size 0): only cross-validated scores are available"]
    from rightfit.evaluate import Evaluation

    ev = Evaluation.from_dict(evaluation)
    return [f"  {line}" for line in ev.summary_lines()]


def chosen_line(record: dict) -> str:
    chosen = record["chosen"]
    members = chosen["members"]
    if chosen["kind"] == "single":
        return (
            f"{members[0]['family']} (trial {members[0]['trial']}), cv {_fmt(chosen['cv_score'])}"
        )
    parts = ", ".join(f"{m['family']} x{m['weight']:.2f}" for m in members)
    return f"ensemble of {parts}, cv {_fmt(chosen['cv_score'])}"


def fit_summary(record: dict, path: Path, seconds: float) -> str:
    lines = [
        "",
        f"{record['task']} model for {record['target']!r}, selected by {record['metric']}",
        f"chosen: {chosen_line(record)}",
        "leaderboard, best trial per family (cross-validated on the training rows):",
        *leaderboard_lines(record),
        "blind test:",
        *evaluation_lines(record),
        f"delivered model: fitted on {record['delivered_model']['fitted_on']}",
        f"saved to {path} in {seconds:.1f} s (budget {record['time_budget']:.0f} s)",
    ]
    return "\n".join(lines)


def record_summary(record: dict) -> str:
    from rightfit.clean import CleaningLog
    from rightfit.profile import Profile

    data = record["data"]
    lines = [
        f"rightfit {record['rightfit_version']} bundle, created {record['created_at']}",
        f"task {record['task']}, target {record['target']!r}, metric {record['metric']}, "
        f"budget {record['time_budget']:.0f} s, seed {record['seed']}",
        f"data: {data['source']} ({data['n_rows']:,} rows x {data['n_columns']} columns, "
        f"sha256 {str(data['sha256'])[:12]})",
        "",
        "profile:",
        *[f"  {line}" for line in Profile.from_dict(record["profile"]).summary_lines()],
        "",
        "cleaning log:",
        *[f"  {line}" for line in CleaningLog.from_dict(record["cleaning_log"]).lines()],
        "",
        f"split: {record['split']['description']}",
        "",
        "plan:",
        *[f"  try {c['name']}: {c['reason']}" for c in record["plan"]["candidates"]],
        *[f"  skip {k}: {v}" for k, v in record["plan"]["excluded"].items()],
        "",
        f"search: {record['search']['n_trials']} trials in {record['search']['seconds']:.1f} s "
        f"({record['search']['stop_reason']})",
        *leaderboard_lines(record),
        f"chosen: {chosen_line(record)}",
        "",
        "blind test:",
        *evaluation_lines(record),
        "",
        f"delivered model: fitted on {record['delivered_model']['fitted_on']}"
        + (
            f" ({record['delivered_model']['note']})" if "note" in record["delivered_model"] else ""
        ),
    ]
    return "\n".join(lines)
