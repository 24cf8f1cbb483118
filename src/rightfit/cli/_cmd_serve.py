"""``rightfit serve`` (HTTP server) and ``rightfit export`` (ONNX, MLflow)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from rightfit.cli._app import app, friendly

API_KEY_VARIABLE = "RIGHTFIT_API_KEY"


@app.command()
@friendly
def serve(
    model_dirs: list[Path] = typer.Argument(..., help="Model directories to serve."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, help="Worker processes, each with its own copy of the models."),
    name: list[str] = typer.Option(
        [], "--name", help="Served name of each model, in order (default: the directory name)."
    ),
    api_key: str = typer.Option(
        None,
        "--api-key",
        help=f"Key required on model endpoints (default: ${API_KEY_VARIABLE} if set).",
        show_default=False,
    ),
    max_body_mb: float = typer.Option(10.0, help="Largest request body accepted (413 above)."),
    max_pending: int = typer.Option(
        64, help="Prediction requests queued or running per worker; more get a fast 503."
    ),
    access_log: bool = typer.Option(False, help="Log every request."),
) -> None:
    """Serve models over HTTP: Open Inference Protocol v2, JSON/CSV predict, /metrics, /docs."""
    from rightfit.errors import ConfigError
    from rightfit.serve import ServeSettings
    from rightfit.serve import serve as run_server

    if max_body_mb <= 0 or max_pending < 1:
        raise ConfigError("--max-body-mb must be positive and --max-pending at least 1.")
    key = api_key or os.environ.get(API_KEY_VARIABLE) or None
    settings = ServeSettings(
        api_key=key, max_body_bytes=int(max_body_mb * 1_000_000), max_pending=max_pending
    )
    run_server(
        model_dirs,
        names=name,
        host=host,
        port=port,
        workers=workers,
        settings=settings,
        access_log=access_log,
        announce=lambda line: typer.echo(line, err=True),
    )


@app.command()
@friendly
def export(
    model_dir: Path = typer.Argument(..., help="Model directory written by `rightfit fit`."),
    format: str = typer.Option(..., "--format", "-f", help="onnx or mlflow."),
    out: Path = typer.Option(
        None, "--out", "-o", help="FILE.onnx or an MLflow model DIR (default: next to MODEL_DIR)."
    ),
) -> None:
    """Export a model: ONNX (checked against rightfit to 1e-5) or an MLflow pyfunc directory."""
    from rightfit.errors import ConfigError, did_you_mean

    formats = ("onnx", "mlflow")
    if format not in formats:
        raise ConfigError(
            f"Unknown --format {format!r}.{did_you_mean(format, formats)} Use onnx or mlflow."
        )
    name = model_dir.resolve().name
    if format == "onnx":
        from rightfit.export import export_onnx

        path = export_onnx(model_dir, out or model_dir.parent / f"{name}.onnx")
    else:
        try:
            from rightfit.export import export_mlflow
        except ImportError as error:
            raise ConfigError(
                f"MLflow export needs MLflow ({error}); install it with "
                "`pip install 'rightfit[export]'`."
            ) from None
        path = export_mlflow(model_dir, out or model_dir.parent / f"{name}-mlflow")
    typer.echo(f"wrote {path}")
