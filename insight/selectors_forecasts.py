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
WIDTH, HEIGHT = 640, 260
# Room for the axes' labels: counts on the left, dates along the bottom.
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 36


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
    y_ticks: list  # (y, label): gridlines with the count each stands for
    x_ticks: list  # (x, label, text-anchor): the first period, the forecast's start, the last
    split_x: float  # where the forecast begins
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    power = 1
    while True:
        for step in (1, 2, 5):
            if step * power >= value:
                return step * power
        power *= 10


def _layout(forecast: SeriesForecast) -> ForecastView:
    shown = forecast.history[-HISTORY_SHOWN[forecast.frequency] :]
    total = len(shown) + len(forecast.points)
    top = _nice_ceiling(max([v for _, v in shown] + [p[3] for p in forecast.points] + [1]))
    step = (WIDTH - LEFT - RIGHT) / max(total - 1, 1)

    def x(i):
        return round(LEFT + i * step, 1)

    def y(value):
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top, 1)

    def xy(i, value):
        return f"{x(i)},{y(value)}"

    periods = [date.fromisoformat(p) for p, _ in shown] + [
        date.fromisoformat(p[0]) for p in forecast.points
    ]
    label = "%b %Y" if forecast.frequency == ForecastFrequency.MONTH else "%-d %b %Y"
    x_ticks = []
    if periods:
        # Where the forecast starts matters most, then the last period, then the first; a label
        # that would overlap one already placed is left out.
        candidates = [(x(total - 1), periods[-1].strftime(label), "end")]
        if shown and forecast.points:
            start = periods[len(shown)].strftime(label)
            candidates.insert(0, (x(len(shown)), f"Forecast from {start}", "middle"))
        candidates.append((x(0), periods[0].strftime(label), "start"))
        taken: list[tuple[float, float]] = []
        for at, text, anchor in candidates:
            width = len(text) * 8  # 14-unit Arial averages under 8 units a character
            left = {"start": at, "middle": at - width / 2, "end": at - width}[anchor]
            if left < 0 and anchor == "middle":
                at, anchor, left = LEFT, "start", LEFT
            span = (left - 12, left + width + 12)
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
                x_ticks.append((at, text, anchor))
        x_ticks.sort()
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
        y_ticks=[(y(v), f"{v:,}") for v in ((0, top) if top < 4 else (0, top // 2, top))],
        x_ticks=x_ticks,
        split_x=x(offset),
    )


def forecast_views() -> list[ForecastView]:
    return [_layout(f) for f in SeriesForecast.objects.order_by("-frequency", "series")]
