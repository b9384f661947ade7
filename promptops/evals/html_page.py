"""The one HTML page both reports use (``eval --format html``, ``diff --format html``).

A single self-contained file: inline CSS and JavaScript, inline SVG charts, no network, no
external font. Rows are rendered here, as HTML text, so a 2,000-case report paints without
waiting for script; the script only filters (status buttons, a search box, ``#filter=fail``
in the address) and counts what is shown. Everything user-supplied is escaped.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

__all__ = ["Bar", "Row", "badge", "bar_chart", "esc", "page", "td", "word_diff"]

_WORDS = re.compile(r"\s+|[^\s]+")
_MAX_DIFF_TOKENS = 4_000

_CSS = """
:root{--pass:#1a7f37;--fail:#cf222e;--error:#9a6700;--muted:#57606a;--line:#d0d7de}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;
margin:0;color:#1f2328;background:#fff}header{padding:16px 24px;border-bottom:1px solid
var(--line);background:#f6f8fa}h1{font-size:20px;margin:0 0 6px}.summary{color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:24px;padding:12px 24px}.chart h3{font-size:13px;
margin:0 0 4px}.controls{position:sticky;top:0;background:#fff;padding:10px 24px;
border-bottom:1px solid var(--line);display:flex;gap:8px;align-items:center;z-index:1}
.controls button{border:1px solid var(--line);background:#f6f8fa;border-radius:6px;
padding:4px 10px;cursor:pointer}.controls button.on{background:#0969da;color:#fff}
#search{flex:0 1 280px;padding:4px 8px;border:1px solid var(--line);border-radius:6px}
#shown{color:var(--muted);margin-left:auto}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f6f8fa;position:sticky;top:49px}td.out{white-space:pre-wrap;
word-break:break-word;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;
max-width:48ch}.badge{font-weight:600;font-size:12px;padding:1px 6px;border-radius:10px;
color:#fff}.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}
.badge.error{background:var(--error)}.badge.none{background:var(--muted)}
del{background:#ffebe9;color:#82071e;text-decoration:line-through}ins{background:#dafbe1;
color:#116329;text-decoration:none}ul.why{margin:4px 0 0;padding-left:18px;
color:var(--muted);font-size:12px}tr[hidden]{display:none}
"""

_SCRIPT = """
(function(){
 var rows=Array.prototype.slice.call(document.querySelectorAll('tbody tr'));
 var buttons=document.querySelectorAll('.controls button');
 var search=document.getElementById('search');var shown=document.getElementById('shown');
 var state={filter:'all',q:''};
 function apply(){var n=0,q=state.q.toLowerCase();
  for(var i=0;i<rows.length;i++){var r=rows[i];
   var ok=(state.filter==='all'||(' '+r.dataset.status+' ').indexOf(' '+state.filter+' ')>=0)
    &&(!q||r.textContent.toLowerCase().indexOf(q)>=0);
   r.hidden=!ok;if(ok)n++}
  for(var j=0;j<buttons.length;j++){buttons[j].classList.toggle('on',
   buttons[j].dataset.filter===state.filter)}
  shown.textContent=n+' of '+rows.length+' cases shown';document.body.dataset.shown=n}
 for(var k=0;k<buttons.length;k++){buttons[k].addEventListener('click',function(e){
  state.filter=e.target.dataset.filter;history.replaceState(null,'','#filter='+state.filter);
  apply()})}
 search.addEventListener('input',function(){state.q=search.value;apply()});
 var m=/filter=([a-z]+)/.exec(location.hash);if(m){state.filter=m[1]}
 apply();document.body.dataset.ready=Math.round(performance.now());
})();
"""

_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>$title</title><style>$css</style></head>
<body>
<header><h1>$title</h1><div class="summary">$summary</div></header>
<section class="charts">$charts</section>
<nav class="controls">$buttons<input id="search" type="search" placeholder="search cases, outputs, reasons">
<span id="shown"></span></nav>
<table><thead><tr>$head</tr></thead><tbody>
$rows
</tbody></table>
<script>$script</script>
</body></html>
""")  # noqa: E501


def esc(text: str) -> str:
    """HTML-escape ``text`` (quotes included: it may land in an attribute)."""
    return html.escape(text, quote=True)


def word_diff(old: str, new: str) -> str:
    """``new`` as HTML with the words that differ from ``old`` marked (``<del>``/``<ins>``).

    Very long outputs are shown without marks rather than diffed quadratically."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    if old == new or len(a) + len(b) > _MAX_DIFF_TOKENS:
        return esc(new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(esc("".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(f"<del>{esc(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{esc(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str


def bar_chart(title: str, bars: Sequence[Bar], width: int = 260) -> str:
    """A horizontal SVG bar chart, one bar per label, scaled to the largest value."""
    top = max((b.value for b in bars), default=0.0) or 1.0
    rows = []
    for i, b in enumerate(bars):
        y = 4 + i * 22
        length = max(1.0, (width - 150) * b.value / top)
        rows.append(
            f'<text x="0" y="{y + 13}" font-size="11">{esc(b.label[:22])}</text>'
            f'<rect x="110" y="{y}" width="{length:.1f}" height="16" fill="#0969da"></rect>'
            f'<text x="{114 + length:.1f}" y="{y + 13}" font-size="11">{esc(b.shown)}</text>'
        )
    height = 8 + 22 * len(bars)
    return (
        f'<div class="chart"><h3>{esc(title)}</h3><svg role="img" aria-label="{esc(title)}" '
        f'width="{width + 40}" height="{height}">{"".join(rows)}</svg></div>'
    )


def td(inner: str, cls: str = "") -> str:
    """One table cell around ready HTML."""
    return f'<td class="{cls}">{inner}</td>' if cls else f"<td>{inner}</td>"


@dataclass(frozen=True)
class Row:
    """One table row: ``status`` words for the filters (``pass``, ``fail``, ``error``,
    ``differ``), and cells made with :func:`td`."""

    status: str
    cells: Sequence[str]


def badge(status: str) -> str:
    """A coloured status word."""
    kind = status if status in ("pass", "fail", "error") else "none"
    return f'<span class="badge {kind}">{esc(status.upper())}</span>'


def page(
    title: str,
    summary: str,
    charts: Sequence[str],
    head: Sequence[str],
    rows: Sequence[Row],
    filters: Sequence[str] = ("all", "pass", "fail", "error", "differ"),
) -> str:
    """The whole self-contained report page."""
    buttons = "".join(
        f'<button type="button" data-filter="{esc(f)}">{esc(f)}</button>' for f in filters
    )
    body = "\n".join(
        f'<tr data-status="{esc(r.status)}">' + "".join(r.cells) + "</tr>" for r in rows
    )
    return _PAGE.substitute(
        title=esc(title),
        css=_CSS,
        summary=summary,
        charts="".join(charts),
        buttons=buttons,
        head="".join(f"<th>{esc(h)}</th>" for h in head),
        rows=body,
        script=_SCRIPT,
    )
