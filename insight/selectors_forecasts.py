"""Forecast-versus-actual charts, backtest errors and staffing for the managers' forecast page."""

from dataclasses import dataclass
from datetime import date

from accounts.models import Sector
from casework.coding.themes import THEME_LABELS
from insight.forecasting import METHODS, THEME_SERIES_PREFIX, backtest_note
from insight.models import ForecastFrequency, SeriesForecast

# Assumptions for the staffing line, shown on the page beside it: a case takes about 15 hours of
# caseworker time end to end, and a full-time caseworker has about 120 hours a month for cases
# (37 hours a week, less leave, training and other work).
HOURS_PER_CASE = 15
HOURS_PER_FTE_MONTH = 120
HISTORY_SHOWN = {ForecastFrequency.WEEK: 52, ForecastFrequency.MONTH: 24}
WIDTH, HEIGHT, PAD = 640, 240, 30


@dataclass
class ForecastView:
    forecast: SeriesForecast
    title: str
    method_label: str
    backtest: list  # (label, MAPE or None, chosen)
    note: str  # whether the chosen method beat seasonal naive, and why not when it did not
    actual_points: str
    forecast_points: str
    band_points: str
    rows: list  # (period, actual, forecast, lower, upper)
    staff: list  # (period, forecast cases, FTE)
    width: int = WIDTH
    height: int = HEIGHT


def _layout(forecast: SeriesForecast) -> ForecastView:
    shown = forecast.history[-HISTORY_SHOWN[forecast.frequency] :]
    total = len(shown) + len(forecast.points)
    top = max([v for _, v in shown] + [p[3] for p in forecast.points] + [1])
    step = (WIDTH - 2 * PAD) / max(total - 1, 1)

    def xy(i, value):
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top
        return f"{round(PAD + i * step, 1)},{round(y, 1)}"

    offset = len(shown)
    upper = [xy(offset + i, p[3]) for i, p in enumerate(forecast.points)]
    lower = [xy(offset + i, p[2]) for i, p in enumerate(forecast.points)]
    sectors = dict(Sector.choices)
    if forecast.series == "all":
        name = "All complaints"
    elif forecast.series.startswith(THEME_SERIES_PREFIX):
        theme = forecast.series.removeprefix(THEME_SERIES_PREFIX)
        name = f"Complaint theme {THEME_LABELS.get(theme, theme)}"
    else:
        name = sectors.get(forecast.series, forecast.series)
    staff = []
    if forecast.frequency == ForecastFrequency.MONTH:
        staff = [
            (date.fromisoformat(p[0]), p[1], round(p[1] * HOURS_PER_CASE / HOURS_PER_FTE_MONTH, 1))
            for p in forecast.points
        ]
    return ForecastView(
        forecast=forecast,
        title=f"{name}: {forecast.get_frequency_display().lower()} complaints received",
        method_label=METHODS.get(forecast.method, forecast.method),
        backtest=[
            (label, forecast.backtest.get(key), key == forecast.method)
            for key, label in METHODS.items()
        ],
        note=backtest_note(forecast.backtest, forecast.method),
        actual_points=" ".join(xy(i, v) for i, (_, v) in enumerate(shown)),
        forecast_points=" ".join(xy(offset + i, p[1]) for i, p in enumerate(forecast.points)),
        band_points=" ".join(upper + lower[::-1]),
        rows=[(date.fromisoformat(p), v, None, None, None) for p, v in shown]
        + [(date.fromisoformat(p[0]), None, p[1], p[2], p[3]) for p in forecast.points],
        staff=staff,
    )


def forecast_views() -> list[ForecastView]:
    return [_layout(f) for f in SeriesForecast.objects.order_by("-frequency", "series")]
