"""Render a record as one HTML page; each section fails alone (it says so) rather than losing the
whole report."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rightfit.report._page import e, page

logger = logging.getLogger(__name__)

REPORT_FILE = "report.html"


def _sections(record: dict):
    kind = record.get("kind", "tabular")
    if kind == "tabular":
        from rightfit.report._tabular import SECTIONS

        return SECTIONS
    if kind == "segmentation":
        from rightfit.report._segment import SECTIONS as SEGMENT_SECTIONS

        return SEGMENT_SECTIONS
    if kind == "recommendation":
        from rightfit.report._recommend import SECTIONS as RECOMMEND_SECTIONS

        return RECOMMEND_SECTIONS
    from rightfit.report._generic import sections_for

    return sections_for(record)


def _title(record: dict) -> tuple[str, str]:
    kind = record.get("kind", "tabular")
    if kind == "tabular":
        title = f"rightfit: predicting {record['target']} ({record['task']})"
    elif kind == "segmentation":
        title = f"rightfit: {record.get('k', '?')} customer segments"
    elif kind == "recommendation":
        title = "rightfit: recommendations"
    else:
        title = f"rightfit: {kind}"
    source = (record.get("data") or {}).get("source", "")
    sub = (
        f"{source} · created {record.get('created_at', record.get('saved_at', ''))} · rightfit "
        f"{record.get('rightfit_version', '')}"
    )
    return title, sub


def render_report(record: dict) -> str:
    """The report page for ``record`` (a bundle's record.json)."""
    sections = []
    for anchor, name, build in _sections(record):
        try:
            body = build(record)
        except Exception as exc:  # a record from an older or partial run: say what is missing
            logger.warning("report section %s failed: %s", name, exc)
            why = f"{type(exc).__name__}: {exc}"
            body = f"<p class='muted'>This section could not be drawn: {e(why)}</p>"
        sections.append((anchor, name, body))
    title, sub = _title(record)
    return page(title, sub, sections)


def write_report(record: dict, path: str | os.PathLike) -> Path:
    """Write the report atomically to ``path``."""
    from rightfit.store import atomic_write_text

    path = Path(path)
    atomic_write_text(path, render_report(record))
    return path
