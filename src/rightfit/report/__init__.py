"""The self-contained HTML report of a run, rendered from the bundle's record alone."""

from rightfit.report._render import render_report, write_report

__all__ = ["render_report", "write_report"]
