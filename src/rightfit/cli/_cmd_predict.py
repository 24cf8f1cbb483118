"""``rightfit predict``: score a file with a saved bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from rightfit.cli._app import app, friendly


@app.command()
@friendly
def predict(
    model_dir: Path = typer.Argument(..., help="Model directory written by `rightfit fit`."),
    data: Path = typer.Argument(..., help="Rows to score: CSV or Parquet."),
    out: Path = typer.Option(None, "--out", "-o", help="Output CSV/Parquet [default: stdout]."),
    only_predictions: bool = typer.Option(
        False, "--only-predictions", help="Write only prediction/proba columns, not the inputs."
    ),
) -> None:
    """Score DATA with a saved model: input rows in order, plus `prediction` and `proba_<class>`."""
    import pandas as pd

    from rightfit.api import load
    from rightfit.data import read_table

    model = load(model_dir)
    frame = read_table(data).frame
    scored = model.predict_frame(frame)
    if not only_predictions:
        inputs = frame.drop(columns=[c for c in scored.columns if c in frame.columns])
        scored = pd.concat([inputs.reset_index(drop=True), scored], axis=1)
    if out is None:
        scored.to_csv(sys.stdout, index=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if out.suffix.lower() in (".parquet", ".pq"):
        scored.to_parquet(tmp, index=False)
    else:
        scored.to_csv(tmp, index=False)
    os.replace(tmp, out)
    typer.echo(f"wrote {len(scored):,} predictions to {out}", err=True)
