"""What `govkit check --format json` prints: the run, its open findings, their rules' parameters (once
per rule) and the arrangements meeting obligations."""

from __future__ import annotations

import json
from itertools import chain, repeat
from typing import Any

from govkit.rules.service import RunResult

_encode_string = json.encoder.encode_basestring  # the C encoder of json.dumps(..., ensure_ascii=False)
_float = float.__repr__
_SPECIAL_FLOATS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def parameters_of_findings(result: RunResult) -> dict[str, Any]:
    """The parameters on the run's day, with their sources, of each rule with open findings, by rule id."""
    shown = result.run.parameters or {}
    rules = {f.record.rule_id for f in result.findings if f.record.status != "resolved"}
    return {rule: shown[rule] for rule in sorted(rules) if rule in shown}


def check_payload(result: RunResult) -> dict[str, Any]:
    """The run (with its date basis), its unwaived errors and its open findings (the resolved ones are
    history), the parameters of their rules (each rule once), and the shared/group/external
    arrangements meeting obligations (each once)."""
    return {
        "run": result.run.id,
        "as_of": result.run.as_of.isoformat(),
        "basis": result.run.basis,
        "known_at": result.run.known_at.isoformat() if result.run.known_at else None,
        "blocking_errors": len(result.blocking),
        "findings": [
            {
                "school": f.organisation,
                "rule": f.record.rule_id,
                "severity": f.record.severity,
                "status": f.record.status,
                "key": f.record.key,
                "message_fr": f.record.message_fr,
                "message_en": f.record.message_en,
                "source": f.record.source,
                "evidence": f.record.evidence,
                "waived": f.waived,
                "waiver_reason": f.waiver.reason if f.waiver else None,
            }
            for f in result.findings
            if f.record.status != "resolved"
        ],
        "parameters": parameters_of_findings(result),
        "arrangements": [a.as_json() for a in result.arrangements.arrangements],
    }


def check_json(result: RunResult) -> str:
    """``json.dumps(check_payload(result), ensure_ascii=False, indent=2)``, written directly.

    json.dumps leaves its C encoder for a pure-Python one as soon as it indents: over the
    thousands of findings of a group, it took longer than running the rules. Each finding
    here is one template filled with strings from the C encoder.
    """
    run = result.run
    known_at = run.known_at.isoformat() if run.known_at else None
    head = (
        f'{{\n  "run": {dumps(run.id)},\n  "as_of": {dumps(run.as_of.isoformat())},\n'
        f'  "basis": {dumps(run.basis)},\n  "known_at": {dumps(known_at)},\n'
        f'  "blocking_errors": {len(result.blocking)},\n  "findings": '
    )
    s = _encode_string
    few: dict[str, str] = {}  # the codes, rules, keys and sources repeat: each encoded once

    def o(text: str) -> str:
        encoded = few.get(text)
        if encoded is None:
            encoded = few[text] = s(text)
        return encoded

    separators = chain(["[\n"], repeat(",\n"))
    parts = [head]
    parts += [
        _FINDING.format(
            next(separators),
            o(f.organisation),
            o(f.record.rule_id),
            o(f.record.severity),
            o(f.record.status),
            o(f.record.key),
            s(f.record.message_fr),
            s(f.record.message_en),
            o(f.record.source),
            _dumps_at(f.record.evidence, _EVIDENCE_NEWLINE),
            "true" if f.waiver is not None else "false",
            "null" if f.waiver is None else s(f.waiver.reason),
        )
        for f in result.findings
        if f.record.status != "resolved"
    ]
    parts.append("\n  ]" if len(parts) > 1 else "[]")
    parts.append(f',\n  "parameters": {_dumps_at(parameters_of_findings(result), _NESTED)}')
    arrangements = [a.as_json() for a in result.arrangements.arrangements]
    parts.append(f',\n  "arrangements": {_dumps_at(arrangements, _NESTED)}\n}}')
    return "".join(parts)  # the text copied once: joining it in steps copied megabytes each time


_FINDING = "\n".join(
    [
        "{}    {{",
        '      "school": {},',
        '      "rule": {},',
        '      "severity": {},',
        '      "status": {},',
        '      "key": {},',
        '      "message_fr": {},',
        '      "message_en": {},',
        '      "source": {},',
        '      "evidence": {},',
        '      "waived": {},',
        '      "waiver_reason": {}',
        "    }}",
    ]
)


_EVIDENCE_NEWLINE = "\n      "
_NESTED = "\n  "  # a top-level key's value


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text, faster."""
    return _dumps_at(value, "\n")


def _dumps_at(value: Any, newline: str) -> str:
    """The JSON text of ``value`` indented by two spaces a level, its lines starting with ``newline``."""
    parts: list[str] = []
    _write(value, newline, parts)
    return "".join(parts)


def _write(value: Any, newline: str, parts: list[str]) -> None:
    kind = type(value)
    if kind is str or isinstance(value, str):
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int or isinstance(value, int):
        parts.append(int.__repr__(value))
    elif kind is float or isinstance(value, float):
        text = _float(value)
        parts.append(_SPECIAL_FLOATS.get(text, text))
    elif kind is dict or isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            parts.append(separator)
            parts.append(_encode_string(key if type(key) is str else _key(key)))
            parts.append(": ")
            if type(item) is str:  # most values: no call
                parts.append(_encode_string(item))
            else:
                _write(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    """A dict key as json.dumps writes it."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        text = _float(key)
        return _SPECIAL_FLOATS.get(text, text)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
