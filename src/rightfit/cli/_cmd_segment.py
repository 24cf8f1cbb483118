"""``rightfit segment`` (customer segments) and ``rightfit recommend`` (top-k items per user)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from rightfit.cli._app import PROCESS_START, app, friendly
from rightfit.cli._commands import _check_out, _progress

logger = logging.getLogger(__name__)


def _report_files(record: dict) -> dict[str, bytes]:
    """``report.html`` when the report module offers ``render_report``; else nothing."""
    import rightfit.report as report

    if not hasattr(report, "render_report"):
        return {}
    try:
        return {"report.html": report.render_report(record).encode("utf-8")}
    except Exception as error:  # a report bug must not cost the user their fitted model
        logger.warning("report.html not written: %s: %s", type(error).__name__, error)
        typer.echo(f"warning: report.html not written ({type(error).__name__}: {error})", err=True)
        return {}


def segment_summary(record: dict) -> str:
    """A segmentation record in a few lines: the choice, its evidence, one line per segment.

    Printed by `rightfit segment`; also the text `rightfit info` can show for this kind.
    """
    chosen = record["chosen"]
    stability = record["stability"]["chosen"]
    lines = [
        f"{record['k']} segments of {record['data']['n_segmented_rows']:,} rows "
        f"({chosen['algorithm']}, stability {'-' if stability is None else f'{stability:.2f}'})",
        f"  why: {chosen['reason']}",
    ]
    lines += [f"  {p['sentence']}" for p in record["profiles"]]
    return "\n".join(lines)


def recommend_summary(record: dict) -> str:
    """A recommendation record in a few lines: every candidate's held-out metrics at 10 and
    its lift over popularity, the choice, cold-start users.

    Printed by `rightfit recommend`; also the text `rightfit info` can show for this kind.
    """
    lines = [
        f"{'candidate':<12} {'NDCG@10':>8} {'recall@10':>10} {'prec@10':>8} {'MAP@10':>8} "
        f"{'coverage':>9} {'lift NDCG':>10}"
    ]
    for c in record["candidates"]:
        if c.get("status") != "ok":
            lines.append(f"{c['family']:<12} {c.get('status')}: {c.get('error', '')}")
            continue
        m, lift = c["at_10"], c["lift_over_popularity"]["ndcg_at_10"]
        lines.append(
            f"{c['family']:<12} {m['ndcg']:>8.4f} {m['recall']:>10.4f} {m['precision']:>8.4f} "
            f"{m['map']:>8.4f} {m['coverage']:>9.1%} "
            f"{_percent(lift):>10}"
        )
    lines.append(f"chosen: {record['chosen']['reason']}")
    chosen = next(c for c in record["candidates"] if c["family"] == record["chosen"]["family"])
    if "at_10_known_users" in chosen:
        lift = chosen["lift_over_popularity_known_users"]
        lines.append(
            f"users with a history only: NDCG@10 {chosen['at_10_known_users']['ndcg']:.4f}, "
            f"lift over popularity {_percent(lift['ndcg_at_10'])} NDCG@10, "
            f"{_percent(lift['recall_at_10'])} recall@10"
        )
    lines.append(f"cold start: {record['cold_start']['note']}")
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _saved_line(path: Path, seconds: float) -> str:
    return f"saved to {path} in {seconds:.1f} s (rightfit info {path} --json for everything)"


@app.command()
@friendly
def segment(
    data: Path = typer.Argument(..., help="One row per customer (or a transaction log: --rfm)."),
    k: str = typer.Option("auto", "--k", "-k", help="Number of segments, or 'auto'."),
    features: str = typer.Option(
        None, "--features", help="Comma-separated columns to segment on (default: all usable)."
    ),
    rfm: str = typer.Option(
        None,
        "--rfm",
        help="Aggregate a transaction log per customer first: "
        "customer=COL,date=COL,amount=COL or COL*COL, optionally invoice=COL.",
    ),
    algorithms: str = typer.Option(
        None,
        "--algorithms",
        help="Comma-separated: kmeans,gmm,agglomerative,hdbscan (default: all).",
    ),
    time_budget: float = typer.Option(
        60.0, "--time-budget", "-b", help="Wall-clock seconds for the whole run."
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help="Bundle directory (default: <DATA>-segments)."
    ),
    seed: int = typer.Option(0, help="Random seed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the result."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every step."),
) -> None:
    """Find customer segments (k-means, mixtures, agglomerative, HDBSCAN; k chosen on evidence)."""
    from rightfit.budget import Budget
    from rightfit.segment import fit_segments

    budget = Budget(time_budget, start=PROCESS_START)
    out = out or Path(f"{data.name.split('.')[0]}-segments")
    _check_out(out)
    names = [f.strip() for f in features.split(",") if f.strip()] if features else None
    model = fit_segments(
        data,
        k=k,
        features=names,
        rfm=rfm,
        algorithms=algorithms,
        time_budget=budget,
        seed=seed,
        progress=_progress(quiet, verbose),
    )
    model.record["timings"]["wall_seconds"] = round(budget.elapsed(), 3)
    path = model.save(out, extra_files=_report_files(model.record))
    typer.echo(segment_summary(model.record))
    typer.echo(_saved_line(path, budget.elapsed()))


@app.command()
@friendly
def recommend(
    interactions: Path = typer.Argument(..., help="One row per interaction: CSV or Parquet."),
    user: str = typer.Option(..., "--user", help="User id column."),
    item: str = typer.Option(..., "--item", help="Item id column."),
    rating: str = typer.Option(None, "--rating", help="Explicit rating column."),
    strength: str = typer.Option(
        None, "--strength", help="Implicit strength column (quantity, views...)."
    ),
    time: str = typer.Option(
        None, "--time", help="Time column (default: the date column found, else file order)."
    ),
    models: str = typer.Option(
        None,
        "--models",
        help="Comma-separated: popularity,ease,item_knn,als,two_tower, and with --repeats "
        "repeat_aware (default: all).",
    ),
    repeats: bool = typer.Option(
        False,
        "--repeats",
        help="Already-bought items may be recommended (buy again + discovery): re-purchases "
        "count in the evaluation, no candidate masks the user's history, and the saved model "
        "serves repeats (recorded in the bundle).",
    ),
    time_budget: float = typer.Option(
        60.0, "--time-budget", "-b", help="Wall-clock seconds for the whole run."
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help="Bundle directory (default: <INTERACTIONS>-recommender)."
    ),
    seed: int = typer.Option(0, help="Random seed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the result."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every trial."),
) -> None:
    """Learn top-k recommendations; every candidate is measured against popularity."""
    from rightfit.budget import Budget
    from rightfit.recommend import fit_recommender

    budget = Budget(time_budget, start=PROCESS_START)
    out = out or Path(f"{interactions.name.split('.')[0]}-recommender")
    _check_out(out)
    model = fit_recommender(
        interactions,
        user=user,
        item=item,
        rating=rating,
        strength=strength,
        time_column=time,
        models=models,
        time_budget=budget,
        seed=seed,
        progress=_progress(quiet, verbose),
        repeats=repeats,
    )
    model.record["timings"]["wall_seconds"] = round(budget.elapsed(), 3)
    path = model.save(out, extra_files=_report_files(model.record))
    typer.echo(recommend_summary(model.record))
    typer.echo(_saved_line(path, budget.elapsed()))
