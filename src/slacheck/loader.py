"""Contract loading: the YAML tree checked against the JSON Schema, then the model built
with every clause parsed where it stands in the file."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from slacheck import ast, parser
from slacheck._resources import package_text
from slacheck._source import Source, whole_file
from slacheck._yaml import Place, YamlPath, clause_source, compose, nearest
from slacheck.diagnostics import (
    BAD_VALUE,
    BAD_WINDOW,
    CONTRACT_SHAPE,
    CONTRACT_UNREADABLE,
    CONTRACT_UNSAFE,
    UNKNOWN_NAME,
    Code,
    ContractError,
    Diagnostic,
    did_you_mean,
)
from slacheck.model import Clause, Contract, Exclusion, Named, Standard
from slacheck.types import FIELD_TYPES, FieldSpec, Kind, RecordSchema, Type

MAX_BYTES = 1 << 20


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of contract files (also what `slacheck schema` prints)."""
    text = package_text("schemas", "contract.schema.json")
    result: dict[str, Any] = json.loads(text)
    return result


def load_contract(path: str | Path) -> Contract:
    """Load and parse a contract file; raises `ContractError` with every problem found.

    >>> load_contract("contracts/motorola-sinotrans.yaml").standards[0].id
    'pickup-2h'
    """
    name = str(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)  # enough to know it is too large, no more
    except OSError as error:
        raise ContractError(
            [Diagnostic(CONTRACT_UNREADABLE, f"cannot read the contract: {error.strerror}",
                        file=name)]
        ) from None
    return load_contract_text(raw, name)


def load_contract_text(raw: bytes | str, name: str = "<contract>") -> Contract:
    """Load a contract from its text; `name` is used in diagnostics."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > MAX_BYTES:
        raise ContractError(
            [Diagnostic(CONTRACT_UNSAFE, f"the contract is larger than {MAX_BYTES} bytes",
                        file=name)]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContractError(
            [Diagnostic(CONTRACT_UNREADABLE, f"the contract is not UTF-8 ({error.reason})",
                        file=name)]
        ) from None
    source = whole_file(text, name)
    tree, places = compose(source)
    found, broken = _validate(tree, places, source)
    builder = _Builder(source, places, hashlib.sha256(data).hexdigest())
    builder.found.extend(found)
    builder.broken.update(path[0] if path else "" for path in broken)
    if any(len(path) < 2 or path[0] != "standards" for path in broken):
        raise ContractError(found)
    # a standard that does not have the right shape is left out; the others are still
    # parsed, so one run reports their problems too
    for path in broken:
        tree["standards"].pop(path[1], None)
    return builder.build(tree)


def _validate(
    tree: Any, places: dict[YamlPath, Place], source: Source
) -> tuple[list[Diagnostic], list[YamlPath]]:
    """Every way the tree breaks the contract schema, and where."""
    validator = _Validator(contract_schema())
    errors = list(validator.iter_errors(tree))
    found = [_shape_diagnostic(error, places, source) for error in errors]
    return found, [_instance_path(error) for error in errors]


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """JSON Schema's `pattern` as the standard reads it (ECMA-262): `$` is the end of the
    text and `\\d` an ASCII digit. Python's `$` also matches before a final newline, which
    let an id such as `"s\\n"` through, and its `\\d` takes any script's digits."""
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern, re.ASCII)


_Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped stub
    jsonschema.Draft202012Validator, {"pattern": _pattern}
)


def _instance_path(error: ValidationError) -> YamlPath:
    """Where the error is: for a bad key (`propertyNames`), the key itself, not its mapping."""
    path: YamlPath = tuple(error.absolute_path)
    if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
        return (*path, error.instance)
    return path


def _shape_diagnostic(
    error: ValidationError, places: dict[YamlPath, Place], source: Source
) -> Diagnostic:
    error = _specific(error)
    path = _instance_path(error)
    where = ".".join(str(part) for part in path) or "the contract"
    place = nearest(path, places)
    span = place.value if place else None
    if path != tuple(error.absolute_path):
        span = place.key if place is not None else span
        if error.validator == "pattern":
            kind = "standard id" if path[0] == "standards" else "name"
            return Diagnostic(CONTRACT_SHAPE, f"{shown(str(error.instance))} is not a valid "
                              f"{kind}", span, (_KEY_RULES[kind],))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = list(schema.get("properties", {}))
        extras = [name for name in error.instance if name not in allowed]
        extra = extras[0] if extras else "?"
        key_place = places.get((*path, extra))
        return Diagnostic(
            CONTRACT_SHAPE,
            f"unknown key `{extra}` in {where}",
            key_place.key if key_place and key_place.key else span,
            did_you_mean(extra, allowed) or (f"allowed here: {', '.join(allowed)}",),
        )
    hints: tuple[str, ...] = ()
    if error.validator == "required" and place is not None and place.key is not None:
        span = place.key
        present = error.instance if isinstance(error.instance, dict) else {}
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [name for name in required if name not in present]
        hints = tuple(f"add `{name}:`" for name in missing[:1])
    if error.validator == "enum":
        options = error.validator_value if isinstance(error.validator_value, list) else []
        hints = ("one of: " + ", ".join(str(item) for item in options),)
    return Diagnostic(CONTRACT_SHAPE, f"{where}: {error.message}", span, hints)


def shown(text: str) -> str:
    """Text quoted for a message: in backticks, or JSON-escaped when it holds a line break
    or another character that would not show."""
    if text.isprintable():
        return f"`{text}`"
    return json.dumps(text, ensure_ascii=False)


_KEY_RULES = {
    "standard id": "use letters, digits, `_`, `.` and `-`, starting with a letter or digit",
    "name": "use letters, digits and `_`, starting with a letter",
}

_WEAK = frozenset({"type", "enum", "const"})


def _specific(error: ValidationError) -> ValidationError:
    """Inside `oneOf`, the branch the author meant: one whose error is not about the type.

    A mapping with a misspelt key fails the string branch on its type and the mapping
    branch on the key; the key is the news.
    """
    while error.context:
        meant = [item for item in error.context if item.validator not in _WEAK]
        if not meant:
            return best_match(error.context) or error
        # a misspelt key also makes a required key missing: the misspelling is the cause
        meant.sort(key=lambda item: item.validator != "additionalProperties")
        error = meant[0]
    return error


class IncompleteContractError(ContractError):
    """Problems confined to some standards or to the contract's metadata.

    `contract` holds the standards that did load, so the checker can still report on them
    in the same run: problems there cannot be caused by the ones already found.
    """

    def __init__(self, diagnostics: list[Diagnostic], contract: Contract) -> None:
        super().__init__(diagnostics)
        self.contract = contract


class _Builder:
    """Builds the model from a schema-valid tree, collecting every diagnostic."""

    def __init__(self, source: Source, places: dict[YamlPath, Place], sha256: str) -> None:
        self.source = source
        self.places = places
        self.sha256 = sha256
        self.found: list[Diagnostic] = []
        self.broken: set[str | int] = set()
        """Top-level sections with problems: only some leave the rest worth checking."""
        self.schema: RecordSchema | None = None

    def build(self, tree: dict[str, Any]) -> Contract:
        meta = tree["contract"]
        timezone = self._timezone(meta["timezone"])
        effective = meta.get("effective", {})
        schema = self.schema = self._schema(tree["records"])
        parameters = self._named(tree.get("parameters", {}), "parameters")
        derived = self._named(tree.get("derived", {}), "derived")
        standards = tuple(
            standard
            for key, body in tree["standards"].items()
            if (standard := self._standard(key, body)) is not None
        )
        starts = self._date(effective.get("from"), ("contract", "effective", "from"))
        ends = self._date(effective.get("to"), ("contract", "effective", "to"))
        if starts is not None and ends is not None and ends < starts:
            self._error(BAD_VALUE, "the contract ends before it starts",
                        ("contract", "effective", "to"))
        contract = Contract(
            id=meta["id"],
            title=meta.get("title", ""),
            provider=meta.get("provider", ""),
            customer=meta.get("customer", ""),
            currency=meta["currency"],
            decimals=meta.get("decimals", 2),
            rounding=meta.get("rounding", "half_up"),
            timezone=timezone,
            effective_from=starts,
            effective_to=ends,
            schema=schema,
            parameters=parameters,
            derived=derived,
            standards=standards,
            path=self.source.name,
            sha256=self.sha256,
        )
        if self.found and self.broken <= {"standards", "contract"}:
            raise IncompleteContractError(self.found, contract)
        if self.found:
            raise ContractError(self.found)
        return contract

    # helpers
    def _error(self, code: Code, message: str, path: YamlPath, hints: tuple[str, ...] = (),
               key: bool = False) -> None:
        place = nearest(path, self.places)
        span = None
        if place is not None:
            span = place.key if key and place.key is not None else place.value
        self.found.append(Diagnostic(code, message, span, hints))
        self.broken.add(path[0])

    def _timezone(self, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self._error(BAD_VALUE, f"unknown time zone `{name}`", ("contract", "timezone"),
                        did_you_mean(name, available_timezones())
                        or ("use an IANA name such as `Asia/Shanghai` or `UTC`",))
        return name

    def _date(self, text: str | None, path: YamlPath) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self._error(BAD_VALUE, f"`{text}` is not a date", path, ("write it as YYYY-MM-DD",))
            return None

    def clause(self, path: YamlPath, kind: str) -> Clause | None:
        """Parse the scalar at `path` as a clause, positioned where it stands in the file."""
        place = self.places[path]
        source = clause_source(self.source, place.node)
        try:
            node = parser.parse(source, kind)
        except ContractError as error:
            self.found.extend(error.diagnostics)
            self.broken.add(path[0])
            return None
        return Clause(" ".join(source.body.split()), node, place.value)

    def _named(self, entries: dict[str, Any], section: str) -> tuple[Named, ...]:
        out = []
        for name in entries:
            clause = self.clause((section, name), "expr")
            if clause is not None:
                out.append(Named(name, clause, self.places[(section, name)].key))
        return tuple(out)

    def _schema(self, records: dict[str, Any]) -> RecordSchema:
        fields = []
        for name, spec in records["fields"].items():
            path: YamlPath = ("records", "fields", name)
            body = {"type": spec} if isinstance(spec, str) else spec
            kind = FIELD_TYPES[body["type"]]
            values = tuple(body.get("values", ()))
            if kind is Kind.ENUM and not values:
                self._error(BAD_VALUE, f"enum field `{name}` lists no values", path,
                            ("add `values: [...]`",))
            elif kind is not Kind.ENUM and values:
                self._error(BAD_VALUE, f"`values` is only for enum fields, `{name}` is "
                            f"{body['type']}", (*path, "values"))
            field_type = Type(kind, values=values)
            default = None
            if "default" in body:
                default = self._default(body["default"], field_type, (*path, "default"))
            fields.append(
                FieldSpec(
                    name=name,
                    type=field_type,
                    required=not body.get("optional", False) and "default" not in body,
                    default=default,
                    integral=body["type"] == "int",
                    span=self.places[path].key,
                )
            )
        schema = RecordSchema(tuple(fields), records["id"], records["time"])
        for role, kinds in (("id", (Kind.STRING, Kind.NUMBER)), ("time", (Kind.TIMESTAMP,))):
            name = records[role]
            spec = schema.field(name)
            if spec is None:
                self._error(UNKNOWN_NAME, f"the {role} field `{name}` is not declared",
                            ("records", role), did_you_mean(name, schema.names))
            elif spec.type.kind not in kinds or not spec.required:
                wanted = " or ".join(k.value for k in kinds)
                self._error(BAD_VALUE, f"the {role} field `{name}` must be a required {wanted}",
                            ("records", role))
        return schema

    def _default(self, value: Any, field_type: Type, path: YamlPath) -> Any:
        parsed = _coerce_default(value, field_type)
        if parsed is None:
            self._error(BAD_VALUE, f"default `{value}` is not a {field_type}", path)
        return parsed

    def _standard(self, key: str, body: dict[str, Any]) -> Standard | None:
        base: YamlPath = ("standards", key)
        errors_before = len(self.found)
        require = self.clause((*base, "require"), "expr")
        scope = self.clause((*base, "for"), "expr") if "for" in body else None
        exclusions = self._exclusions(base, body.get("except"))
        target = self.clause((*base, "target"), "target") if "target" in body else None
        window_clause = self.clause((*base, "window"), "window") if "window" in body else None
        penalty = self.clause((*base, "penalty"), "penalty") if "penalty" in body else None
        credit = self.clause((*base, "credit"), "credit") if "credit" in body else None
        rules = body.get("disqualify", [])
        paths = [(*base, "disqualify")] if isinstance(rules, str) else [
            (*base, "disqualify", index) for index in range(len(rules))
        ]
        disqualify = tuple(c for p in paths if (c := self.clause(p, "disqualify")) is not None)
        breach_time = self._breach_time(base, body.get("breach_time"))
        if ("target" in body and target is None) or ("window" in body and window_clause is None):
            return None  # the clause that says the window did not parse; already reported
        window = self._window(base, target, window_clause)
        if require is None or window is None or len(self.found) > errors_before:
            return None
        return Standard(
            id=key,
            title=body.get("title", key),
            require=require,
            window=window,
            scope=scope,
            exclusions=exclusions,
            target=target,
            penalty=penalty,
            credit=credit,
            disqualify=disqualify,
            breach_time=breach_time,
            span=self.places[base].key,
        )

    def _breach_time(self, base: YamlPath, name: str | None) -> str | None:
        """The timestamp field that dates a standard's breaches, when the contract names one."""
        if name is None or self.schema is None:
            return name
        spec = self.schema.field(name)
        path = (*base, "breach_time")
        if spec is None:
            self._error(UNKNOWN_NAME, f"the breach time field `{name}` is not declared", path,
                        did_you_mean(name, self.schema.names))
        elif spec.type.kind is not Kind.TIMESTAMP:
            self._error(BAD_VALUE, f"the breach time field `{name}` must be a timestamp, "
                        f"not {spec.type}", path)
        return name

    def _window(self, base: YamlPath, target: Clause | None,
                window: Clause | None) -> ast.Window | None:
        from_target = target.node.window if target and isinstance(target.node, ast.Target) else None
        if from_target is not None and window is not None:
            self._error(BAD_WINDOW, "the window is given twice, in `target` and in `window`",
                        (*base, "window"), ("keep one of them",), key=True)
            return None
        if from_target is not None:
            return from_target
        if window is not None and isinstance(window.node, ast.Window):
            return window.node
        if target is None and window is None:
            self._error(BAD_WINDOW, "the standard has no window", base,
                        ("add `window: per month` or a target such as `97% per month`",), key=True)
        elif target is not None:
            self._error(BAD_WINDOW, "the target has no window", (*base, "target"),
                        ("say the period: `97% per month`",))
        return None

    def _exclusions(self, base: YamlPath, spec: Any) -> tuple[Exclusion, ...]:
        if spec is None:
            return ()
        items: list[tuple[YamlPath, str | None]] = []
        if not isinstance(spec, list):
            items.append(((*base, "except"), None))
        else:
            for index, item in enumerate(spec):
                if not isinstance(item, dict):
                    items.append(((*base, "except", index), None))
                else:
                    items.append(((*base, "except", index, "when"), item["reason"]))
        out = []
        for path, reason in items:
            clause = self.clause(path, "expr")
            if clause is not None:
                out.append(Exclusion(clause, reason or clause.text))
        return tuple(out)


def _coerce_default(value: Any, field_type: Type) -> Any:
    kind = field_type.kind
    parsers: dict[Kind, Callable[[Any], Any]] = {
        Kind.BOOL: lambda v: v if isinstance(v, bool) else None,
        Kind.STRING: lambda v: v if isinstance(v, str) else None,
        Kind.ENUM: lambda v: v if v in field_type.values else None,
        Kind.NUMBER: _decimal,
        Kind.MONEY: _decimal,
        Kind.TIMESTAMP: lambda v: _aware(datetime.fromisoformat(v)),
        Kind.DATE: date.fromisoformat,
    }
    parse = parsers.get(kind)
    try:
        return parse(value) if parse is not None else None
    except (ValueError, TypeError, InvalidOperation):
        return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    result = Decimal(str(value))
    return result if result.is_finite() else None


def _aware(value: datetime) -> datetime | None:
    return value if value.tzinfo is not None else None
