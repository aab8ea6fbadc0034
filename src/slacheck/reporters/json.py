"""The JSON report: the stable, versioned, machine-readable form of a `Result`.

The shape is documented in docs/result-format.md and described by
`slacheck/schemas/result.schema.json`; `schema` names its version.
"""

from __future__ import annotations

import json as _json
import re
from typing import Any

from slacheck._money import RateUsed
from slacheck._resources import package_text
from slacheck.findings import (
    Disqualification,
    RecordRef,
    Result,
    StandardResult,
    WindowOutcome,
)
from slacheck.reporters._format import figure, fraction, goal, moment, percent, target

SCHEMA = "slacheck.result/1"


def result_schema() -> dict[str, Any]:
    """The JSON Schema that every JSON report validates against."""
    text = package_text("schemas", "result.schema.json")
    schema: dict[str, Any] = _json.loads(text)
    return schema


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def render(result: Result) -> str:
    """The result as JSON with sorted keys, one trailing newline.

    Text stays UTF-8 as written, but a lone surrogate (which a JSON line may hold as
    `\\ud800`) is written as its escape, since it has no UTF-8 form.
    """
    text = _json.dumps(to_dict(result), indent=2, sort_keys=True, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", text) + "\n"


def to_dict(result: Result) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "slacheck", "version": result.tool_version},
        "contract": {
            "id": result.contract_id,
            "title": result.contract_title,
            "provider": result.provider,
            "customer": result.customer,
            "path": result.contract_path,
            "sha256": result.contract_sha256,
        },
        "inputs": [{"path": item.path, "sha256": item.sha256} for item in result.inputs],
        "as_of": moment(result.as_of),
        "currency": result.currency,
        **({"rates": [_rate(rate) for rate in result.rates]} if result.rates else {}),
        "timezone": result.timezone,
        "evidence_limit": result.evidence_limit,
        "compliant": result.compliant,
        "verdict": result.verdict.value,
        "evaluated": result.evaluated,
        "lines": {
            "read": result.lines.read,
            "accepted": result.lines.accepted,
            "rejected": result.lines.rejected,
            "merged": result.lines.merged,
            "warnings": [
                {"message": item.message, "records": item.records,
                 "first": [{"source": source, "line": line} for source, line in item.first]}
                for item in result.lines.warnings
            ],
            "adds_up": result.lines.adds_up,
            "outside_period": result.lines.outside,
            "causes": [
                {"field": item.field, "cause": item.cause, "lines": item.lines,
                 "first": [{"source": source, "line": line} for source, line in item.first]}
                for item in result.lines.causes
            ],
            "undeclared_fields": [
                {"field": item.field, "records": item.records, "source": item.source,
                 "first_line": item.line, "resembles": item.resembles}
                for item in result.lines.undeclared
            ],
            "rejections": [
                {"source": item.source, "line": item.line, "field": item.field,
                 "reason": item.reason}
                for item in result.lines.rejections
            ],
        },
        "evaluation_errors": {
            "total": result.evaluation_errors_total,
            "records": [
                {**_ref(item.record), "standard": item.standard, "clause": item.clause,
                 "reason": item.reason}
                for item in result.evaluation_errors
            ],
        },
        "standards": [_standard(standard) for standard in result.standards],
        "totals": {
            "penalties": str(result.penalties),
            "service_credits": str(result.credits),
            "rewards": str(result.rewards),
            "breaches": result.breaches,
            **({"deferred_penalties": str(result.deferred)}
               if any(s.deferred_total for s in result.standards) else {}),
            **({"payments": str(result.payments)}
               if any(s.payments for s in result.standards) else {}),
        },
        "disqualification": _disqualification(result.disqualification),
        "pools": [
            {"pool": item.pool, "window": item.window, "standards": list(item.standards),
             "gross": str(item.gross), "limit": str(item.limit), "adjustment":
             str(item.adjustment), "net": str(item.net)}
            for item in result.pools
        ],
    }


def _rate(rate: RateUsed) -> dict[str, Any]:
    return {"currency": rate.currency, "rate": str(rate.rate), "into": rate.into,
            "date": rate.date.isoformat() if rate.date is not None else None,
            "given": rate.given}


def _ref(ref: RecordRef) -> dict[str, Any]:
    return {"id": ref.id, "line": ref.line, "source": ref.source}


def _standard(standard: StandardResult) -> dict[str, Any]:
    return {
        "id": standard.id,
        "title": standard.title,
        "clauses": [{"kind": kind, "text": text} for kind, text in standard.clauses],
        "clause_lines": [{"kind": kind, "line": line} for kind, line in standard.clause_lines],
        "breaches": standard.breaches,
        **({"rates": [_rate(rate) for rate in standard.rates]} if standard.rates else {}),
        "windows": [_window(window) for window in standard.windows],
        "missed_windows": list(standard.missed_windows),
        "longest_missed_run": standard.longest_missed_run,
        "penalties": {
            "total": str(standard.penalties),
            "payer": "provider", "payee": "customer",
            "windows": [
                {"window": item.label, "gross": str(item.gross), "net": str(item.net),
                 "cap": None if item.cap is None else str(item.cap), "breaches": item.breaches,
                 **({"arithmetic": item.arithmetic} if item.arithmetic else {})}
                for item in standard.penalty_windows
            ],
            "records": [
                {**_ref(item.record), "amount": str(item.amount)}
                for item in standard.record_penalties
            ],
            "records_total": standard.record_penalties_total,
            "unpriced": {
                "total": standard.unpriced_total,
                "records": [_ref(ref) for ref in standard.unpriced],
            },
            **_deferred_and_strikes(standard),
        },
        "service_credits": {
            "total": str(standard.credit_total),
            "payer": "provider", "payee": "customer",
            "windows": [
                {"window": item.label, "amount": str(item.amount),
                 **({"arithmetic": item.arithmetic} if item.arithmetic else {})}
                for item in standard.credits
            ],
        },
        "rewards": {
            "total": str(standard.reward_total),
            "payer": "customer", "payee": "provider",
            "windows": [
                {"window": item.label, "amount": str(item.amount), "arithmetic": item.arithmetic}
                for item in standard.rewards
            ],
        },
        **({"payments": {
            "total": str(standard.payment_total),
            "payer": "customer", "payee": "provider",
            "windows": [{"window": item.label, "amount": str(item.amount),
                         "closed": item.closed, "arithmetic": item.arithmetic}
                        for item in standard.payments],
        }} if standard.payments else {}),
        "unpriced_windows": list(standard.unpriced_windows),
        "overdue_open": {
            "total": standard.overdue_open_total,
            "records": [_ref(ref) for ref in standard.overdue_open],
        },
        "disqualification": _disqualification(standard.disqualification),
        "disqualifications": [_disqualification(item) for item in standard.disqualifications],
        "escalations": [
            {"rule": item.rule, "step": item.step, "window": item.window,
             "at": item.at.isoformat(), "windows": list(item.windows),
             "records": [_ref(ref) for ref in item.records]}
            for item in standard.escalations
        ],
        "scope_undetermined": {
            "total": standard.scope_undetermined_total,
            "records": [_ref(ref) for ref in standard.scope_undetermined],
        },
        "implausible": [
            {"check": item.check, "total": item.total,
             "records": [_ref(ref) for ref in item.records]}
            for item in standard.implausible
        ],
    }


def _deferred_and_strikes(standard: StandardResult) -> dict[str, Any]:
    """Penalties deferred while their records are open, and amounts due at every Nth
    breach; present only where the contract has them, so other results keep their shape."""
    out: dict[str, Any] = {}
    if standard.deferred_total:
        out["deferred"] = {
            "total": standard.deferred_total,
            "amount": str(standard.deferred_amount),
            "records": [{**_ref(item.record), "amount": str(item.amount)}
                        for item in standard.deferred],
        }
    if standard.strikes:
        out["strikes"] = [
            {"rule": item.rule, "at": item.at.isoformat(), "window": item.window,
             "amount": str(item.amount), "records": [_ref(ref) for ref in item.records]}
            for item in standard.strikes
        ]
    return out


def _window(window: WindowOutcome) -> dict[str, Any]:
    return {
        "window": window.label,
        "start": moment(window.start),
        "end": moment(window.end),
        "closed": window.closed,
        "group": dict(window.group),
        "passed": window.passed,
        "breached": window.breached,
        "pending": window.pending,
        "excluded": window.excluded,
        "exclusions": dict(window.exclusions),
        "rate": percent(window.rate),
        "rate_exact": fraction(window.rate),
        "target": target(window.target) if window.unit == "share" else goal(window.target,
                                                                               window.unit),
        "met": window.met,
        "measure": window.measure,
        "unit": window.unit,
        "value": percent(window.value) if window.unit == "share" else figure(window.value,
                                                                            window.unit),
        "value_exact": fraction(window.value),
        "sample": window.sample,
        "status": window.status,
        "op": window.op,
        "breach_records": [_ref(ref) for ref in window.breaches],
    }


def _disqualification(found: Disqualification | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "standard": found.standard,
        "rule": found.rule,
        "at": moment(found.at),
        "records": [_ref(ref) for ref in found.records],
        "windows": list(found.windows),
    }
