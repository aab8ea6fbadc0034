"""Contract loading: the YAML tree checked against the JSON Schema, then the model built
with every clause parsed where it stands in the file."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from slacheck import ast, parser, types
from slacheck._shape import Problem, validate
from slacheck._shape import contract_schema as contract_schema  # public here, for the CLI
from slacheck._source import Source, whole_file
from slacheck._yaml import Place, YamlPath, clause_source, compose, nearest
from slacheck.bounds import Bounds, read_bounds
from slacheck.calendars import WEEKDAYS, BusinessCalendar
from slacheck.diagnostics import (
    BAD_VALUE,
    BAD_WINDOW,
    CONTRACT_UNREADABLE,
    CONTRACT_UNSAFE,
    UNKNOWN_NAME,
    Code,
    ContractError,
    Diagnostic,
    did_you_mean,
)
from slacheck.model import (
    Band,
    Clause,
    Contract,
    Entries,
    Exclusion,
    Named,
    Pool,
    Rate,
    RowRule,
    Standard,
    Table,
)
from slacheck.readspec import build_read
from slacheck.types import (
    FIELD_TYPES,
    FIRST_DATE,
    LAST_DATE,
    FieldSpec,
    Kind,
    RecordSchema,
    Type,
)

MAX_BYTES = 1 << 20


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
    problems = validate(tree, places)
    builder = _Builder(source, places, hashlib.sha256(data).hexdigest())
    builder.found.extend(problem.diagnostic for problem in problems)
    # what does not have the right shape is left out where the rest stays whole, so that
    # one run reports the problems of the rest too
    if not all(_leave_out(tree, problem, builder.unparsed) for problem in problems):
        raise ContractError(builder.found)
    return builder.build(tree)


_OPTIONAL_META = frozenset({"title", "provider", "customer", "decimals", "rounding", "effective"})


def _leave_out(tree: Any, problem: Problem, unparsed: set[str]) -> bool:
    """Take what `problem` is about out of the tree, if the rest can do without it: a
    standard, a parameter, a derived or record field (whose users the builder then leaves
    out too), optional metadata, an unknown key. False if the contract cannot be built."""
    path = problem.path
    section = path[0] if path and isinstance(tree, dict) else None
    if section in ("standards", "parameters", "derived") and len(path) >= 2:
        tree[section].pop(path[1], None)
        if section != "standards":
            unparsed.add(str(path[1]))
        return True
    if section == "records" and len(path) >= 3 and path[1] == "fields":
        tree["records"]["fields"].pop(path[2], None)
        unparsed.add(str(path[2]))
        return True
    if section == "contract" and len(path) >= 2 and path[1] in _OPTIONAL_META:
        tree["contract"].pop(path[1], None)
        return True
    if problem.unknown_key:
        parent = tree
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        return True
    return False


class IncompleteContractError(ContractError):
    """Problems that leave the rest of the contract worth checking.

    `contract` holds what did load, so the checker can still report on it in the same
    run: what is left out (a standard that did not parse, a parameter that did not parse
    and whatever uses it) is what problems there could follow from.
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
        self.schema: RecordSchema | None = None
        self.unparsed: set[str] = set()
        """Parameters and derived fields that did not parse: what uses them is left out."""

    def build(self, tree: dict[str, Any]) -> Contract:
        meta = tree["contract"]
        timezone = self._timezone(meta["timezone"])
        effective = meta.get("effective", {})
        schema = self.schema = self._schema(tree["records"], meta["currency"])
        parameters = self._named(tree.get("parameters", {}), "parameters")
        derived = self._named(tree.get("derived", {}), "derived")
        tables = tuple(self._table(name, body) for name, body in tree.get("tables", {}).items())
        standards = tuple(
            standard
            for key, body in tree["standards"].items()
            if (standard := self._standard(key, body)) is not None
        )
        calendars = self._calendars(tree.get("calendars", {}))
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
            round_at=meta.get("round_at", "record"),
            timezone=timezone,
            effective_from=starts,
            effective_to=ends,
            calendars=calendars,
            schema=schema,
            parameters=parameters,
            derived=derived,
            tables=tables,
            standards=standards,
            path=self.source.name,
            sha256=self.sha256,
            reject=self._rules(tree["records"], "reject"),
            warn=self._rules(tree["records"], "warn"),
            pools=self._pools(tree.get("pools", {})),
            rates=self._rates(tree.get("rates", {}), meta["currency"]),
        )
        if self.found:
            raise IncompleteContractError(self.found, self._without_unparsed(contract))
        return contract

    def _without_unparsed(self, contract: Contract) -> Contract:
        """The contract without what uses a name that did not parse, which the checker
        would otherwise report as unknown."""
        named = [*contract.parameters, *contract.derived]
        while True:  # until nothing more is left out: a derived field may use another
            left_out = {item.name for item in named if self._uses_unparsed(item.clause)}
            if not left_out:
                break
            self.unparsed |= left_out
            named = [item for item in named if item.name not in left_out]
        return replace(
            contract,
            parameters=tuple(item for item in contract.parameters if item in named),
            derived=tuple(item for item in contract.derived if item in named),
            standards=tuple(standard for standard in contract.standards
                            if not any(map(self._uses_unparsed, _clauses(standard)))),
        )

    def _uses_unparsed(self, clause: Clause[ast.Node]) -> bool:
        return any(ref.name in self.unparsed for ref in ast.refs(clause.node))

    # helpers
    def _error(self, code: Code, message: str, path: YamlPath, hints: tuple[str, ...] = (),
               key: bool = False) -> None:
        place = nearest(path, self.places)
        span = None
        if place is not None:
            span = place.key if key and place.key is not None else place.value
        self.found.append(Diagnostic(code, message, span, hints))

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
            parsed = date.fromisoformat(text)
        except ValueError:
            self._error(BAD_VALUE, f"`{text}` is not a date", path, ("write it as YYYY-MM-DD",))
            return None
        if not FIRST_DATE <= parsed <= LAST_DATE:  # the calendar's ends are near enough to fail
            end = "a start" if path[-1] == "from" else "an end"
            self._error(BAD_VALUE, f"`{text}` is out of range: a contract's dates lie "
                        f"between {FIRST_DATE} and {LAST_DATE}", path,
                        (f"leave `{path[-1]}` out for a contract without {end}",))
            return None
        return parsed

    def _calendars(self, entries: dict[str, Any]) -> tuple[BusinessCalendar, ...]:
        """`calendars: {cn: {weekend: [sat, sun], holidays: [...], workdays: [...]}}`."""
        out = []
        for name, body in entries.items():
            path: YamlPath = ("calendars", name)
            kept = self._calendar_file(path, body["file"]) if "file" in body else {}
            weekend = frozenset(WEEKDAYS.index(day) for day in
                                body.get("weekend", kept.get("weekend", ["sat", "sun"])))
            days: dict[str, frozenset[date]] = {}
            for key in ("holidays", "workdays"):
                found = (self._date(str(text), (*path, key, index))
                         for index, text in enumerate(body.get(key, [])))
                days[key] = frozenset(day for day in found if day is not None) | frozenset(
                    kept.get(key, ()))
            if len(weekend) == len(WEEKDAYS):
                self._error(BAD_VALUE, f"calendar `{name}` has no business day in the week",
                            (*path, "weekend"), ("list the days off only",))
            both = sorted(days["holidays"] & days["workdays"])
            if both:
                self._error(BAD_VALUE, f"{both[0]} is both a holiday and a workday of "
                            f"calendar `{name}`", path, ("list it once",))
            out.append(BusinessCalendar(name, weekend, days["holidays"], days["workdays"]))
        return tuple(out)

    def _calendar_file(self, path: YamlPath, name: str) -> dict[str, Any]:
        """A calendar kept in a file beside the contract (`file: calendars/cn-2024.yaml`):
        its `weekend`, `holidays` and `workdays`, as a calendar in the contract writes them.
        The contract's own keys add to the file's days (and replace its weekend)."""
        where = (*path, "file")
        base = os.path.dirname(self.source.name) if self.source.name != "<contract>" else "."
        target = os.path.join(base, name)
        try:
            with open(target, "rb") as stream:
                raw = stream.read(MAX_BYTES + 1)
        except OSError as error:
            self._error(BAD_VALUE, f"cannot read the calendar file {name}: "
                        f"{error.strerror or error}", where,
                        ("the path is relative to the contract's folder",))
            return {}
        try:
            # every scalar as text: the dates are read here, with a message if one is wrong
            body = yaml.load(raw.decode("utf-8"), Loader=yaml.BaseLoader) \
                if len(raw) <= MAX_BYTES else None
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            self._error(BAD_VALUE, f"the calendar file {name} is not YAML: "
                        f"{str(error).splitlines()[0]}", where)
            return {}
        allowed = {"weekend", "holidays", "workdays"}
        if not isinstance(body, dict) or not set(body) <= allowed or not all(
                isinstance(body.get(key, []), list) for key in allowed):
            self._error(BAD_VALUE, f"the calendar file {name} must map `weekend`, `holidays` "
                        "and `workdays` to lists", where,
                        ("holidays: [2024-10-01, 2024-10-02]\nworkdays: [2024-09-29]",))
            return {}
        out: dict[str, Any] = {}
        if "weekend" in body:
            if not all(day in WEEKDAYS for day in body["weekend"]):
                self._error(BAD_VALUE, f"the calendar file {name} names a day that is not "
                            f"one of {', '.join(WEEKDAYS)}", where)
                return {}
            out["weekend"] = body["weekend"]
        for key in ("holidays", "workdays"):
            days = []
            for item in body.get(key, []):
                try:
                    days.append(date.fromisoformat(str(item)))
                except ValueError:
                    self._error(BAD_VALUE, f"`{item}` in the {key} of the calendar file {name} "
                                "is not a date", where, ("write dates as YYYY-MM-DD",))
                    return {}
            out[key] = days
        return out

    @overload
    def clause(self, path: YamlPath,
               kind: Literal["expr", "amount"]) -> Clause[ast.Expr] | None: ...
    @overload
    def clause(self, path: YamlPath, kind: Literal["target"]) -> Clause[ast.Target] | None: ...
    @overload
    def clause(self, path: YamlPath, kind: Literal["window"]) -> Clause[ast.Window] | None: ...
    @overload
    def clause(self, path: YamlPath,
               kind: Literal["penalty"]) -> Clause[ast.PenaltyRule] | None: ...
    @overload
    def clause(self, path: YamlPath, kind: Literal["credit"]) -> Clause[ast.Credit] | None: ...
    @overload
    def clause(self, path: YamlPath, kind: Literal["reward"]) -> Clause[ast.Reward] | None: ...
    @overload
    def clause(self, path: YamlPath, kind: Literal["payment"]) -> Clause[ast.Payment] | None: ...
    @overload
    def clause(self, path: YamlPath,
               kind: Literal["disqualify"]) -> Clause[ast.Disqualify] | None: ...
    @overload
    def clause(self, path: YamlPath,
               kind: Literal["escalate"]) -> Clause[ast.Escalate] | None: ...
    @overload
    def clause(self, path: YamlPath, kind: Literal["limit"]) -> Clause[ast.Limit] | None: ...

    def clause(self, path: YamlPath, kind: str) -> Clause[Any] | None:
        """Parse the scalar at `path` as a clause, positioned where it stands in the file;
        the grammar's start rule of each kind gives the node type its overload states."""
        place = self.places[path]
        source = clause_source(self.source, place.node)
        try:
            node = parser.parse(source, kind)
        except ContractError as error:
            self.found.extend(error.diagnostics)
            if path[0] in ("parameters", "derived"):
                self.unparsed.add(str(path[1]))
            return None
        return Clause(" ".join(source.body.split()), node, place.value)

    def _named(self, entries: dict[str, Any], section: str) -> tuple[Named, ...]:
        out = []
        for name in entries:
            clause = self.clause((section, name), "expr")
            if clause is not None:
                out.append(Named(name, clause, self.places[(section, name)].key))
        return tuple(out)

    def _table(self, name: str, body: dict[str, Any]) -> Table:
        """A lookup table, short (`{K1: key}`) or long (`values`, `default`, `changes`)."""
        base: YamlPath = ("tables", name)
        long = isinstance(body.get("values"), dict)
        entries = self._entries((*base, "values") if long else base, body["values"] if long
                                else body)
        if not long:
            return Table(name, entries, span=self.places[base].key)
        default = self._table_value((*base, "default")) if "default" in body else None
        changes = []
        for index, change in enumerate(body.get("changes", [])):
            at: YamlPath = (*base, "changes", index)
            starts = self._date(change["from"], (*at, "from"))
            if starts is not None:
                changes.append((starts, self._entries((*at, "values"), change["values"])))
        if len({starts for starts, _ in changes}) < len(changes):
            self._error(BAD_VALUE, f"table `{name}` changes twice on one date",
                        (*base, "changes"), ("merge the changes of one date",))
        return Table(name, entries, default, tuple(changes), self.places[base].key)

    def _entries(self, path: YamlPath, values: dict[str, Any]) -> Entries:
        return tuple((key, value) for key in values
                     if (value := self._table_value((*path, key))) is not None)

    def _table_value(self, path: YamlPath) -> ast.Expr | None:
        """A table's value, written as in a clause; a bare word is a string."""
        clause = self.clause(path, "expr")
        if clause is None:
            return None
        node = clause.node
        if isinstance(node, ast.Ref):
            return ast.String(value=node.name, span=node.span)
        if isinstance(node, ast.Neg) and isinstance(node.operand, ast.Number | ast.Money):
            return node
        if not isinstance(node, ast.String | ast.Number | ast.Percent | ast.Money
                          | ast.Duration):
            self._error(BAD_VALUE, "a table's value is a word, a string, a number, a "
                        "percentage, an amount or a duration", path,
                        ('write it as a literal: `key`, `"Key account"`, `3`, `97%`, '
                         "`12.50 CNY`, `48h`",))
            return None
        return node

    def _schema(self, records: dict[str, Any], currency: str) -> RecordSchema:
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
            if kind is Kind.LIST and body.get("of") not in types.LIST_ELEMENTS:
                self._error(BAD_VALUE, f"list field `{name}` needs `of`: the type of its "
                            "values", path, ("`{type: list, of: decimal}`; a list holds "
                                             + ", ".join(types.LIST_ELEMENTS),))
            elif kind is not Kind.LIST and ("of" in body or "separator" in body):
                self._error(BAD_VALUE, f"`of` and `separator` are only for list fields, "
                            f"`{name}` is {body['type']}", path)
            elif kind is Kind.LIST and "default" in body:
                self._error(BAD_VALUE, f"a list field has no default: `{name}`",
                            (*path, "default"), ("make it `optional: true`: an absent list "
                                                 "has no values, an empty one `[]`",))
            field_type = types.field_type(body["type"], values, body.get("of"))
            default = None
            if "default" in body and kind is not Kind.LIST:
                default = self._default(body["default"], field_type, (*path, "default"))
            bounds = self._bounds(name, body, kind, currency, default, path)
            fields.append(
                FieldSpec(
                    name=name,
                    type=field_type,
                    required=not body.get("optional", False) and "default" not in body,
                    default=default,
                    integral=body["type"] == "int" or body.get("of") == "int",
                    span=self.places[path].key,
                    negative=bool(body.get("negative", False)),
                    separator=body.get("separator"),
                    minimum=bounds.minimum,
                    maximum=bounds.maximum,
                    pattern=bounds.pattern,
                )
            )
            if body.get("negative") and kind not in (Kind.MONEY, Kind.DURATION):
                self._error(BAD_VALUE, f"`negative` is only for money and duration fields, "
                            f"`{name}` is "
                            f"{body['type']}", (*path, "negative"))
        schema = RecordSchema(tuple(fields), records["id"], records["time"],
                              strict=bool(records.get("strict", False)))
        read, problems = build_read(records.get("read"), schema, currency)
        for problem in problems:
            if problem.unknown_name in self.unparsed:
                continue  # its declaration is wrong, and reported
            path = ("records", "read", *problem.path)
            if problem.unknown_name is not None:
                self._error(UNKNOWN_NAME, problem.message, path,
                            did_you_mean(problem.unknown_name, schema.names), key=True)
            else:
                self._error(BAD_VALUE, problem.message, path,
                            (problem.hint,) if problem.hint else ())
        schema = replace(schema, read=read)
        for role, kinds in (("id", (Kind.STRING, Kind.NUMBER)), ("time", (Kind.TIMESTAMP,))):
            name = records[role]
            spec = schema.field(name)
            if spec is None and name in self.unparsed:
                continue  # its declaration is wrong, and reported
            if spec is None:
                self._error(UNKNOWN_NAME, f"the {role} field `{name}` is not declared",
                            ("records", role), did_you_mean(name, schema.names))
            elif spec.type.kind not in kinds or not spec.required:
                wanted = " or ".join(k.value for k in kinds)
                self._error(BAD_VALUE, f"the {role} field `{name}` must be a required {wanted}",
                            ("records", role))
        return schema

    def _bounds(self, name: str, body: dict[str, Any], kind: Kind, currency: str,
                default: Any, path: YamlPath) -> Bounds:
        """A field's `min`, `max` and `pattern` (see `bounds`), each problem at its key."""

        def literal(key: str) -> ast.Node | None:
            clause = self.clause((*path, key), "expr")
            return None if clause is None else clause.node

        bounds, problems = read_bounds(name, body, kind, currency, literal, default)
        for problem in problems:
            self._error(BAD_VALUE, problem.message, (*path, problem.key), (problem.hint,))
        return bounds

    def _rules(self, records: dict[str, Any], kind: str) -> tuple[RowRule, ...]:
        """`records.reject` or `records.warn`: each `when` parsed as a clause where it
        stands in the file, so that its errors point there."""
        out = []
        for index, item in enumerate(records.get(kind, ())):
            path: YamlPath = ("records", kind, index, "when")
            clause = self.clause(path, "expr")
            if clause is not None:
                out.append(RowRule(clause, item["message"], self.places[path].key))
        return tuple(out)

    def _default(self, value: Any, field_type: Type, path: YamlPath) -> Any:
        parsed = _coerce_default(value, field_type)
        if parsed is None:
            self._error(BAD_VALUE, f"default `{value}` is not a {field_type}", path)
        return parsed

    def _standard(self, key: str, body: dict[str, Any]) -> Standard | None:
        base: YamlPath = ("standards", key)
        errors_before = len(self.found)
        require = self.clause((*base, "require"), "expr") if "require" in body else None
        scope = self.clause((*base, "for"), "expr") if "for" in body else None
        exclusions = self._exclusions(base, body.get("except"))
        target = self.clause((*base, "target"), "target") if "target" in body else None
        window_clause = self.clause((*base, "window"), "window") if "window" in body else None
        penalty, window_penalty, strike = self._penalties(base, body.get("penalty"))
        bands = self._bands(base, body["credit"]) if isinstance(body.get("credit"), list) else ()
        credit = self.clause((*base, "credit"), "credit") \
            if "credit" in body and not isinstance(body["credit"], list) else None
        reward = self.clause((*base, "reward"), "reward") if "reward" in body else None
        payment = self.clause((*base, "payment"), "payment") if "payment" in body else None
        rules = body.get("disqualify", [])
        paths = [(*base, "disqualify")] if isinstance(rules, str) else [
            (*base, "disqualify", index) for index in range(len(rules))
        ]
        disqualify = tuple(c for p in paths if (c := self.clause(p, "disqualify")) is not None)
        steps = body.get("escalate", [])
        escalate = tuple(e for p in ([(*base, "escalate")] if isinstance(steps, str) else [
            (*base, "escalate", index) for index in range(len(steps))])
            if (e := self.clause(p, "escalate")) is not None)
        breach_time = self._breach_time(base, body.get("breach_time"))
        if ("target" in body and target is None) or ("window" in body and window_clause is None):
            return None  # the clause that says the window did not parse; already reported
        window = self._window(base, target, window_clause)
        if "require" not in body:  # the schema allows it only for a target on a measure
            require = Clause("true", ast.Bool(value=True))  # every record counts
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
            window_penalty=window_penalty,
            strike=strike,
            credit=credit,
            reward=reward,
            payment=payment,
            credit_bands=bands,
            disqualify=disqualify,
            escalate=escalate,
            breach_time=breach_time,
            span=self.places[base].key,
        )

    def _penalties(self, base: YamlPath, spec: Any) -> tuple[
            Clause[ast.Penalty] | None, Clause[ast.WindowPenalty] | None,
            Clause[ast.Strike] | None]:
        """`penalty:`, one clause or a list, split by kind; a kind given twice is an error
        at the second, since two amounts per breach would be added without saying so."""
        if spec is None:
            return None, None, None
        paths = [(*base, "penalty")] if not isinstance(spec, list) else [
            (*base, "penalty", index) for index in range(len(spec))]
        per_breach: Clause[ast.Penalty] | None = None
        per_window: Clause[ast.WindowPenalty] | None = None
        strike: Clause[ast.Strike] | None = None
        for path in paths:
            clause = self.clause(path, "penalty")
            if clause is None:
                continue
            node, twice = clause.node, False
            if isinstance(node, ast.Penalty):
                twice, per_breach = per_breach is not None, Clause(clause.text, node, clause.span)
            elif isinstance(node, ast.WindowPenalty):
                twice, per_window = per_window is not None, Clause(clause.text, node, clause.span)
            else:
                twice, strike = strike is not None, Clause(clause.text, node, clause.span)
            if twice:
                self._error(BAD_VALUE, "a second penalty of the same kind", path,
                            ("a standard has at most one penalty per breach, one per missed "
                             "window and one at every Nth breach: add the amounts in one "
                             "clause (`a + b per breach`) or write a second standard",))
        return per_breach, per_window, strike

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

    def _window(self, base: YamlPath, target: Clause[ast.Target] | None,
                window: Clause[ast.Window] | None) -> ast.Window | None:
        from_target = target.node.window if target is not None else None
        if from_target is not None and window is not None:
            self._error(BAD_WINDOW, "the window is given twice, in `target` and in `window`",
                        (*base, "window"), ("keep one of them",), key=True)
            return None
        if from_target is not None:
            return from_target
        if window is not None:
            return window.node
        if target is None and window is None:
            self._error(BAD_WINDOW, "the standard has no window", base,
                        ("add `window: per month` or a target such as `97% per month`",), key=True)
        elif target is not None:
            self._error(BAD_WINDOW, "the target has no window", (*base, "target"),
                        ("say the period: `97% per month`",))
        return None

    def _rates(self, rates: dict[str, Any], currency: str) -> tuple[Rate, ...]:
        """`rates:` each other currency, with the date its rate is taken at (if stated)."""
        out = []
        for code, body in rates.items():
            path: YamlPath = ("rates", code)
            if code == currency:
                self._error(BAD_VALUE, f"{code} is the contract's own currency", path,
                            ("list only the other currencies amounts are written in",),
                            key=True)
                continue
            when = None
            if body.get("date") is not None:
                try:
                    when = date.fromisoformat(str(body["date"]))
                except ValueError:
                    self._error(BAD_VALUE, f"`{body['date']}` is not a date", (*path, "date"),
                                ("write it as YYYY-MM-DD",))
                    continue
            out.append(Rate(code, when, str(body.get("note", "")), self.places[path].key))
        return tuple(out)

    def _pools(self, pools: dict[str, Any]) -> tuple[Pool, ...]:
        out = []
        for name, body in pools.items():
            limit = self.clause(("pools", name, "limit"), "limit")
            if limit is not None:
                out.append(Pool(name, tuple(body["standards"]), limit,
                                self.places[("pools", name)].key))
        return tuple(out)

    def _bands(self, base: YamlPath, rows: list[dict[str, Any]]) -> tuple[Band, ...]:
        """A credit table: each row's ends (`at_least`, `below`) and its credit."""
        out = []
        for index, row in enumerate(rows):
            path: YamlPath = (*base, "credit", index)
            low = self.clause((*path, "at_least"), "expr") if "at_least" in row else None
            high = self.clause((*path, "below"), "expr") if "below" in row else None
            amount = self.clause((*path, "credit"), "amount")
            if amount is not None:
                out.append(Band(low, high, amount, self.places[path].value))
        return tuple(out)

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


def _clauses(standard: Standard) -> list[Clause[ast.Node]]:
    optional: list[Clause[ast.Node] | None] = [standard.scope, standard.target,
                                               standard.credit, standard.reward,
                                               standard.payment]
    bands = [clause for band in standard.credit_bands
             for clause in (band.low, band.high, band.amount) if clause is not None]
    return [standard.require, *(item.when for item in standard.exclusions), *bands,
            *(clause for clause in optional if clause is not None), *standard.penalties,
            *standard.disqualify, *standard.escalate]


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
