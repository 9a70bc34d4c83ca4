"""A self-contained HTML audit report for a commissioner's board paper.

The headline, the area in figures, the milestones, the distribution of network list sizes
against the 30,000 and 50,000 lines (inline SVG, with labelled axes), the action plan with its
remediation, the data gaps, the practices in no network, then the networks grouped by lead
commissioner, with the findings to act on in each.  Statuses are in words and `code` spans of
messages are shown as code; a print stylesheet lays it out for paper.  No external assets;
every text is escaped, and control characters in it are shown as U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict

from pcn_rules.audits.run import AuditReport
from pcn_rules.render.safe import visible
from pcn_rules.render.words import long_date, status_words
from pcn_rules.vocab import days_phrase, milestone_phrase, plural

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
    "h4{font-size:.95rem;margin:.8rem 0 .2rem}"
    "code{font-family:ui-monospace,Consolas,monospace;font-size:.85em;background:#f0f4f5;"
    "padding:0 .2em}h3{font-size:1.05rem;margin:1.4rem 0 .3rem}td.n{text-align:right}"
    "ol{margin:0;padding-left:1.2rem}"
    # a board paper: no page chrome, every section open, no table split across pages
    "@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}"
    "h3{break-after:avoid}tr,svg,.headline{break-inside:avoid}"
    ".headline{background:none}a{color:inherit;text-decoration:none}"
    "@page{size:A4;margin:15mm}}"
)


def escape(text: str) -> str:
    """TEXT for the page: markup characters escaped (quotes too, for attributes), control
    characters shown as U+FFFD."""
    return html.escape(visible(text))


_CODE = re.compile(r"`([^`\n]+)`")


def prose(text: str) -> str:
    """TEXT (a message, a remediation step) for the page: escaped, with each `code` span as
    code rather than literal backticks."""
    return _CODE.sub(r"<code>\1</code>", escape(text))


def _status(status: str) -> str:
    """A finding's status in words, styled by its kind."""
    return f"<span class='{status}'>{escape(status_words(status))}</span>"


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
    width, height, pad = 760, 280, 48
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
    parts.extend(_axes(width, height, pad, bar, count, step, tallest))
    last = f"; the last bar counts every list size from {(count - 1) * step:,}" if overflow else ""
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height - 6}" font-size="12" text-anchor="middle">'
        f"Network list size (registered patients, 5,000-patient bins; {len(sizes):,} networks"
        f"{last})</text></svg>"
    )
    return "".join(parts)


def _axes(
    width: int, height: int, pad: int, bar: float, count: int, step: int, tallest: int
) -> list[str]:
    """The chart's axes (drawn as paths), their ticks and labels: patients along the bottom,
    networks up the side."""
    base = height - pad
    parts = [
        f'<path d="M{pad} {pad / 2:.0f}V{base}H{width - pad}" fill="none" stroke="#444"/>',
        f'<text x="14" y="{base / 2 + pad / 4:.0f}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 14 {base / 2 + pad / 4:.0f})">Networks</text>',
    ]
    for value in sorted({0, tallest // 2, tallest}):
        y = base - (height - 2 * pad) * value / tallest
        parts.append(
            f'<path d="M{pad - 4} {y:.1f}H{pad}" stroke="#444"/><text x="{pad - 6}" '
            f'y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:,}</text>'
        )
    every = 5 if count <= 20 else 10  # a label every 25,000 or 50,000 patients
    for i in range(0, count + 1, every):
        x = pad + i * bar
        parts.append(
            f'<path d="M{x:.1f} {base}V{base + 4}" stroke="#444"/><text x="{x:.1f}" '
            f'y="{base + 16}" font-size="11" text-anchor="middle">{i * step:,}</text>'
        )
    return parts


def _skipped(report: AuditReport) -> str:
    """A note on the JSON files the audit did not read as submissions."""
    if not report.skipped:
        return ""
    from pcn_rules.render.text_audit import skipped_note

    return f'<p class="muted" id="skipped">{escape(skipped_note(report))}</p>'


#: Findings each network's section lists one by one: those that need someone to act or to
#: know (not evidenced ones are counted, and listed by fact under "Data gaps").
_LISTED = ("error", "not_met", "met_late", "waived")


def _due(date: dt.date | None, days_left: int | None) -> str:
    return f"{long_date(date)} ({_days(days_left or 0)})" if date else "ongoing"


def _count(number: int, status: str) -> str:
    """A count of findings of STATUS, styled by it when there are any."""
    style = status if number else "muted"
    return f"<td class='{style}'>{number:,}</td>"


def _networks(report: AuditReport) -> str:
    """Every network, grouped by its lead commissioner: a table of verdicts and counts, then
    what to review in each network that has findings to act on."""
    groups: dict[str, list[int]] = defaultdict(list)
    names: dict[str, str] = {}
    for index in range(len(report.reports)):
        lead = report.lead(index)
        code = lead.code.upper() if lead else ""
        groups[code].append(index)
        if lead and lead.name:
            names.setdefault(code, lead.name)
    out = []
    for code in sorted(groups, key=lambda c: (c == "", names.get(c, c))):
        indexes = sorted(groups[code], key=lambda i: report.labels[i])
        unready = sum(1 for i in indexes if not report.network_compliant(i))
        title = f"{code} {names.get(code, '')}".strip() if code else "No lead commissioner given"
        rows, reviews = [], []
        for i in indexes:
            r, label = report.reports[i], report.labels[i]
            counts = r.summary()
            across = report.batch_findings_of(i)
            verdict = (
                "compliant"
                if report.network_compliant(i)
                else "<b class='not_met'>not compliant</b>"
            )
            rows.append(
                f"<tr><td>{escape(label)}</td><td>{verdict}</td>"
                + _count(counts["not_met"] + counts["error"], "not_met")
                + _count(counts["not_evidenced"], "not_evidenced")
                + _count(counts["met_late"], "met_late")
                + _count(counts["met"], "met")
                + _count(sum(1 for f in across if f.blocking), "not_met")
                + "</tr>"
            )
            listed = [f for f in (*r.findings, *across) if f.status in _LISTED]
            if not listed:
                continue
            body = "".join(
                f"<tr><td>{escape(f.rule_id)}</td><td>{_status(f.status)}</td>"
                f"<td>{escape(f.entity or '') if f.scope != 'network' else ''}</td>"
                f"<td>{prose(f.message)}</td></tr>"
                for f in listed
            )
            reviews.append(
                f"<h4>{escape(label)}: {escape(plural(len(listed), 'finding'))} to review</h4>"
                "<table><tr><th>Rule</th><th>Status</th><th>Practice or item</th><th>Finding</th>"
                f"</tr>{body}</table>"
            )
        out.append(
            f'<section id="commissioner-{escape(code or "none")}"><h3>{escape(title)}: '
            f"{escape(plural(len(indexes), 'network'))}, {unready:,} not compliant</h3>"
            "<table><tr><th>Network</th><th>Verdict</th><th>Not met</th><th>Not evidenced</th>"
            "<th>Met late</th><th>Met</th><th>Blocking across networks</th></tr>"
            f"{''.join(rows)}</table>{''.join(reviews)}"
            "</section>"
        )
    return "".join(out)


def _uncovered(report: AuditReport) -> str:
    if not report.uncovered:
        return ""
    rows = "".join(
        f"<tr><td>{escape(u.commissioner or '')}</td><td>{escape(u.code)}</td>"
        f"<td>{escape(u.name or '')}</td><td class='n'>"
        f"{'not known' if u.list_size is None else f'{u.list_size:,}'}</td></tr>"
        for u in report.uncovered
    )
    return (
        '<h2>Practices in no network</h2><table id="uncovered"><tr><th>Commissioner</th>'
        f"<th>Practice</th><th>Name</th><th>List size</th></tr>{rows}</table>"
    )


def render_audit_html(report: AuditReport) -> str:
    from pcn_rules.render.text_audit import commissioners_phrase, split_concerns

    s = report.stats
    ok = " ok" if report.compliant else ""
    rows = []
    for m in report.milestones:
        late = m.days_left < 0 and (m.networks_not_ready or m.actions)
        when = _days(m.days_left) if late else escape(milestone_phrase(m.days_left))
        rows.append(
            f"<tr><td>{long_date(m.date)}</td><td>{escape(m.title)}</td><td>{when}</td>"
            f"<td class='n'>{len(m.networks_not_ready):,}</td><td class='n'>{m.actions:,}</td>"
            f"<td class='n'>{m.findings:,}</td>"
            f"<td class='n'>{len(m.networks_not_evidenced):,}</td></tr>"
        )
    actions = []
    for a in report.actions:
        steps = "".join(f"<li>{prose(step)}</li>" for step in a.remediation)
        networks, across = split_concerns(report, a.networks)
        counted = f"{plural(len(networks), 'network')}, " if networks else ""
        named = "".join(
            f"<br><span class='muted'>{what}{', '.join(escape(n) for n in names[:30])}"
            f"{f' and {len(names) - 30:,} more' if len(names) > 30 else ''}</span>"
            for what, names in (("", networks), ("Across networks: ", across))
            if names
        )
        actions.append(
            f"<tr><td><b>{escape(a.rule_id)}</b><br>{escape(a.title)}</td><td>{escape(a.severity)}"
            f"</td><td>{_due(a.due_date, a.days_left)}</td><td>"
            f"{escape(counted + plural(a.findings, 'finding'))}{named}</td>"
            f"<td><ol>{steps}</ol></td></tr>"
        )
    gaps = []
    for g in report.gaps:
        gaps.append(
            f"<tr><td><code>{escape(g.path)}</code></td><td class='n'>{g.places:,} "
            f"{escape(g.unit)}</td><td>{escape(g.note or '')}</td>"
            f"<td>{escape(', '.join(g.rules))}</td><td>{_due(g.due_date, g.days_left)}</td>"
            f"<td class='n'>{len(g.networks):,}</td></tr>"
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
        ("Patients of practices in no network", s["patients_in_uncovered_practices"]),
        ("Findings of requirements met late", s["met_late"]["findings"]),
    ]
    figure_rows = "".join(
        f"<tr><th>{escape(name)}</th><td class='n'>{'—' if value is None else f'{value:,}'}"
        "</td></tr>"
        for name, value in figures
    )
    chart = _histogram(list(s["list_sizes"]), s["population_min"], s["population_typical_max"])

    scope = escape(commissioners_phrase(report))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PCN audit as of {long_date(report.as_of)}</title>
<style>{_CSS}</style></head><body>
<h1>Primary Care Network audit</h1>
<p class="muted">Pack {escape(report.pack_id)} (release {escape(report.pack_release)}), as of
{long_date(report.as_of)}; {scope}. Generated by pcn-rules.</p>
<p class="headline{ok}" id="headline">{escape(report.headline)}</p>
<h2>Summary</h2><table id="summary">{figure_rows}</table>
<h2>Milestones</h2><table id="milestones"><tr><th>Date</th><th>Milestone</th><th>When</th>
<th>Networks not ready</th><th>Actions</th><th>Findings</th><th>More networks not evidenced</th>
</tr>
{"".join(rows)}</table>
<h2>Network list sizes</h2>{chart}
<h2>Action plan</h2><table id="actions"><tr><th>Requirement</th><th>Severity</th><th>Due</th>
<th>Concerns</th><th>How to fix</th></tr>{"".join(actions)}</table>
<h2>Data gaps (not evidenced)</h2><table id="gaps"><tr><th>Fact</th><th>Missing for</th>
<th>Why</th><th>Requirements it leaves not evidenced</th><th>Needed by</th><th>Networks</th></tr>
{"".join(gaps)}</table>
{_uncovered(report)}
<h2>Networks by lead commissioner</h2>{_networks(report)}
{_skipped(report)}
<p class="muted">Contains public sector information licensed under the Open Government Licence
v3.0 where the submissions were imported from NHS Digital ODS data.</p>
</body></html>
"""
