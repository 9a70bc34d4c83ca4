"""A self-contained HTML audit report for a commissioner's board paper.

Summary, milestone timeline, the distribution of network list sizes against the 30,000 and
50,000 lines (inline SVG), the action plan and per-network tables.  No external assets; every
text is escaped, and control characters in it are shown as U+FFFD.
"""

from __future__ import annotations

import html

from pcn_rules.audits.run import AuditReport
from pcn_rules.render.safe import visible
from pcn_rules.vocab import days_phrase, milestone_phrase

_CSS = (
    "body{font-family:system-ui,'Segoe UI',Arial,sans-serif;margin:2rem;color:#1d1d1d;"
    "max-width:1100px}h1{font-size:1.6rem;margin-bottom:.2rem}"
    "h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #005eb8}"
    ".headline{font-size:1.15rem;font-weight:600;padding:.8rem 1rem;background:#fff4e5;"
    "border-left:6px solid #ed8b00}.ok{border-left-color:#007f3b;background:#e8f5ec}"
    "table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f0f4f5}.overdue{color:#b00020;font-weight:600}.met{color:#007f3b}"
    ".not_met{color:#b00020}.not_evidenced{color:#7a2b8c}.met_late{color:#8a6d00}"
    ".waived{color:#8a6d00}.muted{color:#666}"
    "details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}"
)


def escape(text: str) -> str:
    """TEXT for the page: markup characters escaped (quotes too, for attributes), control
    characters shown as U+FFFD."""
    return html.escape(visible(text))


def _days(days: int) -> str:
    """Days left, in words; overdue in red."""
    phrase = escape(days_phrase(days))
    return f'<span class="overdue">{phrase}</span>' if days < 0 else phrase


#: The chart's bins: 5,000 patients each, at most 40 bars (0 to 200,000 patients); every list
#: size beyond the last bin is counted in it, so that one absurd figure cannot make millions.
_STEP = 5_000
_MAX_BINS = 40


def _histogram(sizes: list[int], low: int, high: int) -> str:
    """An SVG histogram of list sizes in 5,000-patient bins, with the two policy lines."""
    if not sizes:
        return "<p class='muted'>No networks.</p>"
    width, height, pad = 760, 260, 40
    step = _STEP
    top = max(max(sizes), high + 10_000)
    count = min(int(top) // step + 1, _MAX_BINS)
    # the last bar holds every larger size when the sizes go beyond the chart
    overflow = any(size >= count * step for size in sizes)
    bins = [0] * count
    for size in sizes:
        bins[min(max(int(size), 0) // step, count - 1)] += 1
    tallest = max(bins) or 1
    bar = (width - 2 * pad) / len(bins)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="Distribution of network list sizes">'
    ]
    for i, number in enumerate(bins):
        h = (height - 2 * pad) * number / tallest
        x = pad + i * bar
        colour = "#b00020" if (i + 1) * step <= low else "#005eb8"
        if overflow and i == count - 1:
            span = f"{i * step:,} or more"
        else:
            span = f"{i * step:,} to {(i + 1) * step - 1:,}"
        parts.append(
            f'<rect x="{x:.1f}" y="{height - pad - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{span}: {number} networks</title></rect>'
        )
    for value, label in ((low, f"{low:,}"), (high, f"{high:,}")):
        if not 0 <= value <= count * step:
            continue  # beyond the chart
        x = pad + value / step * bar
        parts.append(
            f'<line x1="{x:.1f}" y1="{pad / 2}" x2="{x:.1f}" y2="{height - pad}" stroke="#ed8b00" '
            f'stroke-width="2" stroke-dasharray="6 4"/><text x="{x + 4:.1f}" y="{pad / 2 + 10}" '
            f'font-size="12">{escape(label)}</text>'
        )
    last = f"; the last bar counts every list size from {(count - 1) * step:,}" if overflow else ""
    parts.append(
        f'<text x="{pad}" y="{height - 8}" font-size="12">list size (5,000-patient bins; '
        f"{len(sizes)} networks; tallest bar {tallest}{last})</text></svg>"
    )
    return "".join(parts)


def _skipped(report: AuditReport) -> str:
    """A note on the JSON files the audit did not read as submissions."""
    if not report.skipped:
        return ""
    from pcn_rules.render.text_audit import skipped_note

    return f'<p class="muted" id="skipped">{escape(skipped_note(report))}</p>'


def render_audit_html(report: AuditReport) -> str:
    s = report.stats
    ok = " ok" if report.compliant else ""
    rows = []
    for m in report.milestones:
        late = m.days_left < 0 and (m.networks_not_ready or m.actions)
        when = _days(m.days_left) if late else escape(milestone_phrase(m.days_left))
        rows.append(
            f"<tr><td>{m.date:%d %b %Y}</td><td>{escape(m.title)}</td><td>{when}</td>"
            f"<td>{len(m.networks_not_ready)}</td><td>{m.actions}</td>"
            f"<td>{len(m.networks_not_evidenced)}</td></tr>"
        )
    actions = []
    for a in report.actions:
        due = f"{a.due_date:%d %b %Y} ({_days(a.days_left or 0)})" if a.due_date else "ongoing"
        steps = "".join(f"<li>{escape(step)}</li>" for step in a.remediation)
        networks = ", ".join(escape(n) for n in a.networks[:30])
        more = f" and {len(a.networks) - 30} more" if len(a.networks) > 30 else ""
        actions.append(
            f"<tr><td><b>{escape(a.rule_id)}</b><br>{escape(a.title)}</td><td>{escape(a.severity)}"
            f"</td><td>{due}</td><td>{len(a.networks)} networks, {a.findings} findings<br>"
            f"<span class='muted'>{networks}{more}</span></td><td><ol>{steps}</ol></td></tr>"
        )
    gaps = []
    for g in report.gaps:
        due = f"{g.due_date:%d %b %Y} ({_days(g.days_left or 0)})" if g.due_date else "ongoing"
        gaps.append(
            f"<tr><td><code>{escape(g.path)}</code></td><td>{g.places:,} {escape(g.unit)}</td>"
            f"<td>{escape(g.note or '')}</td><td>{escape(', '.join(g.rules))}</td><td>{due}</td>"
            f"<td>{len(g.networks):,}</td></tr>"
        )
    tables = []
    for label, r in zip(report.labels, report.reports, strict=True):
        failing = [
            f
            for f in r.findings
            if f.status in ("not_met", "not_evidenced", "error", "waived", "met_late")
        ]
        body = "".join(
            f"<tr><td>{escape(f.rule_id)}</td><td class='{f.status}'>{escape(f.status)}</td>"
            f"<td>{escape(f.entity or '')}</td><td>{escape(f.message)}</td></tr>"
            for f in failing
        )
        verdict = "compliant" if r.compliant else "not compliant"
        tables.append(
            f"<details><summary>{escape(label)}: {verdict}, {len(failing)} findings to review"
            f"</summary><table><tr><th>Rule</th><th>Status</th><th>Entity</th><th>Finding</th></tr>"
            f"{body}</table></details>"
        )
    figures = [
        ("Networks audited", s["networks"]),
        (f"Below {s['population_min']:,} (complete list sizes)", s["below_min_complete"]),
        (
            f"Above {s['population_typical_max']:,} (complete list sizes)",
            s["above_typical_max_complete"],
        ),
        ("Networks with list-size gaps", s["networks_with_list_size_gaps"]),
        ("Single-practice networks", s["single_practice_networks"]),
        ("Memberships crossing CCG boundaries", s["memberships_crossing_ccg"]),
        ("Register practices in no network", s["register_practices_in_no_network"]),
        ("Findings of requirements met late", s["met_late"]["findings"]),
    ]
    figure_rows = "".join(
        f"<tr><th>{escape(name)}</th><td>{'—' if value is None else f'{value:,}'}</td></tr>"
        for name, value in figures
    )
    chart = _histogram(list(s["list_sizes"]), s["population_min"], s["population_typical_max"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PCN audit as of {report.as_of}</title>
<style>{_CSS}</style></head><body>
<h1>Primary Care Network audit</h1>
<p class="muted">Pack {escape(report.pack_id)} (release {escape(report.pack_release)}), as of
{report.as_of:%d %B %Y}. Generated by pcn-rules.</p>
<p class="headline{ok}" id="headline">{escape(report.headline)}</p>
<h2>Summary</h2><table id="summary">{figure_rows}</table>
<h2>Milestones</h2><table id="milestones"><tr><th>Date</th><th>Milestone</th><th>When</th>
<th>Networks not ready</th><th>Actions</th><th>More networks not evidenced</th></tr>
{"".join(rows)}</table>
<h2>Network list sizes</h2>{chart}
<h2>Action plan</h2><table id="actions"><tr><th>Requirement</th><th>Severity</th><th>Due</th>
<th>Concerns</th><th>How to fix</th></tr>{"".join(actions)}</table>
<h2>Data gaps (not evidenced)</h2><table id="gaps"><tr><th>Fact</th><th>Missing for</th>
<th>Why</th><th>Requirements it leaves not evidenced</th><th>Needed by</th><th>Networks</th></tr>
{"".join(gaps)}</table>
<h2>Networks</h2>{"".join(tables)}
{_skipped(report)}
<p class="muted">Contains public sector information licensed under the Open Government Licence
v3.0 where the submissions were imported from NHS Digital ODS data.</p>
</body></html>
"""
