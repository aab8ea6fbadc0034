"""The report's sentences: the verdict in words, and each window's standing in words a
non-engineer reads, from a `Result` alone."""

from __future__ import annotations

from slacheck._money import total as money_total
from slacheck._words import plural
from slacheck.findings import (
    Disqualification,
    Escalation,
    Result,
    StandardResult,
    Verdict,
    WindowOutcome,
)
from slacheck.reporters import _figures
from slacheck.reporters._format import fraction, goal, printable
from slacheck.reporters._wording import (
    Units,
    amount,
    count,
    group_words,
    moment,
    money,
    objective,
    rate_text,
    refs,
    target_text,
    title_of,
    when,
)


def verdict_sentences(result: Result, payer: str, payee: str) -> tuple[str, ...]:
    """The verdict in sentences: what was missed, what is owed, and any disqualification."""
    out: list[str] = []
    verdict = result.verdict
    currency = printable(result.currency)
    if verdict is Verdict.INCONCLUSIVE:
        out.append("No record could be evaluated: no standard passed or breached a record, "
                   "so there is no evidence either way.")
        return tuple(out)
    for standard in result.standards:
        missed = [w for w in standard.windows if w.closed and w.met is False]
        if missed:
            units = Units(currency, result.zero)
            goals = {target_words(w, units) for w in missed}
            if len(goals) == 1:
                said = (f"the {goals.pop()} target was missed in "
                        + listing([where(w) for w in missed]))
            else:  # targets per group: each window, then each group with its own
                by_window: dict[str, list[WindowOutcome]] = {}
                for w in missed:
                    by_window.setdefault(w.label, []).append(w)
                said = "the target was missed in " + listing([
                    f"{when(label)} for " + listing([
                        f"{group_words(w.group) or 'every record'} ({target_words(w, units)})"
                        for w in places])
                    for label, places in by_window.items()])
            out.append(f"{named(standard)}: {said}.")
    penalties, credits = result.penalties, result.credits
    if penalties > 0 or credits > 0:
        parts = []
        if penalties > 0:
            parts.append(f"{money(penalties)} {currency} in penalties")
        if credits > 0:
            parts.append(f"{money(credits)} {currency} in service credits{pooled(result)}")
        total = money(money_total((penalties, credits), result.zero))
        if len(parts) == 2:
            out.append(f"{capital(payer)} owes {payee} {total} {currency}: {parts[0]} and "
                       f"{parts[1]}.")
        else:
            out.append(f"{capital(payer)} owes {payee} {parts[0]}.")

    if result.rewards > 0:
        out.append(f"{capital(payee)} owes {payer} {money(result.rewards)} {currency} in rewards "
                   "for met windows.")
    if any(standard.payments for standard in result.standards):
        out.append(f"{capital(payee)} owes {payer} {money(result.payments)} {currency} in "
                   "payments for the records themselves (due breached or not, open windows "
                   "so far).")
    deferred = sum(standard.deferred_total for standard in result.standards)
    if deferred:
        out.append(f"A further {money(result.deferred)} {currency} in penalties is deferred "
                   f"until {count(deferred, 'open record')} "
                   f"{'closes' if deferred == 1 else 'close'}: overdue breaches, counted "
                   "as breaches, whose amount the contract owes only then (not in the totals).")
    for standard in result.standards:
        if standard.unpriced_windows:
            out.append(f"An amount under {standard.id} is owed for "
                       f"{listing([when(label) for label in standard.unpriced_windows])} as well, "
                       "at an amount that cannot be computed (a total of no record, or a "
                       "division by zero).")
        if standard.unpriced_total:
            number = standard.unpriced_total
            out.append(f"{count(number, 'breach')} under {standard.id} "
                       f"{'is' if number == 1 else 'are'} owed as well, at an amount the data "
                       "cannot tell (a field the penalty needs is missing).")
    found = result.disqualification
    if found is not None:
        standard = next(s for s in result.standards if s.id == found.standard)
        out.append(f"{capital(payer)} is disqualified under {id_title(standard)} as of "
                   f"{moment(found.at)}: {rule_text(found)}; "
                   f"evidence: {refs(found.records, len(found.records)).text}.")
    for standard in result.standards:
        out.extend(escalation_sentences(standard, payee))
    if verdict is Verdict.COMPLIANT and any(s.has_target for s in result.standards):
        out.append("Every closed window met its target, nothing is owed, and no "
                   "disqualification applies.")
    elif verdict is Verdict.COMPLIANT:
        out.append(f"No standard sets a target; {payer} owes nothing and no "
                   "disqualification applies.")
    return tuple(out)


def pooled(result: Result) -> str:
    """What pool limits took off the credits, as the verdict adds it ("" when nothing)."""
    over = [pool for pool in result.pools if pool.adjustment]
    if not over:
        return ""
    cut = money_total((pool.gross - pool.net for pool in over), result.zero)
    names = listing(list(dict.fromkeys(printable(pool.pool) for pool in over)))
    pools = "pool's" if len({pool.pool for pool in over}) == 1 else "pools'"
    return (f", after {money(cut)} {printable(result.currency)} over the {names} {pools} "
            "limit was taken off")


def escalation_sentences(standard: StandardResult, payee: str) -> list[str]:
    """A termination right with its date, rule and evidence; the other steps reached in one
    sentence."""
    out = []
    ends = [step for step in standard.escalations if step.terminates]
    if ends:
        first = ends[0]
        rule, windows = ladder_rule(first)
        out.append(f"{capital(payee)} has a right to terminate under {id_title(standard)} as "
                   f"of {moment(first.at)}: {rule} ({windows}); evidence: "
                   f"{refs(first.records, len(first.records)).text}.")
    steps = [step for step in standard.escalations if not step.terminates]
    if steps:
        said = []
        for step in steps:
            rule, windows = ladder_rule(step)
            said.append(f"{step_words(step.step)} as of {moment(step.at)}, after {rule}: "
                        f"{windows}")
        out.append(f"Escalation under {standard.id}: {'; '.join(said)}.")
    return out


def ladder_rule(step: Escalation) -> tuple[str, str]:
    """(`3 missed months within 6 months`, `February 2024, April 2024 and June 2024`): the
    rule of an escalation step without the step it reaches, and the missed windows."""
    rule = printable(step.rule).partition(":")[0].strip().removeprefix("after ")
    return rule, listing([when(label) for label in step.windows]) if step.windows else ""


def party(role: str, name: str) -> str:
    """`the provider, Sinotrans,` or, unnamed, `the provider`."""
    return f"the {role}, {name}," if name else f"the {role}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def rule_text(found: Disqualification) -> str:
    windows = f" ({', '.join(when(label) for label in found.windows)})" if found.windows else ""
    return found.rule + windows


def id_title(standard: StandardResult) -> str:
    """`id (Title)`, or the id alone when the standard has no title of its own."""
    title = title_of(standard)
    return f"{standard.id} ({title})" if title else standard.id


def named(standard: StandardResult) -> str:
    """`Title (id)`, or the id alone when the standard has no title of its own."""
    title = printable(standard.title)
    return f"{title} ({standard.id})" if title and title != standard.id else standard.id


def target_words(window: WindowOutcome, units: Units) -> str:
    """A window's target as a sentence names it: `97%` for a rate, else the measure with
    its comparison: `p95(transit) <= 72h`, `sum(shipped) / sum(ordered) >= 98%`."""
    if window.measure == "rate":
        return objective(window.target, window.unit, window.op, units) or "-"
    shown = (amount(window.target, window.unit, units) if window.unit == "money"
             else goal(window.target, window.unit)) or "-"
    return f"{printable(window.measure)} {window.op} {shown}"


def where(window: WindowOutcome) -> str:
    words = when(window.label)
    return f"{words} ({group_words(window.group)})" if window.group else words


def listing(items: list[str]) -> str:
    """Items as a sentence lists them.

    >>> listing(["a"]), listing(["a", "b"]), listing(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def window_sentence(found: WindowOutcome, units: Units) -> str | None:
    """A missed or at-risk target, an open window's standing, or why a window with records
    was not evaluated, in words a non-engineer reads."""
    if found.target is None or found.status in ("no target", "no commitment"):
        return None
    head = where(found)
    if found.status == "not evaluated" or found.met is None:
        return (f"{head}: not evaluated ({unevaluated(found)}), so neither met nor "
                "missed.")
    if found.measure == "rate":
        return rate_sentence(found, head)
    measured = printable(found.measure)
    shown = amount(found.value, found.unit, units)
    if found.unit == "share" and found.value is not None:  # a ratio of sums: its fraction
        shown = f"{shown} ({fraction(found.value)})"
    over = f" over {count(found.sample, 'record')}"
    relation = relation_words(found, units)
    if found.closed:
        if found.status == "missed":
            return f"{head}: {measured} was {shown}{over}, {relation}."
        if found.status == "warned":
            return (f"{head}: {measured} was {shown}{over}, {relation}: met, but "
                    f"{band_words(found, units)}, at risk.")
        return None
    standing = {"met": "met so far", "warned": "met so far, but inside the warning band",
                "missed": "not met so far"}[found.status]
    return (f"{head} (open until {moment(found.end)}): {measured} is {shown} so far{over}, "
            f"{relation} ({standing}); the window is judged when it closes.")


def band_words(found: WindowOutcome, units: Units | None = None) -> str:
    """`below the 99% warning line` (a window inside the warning band), or, without the
    line, `inside the contract's warning band`."""
    if found.warn is None:
        return "inside the contract's warning band"
    line = (amount(found.warn, found.unit, units) if found.unit == "money"
            else goal(found.warn, found.unit))
    side = "below" if found.op in (">=", ">") else "above"
    return f"{side} the {line} warning line"


def relation_words(found: WindowOutcome, units: Units) -> str:
    """Where a figure stands to its target: `above the 24h target`, `below the 98%
    target`, `at the 19h target, which it had to stay under`."""
    assert found.value is not None
    assert found.target is not None
    text = (amount(found.target, found.unit, units) if found.unit == "money"
            else goal(found.target, found.unit)) or ""
    phrase = (f"the {text} target" if found.unit in ("share", "seconds")
              else f"the target of {text}")
    if found.value == found.target:
        beyond = {"<": "stay under", ">": "exceed"}.get(found.op)
        return f"at {phrase}" + (f", which it had to {beyond}" if beyond else "")
    return f"{'above' if found.value > found.target else 'below'} {phrase}"


def rate_sentence(found: WindowOutcome, head: str) -> str | None:
    """A rate's missed or at-risk window in records: by how many, or its error budget."""
    goal_value, rate = found.target, found.rate
    if goal_value is None or rate is None:
        return None
    passed, breached, counted = found.passed, found.breached, found.passed + found.breached
    shown = rate_text(rate)
    goal_text = target_text(goal_value)
    if found.closed:
        if found.status == "warned":
            return (f"{head}: {shown} ({passed:,} of {counted:,}) met the {goal_text} target, "
                    f"but {band_words(found)}: at risk.")
        if found.met:
            return None
        short = _figures.shortfall(passed, breached, goal_value)
        if short < breached:
            which = f"{short:,} of its {count(breached, 'breach')}"
        else:
            which = {1: "its only breach", 2: "both its breaches"}.get(
                breached, f"all {breached:,} of its breaches")
        return (f"{head}: {shown} ({passed:,} of {counted:,}) met the standard, below the "
                f"{goal_text} target by {count(short, 'record')}: {which} would have had to "
                f"pass to reach {goal_text}.")
    pending = (f" {count(found.pending, 'record')} {'is' if found.pending == 1 else 'are'} "
               "still pending." if found.pending else "")
    until = f"open until {moment(found.end)}"
    if found.met:
        spare = _figures.budget(passed, breached, goal_value)
        if spare is None:
            afford = "any number of further breaches"
        else:
            afford = (f"{spare:,} more {plural(spare, 'breach')}" if spare
                      else "no further breach")
        band = (f" It is {band_words(found)}: at risk." if found.status == "warned" else "")
        return (f"{head} ({until}): {shown} ({passed:,} of {counted:,}) so far; at these "
                f"counts the provider can afford {afford} and still meet the {goal_text} "
                f"target.{band}{pending}")
    needed = _figures.recovery(passed, breached, goal_value)
    if needed is None:
        back = "the target can no longer be met in this window"
    else:
        back = (f"{needed:,} more {plural(needed, 'record')} would have to pass, without "
                "another breach, to reach it")
    return (f"{head} ({until}): {shown} ({passed:,} of {counted:,}) so far, below the "
            f"{goal_text} target; {back}.{pending}")


def unevaluated(found: WindowOutcome | None) -> str:
    """Why a window is neither met nor missed."""
    if found is None:
        return "no records in this window"
    if found.value is None:
        if found.measure == "rate":
            return "every record pending or excluded"
        if found.sample:
            return "nothing to measure: the denominator adds up to 0"
        return "nothing to measure: no record with a known value"
    if found.minimum is not None:
        return (f"{count(found.sample, 'record')} measured, fewer than the {found.minimum:,} "
                "the target needs")
    return (f"{count(found.sample, 'record')} measured, fewer than the target's minimum "
            "sample")


def step_words(step: str) -> str:
    """An escalation step as a sentence names it, without the quotes the contract may need.

    >>> step_words('"corrective action plan"'), step_words("notice")
    ('corrective action plan', 'notice')
    """
    return step[1:-1] if len(step) > 1 and step[0] == step[-1] == '"' else step
