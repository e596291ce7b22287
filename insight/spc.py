"""Statistical process control on an XmR chart, with the NHS "Making Data Count" rules.

Pure Python on a list of counts: no database, so the rules can be tested point by point.
"""

from dataclasses import dataclass
from statistics import fmean

# For an XmR chart sigma is estimated from the average moving range: mR-bar / d2, d2 = 1.128
# for ranges of two points (so the 3-sigma limits are the mean ± 2.66 mR-bar).
D2 = 1.128
SHIFT_LENGTH = 7
TREND_LENGTH = 6


@dataclass(frozen=True)
class Limits:
    mean: float
    sigma: float

    @property
    def upper(self) -> float:
        return self.mean + 3 * self.sigma

    @property
    def lower(self) -> float:
        # Counts cannot fall below zero.
        return max(0.0, self.mean - 3 * self.sigma)


@dataclass(frozen=True)
class Signal:
    rule: str
    direction: str  # "up" or "down"
    first: int
    last: int


def xmr_limits(values: list[float]) -> Limits:
    mean = fmean(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    sigma = (fmean(ranges) / D2) if ranges else 0.0
    return Limits(mean, sigma)


def _side(value: float, mean: float) -> int:
    return (value > mean) - (value < mean)


def signals(values: list[float], limits: Limits) -> list[Signal]:
    """Every special cause signal in the series, each reported once, at the point it ends."""
    found = []
    if limits.sigma > 0:
        for i, v in enumerate(values):
            if v > limits.upper:
                found.append(Signal("outside_limits", "up", i, i))
            elif v < limits.lower and limits.lower > 0:
                found.append(Signal("outside_limits", "down", i, i))
    found += _runs([_side(v, limits.mean) for v in values], SHIFT_LENGTH, "shift")
    steps = [_side(b, a) for a, b in zip(values, values[1:], strict=False)]
    # A trend of 6 points is 5 steps the same way; indexes shift by one back to points.
    for s in _runs(steps, TREND_LENGTH - 1, "trend"):
        found.append(Signal("trend", s.direction, s.first, s.last + 1))
    if limits.sigma > 0:
        for direction, beyond in (
            ("up", lambda v: v > limits.mean + 2 * limits.sigma),
            ("down", lambda v: v < limits.mean - 2 * limits.sigma),
        ):
            for i in range(2, len(values)):
                window = values[i - 2 : i + 1]
                if beyond(values[i]) and sum(map(beyond, window)) >= 2:
                    found.append(Signal("two_of_three", direction, i - 2, i))
    return found


def _runs(sides: list[int], length: int, rule: str) -> list[Signal]:
    """Runs of at least `length` equal non-zero entries (1 up, -1 down), one signal per run."""
    found, start = [], 0
    for i in range(1, len(sides) + 1):
        if i == len(sides) or sides[i] != sides[start] or sides[i] == 0:
            if sides[start] != 0 and i - start >= length:
                found.append(Signal(rule, "up" if sides[start] > 0 else "down", start, i - 1))
            start = i
    return found
