"""``rightfit predict``: score a file with a saved bundle, streaming it in chunks."""

from __future__ import annotations

from pathlib import Path

import typer

from rightfit.cli._app import app, friendly


@app.command()
@friendly
def predict(
    model_dir: Path = typer.Argument(..., help="Model directory written by `rightfit fit`."),
    data: Path = typer.Argument(
        ..., help="Rows to score: CSV or Parquet (images: a folder, a CSV of paths, or a file)."
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Output CSV/Parquet (default: stdout)."),
    only_predictions: bool = typer.Option(
        False, "--only-predictions", help="Write only prediction/proba columns, not the inputs."
    ),
    chunk_rows: int = typer.Option(
        50_000, "--chunk-rows", help="Rows read, scored and written at a time (bounds memory)."
    ),
    top_k: int = typer.Option(10, "--top-k", help="Recommendation models: items per user."),
    include_seen: bool = typer.Option(
        False, "--include-seen", help="Recommendation models: also recommend items already seen."
    ),
) -> None:
    """Score DATA with a saved model: input rows in order, plus `prediction` and `proba_<class>`.

    Large files are streamed in chunks (memory stays bounded); a progress bar shows on a terminal.
    """
    from rightfit.api import load
    from rightfit.data import Schema
    from rightfit.errors import ConfigError
    from rightfit.serve import score_file

    model = load(model_dir)
    kind = model.record.get("kind", "tabular")
    if kind == "image":
        scored = model.predict_source(data)
        _write_whole(scored, out)
        return
    if kind == "segmentation" and model.record.get("rfm"):
        # A purchase log becomes one row per customer: it must be aggregated whole, since a
        # customer's purchases split across chunks would give wrong totals and recency.
        from rightfit.data import read_table

        _write_whole(model.predict_frame(read_table(data).frame), out)
        return
    if kind == "recommendation":
        if top_k < 1:
            raise ConfigError(f"--top-k must be at least 1, got {top_k}.")

        def score(users):
            # without --include-seen: the bundle's setting (`recommend --repeats` serves repeats)
            return model.recommend_frame(
                users, top_k=top_k, exclude_seen=False if include_seen else None
            )

        keep_inputs = False
    else:
        score, keep_inputs = model.predict_frame, not only_predictions
    schema = getattr(model, "schema", None)
    summary = score_file(
        score,
        data,
        out,
        schema=schema if isinstance(schema, Schema) else None,
        keep_inputs=keep_inputs,
        chunk_rows=chunk_rows,
    )
    if out is not None:
        typer.echo(f"wrote {summary.rows:,} predictions to {out}", err=True)


def _write_whole(scored, out: Path | None) -> None:
    import sys

    from rightfit.store import atomic_write_bytes

    if out is None:
        scored.to_csv(sys.stdout, index=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() in (".parquet", ".pq"):
        atomic_write_bytes(out, scored.to_parquet(index=False))
    else:
        atomic_write_bytes(out, scored.to_csv(index=False).encode("utf-8"))
    typer.echo(f"wrote {len(scored):,} predictions to {out}", err=True)
