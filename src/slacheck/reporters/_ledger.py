"""The audit report's ledger: each amount owed with its clause, records and arithmetic,
and totals that reconcile line by line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slacheck._money import total as money_total
from slacheck.findings import (
    PenaltyWindow,
    Result,
    StandardResult,
)
from slacheck.reporters._format import (
    printable,
)
from slacheck.reporters._wording import (
    LIST_LIMIT,
    Ref,
    RefList,
    anchor,
    as_ref,
    count,
    money,
    refs,
    shell,
    title_of,
    when,
)


@dataclass(frozen=True, slots=True)
class PenaltyRow:
    label: str
    words: str
    breaches: int | None
    """The breaches priced; None for an amount due per missed window (from its totals)."""
    group: str
    """`office=PEK` when the amounts are owed (or capped) per group, else ""."""
    gross: str
    cap: str | None
    adjustment: str
    net: str
    arithmetic: str

    @property
    def heading(self) -> str:
        """`June 2024` or `June 2024, supplier_id=SUP-1`."""
        return f"{self.words}, {self.group}" if self.group else self.words


@dataclass(frozen=True, slots=True)
class Amount:
    ref: Ref
    amount: str


@dataclass(frozen=True, slots=True)
class Ledger:
    """One standard's money: every amount with its clause, records and arithmetic."""

    standard: str
    title: str
    anchor: str
    penalty_clause: str | None
    penalty_line: int | None
    credit_clause: str | None
    credit_line: int | None
    penalties: tuple[PenaltyRow, ...]
    gross: str
    adjustment: str
    net: str
    records: tuple[Amount, ...]
    records_total: int
    records_note: str
    records_sum: str | None
    """The sum of the record amounts, when every one is listed, against the gross total."""
    unpriced: RefList | None
    credits: tuple[tuple[str, str, str], ...]
    """(window in words, amount, arithmetic when computed from the window's totals)."""
    credit_total: str
    credits_computed: bool = False
    """Whether a credit's amount was computed from its window (an arithmetic column)."""
    reward_clause: str | None = None
    reward_line: int | None = None
    rewards: tuple[tuple[str, str, str], ...] = ()
    reward_total: str = ""
    groups: tuple[tuple[str, str, str, str], ...] = ()
    """(group, gross, cap adjustment, net) of the penalties, when they are owed per group."""
    breaches: int | None = None
    """The breaches priced, in all; None when every penalty is due per missed window."""
    explain: str = ""
    """The command that shows one record's arithmetic (`--record ID`)."""
    deferred: tuple[Amount, ...] = ()
    """Overdue breaches of open records whose penalty is `deferred while open`."""
    deferred_total: int = 0
    deferred_amount: str = ""
    payment_clause: str | None = None
    payment_line: int | None = None
    payments: tuple[tuple[str, str, str], ...] = ()
    """(window in words, amount, arithmetic) of what the customer owes for the records."""
    payment_total: str = ""
    rates: str = ""
    """The rates the standard's amounts were converted at, in words ("" when none)."""



# -- money ----------------------------------------------------------------------------


def ledger(result: Result, standard: StandardResult) -> Ledger | None:
    clauses = dict(standard.clauses)
    has_penalty = "penalty" in clauses
    if not has_penalty and not standard.credits and not standard.rewards \
            and not standard.payments:
        return None
    zero = result.zero
    currency = printable(result.currency)
    amounts = {item.amount for item in standard.record_penalties}
    complete = standard.record_penalties_total == len(standard.record_penalties)
    each = next(iter(amounts)) if len(amounts) == 1 and complete else None
    rows = []
    groups: dict[str, list[PenaltyWindow]] = {}
    for item in standard.penalty_windows:
        adjustment = item.net - item.gross
        head, _, group = item.label.partition(" ")
        if group:
            groups.setdefault(group, []).append(item)
        added = item.gross if item.exact is None else item.exact
        if each is not None:
            sum_text = (f"{count(item.breaches, 'breach')} × {money(each)} {currency} = "  # noqa: RUF001
                        f"{money(added)} {currency}")
        elif item.breaches == 1:
            sum_text = f"1 breach, its amount {money(added)} {currency}"
        else:
            sum_text = (f"{count(item.breaches, 'breach')}, their amounts added up: "
                        f"{money(added)} {currency}")
        if item.exact is not None:  # the contract rounds each window's sum
            sum_text += (f", rounded {result.rounding.replace('_', ' ')} to "
                         f"{money(item.gross)} {currency}")
        if item.arithmetic:  # due per missed window, from its totals, or at an Nth breach
            arithmetic = f"{printable(item.arithmetic)}; net {money(item.net)} {currency}"
            if item.records:
                arithmetic += f"; breaches {refs(item.records, len(item.records)).text}"
        elif adjustment:
            arithmetic = (f"{sum_text}; capped at {money(item.cap or zero)} {currency}: "
                          f"{money(adjustment)} {currency}; net {money(item.net)} {currency}")
        else:
            arithmetic = f"{sum_text}; net {money(item.net)} {currency}"
        rows.append(PenaltyRow(
            label=item.label, words=when(head), group=printable(group),
            breaches=None if item.arithmetic else item.breaches, gross=money(item.gross),
            cap=None if item.cap is None else money(item.cap),
            adjustment=money(adjustment), net=money(item.net),
            arithmetic=arithmetic,
        ))
    gross = money_total((item.gross for item in standard.penalty_windows), zero)
    net = money_total((item.net for item in standard.penalty_windows), zero)
    adjustment = money_total((item.net - item.gross for item in standard.penalty_windows), zero)
    listed = standard.record_penalties[:LIST_LIMIT]
    records_note = ""
    total = standard.record_penalties_total
    if total > len(listed):
        records_note = refs(tuple(item.record for item in standard.record_penalties),
                            total).note
    summed = money_total((item.amount for item in standard.record_penalties), zero)
    exact = money_total((item.gross if item.exact is None else item.exact
                         for item in standard.penalty_windows), zero)
    records_sum = None  # when every record is listed: their sum, against the gross
    if complete and standard.record_penalties and summed == gross:
        records_sum = (f"The {total:,} record amounts add up to {money(summed)}, the gross "
                       "total.")
    elif complete and standard.record_penalties and summed == exact:
        records_sum = (f"The {total:,} record amounts add up to {money(summed)}, exact; each "
                       f"window's sum is rounded, to {money(gross)} in all.")
    lines = dict(reversed(standard.clause_lines))
    return Ledger(
        standard=standard.id,
        title=title_of(standard),
        anchor=anchor(standard.id),
        penalty_clause=printable("; ".join(text for kind, text in standard.clauses
                                           if kind == "penalty")) if has_penalty else None,
        penalty_line=lines.get("penalty"),
        credit_clause=printable(clauses["credit"]) if "credit" in clauses else None,
        credit_line=lines.get("credit"),
        penalties=tuple(rows),
        gross=money(gross),
        adjustment=money(adjustment),
        net=money(net),
        records=tuple(Amount(as_ref(item.record), money(item.amount)) for item in listed),
        records_total=total,
        records_note=records_note,
        records_sum=records_sum,
        unpriced=refs(standard.unpriced, standard.unpriced_total)
        if standard.unpriced_total else None,
        credits=tuple((_credit_words(credit.label), money(credit.amount),
                       printable(credit.arithmetic)) for credit in standard.credits),
        credit_total=money(standard.credit_total),
        credits_computed=any(credit.arithmetic for credit in standard.credits),
        reward_clause=printable(clauses["reward"]) if "reward" in clauses else None,
        reward_line=lines.get("reward"),
        rewards=tuple((_credit_words(reward.label), money(reward.amount),
                       printable(reward.arithmetic)) for reward in standard.rewards),
        reward_total=money(standard.reward_total),
        deferred=tuple(Amount(as_ref(item.record), money(item.amount))
                       for item in standard.deferred[:LIST_LIMIT]),
        deferred_total=standard.deferred_total,
        deferred_amount=money(standard.deferred_amount),
        payment_clause=printable(clauses["payment"]) if "payment" in clauses else None,
        payment_line=lines.get("payment"),
        payments=tuple((_credit_words(item.label) + ("" if item.closed else " (open: so far)"),
                        money(item.amount), printable(item.arithmetic))
                       for item in standard.payments),
        payment_total=money(standard.payment_total),
        rates="; ".join(printable(rate.text) for rate in standard.rates),
        groups=tuple((printable(group),
                      money(money_total((item.gross for item in items), zero)),
                      money(money_total((item.net - item.gross for item in items), zero)),
                      money(money_total((item.net for item in items), zero)))
                     for group, items in sorted(groups.items()))
        if len(groups) > 1 else (),
        breaches=sum(item.breaches for item in standard.penalty_windows
                     if not item.arithmetic)
        if any(not item.arithmetic for item in standard.penalty_windows) else None,
        explain=printable(f"slacheck explain {shell(result.contract_path)} "
                          + " ".join(shell(item.path) for item in result.inputs)
                          + f" --standard {shell(standard.id)} --record ID --as-of "
                            f"{result.as_of.isoformat()}"),
    )


def rounding_words(mode: str, where: str, zero: Decimal) -> str:
    """Where and how the contract rounds money, as the ledger says it.

    >>> rounding_words("half_up", "window", Decimal("0.00"))[-43:]
    'due per window, is rounded half up to 0.01.'
    >>> rounding_words("half_even", "total", Decimal("0"))
    'Every amount is kept exact; only the totals are rounded half even to 1.'
    """
    exponent = zero.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    how = f"rounded {mode.replace('_', ' ')} to {quantum}"
    if where == "total":
        return f"Every amount is kept exact; only the totals are {how}."
    if where == "window":
        return (f"Each breach's amount is kept exact; each window's sum, and each amount due "
                f"per window, is {how}.")
    return (f"Each amount is {how} as it is computed: each breach's amount, and each amount "
            "due per window.")


def ledger_notes(result: Result, payer: str, payee: str) -> tuple[str, ...]:
    currency = printable(result.currency)
    rewarded = any(standard.rewards for standard in result.standards)
    paid = any(standard.payments for standard in result.standards)
    owed = (f"Penalties and service credits are owed by {payer} to {payee}"
            + (f"; rewards by {payee} to {payer}" if rewarded else "")
            + (f"; payments for the records by {payee} to {payer}" if paid else "")
            + f", in {currency}.")
    windows = [item for standard in result.standards for item in standard.penalty_windows]
    notes = [owed]
    if any(not item.arithmetic for item in windows):
        notes.append("A penalty per breach: its gross is the sum of the breaches' amounts; a "
                     "cap lowers it to the net, which is owed.")
    if any(item.arithmetic for item in windows):
        notes.append("A penalty per missed window is computed from the window's totals, as "
                     "its arithmetic shows.")
    return tuple(notes)


def _credit_words(label: str) -> str:
    """`2025-01 office=PEK` -> `January 2025, office=PEK`."""
    head, _, rest = label.partition(" ")
    return printable(when(head) + (f", {rest}" if rest else ""))

