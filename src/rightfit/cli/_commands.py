"""The core commands: fit, info, models, demo (predict is in _cmd_predict.py)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rightfit.cli._app import PROCESS_START, app, friendly


def _check_out(out: Path) -> None:
    """Refuse, before any work, an --out that is a file or a folder of someone else's files."""
    from rightfit.errors import BundleError

    if out.exists() and not out.is_dir():
        raise BundleError(f"--out {str(out)!r} is a file; give a directory for the model bundle.")
    if out.is_dir() and any(out.iterdir()) and not (out / "record.json").exists():
        raise BundleError(
            f"--out {str(out)!r} exists and is not a rightfit bundle; choose another --out or "
            "empty that folder (rightfit never deletes files it did not write)."
        )


def _progress(quiet: bool, verbose: bool):
    from rightfit.progress import make_progress

    return make_progress(0 if quiet else (2 if verbose else 1))


@app.command()
@friendly
def fit(
    train: Path = typer.Argument(
        ..., help="Training data: CSV or Parquet file (a folder of class subfolders for images)."
    ),
    target: str = typer.Option(
        None, "--target", "-t", help="Column to predict (images: the label column of a CSV)."
    ),
    time_budget: float = typer.Option(
        60.0, "--time-budget", "-b", help="Wall-clock seconds for the whole run."
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help="Model directory.", show_default="<TRAIN>-model"
    ),
    task: str = typer.Option(
        None, help="binary, multiclass or regression.", show_default="inferred"
    ),
    metric: str = typer.Option(
        None, help="Selection metric.", show_default="roc_auc/log_loss/rmse"
    ),
    models: str = typer.Option(None, help="Comma-separated families (see `rightfit models`)."),
    seed: int = typer.Option(0, help="Random seed for the split and the search."),
    test_size: float = typer.Option(0.2, help="Share held out as the blind test (0 = none)."),
    group_column: str = typer.Option(None, help="Keep rows of a group on one side of splits."),
    time_column: str = typer.Option(None, help="Hold out the latest rows; validate forward."),
    keep: list[str] = typer.Option(
        [], "--keep", help="Keep a column that would be excluded (repeatable)."
    ),
    refit_all: bool = typer.Option(
        True, "--refit-all/--no-refit-all", help="Refit on all rows after the blind test."
    ),
    n_jobs: int = typer.Option(None, help="CPU cores to use.", show_default="all"),
    optimize_for: str = typer.Option(
        None,
        "--optimize-for",
        help="Binary: pick the decision threshold for 'recall>=0.9', 'precision>=0.95' or 'f1'.",
    ),
    cost: str = typer.Option(
        None, help="Binary: pick the threshold with the lowest cost, e.g. 'fp=1,fn=20'."
    ),
    min_score: float = typer.Option(
        None, "--min-score", help="The score you need (in --metric); the report says if met."
    ),
    positive_class: str = typer.Option(
        None,
        "--positive-class",
        help="Binary: the label recall/precision/threshold refer to.",
        show_default="yes/true/1, else the rarer class",
    ),
    diagnose: bool = typer.Option(
        True, "--diagnose/--no-diagnose", help="Learning curves, importance, comparisons."
    ),
    backbone: str = typer.Option(
        None, help="Images: keras.applications backbone for transfer learning.", show_default="auto"
    ),
    backbone_weights: str = typer.Option(
        "imagenet",
        help="Images: 'imagenet', a weights FILE (machines without internet), or 'none' "
        "to train from scratch.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the result."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print every trial."),
) -> None:
    """Profile, clean, split, search and evaluate; save the model bundle to --out."""
    from rightfit.api import fit as fit_model
    from rightfit.budget import Budget
    from rightfit.cli._show import fit_summary
    from rightfit.errors import ConfigError

    budget = Budget(time_budget, start=PROCESS_START)
    out = out or Path(f"{train.name.split('.')[0]}-model")
    _check_out(out)
    if task == "image" or (task is None and train.is_dir()):
        from rightfit.image import fit_image_model

        model = fit_image_model(
            train,
            target=target,
            time_budget=budget,
            models=models,
            seed=seed,
            test_size=test_size,
            backbone=backbone,
            backbone_weights=backbone_weights,
            progress=_progress(quiet, verbose),
        )
        model.record.setdefault("timings", {})["fit_wall_seconds"] = round(budget.elapsed(), 3)
        path = model.save(out)
        typer.echo(fit_summary(model.record, path, budget.elapsed()))
        return
    if target is None:
        raise ConfigError("--target is required: name the column to predict, e.g. --target Churn.")
    model = fit_model(
        train,
        target,
        time_budget=budget,
        task=task,
        metric=metric,
        models=models,
        seed=seed,
        test_size=test_size,
        group_column=group_column,
        time_column=time_column,
        keep_columns=tuple(keep),
        refit_all=refit_all,
        n_jobs=n_jobs,
        optimize_for=optimize_for,
        cost=cost,
        min_score=min_score,
        diagnose=diagnose,
        positive_class=positive_class,
        progress=_progress(quiet, verbose),
    )
    model.record["timings"]["fit_wall_seconds"] = round(budget.elapsed(), 3)
    path = model.save(out)
    typer.echo(fit_summary(model.record, path, budget.elapsed()))


@app.command()
@friendly
def info(
    model_dir: Path = typer.Argument(..., help="Model directory written by `rightfit fit`."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole record as JSON."),
) -> None:
    """Show a bundle's record: data, profile, cleaning, plan, leaderboard, blind-test metrics."""
    from rightfit.cli._show import record_summary
    from rightfit.store import read_record

    record = read_record(model_dir)
    if as_json:
        typer.echo(json.dumps(record, indent=2, default=str))
    else:
        typer.echo(record_summary(record))


@app.command(name="models")
@friendly
def list_models() -> None:
    """List the model families that --models accepts, one per line."""
    from rightfit.models import family_names

    for name in family_names():
        typer.echo(name)


@app.command()
@friendly
def demo(
    out: Path = typer.Option(Path("rightfit-demo"), "--out", "-o", help="Folder for the demo."),
    time_budget: float = typer.Option(30.0, "--time-budget", "-b", help="Seconds for the fit."),
) -> None:
    """The whole flow on a real dataset shipped with scikit-learn (breast cancer diagnosis)."""
    from rightfit.cli._demo import run_demo

    run_demo(out, time_budget, PROCESS_START)
