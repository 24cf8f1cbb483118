"""``rightfit segment`` (customer segments) and ``rightfit recommend`` (top-k items per user)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from rightfit.cli._app import PROCESS_START, app, friendly
from rightfit.cli._commands import _check_out, _progress
from rightfit.cli._show import recommend_summary

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
        help="Comma-separated: popularity,trending,ease,item_knn,als,two_tower, and with --repeats "
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
