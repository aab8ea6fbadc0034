"""JUnit XML for CI systems: one test case per standard, window and group, named from ids
(never from messages) so that a CI's history follows each one across runs.

A window fails when its target is missed, whatever the measure (or, for a standard without
a target whose breaches carry a penalty or a disqualification, when it has breaches); a
window that is not evaluated (no records, nothing to measure, fewer records than the minimum
sample) or whose group has no commitment is skipped with the reason; a met window inside the
warning band passes, and says it is at risk. Each standard with a
penalty, a service credit, a disqualification rule or an escalation ladder has a test case
for it too. Times are
0: the report is about the contract, and stays the same byte for byte.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from slacheck.findings import Result
from slacheck.reporters import _view, _wording
from slacheck.reporters._format import printable


def render(result: Result) -> str:
    view = _view.build(result)
    suite_prefix = view.contract_id
    root = ET.Element("testsuites", {"name": f"slacheck {suite_prefix}"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    by_id = {standard.id: standard for standard in result.standards}
    for s in view.standards:
        standard = by_id[s.id]
        kinds = {kind for kind, _ in standard.clauses}
        consequences = bool(kinds & {"penalty", "disqualify"})
        classname = f"{suite_prefix}.{s.id}"
        suite = ET.SubElement(root, "testsuite", {"name": classname})
        properties = ET.SubElement(suite, "properties")
        for name, value in (("title", s.title), ("contract", view.contract_path),
                            ("line", str(s.line or "")), ("as_of", view.as_of_iso)):
            ET.SubElement(properties, "property", {"name": name, "value": value})
        cases: list[ET.Element] = []
        for row in s.rows:
            case = _case(classname, f"{s.id} {row.name}")
            cases.append(case)
            counts = (f"passed {row.passed}, breached {row.breached}, pending {row.pending}, "
                      f"excluded {row.excluded}; value {row.value or '-'}, "
                      f"target {row.target or '-'}")
            if s.measure != "rate":
                counts += f"; {s.measure} over {row.sample} records"
            if row.status in ("warned", "warned-open"):
                counts += f"; {row.status_text}"
            evidence = f"\nbreaches: {row.breaches.text}" if row.breaches else ""
            if row.status == "missed":
                _fail(case, "missed-target", row.sentence or "", counts + evidence)
            elif row.status == "not-evaluated":
                ET.SubElement(case, "skipped",
                              {"message": f"{row.status_text}: {row.reason or 'no figure'}"})
            elif row.status == "no-commitment":
                ET.SubElement(case, "skipped", {
                    "message": f"{row.status_text}: the contract sets no target for "
                               f"{row.group or 'this window'}"})
            elif row.status == "breaches" and consequences:
                _fail(case, "breach", f"{row.heading}: {_wording.count(row.breached, 'breach')} "
                      f"of {row.counted:,} records", counts + evidence)
            else:
                _out(case, (row.sentence + "\n" if row.sentence else "") + counts + evidence)
        ledger = s.ledger
        if "penalty" in kinds:
            case = _case(classname, f"{s.id} penalties")
            cases.append(case)
            owed = ledger is not None and (  # per breach, or per missed window
                any(p.breaches is None or p.breaches for p in ledger.penalties)
                or ledger.unpriced is not None)
            detail = "\n".join(f"{p.heading}: {p.arithmetic}"
                               for p in (ledger.penalties if ledger else ()))
            if ledger is not None and ledger.unpriced is not None:
                detail += f"\nowed, amount unknown: {ledger.unpriced.text}"
            if owed and ledger is not None:
                _fail(case, "penalty", f"{ledger.net} {view.currency} in penalties owed "
                      f"under {s.id}", detail.strip())
            else:
                _out(case, "no penalty owed")
        if "credit" in kinds:
            case = _case(classname, f"{s.id} service credits")
            cases.append(case)
            if ledger is not None and ledger.credits:
                _fail(case, "service-credit", f"{ledger.credit_total} {view.currency} in "
                      f"service credits owed under {s.id}",
                      "\n".join(f"{label}: {amount}" for label, amount, _ in ledger.credits))
            else:
                _out(case, "no service credit owed")
        if "disqualify" in kinds:
            case = _case(classname, f"{s.id} disqualification")
            cases.append(case)
            if s.disqualifications:
                first = s.disqualifications[0]
                _fail(case, "disqualification",
                      f"disqualified under {s.id} as of {first.at}: {first.rule}",
                      "\n".join(f"{d.rule} as of {d.at}: records {d.records.text}"
                                for d in s.disqualifications))
            else:
                _out(case, "no disqualification")
        if "escalate" in kinds:
            case = _case(classname, f"{s.id} escalation")
            cases.append(case)
            if s.escalations:
                last = s.escalations[-1]
                _fail(case, "termination-right" if last.terminates else "escalation",
                      f"{last.step} under {s.id} as of {last.at}",
                      "\n".join(f"{e.step} as of {e.at} ({e.rule}): missed "
                                f"{', '.join(e.windows)}; records {e.records.text}"
                                for e in s.escalations))
            else:
                _out(case, "no step of the escalation ladder reached")
        failures = sum(1 for case in cases if case.find("failure") is not None)
        skipped = sum(1 for case in cases if case.find("skipped") is not None)
        suite.attrib.update({"tests": str(len(cases)), "failures": str(failures),
                             "errors": "0", "skipped": str(skipped), "time": "0",
                             "timestamp": view.as_of_iso})
        suite.extend(cases)
        totals["tests"] += len(cases)
        totals["failures"] += failures
        totals["skipped"] += skipped
    root.attrib.update({"tests": str(totals["tests"]), "failures": str(totals["failures"]),
                        "errors": "0", "time": "0"})
    ET.indent(root, "  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _case(classname: str, name: str) -> ET.Element:
    return ET.Element("testcase", {"classname": classname, "name": printable(name), "time": "0"})


def _fail(case: ET.Element, kind: str, message: str, text: str) -> None:
    failure = ET.SubElement(case, "failure", {"type": kind, "message": message})
    failure.text = text


def _out(case: ET.Element, text: str) -> None:
    ET.SubElement(case, "system-out").text = text
