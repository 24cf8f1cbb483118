"""Sections of the report for a classification or regression run, built from its record."""

from __future__ import annotations

from rightfit.report import _charts as charts
from rightfit.report._page import e, figure, fmt, table

VERDICT_WORDS = {
    "good_fit": "good fit",
    "overfit": "overfitting",
    "underfit": "underfitting",
    "needs_more_data": "more data would help",
    "unknown": "no verdict",
}


def _metric(record: dict, name: str) -> dict | None:
    ev = record.get("evaluation") or {}
    return next((m for m in ev.get("metrics", []) if m["name"] == name), None)


def _skipped_short(record: dict) -> str:
    # The card has room for the first clause; the diagnosis section gives the whole reason.
    return (record.get("diagnosis_skipped") or "").split(":")[0]


def summary(record: dict) -> str:
    metric = record["metric"]
    m = _metric(record, metric)
    chosen = record["chosen"]
    members = ", ".join(x["family"] for x in chosen["members"])
    diagnosis = record.get("diagnosis") or {}
    verdict = diagnosis.get("verdict", "unknown")
    cards = []
    if m:
        cards.append(
            f"<div class='card'><div class='label'>blind-test {e(metric)}</div>"
            f"<div class='value'>{fmt(m['value'], 3)}</div><div class='sub'>95% CI "
            f"[{fmt(m['low'], 3)}, {fmt(m['high'], 3)}] · baseline {fmt(m['baseline'], 3)}"
            "</div></div>"
        )
    cards.append(
        "<div class='card'><div class='label'>model</div>"
        "<div class='value' style='font-size:18px'>"
        f"{e(chosen['kind'])}: {e(members)}</div><div class='sub'>CV {e(metric)} "
        f"{fmt(chosen['cv_score'], 4)}</div></div>"
    )
    cards.append(
        f"<div class='card'><div class='label'>fit diagnosis</div><div class='value'>"
        f"<span class='badge {e(verdict)}'>{e(VERDICT_WORDS.get(verdict, verdict))}</span></div>"
        f"<div class='sub'>{e(diagnosis.get('family') or _skipped_short(record))}</div></div>"
    )
    data = record["data"]
    cards.append(
        f"<div class='card'><div class='label'>data</div><div class='value' style='font-size:18px'>"
        f"{data['n_rows']:,} rows × {data['n_columns']} columns</div><div class='sub'>"
        f"{e(record['split']['strategy'])} split, {record['split']['n_test']:,} blind-test rows"
        "</div></div>"
    )
    body = f"<div class='cards'>{''.join(cards)}</div>"
    advice = [c["advice"] for c in record.get("comparisons") or [] if c.get("advice")]
    req = record.get("requirement")
    if req:
        met = req.get("met_with_confidence", req.get("met_in_cv"))
        advice.append(
            f"You asked for {req['metric']} {req['min_score']:g}: "
            + ("reached" if met else "NOT reached with confidence")
            + f" (CV {fmt(req['cv_score'])}, blind test {fmt(req.get('blind_test'))})."
        )
    if advice:
        body += "<ul class='tight'>" + "".join(f"<li>{e(a)}</li>" for a in advice) + "</ul>"
    return body


def data_profile(record: dict) -> str:
    profile = record["profile"]
    roles = {}
    for c in record["schema"]["columns"]:
        roles.setdefault(c["role"], []).append(c["name"])
    rows = [
        [e(role), f"{len(names)}", e(", ".join(names[:12]) + (" …" if len(names) > 12 else ""))]
        for role, names in roles.items()
    ]
    body = (
        f"<p>{profile['n_rows']:,} rows, {profile['n_columns']} columns, "
        f"{profile['n_duplicate_rows']:,} exact duplicate rows"
        + (
            " (kept: as frequent as chance makes them here)"
            if profile.get("duplicates_by_chance")
            else ""
        )
        + ".</p>"
    )
    body += table(["role", "columns", "names"], rows, {1})
    if profile.get("class_counts"):
        counts = profile["class_counts"]
        items = counts.items() if isinstance(counts, dict) else counts
        body += "<h3>Target classes</h3>" + table(
            ["class", "rows"], [[e(k), fmt(v)] for k, v in items], {1}
        )
    issues = profile.get("issues") or []
    if issues:
        body += "<h3>Issues found</h3>" + table(
            ["severity", "kind", "columns", "evidence", "suggestion"],
            [
                [
                    f"<span class='sev-{e(i['severity'])}'>{e(i['severity'])}</span>",
                    e(i["kind"]),
                    e(", ".join(i["columns"][:5])),
                    e(i["evidence"]),
                    e(i["suggestion"]),
                ]
                for i in issues
            ],
        )
    stats = [c for c in profile["columns"] if c.get("missing_share", 0) > 0][:15]
    if stats:
        body += "<h3>Missing values</h3>" + table(
            ["column", "missing", "share"],
            [[e(c["name"]), fmt(c["n_missing"]), f"{c['missing_share']:.1%}"] for c in stats],
            {1, 2},
        )
    return body


def cleaning(record: dict) -> str:
    changes = record["cleaning_log"]["changes"]
    if not changes:
        return "<p>No changes were needed.</p>"
    return table(
        ["action", "columns", "rows affected", "why", "when"],
        [
            [
                e(c["action"]),
                e(", ".join(c["columns"][:8]) + (" …" if len(c["columns"]) > 8 else "")),
                fmt(c["rows_affected"]),
                e(c["reason"]),
                e(c.get("when", "")),
            ]
            for c in changes
        ],
        {2},
    )


def plan(record: dict) -> str:
    p = record["plan"]
    excluded = p["excluded"]
    if isinstance(excluded, dict):
        excluded = [{"family": k, "reason": v} for k, v in excluded.items()]
    body = (
        "<h3>What the data looks like</h3><ul class='tight'>"
        + "".join(f"<li>{e(line)}</li>" for line in p.get("facts_text", []))
        + "</ul>"
    )
    body += "<h3>Tried</h3>" + table(
        ["family", "why"], [[e(c["name"]), e(c["reason"])] for c in p["candidates"]]
    )
    if excluded:
        body += "<h3>Skipped</h3>" + table(
            ["family", "why not"], [[e(x["family"]), e(x["reason"])] for x in excluded]
        )
    return body


def leaderboard(record: dict) -> str:
    entries = record["leaderboard"]["entries"]
    chosen = {m["family"] for m in record["chosen"]["members"]}
    best = {}
    for t in entries:
        if t["status"] == "ok" and t["family"] not in best:
            best[t["family"]] = t
    rows = [{**t, "chosen": t["family"] in chosen} for t in best.values()]
    metric = record["metric"]
    body = ""
    if rows:
        body += figure(charts.leaderboard_chart(rows, metric))
    body += table(
        ["family", f"CV {metric}", "± std", "fit s (all folds)", "trials", "in final model"],
        [
            [
                e(r["family"]),
                fmt(r["cv_score"]),
                fmt(r["cv_std"]),
                fmt(r["fit_seconds"], 2),
                fmt(sum(1 for t in entries if t["family"] == r["family"])),
                "yes" if r["chosen"] else "",
            ]
            for r in rows
        ],
        {1, 2, 3, 4},
    )
    s = record["search"]
    body += (
        f"<p class='muted'>{s['n_trials']} trials in {s['seconds']:.1f} s; the search "
        f"stopped because: {e(s['stop_reason'])}. {e(record['chosen'].get('cv_score_note'))}</p>"
    )
    comparisons = record.get("comparisons") or []
    if comparisons:
        body += "<h3>Is the winner really better? (paired bootstrap)</h3>" + table(
            ["comparison", "rows", "difference (+ = first better)", "95% CI", "p", "verdict"],
            [
                [
                    f"{e(c['a'])} vs {e(c['b'])}",
                    e(c["rows"]),
                    fmt(c["diff"]),
                    f"[{fmt(c['low'])}, {fmt(c['high'])}]",
                    fmt(c["p_value"], 3),
                    e(c["verdict"]),
                ]
                for c in comparisons
            ],
            {2, 4},
        )
    return body


def _diagnosis_block(d: dict, metric: str, title: str) -> str:
    ev = d.get("evidence") or {}
    body = (
        f"<h3>{e(title)}: {e(d['family'])} <span class='badge {e(d['verdict'])}'>"
        f"{e(VERDICT_WORDS.get(d['verdict'], d['verdict']))}</span></h3>"
        f"<p>{e(d['explanation'])}</p>"
    )
    base = ev.get("baseline_score")
    figs = []
    if d.get("learning_curve", {}).get("values"):
        figs.append(
            figure(
                charts.curve_chart(
                    d["learning_curve"], metric, base, f"Learning curve: {d['family']}"
                )
            )
        )
    vc = d.get("validation_curve")
    if vc and vc.get("values"):
        figs.append(
            figure(
                charts.curve_chart(
                    vc, metric, base, f"Validation curve: {d['family']} {vc['param']}"
                )
            )
        )
    if figs:
        body += f"<div class='charts'>{''.join(figs)}</div>"
    if ev:
        body += table(
            ["evidence", "value"], [[e(k.replace("_", " ")), fmt(v)] for k, v in ev.items()], {1}
        )
    body += (
        "<b>What to do</b><ul class='tight'>"
        + "".join(f"<li>{e(r)}</li>" for r in d.get("remedies", []))
        + "</ul>"
    )
    notes = d.get("notes", []) + (d.get("learning_curve") or {}).get("notes", [])
    if notes:
        body += "<p class='muted'>" + e("; ".join(notes)) + "</p>"
    return body


def diagnosis(record: dict) -> str:
    d = record.get("diagnosis")
    if not d:
        why = record.get("diagnosis_skipped") or "no time left, or --no-diagnose"
        return f"<p>No diagnosis was made: {e(why)}.</p>"
    body = _diagnosis_block(d, record["metric"], "Chosen model")
    if d.get("runner_up"):
        body += _diagnosis_block(d["runner_up"], record["metric"], "Runner-up")
    return body


def evaluation(record: dict) -> str:
    ev = record.get("evaluation")
    if not ev:
        return (
            "<p>No blind test (--test-size 0): every score in this report is cross-validated.</p>"
        )
    body = (
        f"<p>{e(ev['source'])}. Intervals are 95% bootstrap intervals over the blind-test rows."
        f" Baseline: {e(ev['baseline'])}.</p>"
    )
    body += table(
        ["metric", "value", "95% CI", "baseline"],
        [
            [
                e(m["name"])
                + (f" <span class='muted'>({e(m['note'])})</span>" if m.get("note") else ""),
                fmt(m["value"]),
                f"[{fmt(m['low'])}, {fmt(m['high'])}]",
                fmt(m["baseline"]),
            ]
            for m in ev["metrics"]
        ],
        {1, 2, 3},
    )
    blind = record.get("blind_test") or {}
    if blind.get("near_perfect"):
        text = blind["near_perfect"]
        body += f"<p class='sev-high'>Too good to be true? {e(text[:1].upper() + text[1:])}</p>"
    if blind.get("seen_entities"):
        body += f"<p class='sev-high'>Seen before: {e(blind['seen_entities'])}.</p>"
    curves = blind.get("curves") or {}
    figs = []
    if ev.get("confusion_matrix"):
        t = ev.get("threshold")
        title = "Confusion matrix" + (f" at threshold {t:.3f}" if t is not None else "")
        figs.append(figure(charts.confusion_chart(ev["confusion_matrix"], ev["classes"], title)))
    if "roc" in curves:
        auc = _metric(record, "roc_auc")
        figs.append(figure(charts.roc_chart(curves["roc"], auc["value"] if auc else None)))
    if "pr" in curves:
        figs.append(figure(charts.pr_chart(curves["pr"], blind.get("confusion_at_threshold"))))
    if "reliability" in curves:
        figs.append(
            figure(
                charts.reliability_chart(
                    curves["reliability"], curves.get("reliability_before_calibration")
                )
            )
        )
    if "residuals" in curves:
        figs.append(
            figure(
                charts.residual_charts(curves["residuals"], record["target"]),
                f"{len(curves['residuals']['actual']):,} of "
                f"{curves['residuals']['n_rows']:,} blind-test rows",
            )
        )
    body += f"<div class='charts'>{''.join(figs)}</div>"
    cal = record.get("calibration")
    if cal:
        body += f"<h3>Calibration</h3><p>{e(cal['reason'])}.</p>"
    th = record.get("threshold")
    if th:
        at = blind.get("confusion_at_threshold") or {}
        body += (
            f"<h3>Decision threshold</h3><p>Objective: <b>{e(th['objective'])}</b> for the positive"
            f" class <b>{e(th.get('positive_class', ''))}</b>. Threshold "
            f"{th['value']:.4f} chosen on {e(th['chosen_on'])} (there: precision "
            f"{fmt(th['achieved_out_of_fold'].get('precision'), 3)}, recall "
            f"{fmt(th['achieved_out_of_fold'].get('recall'), 3)}). On the blind test: precision "
            f"{fmt(at.get('precision'), 3)}, recall {fmt(at.get('recall'), 3)}, "
            f"{fmt(at.get('fp'))} false positives, {fmt(at.get('fn'))} false negatives.</p>"
        )
        if th.get("note"):
            body += f"<p class='sev-medium'>{e(th['note'])}</p>"
    return body


def importance(record: dict) -> str:
    imp = (record.get("blind_test") or {}).get("importance")
    if not imp:
        return "<p>Not measured (no blind test or no time left).</p>"
    perm = imp["permutation"]
    figs = [
        figure(
            charts.importance_chart(
                [(c["column"], c["importance"], c["std"]) for c in perm["columns"]],
                f"loss of quality when shuffled ({perm['metric']} units; larger = more important)",
                "Permutation importance (blind test)",
            ),
            perm["method"],
        )
    ]
    shap = imp.get("shap")
    if shap:
        figs.append(
            figure(
                charts.importance_chart(
                    [(c["column"], c["mean_abs_shap"], 0.0) for c in shap["columns"]],
                    "mean |SHAP value|",
                    f"SHAP: {shap.get('model', '')}",
                ),
                shap["method"],
            )
        )
    body = f"<div class='charts'>{''.join(figs)}</div>"
    if perm.get("not_measured"):
        missing = ", ".join(perm["not_measured"])
        body += f"<p class='muted'>Not measured in the time given: {e(missing)}.</p>"
    return body


def model_card(record: dict) -> str:
    metric = record["metric"]
    m = _metric(record, metric)
    delivered = record["delivered_model"]
    suspects = record["profile"].get("leakage_suspects") or []
    excluded = [
        c["name"]
        for c in record["schema"]["columns"]
        if c["role"] in ("id", "constant", "empty", "excluded")
    ]
    limits = [
        "Trained on the rows of the file below; it can only be trusted on data like them. Check "
        "new data with `rightfit evaluate MODEL NEW.csv` (it flags drift) before relying on it.",
        (
            f"Scores come from {record['split']['n_test']:,} blind-test rows; the interval shows "
            "how much they could move on another sample of the same size."
            if record["split"]["n_test"]
            else "There was no blind test (--test-size 0): every score is cross-validated, on the "
            "same rows that chose the model, so it is somewhat optimistic."
        ),
    ]
    if excluded:
        limits.append(f"Columns not used: {', '.join(excluded[:10])}.")
    if suspects:
        limits.append(f"Leakage suspects set aside: {', '.join(map(str, suspects))}.")
    if delivered.get("note"):
        limits.append(delivered["note"])
    n_inputs = sum(
        c["role"] in ("numeric", "categorical", "boolean", "datetime", "text")
        for c in record["schema"]["columns"]
        if c["name"] != record["target"]
    )
    rows = [
        [
            "intended use",
            e(
                f"predict {record['target']!r} ({record['task']}) for rows shaped like the "
                f"training data ({n_inputs} input columns)"
            ),
        ],
        [
            "data",
            e(
                f"{record['data']['source']} · {record['data']['n_rows']:,} rows · sha256 "
                f"{record['data']['sha256'][:12]}…"
            ),
        ],
        [
            "model",
            e(
                ", ".join(
                    f"{x['family']} (weight {x['weight']:.2f})" for x in record["chosen"]["members"]
                )
            ),
        ],
        ["delivered", e(f"fitted on {delivered['fitted_on']} ({delivered['n_rows']:,} rows)")],
        [
            "metrics",
            e(f"blind-test {metric} {fmt(m['value'])} [{fmt(m['low'])}, {fmt(m['high'])}]")
            if m
            else "cross-validated only",
        ],
        [
            "limitations",
            "<ul class='tight'>" + "".join(f"<li>{e(x)}</li>" for x in limits) + "</ul>",
        ],
        [
            "reproduce",
            e(
                f"rightfit {record['rightfit_version']}, seed {record['seed']}, budget "
                f"{record['time_budget']:g} s"
            ),
        ],
    ]
    return table(["", ""], rows)


def next_steps(record: dict) -> str:
    steps = []
    d = record.get("diagnosis") or {}
    steps += d.get("remedies", [])
    for c in record.get("comparisons") or []:
        if c.get("advice"):
            steps.append(c["advice"])
    for issue in (record["profile"].get("issues") or [])[:5]:
        if issue.get("suggestion"):
            steps.append(f"{issue['kind']}: {issue['suggestion']}")
    return "<ul class='tight'>" + "".join(f"<li>{e(s)}</li>" for s in steps) + "</ul>"


SECTIONS = [
    ("summary", "Summary", summary),
    ("data", "Data profile", data_profile),
    ("cleaning", "Cleaning log", cleaning),
    ("plan", "Plan and reasons", plan),
    ("leaderboard", "Leaderboard", leaderboard),
    ("diagnosis", "Fit diagnosis", diagnosis),
    ("evaluation", "Blind-test evaluation", evaluation),
    ("importance", "Feature importance", importance),
    ("next", "Next steps", next_steps),
    ("card", "Model card", model_card),
]
