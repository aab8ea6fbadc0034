"""SARIF 2.1.0 for code-scanning tools: each finding at its clause's line in the contract
(or, for a rejected line or an evaluation error, at its line in the data), with rules,
levels and fingerprints that stay the same from run to run."""

from __future__ import annotations

import json
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from slacheck.findings import Result
from slacheck.reporters import _annotations
from slacheck.reporters._format import printable

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: Result) -> str:
    findings = _annotations.collect(result)
    artifacts: list[dict[str, Any]] = [
        {"location": {"uri": uri(result.contract_path)},
         "hashes": {"sha-256": result.contract_sha256}, "roles": ["analysisTarget"]}
    ]
    artifacts.extend(
        {"location": {"uri": uri(item.path)}, "hashes": {"sha-256": item.sha256},
         "roles": ["analysisTarget"]}
        for item in result.inputs if item.path != "-" and item.sha256
    )
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "slacheck",
                "version": result.tool_version,
                "semanticVersion": result.tool_version,
                "rules": [
                    {"id": rule.id, "name": rule.name,
                     "shortDescription": {"text": rule.text},
                     "defaultConfiguration": {"level": rule.level}}
                    for rule in _annotations.RULES
                ],
            }},
            "invocations": [{"executionSuccessful": True}],
            "artifacts": artifacts,
            "results": [_result(item) for item in findings],
            "properties": {
                "contract": printable(result.contract_id),
                "as_of": result.as_of.isoformat(),
                "verdict": result.verdict.value,
                "currency": printable(result.currency),
                "penalties": str(result.penalties),
                "service_credits": str(result.credits),
            },
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative, with `/`.

    >>> uri("contracts/a b.yaml"), uri("/tmp/c.yaml")
    ('contracts/a%20b.yaml', 'file:///tmp/c.yaml')
    """
    posix = PurePath(path).as_posix()
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix)
    return quote(posix)


def _result(item: _annotations.Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": item.rule,
        "ruleIndex": _annotations.RULE_INDEX[item.rule],
        "level": item.level,
        "message": {"text": item.message},
        "partialFingerprints": {"slacheckFinding/v1": item.fingerprint},
    }
    if item.path and item.path != "-":
        region = {"startLine": item.line} if item.line else {}
        location: dict[str, Any] = {"artifactLocation": {"uri": uri(item.path)}}
        if region:
            location["region"] = region
        out["locations"] = [{"physicalLocation": location}]
    properties = {key: value for key, value in (("standard", item.standard),
                                                 ("window", item.window), ("group", item.group))
                  if value}
    if properties:
        out["properties"] = properties
    return out
