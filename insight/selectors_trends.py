"""The control chart of a trend alert, laid out for a server-rendered SVG line chart."""

from dataclasses import dataclass
from datetime import date

from insight.models import TrendAlert

WIDTH, HEIGHT = 640, 260
# Room for the lines' names on the right and the weeks' dates along the bottom.
LEFT, RIGHT, TOP, BOTTOM = 12, 130, 16, 36


@dataclass(frozen=True)
class ControlChart:
    points: str  # the SVG polyline's points
    dots: list  # dicts: x, y, week, count, flagged
    mean_y: float
    upper_y: float
    lower_y: float
    line_labels: list  # (y, text) for the upper limit, the mean and the lower limit
    x_ticks: list  # (x, text, text-anchor): the first and the last week
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def control_chart(alert: TrendAlert) -> ControlChart:
    series = [(date.fromisoformat(week), count) for week, count in alert.series]
    top = max([alert.upper_limit, *(c for _, c in series)], default=1) or 1
    step = (WIDTH - LEFT - RIGHT) / max(len(series) - 1, 1)

    def y(value: float) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top, 1)

    dots = [
        {
            "x": round(LEFT + i * step, 1),
            "y": y(count),
            "week": week,
            "count": count,
            "flagged": alert.first_week <= week <= alert.week_start,
        }
        for i, (week, count) in enumerate(series)
    ]
    return ControlChart(
        points=" ".join(f"{d['x']},{d['y']}" for d in dots),
        dots=dots,
        mean_y=y(alert.mean),
        upper_y=y(alert.upper_limit),
        lower_y=y(alert.lower_limit),
        line_labels=_line_labels(
            [
                (y(alert.upper_limit), f"Upper limit {alert.upper_limit:.1f}"),
                (y(alert.mean), f"Mean {alert.mean:.1f}"),
                (y(alert.lower_limit), f"Lower limit {alert.lower_limit:.1f}"),
            ]
        ),
        x_ticks=(
            [
                (dots[0]["x"], f"{dots[0]['week']:%-d %b %Y}", "start"),
                (dots[-1]["x"], f"{dots[-1]['week']:%-d %b %Y}", "end"),
            ]
            if len(dots) > 1
            else []
        ),
    )


def _line_labels(labels: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """The lines' names, top to bottom, moved apart where the lines are too close to read."""
    placed: list[tuple[float, str]] = []
    for at, text in sorted(labels):
        if placed and at - placed[-1][0] < 16:
            at = placed[-1][0] + 16
        placed.append((at, text))
    return placed
