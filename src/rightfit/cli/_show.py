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
    blind = record.get("blind_test") or {}
    warning = [f"  [warning] {blind[k]}" for k in ("near_perfect", "seen_entities") if blind.get(k)]
    return [f"  {line}" for line in ev.summary_lines()] + warning


def chosen_line(record: dict) -> str:
    chosen = record["chosen"]
    members = chosen["members"]
    if chosen["kind"] == "single":
        return (
            f"{members[0]['family']} (trial {members[0]['trial']}), cv {_fmt(chosen['cv_score'])}"
        )
    parts = ", ".join(f"{m['family']} x{m['weight']:.2f}" for m in members)
    return f"ensemble of {parts}, cv {_fmt(chosen['cv_score'])}"


def review_lines(record: dict) -> list[str]:
    """Calibration, threshold, comparisons and the fit verdict, one line each."""
    lines = []
    calibration = record.get("calibration")
    if calibration and calibration.get("method") != "none":
        lines.append(f"calibration: {calibration['reason']}")
    threshold = record.get("threshold")
    if threshold and not threshold["objective"].startswith("default"):
        at = (record.get("blind_test") or {}).get("confusion_at_threshold") or {}
        lines.append(
            f"decision threshold {threshold['value']:.4f} on P({threshold.get('positive_class')!r})"
            f" for {threshold['objective']}; "
            f"blind test at it: precision {_fmt(at.get('precision'))}, recall "
            f"{_fmt(at.get('recall'))}, {at.get('fp', '-')} false positives, "
            f"{at.get('fn', '-')} false negatives"
        )
    for comparison in record.get("comparisons") or []:
        if comparison["b"] != "baseline":
            lines.append(f"{comparison['verdict']} on {comparison['rows']}")
        if comparison.get("advice"):
            lines.append(f"  advice: {comparison['advice']}")
    diagnosis = record.get("diagnosis")
    if diagnosis:
        lines.append(
            f"fit diagnosis ({diagnosis['family']}): {diagnosis['verdict']} - "
            f"{diagnosis['explanation']}"
        )
        lines += [f"  next: {r}" for r in diagnosis.get("remedies", [])[:2]]
    elif record.get("diagnosis_skipped"):
        lines.append(f"fit diagnosis: not made - {record['diagnosis_skipped']}")
    requirement = record.get("requirement")
    if requirement:
        met = requirement.get("met_with_confidence", requirement.get("met_in_cv"))
        lines.append(
            f"required {requirement['metric']} {requirement['min_score']:g}: "
            + ("met" if met else "NOT met with confidence")
        )
    return lines


def evaluation_summary(result: dict) -> str:
    """``rightfit evaluate``: new-data metrics beside the bundle's blind test, then drift."""
    lines = [f"Scored {result['n_rows']:,} new labelled rows", ""]
    lines.append(f"  {'metric':<20} {'new data':>10} {'95% CI':>22} {'bundle blind test':>18}")
    for m in result["metrics"]:
        ci = f"[{_fmt(m['low'])}, {_fmt(m['high'])}]"
        flag = "  worse than the bundle's interval" if m.get("worse_than_bundle_interval") else ""
        lines.append(
            f"  {m['name']:<20} {_fmt(m['value']):>10} {ci:>22} "
            f"{_fmt(m['bundle_blind_test']):>18}{flag}"
        )
    lines.append(f"  baseline: {result['baseline']}")
    drift = result.get("drift")
    if drift:
        lines += ["", f"drift ({drift['method']}):"]
        shown = [f for f in drift["features"] if f["status"] != "stable"]
        if not shown:
            lines.append("  no feature moved away from its training distribution")
        for f in shown[:15]:
            lines.append(f"  {f['status']:<9} {f['column']}: PSI {f['psi']:.3f}, {f['evidence']}")
    return "\n".join(lines)


def fit_summary(record: dict, path: Path, seconds: float) -> str:
    lines = [
        "",
        f"{record['task']} model for {record['target']!r}, selected by {record['metric']}",
        f"chosen: {chosen_line(record)}",
        "leaderboard, best trial per family (cross-validated on the training rows):",
        *leaderboard_lines(record),
        "blind test:",
        *evaluation_lines(record),
        *review_lines(record),
        f"delivered model: fitted on {record['delivered_model']['fitted_on']}",
        f"report: {Path(path) / 'report.html'}",
        f"saved to {path} in {seconds:.1f} s (budget {record['time_budget']:.0f} s)",
    ]
    return "\n".join(lines)


def image_summary(record: dict) -> str:
    data = record["data"]
    return "\n".join(
        [
            f"rightfit {record['rightfit_version']} image bundle, created {record['created_at']}",
            f"task {record['task']}, metric {record['metric']}, budget "
            f"{record['time_budget']:.0f} s, seed {record['seed']}",
            f"data: {data['source']} ({data['n_rows']:,} images, classes {data['classes']}, "
            f"{data['image_size']} px)",
            f"split: {record['split']['description']}",
            "",
            "plan:",
            *[f"  try {c['name']}: {c['reason']}" for c in record["plan"]["candidates"]],
            "",
            *leaderboard_lines(record),
            f"chosen: {chosen_line(record)}",
            "",
            "blind test:",
            *evaluation_lines(record),
        ]
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def recommend_summary(record: dict) -> str:
    """A recommendation record in a few lines: the protocol in plain words, who was evaluated,
    every candidate's held-out metrics at 10 for all users beside the users with a history, its
    lift over popularity with the 95 % interval and verdict, the choice, cold-start users.

    Printed by `rightfit recommend` and by `rightfit info` (without --json). Records of older
    runs lack the protocol, the intervals or the user groups: those lines are then left out.
    """
    from rightfit.report._recommend import protocol_words, user_counts, users_words, verdicts

    candidates = record.get("candidates") or []
    lines = [f"protocol: {' '.join(protocol_words(record))}"]
    users = users_words(record)
    if users:
        lines.append(f"users: {users}")
    counts = user_counts(record)
    has_groups = any("at_10_known_users" in c for c in candidates)
    lines.append(
        f"{'candidate':<12} {'NDCG@10':>8} {'recall@10':>10} {'prec@10':>8} {'MAP@10':>8} "
        f"{'coverage':>9} {'lift NDCG':>10}"
        + (f" {'hist NDCG':>10} {'hist recall':>11}" if has_groups else "")
    )
    for c in candidates:
        if c.get("status") != "ok":
            lines.append(f"{c['family']:<12} {c.get('status')}: {c.get('error', '')}")
            continue
        m, lift = c["at_10"], (c.get("lift_over_popularity") or {}).get("ndcg_at_10")
        line = (
            f"{c['family']:<12} {m['ndcg']:>8.4f} {m['recall']:>10.4f} {m['precision']:>8.4f} "
            f"{m['map']:>8.4f} {m['coverage']:>9.1%} {_percent(lift):>10}"
        )
        if has_groups:
            known = c.get("at_10_known_users") or {}
            line += f" {_fmt(known.get('ndcg')):>10} {_fmt(known.get('recall')):>11}"
        lines.append(line)
    if has_groups:
        who = f"the {counts[0]:,} users" if counts else "users"
        lines.append(f"  (all users; hist: {who} with a history, where candidates differ)")
    found = [(c["family"], verdicts(c)) for c in candidates if verdicts(c)]
    if found:
        lines.append("against popularity (paired bootstrap over users, 95 % interval):")
        for family, texts in found:
            lines += [f"  {family:<12} {texts[0]}", *[f"  {'':<12} {t}" for t in texts[1:]]]
    lines.append(f"chosen: {record['chosen']['reason']}")
    chosen = next((c for c in candidates if c["family"] == record["chosen"]["family"]), {})
    if "at_10_known_users" in chosen and "lift_over_popularity_known_users" in chosen:
        lift = chosen["lift_over_popularity_known_users"]
        lines.append(
            f"users with a history only: NDCG@10 {chosen['at_10_known_users']['ndcg']:.4f}, "
            f"lift over popularity {_percent(lift['ndcg_at_10'])} NDCG@10, "
            f"{_percent(lift['recall_at_10'])} recall@10"
        )
    cold = (record.get("cold_start") or {}).get("note")
    if cold:
        lines.append(f"cold start: {cold}")
    return "\n".join(lines)


def record_summary(record: dict) -> str:
    kind = record.get("kind", "tabular")
    if kind == "image":
        return image_summary(record)
    if kind == "recommendation":
        return recommend_summary(record)
    if kind == "segmentation":
        from rightfit.cli._cmd_segment import segment_summary

        return segment_summary(record)
    from rightfit.advise import excluded_map
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
        *[f"  skip {k}: {v}" for k, v in excluded_map(record["plan"]).items()],
        "",
        f"search: {record['search']['n_trials']} trials in {record['search']['seconds']:.1f} s "
        f"({record['search']['stop_reason']})",
        *leaderboard_lines(record),
        f"chosen: {chosen_line(record)}",
        "",
        "blind test:",
        *evaluation_lines(record),
        *review_lines(record),
        "",
        f"delivered model: fitted on {record['delivered_model']['fitted_on']}"
        + (
            f" ({record['delivered_model']['note']})" if "note" in record["delivered_model"] else ""
        ),
    ]
    return "\n".join(lines)
