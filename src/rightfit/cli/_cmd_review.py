"""``rightfit plan``, ``rightfit evaluate`` and ``rightfit report``: the work shown."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rightfit.cli._app import PROCESS_START, app, friendly


@app.command()
@friendly
def plan(
    data: Path = typer.Argument(..., help="Training data: CSV or Parquet file."),
    target: str = typer.Option(..., "--target", "-t", help="Column to predict."),
    time_budget: float = typer.Option(
        60.0, "--time-budget", "-b", help="The budget a fit would have (seconds)."
    ),
    task: str = typer.Option(
        None, help="binary, multiclass or regression.", show_default="inferred"
    ),
    metric: str = typer.Option(
        None, help="Selection metric.", show_default="roc_auc/log_loss/rmse"
    ),
    models: str = typer.Option(None, help="Comma-separated families (see `rightfit models`)."),
    min_score: float = typer.Option(None, "--min-score", help="The score you need."),
    keep: list[str] = typer.Option([], "--keep", help="Keep a column that would be excluded."),
    test_size: float = typer.Option(0.2, help="Share held out as the blind test (0 = none)."),
    group_column: str = typer.Option(None, help="Keep rows of a group on one side of splits."),
    time_column: str = typer.Option(None, help="Hold out the latest rows; validate forward."),
    positive_class: str = typer.Option(
        None, "--positive-class", help="Binary: the positive label."
    ),
    seed: int = typer.Option(0, help="Random seed for the split."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Show, without training, what a fit would do: data facts, candidates and skips, with why."""
    from rightfit.budget import Budget
    from rightfit.pipeline import prepare
    from rightfit.progress import SilentProgress

    budget = Budget(time_budget, start=PROCESS_START)
    prep = prepare(
        data,
        target,
        budget=budget,
        progress=SilentProgress(),
        task=task,
        metric=metric,
        models=models,
        seed=seed,
        test_size=test_size,
        group_column=group_column,
        time_column=time_column,
        keep_columns=tuple(keep),
        min_score=min_score,
        positive_class=positive_class,
    )
    result = prep.plan.to_dict()
    result["split"] = prep.split.description
    if prep.schema.task == "binary":
        result["positive_class"] = prep.schema.classes[1]
    result["profile_issues"] = [i.to_dict() for i in prep.profile.issues]
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
        return
    lines = [
        f"Plan for {prep.table.source}: predict {prep.schema.target!r} ({prep.schema.task}), "
        f"selected by {prep.metric}",
        "",
    ]
    lines += ["Data facts:"] + [f"  {line}" for line in prep.plan.facts.lines()]
    if prep.schema.task == "binary":
        lines.append(
            f"  positive class (recall, precision, thresholds): {prep.schema.classes[1]!r}"
        )
    lines += ["", f"Validation: {prep.split.description}", "", "Candidates, in the order tried:"]
    lines += [f"  {c.name}: {c.reason}" for c in prep.plan.candidates]
    if prep.plan.excluded:
        lines += ["", "Skipped:"] + [f"  {k}: {v}" for k, v in prep.plan.excluded.items()]
    if prep.profile.issues:
        lines += ["", "Data issues to know about:"]
        lines += [f"  [{i.severity}] {i.kind}: {i.evidence}" for i in prep.profile.issues]
    typer.echo("\n".join(lines))


@app.command(name="evaluate")
@friendly
def evaluate_command(
    model_dir: Path = typer.Argument(..., help="Model directory written by `rightfit fit`."),
    data: Path = typer.Argument(..., help="New labelled rows (CSV or Parquet) with the target."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Score a saved model on new labelled data, beside its own blind test; flag drift."""
    from rightfit.api import load
    from rightfit.cli._show import evaluation_summary

    model = load(model_dir)
    result = model.evaluate(data)
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
    else:
        typer.echo(evaluation_summary(result))


@app.command()
@friendly
def report(
    model_dir: Path = typer.Argument(..., help="Model directory written by `rightfit fit`."),
    out: Path = typer.Option(
        None, "--out", "-o", help="HTML file.", show_default="MODEL_DIR/report.html"
    ),
) -> None:
    """Write the HTML report of a saved model (self-contained; open it in any browser)."""
    from rightfit.report import write_report
    from rightfit.store import read_record

    record = read_record(model_dir)
    path = write_report(record, out or Path(model_dir) / "report.html")
    typer.echo(f"wrote {path}")
