"""Measures: the one figure a standard computes per window, each a small mergeable state.

A measure is told each evaluated record's value (`add`), merges the states of two parts of
the data (`merge`), and gives its figure (`value`) and the number of records behind it
(`sample`). Figures are exact fractions in the measure's unit (a share, a number, an amount
of money, seconds), so an objective compares them exactly whatever the measure is; None
means there is nothing to measure (an empty sample, a zero denominator), never 0 or 100%.

The rate of passed records, the commonest measure, needs no values: it reads the window's
counts of passed and breached records, which every standard keeps anyway.
"""

from slacheck.measures.base import Measure, Unit
from slacheck.measures.kinds import Count, Extreme, Mean, Percentile, Rate, RatioOfSums, Sum

__all__ = ["Count", "Extreme", "Mean", "Measure", "Percentile", "Rate", "RatioOfSums", "Sum",
           "Unit"]
