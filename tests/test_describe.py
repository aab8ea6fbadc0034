"""The plain words of every kind of clause, as the language server shows them on hover; each
expected sentence was read against the README's rules for that clause."""

from __future__ import annotations

import pytest

from slacheck._source import Source
from slacheck.describe import describe
from slacheck.parser import parse

OPTIONAL = {"delivered_at": "timestamp"}


@pytest.mark.parametrize(("kind", "grammar", "clause", "words"), [
    ("require", "expr", "not (a and b)",
     "a record passes when not (`a` is true and `b` is true); otherwise it is a breach"),
    ("require", "expr", "done or late",
     "a record passes when `done` is true or `late` is true; otherwise it is a breach"),
    ("require", "expr", "service not in [road, rail]",
     "a record passes when `service` is none of road, rail; otherwise it is a breach"),
    ("require", "expr", "delivered_at is absent",
     "a record passes when `delivered_at` is absent; otherwise it is a breach"),
    ("require", "expr", "delivered_at within 2h of picked_up_at",
     "breach when `delivered_at` is more than 2 hours after `picked_up_at`, or is still "
     "absent once that deadline has passed (an overdue breach); pending until then, and "
     "while `picked_up_at` is absent (the clock has not started); exactly 2 hours passes"),
    ("for", "expr", "delivered_at within limit of picked_up_at",
     "the standard applies to records where `delivered_at` is at most `limit` after "
     "`picked_up_at`; others are not in scope; while `delivered_at` is absent, its scope is "
     "undetermined unless the evaluation time already decides it"),
    ("except", "expr", "force_majeure",
     "records where `force_majeure` is true are excluded: counted in no figure, with the "
     "reason kept"),
    ("derived", "expr", "delivered_at - picked_up_at",
     "computed for each record: delivered_at - picked_up_at"),
    ("parameter", "expr", "5% of monthly_fee", "a constant of the contract: 5% of monthly_fee"),
    ("target", "target", "count(late) <= 3 per month",
     "met when the number of records for which `late` is true is at most 3, over the records "
     "in scope, per calendar month"),
    ("target", "target", "count() >= 20 per week",
     "met when the number of records is at least 20, over the records in scope, per ISO week "
     "(Monday to Sunday)"),
    ("target", "target", "sum(a) / sum(b) >= 98% per month of delivered_at by office, lane",
     "met when the sum of `a` divided by the sum of `b` is at least 98%, over the records in "
     "scope, per calendar month of `delivered_at`, by office, lane"),
    ("target", "target", "mean(transit) <= 30h per quarter, warn above 24h",
     "met when the mean of `transit` is at most 30 hours, over the records in scope, per "
     "calendar quarter, warned when met but above 24h"),
    ("target", "target", "min(x) >= 2 per day",
     "met when the smallest `x` is at least 2, over the records in scope, per calendar day"),
    ("target", "target", "max(t) <= 8 per year",
     "met when the largest `t` is at most 8, over the records in scope, per calendar year"),
    ("target", "target", "99% for key, 97% for suitable per month by tier",
     "met when at least 99% of the records in scope pass for key, 97% for suitable (any "
     "other group has no commitment), per calendar month, by tier; pending and excluded "
     "records count in neither the passes nor the total"),
    ("window", "window", "per month of delivered_at by office",
     "records are counted together per calendar month of `delivered_at`, by office"),
    ("penalty", "penalty", "value per breach", "each breach costs the record's `value`"),
    ("penalty", "penalty", "1 CNY per started 1h of delay, at most 10 CNY per month",
     "each breach costs 1 CNY for each started 1 hour of `delay`, at most 10 CNY in total "
     "per calendar month"),
    ("penalty", "penalty", "1 CNY per 1h of (a - b) rounded down to 1h",
     "each breach costs 1 CNY pro rata, for each 1 hour of `a - b` (`a - b` rounded down to "
     "a multiple of 1 hour first)"),
    ("penalty", "penalty", "value per breach, at most 5 CNY in total, deferred while open",
     "each breach costs the record's `value`, at most 5 CNY over the whole contract; a breach "
     "of a record still open (its event overdue) owes it only once the record closes: until "
     "then it is listed as deferred, outside the totals"),
    ("penalty", "penalty", "value per breach, at most 5 CNY per contract year",
     "each breach costs the record's `value`, at most 5 CNY per year of the contract, counted "
     "from its start"),
    ("penalty", "penalty", "599.99 CNY at every 5th breach within 60d",
     "599.99 CNY falls due at a breach that is the 5th within 60 days (that breach included); "
     "each breach counts towards one such amount only, then the count starts again"),
    ("payment", "payment", "fee per record",
     "the customer owes the record's `fee` for every record in scope and not excluded, "
     "breached or not, once its amount is known; summed per window, and never a cause of "
     "non-compliance"),
    ("credit", "credit", "500 CNY per missed month",
     "for each missed calendar month (a window closed below its target), a service credit "
     "of 500 CNY"),
    ("disqualify", "disqualify", "after 1 breaches within 30d", "disqualified on the first breach"),
    ("disqualify", "disqualify", "after 3 breaches within 90d",
     "disqualified when 3 breaches fall within 90 days (their times less than that apart), at "
     "the breach that completes them"),
    ("disqualify", "disqualify", "on any breach", "disqualified on the first breach"),
])
def test_every_clause_in_plain_words(kind: str, grammar: str, clause: str, words: str) -> None:
    assert describe(kind, parse(Source(clause), grammar), optional=OPTIONAL) == words


def test_a_target_names_the_scope_it_counts() -> None:
    words = describe("target", parse(Source("97% per month"), "target"), scope="service in [air]")
    assert words.startswith("met when at least 97% of the records in scope (`service in [air]`)"
                            " pass")
