"""`rightfit demo`: the whole workflow on real data that ships with scikit-learn."""

from __future__ import annotations

from pathlib import Path

import typer


def run_demo(out: Path, time_budget: float, process_start: float) -> None:
    """Write the breast-cancer data to ``out``, fit, predict on held-back rows, show the record."""
    from sklearn.datasets import load_breast_cancer

    from rightfit.api import fit, load
    from rightfit.budget import Budget
    from rightfit.cli._show import fit_summary, record_summary

    out.mkdir(parents=True, exist_ok=True)
    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame.copy()
    frame["diagnosis"] = frame.pop("target").map({0: "malignant", 1: "benign"})
    # Keep 20 rows aside as "new patients" the model never sees.
    new_rows = frame.sample(20, random_state=1)
    train = frame.drop(index=new_rows.index)
    train_path, new_path = out / "breast_cancer.csv", out / "new_patients.csv"
    train.to_csv(train_path, index=False)
    new_rows.drop(columns="diagnosis").to_csv(new_path, index=False)
    typer.echo(
        f"demo: Wisconsin breast cancer diagnosis (scikit-learn's copy of the UCI data), "
        f"{len(train)} patients x {train.shape[1] - 1} measurements -> {train_path}",
        err=True,
    )
    budget = Budget(time_budget, start=process_start)
    fitted = fit(train_path, "diagnosis", time_budget=budget, verbose=1)
    model_dir = out / "model"
    path = fitted.save(model_dir)
    typer.echo(fit_summary(fitted.record, path, budget.elapsed()))

    model = load(model_dir)
    scored = model.predict_frame(new_rows.drop(columns="diagnosis"))
    scored.insert(0, "true_diagnosis", new_rows["diagnosis"].to_numpy())
    pred_path = out / "new_patients_scored.csv"
    scored.to_csv(pred_path, index=False)
    agree = (scored["prediction"] == scored["true_diagnosis"]).mean()
    typer.echo(
        f"\nscored {len(scored)} new patients with the reloaded bundle -> {pred_path} "
        f"({agree:.0%} match the recorded diagnosis)\n"
    )
    typer.echo(record_summary(load(model_dir).record))
    typer.echo(
        f"\nthe report: {model_dir / 'report.html'} (open it in a browser)"
        f"\nnext: rightfit info {model_dir}   |   "
        f"rightfit predict {model_dir} {new_path} --out scored.csv   |   "
        f"rightfit serve {model_dir}"
    )
