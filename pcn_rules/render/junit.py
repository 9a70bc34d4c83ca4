"""JUnit XML for CI pipelines: one test suite per network, one test case per requirement.

A requirement fails when any of its findings for the network is not met or not evidenced (the
failure's type says which), and is an error when it could not be evaluated; it is skipped when
it does not apply; a waived requirement, or one met late, passes, with the waiver or the days
late in the case's output.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from pcn_rules.render.safe import xml_text
from pcn_rules.report.model import Finding, Report


def _case(suite: ET.Element, report: Report, rule_id: str, findings: list[Finding]) -> str:
    network = report.network_ods_code or report.network_name
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": f"pcn.{network}", "name": f"{rule_id}: {findings[0].title}", "time": "0"},
    )
    failed = [f for f in findings if f.failed]
    if failed:
        statuses = {f.status for f in failed}
        tag = "error" if "error" in statuses else "failure"
        kind = "not_met" if "not_met" in statuses else sorted(statuses)[0]
        element = ET.SubElement(
            case,
            tag,
            {
                "message": " ".join(f.message for f in failed)[:1000],
                "type": f"{failed[0].severity}: {kind}",
            },
        )
        lines = [f"{f.entity or network}: {f.status}: {f.message}" for f in failed]
        missing = sorted({path for f in failed for path in f.missing})
        if missing:
            lines.append("Not evidenced: " + ", ".join(missing))
        lines += ["How to fix:"] + [f"  - {step}" for step in failed[0].remediation]
        element.text = "\n".join(lines)
        return tag
    if all(f.status == "not_applicable" for f in findings):
        ET.SubElement(case, "skipped", {"message": findings[0].message})
        return "skipped"
    notes = [
        f"waived by {f.waiver.approved_by} on {f.waiver.approved_on}: {f.waiver.reason}"
        for f in findings
        if f.waiver is not None
    ]
    notes += [f"{f.entity or network}: {f.message}" for f in findings if f.status == "met_late"]
    if notes:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(notes)
    return "passed"


def _only_xml_characters(root: ET.Element) -> None:
    """Every text and attribute under ROOT without a character XML 1.0 forbids (a control
    character in a network's name would make the whole file unreadable)."""
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        for key, value in element.attrib.items():
            element.set(key, xml_text(value))


def render_junit(reports: list[Report]) -> str:
    root = ET.Element("testsuites", {"name": "pcn-check"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        network = report.network_ods_code or report.network_name
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{report.network_name} ({network}) pack {report.pack_id} as of "
                f"{report.as_of}",
                "timestamp": f"{report.as_of.isoformat()}T00:00:00",
            },
        )
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in report.findings:
            by_rule[finding.rule_id].append(finding)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for rule_id, findings in by_rule.items():
            outcome = _case(suite, report, rule_id, findings)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome in ("error", "skipped"):
                counts["errors" if outcome == "error" else "skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    _only_xml_characters(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
