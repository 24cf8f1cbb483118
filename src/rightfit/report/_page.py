"""The page: one self-contained HTML file (inline CSS and SVG, no scripts, no network)."""

from __future__ import annotations

from html import escape

CSS = """
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --accent:#2563eb; --ok:#16a34a;
        --warn:#d97706; --bad:#dc2626; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; background: #f9fafb; }
header { background: #111827; color: white; padding: 28px 40px; }
header h1 { margin: 0 0 6px; font-size: 26px; }
header p { margin: 0; color: #d1d5db; }
nav { background: white; border-bottom: 1px solid var(--line); padding: 8px 40px;
      position: sticky; top: 0; font-size: 13px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 40px 60px; }
section { background: white; border: 1px solid var(--line); border-radius: 10px;
          padding: 20px 24px; margin: 18px 0; }
h2 { margin: 0 0 12px; font-size: 20px; }
h3 { margin: 18px 0 8px; font-size: 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 14px; }
.card { flex: 1 1 200px; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
        background: #fff; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
               letter-spacing: .04em; }
.card .value { font-size: 26px; font-weight: 650; }
.card .sub { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600;
         font-size: 13px; color: white; }
.badge.good_fit { background: var(--ok); } .badge.overfit { background: var(--bad); }
.badge.underfit { background: var(--warn); } .badge.needs_more_data { background: var(--accent); }
.badge.unknown { background: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 12px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.charts figure { margin: 0; flex: 1 1 380px; }
figure svg { max-width: 100%; height: auto; }
.muted { color: var(--muted); }
ul.tight { margin: 4px 0; padding-left: 20px; }
.sev-high { color: var(--bad); font-weight: 600; } .sev-medium { color: var(--warn); }
"""


def e(value) -> str:
    """HTML-escape anything."""
    return escape("" if value is None else str(value))


def fmt(value, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:,.{digits}f}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return e(value)


def table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(svg: str, caption: str = "") -> str:
    cap = f"<figcaption class='muted'>{e(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{e(anchor)}"><h2>{e(title)}</h2>{body}</section>'


def page(title: str, subtitle: str, sections: list[tuple[str, str, str]]) -> str:
    """``sections``: (anchor, title, html body)."""
    nav = "".join(f'<a href="#{e(a)}">{e(t)}</a>' for a, t, _ in sections)
    body = "".join(section(a, t, b) for a, t, b in sections)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{e(title)}</h1><p>{e(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>"
    )
