"""Forecasting complaint volumes: three candidate methods, chosen per series by a rolling-origin
backtest on mean absolute percentage error (MAPE). Pure Python and statsmodels, no database.
"""

import math
import warnings
from dataclasses import dataclass
from statistics import fmean, pstdev

import numpy as np

# statsmodels takes seconds of CPU to import: the fitting functions import it on first use, so
# the web pages that only read stored forecasts (and every worker start) do without it.

SEASONAL_NAIVE = "seasonal_naive"
HOLT_WINTERS = "holt_winters"
CALENDAR_REGRESSION = "calendar_regression"
METHODS = {
    SEASONAL_NAIVE: "Seasonal naive (same period last year)",
    HOLT_WINTERS: "Exponential smoothing (Holt-Winters)",
    CALENDAR_REGRESSION: "Regression on trend and calendar",
}
BACKTEST_ORIGINS = 4
# Series names: "all", a sector, or this prefix and a complaint theme's slug.
THEME_SERIES_PREFIX = "theme:"
Z_95 = 1.96


def _seasonal_naive(history: list[float], horizon: int, season: int) -> list[float]:
    if len(history) >= season:
        last_season = history[-season:]
        return [last_season[i % season] for i in range(horizon)]
    return [history[-1]] * horizon


def _holt_winters(history: list[float], horizon: int, season: int) -> list[float]:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "add" if len(history) >= 2 * season else None
    model = ExponentialSmoothing(
        np.asarray(history, dtype=float),
        trend="add",
        damped_trend=True,
        seasonal=seasonal,
        seasonal_periods=season if seasonal else None,
        initialization_method="estimated",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = model.fit()
    return [float(v) for v in fitted.forecast(horizon)]


def _calendar_features(positions: list[int], season: int) -> np.ndarray:
    """A linear trend and two Fourier pairs of the year, so 52 weeks need only 5 coefficients."""
    from statsmodels.tools.tools import add_constant

    t = np.asarray(positions, dtype=float)
    columns = [t]
    for k in (1, 2):
        columns += [np.sin(2 * math.pi * k * t / season), np.cos(2 * math.pi * k * t / season)]
    return add_constant(np.column_stack(columns), has_constant="add")


def _calendar_regression(history: list[float], horizon: int, season: int) -> list[float]:
    from statsmodels.regression.linear_model import OLS

    n = len(history)
    fitted = OLS(np.asarray(history, dtype=float), _calendar_features(list(range(n)), season)).fit()
    future = _calendar_features(list(range(n, n + horizon)), season)
    return [float(v) for v in fitted.predict(future)]


CANDIDATES = {
    SEASONAL_NAIVE: _seasonal_naive,
    HOLT_WINTERS: _holt_winters,
    CALENDAR_REGRESSION: _calendar_regression,
}


def mape(actual: list[float], predicted: list[float]) -> float | None:
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a > 0]
    if not pairs:
        return None
    return 100 * fmean(abs(a - p) / a for a, p in pairs)


@dataclass(frozen=True)
class Forecast:
    method: str
    backtest: dict  # method → MAPE (None when it could not be measured)
    points: list  # (forecast, lower, upper) for each future period


def backtest(history: list[float], season: int, test_length: int) -> dict:
    """Rolling origin: fit up to each of the last BACKTEST_ORIGINS origins, score the next
    test_length periods, average the MAPE per method."""
    scores: dict[str, list[float]] = {name: [] for name in CANDIDATES}
    errors: dict[str, list[float]] = {name: [] for name in CANDIDATES}
    for k in range(BACKTEST_ORIGINS, 0, -1):
        origin = len(history) - test_length - (k - 1)
        if origin < max(8, season // 2):
            continue
        train, test = history[:origin], history[origin : origin + test_length]
        for name, method in CANDIDATES.items():
            predicted = method(train, len(test), season)
            score = mape(test, predicted)
            if score is not None:
                scores[name].append(score)
            errors[name] += [a - p for a, p in zip(test, predicted, strict=True)]
    return {
        name: (fmean(values) if values else None, errors[name]) for name, values in scores.items()
    }


def forecast(history: list[float], *, season: int, horizon: int, test_length: int) -> Forecast:
    """The best method by backtest MAPE (seasonal naive when nothing could be measured), fitted
    on the whole history, with a 95% interval from the backtest errors widening with the step."""
    results = backtest(history, season, test_length)
    measured = {name: score for name, (score, _) in results.items() if score is not None}
    method = min(measured, key=measured.get) if measured else SEASONAL_NAIVE
    predicted = CANDIDATES[method](history, horizon, season)
    errors = results[method][1]
    spread = pstdev(errors) if len(errors) > 1 else (pstdev(history) if len(history) > 1 else 0.0)
    points = []
    for step, value in enumerate(predicted, start=1):
        width = Z_95 * spread * math.sqrt(1 + step / max(test_length, 1))
        value = max(value, 0.0)
        points.append((round(value, 1), round(max(value - width, 0.0), 1), round(value + width, 1)))
    return Forecast(method, {name: score for name, (score, _) in results.items()}, points)


def backtest_note(backtest: dict, method: str) -> str:
    """Why the chosen method was chosen, in words a manager can act on: above all, whether it
    beat the benchmark of repeating the same period last year (seasonal naive), and if not, why
    the benchmark itself is used."""
    naive = backtest.get(SEASONAL_NAIVE)
    others = {k: v for k, v in backtest.items() if k != SEASONAL_NAIVE and v is not None}
    chosen = backtest.get(method)
    if method != SEASONAL_NAIVE and chosen is not None and naive is not None:
        return (
            f"{METHODS[method]} beat seasonal naive: {chosen:.1f}% average error against "
            f"{naive:.1f}%."
        )
    if method != SEASONAL_NAIVE:
        return (
            f"{METHODS[method]} was chosen, but seasonal naive could not be measured on this "
            "series (no complaints in its test periods), so it is not known to beat it."
        )
    if naive is None and not others:
        return (
            "Too little history (or no complaints in the test periods) to test any method, so "
            "the forecast repeats the same period last year (seasonal naive)."
        )
    if not others:
        return (
            "Not enough history to fit the other methods, so the forecast repeats the same "
            "period last year (seasonal naive)."
        )
    best = min(others, key=others.get)
    if naive is not None and others[best] == naive:
        return (
            f"No method did better than seasonal naive ({naive:.1f}% average error): the series "
            "is flat or repeats exactly, so the forecast repeats the same period last year."
        )
    return (
        f"No method beat seasonal naive ({naive:.1f}% average error; the best other, "
        f"{METHODS[best].lower()}, {others[best]:.1f}%): this series changes too little from "
        "year to year, or too irregularly, for a model to improve on repeating the same period "
        "last year, so that is used."
    )
